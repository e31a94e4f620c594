"""`stats` and `scheduled`: an announcement's numbers, the recent ones and each topic's, what waits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bot import messages as m
from bot.domain.analytics import AnnouncementStats, TopicStats
from bot.domain.conversation import Reply
from bot.domain.cta import CtaClicks
from bot.domain.feedback import AckState
from bot.presenter.scheduling import span
from bot.results import ScheduledListed, StatsOverview, StatsShown
from bot.timing import ScheduledAnnouncement


def stats_reply(shown: StatsShown) -> Reply:
    """One announcement's numbers, then its acknowledgement rate by tier when it asks for one."""
    text = render_announcement(shown.stats)
    if shown.acks is not None:
        text += "\n" + stats_line(shown.acks)
    return Reply(text=text)


def stats_overview_reply(overview: StatsOverview) -> Reply:
    if not overview.recent:
        return Reply(text=m.NO_ANNOUNCEMENTS_YET)
    lines = [m.STATS_RECENT_HEADER] + [render_summary(summary) for summary in overview.recent]
    if overview.topics:
        lines += ["", m.STATS_TOPICS_HEADER] + [render_topic(t) for t in overview.topics]
    return Reply(text="\n".join(lines))


def scheduled_reply(listed: ScheduledListed) -> Reply:
    if not listed.items:
        return Reply(text=m.NO_SCHEDULED)
    lines = [m.SCHEDULED_HEADER.format(count=len(listed.items))]
    lines.extend(_scheduled_line(item) for item in listed.items)
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
        + ("\n" + m.STATS_CAPPED(s.capped) if s.capped else "")
        + (
            "\n"
            + m.STATS_SELF_SERVED.format(self_served=s.questions_self_served, relayed=s.questions_relayed)
            if s.questions_asked
            else ""
        )
        + "\n"
        + m.STATS_ACTIONS.format(**actions(s.proactive, s.reactive))
        + _cta_clicks(s.ctas)
    )


def _cta_clicks(ctas: tuple[CtaClicks, ...]) -> str:
    """Each call to action's clicks, and by tier and region when there are any."""
    if not ctas:
        return ""
    lines = [m.STATS_CTA_HEADER]
    for cta in ctas:
        by = (
            m.STATS_CTA_BY.format(tiers=_counts(cta.by_tier), regions=_counts(cta.by_region))
            if cta.clicks
            else ""
        )
        lines.append(m.STATS_CTA_LINE.format(label=cta.label, clicks=m.CLICKS(cta.clicks), by=by))
    return "\n" + "\n".join(lines)


def render_summary(s: AnnouncementStats) -> str:
    return (
        m.STATS_SUMMARY_LINE.format(
            id=s.announcement_id,
            title=s.title,
            status=m.STATUS_NAMES[s.status.value],
            delivered=s.delivered,
            targeted=s.targeted,
            failed=s.failed,
            reactions=m.REACTIONS(sum(s.reactions.values())),
            questions=m.QUESTIONS(s.questions_asked),
        )
        + m.STATS_ACTIONS_SUFFIX.format(**actions(s.proactive, s.reactive))
        + _capped_suffix(s.capped)
    )


def render_topic(t: TopicStats) -> str:
    return (
        m.STATS_TOPIC_LINE.format(
            slug=t.slug,
            announcements=m.ANNOUNCEMENTS(t.announcements),
            delivered=t.delivered,
            reactions=m.REACTIONS(t.reactions),
            questions=m.QUESTIONS(t.questions),
        )
        + m.STATS_ACTIONS_SUFFIX.format(**actions(t.proactive, t.reactive))
        + _capped_suffix(t.capped)
    )


def _capped_suffix(capped: int) -> str:
    """ ", 4 over weekly caps" (bot/caps.py): shown only when some were."""
    return m.CAPPED_SUFFIX(capped) if capped else ""


def actions(proactive: int, reactive: int) -> dict[str, str]:
    """ "3 proactive actions", "1 reactive action": the words around the engagement-event counts."""
    return {"proactive": m.PROACTIVE_ACTIONS(proactive), "reactive": m.REACTIVE_ACTIONS(reactive)}


def stats_line(states: Sequence[AckState]) -> str:
    """The acknowledgement rate, overall and by tier."""
    total: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for state in states:
        tier = state.partner_tier or m.ACKS_UNLINKED
        total[tier] += 1
        done[tier] += state.acked_by is not None
    acked, count = sum(done.values()), sum(total.values())
    tiers = (
        ", ".join(m.STATS_ACK_TIER.format(tier=t, done=done[t], total=total[t]) for t in sorted(total)) or "—"
    )
    rate = f"{acked / count:.0%}" if count else "—"
    return m.STATS_ACKS.format(done=acked, total=count, rate=rate, tiers=tiers)


def _scheduled_line(item: ScheduledAnnouncement) -> str:
    a = item.announcement
    schedule = a.schedule
    when = f"{schedule.wall:%Y-%m-%d %H:%M} {schedule.zone or 'local'}" if schedule else "?"
    times = ", " + span(item.first, item.last) if item.first and item.last else ""
    waiting = m.DELIVERIES(item.waiting)
    return m.SCHEDULED_LINE.format(id=a.id, title=a.title, when=when, waiting=waiting, span=times)


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(
        f"{key} {value}" for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
