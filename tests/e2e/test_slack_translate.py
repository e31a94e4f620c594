"""Unit tests of the Slack adapter's pure parts: mrkdwn rendering, splitting, Block Kit, modals, the
manifest, and how Web API failures map onto the core's send errors. (Kept beside the Slack e2e tests.)"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack import translate as tr
from adapters.slack import views
from adapters.slack.app import BOT_SCOPES, CHANNEL_GONE_EVENTS, Mode, SlackConfigError, authorize_url, mode_of
from adapters.slack.sender import PostSafeConnectionErrorRetryHandler, _classify
from bot import commands, grammar
from bot.config import Settings
from bot.domain import (
    AnnouncementPost,
    Button,
    ButtonStyle,
    ChannelRef,
    Outgoing,
    Platform,
    RelayKind,
    RelayPost,
    Reply,
    Row,
    Topic,
)
from bot.i18n import reading
from bot.ports import PermanentSendError, TransientSendError

MANIFEST = Path(tr.__file__).parent / "manifest.yml"


def post(body: str, *, topics: tuple[str, ...] = ("pricing",), title: str = "Q3 prices") -> AnnouncementPost:
    return AnnouncementPost(
        delivery_id=7, announcement_id=3, title=title, body=body, topics=topics, urgent=False
    )


# --- text ------------------------------------------------------------------------------------------


def test_markdown_body_becomes_mrkdwn_through_the_parser() -> None:
    body = (
        "# Heading\n\n**Bold**, *italic*, ~~gone~~ and [a link](https://example.com/x).\n\n"
        "- one\n- two\n\n`code` & <tag>"
    )
    out = tr.markdown_to_mrkdwn(body)
    assert out.startswith("*Heading*\n\n*Bold*, _italic_, ~gone~ and <https://example.com/x|a link>.")
    assert "•   one\n•   two" in out
    assert "`code` &amp; &lt;tag&gt;" in out


def test_nothing_rendered_can_ping() -> None:
    for text in ("<!channel> now", "<!here>", "<@U123> look", "<!subteam^S1|@partners>"):
        rendered = tr.markdown_to_mrkdwn(text) + tr.mrkdwn(text)
        assert "<!" not in rendered and "<@" not in rendered, rendered
    assert tr.mrkdwn("@channel") == "@\u200bchannel"


def test_core_text_keeps_its_quote_marker_but_escapes_the_rest() -> None:
    assert tr.mrkdwn("❓ **Q**:\n> is 2 > 1 & 1 < 2?") == "❓ *Q*:\n> is 2 &gt; 1 &amp; 1 &lt; 2?"


def test_the_cores_neutral_markup_becomes_mrkdwn_line_by_line() -> None:
    """bot/messages.py's markup: **bold**, _italic_, `code`, > quote, - items, [label](url)."""
    neutral = (
        "**Topics** (2) _all of them_\n  · kept indented\n- `**as written**` - not an item\n"
        "See [the docs](https://example.com/a?b=1&c=2)."
    )
    assert tr.mrkdwn(neutral) == (
        "*Topics* (2) _all of them_\n  · kept indented\n• `**as written**` - not an item\n"
        "See <https://example.com/a?b=1&amp;c=2|the docs>."
    )
    assert tr.mrkdwn("`x`- y\n```\n- **code**\n```") == "`x`- y\n```\n- **code**\n```"


def test_inbound_text_is_unescaped_and_the_bot_mention_removed() -> None:
    assert tr.unescape("a &lt;b&gt; &amp;amp;") == "a <b> &amp;"
    assert tr.mention_text("<@UBOT> subscribe &amp; more <@UBOT|partnerbot>", "UBOT") == "subscribe & more"
    assert tr.mentions("hi <@UBOT>", "UBOT") and not tr.mentions("hi <@UOTHER>", "UBOT")


def test_long_text_is_split_at_boundaries_without_losing_anything() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 120 for i in range(20)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = tr.split_mrkdwn(text, limit=1000)
    assert all(len(p) <= 1000 for p in pieces) and len(pieces) > 10
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_split_never_breaks_a_link_or_entity_and_reopens_code_fences() -> None:
    link = "<https://example.com/" + "a" * 40 + "|label>"
    pieces = tr.split_mrkdwn("x" * 95 + link + " &amp; tail", limit=120)
    assert all(p.count("<") == p.count(">") for p in pieces)
    assert "".join(pieces).replace(" ", "") == ("x" * 95 + link + "&amp;tail").replace(" ", "")
    code = "```\n" + "\n".join(f"line {i}" for i in range(60)) + "\n```"
    fenced = tr.split_mrkdwn(code, limit=200)
    assert len(fenced) > 1 and all(p.startswith("```") and p.endswith("```") for p in fenced)


