"""A vendor server and partner servers on the fake Discord, with partnerbot's real Discord adapter.

    async with discord_world(sqlite_url) as w:
        await w.subscribe(w.acme, "security")
        reply = await w.slash("partner list", channel=w.acme.channel, user=w.acme.manager)

Everything goes over loopback through the real discord.py client: the adapter points itself at the
fake with PARTNERBOT_DISCORD_API_URL / _GATEWAY_URL (settings), exactly as in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.client import DiscordAdapter
from adapters.discord.handlers import DiscordOptions
from bot.app import App, build_app, discord_adapter
from bot.config import Settings
from bot.domain import Channel as ChannelRow
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from bot.services.delivery import RetryPolicy
from tests.fakes.discord import Channel, FakeDiscord, Guild, Interaction, Member, Message

# How long a wait for an event may take before the test fails: a failure detector, not a speed
# target (every wait ends on its event, long before this when all is well; a loaded CI machine
# has taken over 5 s).
WAIT = 20.0
MANAGE_CHANNELS = discord.Permissions(manage_channels=True).value
OPTIONS = DiscordOptions(
    guild_ready_timeout=0.05, skip_identify_wait=True, send_timeout=2.0, ready_timeout=10
)


@dataclass
class PartnerSpace:
    """A partner's own server: a channel for partnerbot, a manager (Manage Channels) and a member."""

    name: str
    guild: Guild
    channel: Channel
    manager: Member
    member: Member


