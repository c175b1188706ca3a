"""Reading uploaded CSV files: size and type checks, UTF-8 (BOM optional), delimiter detection, header check.

Pure functions (no database). Line numbers are physical line numbers in the file (the header is
line 1), so a multi-line quoted cell does not shift the numbers the administrator sees.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.text import clean, fold

__all__ = [
    "AGENCY_COLUMNS",
    "AGENCY_REQUIRED",
    "MAX_UPLOAD_BYTES",
    "UNIT_COLUMNS",
    "USER_COLUMNS",
    "USER_REQUIRED",
    "Record",
    "RejectedRow",
    "decode_upload",
    "detect_delimiter",
    "read_csv",
]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
AGENCY_COLUMNS = (
    "organ_id",
    "name",
    "abbreviation",
    "place_name",
    "level",
    "parent_organ_id",
    "address",
    "email",
    "phone",
)
AGENCY_REQUIRED = ("organ_id", "name", "abbreviation", "place_name", "level")
UNIT_COLUMNS = ("agency_organ_id", "abbreviation", "name")
USER_COLUMNS = (
    "username",
    "full_name",
    "agency_organ_id",
    "unit_abbreviation",
    "position_title",
    "roles",
    "email",
    "phone",
    "password",
)
USER_REQUIRED = ("username", "full_name", "agency_organ_id")
_CSV_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "application/csv",
        "application/vnd.ms-excel",
        "text/comma-separated-values",
        "text/x-csv",
    }
)

Record = dict[str, str]


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that was not imported: its line in the file, its key value and why."""

    line: int
    key: str
    reasons: list[str]


def decode_upload(data: bytes, filename: str | None, content_type: str | None) -> str:
    """The text of an uploaded CSV file.

    Raises:
        InvalidInputError: (field ``file``) empty, larger than 5 MB, not a CSV/text file, or not UTF-8.
    """
    if not data:
        raise InvalidInputError(field_errors={"file": t("import.file.empty")})
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(
            field_errors={"file": t("import.file.too_large", limit=MAX_UPLOAD_BYTES // 2**20)}
        )
    name_ok = (filename or "").lower().endswith((".csv", ".txt"))
    type_ok = (content_type or "").split(";")[0].strip().lower() in _CSV_TYPES
    if not (name_ok or type_ok) or b"\x00" in data:
        raise InvalidInputError(field_errors={"file": t("import.file.not_csv")})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(field_errors={"file": t("import.file.not_utf8")}) from None


def detect_delimiter(header_line: str) -> str:
    """``;`` when the header has more semicolons than commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def read_csv(
    text: str, columns: Sequence[str], required: Sequence[str]
) -> tuple[list[tuple[int, Record]], list[RejectedRow]]:
    """Rows as ``(line, {column: value})`` plus rows rejected for having too many cells.

    Blank lines are ignored; missing trailing cells count as empty.

    Raises:
        InvalidInputError: no header, unknown or missing columns, or malformed CSV.
    """
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise InvalidInputError(t("import.header.missing", columns=",".join(columns)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first))
    header: list[str] | None = None
    rows: list[tuple[int, Record]] = []
    rejected: list[RejectedRow] = []
    last = 0
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [fold(clean(c)) for c in cells]
                _check_header(header, columns, required)
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                rejected.append(
                    RejectedRow(
                        line,
                        clean(cells[0]),
                        [t("import.row.too_many_cells", found=len(cells), expected=len(header))],
                    )
                )
                continue
            cells = cells + [""] * (len(header) - len(cells))
            rows.append((line, dict(zip(header, cells, strict=False))))
    except csv.Error as exc:
        raise InvalidInputError(t("import.file.malformed", line=reader.line_num, detail=str(exc))) from None
    return rows, rejected


def _check_header(header: list[str], columns: Sequence[str], required: Sequence[str]) -> None:
    unknown = [h for h in header if h not in columns]
    missing = [c for c in required if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise InvalidInputError(
            t(
                "import.header.invalid",
                unknown=", ".join(unknown) or "—",
                missing=", ".join(missing) or "—",
                columns=",".join(columns),
            )
        )
