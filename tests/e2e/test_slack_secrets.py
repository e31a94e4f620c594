"""Secrets at rest: the bot tokens of OAuth installs are stored Fernet-encrypted (storage/slack_oauth.py,
migration 0012) and still authorise commands and deliveries, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

from adapters.slack.app import BOT_SCOPES
from bot.app import serve
from bot.config import Settings
from storage.engine import make_engine
from storage.slack_oauth import TOKEN_COLUMNS, SecretKeyError, is_encrypted
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import TOKEN_KEY, SlackWorld, install, open_world

PARTNER_TEAM = "T0PARTNER"


@pytest.fixture
async def oauth_world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock, oauth=True) as w:
        await w.topics("pricing")
        yield w


async def stored_tokens(world: SlackWorld) -> list[str]:
    """Every token value in slack_sdk's tables, as the database holds it."""
    found: list[str] = []
    async with world.app.engine.connect() as conn:
        for table, columns in TOKEN_COLUMNS.items():
            rows = await conn.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}"))
            found += [value for row in rows for value in row if value is not None]
    return found


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_an_oauth_install_stores_its_token_encrypted_and_it_still_posts(
    oauth_world: SlackWorld,
) -> None:
    world = oauth_world
    partner_ws = world.fake.add_workspace(PARTNER_TEAM, name="Own Inc", scopes=set(BOT_SCOPES))
    # A rotating token is long (xoxe.xoxb-…): sealed it outgrows slack_sdk's VARCHAR(200) on PostgreSQL.
    partner_ws.bot_token = "xoxe.xoxb-1-" + "A1b2C3d4" * 20
    await install(world, world.vendor.team_id)  # where the admins broadcast from
    await install(world, PARTNER_TEAM)

    tokens = await stored_tokens(world)
    assert len(tokens) == 4  # per install, an installation row and a bot row
    # Sealed: Fernet tokens (base64 text may hold "xox" by chance, so that is not the test).
    assert all(map(is_encrypted, tokens))
    opened = {Fernet(TOKEN_KEY).decrypt(value.encode()).decode() for value in tokens}
    assert opened == {world.vendor.bot_token, partner_ws.bot_token}

    own = await world.partner("own", tier="gold", team=PARTNER_TEAM)
    answer = await world.command("/partner", "subscribe pricing", channel=own.channel, user=own.user)
    assert "now gets announcements on `pricing`" in answer[0]["text"]  # authorised by the decrypted token
    await world.broadcast('topic:pricing title:"Sealed" Delivered with the decrypted token.')
    await world.deliver()
    posts = world.bot_posts(own.channel)
    assert len(posts) == 1 and "Sealed" in str(posts[0])


# --- `partnerbot run` (bot.app.serve) seals what an upgrade without the key left plain ------------------


def oauth_settings(database_url: str, keys: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        slack_client_id="1.2",
        slack_client_secret="c",
        slack_signing_secret="s",
        slack_api_url="http://127.0.0.1:9/api/",  # never called: nothing is sent here
        http_host="127.0.0.1",
        http_port=0,
        secret_key=keys,
    )


async def test_run_encrypts_plain_tokens_on_start_and_refuses_a_key_that_opens_none(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        plain = AsyncSQLAlchemyInstallationStore(client_id="1.2", engine=engine)  # stored before 0012
        await plain.async_save(Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-9-p"))
        stop = asyncio.Event()
        stop.set()  # start, then stop at once
        await serve(oauth_settings(sqlite_url, TOKEN_KEY), stop=stop)
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT bot_token FROM slack_bots"))).all()
        assert [Fernet(TOKEN_KEY).decrypt(row[0].encode()) for row in rows] == [b"xoxb-9-p"]

        with pytest.raises(SecretKeyError, match="does not open"):  # the CLI: one line, exit 2
            await serve(oauth_settings(sqlite_url, Fernet.generate_key().decode()), stop=stop)
    finally:
        await engine.dispose()
