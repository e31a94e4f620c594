"""The weekly engagement report: per topic and tier, what partners received and did last week.

The `weekly-report` job (bot/jobs.py) hands `queue` one report window; the report is rendered once
and queued as a notice for each configured admin channel, keyed by week and channel, so a re-run or a
second process queues nothing new. A week in which nothing happened posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot import messages as m
from bot.cadence import Engagement, EngagementLine, NoticeDraft, Period
from bot.domain.engagement import PROACTIVE, ActionTotals, EngagementKind, QuietPartner
from bot.i18n import Plural
from bot.ports.analytics import ReportStore
from bot.ports.engagement import EngagementStore
from bot.ports.outbox import NoticeStore
from bot.presenter.engagement import last_action_text
from bot.safety import neutralize_mentions
from bot.services.engagement import gone_quiet
from bot.settings import CoreSettings
from bot.timezones import local_wall, zone_or


def report_key(week: str, channel: str) -> str:
    """`report:2026-W48:slack:C0ADMIN` — one report per week and admin channel."""
    return f"report:{week}:{channel}"


@dataclass(frozen=True, slots=True)
class ReportPorts:
    """The ports ReportService uses (bot/core.py wires them)."""

    reports: ReportStore
    notices: NoticeStore
    engagement: EngagementStore  # the partners gone quiet


# The report names at most this many partners gone quiet; `quiet` lists them all.
QUIET_SHOWN = 10


class ReportService:
    def __init__(self, ports: ReportPorts, settings: CoreSettings) -> None:
        self._stores = ports
        self._settings = settings

    async def queue(self, period: Period, *, now: datetime) -> int:
        """Queue the report on `period` for every admin channel; how many notices were new."""
        engagement = await self._stores.reports.engagement(since=period.start, until=period.end)
        actions = await self._stores.reports.actions(since=period.start, until=period.end)
        if engagement.is_empty() and actions.is_empty():
            return 0
        quiet = await gone_quiet(self._stores.engagement, self._settings, now=period.end)
        text = self.render(period, engagement, actions, quiet)
        drafts = [
            NoticeDraft(key=report_key(period.key, channel.key()), channel=channel, text=text)
            for channel in self._settings.admin_channel_refs()
        ]
        return await self._stores.notices.add(drafts, now=now) if drafts else 0

    def render(
        self,
        period: Period,
        engagement: Engagement,
        actions: ActionTotals | None = None,
        quiet: Sequence[QuietPartner] = (),
    ) -> str:
        zone, tz = zone_or(self._settings.default_timezone, "UTC")
        header = m.REPORT_HEADER.format(
            start=m.REPORT_DAY.format(day=local_wall(period.start, tz)),
            end=m.REPORT_DAY.format(day=local_wall(period.end, tz)),
            zone=zone,
        )
        lines = [header, _counts(m.REPORT_TOTALS, engagement.totals())]
        lines += [render_actions(actions)] if actions is not None else []
        if actions is not None and actions.by_kind.get(EngagementKind.QUESTION_ASKED):
            lines.append(render_self_served(actions))
        lines += ["", m.REPORT_BY_TOPIC]
        lines += [_line(_topic_name(line.name), line) for line in engagement.by_topic]
        lines += ["", m.REPORT_BY_TIER]
        lines += [_line(line.name, line) for line in engagement.by_tier]
        lines += self._quiet(quiet)
        lines += ["", m.REPORT_FOOTER]
        # Topic slugs and tiers come from admins, but a notice never pings anyone whatever it says.
        return neutralize_mentions("\n".join(lines))

    def _quiet(self, quiet: Sequence[QuietPartner]) -> list[str]:
        """The partners gone quiet, the first QUIET_SHOWN (by name, as `quiet` lists them); none: nothing."""
        if not quiet:
            return []
        days = 2 * self._settings.engagement_window_days  # how far back a last action is looked for
        lines = ["", m.QUIET_HEADER(len(quiet))]
        lines += [
            m.REPORT_QUIET_ROW.format(name=p.name, tier=p.tier, last=last_action_text(p, days))
            for p in quiet[:QUIET_SHOWN]
        ]
        if len(quiet) > QUIET_SHOWN:
            lines.append(m.REPORT_QUIET_MORE(len(quiet) - QUIET_SHOWN))
        return lines


def _topic_name(slug: str) -> str:
    return m.REPORT_TOPIC.format(slug=slug) if slug else m.REPORT_NO_TOPIC


def _line(name: str, line: EngagementLine) -> str:
    return m.REPORT_LINE.format(
        name=name,
        delivered=line.delivered,
        reactions=m.REACTIONS(line.reactions),
        questions=m.QUESTIONS(line.questions),
        unanswered=line.unanswered,
    )


def _counts(template: str, line: EngagementLine) -> str:
    return template.format(
        delivered=line.delivered,
        reactions=m.REACTIONS(line.reactions),
        questions=m.QUESTIONS(line.questions),
        unanswered=line.unanswered,
    )


def render_self_served(actions: ActionTotals) -> str:
    """Questions self-served against relayed (issue 18), from the week's events: a question still
    waiting on its offer when the report is made counts as relayed (it is, within
    PARTNERBOT_FAQ_OFFER_MINUTES, unless its asker takes an offered answer)."""
    self_served = actions.by_kind.get(EngagementKind.QUESTION_SELF_SERVED, 0)
    asked = actions.by_kind.get(EngagementKind.QUESTION_ASKED, 0)
    return m.REPORT_SELF_SERVED.format(self_served=self_served, relayed=max(asked - self_served, 0))


def render_actions(actions: ActionTotals) -> str:
    """ "Partner actions: 5 proactive actions (3 news pulls, 2 subscriptions) · 1 reactive action
    (1 reaction)": each side's kinds most frequent first, in the order of EngagementKind on a tie."""
    order = list(EngagementKind)

    def side(total: int, template: Plural, proactive: bool) -> str:
        kinds = sorted(
            (k for k, n in actions.by_kind.items() if n and (k in PROACTIVE) == proactive),
            key=lambda k: (-actions.by_kind[k], order.index(k)),
        )
        details = ", ".join(m.ENGAGEMENT_KIND_COUNTS[k.value](actions.by_kind[k]) for k in kinds)
        return template(total) + (f" ({details})" if details else "")

    return m.REPORT_ACTIONS.format(
        proactive=side(actions.proactive, m.PROACTIVE_ACTIONS, True),
        reactive=side(actions.reactive, m.REACTIVE_ACTIONS, False),
    )
