"""SQLAlchemy's aiosqlite adapter with one trip to aiosqlite's thread per statement instead of three
or four, and none for BEGIN.

aiosqlite runs every call on one thread of its own and each `await` on it is a round trip: a
future, a queue hand-off and a wake-up of the event loop. SQLAlchemy's adapter makes a statement
four of them (create a cursor, execute, fetch the rows, close the cursor); a fan-out's group commit
was about fifty. Here the whole statement runs on the thread as one function, which returns what
the cursor knew (description, rowcount, lastrowid, the rows), and the adapter's cursor serves
those, as SQLAlchemy's already did with the rows it fetched up front. Everything else (server-side
cursors, connections, transactions, errors) is SQLAlchemy's own; `make_engine` passes this in as
the DBAPI module (`create_engine(module=…)`).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What a statement leaves behind: description, rowcount, lastrowid, rows.
_Ran = tuple[Any, int, int | None, list[Any]]


# The transaction openers that wait for the transaction's first statement (see OneTripCursor).
_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE"})


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None) -> _Ran:
    """On aiosqlite's thread: the transaction's BEGIN if it waited for this statement, then one
    statement (or one executemany), start to finish."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        # rowcount and lastrowid are read after the rows: with RETURNING they count as rows are stepped.
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statements each take one trip to aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor (that was a trip of its own): `_run` opens and closes one per statement.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the statement's cursor was closed on the thread, its rows are here."""

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        """sqlite3 ignores input sizes (a no-op in the DBAPI module as well)."""

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        if operation in _BEGINS and not parameters:
            # No trip of its own: BEGIN runs on the thread just before the transaction's first
            # statement (a transaction that runs none costs no trip at all). The effect is the
            # same: BEGIN IMMEDIATE still takes the write lock before that statement, and if it
            # fails, so does the statement, as the transaction would have.
            self._adapt_connection._pending_begin = operation  # type: ignore[attr-defined]
            self._description, self._rowcount, self._lastrowid = None, -1, None
            self._rows = collections.deque()
            return None
        try:
            return await_(self._ran(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._ran(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _ran(self, operation: str, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        on_thread: Any = connection._execute  # aiosqlite's own way onto its thread (untyped)
        adapt: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        async with adapt._execute_mutex:
            begin, adapt._pending_begin = adapt._pending_begin, None
            ran: _Ran = await on_thread(_run, connection._conn, operation, parameters, many, begin)
        self._description, self._rowcount, self._lastrowid, rows = ran
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_pending_begin",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # mypy reads the base's as exactly its class

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._pending_begin: str | None = None  # a BEGIN waiting for its transaction's first statement

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self._pending_begin is not None:
            # A server-side cursor steps on aiosqlite's own cursor, not through `_run`: its
            # transaction begins first, on a trip of its own.
            begin, self._pending_begin = self._pending_begin, None
            try:
                await_(self._begin(begin))
            except Exception as error:
                self._handle_exception(error)
        return super().cursor(server_side)

    async def _begin(self, begin: str) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        on_thread: Any = connection._execute
        async with self._execute_mutex:
            await on_thread(connection._conn.execute, begin)

    def rollback(self) -> None:
        self._pending_begin = None  # a transaction that ran no statement: nothing to undo
        # The pool rolls back every connection it takes back, after a commit too: no trip when no
        # transaction is open. sqlite3 makes the same check before it rolls back (and before it
        # commits), on the thread: https://docs.python.org/3/library/sqlite3.html#sqlite3.Connection.rollback
        if self._idle():
            return
        super().rollback()

    def commit(self) -> None:
        self._pending_begin = None  # nor anything to commit
        if self._idle():
            return
        super().commit()

    def _idle(self) -> bool:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        return connection._connection is not None and not connection.in_transaction


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, handing out `OneTripConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)
