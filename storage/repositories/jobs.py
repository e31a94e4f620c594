"""Job runs: one row per (job, period), so a periodic job runs each period once across processes.

A run claims its period by inserting the row (the unique key lets one INSERT win; PostgreSQL makes a
concurrent inserter wait for the winner's commit, SQLite's `BEGIN IMMEDIATE` serialises them). A
failed run, or one whose process died (its lease passed without a finish), may be claimed again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from bot.cadence import JobRun
from storage.repositories.base import Repository
from storage.tables import JobRunRow

_J: Table = SQLModel.metadata.tables[JobRunRow.__tablename__]
_RUNNING, _DONE, _FAILED = "running", "done", "failed"


class JobRunRepository(Repository):
    async def claim(
        self, job: str, period: str, *, worker: str, now: datetime, lease_until: datetime
    ) -> bool:
        """Take the period: True when new, failed before, or abandoned (lease passed); else False."""
        async with self._sessions.begin() as session:
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            inserted = await session.exec(
                insert(_J)
                .values(
                    job=job,
                    period=period,
                    status=_RUNNING,
                    worker=worker,
                    attempts=1,
                    lease_until=lease_until,
                    started_at=now,
                    detail="",
                )
                .on_conflict_do_nothing(index_elements=["job", "period"])
                .returning(_J.c.id)
            )
            if inserted.all():
                return True
            retaken = await session.exec(
                update(_J)
                .where(
                    _J.c.job == job,
                    _J.c.period == period,
                    or_(_J.c.status == _FAILED, and_(_J.c.status == _RUNNING, _J.c.lease_until < now)),
                )
                .values(
                    status=_RUNNING,
                    worker=worker,
                    attempts=_J.c.attempts + 1,
                    lease_until=lease_until,
                    started_at=now,
                    finished_at=None,
                )
                .returning(_J.c.id)
            )
            return bool(retaken.all())

    async def finish(
        self, job: str, period: str, *, worker: str, ok: bool, detail: str, now: datetime
    ) -> None:
        """Record the end of our run; a run taken over meanwhile is left to its new owner."""
        async with self._sessions.begin() as session:
            await session.exec(
                update(_J)
                .where(_J.c.job == job, _J.c.period == period, _J.c.worker == worker, _J.c.status == _RUNNING)
                .values(
                    status=_DONE if ok else _FAILED, finished_at=now, lease_until=None, detail=detail[:300]
                )
            )

    async def last_done(self, job: str) -> str | None:
        """The latest period of `job` that finished, by key order."""
        query = select(func.max(_J.c.period)).where(_J.c.job == job, _J.c.status == _DONE)
        async with self._sessions() as session:
            found = (await (await session.connection()).execute(query)).scalar_one()
        return str(found) if found is not None else None

    async def latest(self) -> list[JobRun]:
        """The most recent run of each job (by start time), by job name."""
        newest = select(_J.c.job, func.max(_J.c.started_at).label("started")).group_by(_J.c.job).subquery()
        query = (
            select(_J)
            .join(newest, and_(newest.c.job == _J.c.job, newest.c.started == _J.c.started_at))
            .order_by(_J.c.job, _J.c.period.desc())
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        runs: dict[str, JobRun] = {}
        for row in rows:
            runs.setdefault(
                row.job,
                JobRun(
                    job=row.job,
                    period=row.period,
                    status=row.status,
                    worker=row.worker,
                    started_at=row.started_at,
                    finished_at=row.finished_at,
                    detail=row.detail,
                ),
            )
        return list(runs.values())

    async def prune(self, job: str, *, before: datetime) -> int:
        """Forget finished runs of `job` started before `before`."""
        async with self._sessions.begin() as session:
            result = await session.exec(
                delete(_J).where(_J.c.job == job, _J.c.status == _DONE, _J.c.started_at < before)
            )
            return int(result.rowcount)
