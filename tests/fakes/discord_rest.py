"""Fake Discord REST API v10: state, routes, rate limits and fault injection.

Behaviour follows Discord's developer documentation (https://discord.com/developers/docs), which is
what discord.py implements. The gateway half lives in ``discord_gateway.py``; the public entry point
is ``tests.fakes.discord.FakeDiscord``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import hashlib
import json
import math
import re
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from aiohttp import web

from . import discord_files as files
from .discord_oauth import DiscordOAuth

Json = dict[str, Any]
Clock = Callable[[], float]
Build = Callable[[int], Json]  # builds an event payload for a session with the given intents

API_VERSION = 10
API_PREFIX = f"/api/v{API_VERSION}"
DISCORD_EPOCH_MS = 1_420_070_400_000
NO_CONTENT = object()  # handler result meaning "204 No Content"


# --------------------------------------------------------------------------- constants


class Permission(enum.IntFlag):
    """Permission bits,
    https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags"""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = int(
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)
DEFAULT_BOT_PERMISSIONS = DEFAULT_EVERYONE_PERMISSIONS | int(Permission.MANAGE_THREADS)


class Intent(enum.IntFlag):
    """Gateway intents, https://discord.com/developers/docs/events/gateway#list-of-intents."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


PRIVILEGED_INTENTS = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT)


class ChannelType(enum.IntEnum):
    """https://discord.com/developers/docs/resources/channel#channel-object-channel-types"""

    GUILD_TEXT = 0
    GUILD_ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12


THREAD_TYPES = frozenset({10, 11, 12})


class MessageFlag(enum.IntFlag):
    """https://discord.com/developers/docs/resources/message#message-object-message-flags"""

    HAS_THREAD = 1 << 5
    EPHEMERAL = 1 << 6
    LOADING = 1 << 7


class ApiError(enum.Enum):
    """(HTTP status, JSON error code, message),
    https://discord.com/developers/docs/topics/opcodes-and-status-codes#json"""

    UNAUTHORIZED = (401, 0, "401: Unauthorized")
    NOT_FOUND = (404, 0, "404: Not Found")
    BAD_JSON = (400, 50109, "The request body contains invalid JSON.")
    UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
    UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
    UNKNOWN_MEMBER = (404, 10007, "Unknown Member")
    UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
    UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
    UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
    MISSING_ACCESS = (403, 50001, "Missing Access")
    CANNOT_EDIT_OTHERS_MESSAGE = (403, 50005, "Cannot edit a message authored by another user")
    EMPTY_MESSAGE = (400, 50006, "Cannot send an empty message")
    MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
    INVALID_WEBHOOK_TOKEN = (401, 50027, "Invalid Webhook Token")
    INVALID_FORM_BODY = (400, 50035, "Invalid Form Body")
    ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
    THREAD_ALREADY_CREATED = (400, 160004, "A thread has already been created for this message")
    REQUEST_TOO_LARGE = (413, 40005, "Request entity too large")


class DiscordError(Exception):
    """Raised by handlers; rendered as Discord's ``{"message", "code", "errors"}`` body."""

    def __init__(self, error: ApiError, errors: Json | None = None) -> None:
        self.status, self.code, self.message = error.value
        self.errors = errors
        super().__init__(f"{self.status} {self.code} {self.message}")

    def body(self) -> Json:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_form(path: str, message: str, code: str = "BASE_TYPE_MAX_LENGTH") -> DiscordError:
    """50035 with Discord's nested error tree, https://discord.com/developers/docs/reference#error-messages"""
    tree: Json = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(path.split(".")):
        tree = {part: tree}
    return DiscordError(ApiError.INVALID_FORM_BODY, tree)


# --------------------------------------------------------------------------- ids and time


class Snowflakes:
    """Ids in Discord's layout (ms since 2015 << 22), so they sort by creation time,
    https://discord.com/developers/docs/reference#snowflakes"""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(stamp, self._last + 1)
        return self._last


def snowflake_iso(snowflake: int) -> str:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC).isoformat()


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


# --------------------------------------------------------------------------- models


@dataclass
class User:
    id: int
    username: str
    bot: bool = False

    def to_payload(self) -> Json:
        payload: Json = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "public_flags": 0,
        }
        if self.bot:
            payload["bot"] = True
        return payload


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class Member:
    user: User
    roles: list[int]
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)

    def to_payload(self, *, with_user: bool = True, permissions: int | None = None) -> Json:
        payload: Json = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }
        if with_user:
            payload["user"] = self.user.to_payload()
        if permissions is not None:
            payload["permissions"] = str(permissions)
        return payload


@dataclass
class Overwrite:
    id: int
    type: int  # 0 = role, 1 = member
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    type: int
    name: str
    guild_id: int
    parent_id: int | None = None
    owner_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    message_count: int = 0
    archived: bool = False
    deleted: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def to_payload(self) -> Json:
        payload: Json = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "guild_id": str(self.guild_id),
            "parent_id": _opt_str(self.parent_id),
            "last_message_id": _opt_str(self.last_message_id),
            "rate_limit_per_user": 0,
            "flags": 0,
            "nsfw": False,
        }
        if not self.is_thread:
            return payload | {
                "position": 0,
                "topic": self.topic,
                "permission_overwrites": [
                    {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
                    for o in self.overwrites
                ],
            }
        return payload | {
            "owner_id": _opt_str(self.owner_id),
            "message_count": self.message_count,
            "total_message_sent": self.message_count,
            "member_count": 1,
            "thread_metadata": {
                "archived": self.archived,
                "auto_archive_duration": 1440,
                "locked": False,
                "archive_timestamp": snowflake_iso(self.id),
                "create_timestamp": snowflake_iso(self.id),
            },
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    locale: str = "en-US"
    bot_present: bool = True
    unavailable: bool = False  # in an outage (GUILD_DELETE with unavailable=true)

    def to_payload(self) -> Json:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.to_payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": self.locale,
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }


@dataclass
class Message:
    """A stored message. ``mentions``/``mention_roles``/``mention_everyone`` are who was actually
    pinged after ``allowed_mentions`` was applied."""

    id: int
    channel_id: int
    guild_id: int
    author: User
    created_at: float
    content: str = ""
    embeds: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    nonce: str | int | None = None
    allowed_mentions: Json | None = None
    message_reference: Json | None = None
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    interaction_metadata: Json | None = None
    reactions: dict[str, set[int]] = field(default_factory=dict)
    edited_timestamp: str | None = None
    deleted: bool = False
    attachments: list[Json] = field(default_factory=list)  # tests/fakes/discord_files.py

    @property
    def edited(self) -> bool:
        return self.edited_timestamp is not None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)


@dataclass
class Interaction:
    """An INTERACTION_CREATE the fake sent, plus everything the bot answered."""

    id: int
    token: str
    type: int
    payload: Json
    channel_id: int
    guild_id: int
    user_id: int
    created_at: float
    message_id: int | None = None
    callbacks: list[Json] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)

    @property
    def response(self) -> Json | None:
        return self.callbacks[0] if self.callbacks else None


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------- validation

MENTION_USER = re.compile(r"<@!?(\d+)>")
MENTION_ROLE = re.compile(r"<@&(\d+)>")
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
EMBED_LIMITS = {"title": 256, "description": 4096}


def validate_message_body(body: Json, *, allow_empty: bool = False) -> None:
    """Limits from https://discord.com/developers/docs/resources/message#create-message-jsonform-params"""
    content = body.get("content") or ""
    if len(content) > 2000:
        raise invalid_form("content", "Must be 2000 or fewer in length.")
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        raise invalid_form("nonce", "Must be 25 or fewer in length.")
    embeds = body.get("embeds") or []
    _validate_embeds(embeds)
    _validate_components(body.get("components") or [])
    _validate_allowed_mentions(body.get("allowed_mentions"))
    if not (allow_empty or content or embeds or body.get("components") or body.get("attachments")):
        raise DiscordError(ApiError.EMPTY_MESSAGE)