# --- Block Kit ---------------------------------------------------------------------------------------


def test_announcement_blocks_metadata_and_fallback() -> None:
    message = tr.announcement_message(post("Hello **partners**."), key="d7")
    header, body, context, actions = message["blocks"]
    assert header["type"] == "header" and header["text"]["text"] == "Q3 prices"
    assert body["text"] == {"type": "mrkdwn", "text": "Hello *partners*."}
    assert context["elements"][0]["text"] == "Topics: `pricing`"
    assert [e["action_id"] for e in actions["elements"]] == [
        "partnerbot_ask",
        "partnerbot_helpful",
        "partnerbot_mute",
    ]
    assert message["metadata"] == {
        "event_type": "partnerbot_delivery",
        "event_payload": {"key": "d7", "announcement_id": 3, "delivery_id": 7},
    }
    assert message["text"] == "Q3 prices (pricing)"
    assert tr.delivery_key({"metadata": message["metadata"]}, tr.DELIVERY_EVENT) == "d7"


def test_copies_of_one_announcement_share_its_buttons_but_each_carries_its_own_delivery() -> None:
    # The feedback buttons are built once per announcement and language; the copies differ only in
    # the delivery id of Helpful and Acknowledge, and one copy never changes another.
    first = replace(post("Body"), ack_required=True)
    message = tr.announcement_message(first, key="d7")
    other = tr.announcement_message(replace(first, delivery_id=8), key="d8")
    values = [[e["value"] for e in m["blocks"][-1]["elements"]] for m in (message, other)]
    assert values == [["7", "3", "7", "pricing"], ["8", "3", "8", "pricing"]]
    assert other["blocks"][-1]["elements"][0]["action_id"] == "partnerbot_ack"
    with reading("de"):
        german = tr.announcement_message(replace(first, delivery_id=9), key="d9")
    labels = [e["text"]["text"] for e in german["blocks"][-1]["elements"]]
    assert labels != [e["text"]["text"] for e in message["blocks"][-1]["elements"]]
    assert [e["value"] for e in german["blocks"][-1]["elements"]] == ["9", "3", "9", "pricing"]


def test_a_long_body_fills_several_sections_and_several_topics_offer_a_mute_choice() -> None:
    body = "\n\n".join(f"Paragraph {i} " + "lorem ipsum " * 200 for i in range(6))
    message = tr.announcement_message(post(body, topics=("pricing", "security")), key="d7")
    sections = [b for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) >= 5 and all(len(s["text"]["text"]) <= tr.MAX_SECTION for s in sections)
    assert sum(s["text"]["text"].count("lorem") for s in sections) == 6 * 200
    mute = message["blocks"][-1]["elements"][-1]
    assert mute["type"] == "static_select" and [o["value"] for o in mute["options"]] == [
        "pricing",
        "security",
    ]
    with pytest.raises(tr.MessageTooLong):
        tr.announcement_message(post("para " * 600 + ("\n\n" + "x " * 1400) * 60), key="d7")


def test_a_title_too_long_for_a_header_becomes_a_bold_section() -> None:
    message = tr.announcement_message(post("b", title="T" * 151), key="d1")
    assert message["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*" + "T" * 151 + "*"},
    }


def test_relays_are_threaded_text_with_metadata() -> None:
    channel = ChannelRef(Platform.SLACK, "T1", "C1")
    out = Outgoing(channel, RelayPost(4, RelayKind.ANSWER, "💬 *Answer* <!here>"), thread=None)
    message = tr.outgoing_message(out, key="r4")
    assert (
        message["text"] == "💬 *Answer* @\u200bhere"
        and "blocks" not in message
        and "thread_ts" not in message
    )
    assert tr.delivery_key(message, tr.RELAY_EVENT) == "r4"


