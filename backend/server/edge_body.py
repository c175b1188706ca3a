"""Strict decoders for request bodies and query strings: every field decoded as UTF-8 or refused by name.

Litestar's own parsers replace undecodable bytes in URL-encoded forms with U+FFFD (silently
storing something the user never typed) and raise a bare ``UnicodeDecodeError`` for a multipart
text part (a 500 naming nothing). These decoders produce the same shapes (a name → value or list of
values dict; :class:`UploadFile` for file parts) but refuse, with :class:`BadInputError` naming
the field:

* bytes that are not UTF-8 (overlong forms such as ``C0 80`` and encoded surrogates included);
* any text breaking :func:`backend.lib.bounds.text_problem` (NUL, lone surrogate, over-long);
* a file part whose ``filename`` is empty but whose content is not (a browser sends an empty part
  with an empty name when no file was chosen: that is read as "no file");
* JSON that is not UTF-8, not well-formed, nested deeper than :data:`MAX_JSON_DEPTH`, with a
  repeated key or a ``NaN``/``Infinity``;
* a JSON string that is an ISO date (``YYYY-MM-DD``) outside :data:`~backend.lib.bounds.MIN_DATE` ..
  :data:`~backend.lib.bounds.MAX_DATE` (422 naming the field: the API's date fields are typed, not bounded).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any
from urllib.parse import unquote_to_bytes

from litestar.datastructures import UploadFile
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser  # type: ignore[import-untyped]

from backend.errors import InvalidInputError
from backend.lib.bounds import MAX_DATE, MAX_ID, MAX_TEXT_CHARS, MIN_DATE, text_problem
from backend.lib.i18n import t

__all__ = ["MAX_JSON_DEPTH", "BadInputError", "UnstorableValueError", "check_text", "decode_json", "parse_multipart",
           "parse_query", "parse_urlencoded"]

MAX_JSON_DEPTH = 32
"""No request body of the API nests deeper than a few levels."""


class BadInputError(InvalidInputError):
    """A request whose bytes cannot be read as the fields it claims to carry (400, the field named)."""

    code = "BAD_INPUT"
    status_code = 400


class UnstorableValueError(InvalidInputError):
    """A readable value that cannot be stored: NUL, a lone surrogate, too long, an integer beyond any id (422)."""

    code = "BAD_VALUE"


def _unstorable(key: str, field: str, **params: Any) -> UnstorableValueError:
    message = t(key, field=field, **params)
    return UnstorableValueError(message, field_errors={field: message})


def _refuse(key: str, field: str | None = None, **params: Any) -> BadInputError:
    """The refusal naming ``field``, or ``body`` when the body as a whole cannot be read."""
    message = t(key, field=field, **params) if field is not None else t(key, **params)
    return BadInputError(message, field_errors={field or "body": message})


def check_text(field: str, value: str) -> str:
    """``value`` unchanged when it is acceptable text for ``field``.

    Raises:
        UnstorableValueError: NUL, lone surrogate or longer than :data:`MAX_TEXT_CHARS`.
    """
    problem = text_problem(value)
    if problem is not None:
        raise _unstorable(problem, field, length=len(value), limit=MAX_TEXT_CHARS)
    return value


def _decode(field: str, raw: bytes, key: str = "edge.text.not_utf8") -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(key, field, position=exc.start) from None
    return check_text(field, text)


def _collapse(fields: dict[str, list[Any]]) -> dict[str, Any]:
    """One value per name stays a value, repeated names become lists (what Litestar's parsers return)."""
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


def _pairs(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    for pair in raw.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            yield unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))


def parse_urlencoded(body: bytes) -> dict[str, Any]:
    """An ``application/x-www-form-urlencoded`` body (percent-escapes decoded to bytes, then strict UTF-8)."""
    fields: defaultdict[str, list[Any]] = defaultdict(list)
    for raw_name, raw_value in _pairs(body):
        name = _decode("?", raw_name, "edge.body.not_utf8")
        fields[name].append(_decode(name, raw_value))
    return _collapse(fields)


def parse_query(query_string: bytes) -> dict[str, Any]:
    """The query string, strictly decoded (the values are only checked: Litestar keeps parsing them)."""
    fields: defaultdict[str, list[Any]] = defaultdict(list)
    for raw_name, raw_value in _pairs(query_string):
        name = _decode("?", raw_name, "edge.body.not_utf8")
        fields[name].append(_decode(name, raw_value, "edge.query.not_utf8"))
    return _collapse(fields)


async def _close_all(fields: dict[str, list[Any]], current: Any) -> None:
    for item in [current, *(v for values in fields.values() for v in values)]:
        if isinstance(item, UploadFile):
            await item.close()


