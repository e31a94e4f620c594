"""Hostile and malformed requests against the real bolt app over loopback (issue 13, "The HTTP edge").

Unsigned, forged and correctly signed bodies — not JSON, a JSON list or `null`, invalid UTF-8, a BOM,
100,000-deep nesting, `authorizations` as a string, malformed timestamps, 1 MB — and Hypothesis-built
Slack payloads (events, block_actions, view_submission, slash commands) with fields of every JSON type:
never a 5xx, never a traceback in the log, never a state change.

Hypothesis runs in a worker thread (it does not drive coroutines); each example is sent on the test's
own loop, where the bot runs, through `run_coroutine_threadsafe`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack import edge
from adapters.slack.payloads import clean
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SECRET, SlackWorld, open_world
from tests.fakes.slack_events import slack_signature

_T = TypeVar("_T")
JSON_CT = "application/json"
FORM_CT = "application/x-www-form-urlencoded"
DEEP = b"[" * 100_000 + b"]" * 100_000
HOSTILE_BODIES: dict[str, bytes] = {
    "not json": b"hello {",
    "json list": b"[1, 2, 3]",
    "json null": b"null",
    "invalid utf-8": b'{"type": "event_callback", "x": "\xff\xfe"}',
    "utf-8 bom": b'\xef\xbb\xbf{"type": "url_verification", "challenge": "c"}',
    "deep nesting": DEEP,
    "deep object": b'{"a": ' + b'{"a": ' * 30_000 + b"1" + b"}" * 30_001,
    "authorizations string": json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0VENDOR",
            "authorizations": "abc",
            "event": {"type": "reaction_added"},
            "event_id": "Ev1",
        }
    ).encode(),
    "form with list payload": urlencode({"payload": "[1]"}).encode(),
    "form with null payload": urlencode({"payload": "null"}).encode(),
    "empty": b"",
}
BAD_TIMESTAMPS = ("abc", "", "9" * 5_000, "1796315190.5", "-1", " 1 ", "١٢٣")
MB = b'{"type": "event_callback", "pad": "' + b"x" * 1_000_000 + b'"}'


@pytest.fixture
async def world(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(sqlite_url, clock) as w:
        await w.topics("security")
        await w.partner("acme", tier="gold", follows=("security",))
        yield w


@pytest.fixture
async def any_world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    """The world on SQLite and on PostgreSQL (which refuses NUL bytes in text)."""
    async with open_world(database_url, clock) as w:
        await w.topics("security")
        await w.partner("acme", tier="gold", follows=("security",))
        yield w


async def snapshot(world: SlackWorld) -> tuple[Any, ...]:
    """Everything a request could change: topics, follows, announcements, and what was posted."""
    seat = world.seats["acme"]
    return (
        [t.slug for t in await world.app.bot.topics()],
        await world.follows(seat),
        await world.app.stores.outbox.due_count(now=world.clock.now()),
        len(world.fake.messages(world.admin_channel.id)),
        len(world.fake.messages(seat.channel.id)),
    )


async def send(
    world: SlackWorld, body: bytes, *, content_type: str = JSON_CT, sign: bool = True, **headers: str
) -> int:
    """POST `body` as is: signed like Slack (`sign`), or with only the headers given; the status."""
    timestamp = str(int(time.time()))
    signed = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": slack_signature(SECRET, timestamp, body),
    }
    all_headers = {"Content-Type": content_type, **(signed if sign else {}), **headers}
    async with (
        aiohttp.ClientSession() as http,
        http.post(world.events.url, data=body, headers=all_headers) as resp,
    ):
        await resp.read()
        return resp.status


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not bad, sorted(
        {f"{r.getMessage()[:150]} {r.exc_info[1] if r.exc_info else ''}"[:300] for r in bad}
    )
    long = [r.getMessage()[:200] for r in caplog.records if len(r.getMessage()) > 500]
    assert not long, long


async def test_refused_requests_get_4xx_one_short_log_line_and_change_nothing(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = await snapshot(world)
    statuses: dict[str, int] = {}
    for name, body in HOSTILE_BODIES.items():
        statuses[f"unsigned {name}"] = await send(world, body, sign=False)
        forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
        statuses[f"forged {name}"] = await send(world, body, sign=False, **forged)
    for stamp in BAD_TIMESTAMPS:
        sent = await send(
            world,
            b'{"type": "url_verification", "challenge": "c"}',
            sign=False,
            **{"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=abc"},
        )
        statuses[f"timestamp {stamp[:20]!r}"] = sent
    statuses["unsigned 1 MB"] = await send(world, MB, sign=False)
    statuses["signed 1 MB"] = await send(world, MB)
    stale = str(int(time.time()) - 301)
    stale_sig = slack_signature(SECRET, stale, b"{}")
    statuses["stale"] = await send(
        world, b"{}", sign=False, **{"X-Slack-Request-Timestamp": stale, "X-Slack-Signature": stale_sig}
    )

    assert all(status in (400, 401, 413) for status in statuses.values()), statuses
    assert statuses["unsigned not json"] == 401 and statuses["forged json list"] == 401
    assert statuses["timestamp 'abc'"] == 400 and statuses["unsigned 1 MB"] == 413
    assert statuses["signed 1 MB"] == 413 and statuses["stale"] == 401
    refusals = [r for r in caplog.records if r.name == edge.__name__]
    assert len(refusals) == len(statuses)  # one line each
    no_tracebacks(caplog)
    assert await snapshot(world) == before


async def test_signed_malformed_bodies_get_400_and_unreadable_objects_are_acked(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = await snapshot(world)
    statuses = {name: await send(world, body) for name, body in HOSTILE_BODIES.items()}
    understood_shape = {"authorizations string", "empty"}  # verified objects: acknowledged, not acted on
    assert statuses == {name: 200 if name in understood_shape else 400 for name in HOSTILE_BODIES}, statuses
    await world.adapter.handlers.drain(timeout=5.0)
    no_tracebacks(caplog)
    assert await snapshot(world) == before


async def test_unknown_event_and_action_are_acked_with_one_warning(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sent = await world.events.event({"type": "pin_added", "channel_id": "C1"}, team_id="T0VENDOR")
    seat = world.seats["acme"]
    payload = {
        "type": "block_actions",
        "team": {"id": "T0VENDOR"},
        "user": {"id": seat.user.id},
        "actions": [{"action_id": "someone_elses_button", "value": "1"}],
    }
    form = urlencode({"payload": json.dumps(payload)}).encode()
    pressed = await send(world, form, content_type=FORM_CT)
    assert (sent.status, pressed) == (200, 200)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("pin_added" in w and "not handled" in w for w in warnings), warnings
    assert any("someone_elses_button" in w for w in warnings), warnings
    no_tracebacks(caplog)


async def test_lone_surrogates_and_nul_in_signed_payloads_are_normalised_not_raised(
    any_world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world = any_world
    caplog.set_level(logging.INFO)
    before = await snapshot(world)
    event = {
        "type": "reaction_added",
        "user": "U\ud800",
        "reaction": "+1\x00",
        "item": {"type": "message", "channel": "C\udfff", "ts": "1.0"},
    }
    envelope = {"type": "event_callback", "team_id": "T0VENDOR", "event": event, "event_id": "EvSur"}
    assert await send(world, json.dumps(envelope).encode()) == 200
    seat = world.seats["acme"]
    fields = {
        "command": "/partner",
        "text": "list",
        "team_id": "T0VENDOR",
        "channel_id": seat.channel.id + "\ud800",
        "user_id": seat.user.id,
        "response_url": world.fake.issue_response_url("T0VENDOR", seat.channel.id, seat.user.id),
        "trigger_id": "t",
    }
    form = urlencode(fields, errors="surrogatepass").encode()
    assert await send(world, form, content_type=FORM_CT) == 200
    await world.wait_for(lambda: world.fake.calls["response_url"], "the answer to /partner list")
    await world.adapter.handlers.drain(timeout=5.0)
    no_tracebacks(caplog)
    assert await snapshot(world) == before
    assert clean("C\udfff\x00") == "C\ufffd"


# --- Hypothesis: Slack-shaped payloads with fields of any JSON type ---------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
ids = st.sampled_from(["C0NOPE", "U0NOPE", "\ud800", "", "x" * 300, "C\x00"]) | json_values
ACTION_IDS = [
    "partnerbot_ask",
    "partnerbot_helpful",
    "partnerbot_mute",
    "partnerbot_ack",
    "partnerbot_edit",
    "subscribe",
    "unsubscribe",
    "send",
    "cancel",
    "recall",
    "other",
]
EVENT_TYPES = [
    "reaction_added",
    "reaction_removed",
    "tokens_revoked",
    "message",
    "app_mention",
    "channel_archive",
    "channel_left",
    "app_uninstalled",
    "unknown_event",
]
VIEWS = ["partnerbot_broadcast", "partnerbot_edit", "partnerbot_ask", "other_view"]


@st.composite
def events(draw: st.DrawFn) -> tuple[bytes, str]:
    event = {
        "type": draw(st.sampled_from(EVENT_TYPES)),
        "user": draw(ids),
        "channel": draw(ids),
        "text": draw(json_values),
        "ts": draw(ids),
        "thread_ts": draw(ids),
        "reaction": draw(json_values),
        "item": draw(
            st.fixed_dictionaries({"type": st.just("message"), "channel": ids, "ts": ids}) | json_values
        ),
        "tokens": draw(st.fixed_dictionaries({"bot": st.lists(ids, max_size=2)}) | json_values),
    }
    for key in draw(st.lists(st.sampled_from(sorted(event)), max_size=3)):
        if key != "type":  # a field missing, the way a new payload version might drop one
            event.pop(key, None)
    envelope = {
        "type": "event_callback",
        "team_id": draw(st.just("T0VENDOR") | ids),
        "event": event,
        "event_id": draw(ids),
        "authorizations": draw(st.none() | st.lists(json_values, max_size=2)),
    }
    return json.dumps(envelope).encode(), JSON_CT


@st.composite
def interactions(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["block_actions", "view_submission", "message_action", "shortcut"]))
    payload: dict[str, Any] = {
        "type": kind,
        "team": draw(st.just({"id": "T0VENDOR"}) | json_values),
        "user": draw(st.fixed_dictionaries({"id": ids, "name": ids}) | json_values),
        "channel": draw(st.fixed_dictionaries({"id": ids}) | json_values),
        "container": draw(st.fixed_dictionaries({"message_ts": ids}) | json_values),
        "message": draw(st.fixed_dictionaries({"ts": ids, "text": ids, "blocks": json_values}) | json_values),
        "trigger_id": "t",
        "callback_id": draw(st.sampled_from(["broadcast_from_message", "x"]) | ids),
        "actions": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"action_id": st.sampled_from(ACTION_IDS), "value": ids, "selected_option": json_values}
                )
                | json_values,
                max_size=2,
            )
        ),
        "view": draw(
            st.fixed_dictionaries(
                {
                    "callback_id": st.sampled_from(VIEWS),
                    "private_metadata": ids | st.just('{"t": 1, "c": []}'),
                    "state": st.fixed_dictionaries(
                        {
                            "values": st.dictionaries(
                                st.sampled_from(
                                    ["bc_title", "bc_body", "bc_topics", "ask_question", "ed_title"]
                                ),
                                st.fixed_dictionaries(
                                    {
                                        "value": st.fixed_dictionaries(
                                            {
                                                "value": json_values,
                                                "selected_options": json_values,
                                                "selected_date_time": json_values,
                                            }
                                        )
                                    }
                                )
                                | json_values,
                                max_size=3,
                            )
                        }
                    )
                    | json_values,
                }
            )
            | json_values
        ),
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), FORM_CT


@st.composite
def commands(draw: st.DrawFn, response_url: str) -> tuple[bytes, str]:
    fields = {
        "command": draw(st.sampled_from(["/partner", "/partner-admin", "/other"])),
        "text": draw(st.sampled_from(["", "help", "topic add x", "list"]) | st.text(max_size=30)),
        "team_id": "T0VENDOR",
        "channel_id": draw(st.sampled_from(["C0NOPE", "\ud800", ""])),
        "user_id": draw(st.sampled_from(["U0NOPE", "\udfff", ""])),
        "response_url": response_url,
        "trigger_id": "t",
    }
    body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
    return body, FORM_CT


def on_loop(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)


async def test_fuzzed_slack_payloads_never_5xx_never_traceback_never_change_state(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    before = await snapshot(world)
    statuses: list[int] = []

    url = world.fake.issue_response_url("T0VENDOR", "C0NOPE", "U0NOPE")

    @settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(request=events() | interactions() | commands(url), signed=st.booleans())
    def property_(request: tuple[bytes, str], signed: bool) -> None:
        body, content_type = request
        status = on_loop(loop, send(world, body, content_type=content_type, sign=signed))
        statuses.append(status)
        assert status < 500, (status, content_type, signed, body[:600])  # Hypothesis shrinks it

    await asyncio.to_thread(property_)
    # Every request was answered, so every listener has started and registered itself (`tracked`, on
    # entry): bolt answers once a listener acks, or for an event right after scheduling it, and the
    # task runs before the answer has left the socket. The drain waits for those still working.
    await world.adapter.handlers.drain(timeout=10.0)
    assert statuses and max(statuses) < 500, sorted(set(statuses))
    no_tracebacks(caplog)
    assert await snapshot(world) == before
