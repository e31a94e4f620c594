"""The engagement queries at scale: the score of every partner, the gone-quiet list and the CSV export.

    uv run python bench/engagement.py [--partners 10000 --announcements 1000 --deliveries 1000000
        --events 2000000 --database sqlite|postgres|both] [--db postgresql://…]

Seeds N partners (one channel each), the announcements, deliveries (sent over the last 180 days) and
engagement events (random kinds over the last 180 days) with bulk inserts and, on PostgreSQL, an
ANALYZE (not timed), then times `EngagementService.scores()` read to the end, `EngagementService.quiet()`,
and the CSV export as `partnerbot engagement --csv` writes it (streamed), and prints the process's peak
RSS. PostgreSQL runs on a throwaway cluster as tests/pg.py starts it, or on `--db postgresql://…`.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Table, create_engine, text
from sqlmodel import SQLModel

from bot.app import build_app
from bot.cli.engagement import COLUMNS, _row
from bot.config import Settings
from bot.domain.engagement import EngagementKind, is_proactive
from storage import migrate
from storage.engine import sync_url
from storage.repositories import rollups
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, EngagementEventRow, PartnerRow

BATCH = 20_000
TIERS, REGIONS = ("platinum", "gold", "silver", "registered"), ("na", "latam", "emea", "apac")
KINDS = [kind for kind in EngagementKind if kind is not EngagementKind.LINK_CLICKED]


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def seed(url: str, partners: int, announcements: int, deliveries: int, events: int, now: datetime) -> None:
    migrate.upgrade(url)
    rng = random.Random(14)
    engine = create_engine(sync_url(url))
    old = now - timedelta(days=200)

    def ago() -> datetime:
        return now - timedelta(seconds=rng.randrange(180 * 86_400))

    per = min(partners, max(1, deliveries // announcements))
    step = max(1, partners // per)
    tables: list[tuple[Table, Iterator[dict[str, Any]]]] = [
        (_t(PartnerRow), ({"id": i, "name": f"Partner {i:06d}", "tier": TIERS[i % 4], "type": "reseller",
                           "region": REGIONS[(i // 4) % 4], "language": "en", "timezone": "UTC",
                           "created_at": old} for i in range(1, partners + 1))),
        (_t(ChannelRow), ({"id": i, "platform": "slack", "workspace_id": "T0BENCH", "channel_id": f"C{i:08d}",
                           "name": "", "partner_id": i, "mode": "immediate", "active": True,
                           "deactivated_reason": "", "created_at": old} for i in range(1, partners + 1))),
        (_t(AnnouncementRow), ({"id": a, "title": f"A{a}", "body": "b", "audience": {}, "priority": "normal",
                                "status": "sent", "author_platform": "slack", "author_workspace": "T0BENCH",
                                "author_user": "U0", "author_name": "", "origin_channel": "C0",
                                "created_at": old, "ack_required": False, "revision": 0, "progress_text": "",
                                "progress_final": False} for a in range(1, announcements + 1))),
        (_t(DeliveryRow), (_delivery(a, (a + j * step) % partners + 1, old, ago())
                           for a in range(1, announcements + 1) for j in range(per))),
        (_t(EngagementEventRow), (_event(rng, partners, announcements, ago()) for _ in range(events))),
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, rows in tables:
            for batch in _batches(rows):
                conn.execute(table.insert(), batch)
        # A bulk load bypasses the repositories, which keep the daily roll-ups: rebuild them.
        rollups.rebuild_sync(conn)
    if engine.dialect.name == "postgresql":
        # Statistics as autovacuum would have them in production: without them, right after the bulk
        # load, PostgreSQL planned gone-quiet at 3 s instead of 0.14 s (10,000 partners).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def _delivery(announcement: int, channel: int, due: datetime, sent: datetime) -> dict[str, Any]:
    """A sent copy to channel `channel` (whose partner has the same id), with the partner's segment
    as fan-out records it at send time, so the dashboard's segment filters match real rows."""
    return {"announcement_id": announcement, "channel_id": channel, "platform": "slack", "status": "sent",
            "attempts": 1, "ambiguous": False, "last_error": "", "not_before": due, "claimed_by": "",
            "sent_at": sent, "tier": TIERS[channel % 4], "type": "reseller",
            "region": REGIONS[(channel // 4) % 4], "language": "en"}  # fmt: skip


def _event(rng: random.Random, partners: int, announcements: int, at: datetime) -> dict[str, Any]:
    kind = rng.choice(KINDS)
    partner = rng.randrange(1, partners + 1)
    announcement = None if is_proactive(kind) else rng.randrange(1, announcements + 1)
    return {"at": at, "kind": kind.value, "proactive": is_proactive(kind), "partner_id": partner,
            "channel_id": partner, "platform": "slack", "user_id": "U1",
            "announcement_id": announcement}  # fmt: skip


async def measure(url: str, name: str) -> None:
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)  # type: ignore[call-arg]
    try:
        service = app.bot.engagement
        started = time.perf_counter()
        scored = sum([1 async for _ in service.scores()])
        score_s = time.perf_counter() - started
        started = time.perf_counter()
        quiet = len((await service.quiet()).partners)
        quiet_s = time.perf_counter() - started
        started = time.perf_counter()
        with tempfile.TemporaryFile("w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            async for score in service.scores():
                writer.writerow(_row(score))
        export_s = time.perf_counter() - started
    finally:
        await app.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name}: score query {score_s:.2f} s ({scored} partners) · gone-quiet {quiet_s:.2f} s "
          f"({quiet} partners) · CSV export {export_s:.2f} s · peak RSS {rss:.0f} MB")  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    now = datetime.now(UTC)
    sizes = (args.partners, args.announcements, args.deliveries, args.events)
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.db"
                started = time.perf_counter()
                await asyncio.to_thread(seed, url, *sizes, now)
                print(f"sqlite: seeded in {time.perf_counter() - started:.0f} s")
                await measure(url, database)
            continue
        if args.db:
            await asyncio.to_thread(seed, args.db, *sizes, now)
            await measure(args.db, database)
            continue
        if find_bindir() is None:
            print("postgres: skipped — no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
            continue
        cluster = await asyncio.to_thread(start_cluster)
        try:
            await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
            started = time.perf_counter()
            await asyncio.to_thread(seed, cluster.url("bench"), *sizes, now)
            print(f"postgres: seeded in {time.perf_counter() - started:.0f} s")
            await measure(cluster.url("bench"), database)
        finally:
            await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--announcements", type=int, default=1_000)
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--db", help="postgres: this database URL instead of a throwaway cluster")
    asyncio.run(main(parser.parse_args()))
