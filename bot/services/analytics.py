"""Reach and engagement for admins: per announcement, recent announcements, and per topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.analytics import AnnouncementStats, DeliveryProgress, TopicStats
from bot.domain.conversation import RefusalCode
from bot.domain.feedback import AckState
from bot.ports.analytics import StatsStore
from bot.ports.announcements import AnnouncementStore
from bot.ports.feedback import AckStore
from bot.results import Refused, StatsOverview, StatsResult, StatsShown

RECENT = 10


@dataclass(frozen=True, slots=True)
class AnalyticsPorts:
    """The ports AnalyticsService uses (bot/core.py wires them)."""

    stats: StatsStore
    announcements: AnnouncementStore
    acks: AckStore


class AnalyticsService:
    def __init__(self, ports: AnalyticsPorts) -> None:
        self._stores = ports

    async def announcement(self, announcement_id: int) -> AnnouncementStats | None:
        return await self._stores.stats.announcement(announcement_id)

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress:
        """Where its deliveries stand: sent, pending, failed (by reason), held on purpose until
        later (digest, quiet hours, a schedule). Cheap enough to poll every second or so."""
        return await self._stores.stats.progress(announcement_id, now=now)

    async def recent(self, limit: int = RECENT) -> list[AnnouncementStats]:
        found = []
        for announcement in await self._stores.announcements.recent(limit):
            stats = await self._stores.stats.announcement(announcement.id)
            if stats is not None:
                found.append(stats)
        return found

    async def _acks(self, announcement_id: int) -> tuple[AckState, ...] | None:
        """Its copies' acknowledgements, for announcements that ask for acknowledgement."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None or not announcement.ack_required:
            return None
        return tuple(await self._stores.acks.states(announcement_id))

    async def topics(self) -> list[TopicStats]:
        return await self._stores.stats.topics()

    async def show(self, announcement_id: int | None) -> StatsResult:
        """`stats <id>` (one announcement's numbers) or `stats` (the recent ones and each topic's)."""
        if announcement_id is not None:
            stats = await self.announcement(announcement_id)
            if stats is None:
                return Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=announcement_id)
            return StatsShown(stats, await self._acks(announcement_id))
        recent = await self.recent()
        return StatsOverview(tuple(recent), tuple(await self.topics()) if recent else ())
