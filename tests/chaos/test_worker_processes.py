"""PARTNERBOT_WORKER_PROCESSES: one `partnerbot worker` delivering from two processes on PostgreSQL,
sharing the outbox through the leases and the platforms' limits through the database.

Every targeted channel ends up with exactly one copy, both processes delivered some, SIGTERM stops
both cleanly; a delivery process that dies stops the group with exit code 1 and one line, and what
it had claimed is delivered (once) by whoever runs next.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from bot.domain import DeliveryStatus
from storage.tables import DeliveryRow
from tests.chaos.workers import READY, Worker, WorkerPool
from tests.chaos.world import ChaosConfig, ChaosWorld, chaos_world, until

# Small enough to be quick, paced (shared limits) so that both processes are up before it is done.
CONFIG = ChaosConfig(channels=400, kills=0)
WAIT = 180.0  # start-ups on a busy machine; bounded, never timed

pytestmark = [pytest.mark.timeout(600), pytest.mark.parametrize("database_url", [
    pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)]  # fmt: skip


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[ChaosWorld]:
    async with chaos_world(database_url, CONFIG) as w:
        yield w


def _env(world: ChaosWorld, processes: int = 2) -> dict[str, str]:
    return world.worker_env(
        PARTNERBOT_WORKER_PROCESSES=str(processes),
        PARTNERBOT_RATE_LIMITS="shared",
        PARTNERBOT_SLACK_WORKSPACE_RATE="100",
        PARTNERBOT_WORKER_BATCH="20",
    )


async def _both_running(worker: Worker) -> None:
    def probe() -> bool:
        assert worker.running, worker.log_tail()
        return worker.log.read_text(errors="replace").count(READY) == 2

    try:
        await until(probe, "both delivery processes to run", timeout=WAIT)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{worker.log_tail()}") from None


async def _hold(world: ChaosWorld, wait: timedelta) -> None:
    """Make the broadcast's deliveries due `wait` from now."""
    query = (
        update(DeliveryRow)
        .where(col(DeliveryRow.announcement_id) == world.announcement_id)
        .values(not_before=datetime.now(UTC) + wait)
    )
    async with world.app.engine.begin() as conn:
        await conn.execute(query)


async def _claimers(world: ChaosWorld) -> int:
    """How many worker processes (host:pid) recorded the broadcast's sent deliveries."""
    query = select(func.count(func.distinct(col(DeliveryRow.claimed_by)))).where(
        col(DeliveryRow.announcement_id) == world.announcement_id,
        col(DeliveryRow.status) == DeliveryStatus.SENT.value,
    )
    async with world.app.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


def _delivery_children(worker: Worker) -> list[int]:
    """The extra delivery processes of `worker` (not multiprocessing's resource tracker)."""
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


async def test_two_processes_deliver_every_channel_exactly_once(world: ChaosWorld, tmp_path: Path) -> None:
    await _hold(world, timedelta(days=1))  # nothing is due until both processes run
    pool = WorkerPool(_env(world), tmp_path / "workers")
    try:
        worker = await pool.spawn()
        await _both_running(worker)
        assert len(_delivery_children(worker)) == 1
        await _hold(world, timedelta(0))
        await until(_all_sent(world), "every delivery to be sent", timeout=WAIT)
        codes = await pool.terminate(timeout=60)
    finally:
        await pool.close()
    verdict = await world.verdict()
    assert codes == {1: 0}, worker.log_tail()
    assert verdict.clean, verdict.problems
    assert await _claimers(world) == 2  # both processes delivered


async def test_a_dead_delivery_process_stops_the_group_and_nothing_is_lost(
    world: ChaosWorld, tmp_path: Path
) -> None:
    await _hold(world, timedelta(days=1))
    pool = WorkerPool(_env(world), tmp_path / "workers")
    try:
        worker = await pool.spawn()
        await _both_running(worker)
        [child] = _delivery_children(worker)
        await _hold(world, timedelta(0))
        await until(lambda: world.bot_messages() > 0, "the first deliveries", timeout=WAIT)
        os.kill(child, signal.SIGKILL)
        code = await worker.process.wait()
        log = worker.log.read_text(errors="replace")
        assert code == 1, worker.log_tail()
        assert "delivery process partnerbot-worker-2 exited with code -9" in log
        assert "Traceback" not in log
        # What the dead one had claimed goes to the next worker once its lease (2 s) runs out.
        pool.stopped.append(worker)
        rerun = await pool.spawn()
        await until(_all_sent(world), "every delivery to be sent after the restart", timeout=WAIT)
        codes = await pool.terminate(timeout=60)
    finally:
        await pool.close()
    verdict = await world.verdict()
    assert codes == {rerun.number: 0}, rerun.log_tail()
    assert verdict.clean, verdict.problems


def _all_sent(world: ChaosWorld) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return await world.open_rows() == 0

    return probe
