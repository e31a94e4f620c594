"""SQLModel table classes: the persisted shape of the domain. Repositories map them to domain values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Column, Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


# Integer on SQLite (so it aliases rowid and autoincrements), BIGINT on PostgreSQL.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _pk() -> Any:
    return Field(default=None, sa_column=Column(_BigId, primary_key=True, autoincrement=True))


def _when(nullable: bool = False) -> Any:
    # A column *type* rather than a Column (see _ts): a mixin's fields are copied into each table.
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def table_of(model: type[SQLModel]) -> Table:
    """A model's Core table, for the repositories' SQLAlchemy Core statements."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


class OutboxColumns(SQLModel):
    """What every outbox table has (delivery, digest, relay, notice, delivery_update): claimed with a
    lease, retried with backoff, and marked `ambiguous` when an earlier attempt may have posted
    without us recording it (crash, timeout), so the sender looks before it posts again."""

    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    ambiguous: bool = Field(default=False)
    last_error: str = Field(default="", max_length=300)
    not_before: datetime = _when()
    lease_until: datetime | None = _when(nullable=True)
    claimed_by: str = Field(default="", max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _when(nullable=True)


class TopicRow(SQLModel, table=True):
    __tablename__ = "topic"
    id: int | None = _pk()
    slug: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=150)
    description: str = Field(default="", sa_type=Text)
    archived: bool = Field(default=False)
    created_at: datetime = _ts()
    # `topic require-approval <slug>`: announcements about it need another admin's approval to go out.
    require_approval: bool = Field(default=False)


class PartnerRow(SQLModel, table=True):
    __tablename__ = "partner"
    id: int | None = _pk()
    name: str = Field(max_length=200, unique=True)
    tier: str = Field(max_length=40, index=True)
    type: str = Field(default="", max_length=40)
    region: str = Field(default="", max_length=40)
    language: str = Field(default="", max_length=20)
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = _ts()
    # `partner remove`: out of lists and targeting, history kept; None while the partner is current.
    removed_at: datetime | None = _ts(nullable=True)


class ChannelRow(SQLModel, table=True):
    __tablename__ = "channel"
    __table_args__ = (UniqueConstraint("platform", "channel_id", name="uq_channel_platform_id"),)
    id: int | None = _pk()
    platform: str = Field(max_length=16)
    workspace_id: str = Field(max_length=64, index=True)
    channel_id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    mode: str = Field(default="immediate", max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    # "HH:MM-HH:MM", "off", or None for the vendor default (PARTNERBOT_QUIET_HOURS).
    quiet_hours: str | None = Field(default=None, max_length=16)
    # `settings language <tag>` (BCP 47, lower case), or None: the partner's language applies.
    language: str | None = Field(default=None, max_length=20)
    # Non-urgent announcements per rolling week (`settings cap`): 1..50, 0 for off, None for the
    # vendor default (PARTNERBOT_WEEKLY_CAP).
    weekly_cap: int | None = Field(default=None)
    active: bool = Field(default=True)
    deactivated_reason: str = Field(default="", max_length=200)
    created_at: datetime = _ts()


class SubscriptionRow(SQLModel, table=True):
    __tablename__ = "subscription"
    channel_id: int = Field(foreign_key="channel.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)
    created_at: datetime = _ts()


class InviteRow(SQLModel, table=True):
    __tablename__ = "invite"
    code: str = Field(primary_key=True, max_length=32)
    partner_id: int = Field(foreign_key="partner.id")
    created_by: str = Field(max_length=100)
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
    used_by_channel_id: int | None = Field(default=None, foreign_key="channel.id")


class AnnouncementRow(SQLModel, table=True):
    __tablename__ = "announcement"
    # What `news search` checks of each candidate it found, without reading the wide row (0032).
    __table_args__ = (Index("ix_announcement_found", "id", "status", "sent_at", "created_at"),)
    id: int | None = _pk()
    title: str = Field(max_length=150)
    body: str = Field(sa_type=Text)
    audience: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    priority: str = Field(default="normal", max_length=16)
    status: str = Field(default="draft", max_length=16, index=True)
    author_platform: str = Field(max_length=16)
    author_workspace: str = Field(max_length=64)
    author_user: str = Field(max_length=64)
    author_name: str = Field(default="", max_length=200)
    origin_channel: str = Field(max_length=64)
    # The admin-channel thread that collects this announcement's questions (one per announcement).
    admin_thread: str | None = Field(default=None, max_length=64)
    # Held by the worker opening that thread, so two workers never post two headings.
    admin_thread_claimed_until: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    # Scheduled announcements: the wall-clock time as given ("YYYY-MM-DD HH:MM"), its IANA zone or
    # "local" (each channel's own), and in `send_at` the earliest UTC instant.
    send_at: datetime | None = _ts(nullable=True)
    send_wall: str | None = Field(default=None, max_length=16)
    send_zone: str | None = Field(default=None, max_length=64)
    sent_at: datetime | None = _ts(nullable=True)
    # `urgent ack`: partners are asked to acknowledge it (an AckRow per delivery that did).
    ack_required: bool = Field(default=False)
    # Bumped by every `edit`; each delivered copy is brought to the latest revision in place.
    revision: int = Field(default=0)
    edited_at: datetime | None = _ts(nullable=True)
    # The live progress message in the admin channel (a notice the bot posted and may edit), the
    # text it last showed, and whether it shows the final summary yet.
    progress_notice_id: int | None = Field(default=None, foreign_key="notice.id")
    progress_text: str = Field(default="", sa_type=Text)
    progress_final: bool = Field(default=False)
    # `broadcast audience:<name>`: the saved audience it targets, resolved when it is sent (`audience`
    # holds the filters as they were then; while a draft, the saved audience's current ones apply).
    audience_name: str | None = Field(default=None, max_length=40, index=True)


class AnnouncementTopicRow(SQLModel, table=True):
    __tablename__ = "announcement_topic"
    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True, index=True)


class AnnouncementCtaRow(SQLModel, table=True):
    """A call to action under an announcement (`cta:"Label|URL"`): its number (1 to 3, in the order
    written), the button's label and the URL it leads to. Written with the draft, never changed."""

    __tablename__ = "announcement_cta"
    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True)
    number: int = Field(primary_key=True)
    label: str = Field(max_length=75)
    url: str = Field(max_length=1900)


