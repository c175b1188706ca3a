"""A finished urgent document is no longer pinned above pending ones in "Tất cả" (issue 11, minor).

Lists order by urgency first; the urgency counts only while something is still to be done, so a
Hỏa tốc document returned to its sender drops below a pending ordinary one.
"""

from __future__ import annotations

from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id

CLERK = "vanthu.xanghiphong"


async def test_a_finished_urgent_document_drops_below_pending_ones(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_type = await type_id(db_sessionmaker, "cong_van")
    urgent = doc_id_from(await intake(clerk, intake_fields(doc_type, code_number="91", urgency="hoa_toc"), make_pdf(1)))
    ordinary = doc_id_from(await intake(clerk, intake_fields(doc_type, code_number="92"), make_pdf(1)))

    def order(text: str) -> list[int]:
        positions = {doc: text.find(f'href="/incoming/{doc}"') for doc in (urgent, ordinary)}
        assert all(p >= 0 for p in positions.values()), positions
        return sorted(positions, key=positions.__getitem__)

    assert order((await clerk.get("/incoming?inbox=all")).text) == [urgent, ordinary]  # pending: pinned first
    returned = await post_form(clerk, f"/incoming/{urgent}/transition",
                               {"event": "return_to_sender", "reason": "Gửi nhầm cơ quan."})
    assert returned.status_code == 303
    assert order((await clerk.get("/incoming?inbox=all")).text) == [ordinary, urgent]
