"""The Partners pages: every partner's score, trend and last action in a sortable, filterable table
(with a CSV of all matching rows), and one page per partner (profile, channels, subscriptions, score,
timeline, announcements received)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from babel.numbers import format_decimal

from adapters.web import charts
from adapters.web.deps import DashboardDeps, deps
from adapters.web.export import csv_response
from adapters.web.render import locale_of, page, url
from bot import messages as m
from bot.domain.dashboard import Segment
from bot.domain.engagement import ScoreFormula, window_end
from bot.i18n import Plural
from bot.ports.partner_pulse import PartnerQuery, PartnerSort

PAGE_SIZE = 50
TIMELINE_SIZE = 25
WINDOWS = (7, 30, 90)
CSV_HEADER = (
    "partner_id", "name", "tier", "type", "region", "language", "score", "proactive", "reactive",
    "received", "last_action_kind", "last_action_at",
)  # fmt: skip

# Column headers of the table, in order: (sort key or None, label, numeric).
COLUMNS: tuple[tuple[PartnerSort | None, str, bool], ...] = (
    (PartnerSort.NAME, "Partner", False),
    (PartnerSort.SCORE, "Score", True),
    (None, "Trend", False),
    (PartnerSort.PROACTIVE, "Proactive", True),
    (PartnerSort.REACTIVE, "Reactive", True),
    (PartnerSort.LAST_ACTION, "Last action", False),
    (PartnerSort.TIER, "Tier", False),
    (PartnerSort.REGION, "Region", False),
)
# Numbers and times read best largest/latest first; words A to Z.
_DESCENDING_FIRST = frozenset(
    {PartnerSort.SCORE, PartnerSort.PROACTIVE, PartnerSort.REACTIVE, PartnerSort.LAST_ACTION}
)

SHOWING = Plural("{first}\u2013{last} of {count} partner", "{first}\u2013{last} of {count} partners")
WEEKS = Plural("{n} week", "{n} weeks")

STATUS_LABELS = {
    "pending": "waiting to be sent",
    "claimed": "being sent",
    "digest": "held for the digest",
    "recalled": "recalled",
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/partners", show, name="partners")
    router.add_get("/partners.csv", export, name="partners-csv")
    router.add_get("/partners/{id}", show_partner, name="partner")


def kind_label(kind: str | None) -> str:
    return m.ENGAGEMENT_ACTIONS.get(kind, kind.replace("_", " ")) if kind else "—"


def _text(request: web.Request, name: str) -> str | None:
    return request.query.get(name, "").strip() or None


def _number(request: web.Request, name: str) -> int | None:
    value = request.query.get(name, "")
    # Ids and page numbers fit a BIGINT; anything longer is no page at all (never a database error).
    return int(value) if value.isdigit() and len(value) < 16 else None


def segment_of(request: web.Request) -> Segment:
    days = _number(request, "days")
    return Segment(
        days=days if days in WINDOWS else 30,
        tier=_text(request, "tier"),
        region=_text(request, "region"),
        type=_text(request, "type"),
        language=_text(request, "language"),
        topic=_text(request, "topic"),
    )


def query_of(request: web.Request) -> PartnerQuery:
    """The filters, sort and page from the address, so any view is a link another admin can open."""
    try:
        sort = PartnerSort(request.query.get("sort", "score"))
    except ValueError:
        sort = PartnerSort.SCORE
    direction = request.query.get("dir")
    descending = direction == "desc" if direction in ("asc", "desc") else sort in _DESCENDING_FIRST
    return PartnerQuery(
        segment=segment_of(request),
        search=_text(request, "q"),
        sort=sort,
        descending=descending,
        page=max(1, _number(request, "page") or 1),
        limit=PAGE_SIZE,
    )


def filters_of(query: PartnerQuery) -> dict[str, Any]:
    s = query.segment
    return {
        "days": s.days if s.days != 30 else None,
        "tier": s.tier,
        "region": s.region,
        "type": s.type,
        "language": s.language,
        "topic": s.topic,
        "q": query.search,
    }


def formula_of(d: DashboardDeps) -> ScoreFormula:
    s = d.bot.settings
    return ScoreFormula(s.engagement_proactive_weight, s.engagement_reactive_weight, s.engagement_smoothing)


def week_bounds(now: datetime, days: int) -> list[datetime]:
    """Whole weeks ending now that cover the window: [now - 7w, …, now - 7, now]."""
    weeks = max(1, math.ceil(days / 7))
    return [now - timedelta(days=7 * (weeks - i)) for i in range(weeks + 1)]


def _trend_label(name: str, scores: Sequence[float]) -> str:
    shown = ", ".join(f"{s:g}" for s in scores)
    return f"Weekly score of {name} over the last {WEEKS(len(scores))}, oldest first: {shown}"


async def show(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    query = query_of(request)
    now = d.clock.now()
    formula = formula_of(d)
    until = window_end(now)  # whole days, as `engagement` counts them (and read from the roll-ups)
    since = until - timedelta(days=query.segment.days)
    result = await d.views.partners.page(query, since=since, until=until, formula=formula)
    bounds = week_bounds(now, query.segment.days)
    trends = await d.views.partners.trends(
        [r.partner_id for r in result.rows], bounds=bounds, formula=formula, topic=query.segment.topic
    )
    sparks = {
        r.partner_id: charts.sparkline(
            trends.get(r.partner_id, []), _trend_label(r.name, trends.get(r.partner_id, []))
        )
        for r in result.rows
    }
    filters = filters_of(query)
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    first = (query.page - 1) * PAGE_SIZE + 1
    locale = locale_of(request)
    showing = (
        SHOWING(
            result.total,
            first=format_decimal(first, locale=locale),
            last=format_decimal(first + len(result.rows) - 1, locale=locale),
            count=format_decimal(result.total, locale=locale),
        )
        if result.rows
        else ""
    )
    headers = []
    for key, label, numeric in COLUMNS:
        if key is None:
            headers.append({"label": label, "href": None, "aria_sort": None, "numeric": numeric})
            continue
        current = key is query.sort
        descending = not query.descending if current else key in _DESCENDING_FIRST
        href = url(
            "/partners",
            **filters,
            sort=key.value if key is not PartnerSort.SCORE else None,
            dir="desc" if descending else "asc",
        )
        aria = ("descending" if query.descending else "ascending") if current else None
        headers.append({"label": label, "href": href, "aria_sort": aria, "numeric": numeric})
    sort_state = {"sort": query.sort.value if query.sort is not PartnerSort.SCORE else None,
                  "dir": "desc" if query.descending else "asc"}  # fmt: skip
    return page(
        request,
        "partners.html",
        title="Partners",
        rows=result.rows,
        total=result.total,
        showing=showing,
        sparks=sparks,
        headers=headers,
        filters=filters,
        segment=query.segment,
        windows=WINDOWS,
        weeks=WEEKS(len(bounds) - 1),
        previous=url("/partners", **filters, **sort_state, page=query.page - 1 if query.page > 2 else None)
        if query.page > 1
        else None,
        next=url("/partners", **filters, **sort_state, page=query.page + 1) if query.page < pages else None,
        csv=url("/partners.csv", **filters, **sort_state),
        kind_label=kind_label,
    )


async def export(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    query = query_of(request)
    now = d.clock.now()
    until = window_end(now)  # whole days, as `engagement` counts them (and read from the roll-ups)
    since = until - timedelta(days=query.segment.days)
    stream = d.views.partners.export(query, since=since, until=until, formula=formula_of(d))

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for r in stream:
            yield (
                r.partner_id, r.name, r.tier, r.type, r.region, r.language, r.score, r.proactive,
                r.reactive, r.received, r.last_kind, r.last_action.isoformat() if r.last_action else None,
            )  # fmt: skip

    return await csv_response(request, "partnerbot-partners.csv", CSV_HEADER, rows())


async def show_partner(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    raw = request.match_info["id"]
    partner = await d.views.partners.detail(int(raw)) if raw.isdigit() and len(raw) < 19 else None
    if partner is None:
        return page(
            request,
            "message.html",
            status=404,
            title="No such partner",
            message=f"There is no partner with the id `{raw}`. Find the partner in the list of partners "
            "(the Partners page) and follow its name.",
        )
    segment = segment_of(request)
    now = d.clock.now()
    formula = formula_of(d)
    until = window_end(now)
    since = until - timedelta(days=segment.days)
    bounds = week_bounds(now, segment.days)
    trends = await d.views.partners.trends([partner.id], bounds=bounds, formula=formula)
    weekly = trends.get(partner.id, [])
    # The partner's own score: the table's statement narrowed to this partner.
    scored = await d.views.partners.page(
        PartnerQuery(segment=Segment(days=segment.days), partner_id=partner.id, limit=1),
        since=since,
        until=until,
        formula=formula,
    )
    row = scored.rows[0] if scored.rows else None
    events_before = _number(request, "events_before")
    received_before = _number(request, "received_before")
    timeline = await d.views.partners.timeline(partner.id, before=events_before, limit=TIMELINE_SIZE)
    received = await d.views.partners.received(partner.id, before=received_before, limit=TIMELINE_SIZE)
    days = segment.days if segment.days != 30 else None
    here = f"/partners/{partner.id}"
    labels = [f"{b:%d %b}" for b in bounds[:-1]]
    return page(
        request,
        "partner.html",
        title=partner.name,
        partner=partner,
        row=row,
        segment=segment,
        windows=WINDOWS,
        weekly=weekly,
        chart=charts.line(
            f"Weekly score of {partner.name}", [f"Week of {label}" for label in labels], {"Score": weekly}
        ),
        spark=charts.sparkline(weekly, _trend_label(partner.name, weekly)),
        week_labels=labels,
        timeline=timeline,
        received=received,
        older_events=url(here, days=days, events_before=timeline[-1].id, received_before=received_before)
        if len(timeline) == TIMELINE_SIZE
        else None,
        older_received=url(
            here, days=days, events_before=events_before, received_before=received[-1].delivery_id
        )
        if len(received) == TIMELINE_SIZE
        else None,
        newest=url(here, days=days) if events_before or received_before else None,
        kind_label=kind_label,
        status_label=lambda status: STATUS_LABELS.get(status, status),
    )
