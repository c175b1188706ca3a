"""Who may see and act on which certificate.

* Everyone sees their own personal certificate (owner kind ``user``, owner = their username); clerks
  also see the seal certificate of the agency they are acting in (owner kind ``agency``, owner = its
  identifier code), because they hold the agency key like the seal (ND 30 Đ.32–33). Both may report
  that certificate's key compromised.
* An administrator sees and may revoke every certificate of the people whose home agency is in their
  subtree (:func:`~backend.domain.organizations.policies.administered_agency_ids`) and of those
  agencies. Certificates outside that scope are indistinguishable from missing ones (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, Role, User
from backend.domain.accounts.actor import Actor
from backend.domain.organizations.policies import administered_agency_ids, require_admin
from backend.domain.signing import CertificateRecord
from backend.domain.signing.credentials import package_seal_owner
from backend.lib.i18n import t

__all__ = ["AdminScope", "OwnerInfo", "admin_scope", "may_report", "own_owner_ids"]


@dataclass(frozen=True, slots=True)
class OwnerInfo:
    """Who a certificate in the administrator's scope belongs to, for display."""

    label: str
    agency_name: str


@dataclass(frozen=True, slots=True)
class AdminScope:
    """Owners an administrator may see: usernames and agency identifier codes, with labels."""

    users: dict[str, OwnerInfo] = field(default_factory=dict)
    agencies: dict[str, OwnerInfo] = field(default_factory=dict)

    def owner(self, record: CertificateRecord) -> OwnerInfo | None:
        """The owner of *record* if it is in scope, else ``None``."""
        table = self.users if record.owner_kind == "user" else self.agencies
        return table.get(record.owner)


def own_owner_ids(actor: Actor) -> tuple[list[str], list[str]]:
    """(usernames, agency codes) whose certificates are the actor's own: self, plus the seal for clerks."""
    seals = [actor.agency_organ_id] if Role.CLERK in actor.roles and actor.agency_organ_id else []
    return [actor.username], seals


def may_report(actor: Actor, record: CertificateRecord) -> bool:
    """True when *record* is the actor's own certificate (or their agency's seal, for a clerk)."""
    users, seals = own_owner_ids(actor)
    if record.owner_kind == "user":
        return record.owner in users
    return record.owner in seals


async def admin_scope(db: AsyncSession, actor: Actor) -> AdminScope:
    """The certificate owners *actor* administers (403 for non-administrators)."""
    require_admin(actor)
    ids = administered_agency_ids(actor)
    agencies = (await db.execute(sa.select(Agency.id, Agency.organ_id, Agency.name).where(Agency.id.in_(ids)))).all()
    names = {agency_id: name for agency_id, _organ, name in agencies}
    users = (await db.execute(
        sa.select(User.username, User.full_name, User.agency_id).where(User.agency_id.in_(ids))
    )).all()
    return AdminScope(
        users={username: OwnerInfo(full_name, names.get(agency_id, "")) for username, full_name, agency_id in users},
        agencies={**{organ_id: OwnerInfo(name, name) for _id, organ_id, name in agencies},
                  **{package_seal_owner(organ_id): OwnerInfo(t("certificates.package_seal", name=name), name)
                     for _id, organ_id, name in agencies}},
    )
