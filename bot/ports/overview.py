"""The dashboard's Overview page: the programme at a glance over the last 30 or 90 days, for a segment.

Implemented by `storage.repositories.overview.OverviewRepository`: a few SQL aggregates, whatever the
number of deliveries. Deliveries are counted in the segment their partner had when they were sent (the
tier/type/region/language stored on each delivery); actions and questions in the segment their partner
has now. A topic narrows to the announcements on it (and, for actions, the events about it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.dashboard import Segment


@dataclass(frozen=True, slots=True)
class SegmentChoices:
    """The values the filters offer: what partners (not removed) have, and the topics not archived."""

    tiers: tuple[str, ...]
    regions: tuple[str, ...]
    types: tuple[str, ...]
    languages: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionBucket:
    """Proactive and reactive actions in one bucket (a UTC day, or a calendar week from Monday) from
    `start`, midnight UTC; the first and the last are cut by the window."""

    start: datetime
    proactive: int
    reactive: int


@dataclass(frozen=True, slots=True)
class OverviewFigures:
    """The cards and the actions over time. `engaged`: delivered copies on which the partner did
    something (reacted, Helpful, asked, acknowledged…); `median_answer`: over the questions asked in the
    window and answered; `actions`: per bucket, oldest first, empty buckets included."""

    announcements: int
    channels: int
    delivered: int
    engaged: int
    questions_asked: int
    questions_answered: int
    median_answer: timedelta | None
    actions: tuple[ActionBucket, ...]

    @property
    def proactive(self) -> int:
        return sum(b.proactive for b in self.actions)

    @property
    def reactive(self) -> int:
        return sum(b.reactive for b in self.actions)

    @property
    def engagement_rate(self) -> float | None:
        return self.engaged / self.delivered if self.delivered else None


@dataclass(frozen=True, slots=True)
class FailureCount:
    """Failed deliveries of one reason (normalised as in `stats`: one cause, one row)."""

    reason: str
    count: int


class OverviewView(Protocol):
    async def choices(self) -> SegmentChoices: ...

    async def figures(
        self, segment: Segment, *, topic_id: int | None, now: datetime, bucket: timedelta
    ) -> OverviewFigures:
        """The cards over [now - segment.days, now], and the actions per `bucket` (one day: UTC days
        from the window's first; one week: calendar weeks, Monday to Sunday, the first and last cut to
        the window); `topic_id` is the segment's topic, resolved."""
        ...

    async def failures(self, segment: Segment, *, topic_id: int | None, now: datetime) -> list[FailureCount]:
        """Failed deliveries whose last attempt was in the window, per reason, most first."""
        ...

    async def topic_id(self, slug: str) -> int | None:
        """The topic of that slug (case-insensitive), archived or not; None: no such topic."""
        ...

    async def in_segment(
        self, partner_ids: Sequence[int], segment: Segment, *, topic_id: int | None
    ) -> set[int]:
        """Which of `partner_ids` are in the segment now (a topic: a channel of theirs follows it)."""
        ...