@dataclass
class DiscordWorld:
    fake: FakeDiscord
    app: App
    adapter: DiscordAdapter
    vendor: Guild
    admin_channel: Channel
    lounge: Channel  # another channel of the vendor's server, not an admin channel
    admin: Member  # named in PARTNERBOT_ADMIN_USERS
    role_admin: Member  # holds the admin role named in PARTNERBOT_ADMIN_GROUPS
    staff: Member  # in the vendor's server, not an admin
    partners: dict[str, PartnerSpace] = field(default_factory=dict)

    @property
    def acme(self) -> PartnerSpace:
        return self.partners["acme"]

    # --- interactions ---------------------------------------------------------------------

    async def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: Channel,
        user: Member,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """Run a slash command (from a Discord client set to `locale`); the bot's first answer (type 4,
        or 5 followed by the followup)."""
        interaction = self.fake.push_slash_command(
            command, options, channel_id=channel.id, user_id=user.user.id, locale=locale
        )
        return await self.answer(interaction)

    async def answer(self, interaction: Interaction) -> dict[str, Any]:
        """The interaction's visible answer: the callback data, or the first followup after a defer."""
        response = await self.fake.interaction_response(interaction.id, WAIT)
        if response["type"] != 5:
            return response
        await self.fake.wait_for(
            lambda: not self.fake.messages[interaction.original_message_id or 0].flags & 128, WAIT
        )
        message = self.fake.messages[interaction.original_message_id or 0]
        return {"type": 4, "data": {"content": message.content, "flags": message.flags}}

    async def followups(self, interaction: Interaction, count: int) -> list[Message]:
        await self.fake.wait_for(lambda: len(interaction.followup_ids) >= count, WAIT)
        return [self.fake.messages[i] for i in interaction.followup_ids]

    # --- partner set-up through the real commands -------------------------------------------

    async def add_topic(self, slug: str, title: str) -> None:
        response = await self.slash(
            "partner-admin topic add",
            {"slug": slug, "title": title},
            channel=self.admin_channel,
            user=self.admin,
        )
        assert "added" in response["data"]["content"], response

    async def link(self, space: PartnerSpace, *, tier: str, region: str = "emea") -> None:
        invite = await self.slash(
            "partner-admin invite",
            {"partner": space.name, "tier": tier, "region": region, "type": "reseller"},
            channel=self.admin_channel,
            user=self.admin,
        )
        code = invite["data"]["content"].split("`")[1]
        joined = await self.slash("partner join", {"code": code}, channel=space.channel, user=space.manager)
        assert "linked" in joined["data"]["content"], joined

    async def subscribe(self, space: PartnerSpace, topics: str) -> dict[str, Any]:
        """/partner subscribe, linking the space's channel to a partner of its own first (through the
        roster, as `partners import` does) unless `link` did: only linked channels may subscribe."""
        ref = ChannelRef(Platform.DISCORD, str(space.guild.id), str(space.channel.id))
        known = await self.app.stores.directory.channel(ref)
        if known is None or known.partner_id is None:
            profile = PartnerProfile(name=space.name, tier="registered", type="reseller", region="emea")
            await self.app.stores.directory.import_rows(
                [ImportRow(1, profile, ref)], now=self.app.clock.now()
            )
        return await self.slash(
            "partner subscribe", {"topics": topics}, channel=space.channel, user=space.manager
        )

    async def broadcast(self, topics: str, title: str, body: str, **audience: Any) -> int:
        """/partner-admin broadcast by the admin; the draft's id from its preview."""
        options = {"topics": topics, "title": title, "body": body, **audience}
        preview = await self.slash(
            "partner-admin broadcast", options, channel=self.admin_channel, user=self.admin
        )
        found = re.search(r"announcement #([0-9]+)", preview["data"]["content"])
        assert found, preview
        return int(found.group(1))

    async def send(self, announcement_id: int) -> None:
        sent = await self.slash(
            "partner-admin send",
            {"announcement": announcement_id},
            channel=self.admin_channel,
            user=self.admin,
        )
        assert "Sending announcement" in sent["data"]["content"], sent

    async def delivered(self, announcement_id: int, count: int) -> None:
        """Wait until the worker has recorded `count` deliveries of the announcement as sent."""

        async def done() -> bool:
            stats = await self.app.stores.stats.announcement(announcement_id)
            return stats is not None and stats.delivered >= count

        await eventually(done)

    async def wait_posts(self, channel: Channel, count: int = 1) -> list[Message]:
        return await self.wait_posts_in(channel.id, count)

    async def wait_posts_in(self, channel_id: int, count: int = 1) -> list[Message]:
        await self.fake.wait_for(lambda: len(self.bot_posts_in(channel_id)) >= count, WAIT)
        return self.bot_posts_in(channel_id)

    # --- observing ------------------------------------------------------------------------

    def bot_posts(self, channel: Channel) -> list[Message]:
        """What the bot posted publicly in a channel (no interaction answers)."""
        return self.bot_posts_in(channel.id)

    def bot_posts_in(self, channel_id: int) -> list[Message]:
        """The same for a channel or thread id (a thread under a message has the message's id)."""
        return [
            m
            for m in self.fake.channel_messages(channel_id)
            if m.author.id == self.fake.bot.id and m.interaction_metadata is None
        ]

    async def channel_row(self, channel: Channel, guild: Guild) -> ChannelRow | None:
        ref = ChannelRef(Platform.DISCORD, str(guild.id), str(channel.id))
        return await self.app.stores.directory.channel(ref)

    async def restart(self) -> DiscordAdapter:
        """Stop the Discord client and start a new one (a process restart, as far as Discord knows)."""
        await self.adapter.stop()
        self.adapter = discord_adapter(self.app, OPTIONS)
        self.app.worker.add_sender(Platform.DISCORD, self.adapter.sender)
        await self.adapter.start()
        return self.adapter


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:
    """Poll a condition on the database until it holds (or fail): for state the fake cannot see."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.02)


# The names discord.py gives the tasks it runs handlers in: an event's listeners, a slash command, a
# press on a view's item, a form's submission, a press matched by a dynamic item (discord.py 2.x).
HANDLER_TASKS = (
    "discord.py: ",
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-modal-dispatch-",
    "discord-ui-dynamic-item-",
)


async def handlers_settled(timeout: float = WAIT) -> None:
    """Wait until every handler discord.py has started has finished. The gateway delivers in order,
    so once the answer to a later command is back (`world.slash`), every earlier dispatch has been
    read and its handler started: this then waits for those still working."""
    me = asyncio.current_task()
    running = {t for t in asyncio.all_tasks() if t is not me and t.get_name().startswith(HANDLER_TASKS)}
    if running:
        _, still = await asyncio.wait(running, timeout=timeout)
        assert not still, f"handlers still running after {timeout:.0f} s: {[t.get_name() for t in still]}"


def _partner(fake: FakeDiscord, name: str) -> PartnerSpace:
    guild = fake.add_guild(f"{name.title()} Partners")
    channel = fake.add_channel(guild.id, "vendor-news")
    managers = fake.add_role(guild.id, "Channel managers", permissions=MANAGE_CHANNELS)
    manager = fake.add_member(guild.id, f"{name}-manager", roles=[managers.id])
    member = fake.add_member(guild.id, f"{name}-member")
    return PartnerSpace(name, guild, channel, manager, member)


@contextlib.asynccontextmanager
async def discord_world(
    database_url: str,
    *,
    partners: tuple[str, ...] = ("acme", "globex"),
    options: DiscordOptions = OPTIONS,
    fake_options: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AsyncIterator[DiscordWorld]:
    async with FakeDiscord(heartbeat_interval_ms=500, **(fake_options or {})) as fake:
        vendor = fake.add_guild("Vendor")
        admin_channel = fake.add_channel(vendor.id, "partner-admin")
        lounge = fake.add_channel(vendor.id, "lounge")
        admin_role = fake.add_role(vendor.id, "Partner team")
        admin = fake.add_member(vendor.id, "alice")
        role_admin = fake.add_member(vendor.id, "rita", roles=[admin_role.id])
        staff = fake.add_member(vendor.id, "sam")
        spaces = {name: _partner(fake, name) for name in partners}
        configured = Settings(
            _env_file=None,
            database_url=database_url,
            discord_token=fake.token,
            discord_api_url=fake.api_base,
            discord_gateway_url=fake.gateway_url,
            admin_channels=(f"discord:{admin_channel.id}",),
            admin_users=(f"discord:{admin.user.id}",),
            admin_groups=(f"discord:{admin_role.id}",),
            poll_seconds=0.05,
            progress_messages=False,  # a post per broadcast; tests of it turn it on
            **(settings or {}),
        )
        retry = RetryPolicy(max_attempts=8, initial=0.05, cap=0.5)
        app = await build_app(configured, retry=retry, run_migrations=False)
        adapter = discord_adapter(app, options)
        app.worker.add_sender(Platform.DISCORD, adapter.sender)
        world = DiscordWorld(
            fake, app, adapter, vendor, admin_channel, lounge, admin, role_admin, staff, spaces
        )
        try:
            await adapter.start()
            app.start_background()
            yield world
        finally:
            await world.adapter.stop()
            await app.close()
        assert fake.internal_errors == []
        assert fake.unknown_routes == []
