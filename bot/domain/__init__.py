"""Plain domain values shared by the core, the adapters and storage, one module per capability.

Nothing here knows a platform library or SQL: platform identities are opaque strings inside value
objects, and rich replies are semantic (buttons, fields) so each adapter renders them its own way.

The core imports each type from its capability module (`bot.domain.announcements`, …); the names are
re-exported here for adapters, storage and tests.
"""

from __future__ import annotations

from bot.domain.analytics import (
    AnnouncementStats,
    DeliveryProgress,
    ProgressSlot,
    TopicStats,
)
from bot.domain.announcements import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Priority,
    Reach,
    RecallCounts,
)
from bot.domain.approvals import Approval, ApprovalKind, ApprovalMode, ApprovalNeed, ApprovalState
from bot.domain.audiences import AudienceUser, SavedAudience
from bot.domain.conversation import (
    Button,
    ButtonStyle,
    DraftPreview,
    FileShown,
    Invocation,
    LinkButton,
    Refusal,
    RefusalCode,
    Reply,
    Row,
)
from bot.domain.directory import (
    Channel,
    DeliveryMode,
    ImportRow,
    InviteOutcome,
    Partner,
    PartnerCard,
    PartnerChannel,
    PartnerFilter,
    PartnerProfile,
)
from bot.domain.feedback import (
    AckDue,
    AckState,
    DeliveryHit,
    Question,
    QuestionStatus,
)
from bot.domain.files import (
    Attachment,
    FileLimits,
    FileProblem,
    FileProblemKind,
    NewFile,
)
from bot.domain.outbox import (
    DeliveryStatus,
    Outcome,
    OutcomeKind,
    UpdateTarget,
    Work,
    WorkKind,
)
from bot.domain.refs import (
    ChannelRef,
    MessageRef,
    Platform,
    UserRef,
)
from bot.domain.scheduling import (
    Schedule,
)
from bot.domain.sending import (
    AnnouncementPost,
    DigestItem,
    DigestPost,
    Outgoing,
    RelayKind,
    RelayPost,
)
from bot.domain.series import (
    Occurrence,
    Recurrence,
    Series,
    SeriesStatus,
    SeriesTemplate,
)
from bot.domain.topics import (
    Topic,
)
from bot.domain.variants import (
    Variant,
)

__all__ = [
    "AckDue",
    "AckState",
    "Announcement",
    "AnnouncementPost",
    "AnnouncementStats",
    "AnnouncementStatus",
    "Approval",
    "ApprovalKind",
    "ApprovalMode",
    "ApprovalNeed",
    "ApprovalState",
    "Attachment",
    "Audience",
    "AudienceUser",
    "Button",
    "ButtonStyle",
    "Channel",
    "ChannelRef",
    "DeliveryHit",
    "DeliveryMode",
    "DeliveryProgress",
    "DeliveryStatus",
    "DigestItem",
    "DigestPost",
    "DraftPreview",
    "FileLimits",
    "FileProblem",
    "FileProblemKind",
    "FileShown",
    "ImportRow",
    "InviteOutcome",
    "Invocation",
    "LinkButton",
    "MessageRef",
    "NewFile",
    "Occurrence",
    "Outcome",
    "OutcomeKind",
    "Outgoing",
    "Partner",
    "PartnerCard",
    "PartnerChannel",
    "PartnerFilter",
    "PartnerProfile",
    "Platform",
    "Priority",
    "ProgressSlot",
    "Question",
    "QuestionStatus",
    "Reach",
    "RecallCounts",
    "Recurrence",
    "Refusal",
    "RefusalCode",
    "RelayKind",
    "RelayPost",
    "Reply",
    "Row",
    "SavedAudience",
    "Schedule",
    "Series",
    "SeriesStatus",
    "SeriesTemplate",
    "Topic",
    "TopicStats",
    "UpdateTarget",
    "UserRef",
    "Variant",
    "Work",
    "WorkKind",
]
