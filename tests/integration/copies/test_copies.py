"""Copies end to end with the REAL signing server: sao y, trích sao and sao lục of an agency's documents.

The clerk of Nghi Phong registers an incoming document and copies it through the page's form. Each
copy's PDF passes pyHanko validation (trusted, intact), carries the §11.4 appearance read back
from the file (the copy form, the agency and the ISO 8601 time in the top-right box of page 1),
is numbered in the agency's one yearly series, is listed on the source's "Bản sao" section and in
the register, and wrote an audit row. Then every refusal: wrong role, another agency's document,
a draft, a bad page range, a wrong OTP, a sao lục with no sao y -- nothing stored.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import sqlalchemy as sa
from pypdf import PdfReader

from backend.db.models import Agency, AuditEvent, DocumentCopy, User
from backend.domain.accounts.actor import load_actor
from backend.domain.copies.queries import register_page
from tests.support.copies import copy_widget, text_in, validate_all
from tests.support.incoming import Clients, doc_id_from, intake, intake_fields, make_pdf, post_form, type_id
from tests.support.outgoing import Api, create_draft, ids
from tests.support.signing import SigningEnv

SEAL = "000.01.21.H41"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00")


async def registered(clients: Clients, db_sessionmaker, pages: int = 3) -> int:
    clerk = await clients("vanthu.xanghiphong")
    return doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(pages)))


async def copy(clients: Clients, doc_id: int, otp: str, *, user: str = "vanthu.xanghiphong", source: str = "incoming",
               **fields: str):
    return await post_form(await clients(user), f"/copies/of/{source}/{doc_id}", {"otp": otp, **fields})


async def test_sao_y_trich_sao_sao_luc_signed_with_the_copy_appearance(
        clients: Clients, db_sessionmaker, copy_signing: SigningEnv, tmp_path: Path) -> None:
    doc_id = await registered(clients, db_sessionmaker)
    async with db_sessionmaker() as db:
        abbr = (await db.scalars(sa.select(Agency.abbreviation).where(Agency.organ_id == SEAL))).one()

    made = await copy(clients, doc_id, copy_signing.next_otp(SEAL), kind="sao_y")
    assert made.status_code == 303 and made.headers["location"] == f"/incoming/{doc_id}", made.text[:2000]
    extract = await copy(clients, doc_id, copy_signing.next_otp(SEAL), kind="trich_sao", first_page="2",
                         last_page="3")
    assert extract.status_code == 303, extract.text[:2000]
    of_copy = await copy(clients, doc_id, copy_signing.next_otp(SEAL), kind="sao_luc")
    assert of_copy.status_code == 303, of_copy.text[:2000]

    async with db_sessionmaker() as db:
        rows = list((await db.scalars(sa.select(DocumentCopy).order_by(DocumentCopy.id))).all())
        audits = (await db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "copy.made"))).all()
    assert [(r.kind.value, r.number, r.symbol) for r in rows] == [
        ("sao_y", 1, f"01/SY-{abbr}"), ("trich_sao", 2, f"02/TrS-{abbr}"), ("sao_luc", 3, f"03/SL-{abbr}")]
    assert rows[1].page_count == 2 and (rows[1].first_page, rows[1].last_page) == (2, 3)
    assert rows[2].based_on_id == rows[0].id
    assert [a.object_id for a in audits] == [str(r.id) for r in rows]

    clerk = await clients("vanthu.xanghiphong")
    labels = {"sao_y": "SAO Y", "trich_sao": "TRÍCH SAO", "sao_luc": "SAO LỤC"}
    for row in rows:
        response = await clerk.get(f"/copies/{row.id}/file")
        assert response.status_code == 200
        pdf = response.content
        assert await validate_all(pdf, copy_signing.ca_pem) >= 1
        page, rect, box = copy_widget(pdf)
        # §11.4: top right of the first page, no image, the three lines in the box
        assert page == 0 and rect[2] > box[2] - 60 and rect[3] > box[3] - 40, (rect, box)
        text = text_in(pdf, tmp_path, rect, box)
        assert labels[row.kind.value] in text and "Ủy ban nhân dân xã Nghi Phong" in text and ISO.search(text), text
    assert len(PdfReader(io.BytesIO((await clerk.get(f"/copies/{rows[1].id}/file")).content)).pages) == 2

    section = await clerk.get(f"/copies/of/incoming/{doc_id}", headers={"HX-Request": "true", "HX-Target": "ban-sao"})
    assert section.status_code == 200 and "<html" not in section.text
    assert all(r.symbol in section.text for r in rows)
    assert 'id="ban-sao"' in (await clerk.get(f"/incoming/{doc_id}")).text
    register = await clerk.get("/copies/")
    assert register.status_code == 200 and all(r.symbol in register.text for r in rows)
    assert (await (await clients("chuyenvien.xanghiphong")).get("/copies/")).status_code == 403

    async with db_sessionmaker() as db:
        actor = await load_actor(db, (await db.scalars(sa.select(User.id).where(
            User.username == "vanthu.xanghiphong"))).one(), None)
        assert actor is not None
        first = await register_page(db, actor, rows[0].year, size=2)
        assert [r.number for r in first.rows] == [3, 2] and first.next_cursor == 2
        rest = await register_page(db, actor, rows[0].year, first.next_cursor, size=2)
        assert [r.number for r in rest.rows] == [1] and rest.next_cursor is None


async def test_refusals_store_nothing(clients: Clients, client, db_sessionmaker, settings,
                                      copy_signing: SigningEnv) -> None:
    doc_id = await registered(clients, db_sessionmaker, pages=2)
    specialist = await copy(clients, doc_id, "123456", user="chuyenvien.xanghiphong", kind="sao_y")
    assert specialist.status_code in (403, 404)
    other_agency = await copy(clients, doc_id, copy_signing.next_otp("000.02.21.H41"), user="vanthu.xanghithai",
                              kind="sao_y")
    assert other_agency.status_code == 404
    assert (await (await clients("vanthu.xanghithai")).get(f"/copies/of/incoming/{doc_id}")).status_code == 404

    bad_range = await copy(clients, doc_id, copy_signing.next_otp(SEAL), kind="trich_sao", first_page="2",
                           last_page="5")
    assert bad_range.status_code == 422 and "văn bản có 2 trang" in bad_range.text
    no_sao_y = await copy(clients, doc_id, copy_signing.next_otp(SEAL), kind="sao_luc")
    assert no_sao_y.status_code == 422 and "Chưa có bản sao y" in no_sao_y.text
    wrong = await copy(clients, doc_id, copy_signing.wrong_otp(SEAL), kind="sao_y")
    assert wrong.status_code == 422 and "OTP" in wrong.text

    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    draft = await create_draft(drafter, ids_)
    refused = await copy(clients, draft, copy_signing.next_otp(SEAL), source="outgoing", kind="sao_y")
    assert refused.status_code == 409 and "chưa thể sao" in refused.text

    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(DocumentCopy)) == 0
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "copy.made")) == 0
