"""Chaos: a broadcast to ≥ 1,000 channels on the fake Slack and the fake Discord, delivered by real
`partnerbot worker` processes that are SIGKILLed and restarted at random moments, or that meet the
platforms' transient faults. Every targeted channel must end up with exactly one copy, and every
delivery row must be `sent` with the id of the message the channel holds.

The default is the CI form: 1,000 channels; 10 kills on PostgreSQL; the faults (and 2 more kills)
on a SQLite file. A longer run, every test on both databases:
    PARTNERBOT_CHAOS_CHANNELS=5000 PARTNERBOT_CHAOS_KILLS=40 PARTNERBOT_CHAOS_BACKENDS=sqlite,postgres \
        uv run pytest tests/chaos -s
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import Platform
from tests.chaos.faults import FaultPlan
from tests.chaos.workers import WorkerPool
from tests.chaos.world import ChaosConfig, ChaosWorld, Verdict, chaos_world, until

CONFIG = ChaosConfig.from_env()
# Bounded, never timed: a longer run (the environment variables above) gets more room.
LIMIT = 120 + CONFIG.channels // 40 + CONFIG.kills * 5
PROGRESS_WAIT = 40.0  # room for worker start-ups (~3 s each), a 2 s lease, Slack's 15 s client timeout
SOLO_KILLS = 2  # kills while a single worker delivers; the rest hit one of two
FAULT_KILLS = 2  # kills among the faults, so a crash meets a fault's aftermath too

pytestmark = pytest.mark.timeout(LIMIT)


def _backends(default: str) -> list[object]:
    return [
        pytest.param(b, marks=pytest.mark.postgres) if b == "postgres" else b
        for b in CONFIG.backends or (default,)
    ]


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[ChaosWorld]:
    async with chaos_world(database_url, CONFIG) as w:
        yield w


@pytest.mark.parametrize("database_url", _backends("postgres"), indirect=True)
async def test_sigkilled_workers_deliver_every_channel_exactly_once(
    world: ChaosWorld, tmp_path: Path
) -> None:
    rng = random.Random(CONFIG.seed)
    # Paced sends, Slack's slow enough that a batch outlasts its 2 s lease while new workers arrive
    # to take expired rows over: the sends still waiting then must not go out as well.
    env = world.worker_env(PARTNERBOT_RATE_LIMITS="process", PARTNERBOT_SLACK_WORKSPACE_RATE="20")
    pool = WorkerPool(env, tmp_path / "workers")
    started = time.monotonic()
    mid_delivery = 0
    try:
        # Progress between kills stays small, so every kill lands while most channels still wait.
        step = max(4, len(world.targets) // (3 * CONFIG.kills))
        for kill in range(CONFIG.kills):
            while len(pool.live) < (1 if kill < SOLO_KILLS else 2):
                await pool.spawn()
            await _progress(world, pool, rng.randint(1, step), f"progress before kill {kill + 1}")
            mid_delivery += world.bot_messages() < len(world.targets)
            await _kill_and_restart(pool, rng)
        await _finish(world, pool)
        codes = await pool.terminate(timeout=30)
    finally:
        await pool.close()
    verdict = await world.verdict()
    await _summary(world, f"kills {len(pool.killed)} ({mid_delivery} mid-delivery)", verdict, started)

    assert len(pool.killed) >= 10 and mid_delivery == len(pool.killed)
    assert set(codes.values()) == {0}, codes  # SIGTERM: a clean exit
    assert verdict.clean, verdict.problems


@pytest.mark.parametrize("database_url", _backends("sqlite"), indirect=True)
async def test_transient_faults_end_in_exactly_one_copy_each(world: ChaosWorld, tmp_path: Path) -> None:
    rng = random.Random(CONFIG.seed + 1)
    env = world.worker_env(
        # A short Discord deadline makes the fake's late answers real client-side timeouts.
        PARTNERBOT_DISCORD_SEND_TIMEOUT="2",
        PARTNERBOT_RATE_LIMITS="process",
        PARTNERBOT_SLACK_WORKSPACE_RATE="40",
    )
    pool = WorkerPool(env, tmp_path / "workers")
    plan = FaultPlan.shuffled(world.slack, world.discord, rng)
    kills_after = set(rng.sample(range(len(plan.faults)), FAULT_KILLS))
    started = time.monotonic()
    try:
        plan.storm()  # 429s greet the first posts on both platforms
        for _ in range(2):
            await pool.spawn()
        step = max(4, len(world.targets) // (2 * len(plan.faults)))
        for i, fault in enumerate(plan.faults):
            await _progress(world, pool, rng.randint(1, step), f"progress before the {fault.name}")
            fault.inject()
            if i in kills_after:
                await _kill_and_restart(pool, rng)
        await _finish(world, pool)
        codes = await pool.terminate(timeout=30)
    finally:
        await pool.close()
    verdict = await world.verdict()
    served = plan.served()
    await _summary(
        world, f"faults {served}/{plan.injected} served, kills {len(pool.killed)}", verdict, started
    )

    assert served >= plan.injected - plan.lookups, plan.unserved()  # every fault on a post was met
    assert set(codes.values()) == {0}, codes
    assert verdict.clean, verdict.problems


async def _kill_and_restart(pool: WorkerPool, rng: random.Random) -> None:
    """SIGKILL a worker that is delivering (if none has started up yet, any), then start another."""
    await pool.kill(rng.choice(pool.ready or pool.live))
    await pool.spawn()


async def _progress(world: ChaosWorld, pool: WorkerPool, requests: int, what: str) -> None:
    """Wait until the workers have made `requests` more posts or look-ups (never a fixed sleep)."""
    goal = world.requests() + requests

    def probe() -> bool:
        _no_crash(pool)
        return world.requests() >= goal

    await until(probe, what, timeout=PROGRESS_WAIT)


async def _finish(world: ChaosWorld, pool: WorkerPool) -> None:
    """The workers run until no delivery of the broadcast is pending or claimed, and every one of
    them has started up (so the SIGTERM that follows meets its signal handler)."""

    async def done() -> bool:
        _no_crash(pool)
        return len(pool.ready) == len(pool.live) and await world.open_rows() == 0

    await until(done, "every delivery to finish", timeout=LIMIT / 2)


def _no_crash(pool: WorkerPool) -> None:
    if crashed := pool.crashed():
        raise AssertionError(f"worker {crashed[0].number} exited by itself:\n{crashed[0].log_tail()}")


async def _summary(world: ChaosWorld, what: str, v: Verdict, started: float) -> None:
    slack = sum(1 for s in world.targets if s.platform is Platform.SLACK)
    print(
        f"\nchaos [{world.app.engine.dialect.name}]: {len(world.targets)} channels ({slack} Slack, "
        f"{len(world.targets) - slack} Discord in {CONFIG.guilds} guilds), {what}, "
        f"{await world.reclaimed()} claimed again, {world.lookups()} look-ups: "
        f"duplicates {v.duplicates}, missing {v.missing}, unfinished {v.unfinished}, "
        f"mismatched {v.mismatched}, strays {v.strays}; "
        f"{time.monotonic() - started:.1f} s, seed {CONFIG.seed}"
    )
