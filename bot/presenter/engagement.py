"""`engagement` and `quiet`: partner scores, tier/region averages, and who has gone quiet."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages as m
from bot.domain.conversation import Reply
from bot.domain.engagement import (
    EngagementOverview,
    PartnerScore,
    QuietListing,
    QuietPartner,
    QuietReason,
    ScoreAverage,
    ScoreFormula,
    UnknownScoreTopic,
    UnknownScoreValue,
)
from bot.formats import day, number


def engagement_reply(
    result: EngagementOverview | UnknownScoreTopic | UnknownScoreValue, formula: ScoreFormula
) -> Reply:
    if isinstance(result, UnknownScoreValue):
        return Reply(text=result.message, is_error=True)
    if isinstance(result, UnknownScoreTopic):
        return Reply(text=m.ENGAGEMENT_UNKNOWN_TOPIC.format(slug=result.slug), is_error=True)
    filters = _filters(result)
    if not result.partners:
        return Reply(text=m.ENGAGEMENT_NONE.format(filters=filters, hint=m.ENGAGEMENT_NONE_HINT))
    lines = [
        m.ENGAGEMENT_HEADER(result.partners, filters=filters, days=result.window_days),
        m.ENGAGEMENT_TOTALS.format(proactive=result.proactive, reactive=result.reactive),
        m.ENGAGEMENT_TOP,
        *(_row(score) for score in result.top),
    ]
    if result.bottom:
        lines += [m.ENGAGEMENT_BOTTOM, *(_row(score) for score in result.bottom)]
    lines.append(m.ENGAGEMENT_TIERS.format(averages=_averages(result.tiers)))
    lines.append(m.ENGAGEMENT_REGIONS.format(averages=_averages(result.regions)))
    lines.append(
        m.ENGAGEMENT_FORMULA.format(
            proactive_weight=_number(formula.proactive_weight),
            reactive_weight=_number(formula.reactive_weight),
            smoothing=_number(formula.smoothing),
        )
    )
    return Reply(text="\n".join(lines))


def quiet_reply(listing: QuietListing) -> Reply:
    weeks = m.QUIET_WEEKS(listing.weeks)
    percent = _number(listing.drop_percent)
    if not listing.partners:
        return Reply(text=m.QUIET_NONE.format(weeks=weeks, percent=percent, days=listing.window_days))
    lines = [m.QUIET_HEADER(len(listing.partners))]
    lines += [_quiet_row(partner, weeks, 2 * listing.window_days) for partner in listing.partners]
    lines.append(m.QUIET_RULE.format(weeks=weeks, percent=percent, days=listing.window_days))
    return Reply(text="\n".join(lines))


def _filters(result: EngagementOverview) -> str:
    chosen = [("tier", result.tier), ("region", result.region), ("topic", result.topic)]
    words = [m.ENGAGEMENT_FILTER.format(key=key, value=value) for key, value in chosen if value is not None]
    return f" ({', '.join(words)})" if words else ""


def _row(score: PartnerScore) -> str:
    return m.ENGAGEMENT_ROW.format(
        name=score.name,
        tier=score.tier,
        score=_number(score.score),
        proactive=score.proactive,
        reactive=score.reactive,
        received=m.ENGAGEMENT_RECEIVED(score.received),
    )


def _averages(averages: tuple[ScoreAverage, ...]) -> str:
    return " · ".join(
        m.ENGAGEMENT_AVERAGE(a.partners, name=a.name or m.ENGAGEMENT_NO_REGION, score=_number(a.score))
        for a in averages
    )


def last_action_text(partner: QuietPartner, days: int) -> str:
    """ "pulled news on 2026-10-05", or "none in the last 180 days" (`days`: how far back it looked)."""
    if partner.last_action is None:
        return m.QUIET_NEVER.format(days=days)
    if partner.last_action_kind is None:
        return when(partner.last_action)
    action = m.ENGAGEMENT_ACTIONS[partner.last_action_kind.value]
    return m.LAST_ACTION.format(action=action, day=when(partner.last_action))


def _quiet_row(partner: QuietPartner, weeks: str, days: int) -> str:
    last = last_action_text(partner, days)
    if partner.reason is QuietReason.NO_ACTION:
        return m.QUIET_NO_ACTION.format(name=partner.name, tier=partner.tier, weeks=weeks, last=last)
    return m.QUIET_SCORE_DROP.format(
        name=partner.name,
        tier=partner.tier,
        score=_number(partner.score),
        previous=_number(partner.previous_score),
        last=last,
    )


def when(instant: datetime) -> str:
    return day(instant.astimezone(UTC).date())


def _number(value: float) -> str:
    return number(round(value, 1))
