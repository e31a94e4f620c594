"""The Discord adapter's wiring: a shard-ready discord.py client in partnerbot's event loop.

`build_discord_adapter(...)` is what the composition root (bot/app.py) calls when `DISCORD_TOKEN` is set.
Gateway intents are only what the features need: GUILDS (servers, channels, threads, removals),
GUILD_MESSAGES (@mentions and thread replies), GUILD_MESSAGE_REACTIONS (reactions on announcements),
plus the privileged MESSAGE_CONTENT only when PARTNERBOT_DISCORD_MESSAGE_CONTENT says it is granted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.admin import DiscordHandlers
from adapters.discord.commands import build_tree
from adapters.discord.edge import Known, guard_parsers, parse_json_as_discord_sends_it
from adapters.discord.handlers import DiscordOptions
from adapters.discord.i18n import CatalogTranslator
from adapters.discord.sender import DiscordSender
from adapters.discord.settings import DiscordSettings
from adapters.discord.sync import sync_commands
from adapters.discord.translation_form import TranslationSelect
from adapters.discord.views import AnnouncementView, CoreButton, CtaButton, PreviewSelect
from bot.attachments import MIB
from bot.command_sync import CommandSyncStore
from bot.core import PartnerBot
from bot.domain import Platform
from bot.ports import Clock, FileStore, Sender
from bot.settings import Admins

log = logging.getLogger(__name__)


class SyncRefused(Exception):
    """Discord refused the token (`token`) or the command sync itself; the text is Discord's."""

    def __init__(self, message: str, *, token: bool) -> None:
        super().__init__(message)
        self.token = token


# Above it, discord.py raises RateLimited instead of sleeping inside the call (30 is its minimum).
MAX_RATELIMIT_WAIT = 30.0


def gateway_intents(*, message_content: bool) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.message_content = message_content
    return intents


class PartnerbotClient(discord.AutoShardedClient):
    """An AutoShardedClient whose events go to the partnerbot handlers."""

    def __init__(
        self, handlers: DiscordHandlers, *, options: DiscordOptions, setup: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(
            intents=gateway_intents(message_content=options.message_content),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            guild_ready_timeout=options.guild_ready_timeout,
        )
        self.handlers = handlers
        handlers.client = self
        self.tree, self.admin_commands = build_tree(self, handlers)
        self.use_gateway_override = False
        self._options = options
        self._setup = setup
        # No dispatch payload may raise inside discord.py's gateway loop (adapters/discord/edge.py).
        parse_json_as_discord_sends_it()
        guard_parsers(self._connection.parsers, self._known)

    def _known(self) -> Known:
        # discord.py keeps the open modals in its view store, which has no public accessor.
        modals = getattr(getattr(self._connection, "_view_store", None), "_modals", None)
        return Known(modals=modals if isinstance(modals, dict) else None)

    async def setup_hook(self) -> None:
        # Persistent components: registered before any interaction can arrive.
        self.add_view(AnnouncementView())
        self.add_dynamic_items(CoreButton, CtaButton, PreviewSelect, TranslationSelect)
        # Command descriptions in each Discord client's language, from the partner catalogs.
        await self.tree.set_translator(CatalogTranslator())
        await self._setup()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not self._options.skip_identify_wait:
            await super().before_identify_hook(shard_id, initial=initial)

    async def launch_shards(self) -> None:
        # AutoShardedClient connects to the URL GET /gateway/bot returns; an explicit gateway URL
        # (a proxy, the tests' fake) must win, so only the shard count is taken from there.
        if self.use_gateway_override and self.shard_count is None:
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()
        await super().launch_shards()

    async def on_message(self, message: discord.Message) -> None:
        await self.handlers.on_message(message)

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self.handlers.on_reaction(event, added=True)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        await self.handlers.on_reaction(event, added=False)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.handlers.on_guild_remove(guild)

    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.handlers.on_channel_delete(channel)


class DiscordAdapter:
    """`PlatformAdapter` for Discord: `start()` returns once the gateway is READY."""

    platform = Platform.DISCORD

    def __init__(
        self,
        bot: PartnerBot,
        settings: DiscordSettings,
        *,
        admins: Admins,
        command_sync: CommandSyncStore,
        clock: Clock,
        options: DiscordOptions | None = None,
        files: FileStore | None = None,
    ) -> None:
        self.settings = settings
        self.admins = admins
        self.options = options or DiscordOptions()
        self._command_sync = command_sync
        self._clock = clock
        self.handlers = DiscordHandlers(bot, admins, self.options, files=files)
        self.client = PartnerbotClient(self.handlers, options=self.options, setup=self._setup)
        # Typed as the port: PlatformAdapter.sender is a mutable protocol member, hence invariant.
        self.sender: Sender = DiscordSender(
            self.client, timeout=self.options.send_timeout, recent=self.handlers.recent, files=files
        )
        self.synced: list[str] = []  # command scopes pushed to Discord by the last start or sync
        self._force_sync = False
        self._task: asyncio.Task[None] | None = None
        self._restore: Callable[[], None] | None = None

    async def start(self) -> None:
        settings = self.settings
        self._restore = point_endpoints(settings.discord_api_url, settings.discord_gateway_url)
        self.client.use_gateway_override = bool(settings.discord_gateway_url)
        try:
            await self.client.login(settings.discord_token)  # runs setup_hook: views, command sync
        except BaseException:
            await self.stop()
            raise
        self._task = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._task, ready}, timeout=self.options.ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            failure = self._task.exception() if self._task in done else None
            await self.stop()
            if failure is not None:
                raise failure
            raise TimeoutError(f"Discord gateway not ready after {self.options.ready_timeout:.0f} s")

    @property
    def not_ready(self) -> str | None:
        """None while the gateway session is up; else why not (for /readyz)."""
        if self.client.is_closed() or not self.client.is_ready():
            return "gateway not connected"
        # After READY, a dropped session shows on its shard (discord.py reconnects it by itself).
        down = sorted(shard_id for shard_id, shard in self.client.shards.items() if shard.is_closed())
        return f"gateway shard {down[0]} disconnected" if down else None

    async def stop(self) -> None:
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 10)
        if self._restore is not None:
            self._restore()
            self._restore = None

    async def sync_commands(self, *, force: bool = True) -> list[str]:
        """Log in over REST only (no gateway) and sync the application commands.

        Raises SyncRefused when Discord refuses the token or the sync, so callers (the CLI) need not
        know discord.py's exception types."""
        self._force_sync = force
        settings = self.settings
        self._restore = point_endpoints(settings.discord_api_url, settings.discord_gateway_url)
        try:
            await self.client.login(settings.discord_token)
        except discord.LoginFailure as exc:
            raise SyncRefused(str(exc), token=True) from exc
        except discord.HTTPException as exc:
            raise SyncRefused(str(exc), token=False) from exc
        finally:
            await self.stop()
        return self.synced

    async def _setup(self) -> None:
        guilds = await self._admin_guilds()
        if guilds:
            for command in self.client.admin_commands:
                self.client.tree.add_command(command, guilds=[discord.Object(g) for g in guilds])
        try:
            self.synced = await sync_commands(
                self.client.tree,
                self._command_sync,
                application_id=self.client.application_id or 0,
                guild_ids=guilds,
                force=self._force_sync,
                now=self._clock.now(),
            )
        except discord.HTTPException:
            if self._force_sync:
                raise
            log.exception("syncing Discord application commands failed; the previous ones stay")
        if self.synced:
            log.info("Discord application commands synced: %s", ", ".join(self.synced))

    async def _admin_guilds(self) -> list[int]:
        """The servers that hold a Discord admin channel: where /partner-admin is registered."""
        guilds: set[int] = set()
        for channel_id in self.admins.channels_on(Platform.DISCORD):
            if not channel_id.isdigit():
                continue
            try:
                channel = await self.client.http.get_channel(int(channel_id))
            except discord.HTTPException as exc:
                log.warning("admin channel %s is not reachable for partnerbot: %s", channel_id, exc)
                continue
            guild_id = channel.get("guild_id")
            if isinstance(guild_id, str | int):
                guilds.add(int(guild_id))
        return sorted(guilds)