class AnnouncementVariantRow(SQLModel, table=True):
    """An announcement's text in one language (`translate <id> <lang> …`), as the roster stores the tag
    (bot/vocabulary.py). Replaced in place: `revision` counts the versions, `updated_at` the last."""

    __tablename__ = "announcement_variant"
    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True)
    language: str = Field(primary_key=True, max_length=20)
    title: str = Field(max_length=150)
    body: str = Field(sa_type=Text)
    revision: int = Field(default=1)
    updated_at: datetime = _ts()
    # A machine draft (`translate <id> <lang> draft`): shown for review, never sent until accepted.
    machine: bool = Field(default=False)


class SearchDocumentRow(SQLModel, table=True):
    """What `news search` looks in, one row per announcement that may be found (written with the
    announcement, its edits and translations; deleted on recall): its title and its body with every
    variant's text, folded (bot/domain/search.py), and its audience as `|value|` lists ("" = any).

    The full-text indexes are built on it by migration 0030 and are not SQLModel tables: on SQLite the
    FTS5 tables `search_fts` (unicode61) and `search_trigram` (CJK rows only), kept in step by
    triggers; on PostgreSQL the generated `search_vector` tsvector column and its GIN index."""

    __tablename__ = "search_document"
    # The rows with CJK text, for the searches that look for a word as a substring (under three characters).
    __table_args__ = (
        Index(
            "ix_search_document_cjk",
            "announcement_id",
            sqlite_where=text("cjk"),
            postgresql_where=text("cjk"),
        ),
        # The audience of each candidate a search found, without reading its texts (0032).
        Index("ix_search_document_audience", "announcement_id", "tiers", "types", "regions", "languages"),
    )
    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True)
    title: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    tiers: str = Field(default="", sa_type=Text)
    types: str = Field(default="", sa_type=Text)
    regions: str = Field(default="", sa_type=Text)
    languages: str = Field(default="", sa_type=Text)
    cjk: bool = Field(default=False)


class StoredFileRow(SQLModel, table=True):
    """An attachment's bytes, stored once under their SHA-256 (in the FileStore: a directory by
    default); what is known of them without reading them."""

    __tablename__ = "stored_file"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=BigInteger)
    media_type: str = Field(max_length=127)
    created_at: datetime = _ts()


class AnnouncementFileRow(SQLModel, table=True):
    """The files an announcement carries, in the order given, each under the name it was given."""

    __tablename__ = "announcement_file"
    announcement_id: int = Field(foreign_key="announcement.id", primary_key=True)
    position: int = Field(primary_key=True)
    sha256: str = Field(foreign_key="stored_file.sha256", max_length=64, index=True)
    name: str = Field(max_length=255)


