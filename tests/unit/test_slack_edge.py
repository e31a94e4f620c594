"""The Slack HTTP edge's checks (adapters/slack/edge.py) and payload models (adapters/slack/payloads.py),
without a server: any header value, any body, never an exception."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from adapters.slack import edge
from adapters.slack.payloads import Action, Interaction, PayloadError, ReactionEvent, Routable, clean
from tests.fakes.slack_events import slack_signature

SECRET = "unit-secret"
VERIFIER = SignatureVerifier(SECRET)


def signed(body: bytes, *, timestamp: str | None = None) -> dict[str, str]:
    stamp = str(int(time.time())) if timestamp is None else timestamp
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(SECRET, stamp, body),
        "Content-Type": "application/json",
    }


@settings(max_examples=300, deadline=None)
@given(
    timestamp=st.text(max_size=40) | st.just("9" * 5_000), signature=st.text(max_size=80), body=st.binary()
)
def test_verify_never_raises_on_any_header_or_body(timestamp: str, signature: str, body: bytes) -> None:
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    result = edge.verify(VERIFIER, headers, body)
    assert isinstance(result, edge.Refusal) and result.status in (400, 401)


@pytest.mark.parametrize(
    ("timestamp", "status", "reason"),
    [
        ("abc", 400, "malformed timestamp"),
        ("", 401, "missing signature"),
        ("9" * 5_000, 400, "malformed timestamp"),
        ("1796315190.5", 400, "malformed timestamp"),
        (str(int(time.time()) - 301), 401, "bad signature or stale timestamp"),
    ],
    # Stable ids (one timestamp is "now"): pytest-xdist needs every worker to collect the same ids.
    ids=["letters", "empty", "too-long", "fraction", "stale"],
)
def test_malformed_and_stale_timestamps(timestamp: str, status: int, reason: str) -> None:
    body = b'{"type": "url_verification"}'
    assert edge.verify(VERIFIER, signed(body, timestamp=timestamp), body) == edge.Refusal(status, reason)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "body does not parse"),
        (b"[1]", "body is not an object"),
        (b"null", "body is not an object"),
        (b"\xef\xbb\xbf{}", "body does not parse"),
        (b'{"x": "\xff"}', "body is not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "body does not parse"),
    ],
)
def test_signed_bodies_that_are_not_an_object_are_malformed(body: bytes, reason: str) -> None:
    assert edge.verify(VERIFIER, signed(body), body) == edge.Refusal(400, reason)


def test_a_signed_object_is_verified_and_parsed_once() -> None:
    body = b'{"type": "event_callback", "event": {"type": "reaction_added"}}'
    assert edge.verify(VERIFIER, signed(body), body) == edge.Verified(body.decode(), {
        "type": "event_callback", "event": {"type": "reaction_added"}})  # fmt: skip


def test_refusal_log_line_is_short_and_has_no_body(caplog: pytest.LogCaptureFixture) -> None:
    headers = {"X-Slack-Request-Timestamp": "9" * 5_000, "X-Slack-Signature": "\n" * 100}
    edge.log_refusal(edge.Refusal(400, "malformed timestamp"), headers, 5_000)
    (record,) = caplog.records
    assert len(record.getMessage()) < 250 and "\n" not in record.getMessage()


def test_kind_names_a_payload_for_the_log() -> None:
    payload = {"type": "block_actions", "actions": [{"action_id": "x" * 100}]}
    assert edge.kind(payload).startswith('"block_actions"/"xxxx') and len(edge.kind(payload)) < 100
    assert edge.kind({}) == "payload"


def test_payload_models_refuse_wrong_types_and_clean_text() -> None:
    with pytest.raises(PayloadError, match="item"):
        ReactionEvent.read({"type": "reaction_added", "item": "abc"})
    with pytest.raises(PayloadError):
        Action.read({"action_id": 5})
    with pytest.raises(PayloadError, match="actions"):
        Routable.read({"type": "block_actions", "actions": []})
    with pytest.raises(PayloadError, match="authorizations"):
        Routable.read({"type": "event_callback", "authorizations": "abc"})
    assert Interaction.read({"user": {"id": "U\ud800\x00"}}).user.id == "U\ufffd"
    assert clean("a\udc00b\x00") == "a\ufffdb"
