"""What the core needs from the outside world, one module per capability: a clock, one Sender per
platform, and storage.

The store protocols are implemented by `storage/repositories/`; the composition root wires them in,
so nothing in `bot/` imports SQL. The core imports each port from its capability module
(`bot.ports.topics`, …) and each service receives only the ports it uses; the names are re-exported
here for adapters, storage and tests.
"""

from __future__ import annotations

from bot.ports.analytics import (
    ProgressStore,
    ReportStore,
    StatsStore,
)
from bot.ports.announcements import (
    AnnouncementStore,
    RevisionStore,
)
from bot.ports.approvals import ApprovalStore
from bot.ports.audiences import SavedAudienceStore
from bot.ports.audit import (
    AuditStore,
)
from bot.ports.clock import (
    Clock,
    SystemClock,
)
from bot.ports.cta import (
    CtaStore,
)
from bot.ports.directory import (
    DirectoryStore,
)
from bot.ports.engagement import (
    EngagementStore,
)
from bot.ports.feedback import (
    AckStore,
    FeedbackStore,
)
from bot.ports.files import (
    FileMissing,
    FileStore,
    FileUnreadable,
    LocalFiles,
)
from bot.ports.jobs import (
    JobRunStore,
)
from bot.ports.outbox import (
    DigestStore,
    NoticeStore,
    OutboxStore,
)
from bot.ports.privacy import (
    Blanked,
    KnownName,
    PersonalData,
    PersonRef,
    PrivacyStore,
)
from bot.ports.scheduling import (
    ScheduleStore,
)
from bot.ports.search import SearchStore
from bot.ports.sending import (
    PermanentSendError,
    RateKey,
    RateLimiter,
    RateLimitRows,
    Sender,
    SendError,
    TransientSendError,
)
from bot.ports.series import SeriesStore
from bot.ports.stores import (
    Stores,
)
from bot.ports.topics import (
    SubscriptionStore,
    TopicAlreadyExists,
    TopicStore,
)
from bot.ports.variants import (
    VariantStore,
)

__all__ = [
    "AckStore",
    "AnnouncementStore",
    "ApprovalStore",
    "AuditStore",
    "Blanked",
    "Clock",
    "CtaStore",
    "DigestStore",
    "DirectoryStore",
    "EngagementStore",
    "FeedbackStore",
    "FileMissing",
    "FileStore",
    "FileUnreadable",
    "JobRunStore",
    "KnownName",
    "LocalFiles",
    "NoticeStore",
    "OutboxStore",
    "PermanentSendError",
    "PersonRef",
    "PersonalData",
    "PrivacyStore",
    "ProgressStore",
    "RateKey",
    "RateLimitRows",
    "RateLimiter",
    "ReportStore",
    "RevisionStore",
    "SavedAudienceStore",
    "ScheduleStore",
    "SearchStore",
    "SendError",
    "Sender",
    "SeriesStore",
    "StatsStore",
    "Stores",
    "SubscriptionStore",
    "SystemClock",
    "TopicAlreadyExists",
    "TopicStore",
    "TransientSendError",
    "VariantStore",
]
