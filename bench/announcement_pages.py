"""The dashboard's Announcements pages at scale: p50/p95 of each page, served and rendered end to end.

    uv run python bench/announcement_pages.py [--partners 10000 --announcements 1000
        --deliveries 1000000 --events 2000000 --runs 20 --database postgres|sqlite]
        [--db postgresql://… [--no-seed]]

Seeds the engagement bench's data (bench/engagement.py `seed`), signs in with a one-time link and
requests each page over HTTP (the real aiohttp application on loopback), `--runs` times each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.engagement import seed
from bot.app import build_app, dashboard_access, dashboard_app
from bot.config import Settings
from bot.domain.refs import Platform, UserRef


def pages(announcements: int) -> list[str]:
    middle = announcements // 2
    return [
        "/announcements",
        "/announcements?status=sent&days=365",
        f"/announcements?before={middle}",
        "/announcements.csv",
        f"/announcements/{middle}",
        f"/announcements/{middle}/progress",
        f"/announcements/{middle}/channels.csv",
    ]


async def measure(url: str, name: str, announcements: int, runs: int) -> None:
    settings = Settings(_env_file=None, database_url=url, admin_users=("slack:U0BENCH",))  # type: ignore[call-arg]
    app = await build_app(settings, run_migrations=False)
    root = web.Application()
    from adapters.web.app import mount

    mount(root, dashboard_app(app))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            admin = UserRef(Platform.SLACK, "T0BENCH", "U0BENCH", "Bench")
            token = await dashboard_access(app).issue_link(admin, via="bench")
            signin = server.make_url("/dashboard/signin/link")
            async with http.post(signin, data={"token": token}, allow_redirects=False) as response:
                assert response.status == 302, response.status
            for path in pages(announcements):
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    async with http.get(server.make_url(f"/dashboard{path}")) as response:
                        body = await response.read()
                        assert response.status == 200, (path, response.status)
                    timings.append(time.perf_counter() - started)
                timings.sort()
                p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
                print(
                    f"{name} {path}: p50 {statistics.median(timings) * 1000:.0f} ms · "
                    f"p95 {p95 * 1000:.0f} ms · {len(body) / 1024:.0f} KiB"
                )
    finally:
        await server.close()
        await app.close()


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    now = datetime.now(UTC)
    sizes = (args.partners, args.announcements, args.deliveries, args.events)
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            await asyncio.to_thread(seed, url, *sizes, now)
            await measure(url, "sqlite", args.announcements, args.runs)
        return
    if args.db:
        if not args.no_seed:
            await asyncio.to_thread(seed, args.db, *sizes, now)
        await measure(args.db, "postgres", args.announcements, args.runs)
        return
    if find_bindir() is None:
        print("postgres: skipped — no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
        return
    cluster = await asyncio.to_thread(start_cluster)
    try:
        await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
        started = time.perf_counter()
        await asyncio.to_thread(seed, cluster.url("bench"), *sizes, now)
        print(f"postgres: seeded in {time.perf_counter() - started:.0f} s")
        await measure(cluster.url("bench"), "postgres", args.announcements, args.runs)
    finally:
        await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=1_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--db", help="postgres: this database URL instead of a throwaway cluster")
    parser.add_argument("--no-seed", action="store_true", help="with --db: measure the data already there")
    asyncio.run(main(parser.parse_args()))
