"""CSV import of agencies, units and users: a thin service over each context's create use case.

For each file: parse and plan the rows (pure, :mod:`.csv_parse`), look up what already exists,
then create each planned row through the owning context — agencies and units through
:mod:`backend.domain.organizations.services`' records, users through
:func:`backend.domain.accounts.admin_users.add_user` — which writes the ``*.created`` audit rows.
Users' passwords are all hashed before the first write, so the slow argon2id work never runs
while the transaction holds a write lock.

Valid rows are imported and bad rows rejected with their reasons (never all-or-nothing); rows
whose key already exists are skipped, so importing the same file twice creates nothing the second
time. ``scope=None`` is the system (seeding, CLI) and is unrestricted; an administrator's scope
limits every referenced agency to their subtree. One ``organizations.csv_imported`` audit row
records the counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import anyio
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.engine import end_reads
from backend.db.models import Agency, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.admin_users import UserRecords, add_user
from backend.domain.admin.records import audit
from backend.domain.admin_import.csv_parse import (
    AgencyRow,
    Plan,
    UnitRow,
    UserRow,
    parse_agency_row,
    parse_unit_row,
    parse_user_row,
    plan_agencies,
    plan_units,
    plan_users,
)
from backend.domain.admin_import.csv_read import (
    AGENCY_COLUMNS,
    AGENCY_REQUIRED,
    MAX_UPLOAD_BYTES,
    UNIT_COLUMNS,
    USER_COLUMNS,
    USER_REQUIRED,
    RejectedRow,
    decode_upload,
    read_csv,
)
from backend.domain.audit.services import RequestMeta
from backend.domain.organizations.policies import scope_ids
from backend.domain.organizations.services import AgencyRecords, UnitRecords, symbol_too_long
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.security import generate_password, hash_password

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ImportKind",
    "ImportReport",
    "RejectedRow",
    "decode_upload",
    "import_agencies_csv",
    "import_units_csv",
    "import_upload",
    "import_users_csv",
    "report_to_session",
    "template_csv",
]

_HASH_CONCURRENCY = 2  # argon2id uses 64 MiB per hash; keep memory bounded on small servers
_CHUNK = 500


class ImportKind(StrEnum):
    """Which CSV format an upload uses."""

    AGENCIES = "agencies"
    UNITS = "units"
    USERS = "users"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Outcome of one import. ``passwords`` lists (username, generated password) once, never stored."""

    created: int
    skipped: int
    rejected: list[RejectedRow] = field(default_factory=list)
    passwords: list[tuple[str, str]] = field(default_factory=list)


async def _in_chunks(
    db: AsyncSession, stmt_for: object, keys: Iterable[str]
) -> list[sa.Row[tuple[object, ...]]]:
    keys = sorted(set(keys))
    rows: list[sa.Row[tuple[object, ...]]] = []
    for start in range(0, len(keys), _CHUNK):
        rows.extend((await db.execute(stmt_for(keys[start : start + _CHUNK]))).all())  # type: ignore[operator]
    return rows


async def _agencies_by_organ_id(db: AsyncSession, organ_ids: Iterable[str]) -> dict[str, tuple[int, bool]]:
    rows = await _in_chunks(
        db,
        lambda chunk: sa.select(Agency.organ_id, Agency.id, Agency.is_active).where(
            Agency.organ_id.in_(chunk)
        ),
        organ_ids,
    )
    return {organ_id: (agency_id, active) for organ_id, agency_id, active in rows}


async def _finish(
    db: AsyncSession,
    kind: ImportKind,
    plan: Plan,
    scope: Actor | None,
    meta: RequestMeta,
    actor_name: str,
    passwords: list[tuple[str, str]] | None = None,
) -> ImportReport:
    report = ImportReport(
        created=len(plan.create), skipped=len(plan.skipped), rejected=plan.rejected, passwords=passwords or []
    )
    await audit(
        db,
        "organizations.csv_imported",
        scope,
        meta,
        object_type="import",
        object_id=kind.value,
        agency_id=scope.agency_id if scope else None,
        actor_name=actor_name,
        detail={
            "kind": kind.value,
            "created": report.created,
            "skipped": report.skipped,
            "rejected": len(report.rejected),
            "rejected_lines": [r.line for r in report.rejected][:200],
        },
    )
    return report