class DeliveryRow(OutboxColumns, table=True):
    """The outbox: one row per (announcement, channel); the unique key makes re-targeting harmless."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("announcement_id", "channel_id", name="uq_delivery_announcement_channel"),
        Index("ix_delivery_due", "status", "not_before"),
        Index("ix_delivery_message", "channel_id", "message_id"),
        # The engagement score's deliveries per channel and time, read from the index alone.
        Index(
            "ix_delivery_sent",
            "channel_id",
            "sent_at",
            "announcement_id",
            postgresql_where=text("sent_at IS NOT NULL"),
            sqlite_where=text("sent_at IS NOT NULL"),
        ),
        # The dashboard overview's window of sent deliveries with their segment, from the index alone.
        Index(
            "ix_delivery_status_sent",
            "status",
            "sent_at",
            "channel_id",
            "announcement_id",
            "tier",
            "region",
            "type",
            "language",
            "engaged_at",
        ),
        # The deliveries sent within a window, from the index alone (dashboard Topics, partner table).
        Index(
            "ix_delivery_sent_at",
            "sent_at",
            "announcement_id",
            "channel_id",
            "engaged_at",
            postgresql_where=text("sent_at IS NOT NULL"),
            sqlite_where=text("sent_at IS NOT NULL"),
        ),
    )
    id: int | None = _pk()
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    channel_id: int = Field(foreign_key="channel.id")
    platform: str = Field(max_length=16)
    # A row held for a digest (status `digest`) is carried by that digest once it is made.
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)
    # The partner's segment when the announcement was sent, so stats stay history when the roster
    # changes. NULL: the channel was linked to no partner; "": the partner had no value.
    tier: str | None = Field(default=None, max_length=40)
    type: str | None = Field(default=None, max_length=40)
    region: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=20)
    # When a partner first acted on this copy (an engaging action: bot.domain.engagement.ENGAGING_KINDS),
    # set in that action's transaction: the dashboard counts engaged copies without joining the events.
    engaged_at: datetime | None = _ts(nullable=True)
    # Over its channel's weekly cap when written: held for a digest (status `digest`) instead of
    # posted alone. Stays true once a digest carried it (bot/caps.py).
    capped: bool = Field(default=False)


class DigestRow(OutboxColumns, table=True):
    """The digest outbox: one message per (channel, period) carrying the deliveries held for it.

    The unique key makes digest creation safe in several processes at once; the row is claimed,
    retried and checked before re-posting exactly like a delivery.
    """

    __tablename__ = "digest"
    __table_args__ = (
        UniqueConstraint("channel_id", "period_key", name="uq_digest_channel_period"),
        Index("ix_digest_due", "status", "not_before"),
    )
    id: int | None = _pk()
    channel_id: int = Field(foreign_key="channel.id")
    platform: str = Field(max_length=16)
    period_key: str = Field(max_length=32)
    # The transaction that created the row: only it links held deliveries to the digest.
    batch: str = Field(default="", max_length=32)
    created_at: datetime = _ts()


class ReactionRow(SQLModel, table=True):
    __tablename__ = "reaction"
    __table_args__ = (UniqueConstraint("delivery_id", "user_id", "emoji", name="uq_reaction"),)
    id: int | None = _pk()
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    user_id: str = Field(max_length=64)
    emoji: str = Field(max_length=100)
    active: bool = Field(default=True)
    added_at: datetime = _ts()
    removed_at: datetime | None = _ts(nullable=True)


class AckRow(SQLModel, table=True):
    """One acknowledgement per delivered copy of an announcement: who pressed Acknowledge, and when."""

    __tablename__ = "ack"
    __table_args__ = (UniqueConstraint("delivery_id", name="uq_ack_delivery"),)
    id: int | None = _pk()
    delivery_id: int = Field(foreign_key="delivery.id")
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    acked_at: datetime = _ts()


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    # The dashboard's Questions page: asked and answered in a window, latest answered first (0019).
    __table_args__ = (
        Index("ix_question_created_at", "created_at"),
        Index("ix_question_answered_at", "answered_at"),
    )
    id: int | None = _pk()
    channel_id: int = Field(foreign_key="channel.id", index=True)
    delivery_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    announcement_id: int | None = Field(default=None, foreign_key="announcement.id", index=True)
    asker_id: str = Field(max_length=64)
    asker_name: str = Field(default="", max_length=200)
    text: str = Field(sa_type=Text)
    status: str = Field(default="open", max_length=16, index=True)
    # Where the partner asked: the thread to answer into (a delivery's message, or none).
    partner_thread: str | None = Field(default=None, max_length=64)
    # The relayed copy in the admin channel, and the thread it sits in.
    admin_channel: str | None = Field(default=None, max_length=64)
    admin_message: str | None = Field(default=None, max_length=64)
    admin_thread: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = _ts()
    answered_at: datetime | None = _ts(nullable=True)
    # "This answers it" (issue 18): the answered question whose answer served this one.
    self_served_by: int | None = Field(default=None)


class AnswerRow(SQLModel, table=True):
    __tablename__ = "answer"
    id: int | None = _pk()
    question_id: int = Field(foreign_key="question.id", index=True)
    admin_platform: str = Field(max_length=16)
    admin_id: str = Field(max_length=64)
    admin_name: str = Field(default="", max_length=200)
    text: str = Field(sa_type=Text)
    created_at: datetime = _ts()


class RelayRow(OutboxColumns, table=True):
    """The relay outbox: questions going to admins and answers going back, retried like deliveries."""

    __tablename__ = "relay"
    __table_args__ = (Index("ix_relay_due", "status", "not_before"),)
    id: int | None = _pk()
    kind: str = Field(max_length=16)
    question_id: int = Field(foreign_key="question.id")
    answer_id: int | None = Field(default=None, foreign_key="answer.id")


class NoticeRow(OutboxColumns, table=True):
    """The notice outbox: messages the bot itself originates (reports, reminders) for an admin channel.

    The unique `key` (`report:2026-W48:slack:C0ADMIN`, `reminder:question:12`) makes queuing a
    notice idempotent across processes and re-runs; the row is claimed, retried and checked before
    re-posting exactly like a delivery.
    """

    __tablename__ = "notice"
    # ix_notice_message: is a pressed (or replied-to) message a test copy? (bot/core.py, per press)
    __table_args__ = (
        Index("ix_notice_due", "status", "not_before"),
        Index("ix_notice_message", "message_id"),
    )
    id: int | None = _pk()
    key: str = Field(max_length=200, unique=True)
    platform: str = Field(max_length=16)
    # "" until known: settings name admin channels without their workspace.
    workspace_id: str = Field(default="", max_length=64)
    channel: str = Field(max_length=64)
    thread: str | None = Field(default=None, max_length=64)
    text: str = Field(sa_type=Text)
    created_at: datetime = _ts()
    # A test copy (`test <id>`): the announcement it shows as partners will see it; `text` is the
    # line marking it a test. Counted nowhere: no delivery row, no stats, no engagement. No foreign
    # key: announcement.progress_notice_id points the other way (a cycle), and a copy of an
    # announcement deleted meanwhile (a discarded draft) simply fails ("the announcement is gone").
    announcement_id: int | None = Field(default=None)


class SavedAudienceRow(SQLModel, table=True):
    """A named audience (`audience save <name> …`): filters in `Audience.to_json()` form, and the
    topic slugs a broadcast using it gets when it names none."""

    __tablename__ = "saved_audience"
    id: int | None = _pk()
    name: str = Field(max_length=40, unique=True)
    audience: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    updated_by: str = Field(default="", max_length=200)
    updated_at: datetime = _ts()


class SeriesRow(SQLModel, table=True):
    """A recurring series (`broadcast … every:"…"`): the template each occurrence is drafted from,
    the rule (its canonical `every:` text), and what became of the latest occurrence. Occurrences are
    claimed in `job_run` (job `series-occurrence`, period `<id>/<date>`)."""

    __tablename__ = "series"
    id: int | None = _pk()
    title: str = Field(max_length=150)
    body: str = Field(sa_type=Text)
    topics: list[str] = Field(default_factory=list, sa_type=JSON)
    audience: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    audience_name: str | None = Field(default=None, max_length=40)
    urgent: bool = Field(default=False)
    ack_required: bool = Field(default=False)
    ctas: list[list[str]] = Field(default_factory=list, sa_type=JSON)  # [label, url] in order
    rule: str = Field(max_length=80)
    zone: str | None = Field(default=None, max_length=64)  # None: each channel's own (`local`)
    until: date | None = Field(default=None)
    status: str = Field(default="draft", max_length=16, index=True)
    author_platform: str = Field(max_length=16)
    author_workspace: str = Field(max_length=64)
    author_user: str = Field(max_length=64)
    author_name: str = Field(default="", max_length=200)
    origin_workspace: str = Field(max_length=64)
    origin_channel: str = Field(max_length=64)
    created_at: datetime = _ts()
    active_since: datetime | None = _ts(nullable=True)
    revision: int = Field(default=0)
    edited_at: datetime | None = _ts(nullable=True)
    last_occurrence: date | None = Field(default=None)
    last_announcement_id: int | None = Field(default=None, foreign_key="announcement.id")
    last_note: str = Field(default="", max_length=300)


class JobRunRow(SQLModel, table=True):
    """One run of a periodic job for one period; the unique key lets one process in many run it."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_run_period"),)
    id: int | None = _pk()
    job: str = Field(max_length=40)
    period: str = Field(max_length=40)
    status: str = Field(default="running", max_length=16)
    worker: str = Field(default="", max_length=64)
    attempts: int = Field(default=1)
    # A run whose lease passed without finishing (its process died) may be taken over.
    lease_until: datetime | None = _ts(nullable=True)
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    detail: str = Field(default="", max_length=300)


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"
    # The dashboard's audit page, filtered by action, newest first (migration 0015).
    __table_args__ = (Index("ix_audit_log_action_id", "action", "id"),)
    id: int | None = _pk()
    at: datetime = _ts(index=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    channel_id: str = Field(max_length=64)
    action: str = Field(max_length=40)
    detail: str = Field(default="", sa_type=Text)
    allowed: bool = Field(default=True)


class ApprovalRow(SQLModel, table=True):
    """A request for approval of an announcement at one revision (`send`, or `edit` of one under
    approval) and its outcome: approved, changes requested (with the comment) or void."""

    __tablename__ = "approval"
    id: int | None = _pk()
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    revision: int
    kind: str = Field(max_length=16)
    state: str = Field(default="pending", max_length=24)
    requested_platform: str = Field(max_length=16)
    requested_workspace: str = Field(max_length=64)
    requested_user: str = Field(max_length=64)
    requested_name: str = Field(default="", max_length=200)
    requested_at: datetime = _ts()
    decided_platform: str | None = Field(default=None, max_length=16)
    decided_user: str | None = Field(default=None, max_length=64)
    decided_name: str = Field(default="", max_length=200)
    decided_at: datetime | None = _ts(nullable=True)
    comment: str = Field(default="", sa_type=Text)
    # An edit request's new text, applied when it is approved.
    title: str | None = Field(default=None, max_length=150)
    body: str | None = Field(default=None, sa_type=Text)


class SignInLinkRow(SQLModel, table=True):
    """A one-time dashboard sign-in link: the SHA-256 of its token (never the token), who it is for,
    until when it works and when it was used (once)."""

    __tablename__ = "dashboard_link"
    id: int | None = _pk()
    token_hash: str = Field(max_length=64, unique=True)
    platform: str = Field(max_length=16)
    workspace_id: str = Field(default="", max_length=64)
    user_id: str = Field(max_length=64)
    user_name: str = Field(default="", max_length=200)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)


