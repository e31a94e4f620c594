"""The dashboard's pages at scale: server-side render time per page, p50 and p95.

    uv run python bench/dashboard.py [--partners 10000 --announcements 1000 --deliveries 1000000
        --events 2000000 --requests 20 --database postgres|sqlite] [--db URL [--seeded]]
        [--snapshots build|skip]

Seeds as bench/engagement.py does (its `seed`: partners with one channel each, announcements,
deliveries and engagement events over the last 180 days), then adds topics, the announcements' topics,
subscriptions, failed deliveries with a few reasons, questions (most answered) and audit rows, and, on
PostgreSQL, the roll-ups clustered by day and a VACUUM ANALYZE (not timed). It builds the score snapshots
as the `score-snapshots` job does (timed; `--snapshots skip` makes them stale instead, for the numbers
without them). Then it serves the real dashboard (`bot.app.dashboard_app`) on a
loopback port, signs in with a one-time link, and requests every URL in PAGES `--requests` times,
printing p50/p95 per page (after one untimed warm-up request each). A page is one line in PAGES.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from sqlalchemy import Table, create_engine, text
from sqlmodel import SQLModel

from bench.engagement import _batches
from bench.engagement import seed as seed_engagement
from bot.app import App, build_app, dashboard_access, dashboard_app
from bot.config import Settings
from bot.domain.refs import Platform, UserRef
from bot.jobs import JOB_LEASE, snapshot_pieces_for
from storage.engine import sync_url
from storage.repositories import rollups
from storage.tables import (
    AnnouncementTopicRow,
    AnswerRow,
    AuditRow,
    QuestionRow,
    SubscriptionRow,
    TopicRow,
)

# The dashboard pages timed, under /dashboard (one line each; the lead adds the other slices' pages).
PAGES: tuple[str, ...] = (
    "/",
    "/?days=90&tier=gold",
    "/overview/quiet?fragment=1",  # the Overview's gone-quiet section, loaded into it by dashboard.js
    "/announcements",
    "/announcements?status=sent&days=30",
    "/announcements/500",  # one announcement's story (the seed's ids run from 1)
    "/announcements/500/progress",
    "/partners",  # sorted by score
    "/partners?sort=name",
    "/partners?tier=gold&q=partner 12",
    "/partners/5000",
    "/topics",
    "/topics?days=90",
    "/questions",
    "/audit",
)

TOPICS = ("security", "pricing", "product", "events", "training", "legal", "support", "marketing")
REASONS = ("channel_not_found", "not_in_channel", "is_archived", "gave up after 5 attempts: ratelimited")
ADMIN = UserRef(Platform.LOCAL, "", "bench", "Bench admin")


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def seed(url: str, partners: int, announcements: int, deliveries: int, events: int, now: datetime) -> None:
    """bench/engagement.py's world, plus what the dashboard pages read besides."""
    seed_engagement(url, partners, announcements, deliveries, events, now)
    rng = random.Random(15)
    engine = create_engine(sync_url(url))
    old = now - timedelta(days=200)

    def ago() -> datetime:
        return now - timedelta(seconds=rng.randrange(180 * 86_400))

    questions = max(1, partners * 2)
    answered = {q for q in range(1, questions + 1) if rng.random() < 0.8}
    asked = {q: ago() for q in range(1, questions + 1)}
    took = {q: timedelta(minutes=rng.randrange(5, 3 * 24 * 60)) for q in answered}
    topic_count = len(TOPICS)
    tables: list[tuple[Table, Iterator[dict[str, Any]]]] = [
        (_t(TopicRow), ({"id": i + 1, "slug": slug, "title": slug.title(), "description": "",
                         "archived": False, "created_at": old} for i, slug in enumerate(TOPICS))),
        (_t(AnnouncementTopicRow), ({"announcement_id": a, "topic_id": t}
                                    for a in range(1, announcements + 1)
                                    for t in sorted({a % topic_count + 1, (a * 7) % topic_count + 1}))),
        (_t(SubscriptionRow), ({"channel_id": c, "topic_id": t, "created_at": old}
                               for c in range(1, partners + 1)
                               for t in sorted({c % topic_count + 1, (c // 3) % topic_count + 1}))),
        (_t(QuestionRow), ({"id": q, "channel_id": rng.randrange(1, partners + 1),
                            "announcement_id": rng.randrange(1, announcements + 1), "asker_id": "U1",
                            "asker_name": "", "text": "When?", "partner_thread": None,
                            "status": "answered" if q in answered else "open", "created_at": asked[q],
                            "answered_at": asked[q] + took[q] if q in answered else None}
                           for q in range(1, questions + 1))),
        (_t(AnswerRow), ({"question_id": q, "admin_platform": "slack", "admin_id": "U0", "admin_name": "",
                          "text": "Soon.", "created_at": asked[q] + took[q]} for q in sorted(answered))),
        (_t(AuditRow), ({"at": ago(), "platform": "slack", "user_id": f"U{i % 5}", "user_name": "",
                         "channel_id": "C0", "action": ("broadcast", "send", "invite", "topic")[i % 4],
                         "detail": "", "allowed": i % 20 != 0} for i in range(partners * 5))),
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, rows in tables:
            for batch in _batches(rows):
                conn.execute(table.insert(), batch)
        # 2% of the deliveries failed, for a handful of reasons.
        for i, reason in enumerate(REASONS):
            conn.execute(
                text(
                    "UPDATE delivery SET status = 'failed', sent_at = NULL, last_error = :reason "
                    "WHERE id % 200 < 4 AND id % 4 = :i"
                ),
                {"reason": reason, "i": i},
            )
        rollups.rebuild_sync(conn)  # the failed deliveries are no longer sent
    if engine.dialect.name == "postgresql":
        # A database that grew day by day holds each day's roll-up rows together (they are written that
        # day); the bulk rebuild writes them in partner order, so today's few thousand rows would sit
        # on as many pages. (SQLite keeps them clustered by (day, partner): WITHOUT ROWID.)
        with engine.begin() as conn:
            for rollup in ("engagement_day", "delivery_day", "engagement_week", "delivery_week"):
                conn.execute(text(f"CLUSTER {rollup} USING {rollup}_pkey"))
        # Statistics and the visibility map as autovacuum would have them in production: without the
        # map, an index-only scan still visits the table for every row right after a bulk load.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def snapshots(app: App, build: bool) -> None:
    """Build the score snapshots as the `score-snapshots` job would (timed), or make them stale so the
    pages add up the roll-ups (the numbers before them)."""
    if not build:
        async with app.engine.begin() as conn:
            await conn.execute(text("UPDATE score_span SET state = 'stale'"))
        print("score snapshots: none (stale)")
        return
    now = app.clock.now()
    pieces = snapshot_pieces_for(app.settings, now.astimezone(UTC).date())
    started = time.perf_counter()
    built = await app.stores.score_snapshots.refresh(pieces, now=now, worker="bench", lease=JOB_LEASE)
    print(f"score snapshots: {built} of {len(pieces)} built in {time.perf_counter() - started:.1f} s")


async def measure(
    url: str, name: str, requests: int, pages: tuple[str, ...] = PAGES, *, build_snapshots: bool = True
) -> None:
    settings = Settings(_env_file=None, database_url=url, admin_users=("local:bench",))  # type: ignore[call-arg]
    app: App = await build_app(settings, run_migrations=False)
    await snapshots(app, build_snapshots)
    root = web.Application()
    from adapters.web.app import mount

    mount(root, dashboard_app(app))
    runner = web.AppRunner(root)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}/dashboard"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            token = await dashboard_access(app).issue_link(ADMIN, via="bench")
            async with http.post(f"{base}/signin/link", data={"token": token}, allow_redirects=False) as r:
                assert r.status == 302, f"sign-in failed: {r.status}"
            width = max(len(p) for p in pages)
            print(f"{name}: {requests} requests per page (after one warm-up)")
            for path in pages:
                timings: list[float] = []
                for attempt in range(requests + 1):
                    started = time.perf_counter()
                    async with http.get(f"{base}{path}", allow_redirects=False) as response:
                        await response.read()
                        if response.status != 200:
                            raise SystemExit(f"{path}: HTTP {response.status}")
                    if attempt:
                        timings.append((time.perf_counter() - started) * 1000)
                p50, p95 = statistics.median(timings), _percentile(timings, 95)
                print(f"  {path:<{width}}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    finally:
        await runner.cleanup()
        await app.close()


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    now = datetime.now(UTC)
    sizes = (args.partners, args.announcements, args.deliveries, args.events)
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            started = time.perf_counter()
            await asyncio.to_thread(seed, url, *sizes, now)
            print(f"sqlite: seeded in {time.perf_counter() - started:.0f} s")
            await measure(url, "sqlite", args.requests, build_snapshots=args.snapshots == "build")
        return
    if args.db:
        if not args.seeded:
            await asyncio.to_thread(seed, args.db, *sizes, now)
        name = "sqlite" if args.db.startswith("sqlite") else "postgres"
        await measure(args.db, name, args.requests, build_snapshots=args.snapshots == "build")
        return
    if find_bindir() is None:
        raise SystemExit("no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
    cluster = await asyncio.to_thread(start_cluster)
    try:
        await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
        started = time.perf_counter()
        await asyncio.to_thread(seed, cluster.url("bench"), *sizes, now)
        print(f"postgres: seeded in {time.perf_counter() - started:.0f} s")
        build = args.snapshots == "build"
        await measure(cluster.url("bench"), "postgres", args.requests, build_snapshots=build)
    finally:
        await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=1_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db", help="this database URL (postgresql://… or sqlite:///…) instead of a new one")
    parser.add_argument("--seeded", action="store_true", help="with --db: it is seeded already, only measure")
    parser.add_argument(
        "--snapshots",
        choices=["build", "skip"],
        default="build",
        help="build the score snapshots before measuring (as the job keeps them), or make them stale",
    )
    asyncio.run(main(parser.parse_args()))
