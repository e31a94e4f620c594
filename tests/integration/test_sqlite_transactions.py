"""Reads take no write lock on SQLite; transactions that write still take it up front.

`Sessions()` (a read) starts a deferred transaction under WAL, `Sessions.begin()` (a write) starts
`BEGIN IMMEDIATE` so that two read-then-write transactions queue instead of one failing with
SQLITE_BUSY on the lock upgrade. Under the old every-transaction-IMMEDIATE scheme the first test
waited the whole busy timeout (10 s) and then failed with "database is locked".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, func, select

from bot import messages as m
from storage import engine as engine_module
from storage.engine import READ_ONLY, ReadOnlyTransactionError, Sessions, make_engine, make_sessionmaker
from storage.repositories import TopicRepository
from storage.tables import TopicRow
from tests.harness import Harness
from tests.integration.support import channel_row, setup_topics

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Far below SQLITE_BUSY_TIMEOUT_MS: a statement that waited for a lock would not finish in time.
QUICK = 3.0

# Every partner reply first reads its reader's language: the channel's and its partner's, one statement.
LANGUAGE = ["read"]


@pytest.fixture
async def sqlite_sessions(sqlite_url: str) -> AsyncIterator[Sessions]:
    engine = make_engine(sqlite_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def any_sessions(database_url: str) -> AsyncIterator[Sessions]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _count(sessions: Sessions) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(TopicRow))).one()


async def test_a_long_read_does_not_hold_up_a_write(sqlite_sessions: Sessions) -> None:
    topics = TopicRepository(sqlite_sessions)
    await topics.add(slug="security", title="Security", description="", now=NOW)
    async with sqlite_sessions() as reader:
        seen = (await reader.exec(select(func.count()).select_from(TopicRow))).one()
        # The read transaction is still open: a command's write goes through at once.
        added = await asyncio.wait_for(
            topics.add(slug="pricing", title="Pricing", description="", now=NOW), QUICK
        )
        assert added.slug == "pricing"
        # …and the reader keeps its snapshot until it ends.
        assert (await reader.exec(select(func.count()).select_from(TopicRow))).one() == seen == 1
    assert await _count(sqlite_sessions) == 2


async def test_an_open_write_does_not_hold_up_a_read(sqlite_sessions: Sessions) -> None:
    topics = TopicRepository(sqlite_sessions)
    await topics.add(slug="security", title="Security", description="", now=NOW)
    async with sqlite_sessions.begin() as writer:
        writer.add(TopicRow(slug="pricing", title="Pricing", created_at=NOW))
        await writer.flush()  # the write lock is held from here until the commit
        found = await asyncio.wait_for(topics.all(), QUICK)
        assert [t.slug for t in found] == ["security"]
    assert [t.slug for t in await topics.all()] == ["pricing", "security"]


async def test_read_then_write_transactions_queue_instead_of_failing(sqlite_sessions: Sessions) -> None:
    """Both read the count, pause, then write it: deferred transactions would have one of them fail
    with SQLITE_BUSY at the upgrade; IMMEDIATE makes the second wait for the first."""

    async def read_then_write(slug: str) -> int:
        async with sqlite_sessions.begin() as session:
            seen = (await session.exec(select(func.count()).select_from(TopicRow))).one()
            await asyncio.sleep(0.05)
            session.add(TopicRow(slug=slug, title=slug, created_at=NOW))
            return seen

    seen = await asyncio.gather(read_then_write("a"), read_then_write("b"))
    assert sorted(seen) == [0, 1]  # serialised: the second saw the first's row
    assert await _count(sqlite_sessions) == 2


async def test_a_write_in_a_read_transaction_is_refused_and_the_connection_recovers(
    sqlite_sessions: Sessions,
) -> None:
    with pytest.raises(ReadOnlyTransactionError, match="read-only"):
        async with sqlite_sessions() as session:
            session.add(TopicRow(slug="sneaky", title="Sneaky", created_at=NOW))
            await session.commit()
    # The same pooled connection writes again inside `begin()`.
    async with sqlite_sessions.begin() as session:
        session.add(TopicRow(slug="fine", title="Fine", created_at=NOW))
    assert await _count(sqlite_sessions) == 1


async def test_write_then_read_in_one_transaction(any_sessions: Sessions) -> None:
    async with any_sessions.begin() as session:
        session.add(TopicRow(slug="security", title="Security", created_at=NOW))
        await session.flush()
        slugs = list(await session.exec(select(TopicRow.slug).order_by(col(TopicRow.slug))))
        assert slugs == ["security"]
        session.add(TopicRow(slug="pricing", title="Pricing", created_at=NOW))
    assert await _count(any_sessions) == 2


async def test_a_burst_of_writers_longer_than_the_busy_timeout_all_get_their_turn(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the process's write queue, writers parked in BEGIN IMMEDIATE give up with "database
    is locked" after the busy timeout (200 ms here; a burst of commands hit 10 s in bench/commands.py)."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)

    async def write(slug: str) -> None:
        async with sessions.begin() as session:
            session.add(TopicRow(slug=slug, title=slug, created_at=NOW))
            await session.flush()
            await asyncio.sleep(0.1)  # a writer held up by a busy event loop

    try:
        await asyncio.gather(*(write(f"t{i}") for i in range(8)))
        assert await _count(sessions) == 8
    finally:
        await engine.dispose()


async def test_a_write_nested_in_a_write_of_the_same_task_does_not_wait_for_itself(
    sqlite_sessions: Sessions,
) -> None:
    async def nested() -> None:
        # The outer has executed nothing yet, so it has issued no BEGIN either.
        async with sqlite_sessions.begin(), sqlite_sessions.begin() as inner:
            inner.add(TopicRow(slug="inner", title="Inner", created_at=NOW))

    await asyncio.wait_for(nested(), QUICK)
    assert await _count(sqlite_sessions) == 1


# --- a command in as few transactions as it needs ------------------------------------------------


@contextmanager
def transactions(h: Harness) -> Iterator[list[str]]:
    """How the transactions begun on `h`'s engine while inside started: "read" or "write"."""
    begun: list[str] = []

    def note(conn: Any) -> None:
        begun.append("read" if conn.get_execution_options().get(READ_ONLY) else "write")

    event.listen(h.app.engine.sync_engine, "begin", note)
    try:
        yield begun
    finally:
        event.remove(h.app.engine.sync_engine, "begin", note)