__all__ = [
    "AnnouncementCtaRow",
    "AnnouncementRow",
    "AnnouncementTopicRow",
    "AnswerRow",
    "AuditRow",
    "ChannelRow",
    "DeliveryDayRow",
    "DeliveryRow",
    "DeliveryWeekRow",
    "DigestRow",
    "EngagementDayRow",
    "EngagementEventRow",
    "EngagementWeekRow",
    "InviteRow",
    "JobRunRow",
    "NoticeRow",
    "PartnerRow",
    "QuestionRow",
    "ReactionRow",
    "RelayRow",
    "SavedAudienceRow",
    "SignInLinkRow",
    "SubscriptionRow",
    "TopicRow",
    "UTCDateTime",
    "table_of",
]


class RateLimitRow(SQLModel, table=True):
    """One shared rate-limit bucket (PARTNERBOT_RATE_LIMITS=shared): GCRA's theoretical arrival time.

    `tat` is the wall-clock instant (epoch seconds) at which the bucket is empty again; a request
    may go out at max(now, tat - burst tolerance) and pushes `tat` one emission interval further.
    """

    __tablename__ = "rate_limit"
    key: str = Field(primary_key=True, max_length=200)
    tat: float = Field(default=0.0)


class DeliveryUpdateRow(OutboxColumns, table=True):
    """The update outbox: bring one delivered copy in line with its announcement after `edit`
    (kind `edit`, once per revision) or `recall` (kind `delete`). Claimed, leased and retried like a
    delivery, paced by the same rate limits; both operations are idempotent, so a repeat is harmless.
    """

    __tablename__ = "delivery_update"
    __table_args__ = (
        UniqueConstraint("delivery_id", "kind", "revision", name="uq_delivery_update"),
        Index("ix_delivery_update_due", "status", "not_before"),
    )
    id: int | None = _pk()
    delivery_id: int = Field(foreign_key="delivery.id")
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    platform: str = Field(max_length=16)
    kind: str = Field(max_length=16)  # edit | delete
    revision: int = Field(default=0)
    created_at: datetime = _ts()


