"""The Slack Sender: the core's outbox posts, edits and deletes through `AsyncWebClient`.

Rules it keeps (https://docs.slack.dev/apis/web-api/rate-limits and /reference/methods/chat.postMessage):
- a 429 is never waited out inside the call: it becomes `TransientSendError(retry_after=…)` and the
  delivery goes back to the outbox, so the worker moves on to other channels;
- a post that may have reached Slack (dropped connection after sending, timeout, `fatal_error`) is
  reported `maybe_posted`, and the next attempt first looks for it by its metadata (`find_posted`);
- errors that condemn the channel (gone, archived, bot removed, app uninstalled) deactivate it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import aiohttp
import orjson
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate, uploads
from bot.domain import AnnouncementPost, ChannelRef, MessageRef, Outgoing, Platform
from bot.ports import FileStore, PermanentSendError, RateKey, SendError, TransientSendError

log = logging.getLogger(__name__)

DEFAULT_API_URL: Final = "https://slack.com/api/"
# Calls that create something: repeating one after the request left us may create it twice.
NOT_IDEMPOTENT: Final = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})
# The bot lost the channel or the workspace for good: https://docs.slack.dev/reference/methods/chat.postMessage#errors
DEACTIVATING: Final = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth",
     "token_revoked", "team_access_not_granted", "org_login_required", "ekm_access_denied"}
)  # fmt: skip
# "It's possible some aspect of the operation succeeded before the error was raised" (fatal_error).
TRANSIENT: Final = frozenset({"ratelimited", "fatal_error", "internal_error", "service_unavailable"})
# chat.postMessage: about 1 message per second per channel, short bursts allowed. As a rate-limit
# bucket (bot/services/ratelimits.py): 3 at once, then 1 per second.
CHANNEL_RATE: Final = (3.0, 3.0)
# Slack does not publish its workspace-wide cap on chat.postMessage. 20 at once, then 4 per second,
# is a conservative guess well under what large workspaces sustain; a 429 (with Retry-After)
# reschedules the delivery if it is still too fast.
TEAM_RATE: Final = (20.0, 5.0)
# find_posted reads at most this much recent history (non-Marketplace apps: 15 rows/page, 1 call/min).
LOOKBACK_PAGES: Final = 2
LOOKBACK_PAGE_SIZE: Final = 15
LOOKBACK_SECONDS: Final = 6 * 3600.0


def api_method(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


class PostSafeConnectionErrorRetryHandler(AsyncConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, except where a retry could post twice.

    slack_sdk retries a dropped connection (ServerDisconnectedError, connection reset) by sending the
    request again. For `chat.postMessage` that is unsafe: when the connection drops *after* Slack
    stored the message, the retry stores it a second time (tests/fakes/test_fake_slack.py,
    test_sdk_connection_retry_posts_twice_after_an_ambiguous_drop, shows it). So posts are retried
    only when the connection was never made; otherwise the error reaches the Sender, which reports
    `maybe_posted=True` and the outbox checks channel history before trying again.
    """

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request.url) in NOT_IDEMPOTENT and not isinstance(error, aiohttp.ClientConnectorError):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_handlers() -> list[AsyncRetryHandler]:
    """What every client of this adapter uses. Deliberately no AsyncRateLimitErrorRetryHandler: it
    sleeps out Retry-After inside the call, parking a worker slot while other channels wait."""
    return [PostSafeConnectionErrorRetryHandler()]


