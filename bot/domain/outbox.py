"""The outbox: claimed rows of work and the outcomes the worker records for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.refs import ChannelRef
from bot.domain.sending import RelayKind


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    # Held for a daily/weekly digest instead of being posted on its own.
    DIGEST = "digest"
    # The announcement was recalled: never posted, or posted and deleted again.
    RECALLED = "recalled"


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
    # The delivery's language (its partner's when it was sent; None or "": the vendor default).
    language: str | None = None


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
    # Deliveries and relays: when the row last became due (queued, its scheduled time or its retry),
    # for the latency metrics.
    due_at: datetime | None = None
    # Deliveries: the partner's language when it was sent (None or "": the vendor default).
    language: str | None = None


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