def _validate_embeds(embeds: list[Json]) -> None:
    # https://discord.com/developers/docs/resources/message#embed-object-embed-limits
    if len(embeds) > 10:
        raise invalid_form("embeds", "Must be 10 or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            size = len(embed.get(key) or "")
            total += size
            if size > limit:
                raise invalid_form(f"embeds.{index}.{key}", f"Must be {limit} or fewer in length.")
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields") or [])
    if total > 6000:
        raise invalid_form(
            "embeds", "Embed size exceeds maximum size of 6000", code="MAX_EMBED_SIZE_EXCEEDED"
        )


def walk_components(components: Iterable[Json]) -> Iterable[Json]:
    """Yield every component, descending into action rows, sections, containers and labels."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            yield from walk_components([component["component"]])
        if isinstance(component.get("accessory"), dict):
            yield from walk_components([component["accessory"]])


def _validate_components(components: list[Json]) -> None:
    # custom_id is at most 100 characters and unique per message,
    # https://discord.com/developers/docs/components/reference
    seen: set[str] = set()
    for component in walk_components(components):
        _validate_button(component)
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        if len(custom_id) > 100:
            raise invalid_form("components", "Must be 100 or fewer in length.")
        if custom_id in seen:
            raise invalid_form(
                "components",
                "Component custom id cannot be duplicated",
                code="COMPONENT_CUSTOM_ID_DUPLICATED",
            )
        seen.add(custom_id)


def _validate_button(component: Json) -> None:
    """A button (type 2): a label of at most 80 characters; a link button (style 5) has a `url` of at
    most 512 characters and no custom_id, every other style a custom_id and no url.
    https://discord.com/developers/docs/components/reference#button"""
    if component.get("type") != 2:
        return
    if len(component.get("label") or "") > 80:
        raise invalid_form("components", "Must be 80 or fewer in length.")
    link = component.get("style") == 5
    url = component.get("url")
    if link and (not url or len(url) > 512 or component.get("custom_id") is not None):
        raise invalid_form("components", "A link button needs a url of at most 512 characters, no custom_id.")
    if not link and (url is not None or not component.get("custom_id")):
        raise invalid_form("components", "A non-link button needs a custom_id and no url.")


def _validate_allowed_mentions(allowed: Json | None) -> None:
    # parse and explicit id lists are mutually exclusive,
    # https://discord.com/developers/docs/resources/message#allowed-mentions-object
    if not allowed:
        return
    parse = set(allowed.get("parse") or [])
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            raise invalid_form(
                f"allowed_mentions.{kind}",
                f'parse:["{kind}"] and {kind}: [...] are mutually exclusive.',
                code="MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
            )


def validate_command(command: Json, index: int) -> None:
    """Naming rules from
    https://discord.com/developers/docs/interactions/application-commands#application-command-object"""
    name = command.get("name") or ""
    kind = command.get("type", 1)
    if kind == 1 and (not COMMAND_NAME.match(name) or name != name.lower()):
        raise invalid_form(
            f"{index}.name", "Command name is invalid", code="APPLICATION_COMMAND_INVALID_NAME"
        )
    description = command.get("description") or ""
    if kind == 1 and not 1 <= len(description) <= 100:
        raise invalid_form(f"{index}.description", "Must be between 1 and 100 in length.")
    if kind != 1 and description:
        raise invalid_form(f"{index}.description", "Context menu commands cannot have description")
    options = command.get("options") or []
    if len(options) > 25:
        raise invalid_form(f"{index}.options", "Must be 25 or fewer in length.")
    for option in options:
        if len(option.get("choices") or []) > 25:
            raise invalid_form(f"{index}.options", "Must be 25 or fewer in length.")


# --------------------------------------------------------------------------- state


class DiscordState:
    """Guilds, channels, messages, commands and interactions, plus the checks Discord applies."""

    def __init__(
        self,
        *,
        token: str,
        bot_name: str,
        bot_id: int | None,
        application_id: int | None,
        privileged_intents: int,
        clock: Clock,
        nonce_window: float,
        interaction_ack_timeout: float,
        interaction_token_ttl: float,
    ) -> None:
        self.snowflakes = Snowflakes()
        self.token = token
        self.clock = clock
        self.privileged_intents = privileged_intents
        self.nonce_window = nonce_window
        self.interaction_ack_timeout = interaction_ack_timeout
        self.interaction_token_ttl = interaction_token_ttl
        self.bot = User(bot_id or self.snowflakes.next(), bot_name, bot=True)
        # Applications created since 2020 share their id with their bot user.
        self.application_id = application_id or self.bot.id
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        # Messages by (channel, author, nonce), so enforce_nonce does not scan every message per create.
        self._by_nonce: dict[tuple[int, int, str], list[Message]] = {}
        self.commands: dict[int | None, list[Json]] = {}  # key None = global commands
        self.interactions: dict[int, Interaction] = {}
        self.internal_errors: list[str] = []  # bugs in the fake itself; tests may assert it stays empty
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    # ---- waiting

    def _changed(self) -> None:
        """Wake every ``wait_for`` whose predicate now holds."""
        for predicate, future in list(self._waiters):
            if not future.done() and predicate():
                future.set_result(None)
        self._waiters = [(p, f) for p, f in self._waiters if not f.done()]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` is true (re-checked on every state change) or raise TimeoutError."""
        if predicate():
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            future.cancel()

    # ---- hooks the gateway overrides

    def _emit(self, event: str, build: Build, *, guild_id: int | None, intent: int = 0) -> None:
        """Send a dispatch event to connected sessions; the REST-only fake drops it."""

    # ---- builders

    def add_user(self, username: str, *, user_id: int | None = None, bot: bool = False) -> User:
        user = User(user_id or self.snowflakes.next(), username, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        guild_id: int | None = None,
        owner_id: int | None = None,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS,
        locale: str = "en-US",
    ) -> Guild:
        """A guild the bot is in: @everyone role (id = guild id), the bot's managed role, an owner."""
        gid = guild_id or self.snowflakes.next()
        owner = self.users.get(owner_id or 0) or self.add_user("owner", user_id=owner_id)
        guild = Guild(gid, name, owner.id, locale=locale)
        guild.roles[gid] = Role(gid, "@everyone", everyone_permissions)
        bot_role = Role(self.snowflakes.next(), self.bot.username, bot_permissions, position=1, managed=True)
        guild.roles[bot_role.id] = bot_role
        guild.members[self.bot.id] = Member(self.bot, [bot_role.id])
        guild.members[owner.id] = Member(owner, [])
        self.guilds[gid] = guild
        return guild

    def add_role(
        self,
        guild_id: int,
        name: str,
        *,
        permissions: int = 0,
        role_id: int | None = None,
        mentionable: bool = False,
    ) -> Role:
        guild = self.guilds[guild_id]
        role_id = role_id or self.snowflakes.next()
        role = Role(role_id, name, int(permissions), position=len(guild.roles), mentionable=mentionable)
        guild.roles[role.id] = role
        return role

    def add_member(
        self,
        guild_id: int,
        username: str,
        *,
        user_id: int | None = None,
        roles: Iterable[int] = (),
        nick: str | None = None,
    ) -> Member:
        user = self.users.get(user_id or 0) or self.add_user(username, user_id=user_id)
        member = Member(user, list(roles), nick)
        self.guilds[guild_id].members[user.id] = member
        return member

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        channel_type: int = ChannelType.GUILD_TEXT,
        channel_id: int | None = None,
        topic: str | None = None,
    ) -> Channel:
        channel = Channel(
            channel_id or self.snowflakes.next(), int(channel_type), name, guild_id, topic=topic
        )
        self.channels[channel.id] = channel
        return channel

    def add_thread(
        self, parent_id: int, name: str, *, thread_id: int | None = None, owner_id: int | None = None
    ) -> Channel:
        """A public thread; pass the starter message id as ``thread_id`` for a thread from a message."""
        parent = self.channels[parent_id]
        announcement = parent.type == ChannelType.GUILD_ANNOUNCEMENT
        kind = ChannelType.ANNOUNCEMENT_THREAD if announcement else ChannelType.PUBLIC_THREAD
        thread = Channel(
            thread_id or self.snowflakes.next(),
            int(kind),
            name,
            parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_id or self.bot.id,
        )
        self.channels[thread.id] = thread
        if starter := self.messages.get(thread.id):
            starter.flags |= MessageFlag.HAS_THREAD
        return thread

    def set_permission_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Channel overwrite for a role (target is a role id) or a member (target is a user id)."""
        channel = self.channels[channel_id]
        kind = 0 if target_id in self.guilds[channel.guild_id].roles else 1
        channel.overwrites = [o for o in channel.overwrites if o.id != target_id]
        channel.overwrites.append(Overwrite(target_id, kind, int(allow), int(deny)))

    # ---- lookups

    def channel_messages(self, channel_id: int, *, include_ephemeral: bool = False) -> list[Message]:
        """Live messages of a channel, oldest first."""
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    def threads_of(self, guild_id: int) -> list[Channel]:
        return [c for c in self.channels.values() if c.guild_id == guild_id and c.is_thread and not c.deleted]

    def permissions_for(
        self, user_id: int, channel: Channel | None = None, *, guild_id: int | None = None
    ) -> int:
        """Discord's algorithm (threads use their parent's overwrites),
        https://discord.com/developers/docs/topics/permissions#permission-overwrites"""
        guild = self.guilds[channel.guild_id if channel else guild_id or 0]
        member = guild.members.get(user_id)
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        if member is None:
            return 0
        perms = guild.roles[guild.id].permissions
        for role_id in member.roles:
            perms |= guild.roles[role_id].permissions if role_id in guild.roles else 0
        if perms & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel and channel.is_thread and channel.parent_id:
            channel = self.channels[channel.parent_id]
        return self._apply_overwrites(perms, channel, guild, member) if channel else perms

    @staticmethod
    def _apply_overwrites(perms: int, channel: Channel, guild: Guild, member: Member) -> int:
        overwrites = {o.id: o for o in channel.overwrites}
        if everyone := overwrites.get(guild.id):
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.roles:
            if role_overwrite := overwrites.get(role_id):
                allow, deny = allow | role_overwrite.allow, deny | role_overwrite.deny
        perms = (perms & ~deny) | allow
        if own := overwrites.get(member.user.id):
            perms = (perms & ~own.deny) | own.allow
        return perms

    def channel_for_bot(self, channel_id: int, needed: int = 0) -> Channel:
        """The channel, or the error Discord gives the bot: 404 Unknown Channel, 403 Missing Access
        (cannot see it / not in the guild any more), 403 Missing Permissions (lacks ``needed``)."""
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise DiscordError(ApiError.UNKNOWN_CHANNEL)
        guild = self.guilds.get(channel.guild_id)
        if guild is None or not guild.bot_present:
            raise DiscordError(ApiError.MISSING_ACCESS)
        self.require(channel, needed)
        return channel

    def require(self, channel: Channel, needed: int) -> None:
        perms = self.permissions_for(self.bot.id, channel)
        if not perms & Permission.VIEW_CHANNEL:
            raise DiscordError(ApiError.MISSING_ACCESS)
        if needed & ~perms:
            raise DiscordError(ApiError.MISSING_PERMISSIONS)

    def message_in(self, channel: Channel, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel.id:
            raise DiscordError(ApiError.UNKNOWN_MESSAGE)
        return message

    # ---- messages

    def create_message(
        self, channel: Channel, author: User, body: Json, *, allow_empty: bool = False, **extra: Any
    ) -> Message:
        """Validate and store a message (no event is emitted here)."""
        validate_message_body(body, allow_empty=allow_empty)
        reference = self._resolve_reference(channel, body.get("message_reference"))
        message = Message(
            id=self.snowflakes.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            created_at=self.clock(),
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            flags=int(body.get("flags") or 0),
            type=19 if reference else 0,
            nonce=body.get("nonce"),
            allowed_mentions=body.get("allowed_mentions"),
            message_reference=reference,
            **extra,
        )
        self._apply_mentions(message)
        self.messages[message.id] = message
        if message.nonce is not None:
            self._by_nonce.setdefault((channel.id, author.id, str(message.nonce)), []).append(message)
        channel.last_message_id = message.id
        channel.message_count += 1
        return message

    def edit_message(self, message: Message, body: Json) -> None:
        merged = {"content": message.content, "embeds": message.embeds, "components": message.components} | {
            k: v for k, v in body.items() if v is not None
        }
        validate_message_body(merged, allow_empty=True)
        # Keys sent as null clear the field; keys left out are unchanged.
        for key, cleared in (("content", ""), ("embeds", []), ("components", []), ("allowed_mentions", None)):
            if key in body:
                setattr(message, key, cleared if body[key] is None else body[key])
        if body.get("flags") is not None:
            message.flags = int(body["flags"]) | (message.flags & MessageFlag.EPHEMERAL)
        message.flags &= ~MessageFlag.LOADING
        message.edited_timestamp = now_iso()
        self._apply_mentions(message)

    def find_nonce_duplicate(self, channel_id: int, author_id: int, nonce: str | int) -> Message | None:
        """With enforce_nonce a repeat within the (unpublished, "a few minutes") window returns the
        original, https://discord.com/developers/docs/resources/message#create-message-jsonform-params."""
        now = self.clock()
        for message in reversed(self._by_nonce.get((channel_id, author_id, str(nonce)), [])):
            if (
                message.channel_id == channel_id
                and message.author.id == author_id
                and not message.deleted
                and message.nonce is not None
                and str(message.nonce) == str(nonce)
                and now - message.created_at <= self.nonce_window
            ):
                return message
        return None

    def _resolve_reference(self, channel: Channel, reference: Json | None) -> Json | None:
        if not reference:
            return None
        target = self.messages.get(int(reference.get("message_id") or 0))
        if target is None or target.deleted:
            if reference.get("fail_if_not_exists", True):
                raise invalid_form(
                    "message_reference", "Unknown message", code="MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
                )
            return None
        return {
            "type": 0,
            "message_id": str(target.id),
            "channel_id": str(target.channel_id),
            "guild_id": str(target.guild_id),
        }

    def _apply_mentions(self, message: Message) -> None:
        """Who gets pinged: parsed mentions filtered by allowed_mentions (absent = ping everything)."""
        allowed = message.allowed_mentions
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        users = {int(x) for x in (allowed or {}).get("users") or []}
        roles = {int(x) for x in (allowed or {}).get("roles") or []}
        found_users = dict.fromkeys(int(x) for x in MENTION_USER.findall(message.content))
        message.mentions = [u for u in found_users if u in self.users and ("users" in parse or u in users)]
        found_roles = dict.fromkeys(int(x) for x in MENTION_ROLE.findall(message.content))
        message.mention_roles = [r for r in found_roles if "roles" in parse or r in roles]
        message.mention_everyone = "everyone" in parse and (
            "@everyone" in message.content or "@here" in message.content
        )
        replied = allowed is None or bool(allowed.get("replied_user"))
        if message.message_reference and replied:
            target = self.messages[int(message.message_reference["message_id"])]
            if target.author.id not in message.mentions:
                message.mentions.append(target.author.id)

    def content_visible(self, message: Message, intents: int) -> bool:
        """Message content is privileged: without the intent, content/embeds/attachments/components
        are empty unless the bot wrote or was mentioned,
        https://discord.com/developers/docs/events/gateway#message-content-intent"""
        return (
            bool(intents & Intent.MESSAGE_CONTENT)
            or message.author.id == self.bot.id
            or (self.bot.id in message.mentions)
        )

    def message_payload(self, message: Message, *, intents: int | None = None, gateway: bool = False) -> Json:
        """The message object; ``intents`` None means "content always visible" (interaction payloads)."""
        payload: Json = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "type": message.type,
            "author": message.author.to_payload(),
            "content": message.content,
            "embeds": message.embeds,
            "components": message.components,
            "attachments": message.attachments,
            "timestamp": snowflake_iso(message.id),
            "edited_timestamp": message.edited_timestamp,
            "tts": False,
            "flags": message.flags,
            "mention_everyone": message.mention_everyone,
            "pinned": False,
            "mentions": [self.users[u].to_payload() for u in message.mentions],
            "mention_roles": [str(r) for r in message.mention_roles],
            "reactions": self._reactions(message),
        }
        if message.nonce is not None:
            payload["nonce"] = message.nonce
        if message.message_reference:
            payload["message_reference"] = message.message_reference
        if message.webhook_id:
            payload |= {"webhook_id": str(message.webhook_id), "application_id": str(self.application_id)}
        if message.interaction_metadata:
            payload["interaction_metadata"] = message.interaction_metadata
        if (thread := self.channels.get(message.id)) and not thread.deleted:
            payload["thread"] = thread.to_payload()
        if intents is not None and not self.content_visible(message, intents):
            payload |= {"content": "", "embeds": [], "components": [], "attachments": []}
        if gateway:
            payload["guild_id"] = str(message.guild_id)
            if member := self.guilds[message.guild_id].members.get(message.author.id):
                payload["member"] = member.to_payload(with_user=False)
        return payload

    def _reactions(self, message: Message) -> list[Json]:
        return [
            {
                "emoji": emoji_payload(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": self.bot.id in users,
                "me_burst": False,
                "burst_colors": [],
            }
            for key, users in message.reactions.items()
            if users
        ]

    # ---- application commands

    def overwrite_commands(self, guild_id: int | None, commands: list[Json]) -> list[Json]:
        """Bulk overwrite; existing (name, type) pairs keep their id, as Discord does."""
        for index, command in enumerate(commands):
            validate_command(command, index)
        previous = {(c["name"], c["type"]): c for c in self.commands.get(guild_id, [])}
        stored = [
            self._store_command(guild_id, command, previous.get((command["name"], command.get("type", 1))))
            for command in commands
        ]
        self.commands[guild_id] = stored
        return stored

    def _store_command(self, guild_id: int | None, command: Json, previous: Json | None) -> Json:
        permissions = command.get("default_member_permissions")
        stored: Json = {
            "id": previous["id"] if previous else str(self.snowflakes.next()),
            "application_id": str(self.application_id),
            "type": command.get("type", 1),
            "name": command["name"],
            "description": command.get("description") or "",
            "options": command.get("options") or [],
            "default_member_permissions": None if permissions is None else str(permissions),
            "nsfw": bool(command.get("nsfw")),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "name_localizations": command.get("name_localizations"),
            "description_localizations": command.get("description_localizations"),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        unchanged = previous is not None and {k: v for k, v in previous.items() if k != "version"} == stored
        stored["version"] = previous["version"] if previous and unchanged else str(self.snowflakes.next())
        return stored

    def find_command(self, name: str, guild_id: int | None, command_type: int = 1) -> Json | None:
        """Guild commands first, then global, like Discord's command picker."""
        for scope in (guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == command_type:
                    return command
        return None


def emoji_payload(key: str) -> Json:
    """``"👍"`` → unicode emoji; ``"name:123"`` → custom emoji."""
    name, _, emoji_id = key.partition(":")
    return {"id": emoji_id or None, "name": name} | ({"animated": False} if emoji_id else {})


# --------------------------------------------------------------------------- rate limits and faults


@dataclass
class RateLimitConfig:
    """Off by default. Numbers from PLATFORM_NOTES: 50 req/s global, ~5 per 5 s per channel for
    message create (not published). https://discord.com/developers/docs/topics/rate-limits"""

    enabled: bool = False
    global_limit: int = 50
    global_per: float = 1.0
    routes: dict[str, tuple[int, float]] = field(
        default_factory=lambda: {"POST /channels/{channel_id}/messages": (5, 5.0)}
    )


@dataclass
class _Window:
    limit: int
    per: float
    started: float
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.per:
            self.started, self.used = now, 0

    def reset_after(self, now: float) -> float:
        return max(0.0, self.started + self.per - now)


@dataclass
class Verdict:
    headers: dict[str, str]
    retry_after: float | None = None
    is_global: bool = False
    scope: str = "user"


class RateLimiter:
    """Fixed windows per (route, major parameter) plus a global window, reporting X-RateLimit-* headers."""

    UNLIMITED = 10_000  # what unlimited buckets report, so discord.py never pre-emptively sleeps

    def __init__(self, config: RateLimitConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global: _Window | None = None

    def check(self, route: str, major: str, *, exempt_from_global: bool) -> Verdict:
        now = self.clock()
        if self.config.enabled and not exempt_from_global:
            verdict = self._check_global(now)
            if verdict:
                return verdict
        limit = self.config.routes.get(route) if self.config.enabled else None
        if limit is None:
            return Verdict(self._headers(route, self.UNLIMITED, self.UNLIMITED - 1, 1.0))
        window = self._windows.setdefault((route, major), _Window(limit[0], limit[1], now))
        window.roll(now)
        if window.used >= window.limit:
            reset = window.reset_after(now)
            return Verdict(self._headers(route, window.limit, 0, reset), retry_after=reset)
        window.used += 1
        return Verdict(
            self._headers(route, window.limit, window.limit - window.used, window.reset_after(now))
        )

    def _check_global(self, now: float) -> Verdict | None:
        limit, per = self.config.global_limit, self.config.global_per
        if self._global is None or (self._global.limit, self._global.per) != (limit, per):
            self._global = _Window(limit, per, now)
        self._global.roll(now)
        if self._global.used >= self._global.limit:
            # Global 429s carry X-RateLimit-Global and no bucket headers,
            # https://discord.com/developers/docs/topics/rate-limits#global-rate-limit
            return Verdict(
                {"X-RateLimit-Global": "true"},
                retry_after=self._global.reset_after(now),
                is_global=True,
                scope="global",
            )
        self._global.used += 1
        return None

    @staticmethod
    def _headers(route: str, limit: int, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        }


class FaultKind(enum.Enum):
    STATUS = "status"
    RATE_LIMIT = "rate_limit"
    CLOUDFLARE = "cloudflare"
    DELAY = "delay"
    DROP = "drop"
    DROP_AFTER_COMMIT = "drop_after_commit"


@dataclass
class Fault:
    kind: FaultKind
    route: str | None  # route key ("POST /channels/{channel_id}/messages"), route name, or None = any
    times: int
    status: int = 500
    code: int = 0
    message: str = ""
    retry_after: float = 0.05
    is_global: bool = False
    seconds: float = 0.0
    commit_first: bool = False

    def matches(self, spec: RouteSpec) -> bool:
        return self.route in (None, "*", spec.key, spec.name)


# --------------------------------------------------------------------------- HTTP layer


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # discord.py's Route path, e.g. "/channels/{channel_id}/messages"
    name: str  # Discord docs' endpoint name in snake case, e.g. "create_message"

    @property
    def key(self) -> str:
        """Same string as discord.py's ``Route.key``."""
        return f"{self.method} {self.path}"

    @property
    def is_interaction(self) -> bool:
        # Interaction endpoints authenticate by token and skip the global limit,
        # https://discord.com/developers/docs/interactions/receiving-and-responding#endpoints
        return self.path.startswith(("/interactions/", "/webhooks/"))


WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"
ROUTES = [
    RouteSpec("GET", "/users/@me", "get_current_user"),
    RouteSpec("GET", "/gateway", "get_gateway"),
    RouteSpec("GET", "/gateway/bot", "get_gateway_bot"),
    RouteSpec("GET", "/applications/@me", "get_current_application"),
    RouteSpec("GET", "/oauth2/applications/@me", "get_current_bot_application_information"),
    RouteSpec("GET", "/applications/{application_id}/commands", "get_global_application_commands"),
    RouteSpec("PUT", "/applications/{application_id}/commands", "bulk_overwrite_global_application_commands"),
    RouteSpec(
        "GET", "/applications/{application_id}/guilds/{guild_id}/commands", "get_guild_application_commands"
    ),
    RouteSpec(
        "PUT",
        "/applications/{application_id}/guilds/{guild_id}/commands",
        "bulk_overwrite_guild_application_commands",
    ),
    RouteSpec("GET", "/channels/{channel_id}", "get_channel"),
    RouteSpec("GET", "/channels/{channel_id}/messages", "get_channel_messages"),
    RouteSpec("POST", "/channels/{channel_id}/messages", "create_message"),
    RouteSpec("GET", "/channels/{channel_id}/messages/{message_id}", "get_channel_message"),
    RouteSpec("PATCH", "/channels/{channel_id}/messages/{message_id}", "edit_message"),
    RouteSpec("DELETE", "/channels/{channel_id}/messages/{message_id}", "delete_message"),
    RouteSpec("POST", "/channels/{channel_id}/messages/{message_id}/threads", "start_thread_from_message"),
    RouteSpec("POST", "/interactions/{webhook_id}/{webhook_token}/callback", "create_interaction_response"),
    RouteSpec("GET", WEBHOOK + "/messages/@original", "get_original_interaction_response"),
    RouteSpec("PATCH", WEBHOOK + "/messages/@original", "edit_original_interaction_response"),
    RouteSpec("DELETE", WEBHOOK + "/messages/@original", "delete_original_interaction_response"),
    RouteSpec("POST", WEBHOOK, "create_followup_message"),
    RouteSpec("PATCH", WEBHOOK + "/messages/{message_id}", "edit_followup_message"),
    RouteSpec("DELETE", WEBHOOK + "/messages/{message_id}", "delete_followup_message"),
    RouteSpec("GET", "/guilds/{guild_id}", "get_guild"),
    RouteSpec("GET", "/guilds/{guild_id}/members/{user_id}", "get_guild_member"),
    RouteSpec("GET", "/guilds/{guild_id}/roles", "get_guild_roles"),
]


@dataclass
class RestCall:
    """One request as the fake saw it (``status`` is what it answered, 0 if the connection was dropped)."""

    route: str
    name: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Call:
    request: web.Request
    params: dict[str, str]
    query: dict[str, str]
    body: Any

    def id(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise invalid_form(name, "Value is not snowflake.", code="NUMBER_TYPE_COERCE") from None

    def json(self) -> Json:
        return self.body if isinstance(self.body, dict) else {}


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly "application/json" (http.json_or_text);
    # aiohttp's json_response would append "; charset=utf-8".
    return web.Response(
        body=json.dumps(body).encode(), status=status, content_type="application/json", headers=headers
    )


class FakeDiscordRest(DiscordState):
    """The REST side: routes, auth, rate limits, faults and the interaction endpoints."""

    base_url = "http://127.0.0.1:0"  # set by FakeDiscord.start()

    def __init__(
        self, *, rate_limits: RateLimitConfig | None = None, shard_count: int = 1, **state_options: Any
    ) -> None:
        super().__init__(**state_options)
        self.rate_limits = rate_limits or RateLimitConfig()
        self.limiter = RateLimiter(self.rate_limits, self.clock)
        self.shard_count = shard_count
        self.session_starts_remaining = 1000
        self.calls: Counter[str] = Counter()  # route key -> number of requests
        self.call_log: list[RestCall] = []
        self.unknown_routes: list[str] = []  # requests for endpoints the fake does not implement
        self.invalid_requests = 0  # 401/403/429 answers; Discord bans an IP at 10,000 per 10 minutes
        self.faults: list[Fault] = []
        self._stopping = asyncio.Event()
        # OAuth2 for "Sign in with Discord": authorize, token, and what a user's Bearer token reads.
        self.oauth = DiscordOAuth(self, api_prefix=API_PREFIX, clock=self.clock)
        # Attachments' bytes by attachment id (the fake CDN), and the per-file limit (no boosts).
        self.attachment_bytes: dict[int, bytes] = {}
        self.attachment_size_limit = files.MAX_FILE

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    # ---- fault injection

    def fail_next(
        self,
        route_or_method_name: str | None,
        *,
        status: int = 500,
        times: int = 1,
        code: int = 0,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` and a Discord error body.
        A 429 here is a proper rate-limit answer (JSON + Via); see ``storm_429``."""
        if status == 429:
            self.storm_429(times, route=route_or_method_name)
            return
        text = message or f"{status}: {HTTPStatus(status).phrase}"
        self._add_fault(Fault(FaultKind.STATUS, route_or_method_name, times, status, code, text))

    def storm_429(
        self,
        count: int,
        *,
        route: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        cloudflare: bool = False,
    ) -> None:
        """The next ``count`` matching requests get 429. ``cloudflare=True`` imitates a Cloudflare ban
        (HTML, no Via header), which discord.py raises instead of retrying."""
        kind = FaultKind.CLOUDFLARE if cloudflare else FaultKind.RATE_LIMIT
        self._add_fault(Fault(kind, route, count, 429, retry_after=retry_after, is_global=is_global))

    def delay_next(
        self, route: str | None, *, seconds: float, times: int = 1, commit_first: bool = False
    ) -> None:
        """Answer ``seconds`` late, beyond the client's patience. With ``commit_first`` the request is
        applied before the wait (the client times out on a message that was in fact posted); without
        it, it is applied after the wait only if the client is still listening."""
        self._add_fault(Fault(FaultKind.DELAY, route, times, seconds=seconds, commit_first=commit_first))

    def drop_next(self, route: str | None, *, times: int = 1) -> None:
        """Close the connection without answering and without applying the request."""
        self._add_fault(Fault(FaultKind.DROP, route, times))

    def drop_after_commit(self, route: str | None, *, times: int = 1) -> None:
        """Apply the request (e.g. store the message), then close the connection without answering."""
        self._add_fault(Fault(FaultKind.DROP_AFTER_COMMIT, route, times))

    def _add_fault(self, fault: Fault) -> None:
        known = {spec.key for spec in ROUTES} | {spec.name for spec in ROUTES} | {"*"}
        if fault.route is not None and fault.route not in known:
            raise ValueError(f"unknown route {fault.route!r}; use a route key or name from ROUTES")
        self.faults.append(fault)

    def _take_fault(self, spec: RouteSpec) -> Fault | None:
        for fault in self.faults:
            if fault.matches(spec):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # ---- HTTP plumbing

    def add_rest_routes(self, app: web.Application) -> None:
        self.oauth.add_routes(app)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{name}", self._cdn)
        for spec in ROUTES:
            handler = getattr(self, "_" + spec.name)
            app.router.add_route(spec.method, API_PREFIX + spec.path, self._endpoint(spec, handler))
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._unknown_route)

    def _endpoint(
        self, spec: RouteSpec, handler: Callable[[Call], Awaitable[Any]]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, spec, handler)

        return endpoint

    async def _unknown_route(self, request: web.Request) -> web.Response:
        self.unknown_routes.append(f"{request.method} {request.path}")
        return json_response(DiscordError(ApiError.NOT_FOUND).body(), status=404)

    async def _serve(
        self, request: web.Request, spec: RouteSpec, handler: Callable[[Call], Awaitable[Any]]
    ) -> web.StreamResponse:
        self.calls[spec.key] += 1
        record = RestCall(spec.key, spec.name, dict(request.match_info), dict(request.query), None)
        self.call_log.append(record)
        try:
            record.body = await _read_body(request)
            response = await self._serve_call(request, spec, handler, record)
            if response is None:  # connection dropped on purpose; nothing reaches the client
                return web.Response(status=204)
            record.status = response.status
            self.invalid_requests += response.status in (401, 403, 429)
            return response
        finally:
            self._changed()

    async def _serve_call(
        self,
        request: web.Request,
        spec: RouteSpec,
        handler: Callable[[Call], Awaitable[Any]],
        record: RestCall,
    ) -> web.Response | None:
        fault = self._take_fault(spec)
        kind = fault.kind if fault else None
        if kind is FaultKind.DROP:
            abort_connection(request)
            return None
        if fault and kind is FaultKind.DELAY and not fault.commit_first:
            await self._sleep(fault.seconds)
            if self._stopping.is_set() or request.transport is None or request.transport.is_closing():
                return None  # the client gave up first: nothing was applied
        if kind is FaultKind.CLOUDFLARE:  # Cloudflare answers before Discord does: HTML, no Via
            return web.Response(status=429, text="<html>error code: 1015</html>", content_type="text/html")
        headers, refusal = self._admit(request, spec)
        if refusal is not None:
            return refusal
        if fault and kind in (FaultKind.STATUS, FaultKind.RATE_LIMIT):
            return self._fault_response(fault, headers)
        call = Call(request, dict(request.match_info), dict(request.query), record.body)
        response = await self._run(handler, call, headers)
        if fault and kind is FaultKind.DELAY and fault.commit_first:
            await self._sleep(fault.seconds)
        if kind is FaultKind.DROP_AFTER_COMMIT:
            record.status = response.status
            abort_connection(request)
            return None
        return response

    def _admit(self, request: web.Request, spec: RouteSpec) -> tuple[dict[str, str], web.Response | None]:
        """Authenticate, then count the request against its bucket. Returns the headers every answer
        carries, and a 401/429 answer when the request may not proceed."""
        user_token = spec.name == "get_current_user" and self.oauth.user_for(
            request.headers.get("Authorization")
        )
        if (
            not spec.is_interaction
            and not user_token
            and request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            error = DiscordError(ApiError.UNAUTHORIZED)
            return {}, json_response(error.body(), status=error.status, headers={"Via": "1.1 google"})
        params = request.match_info
        major = (
            params.get("channel_id")
            or params.get("guild_id")
            or (f"{params.get('webhook_id', '')}+{params.get('webhook_token', '')}")
        )
        verdict = self.limiter.check(spec.key, major, exempt_from_global=spec.is_interaction)
        # Real Discord answers pass Google's load balancer, hence Via on everything.
        headers = {"Via": "1.1 google"} | verdict.headers
        if verdict.retry_after is None:
            return headers, None
        return headers, self._rate_limited(verdict.retry_after, verdict.is_global, verdict.scope, headers)

    async def _run(
        self, handler: Callable[[Call], Awaitable[Any]], call: Call, headers: dict[str, str]
    ) -> web.Response:
        try:
            result = await handler(call)
        except DiscordError as error:
            return json_response(error.body(), status=error.status, headers=headers)
        except Exception as bug:  # a 400, not a 500: discord.py would retry a 500 for ~25 s
            self.internal_errors.append(traceback.format_exc())
            body = {"message": f"fake Discord bug: {bug!r}", "code": 0}
            return json_response(body, status=400, headers=headers)
        if result is NO_CONTENT:
            return web.Response(status=204, headers=headers)
        return json_response(result, headers=headers)

    def _fault_response(self, fault: Fault, headers: dict[str, str]) -> web.Response:
        if fault.kind is FaultKind.RATE_LIMIT:
            scope = "global" if fault.is_global else "user"
            extra = {"X-RateLimit-Global": "true"} if fault.is_global else {}
            return self._rate_limited(fault.retry_after, fault.is_global, scope, headers | extra)
        return json_response(
            {"message": fault.message, "code": fault.code}, status=fault.status, headers=headers
        )

    @staticmethod
    def _rate_limited(
        retry_after: float, is_global: bool, scope: str, headers: dict[str, str]
    ) -> web.Response:
        # discord.py retries a 429 only if the body is JSON (exact Content-Type) and a Via header is
        # present; otherwise it assumes a Cloudflare ban.
        # https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        headers = headers | {"Retry-After": str(math.ceil(retry_after)), "X-RateLimit-Scope": scope}
        return json_response(body, status=429, headers=headers)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake early when the server stops so shutdown is never held up."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # ---- users, gateway, application

    async def _get_current_user(self, call: Call) -> Json:
        if (user_id := self.oauth.user_for(call.request.headers.get("Authorization"))) is not None:
            return self.oauth.current_user(user_id)  # a signed-in person's token (scope identify)
        return self.bot.to_payload() | {"verified": True, "mfa_enabled": False, "flags": 0}

    async def _get_gateway(self, call: Call) -> Json:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, call: Call) -> Json:
        return {
            "url": self.gateway_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": self.session_starts_remaining,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    async def _get_current_application(self, call: Call) -> Json:
        return self.application_payload()

    async def _get_current_bot_application_information(self, call: Call) -> Json:
        return self.application_payload()

    def application_payload(self) -> Json:
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.bot.to_payload(),
            "verify_key": "0" * 64,
            "team": None,
            "flags": self.application_flags(),
            "summary": "",
            "bot": self.bot.to_payload(),
            "interactions_endpoint_url": None,
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def application_flags(self) -> int:
        """GATEWAY_* flags mirror the privileged intents enabled in the developer portal,
        https://discord.com/developers/docs/resources/application#application-object-application-flags."""
        flags = 0
        if self.privileged_intents & Intent.GUILD_PRESENCES:
            flags |= 1 << 13
        if self.privileged_intents & Intent.GUILD_MEMBERS:
            flags |= 1 << 15
        if self.privileged_intents & Intent.MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    # ---- application commands

    def _own_application(self, call: Call) -> None:
        if call.id("application_id") != self.application_id:
            raise DiscordError(ApiError.MISSING_ACCESS)

    def _guild_for_bot(self, guild_id: int) -> Guild:
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise DiscordError(ApiError.UNKNOWN_GUILD)
        if not guild.bot_present:
            raise DiscordError(ApiError.MISSING_ACCESS)
        return guild

    async def _get_global_application_commands(self, call: Call) -> list[Json]:
        self._own_application(call)
        return self.commands.get(None, [])

    async def _bulk_overwrite_global_application_commands(self, call: Call) -> list[Json]:
        self._own_application(call)
        return self.overwrite_commands(None, call.body if isinstance(call.body, list) else [])

    async def _get_guild_application_commands(self, call: Call) -> list[Json]:
        self._own_application(call)
        return self.commands.get(self._guild_for_bot(call.id("guild_id")).id, [])

    async def _bulk_overwrite_guild_application_commands(self, call: Call) -> list[Json]:
        self._own_application(call)
        guild = self._guild_for_bot(call.id("guild_id"))
        return self.overwrite_commands(guild.id, call.body if isinstance(call.body, list) else [])

    # ---- channels and messages

    async def _get_channel(self, call: Call) -> Json:
        return self.channel_for_bot(call.id("channel_id")).to_payload()

    async def _get_channel_messages(self, call: Call) -> list[Json]:
        """Newest first; ``before``/``after``/``around`` pick the page,
        https://discord.com/developers/docs/resources/message#get-channel-messages."""
        channel = self.channel_for_bot(call.id("channel_id"), Permission.READ_MESSAGE_HISTORY)
        limit = int(call.query.get("limit", 50))
        if not 1 <= limit <= 100:
            raise invalid_form(
                "limit", "Int value should be less than or equal to 100.", code="NUMBER_TYPE_MAX"
            )
        history = self.channel_messages(channel.id)
        if before := call.query.get("before"):
            page = [m for m in history if m.id < int(before)][-limit:]
        elif after := call.query.get("after"):
            page = [m for m in history if m.id > int(after)][:limit]
        elif around := call.query.get("around"):
            older = [m for m in history if m.id < int(around)]
            page = (older[-(limit // 2) :] if limit > 1 else []) + [m for m in history if m.id >= int(around)]
            page = page[:limit]
        else:
            page = history[-limit:]
        return [self.message_payload(m, intents=self.privileged_intents) for m in reversed(page)]

    async def _get_channel_message(self, call: Call) -> Json:
        channel = self.channel_for_bot(call.id("channel_id"), Permission.READ_MESSAGE_HISTORY)
        return self.message_payload(
            self.message_in(channel, call.id("message_id")), intents=self.privileged_intents
        )

    async def _create_message(self, call: Call) -> Json:
        channel = self.channel_for_bot(call.id("channel_id"))
        self.require(
            channel, Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permission.SEND_MESSAGES
        )
        body = dict(call.json())
        uploads: list[files.Upload] = body.pop(files.UPLOADS_KEY, [])
        if len(uploads) > files.MAX_FILES:
            raise invalid_form("files", f"Must be {files.MAX_FILES} or fewer in length.")
        if files.too_large(uploads, self.attachment_size_limit):
            raise DiscordError(ApiError.REQUEST_TOO_LARGE)
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce is not None:
            validate_message_body({"nonce": nonce}, allow_empty=True)
            if original := self.find_nonce_duplicate(channel.id, self.bot.id, nonce):
                return self.message_payload(original)
        message = self.create_message(channel, self.bot, body, allow_empty=bool(uploads))
        self.attach_files(message, uploads)
        self.emit_message("MESSAGE_CREATE", message)
        return self.message_payload(message)

    def attach_files(self, message: Message, uploads: list[files.Upload]) -> None:
        """Store the uploads as the message's attachments, served by the fake CDN."""
        for upload in sorted(uploads, key=lambda u: u.index):
            attachment_id = self.snowflakes.next()
            name = files.filename_of(upload.filename)
            url = f"{self.base_url}/attachments/{message.channel_id}/{attachment_id}/{name}"
            self.attachment_bytes[attachment_id] = upload.data
            message.attachments.append(files.attachment_payload(attachment_id, upload, url))
        if message.attachments:
            message.embeds = files.resolve_embeds(message.embeds, message.attachments)

    async def _cdn(self, request: web.Request) -> web.Response:
        """cdn.discordapp.com/attachments/{channel}/{attachment}/{name}: the bytes, no auth needed."""
        data = self.attachment_bytes.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _edit_message(self, call: Call) -> Json:
        channel = self.channel_for_bot(call.id("channel_id"))
        message = self.message_in(channel, call.id("message_id"))
        if message.author.id != self.bot.id:
            raise DiscordError(ApiError.CANNOT_EDIT_OTHERS_MESSAGE)
        self.edit_message(message, call.json())
        if message.attachments:  # an edit's embeds may show the message's files (`attachment://`)
            message.embeds = files.resolve_embeds(message.embeds, message.attachments)
        self.emit_message("MESSAGE_UPDATE", message)
        return self.message_payload(message)

    async def _delete_message(self, call: Call) -> object:
        channel = self.channel_for_bot(call.id("channel_id"))
        message = self.message_in(channel, call.id("message_id"))
        if message.author.id != self.bot.id:
            self.require(channel, Permission.MANAGE_MESSAGES)
        self.delete_stored_message(message)
        return NO_CONTENT

    def delete_stored_message(self, message: Message) -> None:
        message.deleted = True
        data = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "guild_id": str(message.guild_id),
        }
        self._emit("MESSAGE_DELETE", lambda _: data, guild_id=message.guild_id, intent=Intent.GUILD_MESSAGES)

    async def _start_thread_from_message(self, call: Call) -> Json:
        """The thread gets the starter message's id,
        https://discord.com/developers/docs/resources/channel#start-thread-from-message"""
        channel = self.channel_for_bot(call.id("channel_id"), Permission.CREATE_PUBLIC_THREADS)
        message = self.message_in(channel, call.id("message_id"))
        if message.id in self.channels:
            raise DiscordError(ApiError.THREAD_ALREADY_CREATED)
        name = call.json().get("name") or ""
        if not 1 <= len(name) <= 100:
            raise invalid_form("name", "Must be between 1 and 100 in length.")
        thread = self.add_thread(channel.id, name, thread_id=message.id, owner_id=self.bot.id)
        self.emit_thread_create(thread)
        return thread.to_payload()

    def emit_message(self, event: str, message: Message) -> None:
        """MESSAGE_CREATE/UPDATE for non-ephemeral messages, content per each session's intents."""
        if message.ephemeral:
            return
        self._emit(
            event,
            lambda intents: self.message_payload(message, intents=intents, gateway=True),
            guild_id=message.guild_id,
            intent=Intent.GUILD_MESSAGES,
        )

    def emit_thread_create(self, thread: Channel) -> None:
        data = thread.to_payload() | {"newly_created": True}
        self._emit("THREAD_CREATE", lambda _: data, guild_id=thread.guild_id, intent=Intent.GUILDS)

    # ---- guilds

    async def _get_guild(self, call: Call) -> Json:
        guild = self._guild_for_bot(call.id("guild_id"))
        payload = guild.to_payload()
        if call.query.get("with_counts") in ("true", "1", "True"):
            payload |= {"approximate_member_count": len(guild.members), "approximate_presence_count": 0}
        return payload

    async def _get_guild_member(self, call: Call) -> Json:
        guild = self._guild_for_bot(call.id("guild_id"))
        member = guild.members.get(call.id("user_id"))
        if member is None:
            raise DiscordError(ApiError.UNKNOWN_MEMBER)
        return member.to_payload()

    async def _get_guild_roles(self, call: Call) -> list[Json]:
        return [r.to_payload() for r in self._guild_for_bot(call.id("guild_id")).roles.values()]

    # ---- interactions: https://discord.com/developers/docs/interactions/receiving-and-responding

    def _interaction_by_callback(self, call: Call) -> Interaction:
        interaction = self.interactions.get(call.id("webhook_id"))
        if interaction is None or interaction.token != call.params["webhook_token"]:
            raise DiscordError(ApiError.UNKNOWN_INTERACTION)
        # An interaction must be answered within 3 s; later callbacks get 10062.
        if not interaction.callbacks and self.clock() - interaction.created_at > self.interaction_ack_timeout:
            raise DiscordError(ApiError.UNKNOWN_INTERACTION)
        return interaction

    def _interaction_by_webhook(self, call: Call) -> Interaction:
        token = call.params["webhook_token"]
        interaction = next((i for i in self.interactions.values() if i.token == token), None)
        # The token works for 15 minutes; the webhook id is the application id.
        if (
            interaction is None
            or call.id("webhook_id") != self.application_id
            or self.clock() - interaction.created_at > self.interaction_token_ttl
        ):
            raise DiscordError(ApiError.INVALID_WEBHOOK_TOKEN)
        return interaction

    async def _create_interaction_response(self, call: Call) -> Any:
        interaction = self._interaction_by_callback(call)
        body = dict(call.json())
        # Multipart as for messages: `payload_json` (the whole callback body) and `files[n]`.
        uploads = self._checked_uploads(body)
        if interaction.callbacks:
            raise DiscordError(ApiError.ALREADY_ACKNOWLEDGED)
        kind = int(body.get("type") or 0)
        self._check_callback_type(interaction, kind)
        if uploads and kind not in (4, 7):
            raise invalid_form("files", f"Callback type {kind} takes no files")
        message = self._apply_callback(interaction, kind, body.get("data") or {}, uploads)
        interaction.callbacks.append(body)
        # discord.py asks for ?with_response=1 and reads {"interaction", "resource"}.
        if call.query.get("with_response", "").lower() not in ("1", "true"):
            return NO_CONTENT
        return self._callback_response(interaction, kind, message)

    @staticmethod
    def _check_callback_type(interaction: Interaction, kind: int) -> None:
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}.get(interaction.type, set())
        if interaction.type == 5 and interaction.message_id is None:
            allowed = {4, 5}
        if kind not in allowed:
            raise invalid_form(
                "type",
                f"Callback type {kind} is not valid for interaction type {interaction.type}",
                code="INTERACTION_CALLBACK_TYPE_INVALID",
            )

    def _checked_uploads(self, body: Json) -> list[files.Upload]:
        """The files of a multipart request (taken out of `body`), within Discord's limits."""
        uploads: list[files.Upload] = body.pop(files.UPLOADS_KEY, [])
        if len(uploads) > files.MAX_FILES:
            raise invalid_form("files", f"Must be {files.MAX_FILES} or fewer in length.")
        if files.too_large(uploads, self.attachment_size_limit):
            raise DiscordError(ApiError.REQUEST_TOO_LARGE)
        return uploads

    def _apply_callback(
        self, interaction: Interaction, kind: int, data: Json, uploads: list[files.Upload] | None = None
    ) -> Message | None:
        uploads = uploads or []
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) & MessageFlag.EPHEMERAL
            body = data | {"flags": flags | (MessageFlag.LOADING if kind == 5 else 0)}
            message = self._interaction_message(
                interaction, body, allow_empty=kind == 5 or bool(uploads), uploads=uploads
            )
            interaction.original_message_id = message.id
            return message
        if kind in (6, 7):
            interaction.original_message_id = interaction.message_id
            message = self.messages[interaction.message_id or 0]
            if kind == 7:
                self.edit_message(message, data)
                self.attach_files(message, uploads)
                self.emit_message("MESSAGE_UPDATE", message)
            return message
        if kind == 8 and len(data.get("choices") or []) > 25:
            raise invalid_form("data.choices", "Must be 25 or fewer in length.")
        if kind == 9 and not (data.get("custom_id") and data.get("title")):
            raise invalid_form("data", "Modal needs custom_id and title", code="BASE_TYPE_REQUIRED")
        return None

    def _interaction_message(
        self,
        interaction: Interaction,
        body: Json,
        *,
        allow_empty: bool = False,
        uploads: list[files.Upload] | None = None,
    ) -> Message:
        channel = self.channels[interaction.channel_id]
        user = self.users[interaction.user_id]
        metadata = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": user.to_payload(),
            "authorizing_integration_owners": {"0": str(interaction.guild_id)},
        }
        message = self.create_message(
            channel,
            self.bot,
            body,
            allow_empty=allow_empty,
            webhook_id=self.application_id,
            interaction_metadata=metadata,
        )
        message.type = 20 if interaction.type == 2 else 0
        self.attach_files(message, uploads or [])
        self.emit_message("MESSAGE_CREATE", message)
        return message

    def _callback_response(self, interaction: Interaction, kind: int, message: Message | None) -> Json:
        info: Json = {"id": str(interaction.id), "type": interaction.type}
        resource: Json = {"type": kind}
        if message is not None:
            info |= {
                "response_message_id": str(message.id),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": message.ephemeral,
            }
            resource["message"] = self.message_payload(message)
        return {"interaction": info, "resource": resource}

    def _original(self, interaction: Interaction) -> Message:
        message = self.messages.get(interaction.original_message_id or 0)
        if message is None or message.deleted:
            raise DiscordError(ApiError.UNKNOWN_MESSAGE)
        return message

    def _followup(self, interaction: Interaction, call: Call) -> Message:
        message_id = call.id("message_id")
        if message_id not in interaction.followup_ids and message_id != interaction.original_message_id:
            raise DiscordError(ApiError.UNKNOWN_MESSAGE)
        return (
            self._original(interaction)
            if message_id == interaction.original_message_id
            else (self.messages[message_id])
        )

    async def _get_original_interaction_response(self, call: Call) -> Json:
        return self.message_payload(self._original(self._interaction_by_webhook(call)))

    async def _edit_original_interaction_response(self, call: Call) -> Json:
        message = self._original(self._interaction_by_webhook(call))
        body = dict(call.json())
        uploads = self._checked_uploads(body)
        self.edit_message(message, body)
        if "attachments" in body:  # the attachments kept: those listed by id; new uploads join them
            kept = {str(a.get("id")) for a in body["attachments"] or [] if isinstance(a, dict)}
            message.attachments = [a for a in message.attachments if a["id"] in kept]
        self.attach_files(message, uploads)
        self.emit_message("MESSAGE_UPDATE", message)
        return self.message_payload(message)

    async def _delete_original_interaction_response(self, call: Call) -> object:
        self.delete_stored_message(self._original(self._interaction_by_webhook(call)))
        return NO_CONTENT

    async def _create_followup_message(self, call: Call) -> Any:
        interaction = self._interaction_by_webhook(call)
        if not interaction.callbacks:
            raise DiscordError(ApiError.UNKNOWN_WEBHOOK)
        body = dict(call.json())
        uploads = self._checked_uploads(body)
        original = self.messages.get(interaction.original_message_id or 0)
        if original is not None and original.flags & MessageFlag.LOADING:
            # The first followup after a deferred (type 5) response replaces the loading message and
            # keeps the defer's ephemeral choice,
            # https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
            self.edit_message(original, body | {"flags": None})
            self.attach_files(original, uploads)
            self.emit_message("MESSAGE_UPDATE", original)
            message = original
        else:
            message = self._interaction_message(interaction, body, allow_empty=bool(uploads), uploads=uploads)
            interaction.followup_ids.append(message.id)
        wait = call.query.get("wait", "").lower() in ("1", "true")
        return self.message_payload(message) if wait else NO_CONTENT

    async def _edit_followup_message(self, call: Call) -> Json:
        message = self._followup(self._interaction_by_webhook(call), call)
        self.edit_message(message, call.json())
        self.emit_message("MESSAGE_UPDATE", message)
        return self.message_payload(message)

    async def _delete_followup_message(self, call: Call) -> object:
        self.delete_stored_message(self._followup(self._interaction_by_webhook(call), call))
        return NO_CONTENT


def abort_connection(request: web.Request) -> None:
    """Close the TCP connection without an answer (the client sees "Server disconnected")."""
    if request.transport is not None:
        request.transport.abort()


async def _read_body(request: web.Request) -> Any:
    """JSON body, or ``payload_json`` of a multipart upload (file contents are not kept)."""
    if not request.body_exists:
        return None
    if request.content_type == "multipart/form-data":
        return await files.read_multipart(request)
    text = await request.text()
    try:
        return json.loads(text) if text else None
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(
            text=json.dumps(DiscordError(ApiError.BAD_JSON).body()), content_type="application/json"
        ) from None
