"""Slack's Socket Mode, served by the `FakeSlack` on 127.0.0.1 (https://docs.slack.dev/apis/events-api/using-socket-mode).

An app calls `apps.connections.open` with its app-level token (`xapp-…`) and gets a single-use WebSocket
URL; on connecting it receives `hello`, then envelopes `{"envelope_id", "type", "payload",
"accepts_response_payload", "retry_attempt", "retry_reason"}` with `type` one of `events_api`,
`interactive` or `slash_commands`, and acknowledges each with `{"envelope_id": …, "payload": …}` (payload
only where `accepts_response_payload`). Slack refreshes connections on its own schedule: it sends
`{"type": "disconnect", "reason": "warning"}` about ten seconds before, or `"refresh_requested"` when it
wants a new connection now, then closes; the app opens a fresh URL.

Delivery is at least once: an Events API envelope not acknowledged when its connection goes away is sent
again on the next connection, with a new `envelope_id`, the same `event_id` and `retry_attempt` + 1 (Slack
retries events three times, as over HTTP). Interactivity and slash commands are not re-sent by Slack (the
user sees an error instead); `redeliver` makes the fake re-send those too, for tests that want the worst.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import WSMsgType, web

JSON = dict[str, Any]
EnvelopeType = Literal["events_api", "interactive", "slash_commands"]
APP_TOKEN_PREFIX = "xapp-"
LINK_PATH = "/link/"
MAX_RETRIES = 3  # https://docs.slack.dev/apis/events-api/#retries
TICKET_TTL = 30.0  # the URL is for one connection, soon; Slack does not publish how long it lasts
WARNING_SECONDS = 10.0  # "warning": the connection closes in about 10 s


@dataclass
class Envelope:
    envelope_id: str
    type: EnvelopeType
    payload: JSON
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str = ""
    connection: int | None = None  # the connection it was last written to
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # an ack came, kept or lost
    lost_acks: int = 0
    response: JSON | None = None  # the ack's payload
    superseded_by: str | None = None  # the envelope that re-sent this one

    def frame(self) -> JSON:
        return {"envelope_id": self.envelope_id, "type": self.type, "payload": self.payload,
                "accepts_response_payload": self.accepts_response_payload,
                "retry_attempt": self.retry_attempt, "retry_reason": self.retry_reason}  # fmt: skip


@dataclass
class Ack:
    envelope_id: str
    payload: JSON | None
    connection: int
    known: bool  # an envelope the fake sent and had not seen acknowledged


@dataclass
class Connection:
    id: int
    ws: web.WebSocketResponse
    ticket: str
    closed: asyncio.Event = field(default_factory=asyncio.Event)


class SocketMode:
    """The Socket Mode side of a `FakeSlack` (its `socket_mode` attribute)."""

    def __init__(self, app_id: str, origin: Callable[[], str], clock: Callable[[], float]) -> None:
        self.app_id = app_id
        self._origin = origin  # the fake's "http://127.0.0.1:port"
        self._clock = clock
        self.app_tokens: set[str] = set()
        self.redeliver: set[EnvelopeType] = {"events_api"}
        self.envelopes: dict[str, Envelope] = {}
        self.acks: list[Ack] = []
        self.connections: dict[int, Connection] = {}
        self.opened: list[str] = []  # every URL apps.connections.open issued
        self.drop_acks = 0  # the next n acks are lost on the way (the envelope stays unacknowledged)
        self._tickets: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    # ---- arranging and acting -----------------------------------------------------------------

    def add_app_token(self) -> str:
        token = f"{APP_TOKEN_PREFIX}1-{self.app_id}-{secrets.token_hex(8)}"
        self.app_tokens.add(token)
        return token

    @property
    def live(self) -> list[Connection]:
        return [c for c in self.connections.values() if not c.closed.is_set() and not c.ws.closed]

    async def wait_connected(self, *, count: int = 1, timeout: float = 5.0) -> Connection:
        """Wait until `count` connections were made in all and one is open; return the newest."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.connections) >= count and bool(self.live))
        return self.live[-1]

    async def send(
        self, type: EnvelopeType, payload: JSON, *, accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
    ) -> Envelope:  # fmt: skip
        """Write an envelope to the newest open connection (or keep it until one opens)."""
        # A payload is expected back for a slash command (its reply) and a modal (`response_action`).
        accepts = (type == "slash_commands" or payload.get("type") in ("view_submission", "block_suggestion")
                   if accepts_response_payload is None else accepts_response_payload)  # fmt: skip
        reason = "timeout" if retry_attempt else ""
        envelope = Envelope(self._new_id(), type, payload, accepts, retry_attempt, reason)
        self.envelopes[envelope.envelope_id] = envelope
        await self._write(envelope)
        return envelope

    async def disconnect(
        self, reason: Literal["refresh_requested", "warning", "link_disabled"] = "refresh_requested", *,
        close_after: float = 0.0,
    ) -> None:  # fmt: skip
        """Tell every open connection to go, as Slack does, then close them `close_after` seconds later
        (Slack waits about 10 s after a "warning"). The app must open a new URL."""
        conns = self.live
        frame = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for conn in conns:
            with contextlib.suppress(ConnectionError):
                await conn.ws.send_json(frame)
        if close_after:
            await asyncio.sleep(close_after)
        for conn in conns:
            await self._close(conn)

    async def drop(self) -> None:
        """Close every connection without a word (a network failure)."""
        for conn in self.live:
            await self._close(conn)

    async def answer_to(self, envelope: Envelope) -> Envelope:
        """Wait until `envelope` — or, if its connection went away first, the envelope that re-sent it —
        was answered (acknowledged, or its ack lost with `drop_acks`); return that envelope."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.latest(envelope).answered.is_set())
        return self.latest(envelope)

    def latest(self, envelope: Envelope) -> Envelope:
        while envelope.superseded_by is not None:
            envelope = self.envelopes[envelope.superseded_by]
        return envelope

    def pending(self) -> list[Envelope]:
        """Envelopes not (yet) acknowledged and not re-sent as another envelope."""
        return [e for e in self.envelopes.values() if not e.acked.is_set() and e.superseded_by is None]

    # ---- the wire -----------------------------------------------------------------------------

    def connections_open(self, token: str | None) -> JSON:
        """apps.connections.open: https://docs.slack.dev/reference/methods/apps.connections.open"""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith(APP_TOKEN_PREFIX):
            return {"ok": False, "error": "not_allowed_token_type"}  # a bot or user token
        if token not in self.app_tokens:
            return {"ok": False, "error": "invalid_auth"}
        ticket = secrets.token_hex(16)
        self._tickets[ticket] = self._clock()
        url = f"{self._origin().replace('http://', 'ws://')}{LINK_PATH}?ticket={ticket}&app_id={self.app_id}"
        self.opened.append(url)
        return {"ok": True, "url": url}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        issued = self._tickets.pop(ticket, None)  # single use
        if issued is None or self._clock() - issued > TICKET_TTL:
            return web.Response(status=401, text="invalid or used ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = Connection(next(self._ids), ws, ticket)
        self.connections[conn.id] = conn
        await ws.send_json({"type": "hello", "num_connections": len(self.live), "connection_info":
                            {"app_id": self.app_id}, "debug_info": {"host": "applink-fake",
                            "build_number": 1, "approximate_connection_time": 18060}})  # fmt: skip
        async with self._changed:
            self._changed.notify_all()
        for envelope in self._queued():
            await self._write(envelope)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
        finally:
            await self._close(conn)
        return ws

    async def close_all(self) -> None:
        for conn in list(self.connections.values()):
            await self._close(conn)

    # ---- internals ----------------------------------------------------------------------------

    def _new_id(self) -> str:
        return f"{secrets.token_hex(4)}-{next(self._ids):04d}-{secrets.token_hex(6)}"

    def _queued(self) -> list[Envelope]:
        return [e for e in self.pending() if e.connection is None]

    async def _write(self, envelope: Envelope) -> None:
        live = self.live
        if not live:
            envelope.connection = None  # sent when a connection opens
            return
        conn = live[-1]
        envelope.connection = conn.id
        try:
            await conn.ws.send_json(envelope.frame())
        except ConnectionError:
            envelope.connection = None

    async def _on_text(self, conn: Connection, data: str) -> None:
        with contextlib.suppress(json.JSONDecodeError):
            self._record_ack(conn, json.loads(data))
        async with self._changed:
            self._changed.notify_all()

    def _record_ack(self, conn: Connection, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            return
        envelope = self.envelopes.get(message["envelope_id"])
        payload = message.get("payload") if isinstance(message.get("payload"), dict) else None
        known = envelope is not None and not envelope.acked.is_set() and envelope.superseded_by is None
        if envelope is not None:
            envelope.answered.set()
        if self.drop_acks > 0:
            self.drop_acks -= 1
            if envelope is not None:
                envelope.lost_acks += 1
            return
        self.acks.append(Ack(message["envelope_id"], payload, conn.id, known))
        if envelope is not None and not envelope.acked.is_set():
            envelope.response = payload
            envelope.acked.set()

    async def _close(self, conn: Connection) -> None:
        if conn.closed.is_set():
            return
        conn.closed.set()
        with contextlib.suppress(Exception):
            await conn.ws.close()
        async with self._changed:
            self._changed.notify_all()
        # What that connection still owed is sent again, as Slack does, when another one opens.
        for envelope in [e for e in self.pending() if e.connection == conn.id]:
            if envelope.type in self.redeliver and envelope.retry_attempt < MAX_RETRIES:
                again = Envelope(self._new_id(), envelope.type, envelope.payload,
                                 envelope.accepts_response_payload, envelope.retry_attempt + 1,
                                 "timeout")  # fmt: skip
                envelope.superseded_by = again.envelope_id
                self.envelopes[again.envelope_id] = again
                await self._write(again)
                async with self._changed:
                    self._changed.notify_all()
            else:
                envelope.connection = -1  # given up: never acknowledged
