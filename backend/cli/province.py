"""``generate-province --documents N``: a realistic province for measuring (issue 12).

One province (UBND tỉnh), 20 departments, 10 districts and 150 communes, about 6,000 users with
the demo's account pattern (``<role>.<agency>``, password ``congvan2026``, hashed once), and N
incoming documents over the last year, skewed so that the province's own office (``vanthu.tinh``)
receives about 30% of them (``--days N``: over the last N days instead, e.g. a month of 80,000 for
the statistics benchmark). Documents are spread across every state and urgency, with the
assignments, history, notifications and audit rows the app would have written, plus outgoing
documents with their recipients.

Invariants the app relies on, kept here:

* arrival numbers run 1, 2, 3… per agency and year in reception order, and ``arrival_counter``
  holds the last one, so the next document the clerk registers gets the next number;
* states match their timestamps and assignments (a submitted document has no assignment, an
  assigned one has a pending lead, an in-progress one a unit assignment handed to a specialist);
* every row belongs to one agency: assignees, assigners and notified users are of that agency;
* the audit rows form a valid hash chain (``verify-audit`` passes);
* ids are explicit and the sequences are moved past them afterwards.

Rows are loaded with :class:`~backend.cli.bulk.BulkLoader` (COPY on PostgreSQL, executemany on
SQLite) in one transaction, on a migrated database without agencies.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from backend.cli.bulk import BulkLoader
from backend.cli.seed import DEMO_PASSWORD
from backend.config.settings import Settings
from backend.db.engine import create_engine
from backend.db.models import (
    Agency,
    ArrivalCounter,
    Assignment,
    AuditEvent,
    DocumentType,
    DocumentTypeCategory,
    IncomingDocument,
    IncomingEvent,
    Notification,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingRecipient,
    OutgoingVersion,
    RoleGrant,
    StoredFile,
    Unit,
    User,
)
from backend.domain.audit.services import GENESIS_HASH, row_hash
from backend.domain.documents.files import blob_store
from backend.domain.outgoing.numbering import SHARED_SERIES
from backend.domain.signing.samples import outgoing_draft_pdf
from backend.lib.clock import VN_TZ
from backend.lib.security import hash_password
from backend.lib.text import fold

__all__ = ["ProvinceReport", "generate_province", "generate_province_into"]

_PROVINCE = "Nghệ An"
_DEPARTMENTS = [
    ("snv", "Sở Nội vụ"), ("stc", "Sở Tài chính"), ("skhdt", "Sở Kế hoạch và Đầu tư"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"), ("sgtvt", "Sở Giao thông vận tải"),
    ("sxd", "Sở Xây dựng"), ("stnmt", "Sở Tài nguyên và Môi trường"), ("syt", "Sở Y tế"),
    ("sgddt", "Sở Giáo dục và Đào tạo"), ("sldtbxh", "Sở Lao động - Thương binh và Xã hội"),
    ("svhtt", "Sở Văn hóa và Thể thao"), ("sdl", "Sở Du lịch"), ("stttt", "Sở Thông tin và Truyền thông"),
    ("skhcn", "Sở Khoa học và Công nghệ"), ("sct", "Sở Công Thương"), ("stp", "Sở Tư pháp"),
    ("ttt", "Thanh tra tỉnh"), ("sngv", "Sở Ngoại vụ"), ("bdt", "Ban Dân tộc"), ("vpubnd", "Văn phòng UBND tỉnh"),
]
_DISTRICTS = ["Nghi Lộc", "Diễn Châu", "Quỳnh Lưu", "Yên Thành", "Đô Lương", "Thanh Chương", "Nam Đàn",
              "Hưng Nguyên", "Anh Sơn", "Con Cuông"]
_COMMUNE_WORDS = ["Phong", "Thái", "Kim", "Hải", "Sơn", "Long", "Thịnh", "Hòa", "Mỹ", "Xuân", "Trung", "Đông",
                  "Tây", "Nam", "Bắc"]
_UNITS = {
    "province": [("VP", "Văn phòng"), ("TH", "Phòng Tổng hợp"), ("KT", "Phòng Kinh tế"),
                 ("KGVX", "Phòng Khoa giáo - Văn xã"), ("NC", "Phòng Nội chính"), ("CN", "Phòng Công nghiệp")],
    "department": [("VP", "Văn phòng Sở"), ("KHTC", "Phòng Kế hoạch - Tài chính"), ("NV", "Phòng Nghiệp vụ")],
    "district": [("VP", "Văn phòng HĐND và UBND"), ("NV", "Phòng Nội vụ"), ("TCKH", "Phòng Tài chính - Kế hoạch")],
    "commune": [("VPTK", "Văn phòng - Thống kê"), ("ĐCXD", "Địa chính - Xây dựng")],
}
_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
_MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Đức", "Ngọc", "Quang"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Linh", "Mai", "Nam", "Nga", "Phong",
          "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vinh"]
_SUBJECTS = ["triển khai chuyển đổi số", "phòng chống thiên tai", "quyết toán ngân sách", "cải cách hành chính",
             "xây dựng nông thôn mới", "tuyển sinh năm học mới", "an toàn giao thông", "bảo vệ môi trường",
             "phòng chống dịch bệnh", "thu hút đầu tư", "quản lý đất đai", "công tác thi đua khen thưởng"]
_URGENCY = [("normal", 0, 0.85), ("khan", 1, 0.10), ("thuong_khan", 2, 0.04), ("hoa_toc", 3, 0.01)]
_BUSY_SHARE = 0.30
TOTAL_USERS = 6000


@dataclass
class _Agency:
    id: int
    key: str
    level: str
    weight: float
    units: list[int] = field(default_factory=list)
    clerk: int = 0
    leader: int = 0
    deputy: int = 0
    heads: dict[int, int] = field(default_factory=dict)
    specialists: dict[int, list[int]] = field(default_factory=dict)
    file_id: int = 0


@dataclass(frozen=True, slots=True)
class ProvinceReport:
    """How many rows of each kind were created."""

    agencies: int
    users: int
    documents: int
    assignments: int
    notifications: int
    outgoing: int
    audit: int

    def __str__(self) -> str:
        return (f"Province — {self.agencies} agencies, {self.users} users, {self.documents} incoming documents, "
                f"{self.assignments} assignments, {self.notifications} notifications, {self.outgoing} outgoing, "
                f"{self.audit} audit rows")


class _Ids:
    """Explicit primary keys per table."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


