"""Fake Discord gateway (WebSocket, API v10, JSON text frames) and the helpers that push events.

Protocol: https://discord.com/developers/docs/events/gateway and
https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway.
"""

from __future__ import annotations

import asyncio
import enum
import json
import secrets
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .discord_files import Upload
from .discord_rest import (
    API_VERSION,
    PRIVILEGED_INTENTS,
    Channel,
    FakeDiscordRest,
    Guild,
    Intent,
    Interaction,
    Json,
    Message,
    abort_connection,
    emoji_payload,
    walk_components,
)

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})


class Op(enum.IntEnum):
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class CloseCode(enum.IntEnum):
    """https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes"""

    UNKNOWN_ERROR = 4000
    UNKNOWN_OPCODE = 4001
    DECODE_ERROR = 4002
    NOT_AUTHENTICATED = 4003
    AUTHENTICATION_FAILED = 4004
    ALREADY_AUTHENTICATED = 4005
    INVALID_SEQ = 4007
    INVALID_SHARD = 4010
    INVALID_API_VERSION = 4012
    INVALID_INTENTS = 4013
    DISALLOWED_INTENTS = 4014


@dataclass
class _Close:
    code: int


@dataclass
class GatewayConnection:
    """One WebSocket. Frames go through ``outbox`` so pushes are synchronous and stay in order."""

    id: int
    path: str
    request: web.Request
    ws: web.WebSocketResponse
    outbox: asyncio.Queue[Json | _Close] = field(default_factory=asyncio.Queue)
    session: GatewaySession | None = None
    heartbeats: int = 0
    closed: bool = False
    closed_by_server: bool = False
    close_code: int | None = None

    def send(self, frame: Json) -> None:
        if not self.closed:
            self.outbox.put_nowait(frame)


@dataclass
class GatewaySession:
    """A Discord session: survives connections, numbers dispatches, keeps them for RESUME."""

    session_id: str
    intents: int
    shard: tuple[int, int]
    seq: int = 0
    backlog: list[Json] = field(default_factory=list)
    connection: GatewayConnection | None = None
    invalidated: bool = False
    ready_sent: bool = False
    sharded: bool = False  # IDENTIFY carried a shard pair, so READY echoes it

    def routes(self, guild_id: int | None) -> bool:
        """Guild events go to shard (guild_id >> 22) % num_shards, DMs to shard 0,
        https://discord.com/developers/docs/events/gateway#sharding."""
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)


@dataclass
class IdentifyRecord:
    connection_id: int
    path: str
    token: str | None
    intents: int | None
    shard: tuple[int, int] | None
    properties: Json
    session_id: str | None = None  # None when the fake refused the IDENTIFY


@dataclass
class ResumeRecord:
    connection_id: int
    path: str
    session_id: str | None
    seq: int | None
    accepted: bool = False
    replayed: int = 0  # dispatches re-sent because the client had missed them


