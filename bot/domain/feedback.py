"""Feedback from partners: questions, the delivery a platform message belongs to, acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.refs import ChannelRef, MessageRef


class QuestionStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    # Issue 18: existing answers were offered to the partner; relayed when they ask the team anyway
    # (or the offer's wait runs out), closed as self-served when one answered it.
    OFFERED = "offered"
    SELF_SERVED = "self_served"


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
