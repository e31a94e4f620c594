"""A burst of commands larger than the database pool: each waits its turn (bot/slots.py) instead of
failing when no pooled connection frees up in time. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from bot import messages as m
from storage.engine import PG_MAX_OVERFLOW, PG_POOL_SIZE, command_slots
from tests.harness import Harness
from tests.integration.support import setup_topics

BURST = 40


async def test_a_burst_larger_than_the_pool_waits_its_turn_and_every_command_succeeds(
    harness: Harness,
) -> None:
    postgres = harness.app.engine.dialect.name == "postgresql"
    slots = harness.app.bot.slots
    assert slots.size == command_slots(harness.app.engine)
    assert slots.size == (PG_POOL_SIZE + PG_MAX_OVERFLOW - 4 if postgres else None)
    await setup_topics(harness, "security", "pricing")
    channels = [f"partner-{i}" for i in range(BURST)]
    for channel in channels:
        await harness.link(channel)

    checked_out, most = 0, 0

    def checkout(*_args: Any) -> None:
        nonlocal checked_out, most
        checked_out += 1
        most = max(most, checked_out)

    def checkin(*_args: Any) -> None:
        nonlocal checked_out
        checked_out -= 1

    pool = harness.app.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    try:
        replies = await asyncio.gather(*(harness.partner(c, "subscribe security pricing") for c in channels))
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(pool, "checkin", checkin)
    assert [r.text for r in replies] == [m.SUBSCRIBED.format(topics="`pricing`, `security`")] * BURST
    if postgres:
        # Commands never held more connections than their slots: the pool always had some to spare.
        assert slots.size is not None and most <= slots.size and slots.most_waiting > 0
