"""The exchange dashboard (issue 13 item 9) over a hand-built exchange (``dashboard_dataset.py``), through HTTP.

Numbers per partner (sent, received, office hours to 01/03/06, late and missing acknowledgements,
rejections with reasons), the drill-down, the statistics scope (404 outside it, 403 without a
role, 422 for a malformed parameter), the page and its htmx fragment, and the exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests import factories
from tests.integration.exchange.dashboard_dataset import (
    B_LOCAL_NAME,
    MONTH,
    REASON_A,
    REASON_B,
    UNKNOWN_CODE,
    World,
    build,
)

pytestmark = pytest.mark.anyio

Login = Callable[..., Awaitable[Any]]
Client = AsyncTestClient[Litestar]


@pytest.fixture
async def world(db_sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    async with db_sessionmaker() as db:
        built = await build(db)
        await db.commit()
        return built


def _timing(row: dict[str, Any], name: str) -> tuple[Any, Any, Any]:
    value = row[name]
    return value["count"], value["median_hours"], value["p90_hours"]


async def _rows(client: Client, query: str = "") -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    response = await client.get(f"/api/v1/exchange/dashboard?month={MONTH}{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    return {row["key"]: row for row in body["rows"]}, body


async def test_a_clerk_sees_each_partner_of_their_agency(client: Client, login: Login, world: World) -> None:
    await login(client, world.a_clerk.username, factories.PASSWORD)
    rows, body = await _rows(client)
    assert body["freshness"] == "live" and body["hours"] == "office" and body["agency_id"] is None
    assert set(rows) == {f"a{world.b.id}", f"d{world.x.id}", f"c{UNKNOWN_CODE}"}

    x = rows[f"d{world.x.id}"]
    assert (x["name"], x["path"], x["sent"], x["received"]) == ("Bộ Thử Nghiệm X", "axis", 4, 2)
    assert _timing(x, "to_arrived") == (4, 0.2, 0.5)
    assert _timing(x, "to_accepted") == (2, 2.0, 3.5)
    assert _timing(x, "to_done") == (0, None, None)
    # o2 acknowledged the next day; o4 never; o5 sent on a Saturday and acknowledged on Monday is on time.
    assert (x["ack_late"], x["ack_missing"], x["rejected"], x["latest_reasons"]) == (1, 1, 1, [REASON_A])

    b = rows[f"a{world.b.id}"]
    assert (b["name"], b["path"], b["sent"], b["received"]) == (B_LOCAL_NAME, "platform", 1, 1)
    assert (_timing(b, "to_arrived"), _timing(b, "to_accepted"), _timing(b, "to_done")) == (
        (1, 0.0, 0.0), (1, 2.0, 2.0), (1, 17.0, 17.0))
    assert (b["ack_late"], b["ack_missing"], b["rejected"]) == (0, 0, 0)

    unknown = rows[f"c{UNKNOWN_CODE}"]
    assert (unknown["name"], unknown["path"], unknown["sent"], unknown["received"]) == (
        "Sở Ngoại vụ tỉnh Xa", "axis", 0, 1)

    total = body["total"]
    assert (total["sent"], total["received"], total["ack_late"], total["ack_missing"], total["rejected"]) == (
        5, 4, 1, 1, 1)
    assert _timing(total, "to_arrived") == (5, 0.1, 0.5)
    assert _timing(total, "to_accepted") == (3, 2.0, 3.5)


async def test_rejections_drill_down_with_reason_and_document(client: Client, login: Login,
                                                              world: World) -> None:
    await login(client, world.a_clerk.username, factories.PASSWORD)
    body = (await client.get(f"/api/v1/exchange/dashboard/rejections?month={MONTH}")).json()
    assert [(line["partner"], line["reason"], line["outgoing_id"], line["reference"]) for line in body["lines"]] == [
        ("Bộ Thử Nghiệm X", REASON_A, world.o3_id, "3/TN-VP")]
    page = await client.get(f"/exchange/dashboard/rejections?month={MONTH}&partner=d{world.x.id}")
    assert page.status_code == 200
    assert REASON_A in page.text and f'href="/outgoing/{world.o3_id}"' in page.text
    assert REASON_B not in page.text
    none = (await client.get(f"/api/v1/exchange/dashboard/rejections?month={MONTH}&partner=a{world.b.id}")).json()
    assert none["lines"] == []


async def test_the_provincial_office_sees_every_agency_and_filters(client: Client, login: Login,
                                                                   world: World) -> None:
    await login(client, world.province_leader.username, factories.PASSWORD)
    rows, body = await _rows(client)
    x = rows[f"d{world.x.id}"]
    assert (x["sent"], x["rejected"]) == (5, 2)
    assert x["latest_reasons"] == [REASON_B, REASON_A]
    assert (rows[f"a{world.a.id}"]["sent"], rows[f"a{world.a.id}"]["received"]) == (1, 1)
    assert (body["total"]["sent"], body["total"]["received"]) == (7, 5)
    only_a, filtered = await _rows(client, f"&agency={world.a.id}")
    assert filtered["agency_id"] == world.a.id
    assert set(only_a) == {f"a{world.b.id}", f"d{world.x.id}", f"c{UNKNOWN_CODE}"}
    assert only_a[f"d{world.x.id}"]["sent"] == 4
    reasons = (await client.get(f"/api/v1/exchange/dashboard/rejections?month={MONTH}")).json()
    assert [line["reason"] for line in reasons["lines"]] == [REASON_B, REASON_A]
    page = await client.get(f"/exchange/dashboard?month={MONTH}")
    assert page.status_code == 200
    assert f'<option value="{world.a.id}"' in page.text and "Tất cả cơ quan trong phạm vi" in page.text


async def test_another_agency_of_the_province_is_not_found(client: Client, login: Login, world: World) -> None:
    await login(client, world.b_clerk.username, factories.PASSWORD)
    for path in (f"/exchange/dashboard?agency={world.a.id}", f"/api/v1/exchange/dashboard?agency={world.a.id}",
                 f"/exchange/dashboard/rejections?agency={world.a.id}",
                 f"/exchange/dashboard/export.xlsx?agency={world.province.id}"):
        response = await client.get(path)
        assert response.status_code == 404, path
    rows, _body = await _rows(client)
    assert set(rows) == {f"a{world.a.id}", f"d{world.x.id}"}
    assert rows[f"d{world.x.id}"]["latest_reasons"] == [REASON_B]
    reasons = (await client.get(f"/api/v1/exchange/dashboard/rejections?month={MONTH}")).json()
    assert [line["reason"] for line in reasons["lines"]] == [REASON_B]



async def test_an_unrelated_agency_sees_nothing_of_the_province(client: Client, login: Login, world: World) -> None:
    await login(client, world.z_clerk.username, factories.PASSWORD)
    rows, body = await _rows(client)
    assert rows == {} and body["total"]["sent"] == 0
    assert (await client.get(f"/api/v1/exchange/dashboard?agency={world.a.id}")).status_code == 404



async def test_a_specialist_is_forbidden(client: Client, login: Login, world: World) -> None:
    await login(client, world.a_specialist.username, factories.PASSWORD)
    for path in ("/exchange/dashboard", "/api/v1/exchange/dashboard", "/exchange/dashboard/export.csv",
                 "/exchange/dashboard/rejections"):
        assert (await client.get(path)).status_code == 403, path
    assert 'href="/exchange/dashboard"' not in (await client.get("/account")).text


async def test_malformed_parameters_are_refused_in_vietnamese(client: Client, login: Login, world: World) -> None:
    await login(client, world.a_clerk.username, factories.PASSWORD)
    for query, message in (("agency=abc", "Cơ quan không hợp lệ"), ("partner=x1", "Cơ quan đối tác không hợp lệ"),
                           ("month=2026-13", "Tháng không hợp lệ"),
                           ("from=2000-01-01&to=2026-10-01", "Khoảng thời gian quá dài")):
        response = await client.get(f"/api/v1/exchange/dashboard/rejections?{query}")
        assert response.status_code == 422, query
        assert response.json()["title"].startswith(message), query
    page = await client.get("/exchange/dashboard/rejections?partner=zz")
    assert page.status_code == 422 and "Cơ quan đối tác không hợp lệ" in page.text


async def test_page_fragment_and_exports(client: Client, login: Login, world: World) -> None:
    await login(client, world.a_clerk.username, factories.PASSWORD)
    assert 'href="/exchange/dashboard"' in (await client.get("/account")).text
    page = await client.get(f"/exchange/dashboard?month={MONTH}")
    assert page.status_code == 200 and "HX-Request" in page.headers["vary"]
    assert "Theo dõi gửi, nhận văn bản liên thông" in page.text and "giờ làm việc" in page.text
    assert B_LOCAL_NAME in page.text and "Trục liên thông quốc gia" in page.text and REASON_A in page.text
    assert 'name="agency"' not in page.text  # one agency in scope: no filter to choose from
    fragment = await client.get(f"/exchange/dashboard?month={MONTH}",
                                headers={"HX-Request": "true", "HX-Target": "dashboard-rows"})
    assert fragment.text.lstrip().startswith('<section id="dashboard-rows"') and "<html" not in fragment.text

    export = await client.get(f"/exchange/dashboard/export.csv?month={MONTH}")
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert table[0][0] == "Cơ quan đối tác" and len(table) == 1 + 3 + 1
    x_line = next(line for line in table if line[0] == "Bộ Thử Nghiệm X")
    assert x_line[1:6] == ["Trục liên thông quốc gia", "4", "2", "0.2", "0.5"]
    assert x_line[-4:] == ["1", "1", "1", REASON_A]

    workbook = await client.get(f"/exchange/dashboard/export.xlsx?month={MONTH}")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "Sở Thử Nghiệm A" in str(values[0][0]) and values[1][0] == "Cơ quan đối tác"
    x_row = next(row for row in values if row[0] == "Bộ Thử Nghiệm X")
    assert x_row[2:8] == [4, 2, 0.2, 0.5, 2.0, 3.5]
    assert values[-1][0] == "Tổng cộng" and values[-1][2:4] == [5, 4]