async def parse_multipart(chunks: AsyncIterator[bytes], boundary: bytes, part_limit: int) -> dict[str, Any]:
    """A ``multipart/form-data`` body: text parts strictly decoded, file parts as spooled :class:`UploadFile`.

    Raises:
        BadInputError: see the module docstring; every file already spooled is closed first.
    """
    fields: defaultdict[str, list[Any]] = defaultdict(list)
    segment: MultipartSegment | None = None
    content: UploadFile | bytearray = bytearray()
    try:
        with PushMultipartParser(boundary, max_segment_count=part_limit) as parser:
            async for chunk in _with_eof(chunks):
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment, content = event, bytearray()
                        if event.filename:
                            content = UploadFile(content_type=event.content_type or "application/octet-stream",
                                                 filename=event.filename, headers=dict(event.headerlist))
                    elif event:
                        if isinstance(content, UploadFile):
                            await content.write(event)
                        else:
                            content.extend(event)
                    elif segment is not None:
                        fields[segment.name].append(await _finish(segment, content))
                        segment, content = None, bytearray()
                if parser.closed:
                    break
    except (ParserError, UnicodeDecodeError):
        await _close_all(fields, content)
        raise _refuse("edge.body.form_broken") from None
    except ParserLimitReached:
        await _close_all(fields, content)
        raise _refuse("edge.body.too_many_parts", limit=part_limit) from None
    except BadInputError:
        await _close_all(fields, content)
        raise
    return _collapse(fields)


async def _with_eof(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The body's chunks, then the empty chunk that tells the parser the body ended."""
    async for chunk in chunks:
        if chunk:
            yield chunk
    yield b""


async def _finish(segment: MultipartSegment, content: UploadFile | bytearray) -> Any:
    """The value of a complete part: the rewound file, or the decoded text."""
    if isinstance(content, UploadFile):
        await content.seek(0)
        return content
    if segment.filename is not None:  # a file part with an empty name
        if content:
            raise _refuse("edge.file.no_name", segment.name)
        return ""  # no file chosen
    return _decode(segment.name, bytes(content))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _refuse("edge.json.duplicate_key", key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise _refuse("edge.json.not_a_number", value=name)


def _check_json_text(field: str, value: str, *, broken_bytes: bool) -> None:
    """:func:`check_text`, except that a body with undecodable bytes names the string that held them."""
    if broken_bytes and any("\udc80" <= ch <= "\udcff" for ch in value):
        raise _refuse("edge.text.not_utf8", field, position=next(
            i for i, ch in enumerate(value) if "\udc80" <= ch <= "\udcff"))
    check_text(field, value)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_json_date(field: str, value: str) -> None:
    """An ISO date string lies within the bounds (one that is no date at all is left to the field's type)."""
    if not _ISO_DATE.fullmatch(value):
        return
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return
    if not MIN_DATE <= day <= MAX_DATE:
        raise _unstorable("edge.date.out_of_range", field, min=MIN_DATE.strftime("%d/%m/%Y"),
                          max=MAX_DATE.strftime("%d/%m/%Y"), value=value)


def _check_values(value: Any, *, broken_bytes: bool) -> None:
    """Every string (keys included) of a decoded JSON value passes :func:`check_text`, named by its path (a
    date-shaped value also :func:`_check_json_date`); containers nest at most :data:`MAX_JSON_DEPTH` deep (walked
    without recursion)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            _check_json_text(where or "body", item, broken_bytes=broken_bytes)
            _check_json_date(where or "body", item)
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_ID:
            raise _unstorable("edge.field.invalid", where or "body", detail=t("edge.field.range", bound=f"≤ {MAX_ID}"))
        elif isinstance(item, list | dict):
            if depth >= MAX_JSON_DEPTH:
                raise _refuse("edge.json.too_deep", limit=MAX_JSON_DEPTH)
            if isinstance(item, list):
                stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item))
                continue
            for key, v in item.items():
                _check_json_text(where or "body", key, broken_bytes=broken_bytes)
                stack.append((v, f"{where}.{key}" if where else key, depth + 1))


def decode_json(body: bytes) -> Any:
    """The JSON value of ``body`` (``None`` for an empty body).

    Raises:
        BadInputError: see the module docstring.
    """
    if not body.strip():
        return None
    broken_at: int | None = None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Undecodable bytes become lone surrogates, so the string holding them can be named below.
        text, broken_at = body.decode("utf-8", "surrogateescape"), exc.start
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)
    except RecursionError:
        raise _refuse("edge.json.too_deep", limit=MAX_JSON_DEPTH) from None
    except json.JSONDecodeError as exc:
        raise _refuse("edge.json.broken", detail=f"{exc.msg} (dòng {exc.lineno}, cột {exc.colno})") from None
    _check_values(value, broken_bytes=broken_at is not None)
    if broken_at is not None:  # the bytes were outside any string
        raise _refuse("edge.body.not_utf8", position=broken_at)
    return value
