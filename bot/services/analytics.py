"""Reach and engagement for admins: per announcement, recent announcements, and per topic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot import messages as m
from bot.domain.analytics import AnnouncementStats, DeliveryProgress, TopicStats
from bot.domain.conversation import Reply
from bot.ports.analytics import StatsStore
from bot.ports.announcements import AnnouncementStore
from bot.ports.feedback import AckStore
from bot.services.acks import stats_line

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

    async def _ack_line(self, announcement_id: int) -> str:
        """The acknowledgement rate by tier, for announcements that ask for acknowledgement."""
        announcement = await self._stores.announcements.get(announcement_id)
        if announcement is None or not announcement.ack_required:
            return ""
        return "\n" + stats_line(await self._stores.acks.states(announcement_id))

    async def topics(self) -> list[TopicStats]:
        return await self._stores.stats.topics()

    async def reply(self, announcement_id: int | None) -> Reply:
        if announcement_id is not None:
            stats = await self.announcement(announcement_id)
            if stats is None:
                return Reply(text=m.NO_SUCH_ANNOUNCEMENT.format(id=announcement_id), is_error=True)
            return Reply(text=render_announcement(stats) + await self._ack_line(announcement_id))
        recent = await self.recent()
        if not recent:
            return Reply(text=m.NO_ANNOUNCEMENTS_YET)
        lines = [m.STATS_RECENT_HEADER] + [render_summary(summary) for summary in recent]
        topics = await self.topics()
        if topics:
            lines += ["", m.STATS_TOPICS_HEADER] + [render_topic(t) for t in topics]
        return Reply(text="\n".join(lines))


def render_announcement(s: AnnouncementStats) -> str:
    return (
        m.STATS_DETAIL.format(
            id=s.announcement_id,
            title=s.title,
            status=m.STATUS_NAMES[s.status.value],
            targeted=s.targeted,
            delivered=s.delivered,
            failed=s.failed,
            pending=s.pending,
            digest=s.in_digest,
            reactions=_counts(s.reactions) or "none",
            asked=s.questions_asked,
            answered=s.questions_answered,
            tiers=_counts(s.reach_by_tier) or "—",
            regions=_counts(s.reach_by_region) or "—",
        )
        + (
            ("\n" + m.STATS_FAILURES.format(reasons=_counts(s.failures_by_reason)))
            if s.failures_by_reason
            else ""
        )
        + "\n"
        + m.STATS_ACTIONS.format(**actions(s.proactive, s.reactive))
    )


def render_summary(s: AnnouncementStats) -> str:
    return m.STATS_SUMMARY_LINE.format(
        id=s.announcement_id,
        title=s.title,
        status=m.STATUS_NAMES[s.status.value],
        delivered=s.delivered,
        targeted=s.targeted,
        failed=s.failed,
        reactions=m.REACTIONS(sum(s.reactions.values())),
        questions=m.QUESTIONS(s.questions_asked),
    ) + m.STATS_ACTIONS_SUFFIX.format(**actions(s.proactive, s.reactive))


def render_topic(t: TopicStats) -> str:
    return m.STATS_TOPIC_LINE.format(
        slug=t.slug,
        announcements=m.ANNOUNCEMENTS(t.announcements),
        delivered=t.delivered,
        reactions=m.REACTIONS(t.reactions),
        questions=m.QUESTIONS(t.questions),
    ) + m.STATS_ACTIONS_SUFFIX.format(**actions(t.proactive, t.reactive))


def actions(proactive: int, reactive: int) -> dict[str, str]:
    """ "3 proactive actions", "1 reactive action": the words around the engagement-event counts."""
    return {"proactive": m.PROACTIVE_ACTIONS(proactive), "reactive": m.REACTIVE_ACTIONS(reactive)}


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
