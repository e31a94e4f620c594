"""Fatigue caps: what the weekly cap adds to a broadcast's fan-out, with a history of deliveries.

    uv run python bench/caps.py [--channels 10000] [--history 30] [--url postgresql://…]

Seeds N immediate channels (bench/seed.py) and `--history` past announcements to all of them, sent
over the last 60 days (so about a quarter fall in the week before now), bulk-inserted and not timed.
Then, with PARTNERBOT_WEEKLY_CAP=3, times: the preview (it counts channels at their cap), `send` of a
normal announcement (every channel is over its cap: all rows capped), and `send` of an urgent one
(never capped: the fan-out without the cap's count), on the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seed import CHUNK, Target, draft, seed, send
from bot.app import build_app
from bot.config import Settings
from bot.domain import Platform
from storage.tables import AnnouncementRow, DeliveryRow


async def _history(app: object, channels: int, history: int) -> None:
    engine = app.engine  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for n in range(history):
            at = now - timedelta(days=60) + timedelta(days=60 * (n + 1) / (history + 1))
            result = await conn.execute(
                insert(AnnouncementRow).returning(AnnouncementRow.id),  # type: ignore[arg-type]
                [{"title": f"Past {n}", "body": "", "audience": {}, "priority": "normal", "status": "sent",
                  "author_platform": "local", "author_workspace": "local", "author_user": "bench",
                  "origin_channel": "admin", "created_at": at, "sent_at": at}],
            )  # fmt: skip
            announcement_id = result.scalar_one()
            rows = [
                {"announcement_id": announcement_id, "channel_id": c, "platform": "local", "status": "sent",
                 "attempts": 1, "ambiguous": False, "last_error": "", "not_before": at, "claimed_by": "",
                 "sent_at": at}
                for c in range(1, channels + 1)
            ]  # fmt: skip
            for start in range(0, len(rows), CHUNK):
                await conn.execute(insert(DeliveryRow), rows[start : start + CHUNK])


async def run(channels: int, history: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_url=url or f"sqlite:///{tmp}/bench.db", weekly_cap=3)
        app = await build_app(settings)
        await seed(app.engine, [Target(Platform.LOCAL, "local", f"c{i}") for i in range(1, channels + 1)])
        await _history(app, channels, history)
        started = time.perf_counter()
        normal = await draft(app, "Capped")
        previewing = time.perf_counter() - started
        started = time.perf_counter()
        await send(app, normal)
        capped_send = time.perf_counter() - started
        urgent = await draft(app, "Urgent", urgent=True)
        started = time.perf_counter()
        await send(app, urgent)
        urgent_send = time.perf_counter() - started
        async with app.engine.connect() as conn:
            held = select(func.count()).where(
                col(DeliveryRow.capped), col(DeliveryRow.announcement_id) == normal
            )
            capped = (await conn.execute(held)).scalar_one()
            total = (await conn.execute(select(func.count()).select_from(DeliveryRow))).scalar_one()
        await app.close()
    print(f"channels / history rows       {channels} / {total:,}")
    print(f"preview (counts at-cap)       {previewing:.3f} s")
    print(f"send, normal (cap counted)    {capped_send:.3f} s   ({capped} rows capped)")
    print(f"send, urgent (no cap count)   {urgent_send:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channels", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=30)
    parser.add_argument("--url", default=None, help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    asyncio.run(run(args.channels, args.history, args.url))


if __name__ == "__main__":
    main()