def make_client(base_url: str, *, token: str | None = None, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(
        token=token, base_url=base_url, retry_handlers=retry_handlers(), logger=client_logger(), **kwargs
    )


def client_logger() -> logging.Logger:
    """The logger our clients give slack_sdk. slack_sdk formats a debug line with the whole request
    and response whenever its logger's *own* level is unset (`logger.level <= DEBUG`), even when
    nothing would print it: about a tenth of a fan-out's CPU. A logger with the effective level set
    skips that unless debug logging is on (PARTNERBOT_LOG_LEVEL=DEBUG)."""
    logger = logging.getLogger("adapters.slack.client")
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


class BotTokens(Protocol):
    """Finds the bot token for a workspace (one static token, or the OAuth installation store)."""

    async def token(self, team: str) -> str | None: ...

    def forget(self, team: str) -> None: ...


class StaticToken:
    """Single-workspace install: one bot token for every channel."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self, team: str) -> str | None:
        return self._token

    def forget(self, team: str) -> None:
        pass


@runtime_checkable
class BotTokenLookup(Protocol):
    """An installation store that also finds many workspaces' bot tokens in one query
    (storage/slack_oauth.py): what `async_find_bot` returns, for each team that has a bot."""

    async def async_find_bot_tokens(self, team_ids: Sequence[str]) -> dict[str, str]: ...


class InstalledTokens:
    """OAuth distribution: each workspace's latest bot token from slack_sdk's installation store,
    cached briefly so a fan-out does not query the store once per message.

    A fan-out over many workspaces meets each one's first message at once (a batch of 500 rows
    may name 500 workspaces): when the store can (`BotTokenLookup`), the workspaces missing from
    the cache meanwhile are looked up together, one query for each round rather than one per
    workspace, and a workspace already being looked up is not asked for twice."""

    def __init__(self, store: AsyncInstallationStore, *, ttl: float = 300.0) -> None:
        self._store = store
        self._bulk = store if isinstance(store, BotTokenLookup) else None
        self._ttl = ttl
        self._cache: dict[str, tuple[str | None, float]] = {}
        self._asked: dict[str, asyncio.Future[str | None]] = {}  # queued or in flight
        self._queued: list[str] = []
        self._looking: asyncio.Task[None] | None = None

    async def token(self, team: str) -> str | None:
        cached = self._cache.get(team)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        if self._bulk is None:
            bot = await self._store.async_find_bot(enterprise_id=None, team_id=team)
            return self._keep(team, bot.bot_token if bot is not None else None)
        answer = self._asked.get(team)
        if answer is None:
            answer = self._asked[team] = asyncio.get_running_loop().create_future()
            self._queued.append(team)
            if self._looking is None or self._looking.done():
                self._looking = asyncio.create_task(self._look_up(self._bulk))
        # Shielded: a send that is cancelled must not cancel the answer other sends wait for.
        return await asyncio.shield(answer)

    async def _look_up(self, bulk: BotTokenLookup) -> None:
        """Answer the queued workspaces, a round at a time, until none is left."""
        while self._queued:
            teams, self._queued = self._queued, []
            try:
                found = await bulk.async_find_bot_tokens(teams)
            except Exception as exc:  # each waiting send fails as a single look-up would have
                for team in teams:
                    answer = self._asked.pop(team)
                    if not answer.done():
                        answer.set_exception(exc)
                        answer.exception()  # retrieved here too: a send may have stopped waiting
                continue
            for team in teams:
                token = self._keep(team, found.get(team))
                answer = self._asked.pop(team)
                if not answer.done():
                    answer.set_result(token)

    def _keep(self, team: str, token: str | None) -> str | None:
        self._cache[team] = (token, time.monotonic() + self._ttl)
        return token

    def forget(self, team: str) -> None:
        self._cache.pop(team, None)


class SlackSender:
    platform = Platform.SLACK

    def __init__(
        self,
        tokens: BotTokens,
        *,
        base_url: str = DEFAULT_API_URL,
        team_of: Callable[[str], str | None] = lambda channel: None,
        team_rate: tuple[float, float] = TEAM_RATE,
        timeout: int = 15,
        wall_clock: Callable[[], float] = time.time,
        files: FileStore | None = None,
        share_budget: float = uploads.DEFAULT_BUDGET,
    ) -> None:
        self._tokens = tokens
        # How long an announcement's uploads may take before its share (a share after the lease
        # ran out could be a second copy): part of what a post's lease leaves (bot/app.py).
        self._share_budget = share_budget
        # Where announcements' attachments are read from; None: posts with files are refused.
        self._files = files
        self._base_url = base_url
        self._team_of = team_of
        self._team_rate = team_rate
        self._timeout = timeout
        self._now = wall_clock
        self._session: aiohttp.ClientSession | None = None
        self._clients: dict[str, AsyncWebClient] = {}

    # --- Sender ----------------------------------------------------------------------------------

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        message = _rendered(out, idempotency_key)
        client = await self._client(out.channel)
        if isinstance(out.content, AnnouncementPost) and out.content.files:
            return MessageRef(out.channel, await self._share(client, out, message, idempotency_key))
        body = {"channel": out.channel.channel, "unfurl_links": False, "unfurl_media": False, "parse": "none"}
        try:
            # What `chat_postMessage` sends, without its per-call conversion of Block objects to
            # dicts and its pass over the arguments for None (a twentieth of the sender's CPU in a
            # fan-out): the message is dicts already, and has no None in it.
            response = await client.api_call("chat.postMessage", json=body | message)
        except Exception as exc:
            raise self._send_error(exc, out.channel, posting=True) from exc
        return MessageRef(out.channel, str(response["ts"]))

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        """Look for an earlier attempt's message by its metadata key, in at most two pages of 15
        recent messages (history is tightly rate-limited for distributed apps: this must stay rare)."""
        client = await self._client(out.channel)
        event_type = translate.event_type_of(out)
        cursor: str | None = None
        for _ in range(LOOKBACK_PAGES):
            try:
                page = await self._history_page(client, out, cursor)
            except Exception as exc:
                raise self._send_error(exc, out.channel, posting=False) from exc
            for message in page.get("messages") or []:
                if translate.delivery_key(message, event_type) == idempotency_key:
                    return MessageRef(out.channel, str(message["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or not cursor:
                break
        return None

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        message = _rendered(out, "")
        message.pop("thread_ts", None)
        client = await self._client(ref.channel)
        try:
            await client.chat_update(channel=ref.channel.channel, ts=ref.message, parse="none", **message)
        except Exception as exc:
            raise self._send_error(exc, ref.channel, posting=False) from exc

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        client = await self._client(ref.channel)
        if out is not None and isinstance(out.content, AnnouncementPost) and out.content.files:
            # Files first: were the message deleted first, a crash would leave them unreachable.
            def fail(exc: Exception, posting: bool) -> Exception:
                return self._send_error(exc, ref.channel, posting=posting)

            await uploads.delete_shared_files(client, ref.channel.channel, ref.message, fail)
        try:
            await client.chat_delete(channel=ref.channel.channel, ts=ref.message)
        except SlackApiError as exc:
            if exc.response.get("error") == "message_not_found":
                return  # already gone: what we wanted
            raise self._send_error(exc, ref.channel, posting=False) from exc
        except Exception as exc:
            raise self._send_error(exc, ref.channel, posting=False) from exc

    async def _share(
        self, client: AsyncWebClient, out: Outgoing, message: translate.Message, key: str
    ) -> str:
        """An announcement with files: uploaded and shared with its blocks (adapters/slack/uploads.py)."""
        assert isinstance(out.content, AnnouncementPost)
        if self._files is None or self._session is None:
            raise PermanentSendError(
                "this process has no file store to read attachments from", deactivate=False
            )

        def fail(exc: Exception, posting: bool) -> Exception:
            return self._send_error(exc, out.channel, posting=posting)

        return await uploads.post_with_files(
            client,
            self._session,
            self._files,
            channel=out.channel.channel,
            files=out.content.files,
            message=translate.with_file_key(message, key),
            fail=fail,
            budget=self._share_budget,
        )

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        # The channel bucket first: waiting on it must not hold a token of the shared workspace bucket.
        team = channel.workspace or self._team_of(channel.channel) or "?"
        return [
            RateKey(f"slack:chan:{channel.channel}", *CHANNEL_RATE),
            RateKey(f"slack:team:{team}", *self._team_rate),
        ]

    # --- plumbing --------------------------------------------------------------------------------

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._clients.clear()

    async def _client(self, channel: ChannelRef) -> AsyncWebClient:
        # A channel registered without its workspace (a CSV import, an admin channel named in the
        # settings) gets it from what the adapter has seen of that channel.
        team = channel.workspace or self._team_of(channel.channel) or ""
        token = await self._tokens.token(team)
        if token is None:
            if not team:
                raise TransientSendError(f"workspace of channel {channel.channel} not known yet")
            raise PermanentSendError(f"partnerbot is not installed in workspace {team}", deactivate=True)
        client = self._clients.get(token)
        if client is None:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession(
                    json_serialize=json_dumps, response_class=OrjsonResponse
                )
            client = self._clients[token] = make_client(
                self._base_url, token=token, session=self._session, timeout=self._timeout
            )
        return client

    async def _history_page(self, client: AsyncWebClient, out: Outgoing, cursor: str | None) -> Any:
        common: dict[str, Any] = {
            "channel": out.channel.channel,
            "include_all_metadata": True,
            "limit": LOOKBACK_PAGE_SIZE,
            "oldest": f"{self._now() - LOOKBACK_SECONDS:.6f}",
        }
        if cursor:
            common["cursor"] = cursor
        if out.thread is not None:
            # Thread replies are not in conversations.history; look in the thread itself.
            return await client.conversations_replies(ts=out.thread.message, **common)
        return await client.conversations_history(**common)

    def _send_error(self, exc: Exception, channel: ChannelRef, *, posting: bool) -> SendError:
        error = _classify(exc, posting=posting)
        if isinstance(error, PermanentSendError) and error.deactivate:
            self._tokens.forget(channel.workspace)
        return error


def json_dumps(value: Any) -> str:
    """Request bodies (slack_sdk sends chat.postMessage as JSON through the session's serializer)
    with orjson: about a twentieth of a fan-out's CPU was the standard library's encoder. Anything
    orjson refuses (a subclass it does not know, an integer over 64 bits) goes through `json`."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


class OrjsonResponse(aiohttp.ClientResponse):
    """Responses whose JSON is read with orjson: slack_sdk reads every answer with `res.json()`,
    the standard library's decoder by default, and Slack echoes the whole posted message back (a
    few percent of a fan-out's CPU). orjson's JSONDecodeError is the standard library's subclass,
    so slack_sdk's handling of a body that is not JSON is unchanged. JSON is UTF-8 (RFC 8259 §8.1,
    and Slack says `charset=utf-8`): no charset to work out from the headers for every answer."""

    async def json(
        self,
        *,
        encoding: str | None = "utf-8",
        loads: Callable[[str], Any] = orjson.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        return await super().json(encoding=encoding, loads=loads, content_type=content_type)


def _rendered(out: Outgoing, key: str) -> translate.Message:
    try:
        return translate.outgoing_message(out, key=key)
    except translate.MessageTooLong as exc:
        raise PermanentSendError(str(exc), deactivate=False) from exc


def _classify(exc: Exception, *, posting: bool) -> SendError:
    """Map what AsyncWebClient raised onto the core's transient/permanent errors."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, SlackApiError):
        # A body slack_sdk could not read as JSON comes with aiohttp's response (`status`), not a
        # SlackResponse (`status_code`, `data`): nothing says whether a post was stored.
        readable = hasattr(exc.response, "status_code")
        status = exc.response.status_code if readable else getattr(exc.response, "status", 0)
        if status == 429:
            retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            return TransientSendError("ratelimited", retry_after=_seconds(retry_after), rate_limited=True)
        if not readable:
            return TransientSendError(f"unreadable answer (HTTP {status})", maybe_posted=posting)
        # A proxy's or an overloaded edge's answer may not be JSON: then there is no `error` to read.
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        error = str(data.get("error") or f"http_{status}")
        if error in DEACTIVATING:
            return PermanentSendError(error, deactivate=True)
        if status >= 500 or error in TRANSIENT:
            return TransientSendError(error, maybe_posted=posting)
        return PermanentSendError(error, deactivate=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransientSendError(f"cannot connect: {exc}")  # nothing was sent
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        # The request may have reached Slack before the connection dropped or the wait ran out.
        return TransientSendError(f"{type(exc).__name__}: {exc}", maybe_posted=posting)
    log.exception("unexpected error from the Slack client", exc_info=exc)
    return TransientSendError(f"internal error: {type(exc).__name__}", maybe_posted=posting)


def _seconds(value: Any) -> float | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None
