"""The lease race of tests/chaos/test_lease_expiry.py, for relays: a question, an answer or the
admin-thread heading whose post waited (for the rate limiter) until its lease ran out is not posted,
because another worker may have taken the relay over and posted it meanwhile. Step by step on an
injected clock; before relays were lease-checked, each of these posted twice.
"""

from __future__ import annotations

import asyncio

from adapters.local.workspace import Message
from tests.chaos.test_lease_expiry import LEASE, HeldLimiter, _slow_worker
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import admin_posts, assert_exactly_once, broadcast_and_send, setup_topics


async def _race(h: Harness, clock: FakeClock) -> None:
    """A slow worker claims the due relay and waits for a token past its lease; meanwhile the
    harness's worker takes the relay over and posts it; then the slow worker's token comes."""
    held = HeldLimiter()
    slow = asyncio.create_task(_slow_worker(h, held).run_once())
    await asyncio.wait_for(held.entered.wait(), 5)
    clock.advance(LEASE.total_seconds() + 1)
    assert await h.deliver() >= 1
    held.open()
    await asyncio.wait_for(slow, 5)
    await h.deliver()  # anything handed back is done by now: nothing more is posted


def _relayed(h: Harness, text: str) -> list[Message]:
    return [m for m in admin_posts(h) if text in m.text]


async def test_a_direct_question_that_waited_past_its_lease_is_relayed_once(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await h.partner("acme", "ask Is there a partner portal?")
    await _race(h, clock)
    assert len(_relayed(h, "Is there a partner portal?")) == 1


async def test_an_answer_that_waited_past_its_lease_is_relayed_once(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Is there a partner portal?")
    await h.deliver()
    await h.admin("answer 1 Yes: portal.example.com")
    await _race(h, clock)
    assert_exactly_once(h, "acme")
    assert "portal.example.com" in h.posts("acme")[0].text


async def test_an_admin_thread_heading_that_waited_past_its_lease_is_posted_once(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    await broadcast_and_send(h, 'topic:security title:"Slow lane"', "Behind a rate limit.")
    await h.deliver()
    (post,) = h.posts("acme")
    reply = await h.local.say("pat", "acme", "Is v2 affected?", thread=post.id)
    assert reply is not None and not reply.is_error

    await _race(h, clock)  # the slow worker is held on the heading, the first post of the relay
    headings = [m for m in admin_posts(h) if m.thread is None and "Slow lane" in m.text]
    assert len(headings) == 1
    (question,) = _relayed(h, "Is v2 affected?")
    assert question.thread == headings[0].id
