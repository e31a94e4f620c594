"""Run a bench against the databases it was asked for: the `--db` URL, or a temporary SQLite file
and/or a throwaway PostgreSQL cluster (`--database sqlite|postgres|both`)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable

Run = Callable[[str, str], Awaitable[None]]  # (database URL, its kind: "sqlite" | "postgres…")


async def each_database(run: Run, *, db: str | None, choice: str) -> None:
    from tests.pg import find_bindir, start_cluster

    if db:
        await run(db, db.split(":")[0])
        return
    for database in ["sqlite", "postgres"] if choice == "both" else [choice]:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                await run(f"sqlite:///{tmp}/bench.db", "sqlite")
            continue
        if find_bindir() is None:
            print("postgres: skipped — no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
            continue
        cluster = await asyncio.to_thread(start_cluster)
        try:
            await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
            await run(cluster.url("bench"), "postgres")
        finally:
            await asyncio.to_thread(cluster.stop)
