"""The HTTP edge of `POST /slack/events`: nothing unauthenticated reaches a parser.

Order of checks (https://docs.slack.dev/authentication/verifying-requests-from-slack): size (413,
decided from `Content-Length` and a capped read, never reading a large body whole), signature headers
present (401), timestamp a plain integer (400), body UTF-8 (400), signature and 5-minute window
(slack_sdk's `SignatureVerifier`, 401); only then is the body parsed (400 unless it is a JSON object or
a form). A refusal is logged as one short line: status, reason, truncated header values, body size.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.request.internals import parse_body
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from adapters.slack.payloads import PayloadError

log = logging.getLogger(__name__)

MAX_BODY: Final = 256 * 1024  # Slack's payloads are far smaller
TIMESTAMP_HEADER: Final = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER: Final = "X-Slack-Signature"
# A Unix time in seconds; anything longer than 12 digits is centuries away (and int() of 5,000 digits
# raises in Python ≥ 3.11).
_TIMESTAMP: Final = re.compile(r"[0-9]{1,12}")
_SHOWN: Final = 40  # characters of a header value kept in the log line


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class Verified:
    """A request whose signature checked out: its body as text, already known to parse to an object."""

    text: str
    payload: dict[str, Any]


async def read_capped(request: web.Request, limit: int = MAX_BODY) -> bytes | None:
    """The body, or None if it is longer than `limit` (reading at most `limit + 1` bytes of it)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = await request.content.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return None if size > limit else b"".join(chunks)


def verify(verifier: SignatureVerifier, headers: Mapping[str, str], raw: bytes) -> Verified | Refusal:
    """Check `raw` against Slack's signature headers, then parse it; never raises."""
    timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    if not timestamp or not signature:
        return Refusal(401, "missing signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        return Refusal(400, "malformed timestamp")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    if not verifier.is_valid(text, timestamp, signature):  # also the 5-minute window
        return Refusal(401, "bad signature or stale timestamp")
    try:
        payload = parse_body(text, _content_type(headers))
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError; 100,000 `[` recurse
        return Refusal(400, "body does not parse")
    if not isinstance(payload, dict):
        return Refusal(400, "body is not an object")
    return Verified(text, payload)


def _content_type(headers: Mapping[str, str]) -> str | None:
    value = headers.get("Content-Type")
    return value.split(";", 1)[0].strip().lower() if value else None


def log_refusal(refusal: Refusal, headers: Mapping[str, str], size: int | None) -> None:
    """One short line: never the body, header values cut to a few dozen characters."""
    log.warning(
        "Slack request refused: %d %s (timestamp=%s signature=%s content-type=%s bytes=%s)",
        refusal.status,
        refusal.reason,
        _shown(headers.get(TIMESTAMP_HEADER)),
        _shown(headers.get(SIGNATURE_HEADER)),
        _shown(headers.get("Content-Type")),
        "?" if size is None else size,
    )


def _shown(value: str | None) -> str:
    if value is None:
        return "-"
    cut = value[:_SHOWN] + ("…" if len(value) > _SHOWN else "")
    return json.dumps(cut, ensure_ascii=True)  # quoted and escaped: no control characters in the log


def refused(refusal: Refusal) -> web.Response:
    return web.json_response({"ok": False, "error": refusal.reason}, status=refusal.status)


def kind(payload: Mapping[str, Any]) -> str:
    """What a payload is, for a log line: its type and, where there is one, the event type, command,
    action id or callback id (each cut short and escaped)."""
    parts = [payload.get("type"), payload.get("command")]
    event = payload.get("event")
    if isinstance(event, Mapping):
        parts.append(event.get("type"))
    actions = payload.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        parts.append(actions[0].get("action_id"))
    view = payload.get("view")
    parts.append(
        payload.get("callback_id") or (view.get("callback_id") if isinstance(view, Mapping) else None)
    )
    shown = [_shown(part) if isinstance(part, str) else _shown(repr(part)) for part in parts if part]
    return "/".join(shown) or "payload"


def short(error: BaseException) -> str:
    return _shown(f"{type(error).__name__}: {error}")


async def on_bolt_error(error: Exception, body: Any, response: BoltResponse | None) -> BoltResponse | None:
    """bolt's error handler: a verified request nobody handles (an event type, action id or callback id
    partnerbot does not know) or one a listener cannot read (`PayloadError`) is acknowledged — so Slack
    does not retry it — and logged once at WARNING with what it was; anything else is a bug, logged
    with its traceback."""
    payload = body if isinstance(body, Mapping) else {}
    if isinstance(error, BoltUnhandledRequestError):
        log.warning("Slack %s not handled; acknowledged", kind(payload))
    elif isinstance(error, PayloadError):
        log.warning("Slack %s not understood (%s); acknowledged", kind(payload), short(error))
    else:
        log.exception("Slack %s: listener failed", kind(payload))
        return None
    return BoltResponse(status=200, body="") if response is not None else None
