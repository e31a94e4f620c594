"""A fake Slack Web API for tests, served by aiohttp on 127.0.0.1 inside the test's event loop.

It follows Slack's documentation (https://docs.slack.dev/reference/methods/), not what our adapter expects:
point `AsyncWebClient(base_url=fake.base_url)` at it, arrange workspaces/channels/users, inject faults and
rate limits, then inspect what was stored. The inbound side (signed requests to a bot) is in
`tests.fakes.slack_events`; Socket Mode (`apps.connections.open` and its WebSocket) in
`tests.fakes.slack_socket`, reached as `fake.socket_mode`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import urlencode

from aiohttp import web

from tests.fakes.slack_files import FilesError, SlackFiles
from tests.fakes.slack_oidc import SlackOpenID
from tests.fakes.slack_socket import LINK_PATH, SocketMode

JSON = dict[str, Any]
Clock = Callable[[], float]
FaultKind = Literal["timeout", "drop", "drop_after_commit", "timeout_after_commit"]

# Tier n allows "n+ per minute" with bursts: https://docs.slack.dev/apis/web-api/rate-limits
TIER_PER_MINUTE = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
METHOD_TIERS = {
    "auth.test": 4, "chat.update": 3, "chat.delete": 3, "chat.postEphemeral": 4,
    "conversations.history": 3, "conversations.replies": 3, "conversations.info": 3,
    "views.open": 4, "views.update": 4, "views.publish": 4, "users.info": 4,
    "usergroups.users.list": 2, "reactions.add": 3, "oauth.v2.access": 4, "team.info": 3,
    "files.getUploadURLExternal": 4, "files.completeUploadExternal": 4, "files.info": 4, "files.delete": 3,
    "files.list": 3,
}  # fmt: skip
HISTORY_METHODS = frozenset({"conversations.history", "conversations.replies"})
MAX_TEXT = 40_000  # longer text is truncated: https://docs.slack.dev/reference/methods/chat.postMessage
MAX_BLOCKS = 50  # https://docs.slack.dev/reference/block-kit/blocks
MAX_SECTION_TEXT = 3_000
# https://docs.slack.dev/interactivity/handling-user-interaction: a trigger_id expires after 3 s and is
# single-use; a response_url takes "up to 5" posts "within 30 minutes".
TRIGGER_TTL = 3.0
RESPONSE_URL_USES, RESPONSE_URL_TTL = 5, 30 * 60
OAUTH_CODE_TTL = 10 * 60  # https://docs.slack.dev/authentication/installing-with-oauth


class ManualClock:
    """An injectable monotonic clock that only moves when a test says so."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Limit:
    """A token bucket: `per_second` sustained, up to `burst` at once."""

    per_second: float
    burst: float

    @classmethod
    def per_minute(cls, n: float) -> Limit:
        return cls(n / 60.0, max(n, 1.0))


def _default_tiers() -> dict[str, Limit]:
    return {m: Limit.per_minute(TIER_PER_MINUTE[t]) for m, t in METHOD_TIERS.items()}


@dataclass
class RateLimits:
    """Off by default. chat.postMessage is "1 per second per channel, short bursts allowed" plus an
    unpublished workspace-wide cap (the default here is a guess); other methods use their tier."""

    enabled: bool = False
    channel_post: Limit = field(default_factory=lambda: Limit(1.0, 3))
    workspace_post: Limit = field(default_factory=lambda: Limit(5.0, 20))
    tiers: dict[str, Limit] = field(default_factory=_default_tiers)
    # Commercially distributed apps not approved for the Marketplace: conversations.history/replies at
    # 1 request/min and at most 15 rows/page. https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps
    non_marketplace: bool = False

    def limit_for(self, method: str) -> Limit | None:
        if self.non_marketplace and method in HISTORY_METHODS:
            return Limit.per_minute(1)
        return self.tiers.get(method)


@dataclass
class _Bucket:
    limit: Limit
    tokens: float
    at: float

    def wait(self, now: float) -> float:
        """Refill, then return the seconds until one token is available (0 if one is)."""
        self.tokens = min(self.limit.burst, self.tokens + (now - self.at) * self.limit.per_second)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.limit.per_second


@dataclass
class Fault:
    status: int | None = None
    error: str | None = None
    kind: FaultKind | None = None
    retry_after: int | None = None
    delay: float = 30.0

    @property
    def after_commit(self) -> bool:
        return self.kind in ("drop_after_commit", "timeout_after_commit")


@dataclass
class Workspace:
    team_id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    scopes: set[str]
    inactive_error: str | None = None  # set by FakeSlack.deactivate


@dataclass
class User:
    id: str
    team_id: str
    name: str
    is_admin: bool = False
    is_bot: bool = False

    def to_api(self) -> JSON:
        profile = {"real_name": self.name, "display_name": self.name, "team": self.team_id}
        return {"id": self.id, "team_id": self.team_id, "name": self.name, "real_name": self.name,
                "deleted": False, "is_admin": self.is_admin, "is_bot": self.is_bot,
                "profile": profile}  # fmt: skip


@dataclass
class Message:
    ts: str
    channel: str
    text: str = ""
    blocks: list[JSON] | None = None
    metadata: JSON | None = None
    thread_ts: str | None = None
    user: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    team: str | None = None
    edited: JSON | None = None
    deleted: bool = False
    reply_broadcast: bool = False
    reactions: dict[str, list[str]] = field(default_factory=dict)
    files: list[JSON] | None = None  # shared files (files.completeUploadExternal, a person's upload)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, *, include_metadata: bool = True) -> JSON:
        out: JSON = {"type": "message", "ts": self.ts, "text": self.text}
        optional = {"user": self.user, "bot_id": self.bot_id, "app_id": self.app_id, "team": self.team,
                    "blocks": self.blocks, "thread_ts": self.thread_ts, "edited": self.edited}  # fmt: skip
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.files:
            out.update(files=self.files, upload=True)
        if include_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        if any(self.reactions.values()):
            out["reactions"] = [
                {"name": n, "users": u, "count": len(u)} for n, u in self.reactions.items() if u
            ]
        return out


