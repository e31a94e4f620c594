"""bot/presenter/analytics.py: `stats` and `scheduled` as typed results, in the words the analytics
and scheduling services wrote before they returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages as m
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Platform,
    Priority,
    Refusal,
    RefusalCode,
    UserRef,
)
from bot.domain.analytics import AnnouncementStats, TopicStats
from bot.domain.feedback import AckState
from bot.domain.scheduling import Schedule
from bot.presenter import present
from bot.results import Refused, ScheduledListed, StatsOverview, StatsShown
from bot.timing import ScheduledAnnouncement


def _stats(id: int = 7, failures: dict[str, int] | None = None) -> AnnouncementStats:
    return AnnouncementStats(
        announcement_id=id,
        title="Price list",
        status=AnnouncementStatus.SENT,
        targeted=5,
        delivered=4,
        failed=1,
        pending=0,
        in_digest=0,
        reactions={"👍": 2, "🎉": 3},
        questions_asked=1,
        questions_answered=0,
        questions_relayed=1,
        reach_by_tier={"gold": 3, "silver": 2},
        reach_by_region={},
        failures_by_reason=failures or {},
    )


def _ack(tier: str, acked: bool) -> AckState:
    channel = ChannelRef(Platform.LOCAL, "local", "c")
    return AckState(1, "Acme", tier, channel, "c", acked_by="u1" if acked else None)


# Neither stat here has engagement events: the actions suffix counts none of either kind.
NO_ACTIONS = m.STATS_ACTIONS_SUFFIX.format(proactive="0 proactive actions", reactive="0 reactive actions")


def test_one_announcements_numbers_count_reactions_and_reach_most_first() -> None:
    shown = present(StatsShown(_stats()))
    assert shown.text == m.STATS_DETAIL.format(
        id=7,
        title="Price list",
        status=m.STATUS_NAMES["sent"],
        targeted=5,
        delivered=4,
        failed=1,
        pending=0,
        digest=0,
        reactions="🎉 3, 👍 2",
        asked=1,
        answered=0,
        tiers="gold 3, silver 2",
        regions="—",
    ) + "\n" + m.STATS_SELF_SERVED.format(self_served=0, relayed=1) + "\n" + m.STATS_ACTIONS.format(
        proactive="0 proactive actions", reactive="0 reactive actions"
    )
    assert not shown.is_error


def test_failures_and_the_acknowledgement_rate_follow_when_there_are_some() -> None:
    acks = (_ack("gold", True), _ack("gold", False), _ack("", True))
    shown = present(StatsShown(_stats(failures={"not_in_channel": 1}), acks))
    lines = shown.text.split("\n")
    assert lines[-4] == m.STATS_FAILURES.format(reasons="not_in_channel 1")
    assert lines[-3] == m.STATS_SELF_SERVED.format(self_served=0, relayed=1)
    assert lines[-2] == m.STATS_ACTIONS.format(proactive="0 proactive actions", reactive="0 reactive actions")
    unlinked = m.STATS_ACK_TIER.format(tier=m.ACKS_UNLINKED, done=1, total=1)
    tiers = ", ".join(sorted([m.STATS_ACK_TIER.format(tier="gold", done=1, total=2), unlinked]))
    assert lines[-1] == m.STATS_ACKS.format(done=2, total=3, rate="67%", tiers=tiers)
    no_copies = present(StatsShown(_stats(), ()))
    assert no_copies.text.endswith("\n" + m.STATS_ACKS.format(done=0, total=0, rate="—", tiers="—"))


def test_the_overview_lists_recent_announcements_then_topics() -> None:
    overview = present(StatsOverview((_stats(7), _stats(8)), (TopicStats("pricing", 1, 4, 5, 1),)))
    lines = overview.text.split("\n")
    assert lines[0] == m.STATS_RECENT_HEADER
    assert (
        lines[1]
        == m.STATS_SUMMARY_LINE.format(
            id=7,
            title="Price list",
            status=m.STATUS_NAMES["sent"],
            delivered=4,
            targeted=5,
            failed=1,
            reactions="5 reactions",
            questions="1 question",
        )
        + NO_ACTIONS
    )
    assert lines[3:] == [
        "",
        m.STATS_TOPICS_HEADER,
        m.STATS_TOPIC_LINE.format(
            slug="pricing",
            announcements="1 announcement",
            delivered=4,
            reactions="5 reactions",
            questions="1 question",
        )
        + NO_ACTIONS,
    ]
    assert present(StatsOverview((_stats(),))).text.count("\n") == 1
    assert present(StatsOverview(())).text == m.NO_ANNOUNCEMENTS_YET


def test_stats_for_an_unknown_announcement_is_refused() -> None:
    refused = present(Refused(RefusalCode.NO_SUCH_ANNOUNCEMENT, announcement_id=9))
    assert refused.text == m.NO_SUCH_ANNOUNCEMENT.format(id=9)
    assert refused.is_error and refused.refusal == Refusal(RefusalCode.NO_SUCH_ANNOUNCEMENT)


def _scheduled(zone: str | None) -> Announcement:
    wall = datetime(2026, 12, 1, 9)
    return Announcement(
        id=4,
        title="Later",
        body="Not yet.",
        topics=("pricing",),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.SCHEDULED,
        author=UserRef(Platform.LOCAL, "local", "alice", "Alice"),
        origin=ChannelRef(Platform.LOCAL, "local", "admin"),
        created_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
        schedule=Schedule(wall, zone, datetime(2026, 12, 1, 8, tzinfo=UTC)),
    )


def test_scheduled_lists_each_with_its_time_and_what_waits() -> None:
    first, last = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 17, tzinfo=UTC)
    listed = present(
        ScheduledListed(
            (
                ScheduledAnnouncement(_scheduled("Europe/Berlin"), 1, first, first),
                ScheduledAnnouncement(_scheduled(None), 3, first, last),
                ScheduledAnnouncement(_scheduled("UTC"), 0, None, None),
            )
        )
    )
    assert listed.text.split("\n") == [
        "**Scheduled announcements** (3)",
        "• #4 Later — 2026-12-01 09:00 Europe/Berlin · 1 delivery waiting, at 2026-12-01 08:00 UTC",
        "• #4 Later — 2026-12-01 09:00 local · 3 deliveries waiting, "
        "between 2026-12-01 08:00 UTC and 2026-12-01 17:00 UTC",
        "• #4 Later — 2026-12-01 09:00 UTC · 0 deliveries waiting",
    ]
    assert present(ScheduledListed(())).text == m.NO_SCHEDULED
