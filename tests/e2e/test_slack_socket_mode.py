"""Slack in Socket Mode (SLACK_APP_TOKEN): the real adapter and bolt's AsyncSocketModeHandler over a
WebSocket to the fake Slack — commands, the broadcast shortcut, thread questions, and Slack's own
disconnects and re-sent envelopes, with nothing lost and nothing done twice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_broadcast import actions_of, open_broadcast_modal, selected, typed
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack_socket import SocketMode


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock, socket=True) as w:
        await w.topics("security", "pricing")
        yield w


def sockets(world: SlackWorld) -> SocketMode:
    return world.fake.socket_mode


async def test_connects_with_the_app_token_and_serves_only_the_health_check(world: SlackWorld) -> None:
    conn = await sockets(world).wait_connected()
    assert len(sockets(world).opened) == 1 and conn.id == 1
    base = world.adapter.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as resp:
            assert (await resp.json())["mode"] == "single-workspace/socket"
        async with http.post(f"{base}/slack/events", data=b"{}") as resp:
            assert resp.status == 404  # nothing reaches partnerbot over HTTP in Socket Mode


async def test_partner_subscribes_by_slash_command_and_gets_the_confirmation(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold")
    answer = await world.command(
        "/partner", "subscribe security pricing", channel=seat.channel, user=seat.user
    )
    assert answer[0]["response_type"] == "ephemeral"
    assert "now gets announcements on `pricing`, `security`" in answer[0]["text"]
    assert await world.follows(seat) == ["pricing", "security"]
    sm = sockets(world)
    [command] = [a for a in sm.acks if sm.envelopes[a.envelope_id].type == "slash_commands"]
    assert command.known and command.payload is None  # acknowledged at once; the answer via response_url


async def test_broadcast_shortcut_modal_preview_and_send(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    globex = await world.partner("globex", tier="silver", follows=("security",))
    view = await open_broadcast_modal(world, "New *price list* is out")

    invalid = await world.events.view_submission(view["id"], {"bc_title": typed(""), "bc_body": typed("x")})
    assert invalid.json()["response_action"] == "errors"  # in the ack's payload, as Slack expects
    assert set(invalid.json()["errors"]) == {"bc_title", "bc_topics"}

    values = {"bc_title": typed("Q3 price list"), "bc_body": typed("New prices from 1 July."),
              "bc_topics": selected("pricing")}  # fmt: skip
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")  # the modal closes
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert "Preview of announcement #1" in preview.text and "*Reach:* 1 channel of 1 partner" in preview.text

    pressed = await world.events.block_actions(
        "announcement_send", "1", user_id=world.dana.id, channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )  # fmt: skip
    assert pressed.status == 200
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the preview to settle")
    assert list(actions_of(preview)) == ["announcement_edit", "announcement_recall"]
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    assert post.blocks is not None and post.blocks[0]["text"]["text"] == "Q3 price list"
    assert world.bot_posts(globex.channel) == []


async def test_thread_question_is_relayed_to_the_admins(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Q3 prices" New lists are out.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)

    await world.events.message(acme.channel.id, acme.user.id, "Does it cover renewals?", thread_ts=post.ts)
    received = await world.wait_for(lambda: world.ephemerals(acme.user), "the question's receipt")
    assert received[0].text.startswith("📨 Thanks — your question (#1)") and received[0].thread_ts == post.ts
    await world.deliver()
    [heading] = world.bot_posts(world.admin_channel)[-1:]
    assert "Partner questions on announcement #1 “Q3 prices”" in heading.text
    [question] = world.bot_posts(world.admin_channel, thread=heading.ts)
    assert "Question #1" in question.text and "Does it cover renewals?" in question.text
