"""The reads behind stats, weekly reports, reminders and live progress messages."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.cadence import Engagement
from bot.domain.analytics import AnnouncementStats, DeliveryProgress, ProgressSlot, TopicStats
from bot.domain.engagement import ActionTotals
from bot.domain.feedback import Question


class StatsStore(Protocol):
    """Implemented by `storage.repositories.StatsRepository`."""

    async def announcement(self, announcement_id: int) -> AnnouncementStats | None: ...

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress:
        """Its deliveries by state in one grouped read (all zero for an unknown id or a draft);
        rows not due before `now` that were never attempted count as held."""
        ...

    async def topics(self) -> list[TopicStats]:
        """Per topic: announcements sent on it, deliveries, active reactions and questions."""
        ...


class ReportStore(Protocol):
    """Implemented by `storage.repositories.ReportRepository`: the reads behind reports and reminders."""

    async def engagement(self, *, since: datetime, until: datetime) -> Engagement:
        """Per topic and tier within [since, until): deliveries sent, reactions added, questions asked;
        and questions asked a day or more before `until` that were still open at `until`."""
        ...

    async def actions(self, *, since: datetime, until: datetime) -> ActionTotals:
        """Engagement events within [since, until) per kind, of every channel (linked or not)."""
        ...

    async def questions_to_remind(
        self, *, asked_before: datetime, key_prefix: str, limit: int
    ) -> list[Question]:
        """Open questions asked before `asked_before` with no notice keyed `key_prefix + id` yet."""
        ...


class ProgressStore(Protocol):
    """The live progress message of each broadcast. `storage.repositories.ProgressRepository`."""

    async def attach(self, announcement_id: int, notice_key: str) -> None: ...

    async def due(self, *, limit: int = 50) -> list[ProgressSlot]: ...

    async def save(self, announcement_id: int, *, text: str, final: bool, shown: str) -> bool: ...

    async def restore(self, announcement_id: int, *, shown: str) -> None: ...

    async def reopen(self, announcement_id: int) -> None: ...
