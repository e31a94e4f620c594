"""The dashboard's Topics page: subscribers per topic over time and the over-sending view (deliveries
against engagement per topic). Read port implemented by `storage.repositories.topic_trends`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.dashboard import Segment


@dataclass(frozen=True, slots=True)
class TopicSubscribers:
    """Subscribed channels of one topic at each of the given instants (oldest first)."""

    topic_id: int
    slug: str
    title: str
    archived: bool
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TopicLoad:
    """Within a window: copies of the topic's announcements delivered, how many of them the partner
    engaged with (reacted, Helpful, asked, acknowledged, clicked), and the rate."""

    topic_id: int
    slug: str
    title: str
    deliveries: int
    engaged: int

    @property
    def rate(self) -> float | None:
        return self.engaged / self.deliveries if self.deliveries else None


class TopicTrends(Protocol):
    async def subscribers(self, at: Sequence[datetime], *, now: datetime) -> list[TopicSubscribers]:
        """Per topic (by slug), the subscribed channels at each instant of `at`: today's subscriptions
        with the subscribe/unsubscribe/mute events after each instant undone."""
        ...

    async def load(self, segment: Segment, *, since: datetime, until: datetime) -> list[TopicLoad]:
        """Per topic (most deliveries first), copies sent within [since, until) to the segment's
        partners (as they were when sent) and how many were engaged with."""
        ...
