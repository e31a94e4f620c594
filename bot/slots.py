"""How many commands are carried out at once.

Under a burst (a hundred partners running `/partner subscribe` in the same second) every command
would start at once and ask the database pool for a connection; on PostgreSQL those that wait more
than the pool's timeout (30 s) would fail. With `CommandSlots(n)`, n sized below the pool, the
excess waits its turn here instead, in arrival order, without a timeout: slower, never an error.
The wait is logged (at most every `REPORT_EVERY` seconds) so that it shows in the logs and the bench.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

REPORT_EVERY = 10.0  # seconds between two "commands waiting" log lines
WAITING = "commands waiting for a slot"  # bench/commands.py looks for this in the server's log


class CommandSlots:
    """At most `size` commands at work at once (None: no limit). A task already holding a slot
    passes through, so a command that calls another never waits for itself."""

    def __init__(self, size: int | None) -> None:
        self.size = size
        self._semaphore = asyncio.Semaphore(size) if size else None
        self._holders: set[asyncio.Task[Any]] = set()
        self.waiting = 0
        self.most_waiting = 0
        self.longest_wait = 0.0
        self._reported = 0.0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._semaphore is None or task is None or task in self._holders:
            yield
            return
        if self._semaphore.locked():
            await self._wait(self._semaphore)
        else:
            await self._semaphore.acquire()
        self._holders.add(task)
        try:
            yield
        finally:
            self._holders.discard(task)
            self._semaphore.release()

    async def _wait(self, semaphore: asyncio.Semaphore) -> None:
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        started = time.monotonic()
        try:
            await semaphore.acquire()
        finally:
            self.waiting -= 1
        waited = time.monotonic() - started
        self.longest_wait = max(self.longest_wait, waited)
        if started - self._reported >= REPORT_EVERY:
            self._reported = started
            log.info(
                "%d %s (all %d busy); this one waited %.1f s, the longest so far %.1f s",
                self.waiting + 1, WAITING, self.size, waited, self.longest_wait,
            )  # fmt: skip
