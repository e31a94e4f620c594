"""The SQLite driver (storage/sqlite_driver.py): one trip to aiosqlite's thread per statement, and
the same results and errors as SQLAlchemy's own aiosqlite adapter."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.engine import async_url, make_engine
from storage.sqlite_driver import OneTripCursor

_META = MetaData()
_ITEM = Table(
    "item",
    _META,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
)


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of every function aiosqlite runs on its thread, in order."""
    seen: list[str] = []
    original: Any = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)
    yield seen


async def _engine(url: str, *, stock: bool) -> AsyncEngine:
    engine = create_async_engine(async_url(url)) if stock else make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(_META.create_all)
    return engine


@pytest.fixture(params=["one trip", "stock"])
async def engine(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """The engine partnerbot makes and SQLAlchemy's stock one: the tests below hold for both."""
    made = await _engine(sqlite_url, stock=request.param == "stock")
    yield made
    await made.dispose()


async def test_each_statement_takes_one_trip(sqlite_url: str, trips: list[str]) -> None:
    engine = await _engine(sqlite_url, stock=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(_ITEM).values(name="a"))
            raw = await conn.get_raw_connection()
            assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)  # type: ignore[union-attr]
            trips.clear()
            await conn.execute(insert(_ITEM), [{"name": "b"}, {"name": "c"}])
            rows = (await conn.execute(select(_ITEM.c.name).order_by(_ITEM.c.id))).scalars().all()
            gone = await conn.execute(
                update(_ITEM).where(_ITEM.c.name != "a").values(name=_ITEM.c.name + "!")
            )
        assert rows == ["a", "b", "c"] and gone.rowcount == 2
        assert trips == ["_run", "_run", "_run", "commit"]
    finally:
        await engine.dispose()


async def test_results_rowcounts_and_ids_are_the_drivers(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(insert(_ITEM).values(name="a"))
        many = await conn.execute(insert(_ITEM), [{"name": "b"}, {"name": "c"}, {"name": "d"}])
        named = _ITEM.c.name.in_(["b", "c"])
        returned = await conn.execute(
            update(_ITEM).where(named).values(name=_ITEM.c.name + "2").returning(_ITEM.c.name)
        )
        renamed = sorted(returned.scalars().all())
        nothing = await conn.execute(update(_ITEM).where(_ITEM.c.name == "zz").values(name="y"))
        raw = await conn.exec_driver_sql("SELECT id, name FROM item WHERE id > ? ORDER BY id", (2,))
        fetched = [raw.fetchone(), raw.fetchall()]
    assert first.inserted_primary_key == (1,) and many.rowcount == 3
    assert renamed == ["b2", "c2"] and nothing.rowcount == 0
    assert fetched == [(3, "c2"), [(4, "d")]]


async def test_streamed_results_still_stream(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(_ITEM), [{"name": f"n{i}"} for i in range(50)])
        streamed = await conn.stream(select(_ITEM.c.name).order_by(_ITEM.c.id))
        names = [name async for name in streamed.scalars()]
    assert names == [f"n{i}" for i in range(50)]


async def test_errors_are_the_drivers_and_roll_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(_ITEM).values(name="a"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(insert(_ITEM).values(name="b"))
            await conn.execute(insert(_ITEM).values(name="a"))
    with pytest.raises(OperationalError, match="no such table"):
        async with engine.connect() as conn:
            await conn.execute(text("SELECT * FROM missing"))
    async with engine.connect() as conn:
        names = (await conn.execute(select(_ITEM.c.name))).scalars().all()
    assert names == ["a"]


async def test_begin_rides_with_the_transactions_first_statement(sqlite_url: str, trips: list[str]) -> None:
    engine = await _engine(sqlite_url, stock=False)
    database = sqlite_url.removeprefix("sqlite:///")
    try:
        trips.clear()
        async with engine.begin():
            pass  # a transaction that runs nothing costs no trip: no BEGIN, no COMMIT
        assert trips == []
        async with engine.begin() as conn:
            await conn.execute(insert(_ITEM).values(name="a"))
            raw = await conn.get_raw_connection()
            # BEGIN IMMEDIATE ran before the insert, on the same trip: the write lock is held.
            assert raw.dbapi_connection._connection.in_transaction  # type: ignore[union-attr]
            other = sqlite3.connect(database, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        assert trips == ["_run", "commit"]
    finally:
        await engine.dispose()


async def test_a_stream_that_opens_a_transaction_begins_it_first(sqlite_url: str, trips: list[str]) -> None:
    engine = await _engine(sqlite_url, stock=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(_ITEM), [{"name": f"n{i}"} for i in range(5)])
        async with engine.begin() as conn:
            trips.clear()
            streamed = await conn.stream(select(_ITEM.c.name).order_by(_ITEM.c.id))
            raw = await conn.get_raw_connection()
            assert raw.dbapi_connection._connection.in_transaction  # type: ignore[union-attr]
            names = [name async for name in streamed.scalars()]
        assert names == [f"n{i}" for i in range(5)]
        assert trips[0] == "execute"  # the BEGIN, on a trip of its own before the cursor's
    finally:
        await engine.dispose()


async def test_a_begin_that_cannot_take_the_lock_fails_its_statement(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.engine.SQLITE_BUSY_TIMEOUT_MS", 50)
    engine = await _engine(sqlite_url, stock=False)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(OperationalError, match="locked"):
            async with engine.begin() as conn:
                await conn.execute(insert(_ITEM).values(name="a"))
        holder.execute("ROLLBACK")
        async with engine.begin() as conn:  # the connection is usable again, and nothing was written
            await conn.execute(insert(_ITEM).values(name="b"))
        async with engine.connect() as conn:
            assert (await conn.execute(select(_ITEM.c.name))).scalars().all() == ["b"]
    finally:
        holder.close()
        await engine.dispose()
