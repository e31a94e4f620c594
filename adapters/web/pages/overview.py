"""The Overview page: the programme over the last 30 or 90 days for a segment (tier, region, type,
language, topic): cards, proactive vs reactive actions over time, failures by reason, partners gone
quiet. The filters are a GET form, so a filtered overview is a link; both tables export to CSV."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web

from adapters.web import charts
from adapters.web.deps import deps
from adapters.web.export import csv_response
from adapters.web.render import page
from bot.domain.dashboard import Segment
from bot.domain.engagement import QuietListing, QuietPartner, QuietReason
from bot.i18n import Plural
from bot.ports.overview import SegmentChoices

DAYS = (30, 90)
QUIET_SHOWN = 20
FAILURES_HEADER = ("reason", "failed_deliveries")
QUIET_HEADER = ("partner_id", "name", "tier", "reason", "score", "previous_score", "last_action")

DAY_COUNT = Plural("{n} day", "{n} days")
HOURS = Plural("{n} hour", "{n} hours")
MINUTES = Plural("{n} minute", "{n} minutes")
QUIET_MORE = Plural(
    "{n} more partner has gone quiet: download the CSV for the full list.",
    "{n} more partners have gone quiet: download the CSV for the full list.",
)
REASONS = {
    QuietReason.NO_ACTION: "no action while still receiving",
    QuietReason.SCORE_DROP: "score dropped",
}
# (query parameter, label, plural label, SegmentChoices field)
_DIMENSIONS = (
    ("tier", "tier", "tiers", "tiers"),
    ("region", "region", "regions", "regions"),
    ("type", "type", "types", "types"),
    ("language", "language", "languages", "languages"),
)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/", show, name="overview")
    router.add_get("/overview/quiet", show_quiet, name="overview-quiet")
    router.add_get("/overview/failures.csv", export_failures, name="overview-failures-csv")
    router.add_get("/overview/quiet.csv", export_quiet, name="overview-quiet-csv")


@dataclass
class Filters:
    """The segment asked for in the address, what the form offers, and what could not be applied."""

    segment: Segment
    topic_id: int | None
    choices: SegmentChoices
    notices: list[str] = field(default_factory=list)

    def query(self) -> dict[str, Any]:
        """The applied filters as query parameters (for the CSV links and the form)."""
        s = self.segment
        values = {
            "tier": s.tier,
            "region": s.region,
            "type": s.type,
            "language": s.language,
            "topic": s.topic,
        }
        return {"days": s.days if s.days != DAYS[0] else None, **values}


async def filters_of(request: web.Request) -> Filters:
    """The filters from the address. A value nobody has is not applied, and the page says so."""
    view = deps(request).views.overview
    choices = await view.choices()
    notices: list[str] = []
    raw_days = request.query.get("days", "").strip()
    days = DAYS[0]
    if raw_days:
        if raw_days.isdigit() and int(raw_days) in DAYS:
            days = int(raw_days)
        else:
            notices.append(
                f"The overview covers the last 30 or 90 days, not “{raw_days}”: showing the last 30 days."
            )
    values: dict[str, str | None] = {}
    for name, label, labels, attribute in _DIMENSIONS:
        wanted = request.query.get(name, "").strip()
        known: Sequence[str] = getattr(choices, attribute)
        match = next((k for k in known if k.lower() == wanted.lower()), None)
        if wanted and match is None:
            listed = ", ".join(known) if known else "none yet"
            notices.append(
                f"No partner has the {label} “{wanted}” (known {labels}: {listed}): showing every {label}."
            )
        values[name] = match if wanted else None
    topic, topic_id = request.query.get("topic", "").strip() or None, None
    if topic is not None:
        topic_id = await view.topic_id(topic)
        if topic_id is None:
            listed = ", ".join(choices.topics) if choices.topics else "none yet"
            notices.append(f"There is no topic “{topic}” (topics: {listed}): showing every topic.")
            topic = None
        else:
            topic = next((slug for slug in choices.topics if slug.lower() == topic.lower()), topic.lower())
    segment = Segment(days=days, topic=topic, **values)
    return Filters(segment, topic_id, choices, notices)


async def show(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    f = await filters_of(request)
    now = d.clock.now()
    view = d.views.overview
    weekly = f.segment.days > 30
    bucket = timedelta(weeks=1) if weekly else timedelta(days=1)
    # Independent reads, each on a connection of its own: the page waits for the slowest, not the sum.
    # The partners gone quiet (every partner over two score windows: the slowest read by far) follow
    # from /overview/quiet, loaded into the page by dashboard.js, or opened as a page of their own.
    figures, failures = await asyncio.gather(
        view.figures(f.segment, topic_id=f.topic_id, now=now, bucket=bucket),
        view.failures(f.segment, topic_id=f.topic_id, now=now),
    )
    buckets = figures.actions
    labels = [b.start.strftime("%Y-%m-%d") for b in buckets]
    per = "week" if weekly else "day"
    chart = charts.line(
        f"Proactive and reactive actions per {per}",
        labels,
        {"Proactive": [b.proactive for b in buckets], "Reactive": [b.reactive for b in buckets]},
    )
    failure_chart = (
        charts.horizontal_bars("Failed deliveries by reason", [(x.reason, x.count) for x in failures])
        if failures
        else None
    )
    return page(
        request,
        "overview.html",
        title="Overview",
        f=f,
        filters=f.query(),
        days=DAYS,
        dimensions=_DIMENSIONS,
        window=DAY_COUNT(f.segment.days),
        figures=figures,
        median=duration(figures.median_answer),
        per=per,
        buckets=buckets,
        chart=chart,
        failures=failures,
        failure_chart=failure_chart,
    )


async def show_quiet(request: web.Request) -> web.StreamResponse:
    """The partners gone quiet in the segment: the Overview's last section (`?fragment=1`, what
    dashboard.js loads into it, once), or a page of its own (without JavaScript, or to share)."""
    f = await filters_of(request)
    listing, quiet = await _quiet(request, f)
    shown = quiet[:QUIET_SHOWN]
    more = QUIET_MORE(len(quiet) - len(shown)) if len(quiet) > len(shown) else None
    fragment = request.query.get("fragment") == "1"
    response = page(
        request,
        "overview_quiet.html",
        title="Partners gone quiet",
        fragment=fragment,
        f=f,
        filters=f.query(),
        listing=listing,
        quiet=shown,
        quiet_more=more,
        quiet_weeks=Plural("{n} week", "{n} weeks")(listing.weeks),
        reasons=REASONS,
    )
    if fragment:
        response.headers["X-Refresh"] = "stop"
    return response


async def _quiet(request: web.Request, f: Filters) -> tuple[QuietListing, list[QuietPartner]]:
    """The gone-quiet list as the chat's `quiet` gives it, narrowed to the segment."""
    d = deps(request)
    listing = await d.bot.engagement.quiet()
    partners = list(listing.partners)
    if f.segment.any_dimension():
        keep = await d.views.overview.in_segment(
            [p.partner_id for p in partners], f.segment, topic_id=f.topic_id
        )
        partners = [p for p in partners if p.partner_id in keep]
    return listing, partners


async def export_failures(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    f = await filters_of(request)
    failures = await d.views.overview.failures(f.segment, topic_id=f.topic_id, now=d.clock.now())

    async def rows() -> AsyncIterator[Sequence[Any]]:
        for x in failures:
            yield (x.reason, x.count)

    return await csv_response(request, "partnerbot-failures.csv", FAILURES_HEADER, rows())


async def export_quiet(request: web.Request) -> web.StreamResponse:
    f = await filters_of(request)
    _, quiet = await _quiet(request, f)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        for p in quiet:
            last = p.last_action.isoformat() if p.last_action else ""
            yield (p.partner_id, p.name, p.tier, p.reason.value, p.score, p.previous_score, last)

    return await csv_response(request, "partnerbot-gone-quiet.csv", QUIET_HEADER, rows())


def duration(value: timedelta | None) -> str:
    """“2 days 3 hours”, “5 hours 20 minutes”, “12 minutes”, “under a minute”; "—" for none."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{DAY_COUNT(days)} {HOURS(hours)}" if hours else DAY_COUNT(days)
    if hours:
        return f"{HOURS(hours)} {MINUTES(minutes)}" if minutes else HOURS(hours)
    return MINUTES(minutes) if minutes else "under a minute"
