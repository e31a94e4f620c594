"""Periodic job runs, one row per (job, period), claimed so one process runs each."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.cadence import JobRun


class JobRunStore(Protocol):
    """Implemented by `storage.repositories.JobRunRepository`: one row per (job, period) run."""

    async def claim(
        self, job: str, period: str, *, worker: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take the period: True when it was never claimed, or its run failed, or the process running
        it stopped renewing its lease; False when it is done or running elsewhere."""
        ...

    async def finish(
        self, job: str, period: str, *, worker: str, ok: bool, detail: str, now: datetime
    ) -> None:
        """Record the end of our run (a failed run may be claimed again)."""
        ...

    async def last_done(self, job: str) -> str | None:
        """The latest period of `job` that finished, by key order."""
        ...

    async def latest(self) -> list[JobRun]:
        """The most recent run of each job."""
        ...

    async def prune(self, job: str, *, before: datetime) -> int:
        """Forget finished runs of `job` started before `before` (for jobs that never catch up)."""
        ...
