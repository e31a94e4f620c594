"""Database engines. Nothing is created at import time; the composition root calls `make_engine`."""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio.session import _AsyncSessionContextManager
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_driver

# SQLite waits this long for a competing writer instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

# PostgreSQL's connection pool: POOL_SIZE kept open, up to MAX_OVERFLOW more under load; a checkout
# waiting longer than SQLAlchemy's pool timeout (30 s) fails. `command_slots` keeps commands below it.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 10
# Connections left to the delivery worker, the scheduler's jobs and nested transactions.
PG_POOL_RESERVE = 4

# Execution option marking a connection whose transactions only read (see `_sqlite_begin`).
READ_ONLY = "partnerbot_read_only"


def async_url(url: str) -> str:
    """Map the user-facing URL (`sqlite:///x.db`, `postgresql://…`) to its asyncio driver."""
    parsed = make_url(url)
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}.get(parsed.drivername)
    if driver is None:
        return url
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The synchronous twin of `url`, for Alembic."""
    parsed = make_url(url)
    driver = {"sqlite+aiosqlite": "sqlite", "postgresql": "postgresql+psycopg"}.get(parsed.drivername)
    if driver is None:
        return url
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    full = async_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if full.startswith("postgresql"):
        kwargs.update(pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW, pool_pre_ping=True)
    if make_url(full).drivername == "sqlite+aiosqlite":
        kwargs["module"] = sqlite_driver.dbapi()  # one trip to aiosqlite's thread per statement
    engine = create_async_engine(full, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes)
    return engine


def command_slots(engine: AsyncEngine) -> int | None:
    """How many commands may be at work at once (`bot.slots.CommandSlots`): on PostgreSQL fewer than
    the pool's connections, so a burst waits its turn instead of failing on the pool timeout; on
    SQLite no limit (writers already take turns on `_WriteTurn` without holding a connection)."""
    if engine.dialect.name == "postgresql":
        return PG_POOL_SIZE + PG_MAX_OVERFLOW - PG_POOL_RESERVE
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, issue BEGIN, so that we can make it IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A transaction that may write starts with BEGIN IMMEDIATE: it takes the write lock up front, so
    # two writers queue on the busy timeout instead of one failing with SQLITE_BUSY when its read
    # lock cannot be upgraded (in WAL mode a reader whose snapshot is older than the last commit can
    # never upgrade, and the busy handler is not even called). A transaction that only reads
    # (`Sessions()`, marked READ_ONLY) starts deferred: under WAL it neither waits for nor blocks the
    # writer, and `_refuse_writes` keeps it from ever needing that upgrade.
    # https://www.sqlite.org/lang_transaction.html https://www.sqlite.org/wal.html
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class ReadOnlyTransactionError(RuntimeError):
    """A statement that writes ran in a read session: use `Sessions.begin()` for it."""


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT")


def _refuse_writes(
    conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _executemany: bool
) -> None:
    # Checked here rather than with `PRAGMA query_only`: that is one more round trip to the
    # aiosqlite thread per transaction, and every command runs several.
    if not conn.get_execution_options().get(READ_ONLY, False):
        return
    if statement.lstrip()[:7].upper().startswith(_WRITES) or (
        context is not None and (context.isinsert or context.isupdate or context.isdelete)
    ):
        raise ReadOnlyTransactionError(f"a write in a read-only transaction: {statement[:80]}")


class Sessions(async_sessionmaker[AsyncSession]):
    """`sessions()` for a transaction that only reads, `sessions.begin()` for one that writes.

    On SQLite the first starts deferred (no write lock: a long read never holds up a command's
    write, nor waits for one), the second `BEGIN IMMEDIATE`, and a process's writers take turns
    on an asyncio lock first (see `_WriteTurn`); on PostgreSQL both are plain transactions.
    `engine.begin()` / `engine.connect()` outside a session stay IMMEDIATE."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine.execution_options(**{READ_ONLY: True}), class_=AsyncSession, expire_on_commit=False
        )
        self._writer = engine
        self._serialise = engine.dialect.name == "sqlite"

    def begin(self) -> _AsyncSessionContextManager[AsyncSession]:
        session = self(bind=self._writer)
        if self._serialise:
            return _WriteTurn(session, _write_lock(self._writer))
        return session._maker_context_manager()


class _WriteTurn(_AsyncSessionContextManager[AsyncSession]):
    # SQLite has one writer at a time. Left to the busy handler, a burst of commands parks every
    # pooled connection in BEGIN IMMEDIATE, polling with growing sleeps, and a writer still waiting
    # after SQLITE_BUSY_TIMEOUT_MS fails with "database is locked" (seen in bench/commands.py).
    # Queued on an asyncio lock instead, they go in turn, hold no connection while waiting and
    # never time out; the busy timeout is left to arbitrate between processes.

    def __init__(self, session: AsyncSession, lock: _TurnLock) -> None:
        super().__init__(session)
        self._lock = lock
        self._took = False

    async def __aenter__(self) -> AsyncSession:
        self._took = await self._lock.take()
        try:
            return await super().__aenter__()
        except BaseException:
            self._release()
            raise

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        try:
            await super().__aexit__(type_, value, traceback)
        finally:
            self._release()

    def _release(self) -> None:
        if self._took:
            self._took = False
            self._lock.give_back()


class _TurnLock:
    """An asyncio lock that a task already holding it passes through (a write nested in a write
    then behaves as it did without the lock, instead of waiting for itself)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    async def take(self) -> bool:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            return False
        await self._lock.acquire()
        self._owner = task
        return True

    def give_back(self) -> None:
        self._owner = None
        self._lock.release()


# One lock per engine and event loop (an asyncio.Lock belongs to the loop it first waited in).
_WRITE_LOCKS: WeakKeyDictionary[Any, WeakKeyDictionary[asyncio.AbstractEventLoop, _TurnLock]] = (
    WeakKeyDictionary()
)


def _write_lock(engine: AsyncEngine) -> _TurnLock:
    per_loop = _WRITE_LOCKS.setdefault(engine.sync_engine, WeakKeyDictionary())
    lock = per_loop.get(loop := asyncio.get_running_loop())
    if lock is None:
        lock = per_loop[loop] = _TurnLock()
    return lock


def make_sessionmaker(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)