@dataclass
class Channel:
    id: str
    name: str
    team_id: str
    is_private: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)
    shared_team_ids: set[str] = field(default_factory=set)  # Slack Connect: other orgs in the channel
    messages: list[Message] = field(default_factory=list)

    def visible_to(self, team_id: str) -> bool:
        return team_id == self.team_id or team_id in self.shared_team_ids

    def find(self, ts: str) -> Message | None:
        return next((m for m in self.messages if m.ts == ts and not m.deleted), None)

    def replies(self, parent_ts: str) -> list[Message]:
        return [m for m in self.messages if m.is_reply and m.thread_ts == parent_ts and not m.deleted]

    def history(self) -> list[Message]:
        """What conversations.history shows: no thread replies unless broadcast to the channel."""
        return [m for m in self.messages if not m.deleted and (not m.is_reply or m.reply_broadcast)]

    def to_api(self, team_id: str, bot_user_id: str) -> JSON:
        return {"id": self.id, "name": self.name, "is_channel": not self.is_private,
                "is_group": self.is_private, "is_im": False, "is_private": self.is_private,
                "is_archived": self.is_archived, "is_member": bot_user_id in self.members,
                "is_ext_shared": bool(self.shared_team_ids), "is_shared": bool(self.shared_team_ids),
                "context_team_id": team_id, "num_members": len(self.members)}  # fmt: skip


@dataclass
class Ephemeral:
    message_ts: str
    channel: str
    user: str
    text: str
    blocks: list[JSON] | None = None
    thread_ts: str | None = None


@dataclass
class OpenedView:
    team_id: str
    user_id: str
    data: JSON  # the view exactly as views.* returned it


@dataclass
class ResponseUrl:
    id: str
    url: str
    team_id: str
    channel_id: str
    user_id: str
    issued_at: float
    message_ts: str | None = None  # the message an interaction came from, for replace/delete_original
    posts: list[JSON] = field(default_factory=list)


@dataclass
class ApiCall:
    method: str
    params: JSON
    team_id: str | None


@dataclass
class _Trigger:
    team_id: str
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class _OAuthCode:
    team_id: str
    team_name: str
    user_id: str
    scopes: set[str]
    issued_at: float
    used: bool = False