def test_reply_rows_become_sections_with_accessory_buttons_and_buttons_an_actions_block() -> None:
    reply = Reply(
        text="*Topics* (2)",
        rows=(Row("`a` — A", Button("Subscribe", "topic_subscribe", "a", ButtonStyle.PRIMARY)), Row("plain")),
        buttons=(Button("Send", "announcement_send", "1", ButtonStyle.PRIMARY), Button("Cancel", "x", "1")),
    )
    blocks = tr.reply_message(reply)["blocks"]
    assert blocks[1]["accessory"] == {
        "type": "button",
        "action_id": "topic_subscribe",
        "value": "a",
        "text": {"type": "plain_text", "text": "Subscribe", "emoji": True},
        "style": "primary",
    }
    assert "accessory" not in blocks[2]
    assert [e.get("style") for e in blocks[3]["elements"]] == ["primary", None]


def test_rows_beyond_fifty_blocks_are_named_not_dropped() -> None:
    rows = tuple(Row(f"`t{i}`", Button("Subscribe", "topic_subscribe", f"t{i}")) for i in range(70))
    blocks = tr.reply_message(Reply(text="*Topics*", rows=rows))["blocks"]
    assert len(blocks) == tr.MAX_BLOCKS
    assert blocks[-1]["text"]["text"].startswith(
        "…and 22 more (without their buttons: a Slack message holds only 50 blocks):\n`t48`\n`t49`\n"
    )
    assert "`t69`" in blocks[-1]["text"]["text"]


def test_overflow_rows_keep_their_whole_text_and_what_cannot_fit_is_counted() -> None:
    """Rows past the 50-block limit are listed whole, not by first line; the rest are counted."""
    rows = tuple(Row(f"`t{i}` first line\nsecond line of {i}", Button("Go", "x", f"t{i}")) for i in range(60))
    blocks = tr.reply_message(Reply(text="*Topics*", rows=rows))["blocks"]
    assert "`t55` first line\nsecond line of 55" in blocks[-1]["text"]["text"]
    long_rows = tuple(Row(f"r{i} " + "word " * 500, Button("Go", "x", str(i))) for i in range(60))
    blocks = tr.reply_message(Reply(text="*Rows*", rows=long_rows))["blocks"]
    assert len(blocks) == tr.MAX_BLOCKS
    shown = " ".join(b["text"]["text"] for b in blocks)
    assert all(f"r{i} word" in shown for i in range(48))
    texts = [b["text"]["text"] for b in blocks]
    assert texts[-1].endswith("…and 11 more lines that don't fit in one Slack message.")


def test_a_settled_preview_loses_its_buttons_and_shows_the_outcome() -> None:
    original = tr.reply_message(Reply("*Preview*", buttons=(Button("Send", "announcement_send", "1"),)))
    settled = tr.settled_preview(original, Reply("📣 Sending", ephemeral=False))
    assert [b["type"] for b in settled["blocks"]] == ["section", "divider", "section"]
    assert settled["blocks"][-1]["text"]["text"] == "📣 Sending"


# --- modals -------------------------------------------------------------------------------------------


def test_the_modals_hold_exactly_what_the_broadcast_command_allows() -> None:
    """The limits are stated once, beside `Broadcast`; the grammar and the Slack modals read them."""
    topics = [Topic(1, "pricing", "Pricing")]
    view = views.broadcast_modal(topics=topics, message_text="x", origin=views.Origin("T1", "C1", "1.2"))
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert blocks["bc_title"]["element"]["max_length"] == commands.MAX_TITLE
    assert blocks["bc_body"]["element"]["max_length"] == commands.MAX_BODY
    assert (grammar.MAX_TITLE, grammar.MAX_BODY) == (commands.MAX_TITLE, commands.MAX_BODY)
    long_title = f'broadcast topic:pricing title:"{"t" * (commands.MAX_TITLE + 1)}" Body.'
    assert isinstance(grammar.parse_admin(long_title), commands.CommandError)


