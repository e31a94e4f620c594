"""Plain domain values shared by the core, the adapters and storage.

Nothing here knows a platform library or SQL: platform identities are opaque strings inside value
objects, and rich replies are semantic (buttons, fields) so each adapter renders them its own way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    LOCAL = "local"


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    RECALLED = "recalled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    # Held for a daily/weekly digest instead of being posted on its own.
    DIGEST = "digest"
    # The announcement was recalled: never posted, or posted and deleted again.
    RECALLED = "recalled"


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class RelayKind(StrEnum):
    QUESTION = "question"  # a partner's question, posted into the admin channel
    ANSWER = "answer"  # an admin's answer, posted back where the partner asked
    NOTICE = "notice"  # something the bot itself says in an admin channel (a report, a reminder)


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """Where something is said: a channel in a Slack workspace, a Discord guild, or a local space."""

    platform: Platform
    workspace: str
    channel: str

    def key(self) -> str:
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True, slots=True)
class MessageRef:
    """One posted message. `message` is a Slack `ts`, a Discord snowflake, or a local counter."""

    channel: ChannelRef
    message: str


@dataclass(frozen=True, slots=True)
class UserRef:
    platform: Platform
    workspace: str
    user: str
    display_name: str = ""

    def key(self) -> str:
        return f"{self.platform}:{self.user}"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an announcement is for. An empty set means "any" for that attribute."""

    tiers: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    def is_everyone(self) -> bool:
        return not (self.tiers or self.types or self.regions or self.languages)

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(sorted(values))}"
            for name, values in (
                ("tier", self.tiers),
                ("type", self.types),
                ("region", self.regions),
                ("language", self.languages),
            )
            if values
        ]
        return "; ".join(parts) if parts else "all partners"

    def to_json(self) -> dict[str, list[str]]:
        return {
            "tiers": sorted(self.tiers),
            "types": sorted(self.types),
            "regions": sorted(self.regions),
            "languages": sorted(self.languages),
        }

    @classmethod
    def from_json(cls, data: dict[str, list[str]] | None) -> Audience:
        data = data or {}
        return cls(
            tiers=frozenset(data.get("tiers", ())),
            types=frozenset(data.get("types", ())),
            regions=frozenset(data.get("regions", ())),
            languages=frozenset(data.get("languages", ())),
        )

    @classmethod
    def of(cls, values: Mapping[str, Iterable[str]]) -> Audience:
        """From the values picked per audience key (`tier`, `type`, `region`, `language`), as forms,
        options and the CLI gather them; a key not given means any."""
        return cls(
            tiers=frozenset(values.get("tier", ())),
            types=frozenset(values.get("type", ())),
            regions=frozenset(values.get("region", ())),
            languages=frozenset(values.get("language", ())),
        )


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    slug: str
    title: str
    description: str = ""
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str
    tier: str
    type: str
    region: str
    language: str
    timezone: str
    # Set by `partner remove`: the partner is out of lists and targeting, its history stays.
    removed_at: datetime | None = None

    def profile(self) -> dict[str, str]:
        """The attributes an admin sets, by key (`partner set`, the CSV import)."""
        return {
            "tier": self.tier,
            "type": self.type,
            "region": self.region,
            "language": self.language,
            "timezone": self.timezone,
        }


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    ref: ChannelRef
    name: str
    partner_id: int | None
    mode: DeliveryMode
    timezone: str | None
    active: bool
    # "HH:MM-HH:MM", "off" (explicitly none), or None (the vendor default applies).
    quiet_hours: str | None = None


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    title: str
    body: str
    topics: tuple[str, ...]
    audience: Audience
    priority: Priority
    status: AnnouncementStatus
    author: UserRef
    origin: ChannelRef
    created_at: datetime
    sent_at: datetime | None = None
    schedule: Schedule | None = None
    # Urgent only: partners confirm they read it ("Acknowledge"), and are reminded once if not.
    ack_required: bool = False


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a scheduled announcement goes out: the wall-clock `wall` in `zone`, or, when `zone` is
    None (`at:"… local"`), in each channel's own zone. `first` is the earliest UTC instant."""

    wall: datetime
    zone: str | None
    first: datetime

    @property
    def local(self) -> bool:
        return self.zone is None


# --- What the core asks a Sender to post -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnnouncementPost:
    """An announcement as it is posted into one partner channel."""

    delivery_id: int
    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    urgent: bool
    ack_required: bool = False


