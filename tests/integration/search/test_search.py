"""Search over the index: the same results on SQLite and PostgreSQL for a Vietnamese corpus (this module runs
in both CI passes with the same expectations), no result across agencies or outside ``visible_*``, bad input,
filters, keyset pages, the PDF text layer, exports, saved searches and the JSON API."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from openpyxl import load_workbook

from backend.db.models import AuditEvent, ContentStatus, SearchEntry
from backend.domain.search.queries import RANK_WINDOW
from backend.worker_app import run_once
from tests.conftest import csrf_from
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK, SPECIALIST, OTHER_CLERK = "vanthu.xanghiphong", "chuyenvien.xanghiphong", "vanthu.xanghithai"

CORPUS = {
    "flood": dict(code_number="901", summary="Về phòng chống lụt bão năm 2026",
                  issuer_name="Sở Nông nghiệp và Phát triển nông thôn", signer_name="Nguyễn Thị Hoa",
                  pdf="Kế hoạch ứng phó thiên tai khẩn cấp"),
    "power": dict(code_number="902", summary="Về việc đóng điện trạm biến áp Đồng Điền",
                  issuer_name="Điện lực Nghi Lộc", signer_name="Đặng Văn Đức", pdf="Lịch cắt điện"),
    "line": dict(code_number="903", summary="Về kiểm tra hành lang đường điện cao thế",
                 issuer_name="Công ty Điện lực Nghệ An", signer_name="Trần Quốc Tuấn", urgency="khan",
                 pdf="Biên bản kiểm tra"),
    "scan": dict(code_number="904", summary="Về quy hoạch sử dụng đất xã Nghi Phong",
                 issuer_name="Phòng Tài nguyên và Môi trường", signer_name="Lê Văn Tám", pdf=None),
}
QUERIES = {
    "lut bao": {"flood"},
    "LỤT BÃO": {"flood"},
    "lụt bao": {"flood"},
    "điện": {"power", "line"},
    "dien": {"power", "line"},
    '"dong dien"': {"power"},
    '"điện dong"': set(),
    "đức": {"power"},
    "ung pho thien tai": {"flood"},  # only in the PDF's text layer
    "quy hoach dat": {"scan"},
    "90": {"flood", "power", "line", "scan"},  # prefix of the numbers
    "lut AND bao OR NOT dien": set(),
    "'; DROP TABLE search_entry; --": set(),
    "x" * 10_000: set(),
}


def scanned_pdf() -> bytes:
    """A page with only a drawing: no text layer, like a scan."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


async def drain(settings: Any, sessions: Any) -> None:
    while await run_once(settings, sessions):
        pass


async def found(client: Any, ids: dict[str, int], query: str, **params: str) -> set[str]:
    response = await client.get("/api/v1/search", params={"q": query, **params})
    assert response.status_code == 200, response.text
    by_id = {doc_id: name for name, doc_id in ids.items()}
    return {by_id.get(item["id"], f"other:{item['id']}") for item in response.json()["items"]
            if item["kind"] == "incoming"}


@pytest.fixture
async def corpus(clients: Any, db_sessionmaker: Any, settings: Any) -> dict[str, int]:
    clerk = await clients(CLERK)
    doc_type = await type_id(db_sessionmaker)
    ids = {}
    for name, spec in CORPUS.items():
        fields = {key: value for key, value in spec.items() if key != "pdf"}
        pdf = make_pdf(1, title=spec["pdf"]) if spec["pdf"] else scanned_pdf()
        ids[name] = doc_id_from(await intake(clerk, intake_fields(doc_type, **fields), pdf))
    other = await clients(OTHER_CLERK)
    ids["other_agency"] = doc_id_from(await intake(other, intake_fields(
        doc_type, code_number="905", summary="Về phòng chống lụt bão tại xã Nghi Thái"), make_pdf(1)))
    await drain(settings, db_sessionmaker)
    return ids


async def test_same_results_for_a_vietnamese_corpus_with_and_without_diacritics(clients, corpus) -> None:
    clerk = await clients(CLERK)
    for query, expected in QUERIES.items():
        assert await found(clerk, corpus, query) == expected, query[:40]


async def test_no_result_crosses_agencies_or_the_lists_scoping(clients, corpus) -> None:
    other = await clients(OTHER_CLERK)
    assert await found(other, corpus, "lut bao") == {"other_agency"}
    assert await found(other, corpus, "dien") == set()
    specialist = await clients(SPECIALIST)  # sees only documents assigned to them
    assert await found(specialist, corpus, "lut bao") == set()
    page = await specialist.get("/search?q=lut+bao")
    assert f"/incoming/{corpus['flood']}" not in page.text and "Không tìm thấy" in page.text


