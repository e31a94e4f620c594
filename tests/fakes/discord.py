"""A fake Discord (REST API v10 + gateway) on 127.0.0.1 for tests that drive the real discord.py client.

    async with FakeDiscord(heartbeat_interval_ms=250) as fake:
        guild = fake.add_guild("Partners")
        news = fake.add_channel(guild.id, "news")
        alice = fake.add_member(guild.id, "alice")
        with point_discord_py_at(fake):
            client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
            task = asyncio.create_task(client.start(fake.token))
            await asyncio.wait_for(client.wait_until_ready(), 5)
            fake.push_message(news.id, "hello", author_id=alice.user.id)
            ...
            await client.close()

The implementation is split between ``discord_rest.py`` (state, REST routes, rate limits, faults,
interaction endpoints) and ``discord_gateway.py`` (WebSocket protocol and the ``push_*`` helpers).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

import discord.gateway
import discord.http
import yarl
from aiohttp import web

from .discord_gateway import (
    CloseCode,
    FakeDiscordGateway,
    GatewayConnection,
    GatewaySession,
    IdentifyRecord,
    Op,
    ResumeRecord,
)
from .discord_rest import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    PRIVILEGED_INTENTS,
    ApiError,
    Channel,
    ChannelType,
    Clock,
    DiscordError,
    Guild,
    Intent,
    Interaction,
    Json,
    Member,
    Message,
    MessageFlag,
    Permission,
    RateLimitConfig,
    RestCall,
    Role,
    User,
)


class FakeDiscord(FakeDiscordGateway):
    """Fake Discord server. Build state with ``add_*``, make things happen with ``push_*``, inject
    faults with ``fail_next``/``storm_429``/``delay_next``/``drop_next``/``drop_after_commit``,
    control the gateway with ``disconnect_gateway``/``send_reconnect``/``invalidate_session``."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "partnerbot",
        bot_id: int | None = None,
        application_id: int | None = None,
        heartbeat_interval_ms: int = 41_250,
        privileged_intents: int = PRIVILEGED_INTENTS,
        shard_count: int = 1,
        rate_limits: RateLimitConfig | None = None,
        clock: Clock = time.monotonic,
        nonce_window: float = 300.0,
        interaction_ack_timeout: float = 3.0,
        interaction_token_ttl: float = 900.0,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(
            token=token,
            bot_name=bot_name,
            bot_id=bot_id,
            application_id=application_id,
            heartbeat_interval_ms=heartbeat_interval_ms,
            privileged_intents=privileged_intents,
            shard_count=shard_count,
            rate_limits=rate_limits,
            clock=clock,
            nonce_window=nonce_window,
            interaction_ack_timeout=interaction_ack_timeout,
            interaction_token_ttl=interaction_token_ttl,
        )
        self.host = host
        self._runner: web.AppRunner | None = None

    # ---- lifecycle

    async def start(self) -> None:
        app = web.Application()
        self.add_rest_routes(app)
        self.add_gateway_routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0).start()
        _host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{self.host}:{port}"

    async def stop(self) -> None:
        self._stopping.set()
        for conn in self.live_connections():
            self.cut(conn)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ---- waiting (all raise TimeoutError)

    async def wait_for_identify(self, timeout: float = 5.0, *, count: int = 1) -> IdentifyRecord:
        """The ``count``-th IDENTIFY received (accepted or not)."""
        await self.wait_for(lambda: len(self.identifies) >= count, timeout)
        return self.identifies[count - 1]

    async def wait_until_ready(self, timeout: float = 5.0) -> GatewaySession:
        """A session got READY and its GUILD_CREATEs (discord.py fires on_ready only after its
        ``guild_ready_timeout``; wait on the client for that)."""
        await self.wait_for(
            lambda: any(s.ready_sent and not s.invalidated for s in self.sessions.values()), timeout
        )
        return next(s for s in reversed(list(self.sessions.values())) if s.ready_sent and not s.invalidated)

    async def wait_for_resume(self, timeout: float = 5.0, *, count: int = 1) -> ResumeRecord:
        """The ``count``-th accepted RESUME."""
        await self.wait_for(lambda: sum(r.accepted for r in self.resumes) >= count, timeout)
        return [r for r in self.resumes if r.accepted][count - 1]

    async def wait_for_heartbeat_ack(self, timeout: float = 5.0, *, count: int = 1) -> None:
        await self.wait_for(lambda: self.heartbeat_acks >= count, timeout)

    async def interaction_response(self, interaction_id: int, timeout: float = 5.0) -> Json:
        """The bot's first callback (``{"type": 4, "data": {...}}``) for the interaction."""
        interaction = self.interactions[interaction_id]
        await self.wait_for(lambda: bool(interaction.callbacks), timeout)
        return interaction.callbacks[0]

    async def wait_for_message(
        self, channel_id: int, predicate: Callable[[Message], bool] | None = None, timeout: float = 5.0
    ) -> Message:
        """The first live message in the channel matching ``predicate`` (default: written by the bot)."""

        def match() -> Message | None:
            check = predicate or (lambda m: m.author.id == self.bot.id)
            return next(
                (m for m in self.channel_messages(channel_id, include_ephemeral=True) if check(m)), None
            )

        await self.wait_for(lambda: match() is not None, timeout)
        found = match()
        assert found is not None
        return found

    async def wait_for_call(self, route: str, *, count: int = 1, timeout: float = 5.0) -> RestCall:
        """The ``count``-th answered request to ``route`` (route key or route name)."""

        def calls() -> list[RestCall]:
            return [c for c in self.call_log if route in (c.route, c.name) and c.status]

        await self.wait_for(lambda: len(calls()) >= count, timeout)
        return calls()[count - 1]


@contextlib.contextmanager
def point_discord_py_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base (``Route.BASE``, which also serves interaction callbacks and
    webhooks) and its built-in gateway address at the fake; restore both afterwards. A plain
    ``Client`` connects to ``DEFAULT_GATEWAY`` without asking REST; ``AutoShardedClient`` asks
    ``GET /gateway/bot`` first but falls back to ``DEFAULT_GATEWAY`` after an invalid session."""
    saved_base = discord.http.Route.BASE
    saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "PRIVILEGED_INTENTS",
    "ApiError",
    "Channel",
    "ChannelType",
    "CloseCode",
    "DiscordError",
    "FakeDiscord",
    "GatewayConnection",
    "GatewaySession",
    "Guild",
    "IdentifyRecord",
    "Intent",
    "Interaction",
    "Member",
    "Message",
    "MessageFlag",
    "Op",
    "Permission",
    "RateLimitConfig",
    "RestCall",
    "ResumeRecord",
    "Role",
    "User",
    "point_discord_py_at",
]
