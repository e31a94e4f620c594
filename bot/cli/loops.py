"""PARTNERBOT_EVENT_LOOP: which asyncio event loop the long-running commands (`run`, `worker`) use.

uvloop (the `fast` extra: `pip install partnerbot[fast]`) runs the same asyncio code on libuv; a
fan-out spends about a third of its time in the event loop and the sockets' transports, which is
what it speeds up. `auto` takes it when it is installed and the standard loop otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from bot import messages as m

EventLoopChoice = Literal["auto", "asyncio", "uvloop"]
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class EventLoopUnavailable(Exception):
    """PARTNERBOT_EVENT_LOOP=uvloop, and uvloop is not installed."""


def loop_factory(choice: EventLoopChoice) -> LoopFactory | None:
    """The factory of the loop `choice` names; None for the standard one."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError as exc:
        if choice == "uvloop":
            raise EventLoopUnavailable(m.CLI_UVLOOP_MISSING) from exc
        return None
    return uvloop.new_event_loop


def loop_name(factory: LoopFactory | None) -> str:
    return "asyncio" if factory is None else "uvloop"
