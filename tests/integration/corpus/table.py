"""The bad-input corpus as data: endpoints, their fields and kinds, and the hostile values of each kind.

:func:`cases` crosses them (endpoint × field × hostile value) into the cases ``test_corpus``
runs. A hostile value is *refused* when no correct program could store it (it must get a 4xx), or
*storable* when it is legitimate text that must come back escaped (a 2xx/3xx is then fine, and so
is a 4xx from an ordinary field rule). Adding an endpoint or a value here adds its cases.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from backend.domain.documents.pdf import JAVASCRIPT
from backend.domain.signing.assets import seal_png
from tests.support.active_pdf import with_active_content
from tests.support.incoming import encrypted_pdf, make_pdf

__all__ = ["HTML_PAYLOAD", "Case", "Endpoint", "Hostile", "Oversize", "cases"]

HTML_PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
HTML_PAGE = f"<!DOCTYPE html><html><body>{HTML_PAYLOAD}</body></html>".encode()


@dataclass(frozen=True, slots=True)
class Hostile:
    """One hostile value: ``value`` is bytes (sent as is) or a structure for JSON bodies."""

    id: str
    value: Any
    refused: bool
    warning: str = ""
    """When accepted, the ``stored_file.content_warning`` the file must get and the document page show."""


@dataclass(frozen=True, slots=True)
class Oversize:
    """A file of ``size`` bytes starting with ``head``: made only when its request is built, never kept."""

    head: bytes
    size: int


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


TEXT = (
    Hostile("invalid-utf8", b"C\xf4ng v\xe3n \xff\xfe", True),
    Hostile("overlong-nul", b"abc\xc0\x80def", True),
    Hostile("nul", b"abc\x00def", True),
    Hostile("lone-surrogate", _b("abc\ud800def"), True),
    Hostile("1mb", _b("Công văn ") * 116_509, True),
    Hostile("rtl", _b("\u202eCông văn \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"), False),
    Hostile("zero-width", _b("Công\u200b văn\u200d\ufeff số\u2060"), False),
    Hostile("combining", _b("Co\u0302\u0301ng va\u0306n " + "e\u0301\u0323\u0302" * 30), False),
    Hostile("html-js", _b(HTML_PAYLOAD), False),
)
ID = (
    Hostile("zero", b"0", True),
    Hostile("negative", b"-1", True),
    Hostile("2^31", _b(str(2**31)), True),
    Hostile("2^63", _b(str(2**63)), True),
    Hostile("2^64", _b(str(2**64)), True),
    Hostile("non-numeric", b"abc", True),
    Hostile("superscript-digit", _b("\u00b2"), True),
)
LENIENT_ID = tuple(Hostile(h.id, h.value, False) for h in ID)
"""A page's optional numeric filter that falls back to its default (the copies register shows this year)."""
QUERY_TEXT = (*(h for h in TEXT if h.id != "1mb"),  # a URL cannot carry 1 MB (clients stop at 64 KiB)
              Hostile("28k", _b("chuyen ") * 4_000, False))
DATE = (
    Hostile("31-02", b"2026-02-31", True),
    Hostile("year-0", b"0000-01-01", True),
    Hostile("year-9999", b"9999-12-31", True),
    Hostile("dd-mm-yyyy", b"31/02/2026", True),
)
RANGE = (  # (from, to) of a date-range filter
    Hostile("31-02", (b"2026-02-31", b"2026-03-31"), True),
    Hostile("year-0", (b"0000-01-01", b"2026-01-01"), True),
    Hostile("to-year-9999", (b"2026-01-01", b"9999-12-31"), True),
    Hostile("dd-mm-yyyy", (b"01/01/2026", b"31/12/2026"), True),
    Hostile("100-years", (b"1926-01-01", b"2026-12-31"), False),
)


