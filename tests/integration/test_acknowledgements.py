"""Urgent announcements that ask for acknowledgement (`broadcast … urgent ack`): the Acknowledge
button, `acks <id>`, the rate by tier in `stats <id>`, and one reminder per unacknowledged copy in
the partner's thread after PARTNERBOT_ACK_REMINDER_HOURS. Driven on the fake clock."""

from __future__ import annotations

import asyncio

from babel.dates import format_date, format_time

from adapters.local.workspace import Message
from bot import messages as m
from bot.commands import Broadcast, CommandError
from bot.domain import Audience, Platform
from bot.grammar import parse_admin
from bot.jobs import run_job
from storage.tables import AckRow, NoticeRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness, make_harness
from tests.integration.support import broadcast_and_send, id_from, rows, setup_topics

URGENT_ACK = 'topic:security urgent ack title:"Patch @here now"'


def ack_reminders(h: Harness, channel: str) -> list[Message]:
    return [post for post in h.posts(channel) if post.text.startswith("⏰ Reminder")]


async def _partners(h: Harness) -> None:
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.join("cedar", "Cedar", tier="gold")
    for channel in ("acme", "birch", "cedar"):
        await h.subscribe(channel, "security")


def test_the_ack_flag_parses_only_with_urgent() -> None:
    parsed = parse_admin('broadcast topic:security urgent ack title:"Patch" Now.')
    assert isinstance(parsed, Broadcast) and parsed.urgent and parsed.ack_required
    either_order = parse_admin('broadcast ack urgent topic:security title:"Patch" Now.')
    assert isinstance(either_order, Broadcast) and either_order.ack_required
    # Like `urgent`, only the lower-case flag: "Ack …" opening a body is prose.
    plain = parse_admin('broadcast topic:security urgent title:"Patch" Ack the mail.')
    assert isinstance(plain, Broadcast) and not plain.ack_required and plain.body == "Ack the mail."
    refused = parse_admin('broadcast topic:security ack title:"Patch" Now.')
    assert isinstance(refused, CommandError) and refused.message == m.ACK_NEEDS_URGENT
    assert parse_admin("acks") == CommandError(m.USAGE.format(usage=m.ADMIN_USAGE["acks"]))


async def test_preview_and_deliveries_carry_the_acknowledge_button(harness: Harness) -> None:
    h = harness
    await _partners(h)
    preview = await h.admin(f"broadcast {URGENT_ACK} Please patch.")
    assert not preview.is_error and m.ACK_PREVIEW.format(hours="4 h") in preview.text
    await h.admin(f"send {id_from(preview)}")
    plain = await broadcast_and_send(h, 'topic:security urgent title:"FYI"', "No ack needed.")
    await h.deliver()
    asked, not_asked = h.posts("acme")
    assert asked.text.startswith("🚨 URGENT") and asked.text.endswith("[Acknowledge]")
    assert "[Acknowledge]" not in not_asked.text
    # `ack` without `urgent` creates nothing.
    refused = await h.admin('broadcast topic:security ack title:"Patch" Now.')
    assert refused.is_error and refused.text == m.ACK_NEEDS_URGENT
    # An announcement that asks for none: pressing is harmless, `acks` says so.
    assert (await h.local.acknowledge("pat", not_asked)).text == m.ACK_NOT_NEEDED
    assert (await h.admin(f"acks {plain}")).text == m.ACK_NOT_REQUIRED.format(id=plain)


