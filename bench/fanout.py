"""Fan-out benchmark: broadcast to N local channels through partnerbot's full path and print numbers.

    uv run python bench/fanout.py [--channels 10000] [--db sqlite:///path.db]

Prints: time to resolve targets and write the delivery rows (through `send`, which also groups the
targets by time zone, quiet hours and mode and times each group), the same for a broadcast scheduled
`at:"… local"` (a different `not_before` per zone), deliveries/s through the worker with the local
sender, and the process's peak RSS. Setup (topics, partners in 8 time zones, channels,
subscriptions) is bulk-inserted and not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.local.app import LocalAdapter
from bot.app import build_app
from bot.commands import Broadcast, Send
from bot.config import Settings
from bot.domain import Audience, ChannelRef, Invocation, Platform, UserRef
from storage.tables import ChannelRow, PartnerRow, SubscriptionRow, TopicRow

TIERS = ("platinum", "gold", "silver", "registered")
REGIONS = ("na", "emea", "apac")
ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
)


async def seed(app, n: int) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    async with app.engine.begin() as conn:
        await conn.execute(
            insert(TopicRow),
            [
                {
                    "slug": "security",
                    "title": "Security",
                    "description": "",
                    "archived": False,
                    "created_at": now,
                }
            ],
        )
        await conn.execute(
            insert(PartnerRow),
            [
                {
                    "name": f"Partner {i}",
                    "tier": TIERS[i % 4],
                    "type": "reseller",
                    "region": REGIONS[i % 3],
                    "language": "en",
                    "timezone": ZONES[i % len(ZONES)],
                    "created_at": now,
                }
                for i in range(1, n + 1)
            ],
        )
        await conn.execute(
            insert(ChannelRow),
            [
                {
                    "platform": "local",
                    "workspace_id": "local",
                    "channel_id": f"c{i}",
                    "name": f"c{i}",
                    "partner_id": i,
                    "mode": "immediate",
                    "active": True,
                    "deactivated_reason": "",
                    "created_at": now,
                }
                for i in range(1, n + 1)
            ],
        )
        await conn.execute(
            insert(SubscriptionRow),
            [{"channel_id": i, "topic_id": 1, "created_at": now} for i in range(1, n + 1)],
        )


async def main(channels: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=url or f"sqlite:///{tmp}/bench.db",
            worker_batch=500,
            worker_concurrency=64,
        )
        app = await build_app(settings)
        local = LocalAdapter(app.bot)
        app.worker.add_sender(Platform.LOCAL, local.sender)
        await seed(app, channels)
        inv = Invocation(
            channel=ChannelRef(Platform.LOCAL, "local", "admin"),
            user=UserRef(Platform.LOCAL, "local", "bench"),
        )
        admin = app.bot.admin
        later = (datetime.now(UTC) + timedelta(days=2)).replace(tzinfo=None)
        scheduled = await admin.broadcast(
            inv, Broadcast(("security",), Audience(), "Tomorrow", "Later", send_at=later, send_local=True)
        )
        assert not scheduled.is_error, scheduled.text
        started = time.perf_counter()
        reply = await admin.send(Send(1))
        local_targeting = time.perf_counter() - started
        assert not reply.is_error, reply.text
        await admin.broadcast(inv, Broadcast(("security",), Audience(), "Benchmark", "Hello partners"))
        started = time.perf_counter()
        reply = await admin.send(Send(2))
        targeting = time.perf_counter() - started
        assert not reply.is_error, reply.text
        started = time.perf_counter()
        delivered = await app.worker.drain()
        delivering = time.perf_counter() - started
        stats = await app.stores.stats.announcement(2)
        waiting = await app.stores.stats.announcement(1)
        await app.close()
    assert stats is not None and stats.delivered == channels, stats
    assert waiting is not None and waiting.pending == channels, waiting
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"channels                      {channels}")
    print(f"targets resolved + written    {targeting:.3f} s   (target < 1 s at 10,000)")
    print(
        f"  same, scheduled at:… local  {local_targeting:.3f} s   ({len(ZONES)} zones, one not_before each)"
    )
    print(
        f"deliveries through worker     {delivered} in {delivering:.2f} s = {delivered / delivering:,.0f}/s"
        "   (target >= 2,000/s on SQLite)"
    )
    print(f"peak RSS                      {rss_mb:.0f} MB   (target < 200 MB)")
    print(f"delivered / failed / pending  {stats.delivered} / {stats.failed} / {stats.pending}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    asyncio.run(main(args.channels, args.db))
