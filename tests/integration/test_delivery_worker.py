"""The outbox and the delivery worker under failure: retries, backoff, give-up, leases, never twice.

Time only moves when a test says so (FakeClock), so "not before the backoff" is checked exactly.
Most tests run on SQLite; those whose correctness rests on SQL semantics also run on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from adapters.local.sender import Fault
from bot.app import ProcessLimiter
from bot.domain import AnnouncementPost, AnnouncementStatus, Audience, Outgoing, Platform, Work
from bot.services.delivery import DeliveryWorker, RetryPolicy
from storage.tables import DeliveryRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import (
    announcement,
    assert_exactly_once,
    broadcast_and_send,
    channel_row,
    deliveries,
    fail_channels,
    setup_topics,
)

LEASE = timedelta(seconds=60)


async def _audience_of(h: Harness, *channels: str, title: str = "Patch") -> int:
    """`channels` follow `security`; one announcement to them is sent (queued, not yet delivered)."""
    await setup_topics(h, "security")
    for channel in channels:
        await h.subscribe(channel, "security")
    return await broadcast_and_send(h, f'topic:security title:"{title}"', "Please patch.")


async def _only_delivery(h: Harness) -> DeliveryRow:
    (row,) = await deliveries(h)
    return row


def _seconds_until(clock: FakeClock, when: Any) -> float:
    return float((when - clock.now()).total_seconds())


async def _claim_as(h: Harness, worker: str, clock: FakeClock) -> list[Work]:
    """Claim due deliveries as another worker would (and then, in these tests, die)."""
    return await h.app.stores.outbox.claim_deliveries(
        now=clock.now(),
        lease_until=clock.now() + LEASE,
        limit=100,
        worker=worker,
        platforms=[Platform.LOCAL.value],
    )


# --- the happy path, on both databases ----------------------------------------------------------


async def test_each_channel_gets_it_exactly_once_and_the_announcement_becomes_sent(harness: Harness) -> None:
    announcement_id = await _audience_of(harness, "acme", "birch", "cedar")
    assert (await announcement(harness, announcement_id)).status == "sending"
    assert await harness.deliver() == 3
    assert_exactly_once(harness, "acme", "birch", "cedar")
    rows = await deliveries(harness, announcement_id)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    posted = {m.id for c in ("acme", "birch", "cedar") for m in harness.posts(c)}
    assert {r.message_id for r in rows} == posted
    assert all(r.sent_at == harness.app.clock.now() for r in rows)
    assert (await announcement(harness, announcement_id)).status == "sent"

    assert await harness.deliver() == 0
    assert_exactly_once(harness, "acme", "birch", "cedar")
    assert harness.local.sender.calls["find_posted"] == 0


# --- transient failures: backoff, Retry-After, give up ------------------------------------------


async def test_transient_failure_is_retried_after_the_backoff_and_not_before(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    announcement_id = await _audience_of(h, "acme", "birch")
    h.local.sender.fail_next(Fault("transient", reason="503 service unavailable"))
    assert await h.deliver() == 2
    assert h.local.sender.calls["post"] == 2
    failed_channel = next(c for c in ("acme", "birch") if not h.posts(c))
    row = next(r for r in await deliveries(h) if r.status != "sent")
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "503 service unavailable")
    assert row.lease_until is None and not row.ambiguous
    # Full jitter on the first retry: somewhere in [0, initial * 2^0) = [0, 2 s).
    wait = _seconds_until(clock, row.not_before)
    assert 0 < wait <= 2.0
    assert (await announcement(h, announcement_id)).status == "sending"
    assert "pending 1" in (await h.admin(f"stats {announcement_id}")).text

    # Before not_before the row is not claimed again…
    clock.advance(seconds=wait / 2)
    assert await h.deliver() == 0
    assert all(r.attempts == 1 for r in await deliveries(h))
    # …once the clock passes it, it is.
    clock.advance(seconds=wait)
    assert await h.deliver() == 1
    assert_exactly_once(h, "acme", "birch")
    assert h.posts(failed_channel)
    row = next(r for r in await deliveries(h) if r.id == row.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert (await announcement(h, announcement_id)).status == "sent"


async def test_rate_limit_retry_after_is_honoured(sqlite_harness: Harness, clock: FakeClock) -> None:
    h = sqlite_harness
    await _audience_of(h, "acme")
    h.local.sender.fail_next(Fault("ratelimited", reason="ratelimited", retry_after=30))
    await h.deliver()
    row = await _only_delivery(h)
    assert (row.status, row.last_error) == ("pending", "ratelimited")
    # Retry-After plus at most a little jitter (10 %, capped at 1 s).
    assert 30 <= _seconds_until(clock, row.not_before) <= 31

    clock.advance(seconds=29.9)
    assert await h.deliver() == 0
    assert h.posts("acme") == []
    clock.advance(seconds=1.2)
    assert await h.deliver() == 1
    assert_exactly_once(h, "acme")
    assert h.local.sender.calls["post"] == 2


async def test_backoff_grows_and_the_worker_gives_up_after_max_attempts(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    announcement_id = await _audience_of(h, "acme")
    h.local.sender.fail_next(Fault("transient", reason="timeout"), times=10)
    caps = [2.0, 4.0, 8.0]  # initial * 2^(attempt-1) for attempts 1..3
    for attempt, cap in enumerate(caps, start=1):
        assert await h.deliver() == 1
        row = await _only_delivery(h)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert 0 <= _seconds_until(clock, row.not_before) <= cap
        clock.advance(seconds=cap + 0.01)
    # The harness's RetryPolicy allows 4 attempts: the 4th failure is final.
    assert await h.deliver() == 1
    row = await _only_delivery(h)
    assert row.status == "failed" and row.attempts == 4
    assert row.last_error == "gave up after 4 attempts: timeout"
    assert h.local.sender.calls["post"] == 4

    clock.advance(hours=1)
    assert await h.deliver() == 0
    assert h.local.sender.calls["post"] == 4
    assert h.posts("acme") == []
    # A transient problem is not the channel's fault: it stays active.
    assert (await channel_row(h, "acme")).active
    assert (await announcement(h, announcement_id)).status == "sent"
    assert "failed 1" in (await h.admin(f"stats {announcement_id}")).text


# --- permanent failures -------------------------------------------------------------------------


async def test_permanent_failure_fails_at_once_and_switches_the_channel_off(harness: Harness) -> None:
    announcement_id = await _audience_of(harness, "acme", "birch")
    fail_channels(harness, {"birch": Fault("permanent", reason="channel_not_found")})
    assert await harness.deliver() == 2
    assert_exactly_once(harness, "acme")
    assert harness.posts("birch") == []
    by_status = {r.status: r for r in await deliveries(harness, announcement_id)}
    assert set(by_status) == {"sent", "failed"}
    failed = by_status["failed"]
    assert (failed.attempts, failed.last_error) == (1, "channel_not_found")
    birch = await channel_row(harness, "birch")
    assert not birch.active and "channel_not_found" in birch.deactivated_reason
    assert (await channel_row(harness, "acme")).active
    assert (await announcement(harness, announcement_id)).status == "sent"

    stats = (await harness.admin(f"stats {announcement_id}")).text
    assert "delivered 1 · failed 1 · pending 0" in stats
    assert "failures: channel_not_found 1" in stats

    # No retry later, and later broadcasts leave the channel out.
    assert await harness.deliver() == 0
    preview = await harness.admin('broadcast topic:security title:"Next" Next one.')
    assert "**Reach:** 1 channel of" in preview.text
    await harness.admin("send 2")
    assert [r.channel_id for r in await deliveries(harness, 2)] == [(await channel_row(harness, "acme")).id]
    await harness.deliver()
    assert len(harness.posts("acme")) == 2 and harness.posts("birch") == []


async def test_deactivating_a_channel_fails_its_other_queued_deliveries(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    first = await _audience_of(h, "acme")
    # The first announcement's post fails transiently: its row waits for a retry…
    h.local.sender.fail_next(Fault("transient"))
    await h.deliver()
    second = await broadcast_and_send(h, 'topic:security title:"Second"')
    # …while the second one's post finds the channel gone.
    h.local.sender.fail_next(Fault("permanent", reason="not_in_channel"))
    assert await h.deliver() == 1
    assert not (await channel_row(h, "acme")).active
    (waiting,) = await deliveries(h, first)
    assert waiting.status == "failed" and "not_in_channel" in waiting.last_error
    assert [r.status for r in await deliveries(h, second)] == ["failed"]
    clock.advance(hours=1)
    assert await h.deliver() == 0
    assert h.posts("acme") == []
    assert h.local.sender.calls["post"] == 2


# --- never twice --------------------------------------------------------------------------------


async def test_a_timeout_after_posting_is_found_and_not_posted_twice(
    harness: Harness, clock: FakeClock
) -> None:
    await _audience_of(harness, "acme")
    harness.local.sender.fail_next(Fault("after_post"))
    assert await harness.deliver() == 1
    (posted,) = harness.posts("acme")  # it did land
    row = await _only_delivery(harness)
    assert (row.status, row.ambiguous, row.message_id) == ("pending", True, None)

    clock.advance(minutes=1)
    assert await harness.deliver() == 1
    assert harness.local.sender.calls["find_posted"] == 1
    assert harness.local.sender.calls["post"] == 1
    assert_exactly_once(harness, "acme")
    row = await _only_delivery(harness)
    assert (row.status, row.message_id, row.ambiguous) == ("sent", posted.id, False)


async def test_a_crashed_workers_lease_expires_and_the_row_is_delivered_once(
    harness: Harness, clock: FakeClock
) -> None:
    await _audience_of(harness, "acme", "birch")
    claimed = await _claim_as(harness, "dead-worker", clock)
    assert len(claimed) == 2 and not any(w.ambiguous for w in claimed)
    # …and the worker dies without posting or recording anything.

    assert await harness.deliver() == 0  # leased: nobody else may take the rows
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert await harness.deliver() == 0
    assert harness.posts("acme") == []

    clock.advance(seconds=2)
    assert await harness.deliver() == 2
    # The rows were taken over as ambiguous: the sender looked before posting.
    assert harness.local.sender.calls["find_posted"] == 2
    assert harness.local.sender.calls["post"] == 2
    assert_exactly_once(harness, "acme", "birch")
    assert {(r.status, r.attempts) for r in await deliveries(harness)} == {("sent", 2)}


async def test_a_worker_that_posted_then_crashed_is_not_followed_by_a_second_post(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await _audience_of(h, "acme")
    (work,) = await _claim_as(h, "dead-worker", clock)
    assert work.channel is not None
    # The dead worker got as far as posting (with the delivery's idempotency key), then died.
    worker_post = await h.local.sender.post(
        Outgoing(channel=work.channel, content=_post_for(work)), idempotency_key=f"d{work.id}"
    )
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await h.deliver() == 1
    assert h.local.sender.calls["find_posted"] == 1
    assert h.local.sender.calls["post"] == 1  # only the dead worker's
    assert_exactly_once(h, "acme")
    row = await _only_delivery(h)
    assert (row.status, row.message_id) == ("sent", worker_post.message)


def _post_for(work: Work) -> AnnouncementPost:
    assert work.announcement_id is not None
    return AnnouncementPost(work.id, work.announcement_id, "Patch", "Please patch.", ("security",), False)


async def test_re_running_start_sending_writes_no_duplicate_rows(harness: Harness) -> None:
    announcement_id = await _audience_of(harness, "acme", "birch")
    store = harness.app.stores.announcements
    topic_ids = await store.topic_ids(announcement_id)
    first = sorted((r.id, r.channel_id) for r in await deliveries(harness, announcement_id))
    assert len(first) == 2

    # Not a draft any more: the default guard refuses, and nothing is written.
    refused = await store.start_sending(
        announcement_id, topic_ids, Audience(), bypass_digest=False, now=harness.app.clock.now()
    )
    assert refused is None
    # Forced to run again (e.g. a retried job): the unique key keeps the rows as they were.
    await store.start_sending(
        announcement_id,
        topic_ids,
        Audience(),
        bypass_digest=False,
        now=harness.app.clock.now(),
        allowed_from=(AnnouncementStatus.SENDING,),
    )
    assert sorted((r.id, r.channel_id) for r in await deliveries(harness, announcement_id)) == first

    await harness.deliver()
    # A channel that subscribed since then is added on a re-run; the others are not re-queued.
    await harness.subscribe("cedar", "security")
    await store.start_sending(
        announcement_id,
        topic_ids,
        Audience(),
        bypass_digest=False,
        now=harness.app.clock.now(),
        allowed_from=(AnnouncementStatus.SENT, AnnouncementStatus.SENDING),
    )
    rows = await deliveries(harness, announcement_id)
    assert len(rows) == 3
    assert sorted(r.status for r in rows) == ["pending", "sent", "sent"]
    await harness.deliver()
    assert_exactly_once(harness, "acme", "birch", "cedar")
    assert (await announcement(harness, announcement_id)).status == "sent"


async def test_two_workers_side_by_side_deliver_each_channel_once(harness: Harness) -> None:
    channels = [f"ch{n:02d}" for n in range(12)]
    await _audience_of(harness, *channels)
    app = harness.app
    other = DeliveryWorker(
        app.stores,
        app.clock,
        {Platform.LOCAL: harness.local.sender},
        app.bot.feedback,
        worker_id="second-worker",
        batch=2,
        retry=RetryPolicy(max_attempts=4),
        limiter=ProcessLimiter(),
    )
    done = await asyncio.gather(app.worker.drain(), other.drain())
    assert sum(done) == 12
    assert_exactly_once(harness, *channels)
    rows = await deliveries(harness)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    assert harness.local.sender.calls["post"] == 12


# --- relays (questions and answers) use the same outbox guarantees --------------------------------


async def test_a_crashed_workers_relay_is_taken_over_once(sqlite_harness: Harness, clock: FakeClock) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Is there a partner portal?")
    outbox = h.app.stores.outbox
    claimed = await outbox.claim_relays(
        now=clock.now(), lease_until=clock.now() + LEASE, limit=10, worker="dead-worker"
    )
    assert len(claimed) == 1  # …and that worker dies
    assert await h.deliver() == 0
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await h.deliver() == 1
    assert h.local.sender.calls["find_posted"] == 1
    (relayed,) = h.posts("admin")
    assert "Is there a partner portal?" in relayed.text


async def test_a_timeout_after_posting_an_answer_is_not_posted_twice(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Is there a partner portal?")
    await h.deliver()
    await h.admin("answer 1 Yes: portal.example.com")
    h.local.sender.fail_next(Fault("after_post"))
    await h.deliver()
    clock.advance(minutes=1)
    await h.deliver()
    assert h.local.sender.calls["find_posted"] == 1
    assert_exactly_once(h, "acme")
    assert "portal.example.com" in h.posts("acme")[0].text


# --- group commit --------------------------------------------------------------------------------


async def test_outcomes_returning_apart_are_recorded_together(
    sqlite_harness: Harness, monkeypatch: Any
) -> None:
    """Sends that come back a few milliseconds apart are written in a few transactions (at most one
    per RECORD_EVERY while others are in flight), not one each; every row still ends `sent`."""
    channels = [f"gc{n:02d}" for n in range(20)]
    await _audience_of(sqlite_harness, *channels)
    sender, outbox = sqlite_harness.local.sender, sqlite_harness.app.stores.outbox
    post, record = sender.post, outbox.record
    calls = {"post": 0, "record": 0}

    async def slow_post(out: Outgoing, *, idempotency_key: str) -> Any:
        calls["post"] += 1
        await asyncio.sleep(0.01 * calls["post"])  # the platform answers each a little later
        return await post(out, idempotency_key=idempotency_key)

    async def counted_record(*args: Any, **kwargs: Any) -> None:
        calls["record"] += 1
        await record(*args, **kwargs)

    monkeypatch.setattr(sender, "post", slow_post)
    monkeypatch.setattr(outbox, "record", counted_record)
    assert await sqlite_harness.deliver() == 20
    assert_exactly_once(sqlite_harness, *channels)
    assert {r.status for r in await deliveries(sqlite_harness)} == {"sent"}
    assert calls["record"] <= 3, calls  # answers over ~200 ms: a write per 250 ms, not 20
