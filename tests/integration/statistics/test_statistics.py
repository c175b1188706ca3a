"""Statistics, drill-down, reports and scope over a hand-built dataset (``dataset.py``), through HTTP."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import factories
from tests.integration.statistics.dataset import EXPECTED_INCOMING, EXPECTED_OUTGOING, MONTH, World, build

pytestmark = pytest.mark.anyio

Login = Callable[..., Awaitable[Any]]


@pytest.fixture
async def world(db_sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    async with db_sessionmaker() as db:
        built = await build(db)
        await db.commit()
        return built


async def test_figures_of_every_agency_in_the_province(client: AsyncTestClient[Litestar], login: Login,
                                                      world: World) -> None:
    await login(client, world.province_leader.username, factories.PASSWORD)
    response = await client.get(f"/api/v1/statistics?month={MONTH}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["freshness"] == "live" and body["computed_at"]
    assert body["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    by_id = {row["agency_id"]: row for row in body["agencies"]}
    assert set(by_id) == {world.province.id, world.district.id, world.commune.id}
    commune = by_id[world.commune.id]
    assert commune["incoming"] == EXPECTED_INCOMING
    assert commune["outgoing"] == EXPECTED_OUTGOING
    assert by_id[world.province.id]["incoming"]["received"] == 1
    assert by_id[world.district.id]["outgoing"]["issued"] == 0
    assert body["total"]["incoming"]["received"] == 6
    assert 'href="/statistics"' in (await client.get("/account")).text


async def test_drill_down_agency_unit_person_documents(client: AsyncTestClient[Litestar], login: Login,
                                                       world: World) -> None:
    await login(client, world.district_leader.username, factories.PASSWORD)
    detail = (await client.get(f"/api/v1/statistics/agencies/{world.commune.id}?month={MONTH}")).json()
    assert detail["figures"]["incoming"] == EXPECTED_INCOMING
    unit = next(row for row in detail["units"] if row["id"] == world.unit.id)
    assert (unit["lines"], unit["on_time"], unit["overdue"], unit["late"]) == (2, 1, 1, 0)
    person = next(row for row in detail["people"] if row["id"] == world.specialist.id)
    assert (person["lines"], person["on_time"], person["overdue"]) == (2, 1, 1)
    lines = (await client.get(
        f"/api/v1/statistics/agencies/{world.commune.id}/people/{world.specialist.id}?month={MONTH}")).json()
    assert [line["status"] for line in lines["lines"]] == ["on_time", "overdue"]
    for path in (f"/statistics/agencies/{world.commune.id}", f"/statistics/agencies/{world.commune.id}/units/"
                 f"{world.unit.id}", f"/statistics/agencies/{world.commune.id}/people/{world.specialist.id}"):
        page = await client.get(f"{path}?month={MONTH}")
        assert page.status_code == 200, path
        assert "Trần Thị Chuyên" in page.text


async def test_compliance_report_ranks_and_names(client: AsyncTestClient[Litestar], login: Login,
                                                 world: World) -> None:
    await login(client, world.province_leader.username, factories.PASSWORD)
    body = (await client.get(f"/api/v1/reports/compliance?month={MONTH}")).json()
    rows = {row["agency_id"]: row for row in body["rows"]}
    commune = rows[world.commune.id]
    assert (commune["received_electronic"], commune["received_paper"], commune["issued_electronic"],
            commune["issued_paper_only"], commune["issued_unsigned"], commune["paper_copy_unneeded"],
            commune["paper_copy_missing"], commune["registered_late"], commune["issued_late"]) == (
                4, 1, 3, 1, 1, 1, 1, 2, 1)
    assert commune["score"] == 44.4
    assert rows[world.province.id]["score"] == 100.0 and rows[world.province.id]["rank"] == 1
    assert rows[world.district.id]["score"] is None and rows[world.district.id]["rank"] == 3
    assert body["paper_only"] == body["unsigned"] == body["unneeded_paper"] == [world.commune.name]
    page = await client.get(f"/reports/compliance?month={MONTH}")
    assert page.status_code == 200
    assert "<svg" in page.text and "Chỉ gửi giấy" in page.text and world.commune.name in page.text
    xlsx = await client.get(f"/reports/compliance.xlsx?month={MONTH}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    stats = await client.get(f"/statistics/export.xlsx?month={MONTH}")
    assert stats.status_code == 200 and stats.content[:2] == b"PK"


async def test_handling_reports(client: AsyncTestClient[Litestar], login: Login, world: World) -> None:
    await login(client, world.commune_leader.username, factories.PASSWORD)
    incoming = (await client.get(f"/api/v1/reports/agencies/{world.commune.id}/incoming-handling?month={MONTH}"))
    assert incoming.status_code == 200
    assert [line["status"] for line in incoming.json()["lines"]] == [None, "on_time", "late", None, "overdue"]
    outgoing = (await client.get(f"/api/v1/reports/agencies/{world.commune.id}/outgoing-handling?month={MONTH}"))
    assert [(line["recipients"], line["paper_copy"] != "") for line in outgoing.json()["lines"]] == [
        (1, False), (1, True), (1, True), (1, True)]
    for path in ("/reports/incoming-handling", "/reports/outgoing-handling"):
        page = await client.get(f"{path}?month={MONTH}")
        assert page.status_code == 200 and "BÁO CÁO TÌNH HÌNH XỬ LÝ" in page.text
        export = await client.get(f"{path}.xlsx?month={MONTH}")
        assert export.status_code == 200 and export.content[:2] == b"PK"


async def test_outside_the_scope_is_not_found(client: AsyncTestClient[Litestar], login: Login,
                                              world: World) -> None:
    await login(client, world.district_leader.username, factories.PASSWORD)
    for path in (f"/statistics/agencies/{world.province.id}", f"/api/v1/statistics/agencies/{world.other.id}",
                 f"/statistics/agencies/{world.commune.id}/units/{world.other_unit.id}",
                 f"/statistics/agencies/{world.commune.id}/people/{world.province_leader.id}",
                 f"/reports/incoming-handling?agency={world.province.id}",
                 f"/api/v1/reports/agencies/{world.other.id}/outgoing-handling"):
        response = await client.get(path)
        assert response.status_code == 404, path
    ids = {row["agency_id"] for row in (await client.get(f"/api/v1/statistics?month={MONTH}")).json()["agencies"]}
    assert ids == {world.district.id, world.commune.id}


async def test_without_a_statistics_role_is_forbidden(client: AsyncTestClient[Litestar], login: Login,
                                                      world: World) -> None:
    await login(client, world.specialist.username, factories.PASSWORD)
    assert 'href="/statistics"' not in (await client.get("/account")).text
    assert (await client.get("/statistics")).status_code == 403
    assert (await client.get("/api/v1/reports/compliance")).status_code == 403
    assert (await client.get(f"/api/v1/statistics/agencies/{world.commune.id}")).status_code == 404


async def test_bad_periods_are_refused_in_vietnamese(client: AsyncTestClient[Litestar], login: Login,
                                                     world: World) -> None:
    await login(client, world.province_leader.username, factories.PASSWORD)
    century = await client.get("/api/v1/statistics?from=1926-01-01&to=2026-12-31")
    assert century.status_code == 422
    assert "tối đa 366 ngày" in century.json()["title"]
    page = await client.get("/reports/compliance?from=1926-01-01&to=2026-12-31")
    assert page.status_code == 422 and "tối đa 366 ngày" in page.text
    assert (await client.get("/api/v1/statistics?month=2026-13")).status_code == 422
    assert (await client.get("/statistics?from=hôm-qua")).status_code == 422


async def test_openapi_schema_describes_statistics_and_reports(client: AsyncTestClient[Litestar]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/statistics", "/api/v1/statistics/agencies/{agency_id}",
                 "/api/v1/statistics/agencies/{agency_id}/people/{user_id}", "/api/v1/reports/compliance",
                 "/api/v1/reports/agencies/{agency_id}/incoming-handling",
                 "/api/v1/reports/agencies/{agency_id}/outgoing-handling"):
        assert path in schema["paths"], path
    assert "ApiCompliance" in str(schema["components"]["schemas"])


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True,
                          text=True, check=True)
    return unicodedata.normalize("NFC", done.stdout)


async def test_compliance_report_as_a_pdf_fit_to_print(client: AsyncTestClient[Litestar], login: Login,
                                                      world: World, tmp_path: Path) -> None:
    await login(client, world.district_leader.username, factories.PASSWORD)
    page = await client.get(f"/reports/compliance?month={MONTH}")
    assert 'href="/reports/compliance.pdf?from=2026-10-01&amp;to=2026-10-31"' in page.text
    for path in ("/reports/compliance.pdf", "/api/v1/reports/compliance.pdf"):
        response = await client.get(f"{path}?month={MONTH}")
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/pdf"
        assert "attachment" in response.headers["content-disposition"]
        info = _poppler("pdfinfo", response.content, tmp_path)
        assert "841.89 x 595.28 pts (A4)" in info and "tháng 10/2026" in info  # landscape, titled with the period
        assert len(PdfReader(io.BytesIO(response.content)).pages) >= 1  # a second reader opens it too
        text = _poppler("pdftotext", response.content, tmp_path, "-layout")
        assert world.district.name.upper() in text and "BÁO CÁO TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ" in text
        assert "Tháng 10/2026 · 2 cơ quan" in text
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        # the ranked table: the same figures as the API's report (and the page's)
        assert f"1 {world.commune.name} 4 1 3 1 1 1 1 2 1 44.4" in lines
        assert f"2 {world.district.name} 0 0 0 0 0 0 0 0 0" in lines  # no documents: no score, last
        assert "Cơ quan có điểm thấp nhất" in text and "44.4%" in text  # the chart of the lowest scores
        assert f"Còn gửi văn bản chỉ bằng giấy: {world.commune.name}" in " ".join(lines)
    own = await client.get(f"/api/v1/reports/compliance.pdf?month={MONTH}&agency={world.commune.id}")
    assert world.district.name not in _poppler("pdftotext", own.content, tmp_path)
    for path in ("/reports/compliance", "/reports/compliance.pdf", "/reports/compliance.xlsx",
                 "/api/v1/reports/compliance", "/api/v1/reports/compliance.pdf"):
        for agency in (world.province.id, world.other.id):
            response = await client.get(f"{path}?month={MONTH}&agency={agency}")
            assert response.status_code == 404, (path, agency)
    schema = (await client.get("/schema/openapi.json")).json()
    responses = schema["paths"]["/api/v1/reports/compliance.pdf"]["get"]["responses"]
    assert "application/pdf" in responses["200"]["content"]
