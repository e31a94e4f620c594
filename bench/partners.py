"""The dashboard's Partners and Topics pages at scale: their read queries, timed.

    uv run python bench/partners.py [--partners 10000 --announcements 1000 --deliveries 1000000
        --events 2000000 --runs 20] [--db postgresql://…]

Seeds PostgreSQL (a throwaway cluster as tests/pg.py starts it, or `--db`) with bench/engagement.py's
`seed`, adds 20 topics (each announcement on one or two, three subscriptions per channel with their
`subscribed` events), ANALYZEs, then times what each page reads, `--runs` times, and prints p50/p95:
the partner table (page 1 by score, page 100 by name, a tier + name-search filter), the page's weekly
trends (50 partners), one partner's page (detail, score, timeline, received), the Topics page
(subscribers over 5 weeks, deliveries against engagement), and the full partner CSV export once.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from adapters.web.pages.partners import week_bounds
from bench.engagement import _t, seed
from bot.domain.dashboard import Segment
from bot.domain.engagement import ScoreFormula
from bot.ports.partner_pulse import PartnerQuery, PartnerSort
from storage.engine import make_engine, make_sessionmaker, sync_url
from storage.repositories.partner_pulse import PartnerPulseRepository
from storage.repositories.topic_trends import TopicTrendsRepository
from storage.tables import AnnouncementTopicRow, EngagementEventRow, SubscriptionRow, TopicRow

TOPICS = 20
FORMULA = ScoreFormula(3.0, 1.0, 5.0)


def add_topics(url: str, partners: int, announcements: int, now: datetime) -> None:
    rng = random.Random(15)
    engine = create_engine(sync_url(url))
    old = now - timedelta(days=200)
    with engine.begin() as conn:
        conn.execute(
            _t(TopicRow).insert(),
            [{"id": i, "slug": f"topic-{i:02d}", "title": f"Topic {i}", "description": "", "archived": False,
              "created_at": old} for i in range(1, TOPICS + 1)],
        )  # fmt: skip
        on = [{"announcement_id": a, "topic_id": t} for a in range(1, announcements + 1)
              for t in {a % TOPICS + 1, rng.randrange(1, TOPICS + 1)}]  # fmt: skip
        conn.execute(_t(AnnouncementTopicRow).insert(), on)
        subs, events = [], []
        for channel in range(1, partners + 1):
            for topic in rng.sample(range(1, TOPICS + 1), 3):
                at = now - timedelta(seconds=rng.randrange(180 * 86_400))
                subs.append({"channel_id": channel, "topic_id": topic, "created_at": at})
                events.append({"at": at, "kind": "subscribed", "proactive": True, "partner_id": channel,
                               "channel_id": channel, "platform": "slack", "topic_id": topic})  # fmt: skip
        conn.execute(_t(SubscriptionRow).insert(), subs)
        conn.execute(_t(EngagementEventRow).insert(), events)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


async def timed(name: str, runs: int, call: Callable[[], Awaitable[Any]]) -> None:
    await call()  # warm the pool and the plan cache
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        took.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(took, n=20)[-1] if len(took) > 1 else took[0]
    print(f"{name:<44} p50 {statistics.median(took):7.1f} ms   p95 {p95:7.1f} ms")


async def measure(url: str, now: datetime, runs: int) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    pulse, topics = PartnerPulseRepository(sessions), TopicTrendsRepository(sessions)
    since, bounds = now - timedelta(days=30), week_bounds(now, 30)
    ids = [
        r.partner_id for r in (await pulse.page(PartnerQuery(), since=since, until=now, formula=FORMULA)).rows
    ]

    def page(query: PartnerQuery) -> Callable[[], Awaitable[Any]]:
        return lambda: pulse.page(query, since=since, until=now, formula=FORMULA)

    async def partner_page() -> None:
        await pulse.detail(ids[0])
        await pulse.page(PartnerQuery(partner_id=ids[0], limit=1), since=since, until=now, formula=FORMULA)
        await pulse.trends([ids[0]], bounds=bounds, formula=FORMULA)
        await pulse.timeline(ids[0], before=None, limit=25)
        await pulse.received(ids[0], before=None, limit=25)

    async def topics_page() -> None:
        await topics.subscribers(bounds, now=now)
        await topics.load(Segment(), since=since, until=now)

    try:
        await timed("partners: page 1 by score (30 days)", runs, page(PartnerQuery()))
        await timed(
            "partners: page 100 by name",
            runs,
            page(PartnerQuery(sort=PartnerSort.NAME, descending=False, page=100)),
        )
        await timed(
            "partners: tier + name search",
            runs,
            page(PartnerQuery(segment=Segment(tier="gold"), search="0012")),
        )
        await timed(
            "partners: trends of 50 partners (5 weeks)",
            runs,
            lambda: pulse.trends(ids, bounds=bounds, formula=FORMULA),
        )
        await timed("partner: one partner's page (5 reads)", runs, partner_page)
        await timed("topics: subscribers + load (30 days)", runs, topics_page)
        await timed(
            "topics: load (90 days)",
            runs,
            lambda: topics.load(Segment(days=90), since=now - timedelta(days=90), until=now),
        )
        started = time.perf_counter()
        exported = sum(
            [1 async for _ in pulse.export(PartnerQuery(), since=since, until=now, formula=FORMULA)]
        )
        print(f"partners CSV export: {exported} rows in {time.perf_counter() - started:.2f} s")
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    from tests.pg import start_cluster

    now = datetime.now(UTC)
    sizes = (args.partners, args.announcements, args.deliveries, args.events)
    cluster = None
    url = args.db
    if url is None:
        cluster = await asyncio.to_thread(start_cluster)
        await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
        url = cluster.url("bench")
    try:
        started = time.perf_counter()
        await asyncio.to_thread(seed, url, *sizes, now)
        await asyncio.to_thread(add_topics, url, args.partners, args.announcements, now)
        print(f"postgres: seeded in {time.perf_counter() - started:.0f} s")
        await measure(url, now, args.runs)
    finally:
        if cluster is not None:
            await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=1_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="this PostgreSQL database URL instead of a throwaway cluster")
    asyncio.run(main(parser.parse_args()))
