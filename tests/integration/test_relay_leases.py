"""Relays follow PARTNERBOT_LEASE_SECONDS like deliveries, down to the admin-thread heading's claim."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.domain import MessageRef, Outgoing, Platform, RelayPost
from bot.ports import TransientSendError
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness, make_harness
from tests.integration.support import (
    SenderProxy,
    admin_posts,
    announcement,
    broadcast_and_send,
    replies_in_thread,
    setup_topics,
)

LEASE_SECONDS = 300


@pytest.fixture
async def long_lease(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await make_harness(database_url, clock, lease_seconds=LEASE_SECONDS)
    yield h
    await h.close()


class HeadingTimesOut(SenderProxy):
    """The first admin-thread heading times out after the request left (it may have been posted)."""

    failed = False

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        if isinstance(out.content, RelayPost) and out.content.heading and not self.failed:
            self.failed = True
            raise TransientSendError("timed out", maybe_posted=True)
        return await self.inner.post(out, idempotency_key=idempotency_key)


async def test_the_admin_thread_claim_lasts_as_long_as_the_configured_lease(
    long_lease: Harness, clock: FakeClock
) -> None:
    h = long_lease
    h.app.worker.add_sender(Platform.LOCAL, HeadingTimesOut(h.local.sender))
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    announcement_id = await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    (post,) = h.posts("acme")
    reply = await h.local.say("pat", "acme", "Is v2 affected?", thread=post.id)
    assert reply is not None and not reply.is_error
    claimed_at = clock.now()
    await h.deliver()  # the heading times out: its claim is kept, since it may have been posted
    row = await announcement(h, announcement_id)
    assert row.admin_thread is None
    assert row.admin_thread_claimed_until == claimed_at + timedelta(seconds=LEASE_SECONDS)
    # Past the default 60 s but within the configured lease, nobody else opens the thread.
    clock.advance(seconds=120)
    await h.deliver()
    assert admin_posts(h) == []
    # Once the claim has run out, the relay opens it (looking for the earlier heading first), once.
    clock.advance(seconds=LEASE_SECONDS)
    await h.deliver()
    headings = [msg for msg in admin_posts(h) if msg.thread is None]
    assert len(headings) == 1
    assert [msg.text for msg in replies_in_thread(h, ADMIN_CHANNEL, headings[0].id)] != []