class _Fail(Exception):
    """Raised by a method handler to answer `{"ok": false, "error": ...}` with HTTP 200, as Slack does."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


@dataclass
class _Ctx:
    params: JSON
    ws_: Workspace | None
    basic_auth: tuple[str, str] | None = None  # (client_id, client_secret) from HTTP Basic auth

    @property
    def ws(self) -> Workspace:
        assert self.ws_ is not None, "method needs a token"
        return self.ws_

    def arg(self, key: str, *, required: bool = True) -> str:
        value = self.params.get(key)
        if value in (None, "") and required:
            raise _invalid(key)
        return "" if value is None else str(value)

    def opt(self, key: str) -> str | None:
        value = self.params.get(key)
        return None if value in (None, "") else str(value)

    def flag(self, key: str) -> bool:
        # slack_sdk sends booleans as "1"/"0"; the docs write "true".
        return str(self.params.get(key, "")).lower() in ("1", "true")

    def number(self, key: str, default: int) -> int:
        try:
            return int(self.params.get(key) or default)
        except ValueError as e:
            raise _invalid(key) from e

    def json_arg(self, key: str) -> Any:
        """Form-encoded requests carry blocks/metadata/view as JSON strings; JSON bodies carry objects."""
        value = self.params.get(key)
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except json.JSONDecodeError as e:
                raise _invalid(key) from e
        return value


def _invalid(key: str) -> _Fail:
    # https://docs.slack.dev/apis/web-api/#responses: details go in response_metadata.messages
    return _Fail("invalid_arguments", response_metadata={"messages": [f"[ERROR] invalid or missing: {key}"]})


def _ts_key(ts: str, error: str = "invalid_arguments") -> Decimal:
    try:
        return Decimal(ts)
    except InvalidOperation as e:
        raise _Fail(error) from e


def _cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _from_cursor(cursor: str) -> Decimal:
    try:
        return _ts_key(base64.b64decode(cursor).decode().removeprefix("next_ts:"))
    except (ValueError, _Fail) as e:
        raise _Fail("invalid_cursor") from e


def _page(
    items: list[Message], ctx: _Ctx, default: int, cap: int, *, newest_first: bool
) -> tuple[list[Message], JSON]:
    """Cursor pagination (https://docs.slack.dev/apis/web-api/pagination): the page and the envelope."""
    limit = max(1, min(ctx.number("limit", default), cap))
    if cursor := ctx.opt("cursor"):
        start = _from_cursor(cursor)
        items = [m for m in items if (_ts_key(m.ts) <= start if newest_first else _ts_key(m.ts) >= start)]
    out: JSON = {"ok": True, "has_more": len(items) > limit, "pin_count": 0}
    if len(items) > limit:
        out["response_metadata"] = {"next_cursor": _cursor(items[limit].ts)}
    return items[:limit], out


def _in_range(items: list[Message], ctx: _Ctx) -> list[Message]:
    inclusive = ctx.flag("inclusive")
    oldest = _ts_key(ctx.arg("oldest", required=False) or "0", "invalid_ts_oldest")
    latest = _ts_key(ctx.arg("latest", required=False) or "1e12", "invalid_ts_latest")
    return [
        m
        for m in items
        if (oldest <= _ts_key(m.ts) <= latest if inclusive else oldest < _ts_key(m.ts) < latest)
    ]


MAX_ACTION_ELEMENTS = 25


def _check_blocks(blocks: Any) -> list[JSON] | None:
    if blocks is None:
        return None
    if (
        not isinstance(blocks, list)
        or len(blocks) > MAX_BLOCKS
        or not all(isinstance(b, dict) for b in blocks)
    ):
        raise _Fail("invalid_blocks")
    for block in blocks:
        text = block.get("text")
        if (
            block.get("type") == "section"
            and isinstance(text, dict)
            and len(text.get("text", "")) > MAX_SECTION_TEXT
        ):
            raise _Fail("invalid_blocks")
        if block.get("type") == "actions":
            _check_elements(block.get("elements"))
        if block.get("type") == "image":
            _check_image(block)
        if block.get("type") == "context":
            _check_context(block.get("elements"))
    return blocks


def _check_image(block: JSON) -> None:
    """https://docs.slack.dev/reference/block-kit/blocks/image-block: `image_url` (≤ 3,000) or
    `slack_file`, not both; `alt_text` required, ≤ 2,000; `title` plain_text ≤ 2,000."""
    url, file = block.get("image_url"), block.get("slack_file")
    if (url is None) == (file is None) or (url is not None and not 0 < len(str(url)) <= 3000):
        raise _Fail("invalid_blocks")
    if not isinstance(block.get("alt_text"), str) or not 0 < len(block["alt_text"]) <= 2000:
        raise _Fail("invalid_blocks")
    title = block.get("title")
    plain = isinstance(title, dict) and title.get("type") == "plain_text"
    if title is not None and not (plain and 0 < len(title.get("text", "")) <= 2000):
        raise _Fail("invalid_blocks")


def _check_context(elements: Any) -> None:
    """https://docs.slack.dev/reference/block-kit/blocks/context-block: 1 to 10 text or image elements."""
    if not isinstance(elements, list) or not 0 < len(elements) <= 10:
        raise _Fail("invalid_blocks")
    for el in elements:
        if not isinstance(el, dict) or el.get("type") not in ("plain_text", "mrkdwn", "image"):
            raise _Fail("invalid_blocks")
        if el["type"] != "image" and not 0 < len(str(el.get("text", ""))) <= 3000:
            raise _Fail("invalid_blocks")


def _check_elements(elements: Any) -> None:
    """An actions block's buttons: text ≤ 75, action_id ≤ 255 and unique in the block, url ≤ 3,000,
    value ≤ 2,000 characters; https://docs.slack.dev/reference/block-kit/block-elements/button-element"""
    if not isinstance(elements, list) or not 0 < len(elements) <= MAX_ACTION_ELEMENTS:
        raise _Fail("invalid_blocks")
    ids = [el.get("action_id") for el in elements if isinstance(el, dict) and el.get("action_id")]
    if len(ids) != len(set(ids)) or any(len(str(i)) > 255 for i in ids):
        raise _Fail("invalid_blocks")
    for el in elements:
        if not isinstance(el, dict) or el.get("type") != "button":
            continue
        text = el.get("text")
        if not isinstance(text, dict) or not 0 < len(text.get("text", "")) <= 75:
            raise _Fail("invalid_blocks")
        if len(str(el.get("url", ""))) > 3000 or len(str(el.get("value", ""))) > 2000:
            raise _Fail("invalid_blocks")


def _check_metadata(metadata: Any) -> JSON | None:
    # https://docs.slack.dev/messaging/message-metadata: {event_type: str, event_payload: object}
    if metadata is None:
        return None
    if not (isinstance(metadata, dict) and isinstance(metadata.get("event_type"), str)
            and isinstance(metadata.get("event_payload"), dict)):  # fmt: skip
        raise _Fail("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


class FakeSlack:
    """Slack's Web API on 127.0.0.1. Arrange state with `add_*`, then hand `base_url` to AsyncWebClient."""

    def __init__(self, *, clock: Clock = time.monotonic, rate_limits: RateLimits | None = None,
                 client_id: str = "1111.2222", client_secret: str = "fake-client-secret",
                 app_id: str = "A0FAKEAPP", verification_token: str = "fake-verification",
                 ) -> None:  # fmt: skip
        self.clock = clock
        self.rate_limits = rate_limits or RateLimits()
        self._token_teams: dict[str, str] = {}  # bot token → team id (_workspace_of_token)
        self.client_id, self.client_secret = client_id, client_secret
        self.app_id, self.verification_token = app_id, verification_token
        self.workspaces: dict[str, Workspace] = {}
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, User] = {}
        self.usergroups: dict[str, tuple[str, list[str]]] = {}  # id -> (team id, user ids)
        self.ephemerals: list[Ephemeral] = []
        self.permalinks_asked: list[tuple[str, str]] = []  # (channel, message_ts) per chat.getPermalink
        self.views: dict[str, OpenedView] = {}
        self.home_views: dict[str, JSON] = {}  # user id -> published Home tab
        self.response_urls: dict[str, ResponseUrl] = {}
        # The client address (host, port) each post to a response_url came from: one per connection.
        self.response_url_peers: list[str] = []
        self.calls: Counter[str] = Counter()
        self.requests: list[ApiCall] = []
        self.oauth_redirect_uri: str | None = None
        self.authorize_team_id: str = "T0INSTALL"
        self._faults: dict[str, deque[Fault]] = {}
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._codes: dict[str, _OAuthCode] = {}
        self._ids = itertools.count(1)
        self._epoch0 = time.time() - clock()
        self._last_ts_us = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0
        self.socket_mode = SocketMode(app_id, lambda: self.origin, clock)  # apps.connections.open
        self.files = SlackFiles(lambda: self.origin, self._new_id, self.epoch)  # uploads, files.*, downloads
        # Sign in with Slack (OpenID Connect): the authorize page, openid.connect.token / .userInfo, keys.
        self.openid = SlackOpenID(
            client_id=client_id, client_secret=client_secret, origin=lambda: self.origin, epoch=self.epoch
        )
        self._methods: dict[str, Callable[[_Ctx], JSON]] = {
            "auth.test": self._auth_test, "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update, "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral, "chat.getPermalink": self._get_permalink,
            "conversations.history": self._history,
            "conversations.replies": self._replies, "conversations.info": self._conversations_info,
            "views.open": self._views_open, "views.update": self._views_update,
            "views.publish": self._views_publish, "users.info": self._users_info,
            "usergroups.users.list": self._usergroup_users, "reactions.add": self._reactions_add,
            "oauth.v2.access": self._oauth_access, "team.info": self._team_info,
            "files.getUploadURLExternal": self.files.get_upload_url, "files.info": self.files.info,
            "files.delete": self._files_delete, "files.list": self.files.list,
            "files.completeUploadExternal": lambda ctx: self.files.complete_upload(
                ctx, lambda c: self._channel(c, write=True), self._share_files),
        }  # fmt: skip

    # ---- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response_url/{id}", self._response_url)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        app.router.add_get(LINK_PATH, self.socket_mode.handle)
        self.openid.add_routes(app)
        self.files.add_routes(app, self._team_of_token)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing.set()  # releases requests held by "timeout" faults
        await self.socket_mode.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def origin(self) -> str:
        assert self._port, "call start() first"
        return f"http://127.0.0.1:{self._port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    @property
    def authorize_url(self) -> str:
        """For slack-bolt's `AsyncOAuthSettings(authorization_url=...)`."""
        return f"{self.origin}/oauth/v2/authorize"

    # ---- arranging state ---------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):09d}"

    def epoch(self) -> float:
        """Wall-clock seconds as the fake sees them (moves with the injected clock)."""
        return self._epoch0 + self.clock()

    def next_ts(self) -> str:
        micros = max(self._last_ts_us + 1, int(self.epoch() * 1_000_000))
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def add_workspace(self, team_id: str | None = None, *, name: str = "Acme", domain: str | None = None,
                      scopes: set[str] | None = None) -> Workspace:  # fmt: skip
        team_id = team_id or self._new_id("T")
        token = f"xoxb-{team_id}-{secrets.token_hex(8)}"
        ws = Workspace(team_id, name, domain or name.lower().replace(" ", "-"), token, self._new_id("U"),
                       self._new_id("B"), scopes or {"chat:write", "commands"})  # fmt: skip
        self.workspaces[team_id] = ws
        self._token_teams[token] = team_id
        self.users[ws.bot_user_id] = User(ws.bot_user_id, team_id, "partnerbot", is_bot=True)
        return ws

    def add_user(
        self, team_id: str, name: str = "user", *, user_id: str | None = None, is_admin: bool = False
    ) -> User:
        user = User(user_id or self._new_id("U"), team_id, name, is_admin=is_admin)
        self.users[user.id] = user
        return user

    def add_channel(self, team_id: str, name: str, *, channel_id: str | None = None,
                    members: set[str] | None = None, bot_member: bool = True, is_private: bool = False,
                    is_archived: bool = False, shared_with: set[str] | None = None) -> Channel:  # fmt: skip
        """`shared_with`: other workspaces in this Slack Connect channel."""
        ch = Channel(channel_id or self._new_id("C"), name, team_id, is_private, is_archived,
                     set(members or ()), set(shared_with or ()))  # fmt: skip
        if bot_member:
            ch.members |= {
                self.workspaces[t].bot_user_id for t in {team_id, *ch.shared_team_ids} if t in self.workspaces
            }
        self.channels[ch.id] = ch
        return ch

    def add_usergroup(self, team_id: str, user_ids: list[str], *, usergroup_id: str | None = None) -> str:
        group_id = usergroup_id or self._new_id("S")
        self.usergroups[group_id] = (team_id, list(user_ids))
        return group_id

    def deactivate(self, team_id: str, error: Literal["account_inactive", "invalid_auth", "token_revoked"]
                   = "account_inactive") -> None:  # fmt: skip
        """Make the workspace's bot token fail. For bot tokens of an uninstalled app or deleted workspace the
        docs give `account_inactive`: https://docs.slack.dev/reference/methods/chat.postMessage#errors"""
        self.workspaces[team_id].inactive_error = error

    def user_message(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        files: list[JSON] | None = None,
    ) -> Message:
        """A message a person typed in Slack (what inbound `message` events describe); `files` from
        `fake.files.add_user_file`."""
        user = self.users[user_id]
        msg = Message(self.next_ts(), channel_id, text, user=user_id, team=user.team_id, thread_ts=thread_ts,
                      files=files)  # fmt: skip
        self.channels[channel_id].messages.append(msg)
        return msg

    def messages(self, channel_id: str, *, include_deleted: bool = False) -> list[Message]:
        """All messages in a channel, oldest first, thread replies included."""
        return [m for m in self.channels[channel_id].messages if include_deleted or not m.deleted]

    def issue_trigger(self, team_id: str, user_id: str) -> str:
        trigger_id = f"{next(self._ids)}.{int(self.epoch())}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = _Trigger(team_id, user_id, self.clock())
        return trigger_id

    def issue_response_url(
        self, team_id: str, channel_id: str, user_id: str, *, message_ts: str | None = None
    ) -> str:
        ru_id = secrets.token_hex(12)
        url = f"{self.origin}/response_url/{ru_id}"
        self.response_urls[ru_id] = ResponseUrl(
            ru_id, url, team_id, channel_id, user_id, self.clock(), message_ts
        )
        return url

    def response_url_posts(self, url: str) -> list[JSON]:
        return self.response_urls[url.rsplit("/", 1)[-1]].posts

    def issue_oauth_code(self, team_id: str, *, team_name: str = "Installed Co", user_id: str | None = None,
                         scopes: set[str] | None = None) -> str:  # fmt: skip
        code = f"{next(self._ids)}.{secrets.token_hex(12)}"
        self._codes[code] = _OAuthCode(team_id, team_name, user_id or self._new_id("U"),
                                       scopes or {"chat:write", "commands"}, self.clock())  # fmt: skip
        return code

    # ---- fault injection ---------------------------------------------------------------------------

    def fail_next(self, method: str, *, status: int | None = None, error: str | None = None,
                  kind: FaultKind | None = None, times: int = 1, delay: float = 30.0) -> None:  # fmt: skip
        """Fail the next `times` calls to `method`: an HTTP `status`, an `ok: false` `error`, or a `kind`:
        "timeout" (held `delay` s, then dropped), "drop" (connection closed, nothing applied), or
        "drop_after_commit"/"timeout_after_commit" (applied, then the client never hears back)."""
        if sum(x is not None for x in (status, error, kind)) != 1:
            raise ValueError("give exactly one of status, error, kind")
        self._faults.setdefault(method, deque()).extend(
            Fault(status=status, error=error, kind=kind, delay=delay) for _ in range(times)
        )

    def ratelimit_next(self, method: str, times: int = 1, *, retry_after: int = 1) -> None:
        """A "429 storm": the next `times` calls answer 429 with `Retry-After: retry_after`."""
        self._faults.setdefault(method, deque()).extend(Fault(retry_after=retry_after) for _ in range(times))

    def faults_left(self, method: str) -> int:
        """Injected faults (and 429s) still waiting for a call to `method`."""
        return len(self._faults.get(method, ()))

    # ---- HTTP plumbing -----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        self.calls[method] += 1
        params, form_token = await _read_params(request)
        call = ApiCall(method, params, None)
        self.requests.append(call)
        faults = self._faults.get(method)
        fault = faults.popleft() if faults else None
        if fault is not None and not fault.after_commit:
            return await self._inject(request, fault)
        try:
            if method == "apps.connections.open":  # an app-level token (xapp-…), not a bot token
                return web.json_response(self.socket_mode.connections_open(_token(request, form_token)))
            if method == "openid.connect.token":  # client credentials, no bot token
                return web.json_response(self.openid.token(params, _basic_auth(request)))
            if method == "openid.connect.userInfo":  # the signed-in person's token (xoxp-…)
                return web.json_response(self.openid.userinfo(_token(request, form_token)))
            handler = self._methods.get(method)
            if handler is None:
                raise _Fail("unknown_method")
            ws = None if method == "oauth.v2.access" else self._authenticate(request, form_token)
            call.team_id = ws.team_id if ws else None
            retry_after = self._throttle(method, ws, params) if ws is not None else None
            if retry_after is not None:
                if fault is not None and faults is not None:
                    faults.appendleft(fault)  # nothing was applied, so the after-commit fault waits
                return _ratelimited(retry_after)
            body = handler(_Ctx(params, ws, _basic_auth(request)))
        except _Fail as f:
            body = {"ok": False, "error": f.error, **f.extra}
        except FilesError as f:
            body = {"ok": False, "error": f.error}
        if fault is not None:
            return await self._inject(request, fault)
        return web.json_response(body)

    async def _inject(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.retry_after is not None:
            return _ratelimited(fault.retry_after)
        if fault.status is not None:
            return web.json_response({"ok": False, "error": "fatal_error"}, status=fault.status)
        if fault.error is not None:
            return web.json_response({"ok": False, "error": fault.error})
        if fault.kind in ("timeout", "timeout_after_commit"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.delay)
        if request.transport is not None:  # None: the client stopped waiting and left first
            request.transport.close()  # the client sees the server disconnect without a response
        return web.Response()

    def _authenticate(self, request: web.Request, form_token: str | None) -> Workspace:
        # Token in `Authorization: Bearer` or a form/query `token`; JSON bodies need the header.
        # https://docs.slack.dev/apis/web-api/#authentication
        token = _token(request, form_token)
        if not token:
            raise _Fail("not_authed")
        ws = self._workspace_of_token(token)
        if ws is None:
            raise _Fail("invalid_auth")
        if ws.inactive_error:
            raise _Fail(ws.inactive_error)
        return ws

    def _throttle(self, method: str, ws: Workspace, params: JSON) -> int | None:
        """Seconds to wait if the call is over a limit (and then nothing is consumed), else None."""
        rl = self.rate_limits
        if not rl.enabled:
            return None
        keyed: list[tuple[tuple[str, ...], Limit]] = []
        if method == "chat.postMessage":
            ref = str(params.get("channel", "")).lstrip("#")  # a name and an id share one channel's budget
            # An id is looked up directly: scanning every channel per post makes a fan-out quadratic.
            channel = (
                ref
                if ref in self.channels
                else next((c.id for c in self.channels.values() if ref == c.name), ref)
            )
            keyed = [
                (("post", ws.team_id, channel), rl.channel_post),
                (("post", ws.team_id), rl.workspace_post),
            ]
        elif (limit := rl.limit_for(method)) is not None:
            keyed = [((method, ws.team_id), limit)]
        now = self.clock()
        buckets = [self._buckets.setdefault(key, _Bucket(lim, lim.burst, now)) for key, lim in keyed]
        wait = max([b.wait(now) for b in buckets], default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls["response_url"] += 1
        self.response_url_peers.append(
            str(request.transport.get_extra_info("peername") if request.transport else "")
        )
        ru = self.response_urls.get(request.match_info["id"])
        if ru is None:
            return web.json_response({"ok": False, "error": "no_service"}, status=404)
        if self.clock() - ru.issued_at > RESPONSE_URL_TTL:
            return web.json_response({"ok": False, "error": "expired_url"}, status=404)
        if len(ru.posts) >= RESPONSE_URL_USES:
            return web.json_response({"ok": False, "error": "used_url"}, status=404)
        params, _ = await _read_params(request)
        body = json.loads(params["payload"]) if isinstance(params.get("payload"), str) else params
        try:  # blocks are checked as for chat.postMessage; Slack answers a bad payload in plain text
            _check_blocks(body.get("blocks"))
        except _Fail as failed:
            return web.Response(status=400, text=failed.error)
        ru.posts.append(body)
        self._apply_response(ru, body)
        return web.json_response({"ok": True})

    def _apply_response(self, ru: ResponseUrl, body: JSON) -> None:
        """https://docs.slack.dev/interactivity/handling-user-interaction#message_responses"""
        ws, ch = self.workspaces[ru.team_id], self.channels.get(ru.channel_id)
        original = ch.find(ru.message_ts) if ch and ru.message_ts else None
        if original is not None and original.bot_id == ws.bot_id and body.get("delete_original"):
            original.deleted = True
        elif original is not None and original.bot_id == ws.bot_id and body.get("replace_original"):
            original.text, original.blocks = body.get("text", ""), body.get("blocks")
        elif body.get("response_type") == "in_channel" and ch is not None:
            ch.messages.append(self._bot_message(ws, ch, body.get("text", ""), body.get("blocks"), None,
                                                 body.get("thread_ts")))  # fmt: skip
        else:
            self.ephemerals.append(Ephemeral(self.next_ts(), ru.channel_id, ru.user_id, body.get("text", ""),
                                             body.get("blocks"), body.get("thread_ts")))  # fmt: skip

    async def _authorize(self, request: web.Request) -> web.Response:
        """The install page: approves at once for `authorize_team_id` and redirects with code and state."""
        q = request.query
        if q.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = q.get("redirect_uri") or self.oauth_redirect_uri
        if not redirect:
            return web.Response(status=400, text="bad_redirect_uri")
        scopes = {s for s in q.get("scope", "").split(",") if s}
        code = self.issue_oauth_code(self.authorize_team_id, scopes=scopes or None)
        raise web.HTTPFound(f"{redirect}?{urlencode({'code': code, 'state': q.get('state', '')})}")

    # ---- shared checks -----------------------------------------------------------------------------

    def _channel(self, ctx: _Ctx, *, write: bool = False, member: bool = True) -> Channel:
        ref = ctx.arg("channel")
        ch = self.channels.get(ref) or next(
            (c for c in self.channels.values() if c.name == ref.lstrip("#") and c.visible_to(ctx.ws.team_id)),
            None,
        )  # a channel name works too: https://docs.slack.dev/reference/methods/chat.postMessage#channels
        is_member = ch is not None and ctx.ws.bot_user_id in ch.members
        if ch is None or not ch.visible_to(ctx.ws.team_id) or (ch.is_private and not is_member):
            raise _Fail("channel_not_found")  # private channels are invisible to non-members
        if write and ch.is_archived:
            raise _Fail("is_archived")
        public_post = write and not ch.is_private and "chat:write.public" in ctx.ws.scopes
        if member and not is_member and not public_post:
            raise _Fail("not_in_channel")
        return ch

    def _own_message(self, ctx: _Ctx, ch: Channel, verb: str) -> Message:
        msg = ch.find(ctx.arg("ts"))
        if msg is None:
            raise _Fail("message_not_found")
        if msg.bot_id != ctx.ws.bot_id:  # bot tokens may only edit their own messages
            raise _Fail(f"cant_{verb}_message")
        return msg

    def _bot_message(self, ws: Workspace, ch: Channel, text: str, blocks: list[JSON] | None,
                     metadata: JSON | None, thread_ts: str | None) -> Message:  # fmt: skip
        if thread_ts is not None and (parent := ch.find(thread_ts)) is not None and parent.thread_ts:
            thread_ts = parent.thread_ts  # a reply's ts threads under its parent
        return Message(self.next_ts(), ch.id, text[:MAX_TEXT], blocks, metadata, thread_ts, ws.bot_user_id,
                       ws.bot_id, self.app_id, ws.team_id)  # fmt: skip

    def _with_thread(self, ch: Channel, msg: Message, include_metadata: bool) -> JSON:
        out = msg.to_api(include_metadata=include_metadata)
        replies = ch.replies(msg.ts)
        if replies and not msg.is_reply:
            users = list(dict.fromkeys(r.user for r in replies if r.user))
            out.update(thread_ts=msg.ts, reply_count=len(replies), reply_users=users,
                       reply_users_count=len(users), latest_reply=replies[-1].ts)  # fmt: skip
        elif msg.is_reply and msg.thread_ts and (parent := ch.find(msg.thread_ts)) is not None:
            out["parent_user_id"] = parent.user
        return out

    # ---- methods (one per Web API method; shapes from https://docs.slack.dev/reference/methods/) ----

    def _auth_test(self, ctx: _Ctx) -> JSON:
        ws = ctx.ws
        return {"ok": True, "url": f"https://{ws.domain}.slack.com/", "team": ws.name, "user": "partnerbot",
                "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": ws.bot_id,
                "is_enterprise_install": False}  # fmt: skip

    def _chat_post_message(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, write=True)
        text, blocks = ctx.arg("text", required=False), _check_blocks(ctx.json_arg("blocks"))
        if not text and not blocks and not ctx.json_arg("attachments"):
            raise _Fail("no_text")
        msg = self._bot_message(
            ctx.ws, ch, text, blocks, _check_metadata(ctx.json_arg("metadata")), ctx.opt("thread_ts")
        )
        msg.reply_broadcast = msg.is_reply and ctx.flag("reply_broadcast")
        ch.messages.append(msg)
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "message": msg.to_api()}

    def _share_files(
        self, ws: Workspace, ch: Channel, text: str, blocks: Any, thread_ts: str | None, files: list[JSON]
    ) -> str:
        """The message files.completeUploadExternal posts: the files, with the blocks or the comment."""
        msg = self._bot_message(ws, ch, text, _check_blocks(blocks), None, thread_ts)
        msg.files = files
        ch.messages.append(msg)
        return msg.ts

    def _files_delete(self, ctx: _Ctx) -> JSON:
        out = self.files.delete(ctx)
        file_id = ctx.arg("file")
        for ch in self.channels.values():  # the sharing message keeps a tombstone
            for msg in ch.messages:
                if msg.files:
                    msg.files = [{"id": f["id"], "mode": "tombstone"} if f.get("id") == file_id else f
                                 for f in msg.files]  # fmt: skip
        return out

    def _workspace_of_token(self, token: str) -> Workspace | None:
        """The workspace a bot token belongs to: a dict lookup per call (a scan over a thousand
        workspaces per post made bench/fanout.py --workspaces measure the fake), kept in step with
        `workspaces` however a workspace got there."""
        team = self._token_teams.get(token)
        ws = self.workspaces.get(team) if team is not None else None
        if ws is not None and ws.bot_token == token:
            return ws
        ws = next((w for w in self.workspaces.values() if w.bot_token == token), None)
        if ws is not None:
            self._token_teams[token] = ws.team_id
        return ws

    def _team_of_token(self, token: str) -> str | None:
        ws = self._workspace_of_token(token)
        return ws.team_id if ws is not None else None

    def _chat_update(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, write=True)
        msg = self._own_message(ctx, ch, "update")
        text, blocks = ctx.opt("text"), _check_blocks(ctx.json_arg("blocks"))
        if text is None and blocks is None:
            raise _Fail("no_text")
        if text is not None:
            msg.text = text[:MAX_TEXT]
        if blocks is not None:  # omitted blocks are kept; [] removes them (chat.update docs)
            msg.blocks = blocks or None
        if (metadata := _check_metadata(ctx.json_arg("metadata"))) is not None:
            msg.metadata = metadata
        msg.edited = {"user": ctx.ws.bot_user_id, "ts": self.next_ts()}
        return {"ok": True, "channel": ch.id, "ts": msg.ts, "text": msg.text, "message": msg.to_api()}

    def _chat_delete(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, member=False)
        msg = self._own_message(ctx, ch, "delete")
        msg.deleted = True
        return {"ok": True, "channel": ch.id, "ts": msg.ts}

    def _chat_post_ephemeral(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, write=True)
        user = ctx.arg("user")
        if user not in ch.members:
            raise _Fail("user_not_in_channel")
        text, blocks = ctx.arg("text", required=False), _check_blocks(ctx.json_arg("blocks"))
        if not text and not blocks:
            raise _Fail("no_text")
        eph = Ephemeral(self.next_ts(), ch.id, user, text[:MAX_TEXT], blocks, ctx.opt("thread_ts"))
        self.ephemerals.append(eph)
        return {"ok": True, "message_ts": eph.message_ts}

    def _get_permalink(self, ctx: _Ctx) -> JSON:
        """https://docs.slack.dev/reference/methods/chat.getPermalink: a message's link (`p` and its
        ts without the dot), for any message the token's workspace can see."""
        ch = self._channel(ctx, member=False)
        ts = ctx.arg("message_ts")
        msg = ch.find(ts)
        if msg is None:  # `find` passes over deleted messages
            raise _Fail("message_not_found")
        self.permalinks_asked.append((ch.id, ts))
        link = f"https://{ctx.ws.domain}.slack.com/archives/{ch.id}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": ch.id, "permalink": link}

    def _page_cap(self, method: str, default: int, cap: int) -> tuple[int, int]:
        return (15, 15) if self.rate_limits.non_marketplace and method in HISTORY_METHODS else (default, cap)

    def _history(self, ctx: _Ctx) -> JSON:
        # Newest first; metadata only with include_all_metadata. https://docs.slack.dev/reference/methods/conversations.history
        ch = self._channel(ctx)
        default, cap = self._page_cap("conversations.history", 100, 999)
        page, out = _page(_in_range(ch.history(), ctx)[::-1], ctx, default, cap, newest_first=True)
        return {**out, "messages": [self._with_thread(ch, m, ctx.flag("include_all_metadata")) for m in page]}

    def _replies(self, ctx: _Ctx) -> JSON:
        # The parent first, then replies oldest first. https://docs.slack.dev/reference/methods/conversations.replies
        ch = self._channel(ctx)
        msg = ch.find(ctx.arg("ts"))
        if msg is None:
            raise _Fail("thread_not_found")
        parent = ch.find(msg.thread_ts) if msg.is_reply and msg.thread_ts else msg
        thread = [parent, *ch.replies(parent.ts)] if parent else [msg]
        default, cap = self._page_cap("conversations.replies", 1000, 1000)
        page, out = _page(_in_range(thread, ctx), ctx, default, cap, newest_first=False)
        return {**out, "messages": [self._with_thread(ch, m, ctx.flag("include_all_metadata")) for m in page]}

    def _conversations_info(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, member=False)
        return {"ok": True, "channel": ch.to_api(ctx.ws.team_id, ctx.ws.bot_user_id)}

    def _exchange_trigger(self, ctx: _Ctx) -> _Trigger:
        # https://docs.slack.dev/reference/methods/views.open#errors
        trigger = self._triggers.get(ctx.arg("trigger_id"))
        if trigger is None or trigger.team_id != ctx.ws.team_id:
            raise _Fail("invalid_trigger_id")
        if trigger.used:
            raise _Fail("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_TTL:
            raise _Fail("expired_trigger_id")
        trigger.used = True
        return trigger

    def _view_json(self, ctx: _Ctx, kind: str) -> JSON:
        view = ctx.json_arg("view")
        if not isinstance(view, dict) or view.get("type") != kind:
            raise _invalid("view")
        return view

    def _render_view(self, ctx: _Ctx, view: JSON, view_id: str, root: str | None = None) -> JSON:
        return {**view, "id": view_id, "team_id": ctx.ws.team_id, "state": {"values": {}},
                "hash": f"{int(self.epoch())}.{secrets.token_hex(4)}",
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
                "root_view_id": root or view_id, "previous_view_id": None, "app_id": self.app_id,
                "bot_id": ctx.ws.bot_id}  # fmt: skip

    def _views_open(self, ctx: _Ctx) -> JSON:
        trigger = self._exchange_trigger(ctx)
        view = self._render_view(ctx, self._view_json(ctx, "modal"), self._new_id("V"))
        self.views[view["id"]] = OpenedView(ctx.ws.team_id, trigger.user_id, view)
        return {"ok": True, "view": view}

    def _views_update(self, ctx: _Ctx) -> JSON:
        view_id, external_id = ctx.opt("view_id"), ctx.opt("external_id")
        opened = next((v for v in self.views.values() if v.team_id == ctx.ws.team_id and (
            v.data["id"] == view_id or (external_id and v.data["external_id"] == external_id))),
            None)  # fmt: skip
        if opened is None:
            raise _Fail("not_found")
        if (h := ctx.opt("hash")) is not None and h != opened.data["hash"]:
            raise _Fail("hash_conflict")  # someone updated the view since this hash was read
        opened.data = self._render_view(
            ctx, self._view_json(ctx, "modal"), opened.data["id"], opened.data["root_view_id"]
        )
        return {"ok": True, "view": opened.data}

    def _views_publish(self, ctx: _Ctx) -> JSON:
        user_id = ctx.arg("user_id")
        if user_id not in self.users:
            raise _Fail("user_not_found")
        previous = self.home_views.get(user_id)
        if previous and (h := ctx.opt("hash")) is not None and h != previous["hash"]:
            raise _Fail("hash_conflict")
        view = self._render_view(
            ctx, self._view_json(ctx, "home"), previous["id"] if previous else self._new_id("V")
        )
        self.home_views[user_id] = view
        return {"ok": True, "view": view}

    def _users_info(self, ctx: _Ctx) -> JSON:
        # Users of other organisations are visible through shared channels; the fake does not check that.
        user = self.users.get(ctx.arg("user"))
        if user is None:
            raise _Fail("user_not_found")
        return {"ok": True, "user": user.to_api()}

    def _usergroup_users(self, ctx: _Ctx) -> JSON:
        group = self.usergroups.get(ctx.arg("usergroup"))
        if group is None or group[0] != ctx.ws.team_id:
            raise _Fail("no_such_subteam")
        return {"ok": True, "users": list(group[1])}

    def _reactions_add(self, ctx: _Ctx) -> JSON:
        ch = self._channel(ctx, member=False)
        msg = ch.find(ctx.arg("timestamp"))
        if msg is None:
            raise _Fail("message_not_found")
        users = msg.reactions.setdefault(ctx.arg("name").strip(":"), [])
        if ctx.ws.bot_user_id in users:
            raise _Fail("already_reacted")
        users.append(ctx.ws.bot_user_id)
        return {"ok": True}

    def _team_info(self, ctx: _Ctx) -> JSON:
        ws = self.workspaces.get(ctx.opt("team") or ctx.ws.team_id)
        if ws is None:
            raise _Fail("team_not_found")
        return {"ok": True, "team": {"id": ws.team_id, "name": ws.name, "domain": ws.domain,
                                     "email_domain": "", "icon": {}, "enterprise_id": None}}  # fmt: skip

    def _oauth_access(self, ctx: _Ctx) -> JSON:
        # Client credentials by HTTP Basic auth or form fields. https://docs.slack.dev/reference/methods/oauth.v2.access
        client_id, secret = ctx.opt("client_id"), ctx.opt("client_secret")
        if ctx.basic_auth is not None:
            client_id, secret = ctx.basic_auth
        if client_id != self.client_id:
            raise _Fail("invalid_client_id")
        if secret != self.client_secret:
            raise _Fail("bad_client_secret")
        grant = self._codes.get(ctx.arg("code"))
        if grant is None or self.clock() - grant.issued_at > OAUTH_CODE_TTL:
            raise _Fail("invalid_code")
        if grant.used:
            raise _Fail("code_already_used")
        grant.used = True
        ws = self.workspaces.get(grant.team_id) or self.add_workspace(grant.team_id, name=grant.team_name)
        ws.scopes, ws.inactive_error = set(grant.scopes), None  # re-installing reactivates
        if grant.user_id not in self.users:
            self.add_user(ws.team_id, "installer", user_id=grant.user_id, is_admin=True)
        return {"ok": True, "access_token": ws.bot_token, "token_type": "bot",
                "scope": ",".join(sorted(ws.scopes)), "bot_user_id": ws.bot_user_id, "app_id": self.app_id,
                "team": {"id": ws.team_id, "name": ws.name}, "enterprise": None,
                "is_enterprise_install": False, "authed_user": {"id": grant.user_id}}  # fmt: skip


def _ratelimited(retry_after: int) -> web.Response:
    # https://docs.slack.dev/apis/web-api/rate-limits: HTTP 429 with an integer Retry-After in seconds.
    return web.json_response(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
    )


async def _read_params(request: web.Request) -> tuple[JSON, str | None]:
    """Query string + form or JSON body, as Slack accepts all (slack_sdk sends chat.delete as a query string,
    chat.postMessage as JSON, oauth.v2.access as a form). Returns the params and a non-JSON `token`."""
    params: JSON = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        token = params.get("token")
        params.update(body if isinstance(body, dict) else {})
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
        token = params.get("token")
    return params, token


def _token(request: web.Request, form_token: str | None) -> str | None:
    header = request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else form_token


def _basic_auth(request: web.Request) -> tuple[str, str] | None:
    if (auth := request.headers.get("Authorization", "")).startswith("Basic "):
        with contextlib.suppress(ValueError):
            login, _, password = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
            return login, password
    return None