def _truncated() -> bytes:
    pdf = make_pdf(1)
    return pdf[: len(pdf) // 2]


def _zip() -> bytes:
    """A small ZIP archive (what an XLSX, or the tail of a PDF/ZIP polyglot, is)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
        archive.writestr("chay-toi.exe", b"MZ\x90\x00")
    return out.getvalue()


def _png(width: int, height: int, mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def _png_header_bomb(side: int) -> bytes:
    """A 1-bit PNG whose header claims ``side`` × ``side`` pixels over about 1 KB of compressed rows."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" * (1 + (side + 7) // 8) * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


SIXTY_MB = 60 * 2**20
FILE = (  # (filename, content) of a PDF input
    Hostile("empty", ("trong.pdf", b""), True),
    Hostile("truncated-pdf", ("cat-doi.pdf", _truncated()), True),
    Hostile("not-a-pdf", ("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200), True),
    Hostile("encrypted-pdf", ("ma-hoa.pdf", encrypted_pdf()), True),
    Hostile("empty-filename", ("", make_pdf(1)), True),
    Hostile("dot-dot-name", ("../../../etc/passwd.pdf", make_pdf(1)), False),
    Hostile("300-char-name", ("v" * 296 + ".pdf", make_pdf(1)), False),
    Hostile("60mb", ("qua-lon.pdf", Oversize(b"%PDF-1.7\n", SIXTY_MB)), True),
    Hostile("png-named-pdf", ("anh-chup.pdf", _png(64, 64, "RGB")), True),
    Hostile("html-named-pdf", ("trang-web.pdf", HTML_PAGE), True),
    Hostile("zip-named-pdf", ("bang-tinh.pdf", _zip()), True),
    Hostile("pdf-zip-polyglot", ("pdf-zip.pdf", make_pdf(1) + _zip()), False),
    Hostile("html-pdf-polyglot", ("html-pdf.pdf", HTML_PAGE + b"\n" + make_pdf(1)), False),
    Hostile("javascript-pdf", ("co-javascript.pdf", with_active_content("js_open")), False, warning=JAVASCRIPT),
    Hostile("launch-action-pdf", ("mo-chuong-trinh.pdf", with_active_content("launch_open")), True),
    Hostile("embedded-exe-pdf", ("kem-exe.pdf", with_active_content("exe")), True),
)
SEAL_PNG = seal_png("Ủy ban nhân dân xã Nghi Phong", "Huyện Nghi Lộc", size_px=400)
PNG = (  # (filename, content) of a seal or signature image
    Hostile("decompression-bomb-20000px", ("con-dau.png", _png(20_000, 20_000)), True),
    Hostile("header-bomb-100000px", ("con-dau.png", _png_header_bomb(100_000)), True),
    Hostile("empty", ("con-dau.png", b""), True),
    Hostile("truncated", ("con-dau.png", SEAL_PNG[:300]), True),
    Hostile("jpeg-named-png", ("con-dau.png", b"\xff\xd8\xff\xe0" + b"\0" * 300), True),
    Hostile("pdf-named-png", ("con-dau.png", make_pdf(1)), True),
    Hostile("html-named-png", ("con-dau.png", HTML_PAGE), True),
    Hostile("opaque-rgb", ("con-dau.png", _png(400, 400, "RGB")), True),
    Hostile("1x1", ("con-dau.png", _png(1, 1, "RGBA")), True),
    Hostile("60mb", ("con-dau.png", Oversize(b"\x89PNG\r\n\x1a\n", SIXTY_MB)), True),
    Hostile("dot-dot-name", ("../../../con-dau.png", SEAL_PNG), False),
    Hostile("300-char-name", ("c" * 296 + ".png", SEAL_PNG), False),
)
CSV_HEADER = b"username,full_name,agency_organ_id\n"
CSV = (  # (filename, content) of an administrator's CSV import
    Hostile("empty", ("nguoi-dung.csv", b""), True),
    Hostile("6mb", ("nguoi-dung.csv", CSV_HEADER + b"#" * (6 * 2**20)), True),
    Hostile("60mb", ("nguoi-dung.csv", Oversize(CSV_HEADER, SIXTY_MB)), True),
    Hostile("invalid-utf8", ("nguoi-dung.csv", CSV_HEADER + b"corpus.csv1,Nguy\xe3n V\xff,000.01.21.H41\n"), True),
    Hostile("nul", ("nguoi-dung.csv", CSV_HEADER + b"corpus.csv2,Nguy\x00n,000.01.21.H41\n"), True),
    Hostile("xlsx-named-csv", ("nguoi-dung.csv", _zip()), True),
    Hostile("pdf-named-csv", ("nguoi-dung.csv", make_pdf(1)), True),
    Hostile("html-named-csv", ("nguoi-dung.csv", HTML_PAGE), True),
    Hostile("dot-dot-name", ("../../../nguoi-dung.csv", CSV_HEADER), False),
    Hostile("300-char-name", ("n" * 296 + ".csv", CSV_HEADER), False),
)
CURSOR = (  # a search page's cursor (kind ~ date or score ~ last id): the search page answers a bad one
    # with its own form and the message "Trang kết quả không hợp lệ" (200), like its other filter errors
    Hostile("id-2^63", _b(f"d~2026-01-01~{2**63}"), False),
    Hostile("superscript-id", _b("d~2026-01-01~\u00b2"), False),
    Hostile("year-9999", b"d~9999-12-31~5", False),
    Hostile("score-nan", b"r~nan~5", False),
    Hostile("garbage", b"~~~", False),
)
JSON_BODY = (  # raw bodies
    Hostile("deep-nesting", b"[" * 100_000 + b"]" * 100_000, True),
    Hostile("deep-object", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, True),
    Hostile("duplicate-keys", b'{"event":"submit","event":"return"}', True),
    Hostile("wrong-types", b'{"event":5,"reason":["x"],"version":"abc"}', True),
    Hostile("invalid-utf8", b'{"event":"\xff\xfe"}', True),
    Hostile("int-2^63", _b(f'{{"event":"submit","version":{2**63}}}'), True),
    Hostile("nan", b'{"event":"submit","version":NaN}', True),
    Hostile("truncated", b'{"event":"sub', True),
)
JSON_ID = (  # raw JSON tokens for an integer id field
    Hostile("zero", b"0", True),
    Hostile("negative", b"-1", True),
    Hostile("2^63", _b(str(2**63)), True),
    Hostile("2^64", _b(str(2**64)), True),
    Hostile("non-numeric", b'"abc"', True),
    Hostile("fraction", b"1.5", True),
    Hostile("boolean", b"true", True),
)
JSON_DATE = (  # raw JSON tokens for a date field
    Hostile("31-02", b'"2026-02-31"', True),
    Hostile("year-0", b'"0000-01-01"', True),
    Hostile("year-9999", b'"9999-12-31"', True),
    Hostile("dd-mm-yyyy", b'"31/02/2026"', True),
    Hostile("number", b"20260231", True),
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of the corpus.

    ``body`` is ``form`` (urlencoded), ``multipart``, ``json``, ``query`` or ``path``; ``path`` may hold
    ``{doc}`` (an arranged document of ``arrange``) and, for ``body="path"``, ``{value}``.
    ``base(world, n)`` gives valid values for every field (``n`` makes them unique per case).
    ``fields`` maps each field to its kind: text, id, lenient-id, date, range, file (a PDF), png, csv, cursor,
    json-text, json-id, json-date, json-body.
    ``tables`` are counted before and after a refused case (with the files of the blob store).
    ``page`` is where a document created by a JSON answer (its ``id``) is shown.
    """

    name: str
    method: str
    path: str
    actor: str | None
    body: str
    fields: dict[str, str]
    base: Callable[[Any, int], dict[str, Any]] = lambda world, n: {}
    tables: tuple[str, ...] = ()
    arrange: str | None = None
    fresh: bool = False
    """A new arranged document for every case (when an accepted value changes the document's state)."""
    wrap: Callable[[str, bytes], bytes] = staticmethod(lambda name, value: value)  # type: ignore[assignment]
    file_field: str = "file"
    extra: dict[str, Any] = field(default_factory=dict)
    page: str = ""


def _intake(world: Any, n: int) -> dict[str, Any]:
    return {"document_type_id": str(world.type_id), "code_number": str(7000 + n), "code_notation": "UBND-VP",
            "issuer_name": "Ủy ban nhân dân huyện Nghi Lộc", "issued_on": world.today,
            "summary": "Về việc triển khai chuyển đổi số", "signer_position": "Chủ tịch",
            "signer_name": "Lê Minh Việt", "urgency": "normal", "confidentiality": "none", "source": "electronic",
            "action": "register", "file": ("cong-van.pdf", make_pdf(1))}


def _draft(world: Any, n: int) -> dict[str, Any]:
    return {"document_type_id": str(world.type_id), "summary": f"V/v chuyển đổi số đợt {n}", "urgency": "normal",
            "confidentiality": "none", "signer_id": str(world.leader_id), "signing_authority": "TM.",
            "recipient_agencies": str(world.other_agency_id), "file": ("du-thao.pdf", world.draft_pdf)}


def _user(world: Any, n: int) -> dict[str, Any]:
    return {"username": f"corpus.user{n}", "full_name": "Nguyễn Thị Corpus", "agency_id": str(world.agency_id),
            "unit_id": str(world.unit_id), "position_title": "Chuyên viên", "email": "", "phone": "",
            "home_roles": "specialist"}


def _assign(world: Any, n: int) -> dict[str, Any]:
    return {"event": "assign", "target": f"unit:{world.unit_id}", "role": "lead", "due_on": "",
            "instruction": "Giao phòng chủ trì xử lý"}


def _transition(world: Any, n: int) -> dict[str, Any]:
    return {"event": "no-such-event", "reason": "Lý do thử"}


def _workfile(world: Any, n: int) -> dict[str, Any]:
    return {"title": f"Hồ sơ thử {n}", "file_notation": f"{n:02d}.TCCB", "retention": "10 năm", "rights": "Hạn chế",
            "description": ""}


def _version(world: Any, n: int) -> dict[str, Any]:
    return {"kind": "version", "note": "Sửa lỗi chính tả", "file": ("du-thao-sua.pdf", world.draft_pdf)}


def _import(world: Any, n: int) -> dict[str, Any]:
    return {"kind": "users", "file": ("nguoi-dung.csv", CSV_HEADER)}


def _add_document(world: Any, n: int) -> dict[str, Any]:
    return {"kind": "incoming", "document_id": world.docs.get("registered", 1)}


def _search(world: Any, n: int) -> dict[str, Any]:
    return {"q": "chuyển đổi số"}


def _login(world: Any, n: int) -> dict[str, Any]:
    return {"username": "khong.ton.tai", "password": "sai-mat-khau", "next": "/"}


CLERK, LEADER, SPECIALIST, ADMIN = ("vanthu.xanghiphong", "lanhdao.xanghiphong", "chuyenvien.xanghiphong",
                                    "quantri.xanghiphong")
_ID_PATHS = (  # (path, actor)
    *((path, CLERK) for path in (
        "/incoming/{value}", "/outgoing/{value}", "/api/v1/incoming/{value}", "/api/v1/outgoing/{value}",
        "/incoming/{value}/slip", "/incoming/{value}/file", "/outgoing/{value}/file", "/work-files/{value}",
        "/api/v1/work-files/{value}", "/api/v1/work-files/{value}/export.pdf", "/api/v1/file-catalogues/{value}",
        "/copies/{value}/file", "/copies/of/incoming/{value}", "/api/v1/exchange/receipts/{value}")),
    *((path, LEADER) for path in (
        "/statistics/agencies/{value}", "/api/v1/statistics/agencies/{value}",
        "/api/v1/reports/agencies/{value}/incoming-handling")),
    ("/admin/users/{value}/edit", ADMIN), ("/admin/agencies/{value}", ADMIN),
)
_INTAKE_TABLES = ("incoming_document", "stored_file", "incoming_attachment")
_DRAFT_TABLES = ("outgoing_document", "stored_file", "outgoing_version")

ENDPOINTS = (
    Endpoint("login", "POST", "/login", None, "form", {"username": "text", "password": "text"}, _login,
             ("user_account",)),
    Endpoint("intake", "POST", "/incoming/new", CLERK, "multipart",
             {"summary": "text", "code_notation": "text", "issuer_name": "text", "signer_name": "text",
              "description": "text", "document_type_id": "id", "issuer_agency_id": "id", "issued_on": "date",
              "reply_by_on": "date", "file": "file"},
             _intake, _INTAKE_TABLES),
    Endpoint("api-intake", "POST", "/api/v1/incoming", CLERK, "multipart",
             {"summary": "text", "document_type_id": "id", "issued_on": "date", "file": "file"}, _intake,
             _INTAKE_TABLES, page="/incoming/{id}"),
    Endpoint("outgoing-draft", "POST", "/outgoing/new", SPECIALIST, "multipart",
             {"summary": "text", "document_type_id": "id", "signer_id": "id", "recipient_agencies": "id",
              "reply_by_on": "date", "file": "file"},
             _draft, _DRAFT_TABLES),
    Endpoint("api-outgoing-draft", "POST", "/api/v1/outgoing", SPECIALIST, "multipart",
             {"summary": "text", "signer_id": "id", "file": "file"}, _draft, _DRAFT_TABLES, page="/outgoing/{id}"),
    Endpoint("outgoing-version", "POST", "/outgoing/{doc}/files", SPECIALIST, "multipart",
             {"note": "text", "file": "file"}, _version, ("stored_file", "outgoing_version"), arrange="draft"),
    Endpoint("assign", "POST", "/incoming/{doc}/assign", LEADER, "form",
             {"instruction": "text", "target": "id", "due_on": "date"}, _assign, ("assignment",),
             arrange="submitted", fresh=True, wrap=lambda name, value: b"unit:" + value if name == "target" else value),
    Endpoint("seal-image", "POST", "/outgoing/images/seal", CLERK, "multipart", {"image": "png", "size_mm": "id"},
             lambda world, n: {"size_mm": "40", "image": ("con-dau.png", world.seal_png)},
             ("signing_image", "stored_file")),
    Endpoint("signature-image", "POST", "/outgoing/images/signature", LEADER, "multipart", {"image": "png"},
             lambda world, n: {"image": ("chu-ky.png", world.seal_png)}, ("signing_image", "stored_file")),
    Endpoint("admin-import", "POST", "/admin/import", ADMIN, "multipart", {"kind": "text", "file": "csv"}, _import,
             ("user_account", "role_grant", "agency", "unit")),
    Endpoint("admin-user", "POST", "/admin/users/new", ADMIN, "form",
             {"full_name": "text", "position_title": "text", "agency_id": "id", "unit_id": "id"}, _user,
             ("user_account", "role_grant")),
    Endpoint("search", "GET", "/search", CLERK, "query",
             {"q": "query-text", "issuer": "query-text", "range": "range", "type": "id", "cursor": "cursor"}, _search),
    Endpoint("api-search", "GET", "/api/v1/search", CLERK, "query",
             {"q": "query-text", "signer": "query-text", "range": "range", "type": "id", "cursor": "cursor"},
             _search),
    Endpoint("statistics", "GET", "/statistics", LEADER, "query", {"range": "range"}),
    Endpoint("api-statistics", "GET", "/api/v1/statistics", LEADER, "query", {"range": "range"}),
    Endpoint("api-reports-compliance", "GET", "/api/v1/reports/compliance", LEADER, "query", {"range": "range"}),
    Endpoint("exchange-dashboard", "GET", "/exchange/dashboard", LEADER, "query", {"range": "range", "agency": "id"}),
    Endpoint("copies-register", "GET", "/copies", CLERK, "query", {"year": "lenient-id", "after": "lenient-id"}),
    Endpoint("incoming-register", "GET", "/incoming/book", CLERK, "query", {"range": "range"}),
    Endpoint("outgoing-register", "GET", "/outgoing/book", CLERK, "query", {"range": "range"}),
    Endpoint("incoming-register-csv", "GET", "/incoming/book.csv", CLERK, "query", {"range": "range"}),
    *(Endpoint(f"path{path.replace('/', '-').replace('{value}', 'ID')}", "GET", path, actor, "path",
               {"value": "id"}) for path, actor in _ID_PATHS),
    Endpoint("api-incoming-transition", "POST", "/api/v1/incoming/{doc}/transitions", CLERK, "json",
             {"reason": "json-text", "event": "json-text", "body": "json-body"}, _transition, ("incoming_event",),
             arrange="registered"),
    Endpoint("api-outgoing-transition", "POST", "/api/v1/outgoing/{doc}/transitions", SPECIALIST, "json",
             {"reason": "json-text", "body": "json-body"}, _transition, ("outgoing_event",), arrange="draft"),
    Endpoint("api-incoming-assignments", "POST", "/api/v1/incoming/{doc}/assignments", LEADER, "json",
             {"instruction": "json-text", "body": "json-body"},
             lambda world, n: {"assignees": [{"role": "lead", "unit_id": world.unit_id}], "instruction": "Giao"},
             ("assignment",), arrange="submitted", fresh=True),
    Endpoint("api-workfile-open", "POST", "/api/v1/work-files", SPECIALIST, "json",
             {"title": "json-text", "description": "json-text", "catalogue_item_id": "json-id",
              "start_date": "json-date", "settlement_date": "json-date", "body": "json-body"},
             _workfile, ("work_file",)),
    Endpoint("api-workfile-add", "POST", "/api/v1/work-files/{doc}/documents", SPECIALIST, "json",
             {"kind": "json-text", "document_id": "json-id", "body": "json-body"}, _add_document,
             ("work_file_document",), arrange="workfile"),
    Endpoint("api-catalogue", "POST", "/api/v1/file-catalogues", CLERK, "json",
             {"year": "json-id", "decision_no": "json-text", "body": "json-body"},
             lambda world, n: {"year": 2026}, ("file_catalogue",)),
)

_VALUES = {"text": TEXT, "query-text": QUERY_TEXT, "json-text": TEXT, "id": ID, "lenient-id": LENIENT_ID, "date": DATE,
           "range": RANGE, "file": FILE, "png": PNG, "csv": CSV, "cursor": CURSOR, "json-body": JSON_BODY,
           "json-id": JSON_ID, "json-date": JSON_DATE}


@dataclass(frozen=True, slots=True)
class Case:
    endpoint: Endpoint
    field: str
    kind: str
    hostile: Hostile

    @property
    def id(self) -> str:
        return f"{self.endpoint.name}:{self.field}:{self.hostile.id}"


def cases() -> list[Case]:
    """Every endpoint × field × hostile value of the field's kind, in table order."""
    return [Case(endpoint, name, kind, hostile)
            for endpoint in ENDPOINTS for name, kind in endpoint.fields.items() for hostile in _VALUES[kind]]
