"""The dashboard's Questions page at scale: server-side render time, p50/p95, on PostgreSQL (and SQLite).

    uv run python bench/questions.py [--partners 10000 --announcements 1000 --deliveries 1000000
        --questions 50000 --open 500 --rounds 20 --database sqlite|postgres|both] [--db postgresql://…]

Seeds partners, announcements and deliveries with bench/engagement.py's `seed` (no engagement events:
the page does not read them), then questions under random deliveries over the last 180 days, all but
`--open` answered (one answer each), ANALYZE on PostgreSQL; then signs in to the real dashboard
application and times GET /dashboard/questions (unfiltered, by tier, by topic, a 365-day window) and
the CSV export, read to the end.
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
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, text

from bench.engagement import _batches, _t
from bench.engagement import seed as seed_deliveries
from bot.app import build_app, dashboard_access, dashboard_app
from bot.config import Settings
from bot.domain.refs import Platform, UserRef
from storage.engine import sync_url
from storage.tables import AnnouncementTopicRow, AnswerRow, QuestionRow, TopicRow

PAGES = ("/questions", "/questions?tier=gold", "/questions?topic=pricing", "/questions?days=365")


def seed(url: str, args: argparse.Namespace, now: datetime) -> None:
    seed_deliveries(url, args.partners, args.announcements, args.deliveries, 0, now)
    rng = random.Random(15)
    engine = create_engine(sync_url(url))
    answered = args.questions - args.open

    def questions() -> Iterator[dict[str, Any]]:
        for q in range(1, args.questions + 1):
            asked = now - timedelta(seconds=rng.randrange(180 * 86_400))
            is_open = q > answered
            yield {
                "id": q, "channel_id": rng.randrange(1, args.partners + 1), "delivery_id": None,
                "announcement_id": rng.randrange(1, args.announcements + 1), "asker_id": "U1",
                "asker_name": "Pat", "text": f"Question {q}?", "status": "open" if is_open else "answered",
                "created_at": asked, "answered_at": None if is_open else asked + timedelta(hours=3),
            }  # fmt: skip

    def answers() -> Iterator[dict[str, Any]]:
        for q in range(1, answered + 1):
            yield {"question_id": q, "admin_platform": "slack", "admin_id": "U0", "admin_name": "Dana",
                   "text": f"Answer {q}.", "created_at": now}  # fmt: skip

    topics = [{"id": 1, "slug": "pricing", "title": "Pricing", "description": "", "archived": False,
               "created_at": now}]  # fmt: skip
    tagged = ({"announcement_id": a, "topic_id": 1} for a in range(1, args.announcements + 1, 3))
    with engine.begin() as conn:
        conn.execute(_t(TopicRow).insert(), topics)
        for table, rows in ((_t(AnnouncementTopicRow), tagged), (_t(QuestionRow), questions()),
                            (_t(AnswerRow), answers())):  # fmt: skip
            for batch in _batches(rows):
                conn.execute(table.insert(), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


async def measure(url: str, name: str, rounds: int) -> None:
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    app = await build_app(settings, run_migrations=False)
    root = web.Application()
    from adapters.web.app import mount

    mount(root, dashboard_app(app))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            token = await dashboard_access(app).issue_link(
                UserRef(Platform.LOCAL, "", "bench", "Bench"), via="bench"
            )
            signin = server.make_url("/dashboard/signin/link")
            async with http.post(signin, data={"token": token}, allow_redirects=False) as response:
                assert response.status == 302, response.status
            for path in (*PAGES, "/questions.csv"):
                times = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    async with http.get(server.make_url(f"/dashboard{path}")) as response:
                        body = await response.read()
                        assert response.status == 200, (path, response.status)
                    times.append(time.perf_counter() - started)
                times.sort()
                p95 = times[max(0, round(0.95 * len(times)) - 1)]
                print(f"{name}: GET {path:<28} p50 {statistics.median(times) * 1000:6.0f} ms · "
                      f"p95 {p95 * 1000:6.0f} ms · {len(body):,} bytes")  # fmt: skip
    finally:
        await server.close()
        await app.close()


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    now = datetime.now(UTC)
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.db"
                await asyncio.to_thread(seed, url, args, now)
                await measure(url, database, args.rounds)
            continue
        if args.db:
            await asyncio.to_thread(seed, args.db, args, now)
            await measure(args.db, database, args.rounds)
            continue
        if find_bindir() is None:
            print("postgres: skipped — no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
            continue
        cluster = await asyncio.to_thread(start_cluster)
        try:
            await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
            started = time.perf_counter()
            await asyncio.to_thread(seed, cluster.url("bench"), args, now)
            print(f"postgres: seeded in {time.perf_counter() - started:.0f} s")
            await measure(cluster.url("bench"), database, args.rounds)
        finally:
            await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=1_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--db", help="postgres: this database URL instead of a throwaway cluster")
    asyncio.run(main(parser.parse_args()))
