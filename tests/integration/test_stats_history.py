"""Stats are history: reach by tier and region counts what a partner was when the announcement was
sent (the segment stored on each delivery row), not what the roster says today (both databases)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import messages as m
from bot.jobs import run_job
from storage.tables import DeliveryRow, PartnerRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness
from tests.integration.support import broadcast_and_send, deliveries, setup_topics
from tests.integration.test_reports import line, move_to, notices_in, utc


async def _retier(h: Harness, name: str, **values: str) -> None:
    """The roster changes after the send (as `partner set` or a re-import would)."""
    async with AsyncSession(h.app.engine) as session:
        await session.exec(update(PartnerRow).where(PartnerRow.name == name).values(**values))  # type: ignore[call-overload]
        await session.commit()


async def test_stats_keep_the_tier_and_region_a_partner_had_when_it_was_sent(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="apac")
    await h.link("cedar", "Cedar", tier="")  # a partner whose tier was left blank
    for channel in ("acme", "birch", "cedar"):
        await h.subscribe(channel, "security")
    await broadcast_and_send(h, 'topic:security urgent ack title:"Patch"', "Please patch.")
    await h.deliver()
    rows = await deliveries(h, 1)
    assert sorted((d.tier, d.type, d.region, d.language) for d in rows) == [
        ("", "", "", ""),
        ("gold", "reseller", "emea", "en"),
        ("silver", "reseller", "apac", "en"),
    ]

    await _retier(h, "Acme", tier="platinum", region="latam")
    await _retier(h, "Birch", tier="gold")
    stats = (await h.admin("stats 1")).text
    assert "reach by tier: gold 1, none 1, silver 1" in stats
    assert "reach by region: apac 1, emea 1, none 1" in stats
    assert "platinum" not in stats and "latam" not in stats
    assert m.STATS_ACK_TIER.format(tier="gold", done=0, total=1) in stats
    assert m.STATS_ACK_TIER.format(tier="none", done=0, total=1) in stats
    acks = (await h.admin("acks 1")).text
    assert "(gold, local)" in acks and "(platinum" not in acks

    # The weekly report counts by the stored tier too.
    move_to(clock, utc(2026, 11, 30, 9, 0))
    assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    await h.deliver()
    (report,) = notices_in(h, ADMIN_CHANNEL)
    assert line("gold", 1, 0, 0, 0) in report.text and line("silver", 1, 0, 0, 0) in report.text
    assert line("none", 1, 0, 0, 0) in report.text and "platinum" not in report.text


async def test_an_unlinked_channel_is_stored_as_no_segment(harness: Harness) -> None:
    h = harness
    h.app.bot.settings.open_subscriptions = True
    await setup_topics(h, "security")
    await h.partner("lobby", "subscribe security")
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    (row,) = await deliveries(h, 1)
    assert (row.tier, row.region) == (None, None)
    assert "reach by tier: unlinked 1" in (await h.admin("stats 1")).text
    assert isinstance(row, DeliveryRow)
