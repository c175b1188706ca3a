"""The strict body decoders of the validation edge (``backend.server.edge_body``): each refusal names its field."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.datastructures import UploadFile

from backend.server.edge_body import (
    BadInputError,
    UnstorableValueError,
    decode_json,
    parse_multipart,
    parse_query,
    parse_urlencoded,
)


def _refusal(error: pytest.ExceptionInfo[BadInputError] | pytest.ExceptionInfo[UnstorableValueError],
             field: str) -> str:
    """Unreadable bytes are malformed (400); readable text or numbers that cannot be stored are 422."""
    assert error.value.status_code == (400 if isinstance(error.value, BadInputError) else 422)
    assert f"«{field}»" in error.value.message, error.value.message
    return error.value.message


@pytest.mark.parametrize("raw", [b"summary=a%FFb", b"summary=a%C0%80b", b"summary=a%00b", b"summary=a%ED%A0%80b"])
def test_urlencoded_refuses_text_that_is_not_storable_naming_the_field(raw: bytes) -> None:
    with pytest.raises((BadInputError, UnstorableValueError)) as error:
        parse_urlencoded(b"code=12&" + raw)
    _refusal(error, "summary")


def test_urlencoded_keeps_repeated_fields_and_plus_signs() -> None:
    assert parse_urlencoded(b"target=unit%3A1&target=user%3A2&note=C%C3%B4ng+v%C4%83n") == {
        "target": ["unit:1", "user:2"], "note": "Công văn"}


def test_query_refuses_invalid_utf8_naming_the_parameter() -> None:
    with pytest.raises((BadInputError, UnstorableValueError)) as error:
        parse_query(b"q=%FF")
    assert "«q»" in _refusal(error, "q") and "địa chỉ" in error.value.message


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 7):  # small chunks: parts cross chunk boundaries
        yield body[start:start + 7]


def _multipart(*parts: bytes) -> bytes:
    return b"".join(b"--B\r\n" + part + b"\r\n" for part in parts) + b"--B--\r\n"


async def test_multipart_reads_text_and_files() -> None:
    body = _multipart(b'Content-Disposition: form-data; name="summary"\r\n\r\nC\xc3\xb4ng v\xc4\x83n',
                      b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
                      b"Content-Type: application/pdf\r\n\r\n%PDF-1.7",
                      b'Content-Disposition: form-data; name="appendix"; filename=""\r\n\r\n')
    fields = await parse_multipart(_chunks(body), b"B", 100)
    assert fields["summary"] == "Công văn" and fields["appendix"] == ""  # no file chosen
    assert isinstance(fields["file"], UploadFile) and await fields["file"].read() == b"%PDF-1.7"


@pytest.mark.parametrize("value", [b"a\xffb", b"a\xc0\x80b", b"a\x00b", b"a\xed\xa0\x80b"])
async def test_multipart_refuses_text_that_is_not_storable_naming_the_field(value: bytes) -> None:
    body = _multipart(b'Content-Disposition: form-data; name="summary"\r\n\r\n' + value)
    with pytest.raises((BadInputError, UnstorableValueError)) as error:
        await parse_multipart(_chunks(body), b"B", 100)
    _refusal(error, "summary")


async def test_multipart_refuses_a_file_without_a_name() -> None:
    body = _multipart(b'Content-Disposition: form-data; name="file"; filename=""\r\n\r\n%PDF-1.7')
    with pytest.raises((BadInputError, UnstorableValueError)) as error:
        await parse_multipart(_chunks(body), b"B", 100)
    assert "không có tên tệp" in _refusal(error, "file")


@pytest.mark.parametrize(("body", "words"), [
    (b"[" * 100_000 + b"]" * 100_000, "lồng nhau quá sâu"),
    (b'{"a":' * 40 + b"1" + b"}" * 40, "lồng nhau quá sâu"),
    (b'{"event":"a","event":"b"}', "«event» lặp lại"),
    (b'{"version":NaN}', "NaN"),
    (b'{"event":"sub', "JSON không hợp lệ"),
    (b'{"version":9223372036854775808}', "«version»"),
    (b'{"reason":"a\xffb"}', "«reason» không phải văn bản UTF-8"),
    (b'{"reason":"a\\u0000b"}', "«reason» chứa ký tự rỗng"),
    (b'{"items":[{"note":"\\ud800"}]}', "«items[0].note»"),
    (b'{"start_date":"9999-12-31"}', "«start_date» phải là ngày hợp lệ trong khoảng 01/01/1900 đến 31/12/2100"),
    (b'{"until":"1899-12-31"}', "«until» phải là ngày"),
])
def test_json_refusals_say_what_is_wrong(body: bytes, words: str) -> None:
    with pytest.raises((BadInputError, UnstorableValueError)) as error:
        decode_json(body)
    assert words in error.value.message, error.value.message


def test_json_reads_ordinary_bodies() -> None:
    assert decode_json(b'{"event":"submit","assignees":[{"unit_id":3}]}') == {
        "event": "submit", "assignees": [{"unit_id": 3}]}
    assert decode_json(b"  ") is None
    # dates within the bounds, and strings that only look like dates (the field's own type judges them)
    assert decode_json(b'{"due_on":"2100-12-31","from":"1900-01-01","note":"2026-02-31"}') == {
        "due_on": "2100-12-31", "from": "1900-01-01", "note": "2026-02-31"}
