"""`partnerbot discord invite-url` and `sync-commands`, and the sync-only-when-changed rule."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs, urlsplit

import discord
import typer
from typer.testing import CliRunner

from bot.app import serve
from bot.cli.discord import discord_cli
from bot.config import Settings
from tests.e2e.discord_world import discord_world
from tests.fakes.discord import FakeDiscord

GLOBAL_PUT = "PUT /applications/{application_id}/commands"
GUILD_PUT = "PUT /applications/{application_id}/guilds/{guild_id}/commands"


def cli() -> typer.Typer:
    """The sub-app mounted the way bot/cli mounts it."""
    app = typer.Typer()
    app.add_typer(discord_cli, name="discord")
    return app


def test_invite_url_has_the_scopes_and_exactly_the_permissions_needed() -> None:
    token = base64.b64encode(b"112233445566778899").decode().rstrip("=") + ".GxYz12.secret"
    result = CliRunner().invoke(cli(), ["discord", "invite-url", "--explain"], env={"DISCORD_TOKEN": token})
    assert result.exit_code == 0, result.output
    url = urlsplit(result.stdout.strip())
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://discord.com/oauth2/authorize"
    assert query["client_id"] == "112233445566778899"
    assert query["scope"].split() == ["bot", "applications.commands"]
    expected = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        read_message_history=True,
    )
    assert int(query["permissions"]) == expected.value == 309237730304
    granted = discord.Permissions(int(query["permissions"]))
    assert not (granted.administrator or granted.mention_everyone or granted.manage_messages)

    explicit = CliRunner().invoke(
        cli(), ["discord", "invite-url", "--client-id", "42"], env={"DISCORD_TOKEN": ""}
    )
    assert "client_id=42&" in explicit.stdout


def test_invite_url_without_any_id_says_what_to_do() -> None:
    result = CliRunner().invoke(cli(), ["discord", "invite-url"], env={"DISCORD_TOKEN": ""})
    assert result.exit_code != 0
    assert "--client-id" in str(result.exception)


async def test_commands_sync_only_when_changed_and_sync_commands_forces_it(database_url: str) -> None:
    # On both databases: the digests live in the table migration 0003 adds.
    async with discord_world(database_url, partners=("acme",)) as world:
        fake = world.fake
        assert (fake.calls[GLOBAL_PUT], fake.calls[GUILD_PUT]) == (1, 1)  # first start: both scopes
        assert len(world.adapter.synced) == 2

        await world.restart()  # same definitions: nothing is pushed again
        assert world.adapter.synced == []
        assert (fake.calls[GLOBAL_PUT], fake.calls[GUILD_PUT]) == (1, 1)

        settings = world.app.settings
        env = {
            "PARTNERBOT_DATABASE_URL": settings.database_url,
            "DISCORD_TOKEN": settings.discord_token,
            "PARTNERBOT_DISCORD_API_URL": settings.discord_api_url,
            "PARTNERBOT_DISCORD_GATEWAY_URL": settings.discord_gateway_url,
            "PARTNERBOT_ADMIN_CHANNELS": ",".join(settings.admin_channels),
        }
        # The CLI runs its own event loop; the fake keeps serving from this one.
        forced = await asyncio.to_thread(CliRunner().invoke, cli(), ["discord", "sync-commands"], env=env)
        assert forced.exit_code == 0, forced.output
        assert "Synced application commands" in forced.stdout and "global" in forced.stdout
        assert (fake.calls[GLOBAL_PUT], fake.calls[GUILD_PUT]) == (2, 2)
        assert [c["name"] for c in fake.commands[None]] == ["partner"]


async def test_partnerbot_run_serves_discord_in_the_same_loop(sqlite_url: str) -> None:
    """`partnerbot run` → bot.app.serve → build_discord_adapter, with the URLs from the settings."""
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        guild = fake.add_guild("Partner")
        channel = fake.add_channel(guild.id, "news")
        member = fake.add_member(guild.id, "pat")
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            discord_token=fake.token,
            discord_api_url=fake.base_url,  # without /api/v10: the adapter adds it
            discord_gateway_url=fake.gateway_url,
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        await fake.wait_until_ready(timeout=10)
        assert (await fake.wait_for_identify()).shard == (0, 1)  # AutoShardedClient
        assert fake.identifies[0].intents == 1 | 1 << 9 | 1 << 10  # guilds, guild messages, reactions
        help_ = fake.push_slash_command("partner help", channel_id=channel.id, user_id=member.user.id)
        answer = await fake.interaction_response(help_.id, timeout=10)
        assert "what you can do in this channel" in answer["data"]["content"]
        stop.set()
        await asyncio.wait_for(running, 10)
        assert fake.unknown_routes == [] and fake.internal_errors == []
