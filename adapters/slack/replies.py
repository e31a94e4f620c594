"""Showing a core reply in Slack: publicly with chat.postMessage, or only to the caller through the
interaction's `response_url` (`respond()`) or `chat.postEphemeral`. A failure to show a reply is logged,
never raised: the core call it answers has already happened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import shown
from adapters.slack import translate as tr
from adapters.slack.payloads import View
from adapters.slack.translate import Caller
from bot.domain import Reply
from bot.presenter.search import show_lines

log = logging.getLogger(__name__)
REPLY_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)


def why(error: BaseException) -> str:
    """One line for the log: Slack's error code (`channel_not_found`), else the exception. These are
    answers from Slack or the network, not bugs: no traceback."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return f"{type(error).__name__}: {error}"[:200]


async def show(
    reply: Reply,
    caller: Caller,
    client: AsyncWebClient,
    *,
    respond: AsyncRespond | None = None,
    thread_ts: str | None = None,
) -> None:
    """Public replies (`ephemeral=False`, e.g. the admin preview) go to the channel; the rest only to
    the caller. Never with `link_names`, and with `parse=none`: nothing partnerbot says pings."""
    try:
        message = tr.reply_message(reply, permalink=await shown.permalink(reply, client))
    except tr.MessageTooLong:  # as text: a shown announcement's links and files as lines
        message = {"text": tr.mrkdwn("\n".join([reply.text, *show_lines(reply)]))}
    try:
        if not reply.ephemeral and await _post_public(message, caller, client, respond, thread_ts):
            return
        if respond is not None and respond.response_url:
            await respond_with(respond, message)
        else:
            await client.chat_postEphemeral(
                channel=caller.channel, user=caller.user, thread_ts=thread_ts, **message
            )
    except REPLY_ERRORS as error:
        log.warning("could not show a reply in %s: %s", caller.channel, why(error))


async def _post_public(
    message: tr.Message,
    caller: Caller,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    thread_ts: str | None,
) -> bool:
    try:
        await client.chat_postMessage(
            channel=caller.channel, thread_ts=thread_ts, parse="none",
            unfurl_links=False, unfurl_media=False, **message,
        )  # fmt: skip
        return True
    except SlackApiError as exc:  # e.g. not_in_channel: an interaction's response_url still reaches it
        log.info("public reply failed (%s); answering through the interaction", exc.response.get("error"))
        if respond is None:
            return False
        await respond(response_type="in_channel", **message)
        return True


async def replace_public(reply: Reply, caller: Caller, client: AsyncWebClient, ts: str) -> bool:
    """Show `reply` in place of the bot's own message `ts` (a draft's preview after an edit);
    False if that can't be done (not the bot's message, gone), so the caller posts it instead."""
    try:
        await client.chat_update(channel=caller.channel, ts=ts, parse="none", **tr.reply_message(reply))
    except (*REPLY_ERRORS, tr.MessageTooLong) as error:
        log.info("could not update message %s in %s (%s); posting instead", ts, caller.channel, why(error))
        return False
    return True


async def respond_with(respond: AsyncRespond, message: tr.Message, *, replace: bool = False) -> None:
    """Answer through the response_url, only to the person who acted (replacing their message if asked)."""
    if not respond.response_url:  # Slack always sends one with these payloads; a forged one may not
        log.warning("could not answer: the payload has no response_url")
        return
    try:
        await respond(response_type="ephemeral", replace_original=True if replace else None, **message)
    except REPLY_ERRORS as error:
        log.warning("could not answer through response_url: %s", why(error))


async def open_view(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal with the interaction's trigger_id (valid 3 s, once)."""
    try:
        await client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except REPLY_ERRORS as error:
        log.warning("could not open a modal: %s", why(error))


async def update_view(client: AsyncWebClient, opened: View, view: dict[str, Any]) -> None:
    """Replace an open modal's blocks, unless it changed meanwhile (`hash`): then the admin's next
    press works on the newer one. https://docs.slack.dev/reference/methods/views.update"""
    try:
        await client.views_update(view_id=opened.id or "", hash=opened.hash, view=view)
    except REPLY_ERRORS as error:
        log.warning("could not update a modal: %s", why(error))


class PooledRespond(AsyncRespond):
    """bolt's `respond()`, posting through one shared aiohttp session: bolt's own opens a new session,
    and so a new connection, for every post to a response_url (a TCP connect, and a TLS handshake
    against slack.com, per command)."""

    def __init__(self, *, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self._session = session

    async def __call__(self, text: str | dict[str, Any] = "", **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        assert self.response_url is not None
        client = AsyncWebhookClient(url=self.response_url, session=self._session)
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **kwargs)
        return await client.send_dict(message)


class ResponseUrls(AsyncMiddleware):
    """A bolt middleware giving listeners a `respond` that reuses one connection pool (closed by
    `close()` when the adapter stops)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        url = req.context.response_url
        if url:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession()
            req.context["respond"] = PooledRespond(response_url=url, session=self._session)
        return await next()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
