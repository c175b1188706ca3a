"""Rows for tests, independent of the demo seed: agencies, units, and users per role and unit.

Each helper adds real model rows through the test's own session and flushes (the caller commits),
with names and codes unique per call, so a test states the people and organisations it relies on
instead of borrowing them from the demo province. Every user's password is :data:`PASSWORD`, so
``await login(client, user.username, PASSWORD)`` logs in through the real form.

    async with db_sessionmaker() as db:
        staff = await factories.staff(db)       # an agency with a unit and one user per role
        await db.commit()
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, AgencyLevel, Role, RoleGrant, Unit, User
from backend.lib.security import hash_password

__all__ = ["PASSWORD", "Staff", "agency", "staff", "unit", "user"]

PASSWORD = "Thu-nghiem-2026"
_serial = itertools.count(1)


_hashes: dict[str, str] = {}


async def _password_hash() -> str:
    """The app's argon2 hash of :data:`PASSWORD`, computed once per test process (~130 ms each)."""
    if PASSWORD not in _hashes:
        _hashes[PASSWORD] = await hash_password(PASSWORD)
    return _hashes[PASSWORD]


async def agency(db: AsyncSession, *, name: str | None = None, level: AgencyLevel = AgencyLevel.COMMUNE,
                 parent: Agency | None = None) -> Agency:
    """A new active agency with a unique organ id (``999.<n>.99.T99``: never a real code)."""
    n = next(_serial)
    row = Agency(organ_id=f"999.{n:03d}.99.T99", name=name or f"Ủy ban nhân dân xã Thử Nghiệm {n}",
                 abbreviation=f"UBTN{n}", place_name=f"Thử Nghiệm {n}", level=level,
                 parent_id=parent.id if parent is not None else None)
    db.add(row)
    await db.flush()
    return row


async def unit(db: AsyncSession, of: Agency, *, name: str | None = None) -> Unit:
    """A new active unit (phòng, ban) of ``of``."""
    n = next(_serial)
    row = Unit(agency_id=of.id, name=name or f"Phòng Thử nghiệm {n}", abbreviation=f"PTN{n}")
    db.add(row)
    await db.flush()
    return row


async def user(db: AsyncSession, of: Agency, *roles: Role, in_unit: Unit | None = None,
               username: str | None = None, full_name: str | None = None) -> User:
    """A new active user of ``of`` holding ``roles`` there (role grants), optionally in a unit."""
    n = next(_serial)
    label = roles[0].value if roles else "user"
    row = User(username=username or f"tn.{label}.{n}", full_name=full_name or f"Người Thử {n}",
               password_hash=await _password_hash(), agency_id=of.id, unit_id=in_unit.id if in_unit else None)
    db.add(row)
    await db.flush()
    db.add_all([RoleGrant(user_id=row.id, agency_id=of.id, role=role) for role in roles])
    await db.flush()
    return row


@dataclass(frozen=True, slots=True)
class Staff:
    """An agency with one unit and one user per role (the unit head and specialist in the unit)."""

    agency: Agency
    unit: Unit
    clerk: User
    leader: User
    deputy: User
    unit_head: User
    specialist: User
    admin: User
    auditor: User


async def staff(db: AsyncSession, of: Agency | None = None) -> Staff:
    """:class:`Staff` of ``of`` (a new commune when omitted)."""
    where = of or await agency(db)
    dept = await unit(db, where)
    return Staff(
        agency=where, unit=dept,
        clerk=await user(db, where, Role.CLERK),
        leader=await user(db, where, Role.LEADER),
        deputy=await user(db, where, Role.DEPUTY),
        unit_head=await user(db, where, Role.UNIT_HEAD, in_unit=dept),
        specialist=await user(db, where, Role.SPECIALIST, in_unit=dept),
        admin=await user(db, where, Role.ADMIN),
        auditor=await user(db, where, Role.AUDITOR),
    )
