"""The bad-input corpus (``tests.support.edxml.BAD_CASES``): each case is refused with its typed
error and a Vietnamese reason naming the fault, never with another exception; and real-traffic
oddities that must *not* be refused (unknown status codes, unknown priorities) are logged and kept.
"""

from __future__ import annotations

import logging

import pytest

from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.errors import EdxmlError
from backend.domain.exchange.edxml.model import StatusMessage
from backend.domain.exchange.edxml.parse import parse
from tests.support.edxml import BAD_CASES, BadCase, a_status, our_package


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.name for c in BAD_CASES])
def test_bad_input_is_refused_with_its_reason(case: BadCase) -> None:
    raw = case.make()
    with pytest.raises(EdxmlError) as caught:
        parse(raw)
    assert type(caught.value) is case.error, caught.value.reason
    assert case.reason in caught.value.reason
    assert caught.value.message.startswith("Gói tin edXML bị từ chối: ")


def test_an_unknown_status_code_is_logged_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    raw = build(a_status(status_code="09"))
    with caplog.at_level(logging.WARNING):
        parsed = parse(raw)
    assert isinstance(parsed, StatusMessage) and parsed.status_code == "09"
    assert "unknown StatusCode '09'" in caplog.text


def test_an_unknown_priority_and_steering_type_are_logged_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    text = build(our_package()).decode()
    text = text.replace("<edXML:Priority>1", "<edXML:Priority>7").replace("<edXML:SteeringType>0",
                                                                            "<edXML:SteeringType>9")
    with caplog.at_level(logging.WARNING):
        parsed = parse(text.encode())
    assert parsed.other_info.priority == 7 and parsed.steering_type == 9  # type: ignore[union-attr]
    assert "unknown Priority 7" in caplog.text and "unknown SteeringType 9" in caplog.text


def test_a_status_code_that_is_not_two_digits_is_refused() -> None:
    with pytest.raises(EdxmlError) as caught:
        parse(build(a_status(status_code="XY")))
    assert "mã trạng thái “XY”" in caught.value.reason