class _Builder:
    def __init__(self, documents: int, now: datetime, seed: int, days: int = 365) -> None:
        self.rng = random.Random(seed)
        self.exchange_rng = random.Random(seed + 1)  # line milestones: leaves the main stream as it was
        self.documents = documents
        self.days = days
        self.now = now
        self.ids = _Ids()
        self.agencies: list[_Agency] = []
        self.audit_prev = GENESIS_HASH
        self.counts: dict[str, int] = {}

    # -- organisation ---------------------------------------------------------------------------------

    def agency_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        specs: list[tuple[str, str, str, str, str, int | None, float]] = []
        specs.append(("tinh", f"Ủy ban nhân dân tỉnh {_PROVINCE}", "UBND", "province", "000.00.00.H41", None, 0.0))
        for n, (key, name) in enumerate(_DEPARTMENTS, start=1):
            specs.append((key, f"{name} tỉnh {_PROVINCE}", key.upper()[:20], "department", f"000.00.{n:02d}.H41",
                          1, 4.0))
        for n, district in enumerate(_DISTRICTS, start=1):
            specs.append((f"huyen{n:02d}", f"Ủy ban nhân dân huyện {district}", "UBND", "district",
                          f"000.00.{20 + n:02d}.H41", 1, 3.0))
        for n in range(1, 151):
            home = (n - 1) % len(_DISTRICTS) + 1
            word = _COMMUNE_WORDS[(n - 1) // len(_DISTRICTS)]
            specs.append((f"xa{n:03d}", f"Ủy ban nhân dân xã {_DISTRICTS[home - 1].split()[0]} {word}", "UBND",
                          "commune", f"{n:03d}.{home:02d}.{20 + home:02d}.H41", 1 + 20 + home, 0.5))
        others = sum(weight for *_rest, weight in specs)
        for key, name, abbreviation, level, organ_id, parent, weight in specs:
            agency_id = self.ids.take("agency")
            share = _BUSY_SHARE if level == "province" else (1 - _BUSY_SHARE) * weight / others
            self.agencies.append(_Agency(agency_id, key, level, share))
            rows.append({"id": agency_id, "organ_id": organ_id, "name": name, "abbreviation": abbreviation,
                         "place_name": _PROVINCE if level in ("province", "department") else name.split(" ", 4)[-1],
                         "level": level, "parent_id": parent, "is_active": True, "version": 1,
                         "created_at": self.now, "updated_at": self.now})
        return rows

    def unit_rows(self) -> list[dict[str, Any]]:
        rows = []
        for agency in self.agencies:
            for abbreviation, name in _UNITS[agency.level]:
                unit_id = self.ids.take("unit")
                agency.units.append(unit_id)
                rows.append({"id": unit_id, "agency_id": agency.id, "name": name, "abbreviation": abbreviation,
                             "is_active": True, "version": 1, "created_at": self.now, "updated_at": self.now})
        return rows

    def user_rows(self, password_hash: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        users: list[dict[str, Any]] = []
        grants: list[dict[str, Any]] = []

        def add(agency: _Agency, username: str, title: str, role: str, unit_id: int | None) -> int:
            user_id = self.ids.take("user_account")
            users.append({"id": user_id, "username": username, "full_name": _name(self.rng),
                          "password_hash": password_hash, "agency_id": agency.id, "unit_id": unit_id,
                          "position_title": title, "is_active": True, "must_change_password": False,
                          "failed_logins": 0, "version": 1, "created_at": self.now, "updated_at": self.now})
            grants.append({"id": self.ids.take("role_grant"), "user_id": user_id, "agency_id": agency.id,
                           "role": role, "created_at": self.now, "updated_at": self.now})
            return user_id

        for agency in self.agencies:
            add(agency, f"quantri.{agency.key}", "Quản trị hệ thống", "admin", agency.units[0])
            agency.clerk = add(agency, f"vanthu.{agency.key}", "Văn thư", "clerk", agency.units[0])
            agency.leader = add(agency, f"lanhdao.{agency.key}", "Chủ tịch" if agency.level != "department"
                                else "Giám đốc", "leader", None)
            agency.deputy = add(agency, f"capho.{agency.key}", "Phó Chủ tịch" if agency.level != "department"
                                else "Phó Giám đốc", "deputy", None)
            for n, unit_id in enumerate(agency.units[1:] or agency.units, start=1):
                suffix = "" if n == 1 else str(n)
                agency.heads[unit_id] = add(agency, f"truongphong{suffix}.{agency.key}", "Trưởng phòng",
                                            "unit_head", unit_id)
                agency.specialists[unit_id] = [add(agency, f"chuyenvien{suffix}.{agency.key}", "Chuyên viên",
                                                   "specialist", unit_id)]
        remaining = TOTAL_USERS - len(users)
        for agency in self.agencies:
            extra = int(remaining * agency.weight)
            for n in range(extra):
                unit_id = list(agency.specialists)[n % len(agency.specialists)]
                agency.specialists[unit_id].append(
                    add(agency, f"chuyenvien.{agency.key}.{n + 2}", "Chuyên viên", "specialist", unit_id))
        return users, grants

    def file_rows(self, sha256: str, size: int, pages: int) -> list[dict[str, Any]]:
        rows = []
        for agency in self.agencies:
            agency.file_id = self.ids.take("stored_file")
            rows.append({"id": agency.file_id, "sha256": sha256, "size": size, "content_type": "application/pdf",
                         "filename": "van-ban.pdf", "page_count": pages, "uploaded_by_id": agency.clerk,
                         "created_at": self.now})
        return rows

    # -- documents ------------------------------------------------------------------------------------

    def _audit(self, at: datetime, action: str, actor_id: int, actor_name: str, agency_id: int,
               object_type: str, object_id: int) -> dict[str, Any]:
        row = AuditEvent(id=self.ids.take("audit_event"), at=at, action=action, actor_id=actor_id,
                         actor_name=actor_name, agency_id=agency_id, object_type=object_type,
                         object_id=str(object_id), ip="generate-province", user_agent="", detail="{}",
                         prev_hash=self.audit_prev)
        row.hash = row_hash(self.audit_prev, row)
        self.audit_prev = row.hash
        return {"id": row.id, "at": at, "action": action, "actor_id": actor_id, "actor_name": actor_name,
                "agency_id": agency_id, "object_type": object_type, "object_id": row.object_id,
                "ip": row.ip, "user_agent": "", "detail": "{}", "prev_hash": row.prev_hash, "hash": row.hash}

    def _state_for(self, age_days: float) -> str:
        roll = self.rng.random()
        if age_days < 2:
            return ("received", "registered", "submitted", "assigned", "in_progress")[int(roll * 5)]
        if age_days < 20:
            return ("submitted", "assigned", "in_progress", "in_progress", "completed", "completed",
                    "completed", "returned")[int(roll * 8)]
        if roll < 0.03:
            return "in_progress"  # overdue, still open
        return "returned" if roll < 0.05 else "completed"

    def incoming(self, type_ids: list[int], usernames: dict[int, str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yields ``(table, row)`` in an order that satisfies foreign keys within each table."""
        weights = [agency.weight for agency in self.agencies]
        picks = self.rng.choices(range(len(self.agencies)), weights=weights, k=self.documents)
        span = timedelta(days=self.days).total_seconds()
        moments = sorted(self.now - timedelta(seconds=self.rng.random() * span) for _ in range(self.documents))
        numbers: dict[tuple[int, int], int] = {}
        for index, moment in enumerate(moments):
            agency = self.agencies[picks[index]]
            yield from self._document(agency, moment, type_ids, usernames, numbers)
        for (agency_id, year), last in sorted(numbers.items()):
            yield "arrival_counter", {"agency_id": agency_id, "year": year, "last_number": last}

    def _document(self, agency: _Agency, received: datetime, type_ids: list[int], usernames: dict[int, str],
                  numbers: dict[tuple[int, int], int]) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        doc_id = self.ids.take("incoming_document")
        age = (self.now - received).total_seconds() / 86400
        state = self._state_for(age)
        urgency, priority, _w = rng.choices(_URGENCY, weights=[u[2] for u in _URGENCY])[0]
        local = received.astimezone(VN_TZ)
        registered = state != "received"
        number = None
        if registered:
            key = (agency.id, local.year)
            numbers[key] = number = numbers.get(key, 0) + 1
        step = timedelta(minutes=rng.randint(5, 90))
        issuer = self.agencies[rng.randrange(len(self.agencies))]
        code_number = str(rng.randint(1, 3000))
        notation = f"{'UBND' if issuer.level != 'department' else issuer.key.upper()}-{rng.choice(['VP', 'TH', 'KT'])}"
        subject = rng.choice(_SUBJECTS)
        summary = f"Về việc {subject} năm {local.year}"
        issuer_name = f"Cơ quan {issuer.key}"
        signer = _name(rng)
        open_states = ("assigned", "in_progress")
        due = (local.date() + timedelta(days=rng.randint(5, 30))) if state in (*open_states, "completed") else None
        row = {
            "id": doc_id, "agency_id": agency.id, "state": state, "urgency": urgency, "priority": priority,
            "source": rng.choice(("electronic", "electronic", "paper")), "document_type_id": rng.choice(type_ids),
            "code_number": code_number, "code_notation": notation, "issuer_name": issuer_name,
            "issuer_key": fold(issuer_name), "issuer_agency_id": issuer.id,
            "issued_on": local.date() - timedelta(days=rng.randint(0, 5)), "summary": summary,
            "language": "Tiếng Việt", "page_count": 1, "description": "", "signer_position": "Chủ tịch",
            "signer_name": signer, "file_id": agency.file_id, "due_on": due, "classification": "unclassified",
            "arrival_year": local.year if registered else None, "arrival_number": number, "received_at": received,
            "registered_at": received + step if registered else None,
            "submitted_at": received + 2 * step if state not in ("received", "registered") else None,
            "assigned_at": received + 3 * step if state in (*open_states, "completed") else None,
            "completed_at": received + timedelta(days=rng.randint(1, 10)) if state == "completed" else None,
            "returned_at": received + 2 * step if state == "returned" else None,
            "return_reason": "Văn bản gửi nhầm cơ quan" if state == "returned" else "",
            "result": "", "reply_reference": "", "received_by_id": agency.clerk,
            "registered_by_id": agency.clerk if registered else None,
            "search_text": fold(f"{code_number}/{notation} {issuer_name} {summary} {signer} {number or ''}"),
            "version": 1, "created_at": received, "updated_at": received,
        }
        yield "incoming_document", row
        clerk_name = usernames[agency.clerk]
        yield "incoming_event", {"id": self.ids.take("incoming_event"), "incoming_id": doc_id, "at": received,
                                 "actor_id": agency.clerk, "actor_name": clerk_name, "kind": "receive",
                                 "from_state": None, "to_state": "received", "text": ""}
        yield "audit_event", self._audit(received, "incoming.receive", agency.clerk, clerk_name, agency.id,
                                         "incoming", doc_id)
        if state == "submitted" and rng.random() < 0.5:
            yield "notification", self._notification(agency.leader, row, received + 2 * step, age)
        if state not in (*open_states, "completed"):
            return
        leader = agency.leader if rng.random() < 0.6 else agency.deputy
        unit_id = rng.choice(list(agency.heads))
        live = state in open_states
        lead_id = self.ids.take("assignment")
        handed = state != "assigned" and rng.random() < 0.8
        lead_status = "done" if state == "completed" else ("in_progress" if state == "in_progress" else "pending")
        at = received + 3 * step
        yield "assignment", self._assignment(lead_id, doc_id, None, "lead", unit_id, None, leader, at, due,
                                             lead_status, handed_on=handed)
        yield "notification", self._notification(agency.heads[unit_id], row, at, age)
        if rng.random() < 0.4 and len(agency.heads) > 1:
            other = rng.choice([u for u in agency.heads if u != unit_id])
            yield "assignment", self._assignment(self.ids.take("assignment"), doc_id, None, "coordinate", other,
                                                 None, leader, at, due, "done" if not live else "pending")
            yield "notification", self._notification(agency.heads[other], row, at, age)
        if handed:
            specialist = rng.choice(agency.specialists[unit_id])
            yield "assignment", self._assignment(self.ids.take("assignment"), doc_id, lead_id, "lead", None,
                                                 specialist, agency.heads[unit_id], at + step, due, lead_status)
            yield "notification", self._notification(specialist, row, at + step, age)
        yield "audit_event", self._audit(at, "incoming.assign", leader, usernames[leader], agency.id, "incoming",
                                         doc_id)

    def _assignment(self, assignment_id: int, doc_id: int, parent_id: int | None, role: str, unit_id: int | None,
                    user_id: int | None, by: int, at: datetime, due: date | None, status: str, *,
                    handed_on: bool = False) -> dict[str, Any]:
        return {"id": assignment_id, "incoming_id": doc_id, "parent_id": parent_id, "role": role,
                "handed_on": handed_on, "assignee_unit_id": unit_id, "assignee_user_id": user_id,
                "assigned_by_id": by, "instruction": "",
                "due_on": due, "assigned_at": at, "status": status, "proposal": "",
                "completed_at": at + timedelta(days=2) if status == "done" else None, "version": 1,
                "created_at": at, "updated_at": at}

    def _notification(self, user_id: int, doc: dict[str, Any], at: datetime, age_days: float) -> dict[str, Any]:
        unread = age_days < 7 and self.rng.random() < 0.7
        return {"id": self.ids.take("notification"), "user_id": user_id,
                "title": f"Văn bản {doc['code_number']}/{doc['code_notation']}"[:200], "body": doc["summary"],
                "url": f"/incoming/{doc['id']}", "urgent": doc["priority"] > 0, "created_at": at,
                "read_at": None if unread else at + timedelta(hours=2)}

    def outgoing(self, type_ids: list[int], version_file: dict[int, int]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Issued outgoing documents (a tenth of the incoming count) with two or three agency recipients."""
        count = max(1, self.documents // 10)
        weights = [agency.weight for agency in self.agencies]
        picks = self.rng.choices(range(len(self.agencies)), weights=weights, k=count)
        span = timedelta(days=self.days).total_seconds()
        moments = sorted(self.now - timedelta(seconds=self.rng.random() * span) for _ in range(count))
        numbers: dict[tuple[int, int], int] = {}
        for index, moment in enumerate(moments):
            agency = self.agencies[picks[index]]
            local = moment.astimezone(VN_TZ)
            key = (agency.id, local.year)
            numbers[key] = number = numbers.get(key, 0) + 1
            doc_id = self.ids.take("outgoing_document")
            summary = f"Về việc {self.rng.choice(_SUBJECTS)}"
            notation = "UBND-VP" if agency.level != "department" else f"{agency.key.upper()}-VP"
            yield "outgoing_document", {
                "id": doc_id, "agency_id": agency.id, "state": "issued", "document_type_id": self.rng.choice(type_ids),
                "summary": summary, "urgency": "normal", "priority": 0, "drafter_id": agency.specialists[
                    next(iter(agency.specialists))][0], "signer_id": agency.leader, "signing_authority": "",
                "signer_position": "Chủ tịch", "signer_name": "", "description": "", "main_file_id": agency.file_id,
                "page_count": 1, "layout": "", "series": SHARED_SERIES, "number_year": local.year, "number": number,
                "code_number": str(number), "code_notation": notation, "issued_on": local.date(),
                "signed_at": moment, "registered_at": moment, "sealed_at": moment, "issued_at": moment,
                "registered_by_id": agency.clerk, "paper_copy_required": False, "paper_copy_note": "",
                "recall_reason": "", "search_text": fold(f"{number}/{notation} {summary}"), "version": 1,
                "created_at": moment, "updated_at": moment,
            }
            yield "outgoing_version", {"id": self.ids.take("outgoing_version"), "outgoing_id": doc_id, "ordinal": 1,
                                       "kind": "sealed", "file_id": version_file[agency.id], "note": "",
                                       "created_by_id": agency.clerk, "created_at": moment}
            for target in self.rng.sample(self.agencies, 3):
                if target.id == agency.id:
                    continue
                yield "outgoing_recipient", {
                    "id": self.ids.take("outgoing_recipient"), "outgoing_id": doc_id, "kind": "agency",
                    "recipient_agency_id": target.id, "recipient_unit_id": None, "name": f"Cơ quan {target.key}",
                    "created_at": moment, "updated_at": moment, **self._milestones(moment)}
        for (agency_id, year), last in sorted(numbers.items()):
            yield "outgoing_counter", {"agency_id": agency_id, "year": year, "series": SHARED_SERIES,
                                       "last_number": last}


    def _milestones(self, sent: datetime) -> dict[str, Any]:
        """A line's status and milestones (what the exchange dashboard reads): arrived within two minutes;
        2 % rejected with a reason, 8 % acknowledged a day or two later, the rest within hours; done after days."""
        rng = self.exchange_rng
        arrived = sent + timedelta(seconds=rng.uniform(1, 120))
        draw = rng.random()
        if draw < 0.02:
            returned = arrived + timedelta(hours=rng.uniform(0.5, 5))
            return {"status": "returned", "status_at": returned, "status_note": "Sai thể thức văn bản",
                    "sent_at": sent, "arrived_at": arrived, "accepted_at": None, "done_at": None,
                    "returned_at": returned}
        accepted = arrived + timedelta(hours=rng.uniform(18, 50) if draw < 0.10 else rng.uniform(0.2, 6))
        done: datetime | None = accepted + timedelta(days=rng.uniform(1, 15))
        if accepted > self.now:
            return {"status": "arrived", "status_at": arrived, "status_note": "", "sent_at": sent,
                    "arrived_at": arrived, "accepted_at": None, "done_at": None, "returned_at": None}
        if done is not None and done > self.now:
            done = None
        return {"status": "done" if done else "accepted", "status_at": done or accepted, "status_note": "",
                "sent_at": sent, "arrived_at": arrived, "accepted_at": accepted, "done_at": done,
                "returned_at": None}

_TABLES: dict[str, sa.Table] = {model.__tablename__: cast(sa.Table, model.__table__) for model in (
    Agency, Unit, User, RoleGrant, StoredFile, IncomingDocument, IncomingEvent, Assignment, Notification,
    AuditEvent, ArrivalCounter, OutgoingCounter, OutgoingDocument, OutgoingVersion, OutgoingRecipient)}


async def _load_stream(loader: BulkLoader, stream: Iterator[tuple[str, dict[str, Any]]],
                       order: list[str], chunk: int = 50_000) -> dict[str, int]:
    """Buffer the stream per table and flush in FK order every ``chunk`` documents' worth of rows."""
    buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
    totals = dict.fromkeys(order, 0)

    async def flush() -> None:
        for name in order:
            if buffers[name]:
                totals[name] += await loader.load(_TABLES[name], buffers[name])
                buffers[name] = []

    pending = 0
    for table, row in stream:
        buffers[table].append(row)
        pending += 1
        if pending >= chunk * 4:
            await flush()
            pending = 0
    await flush()
    return totals


async def generate_province_into(conn: AsyncConnection, settings: Settings, documents: int,
                                 seed: int = 2026, days: int = 365) -> ProvinceReport:
    """Generate the province in the caller's transaction (the database must have no agency yet)."""
    if await conn.scalar(sa.select(sa.func.count()).select_from(Agency)):
        raise RuntimeError("generate-province needs a migrated, empty database (agencies already exist)")
    builder = _Builder(documents, datetime.now(UTC).replace(microsecond=0), seed, days)
    last = (await conn.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc())
                               .limit(1))).first()
    if last is not None:  # continue the chain after what the migrations or an operator wrote
        builder.audit_prev = last.hash
        builder.ids._next["audit_event"] = last.id + 1
    loader = BulkLoader(conn)
    pdf = outgoing_draft_pdf()
    blob = await blob_store(settings).put_bytes(pdf)
    password_hash = await hash_password(DEMO_PASSWORD)
    type_ids = list((await conn.scalars(sa.select(DocumentType.id).where(DocumentType.agency_id.is_(None))
                                        .order_by(DocumentType.id))).all())
    shared_series_types = list((await conn.scalars(sa.select(DocumentType.id).where(
        DocumentType.agency_id.is_(None), DocumentType.category != DocumentTypeCategory.LEGAL)
        .order_by(DocumentType.id))).all())
    await loader.load(_TABLES["agency"], builder.agency_rows())
    await loader.load(_TABLES["unit"], builder.unit_rows())
    users, grants = builder.user_rows(password_hash)
    await loader.load(_TABLES["user_account"], users)
    await loader.load(_TABLES["role_grant"], grants)
    await loader.load(_TABLES["stored_file"], builder.file_rows(blob.sha256, blob.size, 1))
    version_files = {}
    extra_files = []
    for agency in builder.agencies:
        version_files[agency.id] = builder.ids.take("stored_file")
        extra_files.append({"id": version_files[agency.id], "sha256": blob.sha256, "size": blob.size,
                            "content_type": "application/pdf", "filename": "van-ban-di.pdf", "page_count": 1,
                            "uploaded_by_id": agency.clerk, "created_at": builder.now})
    await loader.load(_TABLES["stored_file"], extra_files)
    usernames = {row["id"]: row["username"] for row in users}
    incoming = await _load_stream(loader, builder.incoming(type_ids, usernames), [
        "incoming_document", "incoming_event", "assignment", "notification", "audit_event", "arrival_counter"])
    outgoing = await _load_stream(loader, builder.outgoing(shared_series_types, version_files), [
        "outgoing_document", "outgoing_version", "outgoing_recipient", "outgoing_counter"])
    await loader.finish()
    return ProvinceReport(agencies=len(builder.agencies), users=len(users), documents=incoming["incoming_document"],
                          assignments=incoming["assignment"], notifications=incoming["notification"],
                          outgoing=outgoing["outgoing_document"], audit=incoming["audit_event"])


async def generate_province(settings: Settings, documents: int, days: int = 365) -> ProvinceReport:
    """Generate into the database named by ``settings``, commit, and refresh the planner's statistics."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with engine.begin() as conn:
            report = await generate_province_into(conn, settings, documents, days=days)
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            async with engine.connect() as conn:
                await conn.execute(sa.text("ANALYZE"))
                await conn.commit()
    finally:
        await engine.dispose()
    return report