class EngagementEventRow(SQLModel, table=True):
    """One thing a partner did (bot/domain/engagement.py), append-only, written in the transaction of
    the action itself. Who: the partner and channel as they were then (NULL for a channel linked to
    none), the platform and its user id (NULL when the action has no single person, e.g. a back-filled
    subscription); what it concerns: the announcement and/or topic."""

    __tablename__ = "engagement_event"
    __table_args__ = (
        # Covering for the per-partner counts of the score and gone-quiet lists (one ordered scan).
        Index("ix_engagement_event_partner_at", "partner_id", "at", "proactive", "kind"),
        # The dashboard overview's window of actions (all partners), from the index alone.
        Index(
            "ix_engagement_event_kind_at",
            "kind",
            "at",
            "proactive",
            "partner_id",
            "announcement_id",
            "channel_id",
            "topic_id",
        ),
        # The dashboard's engaged channels per announcement (its page, a page of the list).
        Index(
            "ix_engagement_event_announcement",
            "announcement_id",
            "kind",
            "channel_id",
        ),
        # The dashboard's Topics page: subscription events per topic, and the copies engaged with
        # within a window (migration 0018).
        Index(
            "ix_engagement_event_topic",
            "topic_id",
            "at",
            "kind",
            postgresql_where=text("topic_id IS NOT NULL"),
            sqlite_where=text("topic_id IS NOT NULL"),
        ),
        Index(
            "ix_engagement_event_announcement_at",
            "at",
            "announcement_id",
            "channel_id",
            "kind",
            postgresql_where=text("announcement_id IS NOT NULL"),
            sqlite_where=text("announcement_id IS NOT NULL"),
        ),
    )
    id: int | None = _pk()
    at: datetime = _ts()
    kind: str = Field(max_length=32)
    proactive: bool = Field(default=False)
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    channel_id: int | None = Field(default=None, foreign_key="channel.id")
    platform: str = Field(max_length=16)
    user_id: str | None = Field(default=None, max_length=64)
    announcement_id: int | None = Field(default=None, foreign_key="announcement.id")
    topic_id: int | None = Field(default=None, foreign_key="topic.id")
    detail: str | None = Field(default=None, max_length=100)