def point_endpoints(api_url: str, gateway_url: str) -> Callable[[], None]:
    """PARTNERBOT_DISCORD_API_URL / _GATEWAY_URL: discord.py has no per-client option, only these
    class attributes (REST base, which also serves interaction callbacks; built-in gateway address).
    Returns a function that puts the previous values back."""
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if api_url:
        base = api_url.rstrip("/")
        discord.http.Route.BASE = base if re.search(r"/api/v[0-9]+$", base) else base + "/api/v10"
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def restore() -> None:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    return restore


def options_from(settings: DiscordSettings) -> DiscordOptions:
    """The adapter's options from its settings (PARTNERBOT_DISCORD_*)."""
    permission: str | None = settings.discord_subscribe_permission.strip().lower()
    if permission in ("", "none", "anyone"):
        permission = None
    elif permission not in discord.Permissions.VALID_FLAGS:
        # A typo here must stop the start-up (`partnerbot run` prints it and exits 2), not silently
        # fall back to another permission than the operator asked for.
        raise ValueError(
            f"PARTNERBOT_DISCORD_SUBSCRIBE_PERMISSION={settings.discord_subscribe_permission!r} is not a "
            "Discord permission name (e.g. manage_channels, manage_guild, or none)"
        )
    return DiscordOptions(
        message_content=settings.discord_message_content,
        subscribe_permission=permission,
        send_timeout=settings.discord_send_timeout,
        max_file=int(settings.discord_max_file_mb * MIB),
    )


def build_discord_adapter(
    bot: PartnerBot,
    settings: DiscordSettings,
    *,
    admins: Admins,
    command_sync: CommandSyncStore,
    clock: Clock,
    options: DiscordOptions | None = None,
    files: FileStore | None = None,
) -> DiscordAdapter:
    """The adapter; without `options`, they come from `settings` (PARTNERBOT_DISCORD_*). `files`:
    where announcements' attachments are read from (posts with files are refused without it)."""
    return DiscordAdapter(
        bot,
        settings,
        admins=admins,
        command_sync=command_sync,
        clock=clock,
        options=options or options_from(settings),
        files=files,
    )
