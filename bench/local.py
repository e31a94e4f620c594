"""`--platform local`: the whole path in one process with the local adapter's in-memory sender.

Measures partnerbot alone (no network): targeting time, the same for a broadcast scheduled
`at:"… local"` (one `not_before` per zone), worker throughput, and this process's peak RSS.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta

from adapters.local.app import LocalAdapter
from bench.seed import ZONES, Target, draft, seed, send
from bot.app import build_app
from bot.config import Settings
from bot.domain import Platform


async def run_local(channels: int, url: str | None, *, batch: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=url or f"sqlite:///{tmp}/bench.db",
            worker_batch=batch,
            worker_concurrency=concurrency,
        )
        app = await build_app(settings)
        app.worker.add_sender(Platform.LOCAL, LocalAdapter(app.bot).sender)
        await seed(app.engine, [Target(Platform.LOCAL, "local", f"c{i}") for i in range(1, channels + 1)])
        later = (datetime.now(UTC) + timedelta(days=2)).replace(tzinfo=None)
        scheduled = await draft(app, "Tomorrow", "Later", send_at=later, send_local=True)
        started = time.perf_counter()
        await send(app, scheduled)
        local_targeting = time.perf_counter() - started
        now = await draft(app, "Benchmark")
        started = time.perf_counter()
        await send(app, now)
        targeting = time.perf_counter() - started
        started = time.perf_counter()
        delivered = await app.worker.drain()
        delivering = time.perf_counter() - started
        stats = await app.stores.stats.announcement(now)
        waiting = await app.stores.stats.announcement(scheduled)
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
