"""The progress read model behind live progress messages and `partnerbot broadcast --wait`: every
delivery row in exactly one state, held-on-purpose told apart from retrying, failures grouped.

The clock starts on Tuesday 2026-11-24 09:00 UTC (10:00 in Berlin).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.local.sender import Fault
from bot.domain import ChannelRef, DeliveryProgress, MessageRef, Outgoing, Platform
from storage.repositories.stats import failure_reason
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import (
    SenderProxy,
    broadcast_and_send,
    fail_channels,
    id_from,
    setup_topics,
)


class FailingChannels(SenderProxy):
    """Every post to a listed channel fails with that channel's fault, however often it is retried."""

    def __init__(self, h: Harness, faults: dict[str, Fault]) -> None:
        super().__init__(h.local.sender)
        self.faults = faults
        h.app.worker.add_sender(Platform.LOCAL, self)

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        fault = self.faults.get(out.channel.channel)
        if fault is not None:
            self.inner.fail_next(fault)
        return await self.inner.post(out, idempotency_key=idempotency_key)


async def _follow(h: Harness, *channels: str, topic: str = "security") -> None:
    for channel in channels:
        assert not (await h.subscribe(channel, f"{topic}")).is_error


async def _progress(h: Harness, announcement_id: int) -> DeliveryProgress:
    return await h.app.bot.analytics.progress(announcement_id, now=h.app.clock.now())


def _counts(p: DeliveryProgress) -> dict[str, int]:
    return {
        "total": p.total,
        "sent": p.sent,
        "pending": p.pending,
        "failed": p.failed,
        "held": p.held,
        "withdrawn": p.withdrawn,
    }


def _move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


async def test_held_on_purpose_is_not_pending_and_a_retry_is_not_held(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security")
    await _follow(h, "acme", "flaky", "digest", "night")
    assert not (await h.partner("digest", "settings mode daily")).is_error
    assert not (await h.partner("night", "settings timezone Europe/Berlin")).is_error
    assert not (await h.partner("night", "settings quiet 08:00-20:00")).is_error
    announcement_id = await broadcast_and_send(h, 'topic:security title:"Patch"')

    before = await _progress(h, announcement_id)
    assert _counts(before) == {"total": 4, "sent": 0, "pending": 2, "failed": 0, "held": 2, "withdrawn": 0}
    assert before.in_flight and before.done == 0 and before.failures_by_reason == ()

    fail_channels(h, {"flaky": Fault("transient", reason="503 service unavailable")})
    await h.deliver()
    retrying = await _progress(h, announcement_id)
    # The failed attempt waits for its backoff: still pending (being sent), not held on purpose.
    assert _counts(retrying) == {"total": 4, "sent": 1, "pending": 1, "failed": 0, "held": 2, "withdrawn": 0}

    _move_to(clock, datetime(2026, 11, 24, 19, 0, tzinfo=UTC))  # 20:00 in Berlin: quiet hours end
    due = await _progress(h, announcement_id)
    assert (due.pending, due.held) == (2, 1)
    await h.deliver()
    after = await _progress(h, announcement_id)
    # Only the digest-mode channel is left, waiting for its digest: nothing is in flight.
    assert _counts(after) == {"total": 4, "sent": 3, "pending": 0, "failed": 0, "held": 1, "withdrawn": 0}
    assert not after.in_flight and after.done == 3


async def test_failures_are_grouped_by_a_normalised_reason(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security")
    await _follow(h, "fine", "gone-1", "gone-2", "lost-1", "lost-2", "deleted")
    announcement_id = await broadcast_and_send(h, 'topic:security title:"Patch"')
    # The channel disappears before its turn: its queued row fails without a send.
    removed = ChannelRef(Platform.LOCAL, "local", "deleted")
    assert await h.app.bot.channel_removed(removed, reason="channel_deleted")
    FailingChannels(
        h,
        {
            "gone-1": Fault("permanent", reason="channel_not_found"),
            "gone-2": Fault("permanent", reason="channel_not_found"),
            # Transient until the worker gives up; the channel id in the reason differs per channel.
            "lost-1": Fault("transient", reason="workspace of channel C0AAAAAA01 not known yet"),
            "lost-2": Fault("transient", reason="workspace of channel C0BBBBBB02 not known yet"),
        },
    )
    for _ in range(10):
        await h.deliver()
        if not (await _progress(h, announcement_id)).in_flight:
            break
        clock.advance(seconds=700)  # past the longest backoff

    progress = await _progress(h, announcement_id)
    assert _counts(progress) == {"total": 6, "sent": 1, "pending": 0, "failed": 5, "held": 0, "withdrawn": 0}
    assert progress.failures_by_reason == (
        ("channel_not_found", 2),
        ("gave up: workspace of channel … not known yet", 2),
        ("deactivated: channel_deleted", 1),
    )


async def test_a_scheduled_broadcast_is_held_until_its_time(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security")
    await _follow(h, "acme", "birch")
    announcement_id = await broadcast_and_send(h, 'topic:security at:"2026-11-24 12:00" title:"Later"')
    held = await _progress(h, announcement_id)
    assert (held.total, held.held, held.pending, held.in_flight) == (2, 2, 0, False)

    _move_to(clock, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    due = await _progress(h, announcement_id)
    assert (due.held, due.pending) == (0, 2)
    await h.deliver()
    assert (await _progress(h, announcement_id)).sent == 2


async def test_a_draft_and_an_unknown_announcement_have_no_deliveries(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await _follow(h, "acme")
    draft = id_from(await h.admin('broadcast topic:security title:"Draft" Not sent yet.'))
    for announcement_id in (draft, 999):
        assert await _progress(h, announcement_id) == DeliveryProgress(announcement_id, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("last_error", "reason"),
    [
        ("channel_not_found", "channel_not_found"),
        ("deactivated: channel_not_found", "deactivated: channel_not_found"),
        ("gave up after 8 attempts: ratelimited", "gave up: ratelimited"),
        ("gave up after 1 attempt: Discord timed out", "gave up: Discord timed out"),
        ("partnerbot is not installed in workspace T0VENDOR01", "partnerbot is not installed in workspace …"),
        ("404 Not Found: Unknown Channel 112233445566778899", "404 Not Found: Unknown Channel …"),
        ("UNAUTHORIZED  token\nrevoked", "UNAUTHORIZED token revoked"),
        ("", "unknown"),
    ],
)
def test_failure_reasons_normalise_counts_ids_and_whitespace_only(last_error: str, reason: str) -> None:
    assert failure_reason(last_error) == reason
