"""Discord for a delivery-only process (`partnerbot worker`): REST only, no gateway session.

A worker needs no gateway: it logs in over REST (which also tells the Sender the bot's own user id,
used to recognise its earlier messages) and posts through discord.py's HTTP client, whose per-route
buckets it keeps. Events keep arriving at the `partnerbot run` process that holds the gateway.
"""

from __future__ import annotations

from collections.abc import Callable

import discord

from adapters.discord.client import MAX_RATELIMIT_WAIT, point_endpoints
from adapters.discord.sender import DiscordSender
from adapters.discord.settings import DiscordSettings
from bot.domain import Platform
from bot.ports import FileStore, Sender


class DiscordDelivery:
    platform = Platform.DISCORD

    def __init__(self, settings: DiscordSettings, *, files: FileStore | None = None) -> None:
        self._settings = settings
        self._client = discord.Client(
            intents=discord.Intents.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
        )
        self.sender: Sender = DiscordSender(self._client, timeout=settings.discord_send_timeout, files=files)
        self._restore: Callable[[], None] | None = None

    async def start(self) -> None:
        settings = self._settings
        self._restore = point_endpoints(settings.discord_api_url, settings.discord_gateway_url)
        try:
            await self._client.login(settings.discord_token)
        except BaseException:
            await self.stop()
            raise

    @property
    def not_ready(self) -> str | None:
        """None once logged in to REST (a delivery-only worker opens no gateway); for /readyz."""
        if self._restore is None or self._client.is_closed():
            return "not logged in"
        return None

    async def stop(self) -> None:
        await self._client.close()
        if self._restore is not None:
            self._restore()
            self._restore = None


def build_discord_delivery(settings: DiscordSettings, *, files: FileStore | None = None) -> DiscordDelivery:
    return DiscordDelivery(settings, files=files)