def test_broadcast_modal_is_prefilled_and_read_back() -> None:
    origin = views.Origin("T1", "C1", "1.2")
    topics = [Topic(1, "pricing", "Pricing"), Topic(2, "security", "Security")]
    view = views.broadcast_modal(
        topics=topics, message_text="See <https://x.io|this> &amp; <@U1>", origin=origin
    )
    assert views.Origin.decode(view["private_metadata"]) == origin
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert blocks["bc_body"]["element"]["initial_value"] == "See [this](https://x.io) & <@U1>"
    audience = {
        k: [o["value"] for o in blocks[f"bc_{k}"]["element"]["options"]] for k in views.AUDIENCE_CHOICES
    }
    assert audience == {k: list(v) for k, v in views.AUDIENCE_CHOICES.items()}

    def pick(*values: str) -> dict[str, object]:
        return {"value": {"selected_options": [{"value": v} for v in values]}}

    values = {
        "bc_title": {"value": {"value": " Title "}},
        "bc_body": {"value": {"value": "Body"}},
        "bc_topics": pick("security", "pricing", "security"),
        "bc_region": pick("emea"),
        "bc_urgent": pick("urgent"),
    }
    command = views.read_broadcast(values)
    assert not isinstance(command, dict)
    assert (command.title, command.topics, command.urgent) == ("Title", ("security", "pricing"), True)
    assert command.audience.regions == frozenset({"emea"}) and not command.audience.tiers
    errors = views.read_broadcast({"bc_title": {"value": {"value": "x" * 151}}})
    assert set(errors) == {"bc_title", "bc_body", "bc_topics"}  # type: ignore[arg-type]
    # "Partners must acknowledge" rides on Urgent; alone it is a field error, not a silent drop.
    acked = views.read_broadcast({**values, "bc_urgent": pick("urgent", "ack")})
    assert not isinstance(acked, dict) and acked.urgent and acked.ack_required
    lonely = views.read_broadcast({**values, "bc_urgent": pick("ack")})
    assert lonely == {"bc_urgent": "Asking for acknowledgement needs Urgent ticked too."}


def test_the_modal_offers_files_saved_audiences_and_buttons_together() -> None:
    origin = views.Origin("T1", "C1", "1.2", files=("F1",))
    topics = [Topic(1, "pricing", "Pricing")]
    view = views.broadcast_modal(
        topics=topics, message_text="x", origin=origin, files=[("a.pdf", 2048)], saved=["golds"]
    )
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    assert {"bc_saved_audience", "bc_cta", "bc_files"} <= set(blocks)
    assert "a.pdf" in view["blocks"][0]["elements"][0]["text"]
    assert views.Origin.decode(view["private_metadata"]).files == ("F1",)
    values = {
        "bc_title": {"value": {"value": "T"}},
        "bc_body": {"value": {"value": "Body"}},
        "bc_saved_audience": {"value": {"selected_option": {"value": "golds"}}},
        "bc_cta": {"value": {"value": "Order|https://example.com/o"}},
        "bc_files": {"value": {"files": [{"id": "F2"}]}},
    }
    command = views.read_broadcast(values)
    assert not isinstance(command, dict)
    assert command.saved_audience == "golds" and [c.label for c in command.ctas] == ["Order"]
    assert views.read_files(values) == ("F2",)


def test_an_overlong_message_is_flagged_in_the_modal_not_cut_silently() -> None:
    view = views.broadcast_modal(topics=[], message_text="y" * 3500, origin=views.Origin("T", "C"))
    assert "3,500 characters" in view["blocks"][1]["elements"][0]["text"]


def test_many_topics_go_into_option_groups() -> None:
    topics = [Topic(i, f"t{i}", f"T{i}") for i in range(150)]
    element = views.broadcast_modal(topics=topics, message_text="", origin=views.Origin("T", "C"))["blocks"][
        2
    ]
    groups = element["element"]["option_groups"]
    assert [len(g["options"]) for g in groups] == [100, 50]


# --- manifest and configuration ------------------------------------------------------------------


def test_manifest_declares_what_the_adapter_uses() -> None:
    text = MANIFEST.read_text()
    scopes = text.split("bot:\n", 1)[1].split("\nsettings:", 1)[0]
    assert sorted(
        line.split("-", 1)[1].split("#")[0].strip() for line in scopes.strip().splitlines()
    ) == sorted(BOT_SCOPES)
    needles = (
        "command: /partner\n", "command: /partner-admin\n", f"callback_id: {tr.BROADCAST_SHORTCUT}",
        "/slack/events", "/slack/oauth_redirect", "socket_mode_enabled", "is_enabled: true", "- app_mention",
        "- message.channels", "- message.groups", "- reaction_added", "- reaction_removed",
        "- app_uninstalled", "- tokens_revoked",
    )  # fmt: skip
    for needle in needles:
        assert needle in text, needle
    for event in CHANNEL_GONE_EVENTS:
        assert f"- {event}" in text


