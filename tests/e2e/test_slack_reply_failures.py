"""A reply Slack refuses (the channel is gone, the modal's trigger expired) is logged as one line with
Slack's error code, never with a traceback: it is an answer from Slack, not a bug. Against the fake
Slack, through the real slack_sdk client."""

from __future__ import annotations

import logging

import pytest
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import replies
from adapters.slack.translate import Caller
from bot.domain import Reply
from tests.fakes.slack import FakeSlack


async def test_a_reply_to_a_channel_slack_does_not_know_is_one_line_with_its_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=replies.__name__)
    async with FakeSlack() as slack:
        workspace = slack.add_workspace("T0VENDOR", name="Vendor")
        user = slack.add_user(workspace.team_id, "dana")
        client = AsyncWebClient(token=workspace.bot_token, base_url=slack.base_url)
        caller = Caller(team=workspace.team_id, channel="C0NOPE", user=user.id)

        await replies.show(Reply("Topics: security"), caller, client)
        await replies.open_view(client, {"trigger_id": "expired"}, {"type": "modal", "blocks": []})

    records = [r for r in caplog.records if r.name == replies.__name__]
    assert [r.getMessage() for r in records] == [
        "could not show a reply in C0NOPE: channel_not_found",
        "could not open a modal: invalid_trigger_id",
    ]
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in records)


async def test_a_payload_without_a_response_url_is_answered_another_way_or_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slack always sends a response_url with commands, presses and shortcuts; a forged payload may
    not (found by the fuzz test: bolt's respond() then raised, and the listener failed). A reply
    goes by chat.postEphemeral instead; an answer that only respond() can give is logged."""
    caplog.set_level(logging.INFO, logger=replies.__name__)
    no_url = AsyncRespond(response_url=None)
    async with FakeSlack() as slack:
        workspace = slack.add_workspace("T0VENDOR", name="Vendor")
        user = slack.add_user(workspace.team_id, "dana")
        client = AsyncWebClient(token=workspace.bot_token, base_url=slack.base_url)
        caller = Caller(team=workspace.team_id, channel="C0NOPE", user=user.id)

        await replies.show(Reply("Topics: security"), caller, client, respond=no_url)
        await replies.respond_with(no_url, {"text": "Thanks"})

    assert [r.getMessage() for r in caplog.records if r.name == replies.__name__] == [
        "could not show a reply in C0NOPE: channel_not_found",  # tried chat.postEphemeral instead
        "could not answer: the payload has no response_url",
    ]


def test_why_names_slack_s_error_code_or_the_exception_in_one_line() -> None:
    assert replies.why(TimeoutError("slow")) == "TimeoutError: slow"
    assert replies.why(ValueError("x" * 500)) == ("ValueError: " + "x" * 500)[:200]