async def test_partner_subscribe_reads_the_topics_and_writes_in_one_transaction(harness: Harness) -> None:
    await setup_topics(harness, "security", "pricing", "roadmap")
    await harness.subscribe("acme", "roadmap")  # links the channel and registers it
    with transactions(harness) as begun:
        reply = await harness.partner("acme", "subscribe security pricing roadmap")
    assert reply.text == (
        m.SUBSCRIBED.format(topics="`pricing`, `security`")
        + "\n"
        + m.ALREADY_SUBSCRIBED.format(topics="`roadmap`")
    )
    # Before: the channel look-up, the topics and the subscription were three write transactions,
    # then a read of the topics and a write. Now one read of the reader's language (channel and
    # partner in one statement, issue 17), then one write.
    assert begun == [*LANGUAGE, "write"]
    follows = await harness.app.stores.subscriptions.topics_of((await channel_row(harness, "acme")).id or 0)
    assert [t.slug for t in follows] == ["pricing", "roadmap", "security"]


async def test_a_known_channel_is_looked_up_without_a_write(harness: Harness) -> None:
    await setup_topics(harness, "security")
    await harness.subscribe("acme", "security")
    with transactions(harness) as begun:
        reply = await harness.partner("acme", "list")
    assert "`security`" in reply.text and begun == [*LANGUAGE, "read", "read"]


async def test_a_new_channel_is_registered_by_subscribe_and_by_a_refused_one(harness: Harness) -> None:
    await setup_topics(harness, "security")
    refused = await harness.partner("newco", "subscribe secrity")
    assert refused.is_error and refused.text == m.SUBSCRIBE_NEEDS_LINK
    assert (await channel_row(harness, "newco")).partner_id is None
    await harness.link("newco")
    with transactions(harness) as begun:
        reply = await harness.partner("newco", "subscribe security")
    assert reply.text == m.SUBSCRIBED.format(topics="`security`") and begun == [*LANGUAGE, "write"]
    unknown = await harness.partner("newco", "subscribe secrity")
    assert unknown.is_error and "did you mean" in unknown.text


async def test_partner_subscribe_runs_six_statements_in_its_one_transaction_after_the_language(
    harness: Harness,
) -> None:
    await setup_topics(harness, "security", "pricing")
    await harness.subscribe("acme", "pricing")
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(harness.app.engine.sync_engine, "before_cursor_execute", note)
    try:
        with transactions(harness) as begun:
            reply = await harness.partner("acme", "subscribe security pricing")
    finally:
        event.remove(harness.app.engine.sync_engine, "before_cursor_execute", note)
    assert reply.text == (
        m.SUBSCRIBED.format(topics="`security`") + "\n" + m.ALREADY_SUBSCRIBED.format(topics="`pricing`")
    )
    # The topics, the channel, one INSERT … ON CONFLICT DO NOTHING RETURNING that adds the new
    # subscriptions and tells them from those that existed, the `subscribed` engagement event for the
    # new one and its count in the partner's day and week (an upsert of each roll-up), in the same
    # transaction (SQLite issues the BEGIN IMMEDIATE as a statement too), then the UPDATE that marks
    # stale any score snapshot over that day (it matches none for today's day, but a late event's day
    # may be in one: storage/repositories/rollups.py); before it, the reader's language in one SELECT.
    assert begun == [*LANGUAGE, "write"]
    assert [s for s in statements if s != "BEGIN"] == [
        "SELECT",
        "SELECT",
        "SELECT",
        "INSERT",
        "INSERT",
        "INSERT",
        "INSERT",
        "UPDATE",
    ]


async def test_subscribe_to_an_unknown_topic_still_registers_the_channel_in_one_transaction(
    harness: Harness,
) -> None:
    await setup_topics(harness, "security")
    with transactions(harness) as begun:
        reply = await harness.partner("newco", "subscribe securty")
    assert reply.is_error
    assert begun == [*LANGUAGE, "write"]
    assert (await channel_row(harness, "newco")).id is not None
