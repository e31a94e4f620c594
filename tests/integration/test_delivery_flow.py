"""The serving worker's flow of delivery batches (DeliveryWorker.run): the next batch is claimed while
the current one's last wave of sends is still out, never more than two batches are in hand, and
every channel still gets its copy exactly once, on both databases.

The sends are held in a gate (the rate limiter's place in the path), so the test decides when each
one may go and looks at the outbox in between; it waits for events, never for a fixed time.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.domain import Platform, Work, WorkKind
from bot.ports.sending import RateKey
from bot.services.delivery import DeliveryWorker
from bot.services.queues import AnnouncementCache
from tests.harness import Harness
from tests.integration.support import assert_exactly_once, broadcast_and_send, deliveries, setup_topics

BATCH, CONCURRENCY, CHANNELS = 4, 2, 10
CHANNEL_NAMES = [f"ch{i:02d}" for i in range(CHANNELS)]
WAIT = 30.0  # seconds: generous for a loaded machine; every wait ends on an event well before


class Gate:
    """A limiter that holds every send until the test lets it through, one at a time."""

    def __init__(self) -> None:
        self.held: list[asyncio.Future[None]] = []
        self._arrived = asyncio.Condition()

    def try_acquire(self, keys: list[RateKey]) -> bool:
        return False  # never at once: every send is held in acquire

    async def acquire(self, keys: list[RateKey]) -> None:
        turn = asyncio.get_running_loop().create_future()
        async with self._arrived:
            self.held.append(turn)
            self._arrived.notify_all()
        await turn

    async def holding(self, n: int) -> None:
        """Wait until `n` sends are held."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.held) >= n), WAIT)

    def let_through(self) -> None:
        self.held.pop(0).set_result(None)

    async def close(self) -> None:
        pass


async def _statuses(h: Harness) -> Counter[str]:
    return Counter(row.status for row in await deliveries(h))


async def _until(h: Harness, ready: object, what: str) -> Counter[str]:
    """Poll the outbox (a read, between the worker's own steps) until `ready(statuses)` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        statuses = await _statuses(h)
        if ready(statuses):  # type: ignore[operator]
            return statuses
        assert loop.time() < deadline, f"{what}: the outbox stayed at {dict(statuses)}"
        await asyncio.sleep(0)  # yield to the worker: no fixed wait


async def gated_worker(h: Harness, title: str, *, worker_id: str, batch: int) -> tuple[DeliveryWorker, Gate]:
    """A broadcast to CHANNELS local channels, and a worker for it whose sends wait at a Gate."""
    await setup_topics(h, "security")
    for channel in CHANNEL_NAMES:
        await h.subscribe(channel, "security")
    await broadcast_and_send(h, f'topic:security title:"{title}"', "Ten channels.")
    gate = Gate()
    worker = DeliveryWorker(
        h.app.stores,
        h.app.clock,
        {Platform.LOCAL: h.local.sender},
        h.app.bot.feedback,
        worker_id=worker_id,
        batch=batch,
        concurrency=CONCURRENCY,
        limiter=gate,
    )
    return worker, gate


async def test_the_next_batch_is_claimed_while_the_last_wave_is_out_and_each_goes_once(
    harness: Harness,
) -> None:
    h = harness
    worker, gate = await gated_worker(h, "Flow", worker_id="flow-worker", batch=BATCH)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop, poll_seconds=0.01))
    try:
        await gate.holding(CONCURRENCY)  # batch 1: two of its four sends are out, two wait for a slot
        assert (await _statuses(h))["claimed"] == BATCH
        gate.let_through()
        gate.let_through()
        # Batch 1 is down to its last wave (two sends, two slots): batch 2 is claimed meanwhile.
        statuses = await _until(h, lambda s: s["claimed"] == 2 + BATCH, "batch 2 claimed")
        assert (statuses["sent"], statuses["pending"]) == (2, CHANNELS - 2 - 2 - BATCH)
        await gate.holding(CONCURRENCY)
        assert h.local.sender.calls["post"] == 2  # batch 1's last two are still held at the gate

        # Never a third batch in hand while the first is not done: with every send held,
        # batch 3 (the last two rows) stays pending until batch 1's last wave is through.
        let = 0
        while let < CHANNELS - 2:
            claimed = (await _statuses(h))["claimed"]
            assert claimed <= 2 * BATCH, f"{claimed} rows claimed at once, batches of {BATCH}"
            await gate.holding(1)
            gate.let_through()
            let += 1
        await _until(h, lambda s: s["sent"] == CHANNELS, "every delivery recorded sent")
    finally:
        stop.set()
        await asyncio.wait_for(running, WAIT)
    assert_exactly_once(h, *CHANNEL_NAMES)
    rows = await deliveries(h)
    assert {(r.status, r.attempts, r.ambiguous) for r in rows} == {("sent", 1, False)}


async def test_an_edit_finds_its_announcement_after_a_delivery_batch_forgot_it(harness: Harness) -> None:
    """With batches of several queues in flight at once, a delivery batch's end may forget an
    announcement that just became `sent` while an edit of it had loaded it and not yet used it: the
    edit reads it again rather than failing it as gone."""
    h = harness
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    announcement_id = await broadcast_and_send(h, 'topic:security title:"Forgotten"', "Read me.")
    cache = AnnouncementCache(h.app.stores.announcements)
    await h.deliver()
    (row,) = await deliveries(h)
    work = Work(WorkKind.DELIVERY, row.id, attempts=1, ambiguous=False, announcement_id=announcement_id)
    await cache.load([work])
    cache.forget([announcement_id])  # the delivery batch's end, meanwhile

    assert cache.get(announcement_id) is None
    found = await cache.fetch(announcement_id)
    assert found is not None and found.title == "Forgotten"
    assert await cache.fetch(announcement_id + 1000) is None  # one that really is gone


async def test_a_batch_is_sent_by_as_many_tasks_as_there_are_slots_not_a_task_per_row(
    harness: Harness,
) -> None:
    """A fan-out batch of hundreds of rows needs only `concurrency` tasks: each takes the batch's
    next row when its send is done, instead of every row's task waiting on the slots."""
    h = harness
    worker, gate = await gated_worker(h, "Tasks", worker_id="task-worker", batch=CHANNELS)
    before = asyncio.all_tasks()
    draining = asyncio.create_task(worker.drain())
    try:
        await gate.holding(CONCURRENCY)  # the whole batch is claimed; two sends wait at the gate
        started = asyncio.all_tasks() - before
        assert len(started) == 1 + CONCURRENCY, started  # the drain, and one task per slot
        for _ in range(CHANNELS):
            await gate.holding(1)
            gate.let_through()
        assert await asyncio.wait_for(draining, WAIT) == CHANNELS
    finally:
        draining.cancel()
    assert_exactly_once(h, *CHANNEL_NAMES)
    assert {(r.status, r.attempts) for r in await deliveries(h)} == {("sent", 1)}