class EngagementDayRow(SQLModel, table=True):
    """Per partner and UTC day, the counted engagement events (proactive, reactive; a removed reaction
    is not counted) and the latest of them: kept by `storage.repositories.rollups` in the transaction
    that writes each event, so the score and gone-quiet lists read one row per active day instead of
    every event (migration 0020 back-fills it)."""

    __tablename__ = "engagement_day"
    # Clustered by (day, partner) on SQLite too: a window reads its few days around the whole weeks as
    # ranges of the key, without a lookup per row.
    __table_args__ = {"sqlite_with_rowid": False}
    day: date = Field(primary_key=True)
    partner_id: int = Field(primary_key=True, foreign_key="partner.id")
    proactive: int = Field(default=0)
    reactive: int = Field(default=0)
    last_at: datetime = _when()
    last_kind: str = Field(max_length=32)


class DeliveryDayRow(SQLModel, table=True):
    """Per channel and UTC day, the deliveries sent (by `sent_at`): kept in the transaction that marks
    a delivery sent (the delivery outbox, digests), read by the score as "announcements received"."""

    __tablename__ = "delivery_day"
    __table_args__ = {"sqlite_with_rowid": False}
    day: date = Field(primary_key=True)
    channel_id: int = Field(primary_key=True, foreign_key="channel.id")
    sent: int = Field(default=0)


class AnnouncementDayRow(SQLModel, table=True):
    """Per announcement and UTC day, its copies sent that day (by `sent_at`) and how many of them a
    partner has acted on (`engaged_at` set), with the latest such `engaged_at` (an upper bound: a copy
    sent again moves off its day without lowering it). Kept where `delivery_day` is (the outbox,
    digests) and where a copy is marked engaged, in the same transaction; the dashboard's Topics page
    reads a window's whole days here instead of every copy (migration 0036 back-fills it)."""

    __tablename__ = "announcement_day"
    __table_args__ = {"sqlite_with_rowid": False}
    day: date = Field(primary_key=True)  # first: a window reads its whole days as one range of the key
    announcement_id: int = Field(primary_key=True, foreign_key="announcement.id")
    sent: int = Field(default=0)
    engaged: int = Field(default=0)
    last_engaged_at: datetime | None = _when(nullable=True)


