"""The bad-input corpus as data: endpoints, their fields and kinds, and the hostile values of each kind.

:func:`cases` crosses them (endpoint × field × hostile value) into the cases ``test_corpus``
runs. A hostile value is *refused* when no correct program could store it (it must get a 4xx), or
*storable* when it is legitimate text that must come back escaped (a 2xx/3xx is then fine, and so
is a 4xx from an ordinary field rule). Adding an endpoint or a value here adds its cases.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from backend.domain.signing.assets import seal_png
from tests.support.incoming import encrypted_pdf, make_pdf

__all__ = ["HTML_PAYLOAD", "Case", "Endpoint", "Hostile", "cases"]

HTML_PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@dataclass(frozen=True, slots=True)
class Hostile:
    """One hostile value: ``value`` is bytes (sent as is) or a structure for JSON bodies."""

    id: str
    value: Any
    refused: bool


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


FILE = (  # (filename, content)
    Hostile("empty", ("trong.pdf", b""), True),
    Hostile("truncated-pdf", ("cat-doi.pdf", _truncated()), True),
    Hostile("not-a-pdf", ("anh.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200), True),
    Hostile("encrypted-pdf", ("ma-hoa.pdf", encrypted_pdf()), True),
    Hostile("empty-filename", ("", make_pdf(1)), True),
    Hostile("dot-dot-name", ("../../../etc/passwd.pdf", make_pdf(1)), False),
    Hostile("300-char-name", ("v" * 296 + ".pdf", make_pdf(1)), False),
)
def _png(width: int, height: int, mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


PNG = (  # (filename, content) of a seal image
    Hostile("decompression-bomb-20000px", ("con-dau.png", _png(20_000, 20_000)), True),
    Hostile("empty", ("con-dau.png", b""), True),
    Hostile("truncated", ("con-dau.png", seal_png("Ủy ban nhân dân xã Nghi Phong")[:300]), True),
    Hostile("jpeg-named-png", ("con-dau.png", b"\xff\xd8\xff\xe0" + b"\0" * 300), True),
    Hostile("opaque-rgb", ("con-dau.png", _png(400, 400, "RGB")), True),
    Hostile("1x1", ("con-dau.png", _png(1, 1, "RGBA")), True),
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


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of the corpus.

    ``body`` is ``form`` (urlencoded), ``multipart``, ``json``, ``query`` or ``path``; ``path`` may hold
    ``{doc}`` (an arranged document of ``arrange``) and, for ``body="path"``, ``{value}``.
    ``base(world, n)`` gives valid values for every field (``n`` makes them unique per case).
    ``fields`` maps each field to its kind: text, id, date, range, file, json-text, json-body.
    ``tables`` are counted before and after a refused case (with the files of the blob store).
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


def _search(world: Any, n: int) -> dict[str, Any]:
    return {"q": "chuyển đổi số"}


def _login(world: Any, n: int) -> dict[str, Any]:
    return {"username": "khong.ton.tai", "password": "sai-mat-khau", "next": "/"}


CLERK, LEADER, SPECIALIST, ADMIN = ("vanthu.xanghiphong", "lanhdao.xanghiphong", "chuyenvien.xanghiphong",
                                    "quantri.xanghiphong")
_ID_PATHS = ("/incoming/{value}", "/outgoing/{value}", "/api/v1/incoming/{value}", "/api/v1/outgoing/{value}",
             "/incoming/{value}/slip", "/admin/users/{value}/edit", "/work-files/{value}",
             "/api/v1/work-files/{value}")

ENDPOINTS = (
    Endpoint("login", "POST", "/login", None, "form", {"username": "text", "password": "text"}, _login,
             ("user_account",)),
    Endpoint("intake", "POST", "/incoming/new", CLERK, "multipart",
             {"summary": "text", "code_notation": "text", "issuer_name": "text", "signer_name": "text",
              "description": "text", "document_type_id": "id", "issuer_agency_id": "id", "issued_on": "date",
              "reply_by_on": "date", "file": "file"},
             _intake, ("incoming_document", "stored_file", "incoming_attachment")),
    Endpoint("outgoing-draft", "POST", "/outgoing/new", SPECIALIST, "multipart",
             {"summary": "text", "document_type_id": "id", "signer_id": "id", "recipient_agencies": "id",
              "reply_by_on": "date", "file": "file"},
             _draft, ("outgoing_document", "stored_file", "outgoing_version")),
    Endpoint("assign", "POST", "/incoming/{doc}/assign", LEADER, "form",
             {"instruction": "text", "target": "id", "due_on": "date"}, _assign, ("assignment",),
             arrange="submitted", fresh=True, wrap=lambda name, value: b"unit:" + value if name == "target" else value),
    Endpoint("seal-image", "POST", "/outgoing/images/seal", CLERK, "multipart", {"image": "png", "size_mm": "id"},
             lambda world, n: {"size_mm": "40", "image": ("con-dau.png", world.seal_png)},
             ("signing_image", "stored_file")),
    Endpoint("admin-user", "POST", "/admin/users/new", ADMIN, "form",
             {"full_name": "text", "position_title": "text", "agency_id": "id", "unit_id": "id"}, _user,
             ("user_account", "role_grant")),
    Endpoint("search", "GET", "/search", CLERK, "query",
             {"q": "query-text", "issuer": "query-text", "range": "range", "type": "id", "cursor": "cursor"}, _search),
    Endpoint("incoming-register", "GET", "/incoming/book", CLERK, "query", {"range": "range"}),
    Endpoint("outgoing-register", "GET", "/outgoing/book", CLERK, "query", {"range": "range"}),
    Endpoint("incoming-register-csv", "GET", "/incoming/book.csv", CLERK, "query", {"range": "range"}),
    *(Endpoint(f"path{path.replace('/', '-').replace('{value}', 'ID')}", "GET", path, CLERK, "path",
               {"value": "id"}) for path in _ID_PATHS),
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
             {"title": "json-text", "description": "json-text", "body": "json-body"}, _workfile, ("work_file",)),
    Endpoint("api-catalogue", "POST", "/api/v1/file-catalogues", CLERK, "json", {"body": "json-body"},
             lambda world, n: {"year": 2026}, ("file_catalogue",)),
)

_VALUES = {"text": TEXT, "query-text": QUERY_TEXT, "json-text": TEXT, "id": ID, "date": DATE, "range": RANGE,
           "file": FILE, "png": PNG, "cursor": CURSOR, "json-body": JSON_BODY}


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
