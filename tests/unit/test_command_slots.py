"""bot/slots.py: a burst of commands waits its turn instead of all asking the pool at once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.slots import WAITING, CommandSlots


async def test_at_most_size_commands_at_work_and_the_rest_wait_in_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slots = CommandSlots(2)
    at_work, most, order = 0, 0, []

    async def command(i: int) -> None:
        nonlocal at_work, most
        async with slots.turn():
            at_work += 1
            most = max(most, at_work)
            order.append(i)
            await asyncio.sleep(0.01)
            at_work -= 1

    with caplog.at_level(logging.INFO, logger="bot.slots"):
        await asyncio.gather(*(command(i) for i in range(7)))
    assert most == 2 and order == list(range(7))
    assert slots.waiting == 0 and slots.most_waiting == 5 and slots.longest_wait > 0
    (line,) = [r.getMessage() for r in caplog.records if WAITING in r.getMessage()]
    assert line.startswith(f"5 {WAITING} (all 2 busy)")


async def test_a_command_holding_a_slot_passes_through_when_it_runs_another() -> None:
    slots = CommandSlots(1)

    async def nested() -> str:
        async with slots.turn(), slots.turn():
            return "done"

    assert await asyncio.wait_for(nested(), 1.0) == "done"
    async with slots.turn():  # and the slot was given back once
        pass


async def test_no_size_no_limit() -> None:
    slots = CommandSlots(None)
    entered = 0

    async def command() -> None:
        nonlocal entered
        async with slots.turn():
            entered += 1
            await asyncio.sleep(0.01)

    await asyncio.gather(*(command() for _ in range(50)))
    assert entered == 50 and slots.most_waiting == 0