class OverviewDayRow(SQLModel, table=True):
    """Per UTC day of `sent_at` and segment at send time (the delivery's tier, type, region, language;
    "" for none), the copies with status `sent` and how many of them a partner acted on, with the
    latest `engaged_at` (an upper bound). `topic_id` 0 counts every copy; a topic's id counts the copies
    of its announcements (each copy once per topic of its announcement). The dashboard's Overview reads
    a window's whole days here (storage/repositories/overview_rollup.py keeps it; migration 0037)."""

    __tablename__ = "overview_day"
    __table_args__ = {"sqlite_with_rowid": False}
    day: date = Field(primary_key=True)  # first: a window reads its whole days as one range of the key
    topic_id: int = Field(primary_key=True)
    tier: str = Field(primary_key=True, max_length=40)
    type: str = Field(primary_key=True, max_length=40)
    region: str = Field(primary_key=True, max_length=40)
    language: str = Field(primary_key=True, max_length=20)
    sent: int = Field(default=0)
    engaged: int = Field(default=0)
    last_engaged_at: datetime | None = _when(nullable=True)


class OverviewFailureRow(SQLModel, table=True):
    """`overview_day` for the failed copies (status `failed`), per UTC day of `not_before` (when the
    copy was due, as the Overview's failures filter them) and `last_error`."""

    __tablename__ = "overview_failure"
    __table_args__ = {"sqlite_with_rowid": False}
    day: date = Field(primary_key=True)
    topic_id: int = Field(primary_key=True)
    tier: str = Field(primary_key=True, max_length=40)
    type: str = Field(primary_key=True, max_length=40)
    region: str = Field(primary_key=True, max_length=40)
    language: str = Field(primary_key=True, max_length=20)
    last_error: str = Field(primary_key=True, max_length=300)
    failed: int = Field(default=0)


class ChannelReachRow(SQLModel, table=True):
    """Per channel, segment at send time and topic (0: any), when its latest copy with status `sent`
    went out: the Overview's window always ends now, so the channels it reached are those whose latest
    copy is inside it (a distinct count over at most a row per channel, not over every copy)."""

    __tablename__ = "channel_reach"
    __table_args__ = {"sqlite_with_rowid": False}
    topic_id: int = Field(primary_key=True)  # first: a view reads one topic's (or every) channel
    channel_id: int = Field(primary_key=True, foreign_key="channel.id")
    tier: str = Field(primary_key=True, max_length=40)
    type: str = Field(primary_key=True, max_length=40)
    region: str = Field(primary_key=True, max_length=40)
    language: str = Field(primary_key=True, max_length=20)
    last_sent_at: datetime = _when()


class AnnouncementReachRow(SQLModel, table=True):
    """`channel_reach` per announcement (a topic filters announcements by their topics)."""

    __tablename__ = "announcement_reach"
    __table_args__ = {"sqlite_with_rowid": False}
    announcement_id: int = Field(primary_key=True, foreign_key="announcement.id")
    tier: str = Field(primary_key=True, max_length=40)
    type: str = Field(primary_key=True, max_length=40)
    region: str = Field(primary_key=True, max_length=40)
    language: str = Field(primary_key=True, max_length=20)
    last_sent_at: datetime = _when()


class EngagementWeekRow(SQLModel, table=True):
    """`engagement_day` summed per week (starting Monday, UTC): a window of whole days reads its whole
    weeks here and only its first and last few days from `engagement_day`. `last_day`: the day of the
    week's latest counted event (its kind is that day's `last_kind`)."""

    __tablename__ = "engagement_week"
    __table_args__ = {"sqlite_with_rowid": False}
    week: date = Field(primary_key=True)  # first: a window reads its weeks as one range of the key
    partner_id: int = Field(primary_key=True, foreign_key="partner.id")
    proactive: int = Field(default=0)
    reactive: int = Field(default=0)
    last_at: datetime = _when()
    last_day: date


class DeliveryWeekRow(SQLModel, table=True):
    """`delivery_day` summed per week (starting Monday, UTC)."""

    __tablename__ = "delivery_week"
    __table_args__ = {"sqlite_with_rowid": False}
    week: date = Field(primary_key=True)
    channel_id: int = Field(primary_key=True, foreign_key="channel.id")
    sent: int = Field(default=0)