@dataclass(frozen=True, slots=True)
class RelayPost:
    """A question relayed to admins, or an answer relayed back, already neutralised for mentions."""

    relay_id: int
    kind: RelayKind
    text: str
    # Set when the message opens an admin thread for an announcement's questions.
    heading: str = ""


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One announcement inside a digest, with its full text (the channel never got it on its own)."""

    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestPost:
    """A daily/weekly digest for one channel: every announcement held for it since its last digest.

    `period_label` is already phrased ("Daily digest · Wednesday 25 November 2026").
    """

    digest_id: int
    period_label: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One unit of work for a Sender: where to post, what, and (for relays) in which thread."""

    channel: ChannelRef
    content: AnnouncementPost | RelayPost | DigestPost
    thread: MessageRef | None = None


# --- What handlers return ----------------------------------------------------------------------


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str
    value: str
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Row:
    """A line of a reply that can carry its own button (e.g. a topic with Subscribe/Unsubscribe)."""

    text: str
    button: Button | None = None


class RefusalCode(StrEnum):
    """Why the core refused a command, for adapters that place the words (a modal field, a retry)
    without reading them. The words themselves stay in `Reply.text`."""

    AT_UNKNOWN_ZONE = "at_unknown_zone"
    AT_PAST = "at_past"
    AT_TOO_FAR = "at_too_far"
    UNKNOWN_VALUE = "unknown_value"
    UNKNOWN_TOPIC = "unknown_topic"
    TOPIC_ARCHIVED = "topic_archived"
    ACK_NEEDS_URGENT = "ack_needs_urgent"
    EMPTY_AUDIENCE = "empty_audience"
    NOT_AN_ANNOUNCEMENT = "not_an_announcement"
    NO_SUCH_ANNOUNCEMENT = "no_such_announcement"
    NOT_A_DRAFT = "not_a_draft"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refusal's code and the input it is about: "at", "topics", "tier", "type", "region",
    "language", "urgent"; "" when it is about no single field."""

    code: RefusalCode
    field: str = ""


@dataclass(frozen=True, slots=True)
class DraftPreview:
    """The draft a preview shows: the announcement as partners will get it, and who it reaches.

    `summary` is the preview's text around the announcement (heading, topics and audience, reach,
    timing, warnings), for adapters that render the announcement itself, as partners will see it.
    """

    announcement_id: int
    title: str
    body: str
    topics: tuple[str, ...]
    audience: Audience
    urgent: bool
    ack_required: bool
    reach: Reach
    summary: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers. `ephemeral` replies are shown to the caller only where possible.

    `refusal` says why an error reply refused, `draft` which draft a preview shows, `join_code`
    which code an invite made: adapters and the CLI read these, never the text.
    """

    text: str
    ephemeral: bool = True
    rows: tuple[Row, ...] = ()
    buttons: tuple[Button, ...] = ()
    is_error: bool = False
    refusal: Refusal | None = None
    draft: DraftPreview | None = None
    join_code: str | None = None


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who ran a command, where. Adapters build it from a platform event; the core decides the rest.

    `platform_admin` is the adapter's own finding that the user is an admin by a platform grouping
    (a Slack user group, a Discord role) named in the settings.
    """

    channel: ChannelRef
    user: UserRef
    channel_name: str = ""
    thread: MessageRef | None = None
    platform_admin: bool = False


# --- Values repositories hand back --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reach:
    """Who a broadcast would reach, counted before anything is written."""

    channels: int
    partners: int
    by_platform: dict[str, int]
    by_tier: dict[str, int]
    by_region: dict[str, int]


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """A partner row as imported or invited (no id yet)."""

    name: str
    tier: str
    type: str = ""
    region: str = ""
    language: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One validated line of a partner import: the partner and, optionally, its channel."""

    line: int
    partner: PartnerProfile
    channel: ChannelRef | None
    topics: tuple[str, ...] = ()  # slugs the channel is subscribed to on import


@dataclass(frozen=True, slots=True)
class PartnerChannel:
    """One of a partner's channels on its card: the channel, why it is off, what it follows."""

    channel: Channel
    deactivated_reason: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartnerCard:
    """`partner <name>`: the partner, its channels, and when it was last active."""

    partner: Partner
    channels: tuple[PartnerChannel, ...]
    last_delivery: datetime | None  # the last announcement delivered to one of its channels
    last_feedback: datetime | None  # its last question, reaction or acknowledgement


@dataclass(frozen=True, slots=True)
class PartnerFilter:
    """`partnerbot partners list --tier … --topic …`: empty means any."""

    tiers: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()


class InviteOutcome(StrEnum):
    JOINED = "joined"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class WorkKind(StrEnum):
    DELIVERY = "delivery"
    RELAY = "relay"
    DIGEST = "digest"
    NOTICE = "notice"
    EDIT = "edit"  # bring a delivered copy to the announcement's latest revision
    DELETE = "delete"  # remove a delivered copy (recall)


