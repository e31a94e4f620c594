"""Idle shared rate-limit buckets (`rate_limit` rows) are pruned by a periodic job.

A bucket whose TAT lies in the past is full again, and a missing row reads as TAT 0.0, i.e. full:
deleting it changes no pacing. The job deletes rows full for longer than RATE_LIMIT_IDLE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bot.jobs import JOBS, RATE_LIMIT_IDLE, run_job
from bot.ports import RateKey
from bot.services.ratelimits import SharedLimiter
from storage.engine import make_sessionmaker
from storage.repositories import RateLimitRepository
from storage.tables import JobRunRow, RateLimitRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import rows


def _buckets(h: Harness) -> RateLimitRepository:
    return RateLimitRepository(make_sessionmaker(h.app.engine))


async def _set(h: Harness, tats: Mapping[str, float]) -> None:
    await _buckets(h).update(tats, lambda _: tats)


async def _tats(h: Harness) -> dict[str, float]:
    return {r.key: r.tat for r in await rows(h, RateLimitRow)}


async def test_buckets_idle_longer_than_their_refill_are_pruned_once_across_processes(
    harness: Harness, database_url: str, clock: FakeClock
) -> None:
    h = harness
    now = clock.now().timestamp()
    idle = RATE_LIMIT_IDLE.total_seconds()
    await _set(
        h,
        {
            "slack:post:T1:C1": now - idle - 60,  # full again long ago: goes
            "slack:post:T1:C2": now - idle + 60,  # full again only lately: kept (clock skew margin)
            "slack:post:T1": now + 3,  # still refilling: kept
        },
    )
    other = await make_harness(database_url, clock)
    try:
        ran = await asyncio.gather(
            run_job(h.app, "rate-limit-pruning"), run_job(other.app, "rate-limit-pruning")
        )
    finally:
        await other.close()
    assert sorted(len(keys) for keys in ran) == [0, 1]  # one run per period across processes
    assert set(await _tats(h)) == {"slack:post:T1:C2", "slack:post:T1"}
    (run,) = await rows(h, JobRunRow, job="rate-limit-pruning")
    assert (run.status, run.detail) == ("done", "1 idle rate-limit bucket removed")

    clock.advance(minutes=10)  # the next period: the other two have been full for long enough now
    assert await run_job(h.app, "rate-limit-pruning") != []
    assert await _tats(h) == {}
    assert [r.detail for r in await rows(h, JobRunRow, job="rate-limit-pruning")][-1] == (
        "2 idle rate-limit buckets removed"
    )


async def test_a_pruned_bucket_paces_like_the_full_bucket_it_was(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    wall = [1_000_000.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        wall[0] += seconds

    limiter = SharedLimiter(_buckets(h), now=lambda: wall[0], sleep=sleep)
    key = [RateKey("slack:post:T1:C1", rate=1, period=1.0)]
    await limiter.acquire(key)
    wall[0] += 3600  # an hour idle: the bucket is full again
    assert await h.app.stores.rate_limits.prune(full_before=wall[0] - 300) == 1
    await limiter.acquire(key)  # the first post after the pruning goes at once…
    await limiter.acquire(key)  # …and the next waits one interval, as without the pruning
    assert sum(slept) == pytest.approx(1.0)  # (granted 10 ms early: the lookahead hides the round trip)
    await limiter.close()


def test_partnerbot_jobs_lists_the_pruning(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "250")
    # Rich reads COLUMNS when a Console is made: the CLI's was made at import (80 in an xdist worker).
    monkeypatch.setattr("bot.cli.out", Console())
    result = CliRunner().invoke(cli, ["jobs"])
    assert result.exit_code == 0, result.output
    assert "rate-limit-pruning" in result.output and "every 10 min, once across processes" in result.output
    assert "rate-limit-pruning" in JOBS