async def import_agencies_csv(
    db: AsyncSession, text: str, *, scope: Actor | None, meta: RequestMeta, actor_name: str = "system"
) -> ImportReport:
    """Import agencies; parents may come later in the file (created in dependency order).

    Raises:
        InvalidInputError: the file itself is unusable (header problems, malformed CSV).
    """
    records, too_wide = read_csv(text, AGENCY_COLUMNS, AGENCY_REQUIRED)
    parsed = [*too_wide, *(parse_agency_row(line, record) for line, record in records)]
    referenced = {
        code for r in parsed if isinstance(r, AgencyRow) for code in (r.organ_id, r.parent_organ_id) if code
    }
    existing = {k: agency_id for k, (agency_id, _) in (await _agencies_by_organ_id(db, referenced)).items()}
    plan = plan_agencies(parsed, existing, await scope_ids(db, scope))
    ids = dict(existing)
    created = AgencyRecords.scoped(db, scope, meta, actor_name)
    for row in plan.create:
        agency = await created.add(
            {
                "organ_id": row.organ_id,
                "name": row.name,
                "abbreviation": row.abbreviation,
                "place_name": row.place_name,
                "level": row.level,
                "parent_id": ids[row.parent_organ_id] if row.parent_organ_id else None,
                "address": row.address,
                "email": row.email,
                "phone": row.phone,
            },
            after={"parent_organ_id": row.parent_organ_id or None},
            source="csv",
            line=row.line,
        )
        ids[row.organ_id] = agency.id
    return await _finish(db, ImportKind.AGENCIES, plan, scope, meta, actor_name)


async def import_units_csv(
    db: AsyncSession, text: str, *, scope: Actor | None, meta: RequestMeta, actor_name: str = "system"
) -> ImportReport:
    """Import units (``agency_organ_id,abbreviation,name``); an existing (agency, abbreviation) is skipped."""
    records, too_wide = read_csv(text, UNIT_COLUMNS, UNIT_COLUMNS)
    parsed = [*too_wide, *(parse_unit_row(line, record) for line, record in records)]
    agencies = await _agencies_by_organ_id(db, {r.agency_organ_id for r in parsed if isinstance(r, UnitRow)})
    organ_of = {agency_id: organ_id for organ_id, (agency_id, _) in agencies.items()}
    existing_rows = (
        await db.execute(
            sa.select(Unit.agency_id, Unit.abbreviation).where(Unit.agency_id.in_(list(organ_of)))
        )
    ).all()
    existing = {(organ_of[agency_id], abbreviation) for agency_id, abbreviation in existing_rows}
    plan = plan_units(parsed, agencies, existing, await scope_ids(db, scope))
    await _reject_long_symbols(db, plan, agencies)
    created = UnitRecords.scoped(db, scope, meta, actor_name)
    for row in plan.create:
        await created.add(
            {"agency_id": agencies[row.agency_organ_id][0], "abbreviation": row.abbreviation, "name": row.name},
            source="csv",
            line=row.line,
        )
    return await _finish(db, ImportKind.UNITS, plan, scope, meta, actor_name)


async def _reject_long_symbols(db: AsyncSession, plan: Plan, agencies: dict[str, tuple[int, bool]]) -> None:
    """Move to ``rejected`` the unit rows whose Công văn symbol would exceed QCVN 102's 30 characters."""
    abbreviations = dict((await db.execute(
        sa.select(Agency.id, Agency.abbreviation).where(Agency.id.in_([a for a, _ in agencies.values()]))
    )).tuples().all())
    keep: list[UnitRow] = []
    for row in plan.create:
        agency_id = agencies[row.agency_organ_id][0]
        problem = await symbol_too_long(db, agency_id, abbreviations[agency_id], [row.abbreviation],
                                        unit_types_only=True)
        if problem is None:
            keep.append(row)
        else:
            plan.rejected.append(RejectedRow(row.line, f"{row.agency_organ_id}/{row.abbreviation}", [problem]))
    plan.create = keep
    plan.rejected.sort(key=lambda r: r.line)


async def _hash_all(passwords: list[str]) -> list[str]:
    hashes = [""] * len(passwords)
    limiter = anyio.Semaphore(_HASH_CONCURRENCY)

    async def work(index: int, password: str) -> None:
        async with limiter:
            hashes[index] = await hash_password(password)

    async with anyio.create_task_group() as group:
        for index, password in enumerate(passwords):
            group.start_soon(work, index, password)
    return hashes