async def test_acknowledge_once_then_acks_and_stats_by_tier(harness: Harness) -> None:
    h = harness
    await _partners(h)
    announcement = await broadcast_and_send(h, URGENT_ACK, "Please patch.")
    assert (await h.admin(f"acks {announcement}")).text == m.ACKS_NONE_DELIVERED.format(id=announcement)
    await h.deliver()
    (acme_post,) = h.posts("acme")

    assert (await h.local.acknowledge("pat", acme_post)).text == m.ACK_THANKS
    acked = h.app.clock.now()
    again = await h.local.acknowledge("pat", acme_post)
    # When, as English readers write it (Babel), in the channel's zone (UTC here).
    when = f"{format_date(acked, 'medium', locale='en')}, {format_time(acked, 'short', locale='en')} UTC"
    assert not again.is_error and again.text == m.ACK_ALREADY.format(who=m.ACK_YOU, when=when)
    colleague = await h.local.acknowledge("kim", acme_post)
    assert "Already acknowledged by pat" in colleague.text
    assert len(await rows(h, AckRow)) == 1
    # Only people in the channel it was delivered to acknowledge it.
    elsewhere = await h.app.bot.acknowledge(
        h.local.invocation("bo", "birch"), platform=Platform.LOCAL, channel="acme", message=acme_post.id
    )
    assert elsewhere.is_error and elsewhere.text == m.ACK_NOT_AN_ANNOUNCEMENT
    (birch_post,) = h.posts("birch")
    assert (await h.local.acknowledge("bo", birch_post)).text == m.ACK_THANKS

    listing = (await h.admin(f"acks {announcement}")).text
    assert listing.startswith(f"**Acknowledgements of #{announcement} “Patch @\u200bhere now”**: 2 of 3")
    done, waiting = listing.split(m.ACKS_WAITING.format(count=1))
    assert f"• Acme (gold, local) #acme — pat, {when}" in done
    assert "• Birch (silver, local) #birch — bo" in done
    assert waiting.strip() == "• Cedar (gold, local) #cedar"
    assert "Cedar" not in done

    stats = (await h.admin(f"stats {announcement}")).text
    assert "• acknowledged: 2 of 3 (67%) — by tier: gold 1/2, silver 1/1" in stats
    assert (await h.admin("acks 99")).is_error


async def test_one_reminder_per_unacknowledged_delivery_in_its_thread(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _partners(h)
    await broadcast_and_send(h, URGENT_ACK, "Please patch.")
    await h.deliver()
    await h.local.acknowledge("pat", h.posts("acme")[0])

    clock.advance(hours=3, minutes=59)
    await run_job(h.app, "ack-reminders")
    await h.deliver()
    assert [ack_reminders(h, c) for c in ("acme", "birch", "cedar")] == [[], [], []]

    clock.advance(minutes=6)  # 4 h 5 min after delivery
    await run_job(h.app, "ack-reminders")
    await h.deliver()
    assert ack_reminders(h, "acme") == []  # acknowledged: never reminded
    for channel in ("birch", "cedar"):
        (reminder,) = ack_reminders(h, channel)
        assert reminder.thread == h.posts(channel)[0].id  # in the thread under the announcement
        assert "**Patch @\u200bhere now**" in reminder.text

    # Later runs and a direct queue add nothing: one reminder per delivery, ever.
    for _ in range(3):
        clock.advance(hours=5)
        await run_job(h.app, "ack-reminders")
    assert await h.app.bot.acks.queue_reminders(now=clock.now()) == 0
    await h.deliver()
    assert [len(ack_reminders(h, c)) for c in ("acme", "birch", "cedar")] == [0, 1, 1]
    keys = sorted(n.key for n in await rows(h, NoticeRow) if not n.key.startswith("progress:"))
    assert keys == ["reminder:ack:2", "reminder:ack:3"]


async def test_the_wait_is_configurable_and_two_processes_remind_once(
    sqlite_url: str, clock: FakeClock
) -> None:
    h = await make_harness(sqlite_url, clock, ack_reminder_hours=1)
    other = await make_harness(sqlite_url, clock, ack_reminder_hours=1)
    try:
        await _partners(h)
        await broadcast_and_send(h, URGENT_ACK, "Please patch.")
        await broadcast_and_send(h, 'topic:security urgent title:"FYI"', "No ack needed.")
        await h.deliver()
        clock.advance(hours=1, minutes=5)
        await asyncio.gather(
            run_job(h.app, "ack-reminders"),
            run_job(other.app, "ack-reminders"),
            other.app.bot.acks.queue_reminders(now=clock.now()),
        )
        await asyncio.gather(h.deliver(), other.deliver())
        posted = [p for w in (h, other) for c in ("acme", "birch", "cedar") for p in ack_reminders(w, c)]
        assert len(posted) == 3  # one per delivery of the announcement that asks; none for the other
    finally:
        await other.close()
        await h.close()


async def test_structured_input_cannot_ask_for_acknowledgement_without_urgent(
    sqlite_harness: Harness,
) -> None:
    """Modals and Discord options build the command without the grammar: the core checks too."""
    h = sqlite_harness
    await h.admin('topic add security "Security"')
    inv = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    command = Broadcast(topics=("security",), audience=Audience(), title="T", body="B", ack_required=True)
    reply = await h.app.bot.run_admin(inv, command)
    assert reply.is_error and "urgent" in reply.text