class FaqDocumentRow(SQLModel, table=True):
    """An answered question as its answer may be offered again (issue 18): one row per answered
    question, written in the transaction that records its answer (storage/repositories/faq.py).

    `shown_question` / `shown_answer` are the words a partner is shown (the question and its latest
    answer, or the wording an admin gave the FAQ: `edited`); `question` / `answer` are the same
    folded (bot/domain/search.py) for the full-text indexes built on them by migration 0033: SQLite's
    FTS5 `faq_fts` (unicode61, accents removed; triggers keep it in step), PostgreSQL's generated
    `faq_vector` tsvector with a GIN index. `faq`: an admin marked it reusable for every partner;
    `served`: the partner questions it answered on its own ("This answers it")."""

    __tablename__ = "faq_document"
    __table_args__ = (
        Index("ix_faq_document_announcement", "announcement_id"),
        Index("ix_faq_document_faq", "question_id", sqlite_where=text("faq"), postgresql_where=text("faq")),
    )
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    announcement_id: int | None = Field(default=None, foreign_key="announcement.id")
    channel_id: int = Field(foreign_key="channel.id")
    shown_question: str = Field(sa_type=Text)
    shown_answer: str = Field(sa_type=Text)
    question: str = Field(sa_type=Text)
    answer: str = Field(sa_type=Text)
    cjk: bool = Field(default=False)
    # Who may be offered it, as words for the full-text index (`scope`): `a<announcement id>`, and
    # `faq` for an FAQ; SQLite's match ANDs them with the question's words (faq_search.py).
    scope: str = Field(default="", sa_type=Text)
    faq: bool = Field(default=False)
    edited: bool = Field(default=False)
    served: int = Field(default=0)
    updated_at: datetime = _ts()


class FaqWordRow(SQLModel, table=True):
    """How many answered questions (`faq_document` rows) hold each significant word (issue 18), kept
    in the transactions that write the documents (storage/repositories/faq_search.py): the FAQ match
    leaves out words too common to say what a question is about (bot/domain/faq.py). The word ''
    counts the documents themselves."""

    __tablename__ = "faq_word"
    word: str = Field(primary_key=True)
    docs: int = Field(default=0)


class FaqEmbeddingRow(SQLModel, table=True):
    """An answered question's vector for one embedding model (issue 18, PARTNERBOT_SIMILARITY=
    embeddings; adapters/similarity/): computed once from the wording partners are shown and kept,
    so a new question costs one encoding, not one per candidate. Dropped in the transaction that
    changes that wording (storage/repositories/faq.py, faq_search.py) and with its `faq_document` row
    (ON DELETE CASCADE: retention forgets it too). `vector`: the matcher's own encoding (float32)."""

    __tablename__ = "faq_embedding"
    question_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("faq_document.question_id", ondelete="CASCADE"), primary_key=True
        )
    )
    model: str = Field(sa_column=Column(Text, primary_key=True))
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class OfferedAnswerRow(SQLModel, table=True):
    """Which answers a pending question was offered (so a press names one that really was)."""

    __tablename__ = "offered_answer"
    __table_args__ = {"sqlite_with_rowid": False}
    question_id: int = Field(foreign_key="question.id", primary_key=True)
    answered_by: int = Field(foreign_key="question.id", primary_key=True)


class ScoreSpanRow(SQLModel, table=True):
    """A snapshot of the roll-ups over the completed UTC days [first_day, end_day), per partner
    (`score_span_event`) and per channel (`score_span_sent`): a score or gone-quiet window reads one row
    per partner for its completed days instead of their day and week rows
    (storage/repositories/snapshots.py). `state`: building (by `built_by` until `lease_until`), ready,
    or stale (a roll-up of one of its days changed after it was built; rebuilt by the next job run)."""

    __tablename__ = "score_span"
    __table_args__ = (UniqueConstraint("first_day", "end_day", name="uq_score_span_days"),)
    id: int | None = _pk()
    first_day: date
    end_day: date
    state: str = Field(max_length=16)
    built_by: str = Field(default="", max_length=64)
    lease_until: datetime | None = _when(nullable=True)
    built_at: datetime | None = _when(nullable=True)


class ScoreSpanEventRow(SQLModel, table=True):
    """Per span and partner, `engagement_day` summed over the span's days (as `rollups.event_rows`)."""

    __tablename__ = "score_span_event"
    __table_args__ = {"sqlite_with_rowid": False}
    span_id: int = Field(primary_key=True)
    partner_id: int = Field(primary_key=True)
    proactive: int = Field(default=0)
    reactive: int = Field(default=0)
    last_at: datetime = _when()
    last_day: date


class ScoreSpanSentRow(SQLModel, table=True):
    """Per span and channel, `delivery_day` summed over the span's days."""

    __tablename__ = "score_span_sent"
    __table_args__ = {"sqlite_with_rowid": False}
    span_id: int = Field(primary_key=True)
    channel_id: int = Field(primary_key=True)
    sent: int = Field(default=0)