def test_the_mode_follows_the_settings() -> None:
    def settings(**values: str) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    single = settings(slack_bot_token="xoxb-1", slack_signing_secret="s")
    assert (
        mode_of(single) == Mode(oauth=False, socket=False) and mode_of(single).name == "single-workspace/http"
    )
    socket = settings(slack_bot_token="xoxb-1", slack_app_token="xapp-1")  # no signing secret needed
    assert mode_of(socket) == Mode(oauth=False, socket=True)
    oauth = settings(slack_client_id="1.2", slack_client_secret="c", slack_signing_secret="s")
    assert mode_of(oauth).name == "oauth/http"
    for broken in (
        settings(slack_bot_token="xoxb-1"),  # HTTP without a signing secret
        settings(slack_client_id="1.2", slack_signing_secret="s"),  # half the OAuth credentials
        settings(slack_signing_secret="s"),  # no credentials at all
    ):
        with pytest.raises(SlackConfigError):
            mode_of(broken)


def test_authorize_url_follows_the_api_host() -> None:
    assert authorize_url("") is None and authorize_url("https://slack.com/api/") is None
    assert authorize_url("https://slack-gov.com/api/") == "https://slack-gov.com/oauth/v2/authorize"


# --- sending errors ------------------------------------------------------------------------------------


def api_error(status: int, error: str, headers: dict[str, str] | None = None) -> SlackApiError:
    client = AsyncWebClient(token="xoxb-test")
    response = AsyncSlackResponse(
        client=client, http_verb="POST", api_url="https://slack.com/api/chat.postMessage", req_args={},
        data={"ok": False, "error": error}, headers=headers or {}, status_code=status,
    )  # fmt: skip
    return SlackApiError(error, response)  # type: ignore[no-untyped-call]


def test_web_api_failures_map_onto_the_core_errors() -> None:
    limited = _classify(api_error(429, "ratelimited", {"Retry-After": "30"}), posting=True)
    assert isinstance(limited, TransientSendError) and (limited.retry_after, limited.maybe_posted) == (
        30.0,
        False,
    )
    assert limited.rate_limited  # the worker gives the attempt back
    for error in (
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "invalid_auth",
        "token_revoked",
    ):
        gone = _classify(api_error(200, error), posting=True)
        assert isinstance(gone, PermanentSendError) and gone.deactivate, error
    for error in ("msg_too_long", "invalid_blocks", "msg_blocks_too_long"):
        bad = _classify(api_error(200, error), posting=True)
        assert isinstance(bad, PermanentSendError) and not bad.deactivate, error
    server = _classify(api_error(503, "service_unavailable"), posting=True)
    assert isinstance(server, TransientSendError) and server.maybe_posted and not server.rate_limited
    timeout = _classify(TimeoutError(), posting=True)
    assert isinstance(timeout, TransientSendError) and timeout.maybe_posted
    dropped = _classify(aiohttp.ServerDisconnectedError(), posting=True)
    assert isinstance(dropped, TransientSendError) and dropped.maybe_posted
    refused = _classify(aiohttp.ClientConnectorError(_key(), OSError(111, "refused")), posting=True)
    assert isinstance(refused, TransientSendError) and not refused.maybe_posted


def _key() -> ConnectionKey:
    return ConnectionKey("127.0.0.1", 9, False, True, None, None, None)


async def test_connection_retries_never_repeat_a_post_that_may_have_landed() -> None:
    handler = PostSafeConnectionErrorRetryHandler()

    async def retries(method: str, error: Exception) -> bool:
        request = HttpRequest(method="POST", url=f"https://slack.com/api/{method}", headers={})
        return await handler.can_retry_async(state=RetryState(), request=request, error=error)

    dropped = aiohttp.ServerDisconnectedError()
    assert not await retries("chat.postMessage", dropped)
    assert await retries("chat.update", dropped) and await retries("conversations.history", dropped)
    assert await retries("chat.postMessage", aiohttp.ClientConnectorError(_key(), OSError(111, "refused")))