async def test_pdf_text_layer_is_indexed_and_scans_are_marked(clients, corpus, db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        statuses = dict((await db.execute(sa.select(SearchEntry.doc_id, SearchEntry.content_status)
                                          .where(SearchEntry.kind == "incoming"))).all())
    assert statuses[corpus["flood"]] is ContentStatus.TEXT
    assert statuses[corpus["scan"]] is ContentStatus.NO_TEXT_LAYER
    page = await (await clients(CLERK)).get("/search?q=quy+hoach+dat")
    assert "chưa có lớp văn bản" in page.text
    flood = await (await clients(CLERK)).get("/search?q=thien+tai")
    assert "<mark>thiên</mark> <mark>tai</mark>" in flood.text


async def test_bad_input_never_fails(clients, corpus) -> None:
    clerk = await clients(CLERK)
    for query in ("", "   ", '"', "***", "NEAR(", "x" * 10_000, "<script>alert(1)</script>", "%' OR 1=1 --"):
        response = await clerk.get("/search", params={"q": query})
        assert response.status_code == 200, query[:20]
        assert "<script>alert" not in response.text
    assert "Nhập từ cần tìm" in (await clerk.get("/search")).text
    assert "Chưa có từ để tìm" in (await clerk.get("/search?q=***")).text
    response = await clerk.get("/search?q=lut&from=2026-13-45")
    assert response.status_code == 422 and "Ngày không hợp lệ" in response.text
    api = await clerk.get("/api/v1/search?q=")
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")
    assert (await clerk.get("/api/v1/search?q=lut&kind=bogus")).status_code == 422
    assert (await clerk.get("/api/v1/search?q=lut&cursor=zz~1~2")).status_code == 422


async def test_filters_and_a_hundred_year_range(clients, corpus) -> None:
    clerk = await clients(CLERK)
    assert await found(clerk, corpus, "dien", urgency="khan") == {"line"}
    assert await found(clerk, corpus, "dien", signer="dang van duc") == {"power"}
    assert await found(clerk, corpus, "", issuer="dien luc") == {"power", "line"}
    assert await found(clerk, corpus, "lut bao", **{"from": "1950-01-01", "to": "2049-12-31"}) == {"flood"}
    assert await found(clerk, corpus, "lut bao", **{"from": "1950-01-01", "to": "1960-12-31"}) == set()
    assert await found(clerk, corpus, "dien", kind="outgoing") == set()
    assert await found(clerk, corpus, "dien", state="registered") == {"power", "line"}


@pytest.mark.parametrize(("sort", "window"), [("relevance", RANK_WINDOW), ("date", RANK_WINDOW), ("relevance", 2)])
async def test_keyset_pages_cover_every_result_once(clients, corpus, monkeypatch, sort: str, window: int) -> None:
    """Also when there are more matches than the relevance window: the newest ``window`` ranked, then the older
    ones by date (newest first), each once."""
    monkeypatch.setattr("backend.domain.search.queries.PAGE_SIZE", 1)
    monkeypatch.setattr("backend.domain.search.queries.run_search.__defaults__", (1,))
    monkeypatch.setattr("backend.domain.search.queries.run_search.__kwdefaults__", {"window": window})
    clerk = await clients(CLERK)
    seen: list[int] = []
    cursors: list[str] = []
    cursor = ""
    for _ in range(10):
        body = (await clerk.get("/api/v1/search", params={"q": "90", "sort": sort, "cursor": cursor})).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
        cursors.append(cursor[0])
    assert sorted(seen) == sorted(corpus[name] for name in ("flood", "power", "line", "scan"))
    if window == 2:  # ranked within the two newest (same document date: the last registered), then by date
        newest_first = [corpus[name] for name in ("scan", "line", "power", "flood")]
        assert sorted(seen[:2]) == sorted(newest_first[:2]) and seen[2:] == newest_first[2:]
        assert cursors == ["r", "r", "t"]
    else:
        assert cursors == ["d" if sort == "date" else "r"] * 3


async def test_exports_and_saved_searches(clients, corpus, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    response = await clerk.get("/search/export.csv?q=dien&sort=date")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2] == "Số, ký hiệu" and {row[2] for row in rows[1:]} == {"902/UBND-VP", "903/UBND-VP"}
    sheet = load_workbook(io.BytesIO((await clerk.get("/search/export.xlsx?q=dien")).content)).active
    assert sheet["A1"].value.startswith("Kết quả tìm kiếm") and sheet.max_row == 4

    page = await clerk.get("/search?q=dien&urgency=khan")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    saved = await clerk.post("/search/saved", data={"name": "Điện khẩn", "query": "q=dien&urgency=khan",
                                                    "_csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    page = await clerk.get("/search")
    assert "Điện khẩn" in page.text and "q=dien&amp;urgency=khan" in page.text
    other = await clients(OTHER_CLERK)
    assert "Điện khẩn" not in (await other.get("/search")).text
    async with db_sessionmaker() as db:
        actions = set((await db.scalars(sa.select(AuditEvent.action)
                                        .where(AuditEvent.action.like("search.%")))).all())
    assert actions == {"search.saved", "search.exported"}


async def test_html_fragment_and_openapi(client, clients, corpus) -> None:
    clerk = await clients(CLERK)
    fragment = await clerk.get("/search?q=lut", headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert fragment.text.lstrip().startswith('<div id="search-results"')
    assert f'href="/incoming/{corpus["flood"]}"' in fragment.text
    schema = (await client.get("/schema/openapi.json")).json()
    names = {param["name"] for param in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "kind", "urgency", "type", "issuer", "signer", "state", "from", "to", "file", "sort",
            "cursor"} <= names


async def _open_work_file(clerk: Any, title: str, members: list[int]) -> int:
    token = csrf_from((await clerk.get("/work-files/")).text)
    opened = await clerk.post("/work-files/", data={"_csrf_token": token, "title": title, "file_notation": "02.VP",
                                                    "retention": "10 năm"})
    assert opened.status_code == 303, opened.text
    file_id = int(opened.headers["location"].rsplit("/", 1)[1])
    for doc_id in members:
        added = await clerk.post(f"/work-files/{file_id}/add", data={
            "_csrf_token": token, "kind": "incoming", "document_id": str(doc_id)})
        assert added.status_code == 303, added.text
    return file_id


async def _work_files(client: Any, query: str) -> set[int]:
    response = await client.get("/api/v1/search", params={"q": query})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"] if item["kind"] == "workfile"}


async def test_work_files_are_found_and_scope_a_search(clients, corpus) -> None:
    clerk = await clients(CLERK)
    file_id = await _open_work_file(clerk, "Hồ sơ chỉ đạo phòng chống lụt bão năm 2026", [corpus["flood"]])

    # The file itself is a result, found without diacritics, by its notation too, and links to its page.
    assert await _work_files(clerk, "chi dao lut bao") == {file_id}
    assert await _work_files(clerk, "02.VP") == {file_id}
    page = await clerk.get("/search?q=chi+dao+lut+bao", headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert f'href="/work-files/{file_id}"' in page.text and "Hồ sơ" in page.text and "Đang lập" in page.text
    # Only where the lists would show it: a restricted file is not the specialist's, nor another agency's.
    assert await _work_files(await clients(SPECIALIST), "chi dao lut bao") == set()
    other = await clients(OTHER_CLERK)
    assert await _work_files(other, "chi dao lut bao") == set()

    # Searching inside the file: its documents only, and nothing for a file the actor may not read.
    assert await found(clerk, corpus, "lut bao", file=str(file_id)) == {"flood"}
    assert await found(clerk, corpus, "dien", file=str(file_id)) == set()
    assert await found(clerk, corpus, "", file=str(file_id)) == {"flood"}
    assert await found(other, corpus, "lut bao", file=str(file_id)) == set()
    refused = await clerk.get("/api/v1/search", params={"q": "lut", "file": "abc"})
    assert refused.status_code == 422 and "Hồ sơ không hợp lệ." in refused.text
    detail = (await clerk.get(f"/work-files/{file_id}")).text
    assert f'name="file" value="{file_id}"' in detail and "Tìm trong hồ sơ này" in detail
    inside = (await clerk.get(f"/search?file={file_id}&q=lut")).text
    assert "Chỉ tìm trong các văn bản của một hồ sơ" in inside and f'href="/incoming/{corpus["flood"]}"' in inside


async def test_reindex_of_one_kind_finds_work_files_opened_before_the_upgrade(clients, corpus, db_sessionmaker,
                                                                           settings) -> None:
    from backend.cli.search import reindex

    clerk = await clients(CLERK)
    file_id = await _open_work_file(clerk, "Hồ sơ hội nghị tổng kết công tác văn thư", [])
    async with db_sessionmaker() as db:  # as a deployment before work files were indexed
        await db.execute(sa.delete(SearchEntry).where(SearchEntry.kind == "workfile"))
        await db.commit()
    assert await _work_files(clerk, "tong ket van thu") == set()
    report = await reindex(settings, extract=False, kinds=("workfile",))
    assert report.startswith("Search index rebuilt: 1 entries")
    assert await _work_files(clerk, "tong ket van thu") == {file_id}