class FakeDiscordGateway(FakeDiscordRest):
    """REST plus the gateway WebSocket and the ``push_*`` helpers tests use to make things happen."""

    def __init__(self, *, heartbeat_interval_ms: int = 41_250, **options: Any) -> None:
        super().__init__(**options)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.ack_heartbeats = True  # False imitates a zombied connection
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.identifies: list[IdentifyRecord] = []
        self.resumes: list[ResumeRecord] = []
        self.received: list[Json] = []  # every frame clients sent
        self.heartbeat_acks = 0

    @property
    def resume_gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway-resume"

    def add_gateway_routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway-resume", self._gateway)

    # ---- connection lifecycle

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = GatewayConnection(len(self.connections) + 1, request.path, request, ws)
        self.connections.append(conn)
        writer = asyncio.create_task(self._write_loop(conn))
        if problem := self._check_query(request.query):
            self._close(conn, problem)
        else:
            conn.send(
                {
                    "op": Op.HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                }
            )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self._on_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:  # the fake only reads JSON text
                    self._close(conn, CloseCode.DECODE_ERROR)
                else:
                    break
        finally:
            self._on_disconnect(conn, ws.close_code)
            writer.cancel()
        return ws

    @staticmethod
    def _check_query(query: Mapping[str, str]) -> CloseCode | None:
        # discord.py may add compress=zlib-stream, but it also accepts uncompressed text frames,
        # so the fake always answers in plain JSON text.
        if query.get("v") != str(API_VERSION):
            return CloseCode.INVALID_API_VERSION
        if query.get("encoding", "json") != "json":
            return CloseCode.DECODE_ERROR
        return None

    async def _write_loop(self, conn: GatewayConnection) -> None:
        while True:
            item = await conn.outbox.get()
            try:
                if isinstance(item, _Close):
                    await conn.ws.close(code=item.code)
                    return
                await conn.ws.send_str(json.dumps(item))
            except (ConnectionError, RuntimeError):
                return

    def _close(self, conn: GatewayConnection, code: int) -> None:
        """Close with a close frame; frames already queued are still written first."""
        conn.closed_by_server = True
        self._detach(conn)
        conn.outbox.put_nowait(_Close(int(code)))
        conn.closed = True

    def _detach(self, conn: GatewayConnection) -> None:
        if conn.session is not None and conn.session.connection is conn:
            conn.session.connection = None

    def _on_disconnect(self, conn: GatewayConnection, code: int | None) -> None:
        conn.closed, conn.close_code = True, code
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            # A client that closes with 1000/1001 ends its session (cannot resume),
            # https://discord.com/developers/docs/events/gateway#initiating-a-disconnect
            if not conn.closed_by_server and code in (1000, 1001):
                session.invalidated = True
        self._changed()

    # ---- frames from the client

    def _on_frame(self, conn: GatewayConnection, text: str) -> None:
        if conn.closed:  # the fake already closed or cut this socket; late frames are ignored
            return
        try:
            frame = json.loads(text)
        except json.JSONDecodeError:
            self._close(conn, CloseCode.DECODE_ERROR)
            return
        self.received.append(frame)
        handlers: dict[int, Callable[[GatewayConnection, Any], None]] = {
            Op.HEARTBEAT: self._on_heartbeat,
            Op.IDENTIFY: self._on_identify,
            Op.PRESENCE_UPDATE: lambda _conn, _data: None,
            Op.RESUME: self._on_resume,
            Op.REQUEST_GUILD_MEMBERS: self._on_request_guild_members,
        }
        op = frame.get("op")
        handler = handlers.get(op) if isinstance(op, int) else None
        if handler is None:
            self._close(conn, CloseCode.UNKNOWN_OPCODE)
        elif conn.session is None and op not in (Op.HEARTBEAT, Op.IDENTIFY, Op.RESUME):
            self._close(conn, CloseCode.NOT_AUTHENTICATED)
        elif op in (Op.IDENTIFY, Op.RESUME, Op.REQUEST_GUILD_MEMBERS) and not isinstance(
            frame.get("d"), dict
        ):
            self._close(conn, CloseCode.DECODE_ERROR)
        else:
            try:
                handler(conn, frame.get("d"))
            except Exception:  # a bug in the fake: record it and fail the connection visibly
                self.internal_errors.append(traceback.format_exc())
                self._close(conn, CloseCode.UNKNOWN_ERROR)
        self._changed()

    def _on_heartbeat(self, conn: GatewayConnection, _seq: Any) -> None:
        conn.heartbeats += 1
        if self.ack_heartbeats:
            conn.send({"op": Op.HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            self.heartbeat_acks += 1

    def _on_identify(self, conn: GatewayConnection, data: Json) -> None:
        raw_shard = data.get("shard")
        shard = (
            (int(raw_shard[0]), int(raw_shard[1]))
            if isinstance(raw_shard, list) and len(raw_shard) == 2
            else None
        )
        record = IdentifyRecord(
            conn.id, conn.path, data.get("token"), data.get("intents"), shard, data.get("properties") or {}
        )
        self.identifies.append(record)
        refusal = self._identify_refusal(conn, record)
        if refusal is not None:
            self._close(conn, refusal)
            return
        for old in self.sessions.values():  # a new IDENTIFY replaces the shard's previous session
            if old.shard == (shard or (0, 1)):
                old.invalidated = True
        session = GatewaySession(
            uuid.uuid4().hex, record.intents or 0, shard or (0, 1), connection=conn, sharded=shard is not None
        )
        self.sessions[session.session_id] = session
        self.session_starts_remaining -= 1
        conn.session, record.session_id = session, session.session_id
        self._send_ready(session)

    def _identify_refusal(self, conn: GatewayConnection, record: IdentifyRecord) -> CloseCode | None:
        if conn.session is not None:
            return CloseCode.ALREADY_AUTHENTICATED
        if record.token != self.token:
            return CloseCode.AUTHENTICATION_FAILED
        if record.intents is None:  # intents are mandatory since v8
            return CloseCode.INVALID_INTENTS
        if record.intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            return CloseCode.DISALLOWED_INTENTS  # not enabled in the developer portal
        if record.shard is not None and not 0 <= record.shard[0] < record.shard[1]:
            return CloseCode.INVALID_SHARD
        return None

    def _send_ready(self, session: GatewaySession) -> None:
        guilds = [g for g in self.guilds.values() if g.bot_present and session.routes(g.id)]
        ready: Json = {
            "v": API_VERSION,
            "user": self.bot.to_payload() | {"verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self.application_flags()},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
        }
        if session.sharded:
            ready["shard"] = list(session.shard)
        self._dispatch_to(session, "READY", ready)
        # Unavailable guilds from READY are then filled in by GUILD_CREATE, one per guild.
        if session.intents & Intent.GUILDS:
            for guild in (g for g in guilds if not g.unavailable):
                self._dispatch_to(session, "GUILD_CREATE", self.guild_create_payload(guild, session.intents))
        session.ready_sent = True

    def _on_resume(self, conn: GatewayConnection, data: Json) -> None:
        session = self.sessions.get(data.get("session_id") or "")
        seq = data.get("seq")
        record = ResumeRecord(conn.id, conn.path, data.get("session_id"), seq)
        self.resumes.append(record)
        if conn.session is not None or data.get("token") != self.token:
            self._close(
                conn, CloseCode.ALREADY_AUTHENTICATED if conn.session else CloseCode.AUTHENTICATION_FAILED
            )
            return
        if session is None or session.invalidated:
            # Not resumable: the client must IDENTIFY again,
            # https://discord.com/developers/docs/events/gateway#resuming
            conn.send({"op": Op.INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if (seq or 0) > session.seq:
            self._close(conn, CloseCode.INVALID_SEQ)
            return
        if session.connection is not None:  # the old socket has not noticed it is dead yet
            old = session.connection
            self._close(old, CloseCode.UNKNOWN_ERROR)
        missed = [frame for frame in session.backlog if frame["s"] > (seq or 0)]
        conn.session, session.connection = session, conn
        for frame in missed:
            conn.send(frame)
        self._dispatch_to(session, "RESUMED", {})
        record.accepted, record.replayed = True, len(missed)

    def _on_request_guild_members(self, conn: GatewayConnection, data: Json) -> None:
        """Answer with a single GUILD_MEMBERS_CHUNK,
        https://discord.com/developers/docs/events/gateway-events#request-guild-members"""
        guild = self.guilds.get(int(data.get("guild_id") or 0))
        if guild is None or conn.session is None:
            return
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (not wanted or m.user.id in wanted) and m.user.username.lower().startswith(query)
        ]
        members = members[: data.get("limit") or None]
        chunk: Json = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        self._dispatch_to(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    # ---- dispatching

    def _dispatch_to(self, session: GatewaySession, event: str, data: Json) -> int:
        """Number the event (``s``), keep it for RESUME, send it if the session is connected."""
        session.seq += 1
        frame = {"op": Op.DISPATCH, "t": event, "s": session.seq, "d": data}
        session.backlog.append(frame)
        if session.connection is not None:
            session.connection.send(frame)
        return session.seq

    def _emit(
        self, event: str, build: Callable[[int], Json], *, guild_id: int | None, intent: int = 0
    ) -> None:
        """Dispatch to every live session of the right shard that identified with ``intent``
        (events outside the identified intents are never sent, as on Discord)."""
        for session in list(self.sessions.values()):
            if (
                session.invalidated
                or not session.routes(guild_id)
                or (intent and not session.intents & intent)
            ):
                continue
            self._dispatch_to(session, event, build(session.intents))
        self._changed()

    def dispatch(self, event: str, data: Json, *, guild_id: int | None = None, intent: int = 0) -> None:
        """Low-level: send any dispatch event as-is."""
        self._emit(event, lambda _: data, guild_id=guild_id, intent=intent)

    def guild_create_payload(self, guild: Guild, intents: int) -> Json:
        # Without GUILD_PRESENCES, members/presences only list the bot (and voice users),
        # https://discord.com/developers/docs/events/gateway-events#guild-create
        members = [
            m for m in guild.members.values() if intents & Intent.GUILD_PRESENCES or m.user.id == self.bot.id
        ]
        channels = [
            c for c in self.channels.values() if c.guild_id == guild.id and not c.is_thread and not c.deleted
        ]
        return guild.to_payload() | {
            "joined_at": guild.members[self.bot.id].joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [m.to_payload() for m in members],
            "channels": [c.to_payload() for c in channels],
            "threads": [t.to_payload() for t in self.threads_of(guild.id)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    # ---- gateway control for tests

    def live_connections(self) -> list[GatewayConnection]:
        return [c for c in self.connections if not c.closed]

    def disconnect_gateway(self, *, code: int | None = None) -> int:
        """Cut every live gateway connection. ``code=None`` drops TCP without a close frame (the
        client sees 1006 and RESUMEs); otherwise a close frame with ``code`` is sent. Events pushed
        afterwards are kept and replayed on RESUME. Returns how many connections were cut."""
        connections = self.live_connections()
        for conn in connections:
            if code is None:
                self.cut(conn)
            else:
                self._close(conn, code)
        self._changed()
        return len(connections)

    def cut(self, conn: GatewayConnection) -> None:
        """Drop one connection's TCP without a close frame (the client sees 1006)."""
        conn.closed_by_server, conn.closed = True, True
        self._detach(conn)
        abort_connection(conn.request)

    def send_reconnect(self) -> None:
        """Op 7: the client should close and RESUME."""
        for conn in self.live_connections():
            conn.send({"op": Op.RECONNECT, "d": None, "s": None, "t": None})

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Op 9 to every connected session; ``resumable=False`` also forgets the session."""
        for conn in self.live_connections():
            if conn.session is None:
                continue
            conn.session.invalidated = conn.session.invalidated or not resumable
            conn.send({"op": Op.INVALID_SESSION, "d": resumable, "s": None, "t": None})

    def request_heartbeat(self) -> None:
        """Op 1 from the server asks the client for an immediate heartbeat."""
        for conn in self.live_connections():
            conn.send({"op": Op.HEARTBEAT, "d": None, "s": None, "t": None})

    # ---- events from users and Discord

    def _member_or_fail(self, guild_id: int, user_id: int) -> None:
        if user_id not in self.guilds[guild_id].members:
            raise LookupError(f"user {user_id} is not a member of guild {guild_id}; add_member() first")

    def push_message(
        self,
        channel_id: int,
        content: str = "",
        *,
        author_id: int,
        embeds: list[Json] | None = None,
        reply_to: int | None = None,
        files: Sequence[tuple[str, bytes, str]] = (),
    ) -> Message:
        """A user posts in a channel or thread → MESSAGE_CREATE (content blanked for sessions
        without the message-content intent unless the bot is mentioned). `files`: (name, bytes,
        content type) uploaded with it, served by the fake CDN."""
        channel = self.channels[channel_id]
        self._member_or_fail(channel.guild_id, author_id)
        body: Json = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to)}
        message = self.create_message(channel, self.users[author_id], body, allow_empty=bool(files))
        self.attach_files(
            message, [Upload(i, name, kind, data) for i, (name, data, kind) in enumerate(files)]
        )
        self.emit_message("MESSAGE_CREATE", message)
        return message

    def push_reaction(
        self, message_id: int, emoji: str = "👍", *, user_id: int, burst: bool = False, remove: bool = False
    ) -> Json:
        """MESSAGE_REACTION_ADD/REMOVE; ``emoji`` is unicode or ``"name:id"`` for a custom emoji,
        https://discord.com/developers/docs/events/gateway-events#message-reaction-add."""
        message = self.messages[message_id]
        self._member_or_fail(message.guild_id, user_id)
        users = message.reactions.setdefault(emoji, set())
        if remove:
            users.discard(user_id)
        else:
            users.add(user_id)
        data: Json = {
            "user_id": str(user_id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "guild_id": str(message.guild_id),
            "emoji": emoji_payload(emoji),
            "burst": burst,
            "type": 1 if burst else 0,
        }
        if not remove:
            member = self.guilds[message.guild_id].members[user_id]
            data |= {
                "member": member.to_payload(),
                "message_author_id": str(message.author.id),
                "burst_colors": [],
            }
        event = "MESSAGE_REACTION_REMOVE" if remove else "MESSAGE_REACTION_ADD"
        self._emit(event, lambda _: data, guild_id=message.guild_id, intent=Intent.GUILD_MESSAGE_REACTIONS)
        return data

    def push_thread_create(
        self, parent_id: int, name: str, *, owner_id: int, message_id: int | None = None
    ) -> Channel:
        """A user starts a thread (from ``message_id`` if given: the thread then has that id)."""
        self._member_or_fail(self.channels[parent_id].guild_id, owner_id)
        thread = self.add_thread(parent_id, name, thread_id=message_id, owner_id=owner_id)
        self.emit_thread_create(thread)
        return thread

    def push_channel_delete(self, channel_id: int) -> Channel:
        """The channel (and its threads) is deleted; REST then answers 404 Unknown Channel."""
        channel = self.channels[channel_id]
        for other in self.channels.values():
            if other.id == channel_id or other.parent_id == channel_id:
                other.deleted = True
        data = channel.to_payload()
        self._emit("CHANNEL_DELETE", lambda _: data, guild_id=channel.guild_id, intent=Intent.GUILDS)
        return channel

    def push_guild_delete(self, guild_id: int, *, unavailable: bool = False) -> None:
        """The bot was removed (``unavailable=False``; REST then answers 403 Missing Access) or the
        guild is in an outage (``unavailable=True``)."""
        guild = self.guilds[guild_id]
        guild.bot_present = guild.bot_present and unavailable
        guild.unavailable = unavailable
        data: Json = {"id": str(guild_id)} | ({"unavailable": True} if unavailable else {})
        self._emit("GUILD_DELETE", lambda _: data, guild_id=guild_id, intent=Intent.GUILDS)

    def push_guild_create(self, guild_id: int) -> None:
        """The bot joins a guild, or a guild comes back from an outage. Only the latter carries
        ``unavailable: false`` (discord.py then fires on_guild_available instead of on_guild_join)."""
        guild = self.guilds[guild_id]
        recovering = guild.bot_present and guild.unavailable
        guild.bot_present, guild.unavailable = True, False

        def build(intents: int) -> Json:
            payload = self.guild_create_payload(guild, intents)
            return payload if recovering else {k: v for k, v in payload.items() if k != "unavailable"}

        self._emit("GUILD_CREATE", build, guild_id=guild_id, intent=Intent.GUILDS)

    # ---- interactions: https://discord.com/developers/docs/interactions/receiving-and-responding

    def push_interaction(
        self,
        interaction_type: int,
        data: Json | None,
        *,
        channel_id: int,
        user_id: int,
        message: Message | None = None,
        locale: str = "en-US",
        shape: Callable[[Json], Any] | None = None,
    ) -> Interaction:
        """Low-level INTERACTION_CREATE with every field discord.py reads (it needs
        ``attachment_size_limit``; ``member.permissions`` are the user's permissions in the channel).
        ``shape`` turns the payload into what is actually sent (fuzz tests: hostile shapes); the
        interaction is registered either way, so the bot's answers to it are accepted."""
        channel = self.channels[channel_id]
        guild = self.guilds[channel.guild_id]
        self._member_or_fail(guild.id, user_id)
        interaction_id = self.snowflakes.next()
        token = secrets.token_urlsafe(48)
        user_permissions = self.permissions_for(user_id, channel)
        payload: Json = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": interaction_type,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "channel_id": str(channel.id),
            "channel": channel.to_payload() | {"permissions": str(user_permissions)},
            "member": guild.members[user_id].to_payload(permissions=user_permissions),
            "token": token,
            "version": 1,
            "app_permissions": str(self.permissions_for(self.bot.id, channel)),
            "locale": locale,
            "guild_locale": guild.locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            # The same per-file limit the REST side enforces (a test may lower it: a smaller server).
            "attachment_size_limit": self.attachment_size_limit,
        }
        if data is not None:
            payload["data"] = data
        if message is not None:
            payload["message"] = self.message_payload(message)
        interaction = Interaction(
            interaction_id,
            token,
            interaction_type,
            payload,
            channel.id,
            guild.id,
            user_id,
            self.clock(),
            message_id=message.id if message else None,
        )
        self.interactions[interaction_id] = interaction
        sent = shape(payload) if shape is not None else payload
        self._emit("INTERACTION_CREATE", lambda _: sent, guild_id=guild.id)
        return interaction

    def push_slash_command(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_id: int,
        user_id: int,
        locale: str = "en-US",
    ) -> Interaction:
        """Invoke a registered chat-input command. ``command`` is the path, e.g. ``"partner subscribe"``
        or ``"admin topics add"``; ``options`` maps the leaf's option names to values."""
        data = self._command_data(command, options or {}, channel_id, focused=None)
        return self.push_interaction(2, data, channel_id=channel_id, user_id=user_id, locale=locale)

    def push_autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        channel_id: int,
        user_id: int,
        locale: str = "en-US",
    ) -> Interaction:
        """Autocomplete (type 4) while the user types into option ``focused``."""
        data = self._command_data(command, options, channel_id, focused=focused)
        return self.push_interaction(4, data, channel_id=channel_id, user_id=user_id, locale=locale)

    def push_message_command(self, name: str, message_id: int, *, user_id: int) -> Interaction:
        """A message context-menu command (command type 3) on ``message_id``; the target arrives in
        ``resolved.messages`` with its content, whatever the intents."""
        message = self.messages[message_id]
        registered = self._registered(name, message.guild_id, command_type=3)
        data: Json = {
            "id": registered["id"],
            "name": name,
            "type": 3,
            "target_id": str(message.id),
            "resolved": {"messages": {str(message.id): self.message_payload(message)}},
        }
        if "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        return self.push_interaction(2, data, channel_id=message.channel_id, user_id=user_id)

    def push_component(
        self, message_id: int, custom_id: str, *, user_id: int, values: Iterable[str] | None = None
    ) -> Interaction:
        """A button press or select choice (type 3) on a component of a stored message."""
        message = self.messages[message_id]
        component = next(
            (c for c in walk_components(message.components) if c.get("custom_id") == custom_id), None
        )
        if component is None or message.deleted:
            raise LookupError(f"message {message_id} has no component {custom_id!r}")
        data: Json = {"custom_id": custom_id, "component_type": component["type"]}
        if component["type"] in SELECT_TYPES:
            data["values"] = list(values or [])
        return self.push_interaction(3, data, channel_id=message.channel_id, user_id=user_id, message=message)

    def push_modal_submit(
        self,
        interaction_id: int,
        values: Mapping[str, str | list[str]] | None = None,
        *,
        user_id: int | None = None,
    ) -> Interaction:
        """Submit the modal the bot answered ``interaction_id`` with (callback type 9). Inputs not in
        ``values`` keep their prefilled ``value``; the submission mirrors the modal's layout."""
        source = self.interactions[interaction_id]
        modal = next((c["data"] for c in source.callbacks if c.get("type") == 9), None)
        if modal is None:
            raise LookupError(f"interaction {interaction_id} was not answered with a modal")
        data = {
            "custom_id": modal["custom_id"],
            "components": [self._submitted(c, values or {}) for c in modal.get("components") or []],
        }
        message = self.messages.get(source.message_id) if source.message_id else None
        return self.push_interaction(
            5, data, channel_id=source.channel_id, user_id=user_id or source.user_id, message=message
        )

    def _submitted(self, component: Json, values: Mapping[str, str | list[str]]) -> Json:
        kind, custom_id = component["type"], component.get("custom_id")
        if kind == 1:
            return {
                "type": 1,
                "components": [self._submitted(c, values) for c in component.get("components", [])],
            }
        if kind == 18:  # label wrapping one input
            return {
                "type": 18,
                "id": component.get("id"),
                "component": self._submitted(component["component"], values),
            }
        if kind == 4:
            return {
                "type": 4,
                "id": component.get("id"),
                "custom_id": custom_id,
                "value": values.get(custom_id or "", component.get("value") or ""),
            }
        if kind in SELECT_TYPES:
            return {
                "type": kind,
                "id": component.get("id"),
                "custom_id": custom_id,
                "values": list(values.get(custom_id or "", [])),
            }
        return {"type": kind, "id": component.get("id")}

    def _registered(self, name: str, guild_id: int, command_type: int = 1) -> Json:
        # Discord only sends interactions for commands that were registered.
        registered = self.find_command(name, guild_id, command_type)
        if registered is None:
            raise LookupError(
                f"command {name!r} (type {command_type}) is not registered; sync commands first"
            )
        return registered

    def _command_data(
        self, command: str, options: Mapping[str, Any], channel_id: int, *, focused: str | None
    ) -> Json:
        name, *path = command.split()
        guild = self.guilds[self.channels[channel_id].guild_id]
        registered = self._registered(name, guild.id)
        schema, kinds = self._descend(registered, path)
        resolved: Json = {}
        leaf = [
            self._option(schema, key, value, guild, resolved, focused == key)
            for key, value in options.items()
        ]
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in options]
        if missing and focused is None:
            raise ValueError(f"required options missing: {missing}")
        for part, kind in reversed(list(zip(path, kinds, strict=True))):
            leaf = [{"type": kind, "name": part, "options": leaf}]
        data: Json = {"id": registered["id"], "name": name, "type": 1, "options": leaf}
        if "guild_id" in registered:
            data["guild_id"] = registered["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    @staticmethod
    def _descend(command: Json, path: list[str]) -> tuple[list[Json], list[int]]:
        """Walk subcommand groups (type 2) and subcommands (type 1) to the leaf's option schema."""
        schema: list[Json] = command.get("options") or []
        kinds: list[int] = []
        for part in path:
            node = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
            if node is None:
                raise LookupError(f"{part!r} is not a subcommand of {command['name']!r}")
            kinds.append(node["type"])
            schema = node.get("options") or []
        return schema, kinds

    def _option(
        self, schema: list[Json], name: str, value: Any, guild: Guild, resolved: Json, focused: bool
    ) -> Json:
        spec = next((o for o in schema if o["name"] == name), None)
        if spec is None:
            raise LookupError(f"option {name!r} is not in the registered command")
        kind = spec["type"]
        option: Json = {"name": name, "type": kind, "value": value}
        if focused:
            option["focused"] = True  # the partial text the user has typed so far
        elif kind in (6, 7, 8, 9):  # user, channel, role, mentionable: ids plus resolved objects
            option["value"] = str(value)
            self._resolve(int(value), guild, resolved)
        return option

    def _resolve(self, snowflake: int, guild: Guild, resolved: Json) -> None:
        if snowflake in self.users:
            resolved.setdefault("users", {})[str(snowflake)] = self.users[snowflake].to_payload()
            if member := guild.members.get(snowflake):
                permissions = self.permissions_for(snowflake, guild_id=guild.id)
                resolved.setdefault("members", {})[str(snowflake)] = member.to_payload(
                    with_user=False, permissions=permissions
                )
        elif snowflake in guild.roles:
            resolved.setdefault("roles", {})[str(snowflake)] = guild.roles[snowflake].to_payload()
        elif channel := self.channels.get(snowflake):
            permissions = self.permissions_for(self.bot.id, channel)
            resolved.setdefault("channels", {})[str(snowflake)] = channel.to_payload() | {
                "permissions": str(permissions)
            }
        else:
            raise LookupError(f"{snowflake} is not a known user, role or channel")


__all__ = [
    "CloseCode",
    "FakeDiscordGateway",
    "GatewayConnection",
    "GatewaySession",
    "IdentifyRecord",
    "Op",
    "ResumeRecord",
]