@dataclass(frozen=True, slots=True)
class UpdateTarget:
    """The delivery an edit or delete applies to, as it stood when the update was claimed."""

    delivery_id: int
    status: DeliveryStatus
    message_id: str | None
    ambiguous: bool
    # Claimed by a worker whose lease ran out: it may have posted before it died.
    abandoned: bool


@dataclass(frozen=True, slots=True)
class Work:
    """A claimed outbox row: a delivery (announcement → partner channel), a digest (→ partner
    channel), a relay (question/answer) or a notice (the bot's own message → admin channel)."""

    kind: WorkKind
    id: int
    attempts: int
    ambiguous: bool
    # Deliveries: the announcement and target channel; digests: the channel. Relays: the question.
    announcement_id: int | None = None
    channel_id: int | None = None
    channel: ChannelRef | None = None
    question_id: int | None = None
    answer_id: int | None = None
    relay_kind: RelayKind | None = None
    # Edits and deletes: the delivered copy they apply to.
    target: UpdateTarget | None = None


class OutcomeKind(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed row; recorded in batches by the outbox repository."""

    kind: OutcomeKind
    id: int
    message_id: str | None = None
    not_before: datetime | None = None
    error: str = ""
    ambiguous: bool = False
    # A permanent failure that condemns the channel itself (gone, archived, bot removed).
    deactivate: bool = False
    # A retry of a claim that never tried to send: its attempt is given back.
    refund: bool = False


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    channel: ChannelRef
    channel_id: int
    announcement_id: int | None
    asker: str
    text: str
    status: QuestionStatus
    partner_name: str
    partner_tier: str
    partner_thread: str | None
    admin_thread: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryHit:
    """The delivery a platform message belongs to (for reactions and thread replies)."""

    delivery_id: int
    announcement_id: int
    channel_id: int
    message: MessageRef


@dataclass(frozen=True, slots=True)
class AckState:
    """Whether one delivered copy of an announcement was acknowledged, and by whom."""

    delivery_id: int
    partner_name: str
    partner_tier: str
    channel: ChannelRef
    channel_name: str
    acked_by: str | None = None  # the platform user id
    acked_by_name: str = ""
    acked_at: datetime | None = None

    @property
    def who(self) -> str:
        return self.acked_by_name or self.acked_by or ""


@dataclass(frozen=True, slots=True)
class AckDue:
    """A delivered, unacknowledged copy of an announcement that may need a reminder in its thread."""

    delivery_id: int
    announcement_id: int
    title: str
    message: MessageRef
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class AnnouncementStats:
    announcement_id: int
    title: str
    status: AnnouncementStatus
    targeted: int
    delivered: int
    failed: int
    pending: int
    in_digest: int
    reactions: dict[str, int]
    questions_asked: int
    questions_answered: int
    reach_by_tier: dict[str, int]
    reach_by_region: dict[str, int]
    failures_by_reason: dict[str, int]


@dataclass(frozen=True, slots=True)
class TopicStats:
    slug: str
    announcements: int
    delivered: int
    reactions: int
    questions: int


@dataclass(frozen=True, slots=True)
class ProgressSlot:
    """A broadcast whose progress message in the admin channel is posted and not final yet."""

    announcement_id: int
    title: str
    status: AnnouncementStatus
    shown: str  # the text the message shows now
    notice_id: int
    channel: ChannelRef
    message_id: str


@dataclass(frozen=True, slots=True)
class RecallCounts:
    """What `recall` did at once: copies queued for deletion, deliveries that will never go out."""

    to_delete: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class DeliveryProgress:
    """Where one announcement's deliveries stand, for a live progress message or `broadcast --wait`.

    Each delivery row counts once: `sent`; `failed` (for good); `held` (waiting on purpose: for a
    digest, for the end of quiet hours, or for a scheduled time, possibly each channel's own);
    `pending` (queued or being sent, retries included); `withdrawn` (taken back, e.g. recalled).
    `failures_by_reason` groups `failed` by a normalised reason, most frequent first.
    """

    announcement_id: int
    total: int
    sent: int
    pending: int
    failed: int
    held: int
    withdrawn: int = 0
    failures_by_reason: tuple[tuple[str, int], ...] = ()

    @property
    def done(self) -> int:
        """Deliveries with a final outcome (sent or failed)."""
        return self.sent + self.failed

    @property
    def in_flight(self) -> bool:
        """Whether anything is still queued to go out now (held rows go out later, on purpose)."""
        return self.pending > 0
