"""Showing a core reply in Slack: publicly with chat.postMessage, or only to the caller through the
interaction's `response_url` (`respond()`) or `chat.postEphemeral`. A failure to show a reply is logged,
never raised: the core call it answers has already happened.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate as tr
from adapters.slack.translate import Caller
from bot.domain import Reply

log = logging.getLogger(__name__)
REPLY_ERRORS = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)


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
        message = tr.reply_message(reply)
    except tr.MessageTooLong:
        message = {"text": tr.mrkdwn(reply.text)}
    try:
        if not reply.ephemeral and await _post_public(message, caller, client, respond, thread_ts):
            return
        if respond is not None:
            await respond_with(respond, message)
        else:
            await client.chat_postEphemeral(
                channel=caller.channel, user=caller.user, thread_ts=thread_ts, **message
            )
    except REPLY_ERRORS:
        log.warning("could not show a reply in %s", caller.channel, exc_info=True)


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
    except (*REPLY_ERRORS, tr.MessageTooLong):
        log.info("could not update message %s in %s; posting instead", ts, caller.channel, exc_info=True)
        return False
    return True


async def respond_with(respond: AsyncRespond, message: tr.Message, *, replace: bool = False) -> None:
    """Answer through the response_url, only to the person who acted (replacing their message if asked)."""
    try:
        await respond(response_type="ephemeral", replace_original=True if replace else None, **message)
    except REPLY_ERRORS:
        log.warning("could not answer through response_url", exc_info=True)


async def open_view(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal with the interaction's trigger_id (valid 3 s, once)."""
    try:
        await client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
    except REPLY_ERRORS:
        log.warning("could not open a modal", exc_info=True)
