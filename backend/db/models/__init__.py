"""All models, imported here so that Alembic and ``Base.metadata`` see every table."""

from backend.db.models.accounts import Role, RoleGrant, User
from backend.db.models.audit import AuditEvent
from backend.db.models.documents import (
    Confidentiality,
    DocumentSource,
    DocumentType,
    DocumentTypeCategory,
    StoredFile,
    Urgency,
)
from backend.db.models.incoming import (
    ArrivalCounter,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Classification,
    IncomingAttachment,
    IncomingDocument,
    IncomingEvent,
    IncomingState,
)
from backend.db.models.notifications import Notification
from backend.db.models.offline import OfflineAction
from backend.db.models.organizations import Agency, AgencyLevel, Unit
from backend.db.models.outbox import JobStatus, OutboxJob
from backend.db.models.outgoing import (
    DeliveryStatus,
    ExchangeReceipt,
    OutgoingAppendix,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRecipient,
    OutgoingState,
    OutgoingVersion,
    RecipientKind,
    SigningImage,
    SigningImageKind,
    VersionKind,
)
from backend.db.models.push import PushPreference, PushSubscription
from backend.db.models.search import ContentStatus, SavedSearch, SearchEntry

__all__ = [
    "ArrivalCounter", "Assignment", "AssignmentRole", "AssignmentStatus", "Classification", "Confidentiality",
    "DocumentSource", "DocumentType", "DocumentTypeCategory", "IncomingDocument", "IncomingEvent", "IncomingState",
    "StoredFile", "Urgency",
    "Agency", "AgencyLevel", "AuditEvent", "JobStatus", "Notification", "OutboxJob", "Role", "RoleGrant",
    "Unit", "User",
    "OfflineAction", "PushPreference", "PushSubscription",
    "DeliveryStatus", "ExchangeReceipt", "OutgoingAppendix", "OutgoingCounter", "OutgoingDocument", "OutgoingEvent",
    "OutgoingRecipient", "OutgoingState", "OutgoingVersion", "RecipientKind", "SigningImage", "SigningImageKind",
    "VersionKind",
    "IncomingAttachment",
]

from backend.db.models.paper_copy import PaperCopyRule, PaperCopyRuleKind  # noqa: E402

__all__ += ["PaperCopyRule", "PaperCopyRuleKind"]

from backend.db.models.directory import DirectoryAgency, DirectorySource  # noqa: E402

__all__ += ["DirectoryAgency", "DirectorySource"]

from backend.db.models.workfiles import (  # noqa: E402
    CatalogueHeading,
    CatalogueItem,
    FileCatalogue,
    WorkFile,
    WorkFileDocument,
    WorkFileEvent,
    WorkFilePackage,
    WorkFileState,
)

__all__ += ["CatalogueHeading", "CatalogueItem", "FileCatalogue", "WorkFile", "WorkFileDocument", "WorkFileEvent",
            "WorkFilePackage", "WorkFileState"]

from backend.db.models.copies import CopyCounter, CopyKind, DocumentCopy  # noqa: E402

__all__ += ["CopyCounter", "CopyKind", "DocumentCopy"]
__all__ += ["ContentStatus", "SavedSearch", "SearchEntry"]

from backend.db.models.reminders import ReminderSent  # noqa: E402

__all__ += ["ReminderSent"]

from backend.db.models.axis_exchange import AxisArrival  # noqa: E402

__all__ += ["AxisArrival"]
