"""The shared rate-limit buckets (`rate_limit`): one GCRA TAT per key, read and written under a lock.

One `update` is one transaction of two statements whatever the number of keys: an upsert that
creates missing rows, locks every row and returns its TAT (`ON CONFLICT DO UPDATE` locks the row on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` already holds the database), then an upsert of the new TATs.
Keys are locked in sorted order, so two processes never wait on each other's rows crosswise.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from storage.repositories.base import Repository
from storage.tables import RateLimitRow

_R: Table = SQLModel.metadata.tables[RateLimitRow.__tablename__]


class RateLimitRepository(Repository):
    async def update(
        self, keys: Collection[str], change: Callable[[Mapping[str, float]], Mapping[str, float]]
    ) -> None:
        """See `bot.services.ratelimits.RateLimitStore`."""
        ordered = sorted(set(keys))
        if not ordered:
            return
        async with self._sessions.begin() as session:
            conn = await session.connection()
            insert: Any = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            lock = insert(_R).values([{"key": key, "tat": 0.0} for key in ordered])
            # A no-op update, so that existing rows are returned (and locked) too.
            lock = lock.on_conflict_do_update(index_elements=[_R.c.key], set_={"tat": _R.c.tat})
            rows = (await conn.execute(lock.returning(_R.c.key, _R.c.tat))).all()
            changed = change({row.key: row.tat for row in rows})
            if changed:
                write = insert(_R).values([{"key": k, "tat": changed[k]} for k in sorted(changed)])
                write = write.on_conflict_do_update(
                    index_elements=[_R.c.key], set_={"tat": write.excluded.tat}
                )
                await conn.execute(write)

    async def prune(self, *, full_before: float) -> int:
        """See `bot.ports.RateLimitRows`. A bucket being drawn from meanwhile is safe on both
        backends: its row is locked by the draw, and its new TAT no longer matches."""
        async with self._sessions.begin() as session:
            result = await session.exec(delete(_R).where(_R.c.tat < full_before))
            return int(result.rowcount)
