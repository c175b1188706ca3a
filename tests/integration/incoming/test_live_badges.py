"""The navigation badges follow the bell: every ``/live/counts`` refresh carries them (issue 11, item 7)."""

from __future__ import annotations

import re
from datetime import timedelta

from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id, unit_id

CLERK, LEADER, HEAD = "vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong"
HX = {"HX-Request": "true", "HX-Target": "live-counts"}


def badge(html: str, key: str) -> int:
    """The number shown in one navigation badge of a page or fragment (0 when there is none)."""
    match = re.search(rf'<span id="nav-count-{key}" class="nav-count-slot"[^>]*>(.*?)</span></span>|'
                      rf'<span id="nav-count-{key}" class="nav-count-slot"[^>]*></span>', html)
    assert match, f"no {key} badge slot"
    inner = match.group(1) or ""
    number = re.search(r'class="nav-count" aria-hidden="true">(\d+)<', inner)
    return int(number.group(1)) if number else 0


async def test_counts_refresh_carries_every_badge_out_of_band(clients, db_sessionmaker) -> None:
    leader = await clients(LEADER)
    page = (await leader.get("/incoming")).text
    before = badge(page, "incoming")
    assert 'id="nav-count-tasks"' in page  # "Công việc" has its badge slot too

    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303

    fragment = (await leader.get("/live/counts", headers=HX)).text
    assert "<html" not in fragment and 'class="bell"' in fragment
    for key in ("incoming", "outgoing", "tasks"):
        assert f'<span id="nav-count-{key}" class="nav-count-slot" hx-swap-oob="true">' in fragment
    assert badge(fragment, "incoming") == before + 1


async def test_tasks_badge_counts_the_actors_live_assignments(clients, db_sessionmaker, demo) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    leader = await clients(LEADER)
    agency = await demo.agency_id("000.01.21.H41")
    lead_unit = await unit_id(db_sessionmaker, agency, "ĐCXD")
    head = await clients(HEAD)
    before = badge((await head.get("/live/counts", headers=HX)).text, "tasks")
    response = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}"], "role": ["lead"],
        "due_on": [(clock.today() + timedelta(days=10)).isoformat()],
        "instruction": "Đề nghị xử lý.", "classification": "needs_reply",
        "reply_by_on": (clock.today() + timedelta(days=15)).isoformat()})
    assert response.status_code == 303, response.text[:2000]
    after = (await head.get("/live/counts", headers=HX)).text
    assert badge(after, "tasks") == before + 1
    assert badge((await head.get("/tasks")).text, "tasks") == before + 1