async def import_users_csv(
    db: AsyncSession,
    text: str,
    *,
    scope: Actor | None,
    meta: RequestMeta,
    actor_name: str = "system",
    must_change_password: bool = True,
    demo_passwords: bool = False,
) -> ImportReport:
    """Import users with their roles in their agency; rows without a password get a generated one.

    Generated passwords are returned in the report (once); users created here must change their
    password at first login unless ``must_change_password`` is false (demo seeding). A supplied
    password must pass the password policy, common passwords included, except with
    ``demo_passwords`` (the demo seed's published password). Every
    password is hashed outside any transaction (:func:`~backend.db.engine.end_reads` after the
    look-ups), so callers must not have written in the same transaction before (the seed commits
    after each file); usernames taken by someone else while hashing are skipped.
    """
    records, too_wide = read_csv(text, USER_COLUMNS, USER_REQUIRED)
    parsed = [*too_wide, *(parse_user_row(line, record, common_allowed=demo_passwords) for line, record in records)]
    rows = [r for r in parsed if isinstance(r, UserRow)]
    agencies = await _agencies_by_organ_id(db, {r.agency_organ_id for r in rows})
    organ_of = {agency_id: organ_id for organ_id, (agency_id, _) in agencies.items()}
    unit_rows = (
        await db.execute(
            sa.select(Unit.agency_id, Unit.abbreviation, Unit.id).where(
                Unit.agency_id.in_(list(organ_of)), Unit.is_active.is_(True)
            )
        )
    ).all()
    units = {(organ_of[agency_id], abbreviation): unit_id for agency_id, abbreviation, unit_id in unit_rows}
    taken = await _in_chunks(
        db, lambda chunk: sa.select(User.username).where(User.username.in_(chunk)), (r.username for r in rows)
    )
    plan = plan_users(parsed, agencies, units, {str(name) for (name,) in taken}, await scope_ids(db, scope))
    clear = {row.username: row.password or generate_password() for row in plan.create}
    await end_reads(db)
    hashes = dict(zip(clear, await _hash_all(list(clear.values())), strict=True))
    await _skip_taken_meanwhile(db, plan)
    create: list[UserRow] = plan.create
    passwords = [(row.username, clear[row.username]) for row in create if not row.password]
    created = UserRecords.scoped(db, scope, meta, actor_name)
    for row in create:
        agency_id = agencies[row.agency_organ_id][0]
        await add_user(
            created,
            {
                "username": row.username,
                "full_name": row.full_name,
                "password_hash": hashes[row.username],
                "agency_id": agency_id,
                "unit_id": units.get((row.agency_organ_id, row.unit_abbreviation)),
                "position_title": row.position_title,
                "email": row.email,
                "phone": row.phone,
                "must_change_password": must_change_password,
            },
            [(agency_id, role) for role in row.roles],
            [f"{row.agency_organ_id}:{role.value}" for role in row.roles],
            source="csv",
            line=row.line,
        )
    return await _finish(db, ImportKind.USERS, plan, scope, meta, actor_name, passwords)


async def _skip_taken_meanwhile(db: AsyncSession, plan: Plan) -> None:
    """Move to ``skipped`` the planned users whose username was created while passwords were hashed."""
    taken = await _in_chunks(
        db, lambda chunk: sa.select(User.username).where(User.username.in_(chunk)), (r.username for r in plan.create)
    )
    names = {str(name) for (name,) in taken}
    plan.skipped.extend(row for row in plan.create if row.username in names)
    plan.create = [row for row in plan.create if row.username not in names]


_IMPORTERS = {
    ImportKind.AGENCIES: import_agencies_csv,
    ImportKind.UNITS: import_units_csv,
    ImportKind.USERS: import_users_csv,
}


async def import_upload(
    db: AsyncSession,
    kind: str,
    filename: str | None,
    content_type: str | None,
    data: bytes | None,
    *,
    scope: Actor,
    meta: RequestMeta,
) -> tuple[ImportKind, ImportReport]:
    """Validate an uploaded file of the given ``kind`` and import it with the administrator's scope.

    ``data`` should be read with a limit of ``MAX_UPLOAD_BYTES + 1`` so oversize files are detected.

    Raises:
        InvalidInputError: unknown kind, no file, too large, not CSV/UTF-8, or a bad header
            (field errors ``kind``/``file``, or a file-level message).
    """
    errors: dict[str, str] = {}
    try:
        import_kind = ImportKind(kind)
    except ValueError:
        errors["kind"] = t("import.kind.invalid")
    if data is None or not filename:
        errors["file"] = t("import.file.missing")
    if errors:
        raise InvalidInputError(field_errors=errors)
    text = decode_upload(data or b"", filename, content_type)
    report = await _IMPORTERS[import_kind](db, text, scope=scope, meta=meta, actor_name=scope.username)
    return import_kind, report


def report_to_session(kind: ImportKind, report: ImportReport) -> dict[str, object]:
    """A JSON-safe form of the report, kept in the session until the report page shows it once."""
    return {
        "kind": kind.value,
        "created": report.created,
        "skipped": report.skipped,
        "rejected": [[r.line, r.key, r.reasons] for r in report.rejected],
        "passwords": [list(pair) for pair in report.passwords],
    }


def template_csv(kind: ImportKind) -> str:
    """A CSV template (BOM, header and an example row) that Excel opens with correct diacritics."""
    return "\ufeff" + ",".join(_COLUMNS[kind]) + "\r\n" + _EXAMPLES[kind] + "\r\n"


_COLUMNS = {
    ImportKind.AGENCIES: AGENCY_COLUMNS,
    ImportKind.UNITS: UNIT_COLUMNS,
    ImportKind.USERS: USER_COLUMNS,
}
_EXAMPLES = {
    ImportKind.AGENCIES: "000.03.21.H41,UBND xã Nghi Thạch,UBND,Nghi Thạch,xã,000.00.21.H41,"
    '"xã Nghi Thạch, huyện Nghi Lộc",ubnd.nghithach@nghean.gov.vn,0238 3861 234',
    ImportKind.UNITS: "000.03.21.H41,VP,Văn phòng HĐND và UBND",
    ImportKind.USERS: "vanthu.nghithach,Nguyễn Thị Lan,000.03.21.H41,VP,Văn thư,văn thư,"
    "lan.nt@nghean.gov.vn,0912345678,",
}
