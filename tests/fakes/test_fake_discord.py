"""The fake Discord, proven against the real discord.py client over 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord import (
    Channel,
    FakeDiscord,
    Guild,
    Member,
    MessageFlag,
    RateLimitConfig,
    point_discord_py_at,
)

WAIT = 5.0  # upper bound for any single wait; tests finish far sooner


@dataclass
class World:
    fake: FakeDiscord
    guild: Guild
    news: Channel
    alice: Member


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval_ms=200) as server:
        with point_discord_py_at(server):
            yield server
        assert server.internal_errors == []
        assert server.unknown_routes == []  # discord.py only used endpoints the fake implements


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Partners")
    news = fake.add_channel(guild.id, "news")
    alice = fake.add_member(guild.id, "alice")
    return World(fake, guild, news, alice)


def intents(*, message_content: bool = False) -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.guild_reactions = True
    wanted.message_content = message_content
    return wanted


class QuickClient(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-initial IDENTIFY (identify rate limit); not in tests."""


def make_client(**options: object) -> discord.Client:
    options.setdefault("intents", intents())
    return QuickClient(guild_ready_timeout=0.05, **options)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(client: discord.Client, token: str) -> AsyncIterator[discord.Client]:
    """Start the client, wait for on_ready (or for start() to fail), close it afterwards."""
    task = asyncio.create_task(client.start(token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # re-raise why the client stopped
        assert ready in done, "client did not become ready"
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, WAIT)


def text_channel(client: discord.Client, channel: Channel) -> discord.TextChannel:
    found = client.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


# --------------------------------------------------------------------------- gateway


async def test_client_connects_gets_guilds_and_heartbeats_are_acked(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        assert [g.id for g in client.guilds] == [world.guild.id]
        assert client.get_channel(world.news.id) is not None
        identify = await world.fake.wait_for_identify()
        assert identify.intents == intents().value and identify.token == world.fake.token
        await world.fake.wait_for_heartbeat_ack(count=2)  # one right after HELLO, then every 200 ms
        assert math.isfinite(client.latency)
        assert client.application_id == world.fake.application_id


async def test_auto_sharded_client_asks_gateway_bot_and_gets_its_shard(world: World) -> None:
    client = discord.AutoShardedClient(intents=intents(), guild_ready_timeout=0.05)
    async with running(client, world.fake.token):
        assert world.fake.calls["GET /gateway/bot"] == 1
        assert (await world.fake.wait_for_identify()).shard == (0, 1)
        assert client.shard_count == 1 and client.guilds


async def test_pushed_message_reaches_on_message_with_content_only_when_allowed(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        plain = client.wait_for("message", timeout=WAIT)
        world.fake.push_message(world.news.id, "secret plans", author_id=world.alice.user.id)
        received = await plain
        # No message-content intent: text is blanked...
        assert received.author.id == world.alice.user.id and received.content == ""

        mention = client.wait_for("message", timeout=WAIT)
        world.fake.push_message(world.news.id, f"<@{world.fake.bot.id}> help", author_id=world.alice.user.id)
        # ...except when the bot is mentioned.
        assert (await mention).content == f"<@{world.fake.bot.id}> help"


async def test_message_content_intent_shows_text(world: World) -> None:
    client = make_client(intents=intents(message_content=True))
    async with running(client, world.fake.token):
        arrived = client.wait_for("message", timeout=WAIT)
        world.fake.push_message(world.news.id, "question?", author_id=world.alice.user.id)
        assert (await arrived).content == "question?"


async def test_events_outside_the_identified_intents_are_not_sent(world: World) -> None:
    only_guilds = discord.Intents.none()
    only_guilds.guilds = True
    client = make_client(intents=only_guilds)
    async with running(client, world.fake.token):
        message = world.fake.push_message(world.news.id, "hi", author_id=world.alice.user.id)
        world.fake.push_reaction(message.id, user_id=world.alice.user.id)
        session = await world.fake.wait_until_ready()
        assert [frame["t"] for frame in session.backlog] == ["READY", "GUILD_CREATE"]


async def test_disallowed_privileged_intent_is_refused() -> None:
    async with FakeDiscord(privileged_intents=0) as server:
        server.add_guild()
        with point_discord_py_at(server):
            client = make_client(intents=intents(message_content=True))
            with pytest.raises(discord.PrivilegedIntentsRequired):
                await asyncio.wait_for(client.start(server.token), WAIT)
            await client.close()


async def test_bad_token_is_a_login_failure(world: World) -> None:
    client = make_client()
    with pytest.raises(discord.LoginFailure):
        await asyncio.wait_for(client.start("wrong-token"), WAIT)
    await client.close()
    assert world.fake.invalid_requests == 1


async def test_reactions_reach_raw_reaction_events(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        message = world.fake.push_message(world.news.id, "hi", author_id=world.alice.user.id)
        added = client.wait_for("raw_reaction_add", timeout=WAIT)
        world.fake.push_reaction(message.id, "👍", user_id=world.alice.user.id)
        event = await added
        assert (event.message_id, event.user_id) == (message.id, world.alice.user.id)
        assert str(event.emoji) == "👍"
        assert event.type is discord.ReactionType.normal and event.burst is False
        assert event.member is not None and event.member.id == world.alice.user.id

        removed = client.wait_for("raw_reaction_remove", timeout=WAIT)
        world.fake.push_reaction(message.id, "👍", user_id=world.alice.user.id, remove=True)
        assert (await removed).message_id == message.id
        assert world.fake.messages[message.id].reactions["👍"] == set()


async def test_forced_disconnect_resumes_and_replays_missed_events(world: World) -> None:
    client = make_client(intents=intents(message_content=True))
    async with running(client, world.fake.token):
        resumed = client.wait_for("resumed", timeout=WAIT)
        missed = client.wait_for("message", timeout=WAIT)
        assert world.fake.disconnect_gateway() == 1  # TCP drop, no close frame
        world.fake.push_message(world.news.id, "while you were away", author_id=world.alice.user.id)

        resume = await world.fake.wait_for_resume()
        assert resume.path == "/gateway-resume"  # discord.py resumes on resume_gateway_url
        assert resume.replayed == 1
        await resumed
        assert (await missed).content == "while you were away"
        assert len(world.fake.identifies) == 1  # no new session


async def test_reconnect_opcode_and_invalid_session(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        world.fake.send_reconnect()
        await world.fake.wait_for_resume()
        reidentified = client.wait_for("ready", timeout=WAIT)
        world.fake.invalidate_session(resumable=False)
        await world.fake.wait_for_identify(count=2)
        await reidentified
        assert client.guilds


# --------------------------------------------------------------------------- REST


async def test_nonce_with_enforce_nonce_posts_once(world: World) -> None:
    client = make_client(allowed_mentions=discord.AllowedMentions.none())
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        first = await channel.send(f"Hi <@{world.alice.user.id}>", nonce="delivery-42")
        second = await channel.send(f"Hi <@{world.alice.user.id}>", nonce="delivery-42")
        assert first.id == second.id
        stored = [m for m in world.fake.channel_messages(world.news.id) if m.author.id == world.fake.bot.id]
        assert [m.id for m in stored] == [first.id]
        assert stored[0].nonce == "delivery-42"
        assert stored[0].allowed_mentions == {"parse": []} and stored[0].mentions == []  # nobody pinged


async def test_nonce_longer_than_25_characters_is_invalid_form_body(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        with pytest.raises(discord.HTTPException) as raised:
            await text_channel(client, world.news).send("x", nonce="n" * 26)
        assert (raised.value.status, raised.value.code) == (400, 50035)


async def test_429_with_via_is_retried_transparently(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        world.fake.storm_429(2, route="create_message", retry_after=0.05)
        sent = await text_channel(client, world.news).send("after the storm")
        assert world.fake.calls["POST /channels/{channel_id}/messages"] == 3
        assert (await world.fake.wait_for_call("create_message", count=3)).status == 200
        assert [m.id for m in world.fake.channel_messages(world.news.id)] == [sent.id]


async def test_429_without_via_is_read_as_a_cloudflare_ban(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        world.fake.storm_429(1, cloudflare=True)
        with pytest.raises(discord.HTTPException) as raised:
            await text_channel(client, world.news).send("banned")
        assert raised.value.status == 429
        assert world.fake.channel_messages(world.news.id) == []


async def test_configured_rate_limit_is_honoured_by_discord_py(world: World) -> None:
    world.fake.rate_limits.enabled = True
    world.fake.rate_limits.routes["POST /channels/{channel_id}/messages"] = (2, 0.2)
    client = make_client()
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        await asyncio.gather(*(channel.send(f"m{i}") for i in range(4)))
        assert len(world.fake.channel_messages(world.news.id)) == 4
        statuses = [c.status for c in world.fake.call_log if c.name == "create_message"]
        assert statuses.count(200) == 4  # discord.py read the headers and waited instead of hitting 429s


async def test_wire_format_of_rate_limit_answers(world: World) -> None:
    world.fake.rate_limits.enabled = True
    world.fake.rate_limits.routes["POST /channels/{channel_id}/messages"] = (1, 60.0)
    url = f"{world.fake.api_base}/channels/{world.news.id}/messages"
    headers = {"Authorization": f"Bot {world.fake.token}"}
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"content": "one"}, headers=headers) as ok:
            assert ok.status == 200 and ok.headers["Content-Type"] == "application/json"
            assert ok.headers["X-RateLimit-Limit"] == "1" and ok.headers["X-RateLimit-Remaining"] == "0"
            assert {"X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"} <= set(ok.headers)
        async with http.post(url, json={"content": "two"}, headers=headers) as limited:
            assert limited.status == 429
            assert limited.headers["Content-Type"] == "application/json"
            assert limited.headers["Via"] and int(limited.headers["Retry-After"]) >= 1
            body = json.loads(await limited.text())
            assert body["message"] == "You are being rate limited." and body["global"] is False
            assert 0 < body["retry_after"] <= 60
        async with http.get(f"{world.fake.api_base}/users/@me") as unauthorized:
            assert unauthorized.status == 401


async def test_global_limit_spares_interaction_endpoints(world: World) -> None:
    world.fake.rate_limits.enabled = True
    world.fake.rate_limits.global_limit = 1
    world.fake.rate_limits.global_per = 60.0
    headers = {"Authorization": f"Bot {world.fake.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{world.fake.api_base}/channels/{world.news.id}") as first:
            assert first.status == 200
        async with http.get(f"{world.fake.api_base}/guilds/{world.guild.id}") as second:
            assert second.status == 429 and second.headers["X-RateLimit-Global"] == "true"
            assert second.headers["X-RateLimit-Scope"] == "global"
            assert json.loads(await second.text())["global"] is True
        url = f"{world.fake.api_base}/interactions/1/nope/callback"
        async with http.post(url, json={"type": 4}) as callback:
            assert callback.status == 404  # unknown interaction, but not globally limited


def test_point_discord_py_at_restores_the_real_addresses() -> None:
    server = FakeDiscord()
    server.base_url = "http://127.0.0.1:1234"
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with point_discord_py_at(server):
        assert discord.http.Route.BASE == "http://127.0.0.1:1234/api/v10"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:1234/gateway"
    after = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    assert after == before


async def test_errors_are_discord_shaped(world: World) -> None:
    hidden = world.fake.add_channel(world.guild.id, "staff")
    world.fake.set_permission_overwrite(
        hidden.id, world.guild.id, deny=discord.Permissions(view_channel=True).value
    )
    client = make_client()
    async with running(client, world.fake.token):
        with pytest.raises(discord.NotFound) as missing:
            await client.fetch_channel(123)
        assert missing.value.code == 10003 and missing.value.text == "Unknown Channel"
        with pytest.raises(discord.Forbidden) as forbidden:
            await text_channel(client, hidden).send("psst")
        assert forbidden.value.code == 50001 and forbidden.value.text == "Missing Access"


async def test_drop_after_commit_then_retry_with_same_nonce_returns_original(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        world.fake.drop_after_commit("create_message")
        # discord.py does not retry a dropped connection (only errno 54/10054, not Linux's 104).
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await channel.send("announcement", nonce="delivery-7")
        retried = await channel.send("announcement", nonce="delivery-7")
        assert [m.id for m in world.fake.channel_messages(world.news.id)] == [retried.id]

        world.fake.drop_next("create_message")  # dropped before Discord applied anything
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await channel.send("lost", nonce="delivery-8")
        assert [m.content for m in world.fake.channel_messages(world.news.id)] == ["announcement"]


async def test_injected_clock_drives_rate_limit_windows_and_the_nonce_window() -> None:
    now = [1000.0]
    limits = RateLimitConfig(enabled=True, routes={"POST /channels/{channel_id}/messages": (1, 10.0)})
    async with FakeDiscord(clock=lambda: now[0], rate_limits=limits, nonce_window=60.0) as server:
        channel = server.add_channel(server.add_guild().id, "news")
        url = f"{server.api_base}/channels/{channel.id}/messages"
        body = {"content": "hi", "nonce": "n-1", "enforce_nonce": True}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {server.token}"}) as http:

            async def post() -> tuple[int, str]:
                async with http.post(url, json=body) as response:
                    return response.status, response.headers["X-RateLimit-Reset-After"]

            assert await post() == (200, "10.000")
            assert await post() == (429, "10.000")
            now[0] += 10  # new window; the same nonce still returns the original
            assert await post() == (200, "10.000")
            assert len(server.channel_messages(channel.id)) == 1
            now[0] += 61  # past the nonce window: a new message
            assert (await post())[0] == 200
            assert len(server.channel_messages(channel.id)) == 2


@pytest.mark.parametrize("commit_first", [True, False])
async def test_slow_answer_times_out_and_a_nonce_retry_never_duplicates(
    world: World, commit_first: bool
) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        world.fake.delay_next("create_message", seconds=30, commit_first=commit_first)
        # discord.py sets no request timeout of its own (aiohttp's default is 5 minutes).
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(channel.send("slow", nonce="delivery-9"), 0.3)
        assert len(world.fake.channel_messages(world.news.id)) == (1 if commit_first else 0)
        await channel.send("slow", nonce="delivery-9")
        assert len(world.fake.channel_messages(world.news.id)) == 1


async def test_server_errors_500_retried_503_raised(world: World) -> None:
    client = make_client()
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        world.fake.fail_next("create_message", status=503)
        with pytest.raises(discord.DiscordServerError):  # 503 is not in discord.py's retry set
            await channel.send("a")
        world.fake.fail_next("POST /channels/{channel_id}/messages", status=500)
        await channel.send("b")  # retried after discord.py's own 1 s back-off
        assert [m.content for m in world.fake.channel_messages(world.news.id)] == ["b"]


async def test_history_edit_delete_and_thread_from_message(world: World) -> None:
    client = make_client(intents=intents(message_content=True))
    async with running(client, world.fake.token):
        channel = text_channel(client, world.news)
        sent = [await channel.send(f"m{i}") for i in range(3)]
        history = [m.id async for m in channel.history(limit=2)]
        assert history == [sent[2].id, sent[1].id]  # newest first
        assert [m.id async for m in channel.history(before=sent[2])] == [sent[1].id, sent[0].id]
        assert [m.id async for m in channel.history(after=sent[0], oldest_first=True)] == [
            sent[1].id,
            sent[2].id,
        ]

        await sent[0].edit(content="edited")
        await sent[1].delete()
        assert world.fake.messages[sent[0].id].edited and world.fake.messages[sent[1].id].deleted

        created = client.wait_for("thread_create", timeout=WAIT)
        thread = await sent[0].create_thread(name="Questions")
        assert thread.id == sent[0].id  # a thread started from a message has the message's id
        assert (await created).id == thread.id

        in_thread = client.wait_for("message", check=lambda m: m.channel.id == thread.id, timeout=WAIT)
        world.fake.push_message(thread.id, "How do I enable it?", author_id=world.alice.user.id)
        question = await in_thread
        assert isinstance(question.channel, discord.Thread) and question.content == "How do I enable it?"
        await question.channel.send("Like this.")
        assert world.fake.channel_messages(thread.id)[-1].content == "Like this."


async def test_channel_delete_and_guild_delete(world: World) -> None:
    other = world.fake.add_channel(world.guild.id, "other")
    client = make_client()
    async with running(client, world.fake.token):
        deleted = client.wait_for("guild_channel_delete", timeout=WAIT)
        world.fake.push_channel_delete(world.news.id)
        assert (await deleted).id == world.news.id
        with pytest.raises(discord.NotFound):
            await client.http.send_message(world.news.id, params=discord.http.handle_message_parameters("x"))

        removed = client.wait_for("guild_remove", timeout=WAIT)
        world.fake.push_guild_delete(world.guild.id)
        assert (await removed).id == world.guild.id
        with pytest.raises(discord.Forbidden) as forbidden:
            await client.http.send_message(other.id, params=discord.http.handle_message_parameters("x"))
        assert forbidden.value.code == 50001


async def test_guild_commands_carry_their_guild_id(world: World) -> None:
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    guild = discord.Object(world.guild.id)

    @tree.command(name="where", description="Guild-only command", guild=guild)
    async def where(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"in {interaction.guild_id}")

    async with running(client, world.fake.token):
        await tree.sync(guild=guild)
        assert [c["name"] for c in world.fake.commands[world.guild.id]] == ["where"]
        assert [c.name for c in await tree.fetch_commands(guild=guild)] == ["where"]
        interaction = world.fake.push_slash_command(
            "where", channel_id=world.news.id, user_id=world.alice.user.id
        )
        assert interaction.payload["data"]["guild_id"] == str(
            world.guild.id
        )  # the tree needs it to find the command
        response = await world.fake.interaction_response(interaction.id, WAIT)
        assert response["data"]["content"] == f"in {world.guild.id}"
        assert world.fake.channel_messages(world.news.id)[-1].content == f"in {world.guild.id}"


async def test_guild_lookups_and_joining_a_guild(world: World) -> None:
    admins = world.fake.add_role(world.guild.id, "Vendor admins", permissions=discord.Permissions.all().value)
    bob = world.fake.add_member(world.guild.id, "bob", roles=[admins.id])
    client = make_client()
    async with running(client, world.fake.token):
        guild = client.get_guild(world.guild.id)
        assert guild is not None
        member = await guild.fetch_member(bob.user.id)
        assert [r.id for r in member.roles if not r.is_default()] == [admins.id]
        assert {r.name for r in await guild.fetch_roles()} >= {"@everyone", "Vendor admins"}
        assert (await client.fetch_guild(world.guild.id)).name == "Partners"

        second = world.fake.add_guild("Second partner")
        world.fake.add_channel(second.id, "general")
        joined = client.wait_for("guild_join", timeout=WAIT)
        world.fake.push_guild_create(second.id)
        assert (await joined).id == second.id

        thread_made = client.wait_for("thread_create", timeout=WAIT)
        started = world.fake.push_message(world.news.id, "thread me", author_id=bob.user.id)
        world.fake.push_thread_create(
            world.news.id, "Discussion", owner_id=bob.user.id, message_id=started.id
        )
        assert (await thread_made).id == started.id


# --------------------------------------------------------------------------- interactions


class AskView(discord.ui.View):
    """A persistent view: no timeout and a fixed custom_id, so it works after a restart."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Ask a question", custom_id="partnerbot:ask")
    async def ask(self, interaction: discord.Interaction, _button: discord.ui.Button[AskView]) -> None:
        await interaction.response.send_modal(AskModal())

    @discord.ui.button(label="Helpful", custom_id="partnerbot:helpful")
    async def helpful(self, interaction: discord.Interaction, _button: discord.ui.Button[AskView]) -> None:
        await interaction.response.edit_message(content="Announcement (1 found this helpful)")  # type 7

    @discord.ui.button(label="Mute this topic", custom_id="partnerbot:mute")
    async def mute(self, interaction: discord.Interaction, _button: discord.ui.Button[AskView]) -> None:
        await interaction.response.defer()  # type 6, then PATCH @original edits the announcement
        await interaction.edit_original_response(content="Announcement (muted)")


class AskModal(discord.ui.Modal, title="Ask a question"):
    question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(label="Question", custom_id="question")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Got: {self.question.value}", ephemeral=True)


def build_bot() -> tuple[discord.Client, app_commands.CommandTree[discord.Client]]:
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    partner = app_commands.Group(name="partner", description="Partner commands")
    topics = app_commands.Group(name="topics", description="Topics", parent=partner)

    @tree.command(name="ping", description="Is the bot alive?")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    async def topic_choices(
        _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["security", "pricing", "roadmap"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @topics.command(name="subscribe", description="Subscribe to a topic")
    @app_commands.autocomplete(topic=topic_choices)
    async def subscribe(interaction: discord.Interaction, topic: str, channel: discord.TextChannel) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"{channel.name} subscribed to {topic}", ephemeral=True)
        await interaction.followup.send("anything else?", ephemeral=True)

    @tree.context_menu(name="Broadcast to partners")
    async def broadcast(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"broadcast: {message.content}", ephemeral=True)

    @tree.command(name="announce", description="Post an announcement")
    async def announce(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Announcement", view=AskView())

    tree.add_command(partner)
    client.setup_hook = lambda: setup(client, tree)  # type: ignore[method-assign]
    return client, tree


async def setup(client: discord.Client, tree: app_commands.CommandTree[discord.Client]) -> None:
    client.add_view(AskView())
    await tree.sync()


async def test_slash_command_is_answered_through_the_callback_endpoint(world: World) -> None:
    client, _tree = build_bot()
    async with running(client, world.fake.token):
        assert {c["name"] for c in world.fake.commands[None]} == {
            "ping",
            "partner",
            "Broadcast to partners",
            "announce",
        }
        interaction = world.fake.push_slash_command(
            "ping", channel_id=world.news.id, user_id=world.alice.user.id
        )
        response = await world.fake.interaction_response(interaction.id, WAIT)
        assert response == {"type": 4, "data": {"tts": False, "content": "pong", "flags": 64}}
        assert world.fake.channel_messages(world.news.id) == []  # ephemeral replies are not in the channel


async def test_subcommand_group_autocomplete_defer_and_followups(world: World) -> None:
    client, _tree = build_bot()
    async with running(client, world.fake.token):
        fake, user = world.fake, world.alice.user.id
        typing = fake.push_autocomplete(
            "partner topics subscribe",
            {"topic": "se"},
            focused="topic",
            channel_id=world.news.id,
            user_id=user,
        )
        choices = await fake.interaction_response(typing.id, WAIT)
        assert choices == {"type": 8, "data": {"choices": [{"name": "security", "value": "security"}]}}

        invoked = fake.push_slash_command(
            "partner topics subscribe",
            {"topic": "security", "channel": world.news.id},
            channel_id=world.news.id,
            user_id=user,
        )
        assert (await fake.interaction_response(invoked.id, WAIT))["type"] == 5
        await fake.wait_for(lambda: len(invoked.followup_ids) == 1, WAIT)
        original = fake.messages[invoked.original_message_id or 0]
        # The first followup after a defer replaced the "thinking" message; the second is new.
        assert original.content == "news subscribed to security" and original.ephemeral
        assert not original.flags & MessageFlag.LOADING
        assert fake.messages[invoked.followup_ids[0]].content == "anything else?"


async def test_message_context_menu_receives_the_target_message(world: World) -> None:
    client, _tree = build_bot()
    async with running(client, world.fake.token):
        source = world.fake.push_message(world.news.id, "Big news!", author_id=world.alice.user.id)
        interaction = world.fake.push_message_command(
            "Broadcast to partners", source.id, user_id=world.alice.user.id
        )
        response = await world.fake.interaction_response(interaction.id, WAIT)
        assert response["data"]["content"] == "broadcast: Big news!"  # target content despite no intent


async def test_persistent_button_opens_modal_and_submit_is_answered(world: World) -> None:
    client, _tree = build_bot()
    async with running(client, world.fake.token):
        announce = world.fake.push_slash_command(
            "announce", channel_id=world.news.id, user_id=world.alice.user.id
        )
        await world.fake.interaction_response(announce.id, WAIT)
        posted = await world.fake.wait_for_message(world.news.id)
        assert posted.id == announce.original_message_id and posted.components

    restarted, _tree = build_bot()  # a new client process: the persistent view is registered at start-up
    async with running(restarted, world.fake.token):
        press = world.fake.push_component(posted.id, "partnerbot:ask", user_id=world.alice.user.id)
        modal = await world.fake.interaction_response(press.id, WAIT)
        assert modal["type"] == 9 and modal["data"]["custom_id"]
        submit = world.fake.push_modal_submit(press.id, {"question": "Does it scale?"})
        answer = await world.fake.interaction_response(submit.id, WAIT)
        assert answer["data"]["content"] == "Got: Does it scale?"

        helpful = world.fake.push_component(posted.id, "partnerbot:helpful", user_id=world.alice.user.id)
        assert (await world.fake.interaction_response(helpful.id, WAIT))["type"] == 7
        assert world.fake.messages[posted.id].content == "Announcement (1 found this helpful)"

        mute = world.fake.push_component(posted.id, "partnerbot:mute", user_id=world.alice.user.id)
        assert (await world.fake.interaction_response(mute.id, WAIT))["type"] == 6
        await world.fake.wait_for_call("edit_original_interaction_response")
        assert world.fake.messages[posted.id].content == "Announcement (muted)"


async def test_unregistered_command_cannot_be_invoked(world: World) -> None:
    with pytest.raises(LookupError):
        world.fake.push_slash_command("nope", channel_id=world.news.id, user_id=world.alice.user.id)


async def test_interaction_responses_and_followups_take_files_as_discord_does(world: World) -> None:
    """Multipart `payload_json` + `files[n]` on the callback and on a follow-up (after a defer, the
    follow-up replacing the "thinking" message): the files become the message's attachments and an
    embed's `attachment://` image resolves to the uploaded file; over the size limit, 413."""
    client = make_client()
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    failures: list[int] = []

    def shot() -> tuple[discord.File, discord.Embed]:
        embed = discord.Embed(title="Shot").set_image(url="attachment://shot.png")
        return discord.File(io.BytesIO(png), filename="shot.png"), embed

    @tree.command(name="now", description="Answer with a file")
    async def now(interaction: discord.Interaction) -> None:
        file, embed = shot()
        await interaction.response.send_message("here", file=file, embed=embed, ephemeral=True)

    @tree.command(name="later", description="Defer, then follow up with a file")
    async def later(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        file, embed = shot()
        await interaction.followup.send("here", file=file, embed=embed)
        try:
            big = discord.File(io.BytesIO(bytes(11 * 1024 * 1024)), filename="big.bin")
            await interaction.followup.send("too big", file=big)
        except discord.HTTPException as exc:
            failures.append(exc.status)

    async def sync() -> None:
        await tree.sync()

    client.setup_hook = sync  # type: ignore[method-assign]
    async with running(client, world.fake.token):
        fake = world.fake
        for name in ("now", "later"):
            invoked = fake.push_slash_command(name, channel_id=world.news.id, user_id=world.alice.user.id)
            await fake.interaction_response(invoked.id, WAIT)
            await fake.wait_for(lambda i=invoked: i.original_message_id is not None, WAIT)
            if name == "later":
                await fake.wait_for(lambda: failures != [], WAIT)
            message = fake.messages[invoked.original_message_id or 0]
            [attachment] = message.attachments
            assert attachment["filename"] == "shot.png"
            assert fake.attachment_bytes[int(attachment["id"])] == png
            assert message.embeds[0]["image"]["url"] == attachment["url"] and message.ephemeral
        assert failures == [413]
