"""The dashboard's Partners pages: the sortable, filterable partner table with each partner's score and
weekly trend, and one partner's profile, timeline and the announcements it received.

Read models and the read port (implemented by `storage.repositories.partner_pulse`). Every read is
bounded: a page of the table (LIMIT/OFFSET over at most the partners), the trend of the page's partners
in one grouped statement, the timeline and received announcements paged by keyset.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.dashboard import Segment
from bot.domain.engagement import ScoreFormula


class PartnerSort(StrEnum):
    SCORE = "score"
    NAME = "name"
    PROACTIVE = "proactive"
    REACTIVE = "reactive"
    LAST_ACTION = "last"
    TIER = "tier"
    REGION = "region"


@dataclass(frozen=True, slots=True)
class PartnerQuery:
    """Which partners (the segment's dimensions, a name search), in which order, which page (from 1).
    The segment's topic narrows what is counted (its announcements and actions), as `engagement
    topic:` does in the chat; an unknown topic counts nothing."""

    segment: Segment = field(default_factory=Segment)
    search: str | None = None
    sort: PartnerSort = PartnerSort.SCORE
    descending: bool = True
    page: int = 1
    limit: int = 50
    partner_id: int | None = None  # this partner only (its own page)


@dataclass(frozen=True, slots=True)
class PartnerPulseRow:
    """One partner in the table: its score over the window and its latest action (kind and time)."""

    partner_id: int
    name: str
    tier: str
    type: str
    region: str
    language: str
    score: float
    proactive: int
    reactive: int
    received: int
    last_action: datetime | None
    last_kind: str | None


@dataclass(frozen=True, slots=True)
class PartnerPulsePage:
    rows: tuple[PartnerPulseRow, ...]
    total: int  # partners matching the filters, on every page


@dataclass(frozen=True, slots=True)
class PartnerChannel:
    """One of a partner's channels and its settings, with the topics it is subscribed to."""

    id: int
    platform: str
    channel_id: str
    name: str
    mode: str
    quiet_hours: str | None  # None: the vendor's default
    timezone: str | None  # None: the partner's (or the vendor's)
    active: bool
    deactivated_reason: str
    topics: tuple[str, ...]
    muted: tuple[str, ...]  # topics muted with the "Mute this topic" button (and not re-subscribed)


@dataclass(frozen=True, slots=True)
class PartnerDetail:
    id: int
    name: str
    tier: str
    type: str
    region: str
    language: str
    timezone: str
    created_at: datetime
    removed_at: datetime | None
    channels: tuple[PartnerChannel, ...]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One engagement event of the partner (newest first)."""

    id: int
    at: datetime
    kind: str
    proactive: bool
    channel: str
    user: str | None
    announcement_id: int | None
    announcement_title: str | None
    topic: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class ReceivedAnnouncement:
    """One announcement sent to one of the partner's channels, and what the partner did with it."""

    delivery_id: int
    announcement_id: int
    title: str
    channel: str
    status: str
    sent_at: datetime | None
    error: str
    actions: tuple[tuple[str, int], ...]  # (event kind, count), by kind


class PartnerPulse(Protocol):
    async def page(
        self, query: PartnerQuery, *, since: datetime, until: datetime, formula: ScoreFormula
    ) -> PartnerPulsePage: ...

    def export(
        self, query: PartnerQuery, *, since: datetime, until: datetime, formula: ScoreFormula
    ) -> AsyncIterator[PartnerPulseRow]:
        """Every matching partner in the query's order, streamed (its page and limit are ignored)."""
        ...

    async def trends(
        self,
        partner_ids: Sequence[int],
        *,
        bounds: Sequence[datetime],
        formula: ScoreFormula,
        topic: str | None = None,
    ) -> dict[int, list[float]]:
        """The score of each partner in each interval [bounds[i], bounds[i+1]) (one grouped statement)."""
        ...

    async def detail(self, partner_id: int) -> PartnerDetail | None: ...

    async def timeline(self, partner_id: int, *, before: int | None, limit: int) -> list[TimelineEvent]:
        """Its events, newest first; `before`: the last id of the previous page."""
        ...

    async def received(
        self, partner_id: int, *, before: int | None, limit: int
    ) -> list[ReceivedAnnouncement]:
        """Deliveries to its channels, newest first; `before`: the last delivery id of the previous page."""
        ...
