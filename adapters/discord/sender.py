"""The Discord Sender: posts, edits and deletes through discord.py's HTTP client, never twice.

discord.py honours per-route buckets and retries 429s and 500/502/504/524 inside the call, but it
does not pace itself to the 50 requests/s global limit, sets no request timeout, and turns a dropped
connection into an aiohttp error. So: the core's limiter paces the buckets `rate_keys` names; every
request runs under `asyncio.wait_for`; anything that may have reached Discord is reported as
`maybe_posted`, and every create carries a deterministic `nonce` with `enforce_nonce`, so a repeat
within Discord's window returns the original message instead of posting again.
https://discord.com/developers/docs/resources/message#create-message-jsonform-params
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeVar

import aiohttp
import discord
from discord.http import MultipartParameters, handle_message_parameters
from discord.utils import MISSING

from adapters.discord import translate as tr
from adapters.discord.files import render_with_files, upload_names
from adapters.discord.views import static_view
from bot.domain import ChannelRef, MessageRef, Outgoing, Platform
from bot.ports import FileMissing, FileStore, PermanentSendError, RateKey, SendError, TransientSendError

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# JSON error codes, https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
THREAD_ALREADY_CREATED = 160004
# The channel itself is unusable: it is gone, or the bot cannot see it or post in it.
_CONDEMNS_CHANNEL = frozenset({UNKNOWN_CHANNEL, MISSING_ACCESS, MISSING_PERMISSIONS})

# 50 requests/s per bot for everything but interaction responses; message creates have been
# observed at about 5 per 5 s per channel (not published). See PLATFORM_NOTES.md.
GLOBAL_RATE = RateKey("discord:global", 50, 1.0)
CHANNEL_RATE = (5, 5.0)
HISTORY_WINDOW = 50  # how far back `find_posted` looks
PAYLOADS_KEPT = 64  # Parts whose payload DiscordSender keeps (those of the announcements in flight)
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: answers may take days


class RecentPosts:
    """Messages this process posted in the last two minutes.

    The delivery worker records a batch's message ids only after the whole batch is sent, so for a
    few seconds a partner may react to, or ask about, an announcement partnerbot does not know yet;
    the handlers retry those lookups while the message is in here instead of dropping them.
    """

    KEEP = 120.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._posted: OrderedDict[int, float] = OrderedDict()

    def add(self, message_id: int) -> None:
        now = self._clock()
        # Oldest first, so only expired entries are visited: a fan-out adds thousands a minute.
        while self._posted and now - next(iter(self._posted.values())) >= self.KEEP:
            self._posted.popitem(last=False)
        self._posted[message_id] = now
        self._posted.move_to_end(message_id)

    def __contains__(self, message_id: object) -> bool:
        at = self._posted.get(message_id) if isinstance(message_id, int) else None
        return at is not None and self._clock() - at < self.KEEP


class UnknownTarget(PermanentSendError):
    """404 for the channel/thread or message addressed; callers may have a fallback."""

    def __init__(self, reason: str, *, code: int) -> None:
        super().__init__(reason, deactivate=code == UNKNOWN_CHANNEL)
        self.code = code


def classify(exc: BaseException) -> SendError:
    """What a failed request means for the delivery worker."""
    if isinstance(exc, discord.RateLimited):  # longer than max_ratelimit_timeout: reschedule
        return TransientSendError("rate limited", retry_after=exc.retry_after, rate_limited=True)
    if isinstance(exc, discord.HTTPException):
        reason = f"HTTP {exc.status} ({exc.code}) {exc.text}".strip()
        if exc.status == 429:  # discord.py gave up after its own retries
            return TransientSendError(reason, retry_after=_retry_after(exc), rate_limited=True)
        if exc.status >= 500:
            return TransientSendError(reason, maybe_posted=True)
        if exc.status == 401:  # a revoked token is fixed by an operator, not by failing rows
            return TransientSendError(reason + " — check DISCORD_TOKEN")
        if exc.code in (UNKNOWN_CHANNEL, UNKNOWN_MESSAGE):
            return UnknownTarget(reason, code=exc.code)
        return PermanentSendError(reason, deactivate=exc.code in _CONDEMNS_CHANNEL)
    if isinstance(exc, TimeoutError):
        return TransientSendError("Discord did not answer in time", maybe_posted=True)
    if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
        return TransientSendError(f"cannot reach Discord: {exc}")
    if isinstance(exc, aiohttp.ClientError | OSError):  # e.g. ServerDisconnectedError after sending
        return TransientSendError(f"connection lost: {type(exc).__name__}", maybe_posted=True)
    raise exc


def _retry_after(exc: discord.HTTPException) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for header in ("Retry-After", "X-RateLimit-Reset-After"):
        try:
            return float(headers[header])
        except (KeyError, ValueError):
            continue
    return None


def amortise_bucket_cleanup(http: discord.http.HTTPClient) -> None:
    """Make discord.py's rate-limit bucket cleanup linear in a fan-out.

    discord.py keeps a bucket per route and channel and, once it holds 256, scans all of them each
    time it creates another, dropping only those idle for 5 minutes (HTTPClient.get_ratelimit →
    _try_clear_expired_ratelimits, discord.py 2.7). Posting to N new channels therefore scans O(N²)
    buckets: at 10,000 channels about two thirds of a worker's CPU (bench/fanout.py --platform
    discord). Scanning only once the count has doubled since the last scan drops the same buckets
    in O(N) in all. A discord.py without these internals is left as it is.
    """
    scan = getattr(http, "_try_clear_expired_ratelimits", None)
    if scan is None or not isinstance(getattr(http, "_buckets", None), dict):
        return
    threshold = 256

    def cleanup() -> None:
        nonlocal threshold
        if len(http._buckets) >= threshold:
            scan()
            threshold = max(256, 2 * len(http._buckets))

    http._try_clear_expired_ratelimits = cleanup  # type: ignore[method-assign]


@functools.lru_cache(maxsize=32)
def _view_of(components: tuple[tr.Component, ...]) -> discord.ui.View:
    """One View per set of components, shared by every post that carries it: building one per post
    cost more than the rest of the Sender, and sending only reads it (`to_components`)."""
    return static_view(components)


class DiscordSender:
    platform = Platform.DISCORD

    def __init__(
        self,
        client: discord.Client,
        *,
        timeout: float = 15.0,
        recent: RecentPosts | None = None,
        files: FileStore | None = None,
    ) -> None:
        self._client = client
        self._timeout = timeout
        # Where announcements' attachments are read from; None: posts with files are refused.
        self._files = files
        self.recent = recent or RecentPosts()
        # Each Part's JSON payload, built once: the copies of an announcement share their Parts
        # (translate.render_announcement) and differ only in the nonce. Holding the Part keeps its
        # id from being reused while it is a key.
        self._payloads: OrderedDict[int, tuple[tr.Part, dict[str, Any]]] = OrderedDict()
        amortise_bucket_cleanup(client.http)

    # --- the Sender protocol ---------------------------------------------------------------

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        parts = render_with_files(out)
        if out.thread is None:
            return MessageRef(
                out.channel, await self._post_parts(int(out.channel.channel), parts, idempotency_key)
            )
        # A thread started from a message has the message's id; open it on first use.
        try:
            first = await self._post_parts(int(out.thread.message), parts, idempotency_key)
        except UnknownTarget as missing:
            if missing.code != UNKNOWN_CHANNEL:
                raise
            where = await self._open_thread(out)
            first = await self._post_parts(where, parts, idempotency_key)
        return MessageRef(out.channel, first)

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        """Look through recent history for every part an earlier attempt may have posted."""
        parts = render_with_files(out)
        where = int(out.thread.message if out.thread else out.channel.channel)
        try:
            history = await self._call(self._client.http.logs_from(where, HISTORY_WINDOW))
        except UnknownTarget:
            return None
        bot_id = self._bot_id()
        found: list[str] = []
        for index, part in enumerate(parts):
            key = tr.nonce(idempotency_key, index)
            match = next((m for m in history if tr.same_message(m, part, key, bot_id)), None)
            if match is None:
                return None  # not (all) there: post again, the nonce absorbs what was already sent
            found.append(str(match["id"]))
        return MessageRef(out.channel, found[0])

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        parts = render_with_files(out)
        if len(parts) > 1:
            raise PermanentSendError("the edited text needs more than one Discord message", deactivate=False)
        params = self._params(parts[0], nonce=None)
        await self._call(
            self._client.http.edit_message(int(ref.channel.channel), int(ref.message), params=params)
        )

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        # Deleting a message deletes its attachments too: nothing else to remove.
        try:
            await self._call(self._client.http.delete_message(int(ref.channel.channel), int(ref.message)))
        except UnknownTarget as missing:
            if missing.code != UNKNOWN_MESSAGE:
                raise  # the message is gone already: that is what we wanted

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        rate, period = CHANNEL_RATE
        return [GLOBAL_RATE, RateKey(f"discord:chan:{channel.channel}", rate, period)]

    # --- internals ------------------------------------------------------------------------

    async def _post_parts(self, channel_id: int, parts: Sequence[tr.Part], key: str) -> str:
        first = ""
        for index, part in enumerate(parts):
            uploads = await self._uploads(part)
            params = self._params(part, nonce=tr.nonce(key, index), files=uploads)
            try:
                message = await self._call(self._client.http.send_message(channel_id, params=params))
            finally:
                for upload in uploads:
                    upload.close()
            first = first or str(message["id"])
        self.recent.add(int(first))
        return first

    async def _open_thread(self, out: Outgoing) -> int:
        """Start the thread from its message; where to post if the message itself is gone."""
        assert out.thread is not None
        parent, starter = int(out.channel.channel), int(out.thread.message)
        request = self._client.http.start_thread_with_message(
            parent, starter, name=tr.thread_name(out), auto_archive_duration=THREAD_ARCHIVE_MINUTES
        )
        try:
            await self._request(request)
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_CREATED:  # someone opened it meanwhile
                return starter
            if exc.code == UNKNOWN_MESSAGE:  # the announcement was deleted: answer in the channel
                log.info("thread starter %s is gone; posting in channel %s", starter, parent)
                return parent
            raise classify(exc) from exc
        return starter

    def _params(
        self, part: tr.Part, *, nonce: str | None, files: Sequence[discord.File] = ()
    ) -> MultipartParameters:
        """The message's parameters, as discord.py's `handle_message_parameters` builds them. Without
        files, from the Part's payload built once (about a twentieth of a Discord fan-out's CPU per
        copy); with files, afresh (the multipart form carries the payload and the uploads)."""
        if files:
            return handle_message_parameters(
                content=part.content or MISSING,
                embeds=list(part.embeds),
                view=_view_of(part.components) if part.components else MISSING,
                nonce=nonce,
                allowed_mentions=discord.AllowedMentions.none(),
                files=list(files),
            )
        kept = self._payloads.get(id(part))
        if kept is None or kept[0] is not part:
            built = handle_message_parameters(
                content=part.content or MISSING,
                embeds=list(part.embeds),
                view=_view_of(part.components) if part.components else MISSING,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            if len(self._payloads) >= PAYLOADS_KEPT:
                self._payloads.popitem(last=False)
            kept = self._payloads[id(part)] = (part, dict(built.payload or {}))
        payload = dict(kept[1])  # sending reads it; the copy keeps each post's nonce its own
        if nonce is not None:  # as handle_message_parameters sets it
            payload["nonce"] = nonce
            payload["enforce_nonce"] = True
        return MultipartParameters(payload=payload, multipart=[], files=None)

    async def _uploads(self, part: tr.Part) -> list[discord.File]:
        """The part's files as multipart uploads (`files[n]` + `payload_json`), bytes from the store."""
        if not part.files:
            return []
        if self._files is None:
            raise PermanentSendError(
                "this process has no file store to read attachments from", deactivate=False
            )
        uploads = []
        for name, attachment in zip(upload_names(part.files), part.files, strict=True):
            try:
                data = await self._files.read(sha256=attachment.sha256)
            except FileMissing as exc:
                raise PermanentSendError(
                    f"attachment {attachment.name} is missing: {exc}", deactivate=False
                ) from exc
            uploads.append(discord.File(io.BytesIO(data), filename=name))
        return uploads

    async def _request(self, request: Awaitable[_T]) -> _T:
        """One REST call with a deadline; transport failures become SendErrors, HTTP errors pass."""
        try:
            async with asyncio.timeout(self._timeout):  # not wait_for: that adds a task per request
                return await request
        except discord.HTTPException:
            raise
        except (discord.RateLimited, TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise classify(exc) from exc

    async def _call(self, request: Awaitable[_T]) -> _T:
        try:
            return await self._request(request)
        except discord.HTTPException as exc:
            raise classify(exc) from exc

    def _bot_id(self) -> int:
        user = self._client.user
        if user is None:
            raise TransientSendError("the Discord client is not logged in yet")
        return user.id
