"""Slack tokens at rest (storage/slack_oauth.py, migration 0012) on SQLite and PostgreSQL: sealed through
slack_sdk's store, rotated with a list of keys, plain rows from before read and then encrypted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
    SQLAlchemyInstallationStore,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.sender import InstalledTokens
from storage import migrate
from storage.engine import ReadOnlyTransactionError, make_engine, sync_url
from storage.slack_oauth import (
    TOKEN_COLUMNS,
    SecretKeyError,
    TokenCipher,
    is_encrypted,
    rewrite_stored_tokens,
    slack_installation_store,
)

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
BOT = "xoxb-1-bot-token"
USER = "xoxp-1-user-token"
REFRESH = "xoxe-1-refresh-token"


def an_installation(team_id: str = "T1") -> Installation:
    return Installation(
        app_id="A1", team_id=team_id, user_id="U1", bot_token=BOT, bot_id="B1", bot_user_id="UB1",
        bot_scopes="chat:write", bot_refresh_token=REFRESH, user_token=USER, user_refresh_token=REFRESH,
    )  # fmt: skip


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


# Sealed means a Fernet token (`is_encrypted`), not "no 'xox' in it": base64 text holds "xox" by
# chance (103 of 300,000 sealed 16-character tokens), which made these checks fail now and then.
async def stored(engine: AsyncEngine) -> list[str]:
    found: list[str] = []
    async with engine.connect() as conn:
        for table, columns in TOKEN_COLUMNS.items():
            rows = await conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}"))
            found += [value for row in rows for value in row if value is not None]
    return found


async def find(engine: AsyncEngine, keys: str) -> Installation | None:
    store = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(keys))
    return await store.async_find_installation(enterprise_id=None, team_id="T1")


async def test_tokens_are_sealed_in_the_database_and_opened_by_the_store(engine: AsyncEngine) -> None:
    store = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD))
    installation = an_installation()
    await store.async_save(installation)
    assert installation.bot_token == BOT  # the caller's object is left as it was

    values = await stored(engine)
    assert len(values) == 6 and all(map(is_encrypted, values))
    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None
    assert (found.bot_token, found.user_token, found.bot_refresh_token) == (BOT, USER, REFRESH)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == (BOT, REFRESH)


async def test_key_rotation_with_two_keys(engine: AsyncEngine) -> None:
    await slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD)).async_save(
        an_installation()
    )
    before = await stored(engine)

    # The new key first: new writes use it, the old tokens still open.
    found = await find(engine, f"{NEW},{OLD}")
    assert found is not None and found.bot_token == BOT
    with pytest.raises(SecretKeyError, match="does not open"):
        await find(engine, NEW)
    with pytest.raises(SecretKeyError, match="does not open"):  # checked on start, before any request
        await rewrite_stored_tokens(engine, TokenCipher(NEW), mode="encrypt")

    assert await rewrite_stored_tokens(engine, TokenCipher(f"{NEW},{OLD}"), mode="rotate") == 2
    after = await stored(engine)
    assert set(after).isdisjoint(before)
    assert {Fernet(NEW).decrypt(v.encode()).decode() for v in after} == {BOT, USER, REFRESH}
    found = await find(engine, NEW)  # the old key can now be dropped
    assert found is not None and found.user_token == USER
    with pytest.raises(SecretKeyError):
        await find(engine, OLD)


async def test_plain_tokens_from_before_are_read_then_encrypted(engine: AsyncEngine) -> None:
    plain = AsyncSQLAlchemyInstallationStore(client_id="1.2", engine=engine)  # as before migration 0012
    await plain.async_save(an_installation())
    assert BOT in await stored(engine)

    found = await find(engine, OLD)
    assert found is not None and found.bot_token == BOT  # a plain token is still readable

    cipher = TokenCipher(OLD)
    assert await rewrite_stored_tokens(engine, cipher, mode="encrypt") == 2
    assert all(map(is_encrypted, await stored(engine)))
    assert await rewrite_stored_tokens(engine, cipher, mode="encrypt") == 0  # nothing left to seal
    found = await find(engine, OLD)
    assert found is not None and (found.bot_token, found.user_token) == (BOT, USER)


def test_migration_0012_encrypts_existing_rows_when_a_key_is_given(database_url: str) -> None:
    migrate.downgrade(database_url, "0011")
    engine = sa.create_engine(sync_url(database_url))
    try:
        SQLAlchemyInstallationStore(client_id="1.2", engine=engine).save(an_installation())

        migrate.upgrade(database_url)  # no key at upgrade time: the rows stay plain, still readable
        assert _values(engine).count(BOT) == 2

        migrate.downgrade(database_url, "0011")
        migrate.upgrade(database_url, secret_key=f"{OLD}")
        sealed = _values(engine)
        assert len(sealed) == 6 and all(map(is_encrypted, sealed))
        assert {Fernet(OLD).decrypt(v.encode()).decode() for v in sealed} == {BOT, USER, REFRESH}

        migrate.downgrade(database_url, "0011", secret_key=OLD)  # decrypts again
        assert sorted(_values(engine)) == sorted([BOT, BOT, REFRESH, REFRESH, USER, REFRESH])
    finally:
        engine.dispose()
        migrate.upgrade(database_url)


def _values(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            value
            for table, columns in TOKEN_COLUMNS.items()
            for row in conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}"))
            for value in row
            if value is not None
        ]


# Stable ids (the keys are made per run): pytest-xdist needs every worker to collect the same ids.
@pytest.mark.parametrize(
    "keys", ["", " , ", "not-a-key", f"{OLD},short"], ids=["empty", "commas", "not-a-key", "a-short-second"]
)
def test_a_missing_or_malformed_key_is_refused_with_how_to_make_one(keys: str) -> None:
    with pytest.raises(SecretKeyError, match=r"Fernet\.generate_key"):
        TokenCipher(keys)


async def test_the_senders_look_ups_read_while_a_writer_holds_sqlite(sqlite_url: str) -> None:
    """The read-only store the Sender looks tokens up with (bot/app.py) takes no write lock: a
    look-up goes through while another transaction writes, where slack_sdk's `engine.connect()`
    would wait for it (BEGIN IMMEDIATE); a write through it is refused."""
    engine = make_engine(sqlite_url)
    try:
        await slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD)).async_save(
            an_installation()
        )
        lookups = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD), read_only=True)
        async with engine.begin() as writer:  # BEGIN IMMEDIATE: the write lock is held meanwhile
            await writer.execute(sa.text("UPDATE slack_bots SET bot_scopes = 'chat:write'"))
            # Well under the busy timeout (10 s) a look-up that needed the lock would wait out.
            bot = await asyncio.wait_for(lookups.async_find_bot(enterprise_id=None, team_id="T1"), 5)
        assert bot is not None and bot.bot_token == BOT
        with pytest.raises(ReadOnlyTransactionError):
            await lookups.async_save(an_installation("T2"))
    finally:
        await engine.dispose()


async def test_many_workspaces_tokens_in_one_query_as_find_bot_finds_each(engine: AsyncEngine) -> None:
    store = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD))
    for team in ("T1", "T2", "T3"):
        await store.async_save(an_installation(team))
    # T2 installed again later with a new token: the latest bot row is the one a look-up finds.
    again = an_installation("T2")
    again.bot_token, again.installed_at = "xoxb-2-newer", again.installed_at + 60
    await store.async_save(again)
    lookups = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD), read_only=True)

    found = await lookups.async_find_bot_tokens(["T1", "T2", "T3", "T9", "T1"])

    assert found == {"T1": BOT, "T2": "xoxb-2-newer", "T3": BOT}  # T9 never installed: absent
    for team in ("T1", "T2", "T3"):
        bot = await lookups.async_find_bot(enterprise_id=None, team_id=team)
        assert bot is not None and found[team] == bot.bot_token
    other_app = slack_installation_store(engine, client_id="9.9", cipher=TokenCipher(OLD), read_only=True)
    assert await other_app.async_find_bot_tokens(["T1"]) == {}


async def test_a_fan_out_meeting_many_workspaces_looks_their_tokens_up_together(engine: AsyncEngine) -> None:
    """InstalledTokens (the Sender's) over the real store: 40 workspaces met at once cost a couple of
    queries, not 40; each send gets its own workspace's token, a missing one None, and a second
    round is served from the cache."""
    store = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD))
    teams = [f"T{n:03d}" for n in range(40)]
    for team in teams:
        installation = an_installation(team)
        installation.bot_token = f"xoxb-{team}"
        await store.async_save(installation)
    queries: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "slack_bots" in statement:
            queries.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    tokens = InstalledTokens(
        slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD), read_only=True)
    )
    asked = [*teams, "T999", *teams[:5]]  # one never installed; five asked twice at once
    got = await asyncio.gather(*(tokens.token(team) for team in asked))

    assert got == [f"xoxb-{team}" for team in teams] + [None] + [f"xoxb-{team}" for team in teams[:5]]
    assert 1 <= len(queries) <= 2, queries  # the first miss starts a query; the rest wait for the next
    assert await tokens.token("T007") == "xoxb-T007" and len(queries) <= 2  # cached


async def test_a_failed_look_up_fails_each_send_waiting_for_it_and_the_next_asks_again(
    engine: AsyncEngine,
) -> None:
    store = slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(OLD))
    await store.async_save(an_installation("T1"))
    # Read with a different key: the stored token cannot be opened (a key rotated away too early).
    tokens = InstalledTokens(
        slack_installation_store(engine, client_id="1.2", cipher=TokenCipher(NEW), read_only=True)
    )
    results = await asyncio.gather(tokens.token("T1"), tokens.token("T1"), return_exceptions=True)
    assert [type(r) for r in results] == [SecretKeyError, SecretKeyError]
    # Nothing was cached for T1 (neither a token nor "not installed"): the next send asks again.
    with pytest.raises(SecretKeyError):
        await tokens.token("T1")
