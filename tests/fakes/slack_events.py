"""Requests from Slack to a bot's `/slack/events` URL, signed as Slack signs them.

Each helper first changes the `FakeSlack` state the way the user's action would (a message typed, a reaction
added, a token revoked), issues the `trigger_id`/`response_url` the fake will honour, then POSTs the payload.
Shapes: https://docs.slack.dev/apis/events-api/ and https://docs.slack.dev/reference/interaction-payloads/
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypedDict, Unpack
from urllib.parse import parse_qs, urlencode

import aiohttp

from tests.fakes.slack import JSON, Channel, FakeSlack, Message
from tests.fakes.slack_socket import EnvelopeType

ACK_TIMEOUT = 3.0  # Slack gives up after 3 s: https://docs.slack.dev/apis/events-api/#responding
STALE_SECONDS = 301  # requests more than 300 s old must be rejected: https://docs.slack.dev/authentication/verifying-requests-from-slack
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class Tamper(TypedDict, total=False):
    forge_signature: bool  # sign with the wrong secret
    stale_timestamp: bool  # a timestamp (correctly signed) more than 300 s in the past


@dataclass(frozen=True)
class InboundResponse:
    status: int  # 0 if the bot did not answer within Slack's 3 s
    body: str
    headers: dict[str, str]
    elapsed: float
    payload: JSON = field(default_factory=dict)  # what was sent (the form fields or the JSON)

    @property
    def timed_out(self) -> bool:
        return self.status == 0

    def json(self) -> Any:
        return json.loads(self.body)


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackEventSender:
    """Sends slash commands, events and interactions to `url` for the workspaces of `fake`.

    `message_events`: the app subscribes to `message.channels`/`message.groups`, so a mention also arrives as
    a plain `message` event (Slack sends both, in no promised order; here `message` goes first)."""

    def __init__(
        self,
        fake: FakeSlack,
        url: str,
        signing_secret: str,
        *,
        message_events: bool = True,
        ack_timeout: float = ACK_TIMEOUT,
    ) -> None:
        self.fake, self.url, self.signing_secret = fake, url, signing_secret
        self.message_events, self.ack_timeout = message_events, ack_timeout
        self.sent: list[InboundResponse] = []
        self._session: aiohttp.ClientSession | None = None
        self._event_ids = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ---- transport ---------------------------------------------------------------------------------

    async def post(
        self,
        body: bytes,
        content_type: str,
        payload: JSON,
        *,
        headers: dict[str, str] | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """POST a raw body with Slack's headers; every helper ends here."""
        timestamp = str(int(time.time()) - (STALE_SECONDS if tamper.get("stale_timestamp") else 0))
        secret = "forged-" + self.signing_secret if tamper.get("forge_signature") else self.signing_secret
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": USER_AGENT,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": slack_signature(secret, timestamp, body),
            **(headers or {}),
        }
        self._session = self._session or aiohttp.ClientSession()
        started = time.monotonic()
        try:
            async with self._session.post(
                self.url,
                data=body,
                headers=all_headers,
                timeout=aiohttp.ClientTimeout(total=self.ack_timeout),
            ) as resp:
                text = await resp.text()
                result = InboundResponse(
                    resp.status, text, dict(resp.headers), time.monotonic() - started, payload
                )
        except TimeoutError:
            result = InboundResponse(0, "", {}, time.monotonic() - started, payload)
        self.sent.append(result)
        return result

    async def _form(self, fields: dict[str, str], payload: JSON, **tamper: Unpack[Tamper]) -> InboundResponse:
        return await self.post(
            urlencode(fields).encode(), "application/x-www-form-urlencoded", payload, **tamper
        )

    async def _interaction(self, payload: JSON, **tamper: Unpack[Tamper]) -> InboundResponse:
        # Interactivity arrives form-encoded as `payload=<json>`:
        # https://docs.slack.dev/interactivity/handling-user-interaction#payloads
        return await self._form({"payload": json.dumps(payload)}, payload, **tamper)

    # ---- Events API ----------------------------------------------------------------------------------

    async def url_verification(
        self,
        challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """https://docs.slack.dev/reference/events/url_verification: the bot must echo `challenge`."""
        payload = {"token": self.fake.verification_token, "challenge": challenge, "type": "url_verification"}
        return await self.post(json.dumps(payload).encode(), "application/json", payload, **tamper)

    async def event(
        self,
        event: JSON,
        *,
        team_id: str,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """Wrap `event` in an `event_callback` envelope for the installation in `team_id`. A retry of an
        earlier delivery reuses its `event_id` and carries `X-Slack-Retry-Num`/`-Reason`."""
        ws = self.fake.workspaces[team_id]
        self._event_ids += 1
        envelope = {
            "token": self.fake.verification_token,
            "team_id": team_id,
            "api_app_id": self.fake.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._event_ids:08d}",
            "event_time": int(self.fake.epoch()),
            "event_context": f"4-{team_id}-{self._event_ids}",
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": ws.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": self._is_shared(event.get("channel")),
        }
        headers = (
            {}
            if retry_num is None
            else {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        )
        return await self.post(
            json.dumps(envelope).encode(), "application/json", envelope, headers=headers, **tamper
        )

    def _is_shared(self, channel_id: Any) -> bool:
        channel = self.fake.channels.get(str(channel_id))
        return bool(channel and channel.shared_team_ids)

    def _message_event(self, msg: Message, channel: Channel, kind: str = "message") -> JSON:
        event: JSON = {
            "type": kind,
            "channel": msg.channel,
            "user": msg.user,
            "text": msg.text,
            "ts": msg.ts,
            "event_ts": msg.ts,
            "team": msg.team,
        }
        if kind == "message":
            event["channel_type"] = "group" if channel.is_private else "channel"
        if msg.is_reply and msg.thread_ts:
            parent = channel.find(msg.thread_ts)
            event.update(thread_ts=msg.thread_ts, parent_user_id=parent.user if parent else None)
        return event

    async def message(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        team_id: str | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """A person posts `text` (in the thread `thread_ts` if given): https://docs.slack.dev/reference/events/message"""
        channel = self.fake.channels[channel_id]
        msg = self.fake.user_message(channel_id, user_id, text, thread_ts=thread_ts)
        return await self.event(
            self._message_event(msg, channel), team_id=team_id or channel.team_id, **tamper
        )

    async def app_mention(
        self,
        channel_id: str,
        user_id: str,
        text: str,
        *,
        thread_ts: str | None = None,
        team_id: str | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """`@partnerbot text`: https://docs.slack.dev/reference/events/app_mention"""
        channel = self.fake.channels[channel_id]
        team_id = team_id or channel.team_id
        mention = f"<@{self.fake.workspaces[team_id].bot_user_id}> {text}"
        msg = self.fake.user_message(channel_id, user_id, mention, thread_ts=thread_ts)
        if self.message_events:
            await self.event(self._message_event(msg, channel), team_id=team_id, **tamper)
        return await self.event(self._message_event(msg, channel, "app_mention"), team_id=team_id, **tamper)

    async def reaction(
        self,
        channel_id: str,
        ts: str,
        user_id: str,
        name: str,
        *,
        removed: bool = False,
        team_id: str | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """https://docs.slack.dev/reference/events/reaction_added (and reaction_removed)"""
        channel = self.fake.channels[channel_id]
        msg = channel.find(ts)
        assert msg is not None, f"no message {ts} in {channel_id}"
        users = msg.reactions.setdefault(name, [])
        if removed and user_id in users:
            users.remove(user_id)
        elif not removed and user_id not in users:
            users.append(user_id)
        event = {
            "type": "reaction_removed" if removed else "reaction_added",
            "user": user_id,
            "reaction": name,
            "item_user": msg.user,
            "item": {"type": "message", "channel": channel_id, "ts": ts},
            "event_ts": self.fake.next_ts(),
        }
        return await self.event(event, team_id=team_id or channel.team_id, **tamper)

    async def reaction_added(
        self, channel_id: str, ts: str, user_id: str, name: str, **tamper: Unpack[Tamper]
    ) -> InboundResponse:
        return await self.reaction(channel_id, ts, user_id, name, **tamper)

    async def reaction_removed(
        self, channel_id: str, ts: str, user_id: str, name: str, **tamper: Unpack[Tamper]
    ) -> InboundResponse:
        return await self.reaction(channel_id, ts, user_id, name, removed=True, **tamper)

    async def app_uninstalled(self, team_id: str, **tamper: Unpack[Tamper]) -> InboundResponse:
        """https://docs.slack.dev/reference/events/app_uninstalled: the bot token stops working."""
        self.fake.deactivate(team_id)
        event = {"type": "app_uninstalled", "event_ts": self.fake.next_ts()}
        return await self.event(event, team_id=team_id, **tamper)

    async def tokens_revoked(self, team_id: str, **tamper: Unpack[Tamper]) -> InboundResponse:
        """https://docs.slack.dev/reference/events/tokens_revoked (bot token only)."""
        self.fake.deactivate(team_id, "token_revoked")
        bot = self.fake.workspaces[team_id].bot_user_id
        event = {
            "type": "tokens_revoked",
            "tokens": {"oauth": [], "bot": [bot]},
            "event_ts": self.fake.next_ts(),
        }
        return await self.event(event, team_id=team_id, **tamper)

    # ---- slash commands and interactivity -----------------------------------------------------------

    def _team(self, team_id: str) -> JSON:
        return {"id": team_id, "domain": self.fake.workspaces[team_id].domain}

    def _user(self, user_id: str) -> JSON:
        user = self.fake.users[user_id]
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}

    async def slash_command(
        self,
        command: str,
        text: str,
        *,
        channel_id: str,
        user_id: str,
        team_id: str | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """Form-encoded like Slack: https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling"""
        channel = self.fake.channels[channel_id]
        team_id = team_id or channel.team_id
        fields = {
            "token": self.fake.verification_token,
            "team_id": team_id,
            "team_domain": self.fake.workspaces[team_id].domain,
            "channel_id": channel_id,
            "channel_name": channel.name,
            "user_id": user_id,
            "user_name": self.fake.users[user_id].name,
            "command": command,
            "text": text,
            "api_app_id": self.fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.issue_response_url(team_id, channel_id, user_id),
            "trigger_id": self.fake.issue_trigger(team_id, user_id),
        }
        return await self._form(fields, dict(fields), **tamper)

    def _base_interaction(self, kind: str, team_id: str, user_id: str) -> JSON:
        return {
            "type": kind,
            "token": self.fake.verification_token,
            "api_app_id": self.fake.app_id,
            "team": self._team(team_id),
            "user": self._user(user_id),
            "enterprise": None,
            "is_enterprise_install": False,
            "trigger_id": self.fake.issue_trigger(team_id, user_id),
        }

    def _source(self, channel_id: str, message_ts: str) -> tuple[Channel, Message]:
        channel = self.fake.channels[channel_id]
        msg = channel.find(message_ts)
        assert msg is not None, f"no message {message_ts} in {channel_id}"
        return channel, msg

    async def message_shortcut(
        self,
        callback_id: str,
        *,
        channel_id: str,
        message_ts: str,
        user_id: str,
        team_id: str | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """https://docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload"""
        channel, msg = self._source(channel_id, message_ts)
        team_id = team_id or channel.team_id
        payload = {
            **self._base_interaction("message_action", team_id, user_id),
            "callback_id": callback_id,
            "action_ts": self.fake.next_ts(),
            "channel": {"id": channel.id, "name": channel.name},
            "message_ts": msg.ts,
            "message": msg.to_api(include_metadata=False),
            "response_url": self.fake.issue_response_url(team_id, channel.id, user_id),
        }
        return await self._interaction(payload, **tamper)

    async def block_actions(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
        team_id: str | None = None,
        state: JSON | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        """A button pressed in a message (channel_id + message_ts) or in a view (view_id; `state`: what
        its inputs hold then, `{block_id: {action_id: {...}}}`, sent as the view's `state.values`):
        https://docs.slack.dev/reference/interaction-payloads/block_actions-payload"""
        action = {
            "action_id": action_id,
            "value": value,
            "type": "button",
            "action_ts": self.fake.next_ts(),
            "text": {"type": "plain_text", "text": value},
        }
        if view_id is not None:
            opened = self.fake.views[view_id]
            action["block_id"] = _block_id(opened.data.get("blocks"), action_id)
            payload = {
                **self._base_interaction("block_actions", team_id or opened.team_id, user_id),
                "container": {"type": "view", "view_id": view_id},
                "view": {**opened.data, "state": {"values": state or {}}},
                "actions": [action],
            }
            return await self._interaction(payload, **tamper)
        assert channel_id and message_ts, "give channel_id and message_ts, or view_id"
        channel, msg = self._source(channel_id, message_ts)
        team_id = team_id or channel.team_id
        action["block_id"] = _block_id(msg.blocks, action_id)
        payload = {
            **self._base_interaction("block_actions", team_id, user_id),
            "container": {
                "type": "message",
                "message_ts": msg.ts,
                "channel_id": channel.id,
                "is_ephemeral": False,
            },
            "channel": {"id": channel.id, "name": channel.name},
            "message": msg.to_api(include_metadata=False),
            "state": {"values": {}},
            "actions": [action],
            "response_url": self.fake.issue_response_url(team_id, channel.id, user_id, message_ts=msg.ts),
        }
        return await self._interaction(payload, **tamper)

    async def view_submission(
        self, view_id: str, values: JSON, *, user_id: str | None = None, **tamper: Unpack[Tamper]
    ) -> InboundResponse:
        """Submit an opened modal with `values` as `state.values` ({block_id: {action_id: {...}}}):
        https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload#view_submission"""
        opened = self.fake.views[view_id]
        payload = {
            **self._base_interaction("view_submission", opened.team_id, user_id or opened.user_id),
            "view": {**opened.data, "state": {"values": values}},
            "response_urls": [],
        }
        return await self._interaction(payload, **tamper)


def _block_id(blocks: list[JSON] | None, action_id: str) -> str:
    """The block holding the element with `action_id`, as Slack reports it."""
    for block in blocks or []:
        elements = block.get("elements", []) + ([block["accessory"]] if "accessory" in block else [])
        if any(isinstance(el, dict) and el.get("action_id") == action_id for el in elements):
            return str(block.get("block_id", ""))
    return "fake-block"


class SocketEventSender(SlackEventSender):
    """The same user actions as `SlackEventSender`, delivered over the fake's Socket Mode connection
    instead of POSTed: each payload goes out as an envelope (`events_api`, `interactive` or
    `slash_commands`) and the answer is the envelope's ack, waited for up to `ack_timeout`
    (status 200 with the ack's payload as the body, or 0 if no ack came)."""

    def __init__(self, fake: FakeSlack, *, message_events: bool = True, ack_timeout: float = ACK_TIMEOUT):
        super().__init__(fake, "", "", message_events=message_events, ack_timeout=ack_timeout)

    async def post(
        self,
        body: bytes,
        content_type: str,
        payload: JSON,
        *,
        headers: dict[str, str] | None = None,
        **tamper: Unpack[Tamper],
    ) -> InboundResponse:
        if tamper:
            raise ValueError("Socket Mode payloads are not signed: nothing to tamper with")
        kind: EnvelopeType
        if content_type == "application/json":
            kind = "events_api"
        else:
            kind = "interactive" if "payload" in parse_qs(body.decode()) else "slash_commands"
        started = time.monotonic()
        # A retry of an earlier delivery (`event(retry_num=…)`) is marked on the envelope instead.
        retry = int((headers or {}).get("X-Slack-Retry-Num", 0))
        envelope = await self.fake.socket_mode.send(kind, payload, retry_attempt=retry)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.ack_timeout):
                # Acknowledged (or the ack lost, `drop_acks`) — possibly as a re-send on a new connection.
                envelope = await self.fake.socket_mode.answer_to(envelope)
        if not envelope.acked.is_set():
            result = InboundResponse(0, "", {}, time.monotonic() - started, payload)
        else:
            text = "" if envelope.response is None else json.dumps(envelope.response)
            result = InboundResponse(200, text, {}, time.monotonic() - started, payload)
        self.sent.append(result)
        return result
