"""What the chaos test found with rate limits on: a send that waits (for a concurrency slot, for
the rate limiter) until its lease has run out must not be posted, because by then another worker
may have taken the row over, looked for an earlier post, found none and posted it. Slack has no
idempotency key to absorb the second post. Here the same race, step by step on an injected clock.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.cadence import NoticeDraft
from bot.domain import ChannelRef, Platform
from bot.ports import RateKey
from bot.services.delivery import DeliveryWorker
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness
from tests.integration.support import assert_exactly_once, broadcast_and_send, deliveries, setup_topics

LEASE = timedelta(seconds=60)  # the harness's (Settings' default)


class HeldLimiter:
    """A bucket slower than any lease: every acquire waits until the test opens it."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self._open = asyncio.Event()

    def try_acquire(self, keys: list[RateKey]) -> bool:
        return False  # never a cell at once: every send waits in acquire

    async def acquire(self, keys: list[RateKey]) -> None:
        self.entered.set()
        await self._open.wait()

    def open(self) -> None:
        self._open.set()

    async def close(self) -> None:
        pass


def _slow_worker(h: Harness, limiter: HeldLimiter) -> DeliveryWorker:
    app = h.app
    return DeliveryWorker(
        app.stores,
        app.clock,
        {Platform.LOCAL: h.local.sender},
        app.bot.feedback,
        worker_id="slow-worker",
        lease=LEASE,
        limiter=limiter,
    )


async def _broadcast_to_acme(h: Harness) -> None:
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    await broadcast_and_send(h, 'topic:security title:"Slow lane"', "Behind a rate limit.")


async def test_a_post_that_waited_past_its_lease_is_left_to_the_worker_that_took_it_over(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _broadcast_to_acme(h)
    held = HeldLimiter()
    slow = asyncio.create_task(_slow_worker(h, held).run_once())
    await asyncio.wait_for(held.entered.wait(), 5)

    clock.advance(LEASE.total_seconds() + 1)  # its turn comes only after the lease ran out…
    await h.deliver()  # …and meanwhile another worker took the row over and posted it
    held.open()
    await asyncio.wait_for(slow, 5)

    assert_exactly_once(h, "acme")
    (row,) = [r for r in await deliveries(h) if r.channel_id is not None and r.status == "sent"]
    assert row.message_id == h.posts("acme")[0].id


async def test_what_is_claimed_after_a_long_batch_gets_a_lease_of_its_own(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await _broadcast_to_acme(h)
    admin = ChannelRef(Platform.LOCAL, "local", ADMIN_CHANNEL)
    await h.app.stores.notices.add([NoticeDraft("chaos:1", admin, "Weekly report")], now=clock.now())
    held = HeldLimiter()
    slow = asyncio.create_task(_slow_worker(h, held).run_once())
    await asyncio.wait_for(held.entered.wait(), 5)

    clock.advance(LEASE.total_seconds() + 1)  # the delivery batch outlasts its lease
    held.open()
    await asyncio.wait_for(slow, 5)

    # The delivery's lease ran out, so it was not posted; the notice, claimed after that batch,
    # was claimed with a lease of its own and went out.
    assert h.posts("acme") == []
    assert [m.text for m in h.posts(ADMIN_CHANNEL) if "Weekly report" in m.text] != []
    # Handed back without trying: the claim does not count as an attempt.
    (row,) = await deliveries(h)
    assert (row.status, row.attempts) == ("pending", 0)
    await h.deliver()
    assert_exactly_once(h, "acme")
