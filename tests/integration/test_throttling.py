"""Throttling never loses a delivery: a 429 reschedules a row without using up one of its attempts.

The harness allows 4 attempts (RetryPolicy(max_attempts=4)); every test here throttles a row more
often than that, and only real failures may make it give up.
"""

from __future__ import annotations

from adapters.local.sender import Fault
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import (
    admin_posts,
    announcement,
    assert_exactly_once,
    broadcast_and_send,
    deliveries,
    setup_topics,
)

THROTTLED = Fault("ratelimited", reason="ratelimited", retry_after=5)


async def _audience_of(h: Harness, *channels: str) -> int:
    await setup_topics(h, "security")
    for channel in channels:
        await h.subscribe(channel, "security")
    return await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")


async def _drain_until_quiet(h: Harness, clock: FakeClock, *, step: float, rounds: int = 100) -> int:
    """Deliver, move the clock by `step`, again, until a round posts nothing and nothing is due."""
    for n in range(rounds):
        await h.deliver()
        clock.advance(seconds=step)
        if not await h.app.stores.outbox.due_count(now=clock.now()) and not await h.deliver():
            return n
    raise AssertionError("still queued")


async def test_a_429_storm_longer_than_max_attempts_loses_nothing(harness: Harness, clock: FakeClock) -> None:
    h = harness
    channels = ("acme", "birch", "cedar")
    announcement_id = await _audience_of(h, *channels)
    # Every post is refused for 10 rounds: more than twice the 4 attempts a row may fail.
    h.local.sender.fail_next(THROTTLED, times=10 * len(channels))

    await _drain_until_quiet(h, clock, step=6)
    assert_exactly_once(h, *channels)
    assert h.local.sender.calls["post"] == 11 * len(channels)
    rows = await deliveries(h, announcement_id)
    # The 429s were given back: each row shows the one attempt that posted it.
    assert {(r.status, r.attempts, r.last_error) for r in rows} == {("sent", 1, "")}
    assert (await announcement(h, announcement_id)).status == "sent"
    assert "delivered 3 · failed 0" in (await h.admin(f"stats {announcement_id}")).text


async def test_only_failures_count_towards_max_attempts(sqlite_harness: Harness, clock: FakeClock) -> None:
    h = sqlite_harness
    await _audience_of(h, "acme")
    failure = Fault("transient", reason="timeout")
    # Three failures between many 429s, then a success: the 4th attempt is still allowed.
    for _ in range(3):
        h.local.sender.fail_next(THROTTLED, times=3)
        h.local.sender.fail_next(failure)
    h.local.sender.fail_next(THROTTLED, times=3)

    await _drain_until_quiet(h, clock, step=30)
    assert_exactly_once(h, "acme")
    (row,) = await deliveries(h)
    assert (row.status, row.attempts) == ("sent", 4)


async def test_four_failures_give_up_whatever_the_429s_between_them(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await _audience_of(h, "acme")
    for _ in range(4):
        h.local.sender.fail_next(THROTTLED, times=2)
        h.local.sender.fail_next(Fault("transient", reason="timeout"))

    await _drain_until_quiet(h, clock, step=30)
    (row,) = await deliveries(h)
    assert (row.status, row.attempts, row.last_error) == ("failed", 4, "gave up after 4 attempts: timeout")
    assert h.local.sender.calls["post"] == 12
    assert h.posts("acme") == []


async def test_a_429_without_retry_after_waits_and_is_shown_pending_not_held(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    announcement_id = await _audience_of(h, "acme")
    h.local.sender.fail_next(Fault("ratelimited", reason="ratelimited"))
    await h.deliver()
    (row,) = await deliveries(h)
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "ratelimited")
    # No Retry-After: RetryPolicy.throttled (10 s) with jitter, between half of it and all of it.
    wait = (row.not_before - clock.now()).total_seconds()
    assert 5.0 <= wait <= 10.0
    # Throttled, not held on purpose: the broadcast is under way and the row counts as pending.
    assert "pending 1" in (await h.admin(f"stats {announcement_id}")).text
    clock.advance(seconds=4.9)
    assert await h.deliver() == 0
    clock.advance(seconds=5.2)
    assert await h.deliver() == 1
    assert_exactly_once(h, "acme")


async def test_a_throttled_question_and_answer_are_relayed_once(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Is there a partner portal?")
    h.local.sender.fail_next(THROTTLED, times=6)
    await _drain_until_quiet(h, clock, step=6)
    assert len([p for p in admin_posts(h) if "partner portal" in p.text]) == 1

    await h.admin("answer 1 Yes: portal.example.com")
    h.local.sender.fail_next(THROTTLED, times=6)
    await _drain_until_quiet(h, clock, step=6)
    assert_exactly_once(h, "acme")
    assert "portal.example.com" in h.posts("acme")[0].text
    assert h.local.sender.calls["post"] == 14
