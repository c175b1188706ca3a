"""All models, imported here so that Alembic and ``Base.metadata`` see every table."""

from backend.db.models.accounts import Role, RoleGrant, User
from backend.db.models.audit import AuditEvent
from backend.db.models.notifications import Notification
from backend.db.models.organizations import Agency, AgencyLevel, Unit
from backend.db.models.outbox import JobStatus, OutboxJob

__all__ = [
    "Agency", "AgencyLevel", "AuditEvent", "JobStatus", "Notification", "OutboxJob", "Role", "RoleGrant",
    "Unit", "User",
]
