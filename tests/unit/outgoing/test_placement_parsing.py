"""The tap of a placement form and the one-step undo kept in the stored layout.

``tap_from_form`` turns the pixels of an ``<input type=image>`` into fractions of the page image and
refuses what is not a finite, non-negative number or a zero image size with the Vietnamese message
(``InvalidInputError``, a 422 on the page; it used to escape as a 500). ``DocLayout`` keeps the layout
before the last tap as ``previous`` through its JSON form.
"""

from __future__ import annotations

import pytest

from backend.domain.outgoing._pdf import DocLayout
from backend.domain.outgoing.schemas import TapForm, tap_from_form
from backend.domain.signing.appearance import Area, Placement
from backend.errors import InvalidInputError


def test_pixels_become_fractions_of_the_image() -> None:
    tap = tap_from_form({"what": "date", "w": "360", "h2": "509", "p2.x": "90", "p2.y": "254.5"})
    assert tap == TapForm(what="date", page="2", x=str(0.25), y=str(0.5))


def test_fractions_pass_through_for_the_service_to_check() -> None:
    assert tap_from_form({"page": "1", "x": "0.5", "y": "0.1"}) == TapForm(page="1", x="0.5", y="0.1")


@pytest.mark.parametrize("fields", [
    {"w": "360", "h1": "509", "p1.x": "abc", "p1.y": "1"},
    {"w": "0", "h1": "509", "p1.x": "1", "p1.y": "1"},
    {"w": "abc", "h1": "509", "p1.x": "1", "p1.y": "1"},
    {"w": "360", "h1": "0", "p1.x": "1", "p1.y": "1"},
    {"w": "360", "h1": "509", "p1.x": "1", "p1.y": "-3"},
    {"w": "inf", "h1": "509", "p1.x": "1", "p1.y": "1"},
    {"w": "360", "h1": "509", "p1.x": "nan", "p1.y": "1"},
])
def test_malformed_taps_are_refused_with_the_message(fields: dict[str, str]) -> None:
    with pytest.raises(InvalidInputError) as refused:
        tap_from_form(fields)
    assert refused.value.field_errors == {"tap": "Vị trí đã chọn không hợp lệ; hãy chạm vào ảnh trang văn bản."}


def test_the_previous_layout_survives_the_json_round_trip() -> None:
    first = DocLayout(Placement(0, 10, 20, 160, 80), Area(0, (1, 2, 3, 4)), None, ("number",))
    second = DocLayout(Placement(1, 50, 60, 200, 120), first.number, None, ("number", "signature"), first.to_json())
    again = DocLayout.from_json(second.to_json())
    assert again == second and DocLayout.from_json(again.previous) == first
    assert "previous" not in first.to_json()  # a layout nobody tapped has nothing to undo
