"""The dashboard's Announcements pages: the list, and each announcement's story.

Read models and the read port (implemented by `storage.repositories.announcement_story`). "Engaged"
means a delivered channel did something about the announcement: reacted, pressed Helpful, asked,
acknowledged or clicked (an engagement event on it, bot/domain/engagement.py); a reaction taken back
still counts as having reacted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.analytics import DeliveryProgress
from bot.domain.announcements import AnnouncementStatus, Audience
from bot.domain.approvals import Approval
from bot.domain.cta import CtaClicks
from bot.domain.engagement import EngagementKind
from bot.domain.refs import Platform


@dataclass(frozen=True, slots=True)
class AnnouncementQuery:
    """Newest first; `before` is the last id of the previous page (keyset paging, no OFFSET).
    `days`: created within that many days of `now`; None is any time."""

    status: AnnouncementStatus | None = None
    topic: str | None = None
    days: int | None = None
    before: int | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class AnnouncementLine:
    """One row of the list: what it is, who it was for, how far it went."""

    id: int
    title: str
    status: AnnouncementStatus
    topics: tuple[str, ...]
    audience: Audience
    created_at: datetime
    sent_at: datetime | None
    targeted: int
    delivered: int
    engaged: int  # delivered channels that engaged with it

    @property
    def engagement(self) -> float | None:
        """Engaged channels per delivered channel; None before anything was delivered."""
        return self.engaged / self.delivered if self.delivered else None


@dataclass(frozen=True, slots=True)
class Funnel:
    """Targeted → delivered → engaged, and the channels that did each kind of engaging."""

    targeted: int
    delivered: int
    engaged: int
    by_kind: tuple[tuple[EngagementKind, int], ...]  # in bot.domain.engagement.ENGAGING_KINDS order


@dataclass(frozen=True, slots=True)
class SegmentReach:
    """Reach and engagement of one value of a partner dimension (as the partner was when sent)."""

    value: str
    targeted: int
    delivered: int
    engaged: int


@dataclass(frozen=True, slots=True)
class RevisionEntry:
    """One edit (`revision` 1, 2…) or the recall: when it was queued and how far its updates went."""

    kind: str  # "edit" or "delete" (the recall)
    revision: int
    at: datetime
    copies: int
    done: int
    failed: int
    superseded: int = 0  # an edit's updates made pointless by a later edit or the recall


@dataclass(frozen=True, slots=True)
class Story:
    """Everything on an announcement's page but its per-channel table (paged separately)."""

    line: AnnouncementLine
    body: str
    author: str
    priority: str
    edited_at: datetime | None
    funnel: Funnel
    by_tier: tuple[SegmentReach, ...]
    by_region: tuple[SegmentReach, ...]
    by_language: tuple[SegmentReach, ...]
    # Deliveries sent by each instant (cumulative), oldest first; empty when nothing was sent.
    delivered_over_time: tuple[tuple[datetime, int], ...]
    revisions: tuple[RevisionEntry, ...]
    # Its calls to action, each with its clicks (every click counts), by tier and region.
    ctas: tuple[CtaClicks, ...] = ()
    # Approval before send: its requests, oldest first, and its current revision (a pending request
    # for an older one is left behind).
    approvals: tuple[Approval, ...] = ()
    revision: int = 0


@dataclass(frozen=True, slots=True)
class AnswerLine:
    by: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class QuestionLine:
    asker: str
    text: str
    at: datetime
    status: str
    answers: tuple[AnswerLine, ...]


@dataclass(frozen=True, slots=True)
class ChannelActivity:
    """One delivery of the announcement: where it went, what happened, what the partner did."""

    delivery_id: int
    partner: str | None
    channel_name: str
    platform: Platform
    workspace: str
    channel: str
    status: str
    sent_at: datetime | None
    message_id: str | None
    failure: str  # the normalised failure reason, "" unless it failed
    reactions: tuple[tuple[str, int], ...]  # active reactions: (emoji, how many people)
    questions: tuple[QuestionLine, ...]


class AnnouncementStories(Protocol):
    """The Announcements pages' reads: one SQL statement per part, bounded by the page."""

    async def page(self, query: AnnouncementQuery, *, now: datetime) -> list[AnnouncementLine]: ...

    def export(self, query: AnnouncementQuery, *, now: datetime) -> AsyncIterator[AnnouncementLine]:
        """Every matching announcement, newest first, streamed (`limit` and `before` are ignored)."""
        ...

    async def exists(self, announcement_id: int) -> bool: ...

    async def story(self, announcement_id: int) -> Story | None:
        """None for an unknown id."""
        ...

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress: ...

    async def channels(self, announcement_id: int, *, after: int | None, limit: int) -> list[ChannelActivity]:
        """Its deliveries by id, from just after `after` (keyset paging)."""
        ...

    def export_channels(self, announcement_id: int) -> AsyncIterator[ChannelActivity]: ...
