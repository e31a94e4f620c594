"""The Topics page: subscribers per topic over time, and deliveries against engagement per topic (the
over-sending view), in CSV too."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

from aiohttp import web

from adapters.web import charts
from adapters.web.deps import deps
from adapters.web.export import csv_response
from adapters.web.pages.partners import WINDOWS, segment_of, week_bounds
from adapters.web.render import page, url
from bot.domain.dashboard import Segment

CSV_HEADER = ("topic", "title", "deliveries", "engaged", "engagement_rate")
# The subscribers chart shows this many topics (the most subscribed); the table lists every topic.
CHART_TOPICS = 7


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/topics", show, name="topics")
    router.add_get("/topics.csv", export, name="topics-csv")


def filters_of(segment: Segment) -> dict[str, Any]:
    return {
        "days": segment.days if segment.days != 30 else None,
        "tier": segment.tier,
        "region": segment.region,
        "type": segment.type,
        "language": segment.language,
        "topic": segment.topic,
    }


async def show(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    segment = segment_of(request)
    now = d.clock.now()
    bounds = week_bounds(now, segment.days)
    history = await d.views.topics.subscribers(bounds, now=now)
    if segment.topic:
        history = [t for t in history if t.slug.lower() == segment.topic.lower()]
    load = await d.views.topics.load(segment, since=now - timedelta(days=segment.days), until=now)
    labels = [f"{b:%d %b}" for b in bounds]
    charted = sorted(history, key=lambda t: (-t.counts[-1], t.slug))[:CHART_TOPICS]
    subscribers_chart = (
        charts.line("Subscribed channels per topic", labels, {t.slug: list(t.counts) for t in charted})
        if charted
        else None
    )
    sent = [t for t in load if t.deliveries]
    load_chart = (
        charts.bars(
            "Deliveries and engaged deliveries per topic",
            [t.slug for t in sent],
            {"Delivered": [t.deliveries for t in sent], "Engaged": [t.engaged for t in sent]},
        )
        if sent
        else None
    )
    filters = filters_of(segment)
    return page(
        request,
        "topics.html",
        title="Topics",
        segment=segment,
        windows=WINDOWS,
        filters=filters,
        history=history,
        labels=labels,
        subscribers_chart=subscribers_chart,
        load=load,
        load_chart=load_chart,
        csv=url("/topics.csv", **filters),
    )


async def export(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    segment = segment_of(request)
    now = d.clock.now()
    load = await d.views.topics.load(segment, since=now - timedelta(days=segment.days), until=now)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        # One row per topic: bounded by the number of topics, not by the deliveries.
        for t in load:
            yield (t.slug, t.title, t.deliveries, t.engaged, f"{t.rate:.4f}" if t.rate is not None else None)

    return await csv_response(request, "partnerbot-topics.csv", CSV_HEADER, rows())
