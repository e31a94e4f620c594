"""Slack in Socket Mode (SLACK_APP_TOKEN): the real adapter and bolt's AsyncSocketModeHandler over a
WebSocket to the fake Slack — commands, the broadcast shortcut, thread questions, and Slack's own
disconnects and re-sent envelopes, with nothing lost and nothing done twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from adapters.slack.app import SlackConfigError
from bot.app import build_app, slack_adapter
from bot.config import Settings
from tests.conftest import FakeClock
from tests.e2e.test_slack_broadcast import actions_of, open_broadcast_modal, selected, typed
from tests.e2e.test_slack_harness import VENDOR, SlackWorld, open_world
from tests.fakes.slack import FakeSlack
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


async def test_disconnects_in_the_middle_of_a_broadcast_lose_nothing_and_repeat_nothing(
    database_url: str, clock: FakeClock
) -> None:
    async with open_world(database_url, clock, socket=True, worker_batch=6) as world:
        await world.topics("pricing")
        await _disconnects_mid_broadcast(world)


async def _disconnects_mid_broadcast(world: SlackWorld) -> None:
    sm = sockets(world)
    seats = [await world.partner(f"p{i:02d}", tier="gold", follows=("pricing",)) for i in range(16)]
    await world.broadcast('topic:pricing title:"Q3 prices" New lists are out.')
    await world.app.worker.run_once()  # one batch of six
    arrived = [seat for seat in seats if world.bot_posts(seat.channel)]
    assert len(arrived) == 6  # the broadcast is under way

    # A partner asks in a thread and two react; Slack loses the acks of the question and one reaction.
    asker, post = arrived[0], world.bot_posts(arrived[0].channel)[0]
    sm.drop_acks = 1
    lost = await world.events.message(asker.channel.id, asker.user.id, "Renewals too?", thread_ts=post.ts)
    assert lost.timed_out  # as far as Slack knows: it will send the question again
    await world.wait_for(lambda: world.ephemerals(asker.user), "the question's receipt")
    for seat in arrived[1:3]:
        sm.drop_acks = 1 if seat is arrived[1] else 0
        ts = world.bot_posts(seat.channel)[0].ts
        await world.events.reaction_added(seat.channel.id, ts, seat.user.id, "eyes")
    assert len(sm.pending()) == 2

    # Slack refreshes the connection while the fan-out goes on, and again with a warning first.
    fan_out = asyncio.create_task(world.app.worker.drain())
    await sm.disconnect("refresh_requested")
    await sm.wait_connected(count=2)
    await sm.disconnect("warning", close_after=0.05)
    late = arrived[3]  # sent while partnerbot reconnects: held by Slack, then delivered
    reacted = await world.events.reaction_added(
        late.channel.id, world.bot_posts(late.channel)[0].ts, late.user.id, "eyes"
    )
    assert reacted.status == 200
    await sm.wait_connected(count=3)
    await fan_out
    await world.wait_for(lambda: not sm.pending(), "every envelope acknowledged")
    await world.deliver()  # the question's relay, and anything the fan-out left

    assert [len(world.bot_posts(seat.channel)) for seat in seats] == [1] * len(seats)
    resent = [e for e in sm.envelopes.values() if e.retry_attempt]
    # The question and a reaction (and anything a reconnect caught on the way), each acknowledged.
    assert len(resent) >= 2 and all(e.acked.is_set() for e in resent)
    assert len(set(sm.opened)) == len(sm.opened) >= 3  # a fresh URL for every connection
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None and (stats.targeted, stats.delivered, stats.failed) == (16, 16, 0)
    assert stats.reactions.get("eyes") == 3
    assert len(world.ephemerals(asker.user)) == 1  # one receipt, one question
    [heading] = [m for m in world.bot_posts(world.admin_channel) if "Partner questions" in m.text]
    assert len(world.bot_posts(world.admin_channel, thread=heading.ts)) == 1
    questions = await world.app.stores.feedback.open_questions()
    assert [q.text for q in questions] == ["Renewals too?"]


async def test_payloads_partnerbot_cannot_read_are_acknowledged_and_change_nothing(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """Unacknowledged, Slack would send each again (and bolt's own handler logs a traceback)."""
    sm = sockets(world)
    await sm.wait_connected()
    team = {"id": world.vendor.team_id, "domain": "vendor"}
    shapes = [
        ("events_api", {"type": "event_callback", "team_id": world.vendor.team_id, "event_id": "Ev1",
                        "event": {"type": "pin_added"}}),
        ("events_api", {"type": "event_callback", "team_id": world.vendor.team_id, "event_id": "Ev2",
                        "authorizations": "oops", "event": {"type": "message"}}),
        ("interactive", {"type": "block_actions", "team": team, "user": {"id": world.dana.id},
                         "actions": []}),
        ("interactive", {"type": "block_actions", "team": team, "user": {"id": world.dana.id},
                         "actions": [{"action_id": "nobody_knows", "value": "1"}]}),
        # Read after the listener acknowledged (bolt's runner used to lose that ack: no answer at all).
        ("slash_commands", {"command": "/partner", "team_id": world.vendor.team_id, "text": 7}),
        ("interactive", {"type": "block_actions", "team": team, "user": "U0STRING",
                         "actions": [{"action_id": "partnerbot_helpful", "value": "d1"}]}),
    ]  # fmt: skip
    for kind, payload in shapes:
        envelope = await sm.send(kind, payload)  # type: ignore[arg-type]
        async with asyncio.timeout(2):  # Slack gives up after 3 s
            await envelope.acked.wait()
        assert envelope.response is None, (kind, payload)
    assert not sm.pending()
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


async def test_a_refused_app_token_stops_start_with_one_line(sqlite_url: str, clock: FakeClock) -> None:
    """bolt alone would retry forever, logging a traceback every 10 s; `partnerbot run` must stop."""
    async with FakeSlack() as fake:
        vendor = fake.add_workspace(VENDOR, name="Vendor")
        settings = Settings(
            _env_file=None, database_url=sqlite_url, slack_bot_token=vendor.bot_token,
            slack_app_token=vendor.bot_token,  # the bot token where the app-level token belongs
            slack_api_url=fake.base_url, http_host="127.0.0.1", http_port=0,
        )  # fmt: skip
        app = await build_app(settings, clock=clock, run_migrations=False)
        adapter = slack_adapter(app)
        try:
            with pytest.raises(SlackConfigError) as refused:
                await adapter.start()
        finally:
            await adapter.stop()
            await app.close()
    assert str(refused.value).startswith("Slack refused SLACK_APP_TOKEN (not_allowed_token_type): set the")
    assert "\n" not in str(refused.value) and fake.calls["apps.connections.open"] == 1


async def test_a_command_and_a_modal_submission_slack_sends_again_are_carried_out_once(
    world: SlackWorld,
) -> None:
    """Slack documents re-sending Events API envelopes only; should it re-send an interaction whose ack
    it missed, the person's one click or command still does one thing (one trigger_id, one action)."""
    sm = sockets(world)
    sm.redeliver = {"events_api", "interactive", "slash_commands"}
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    view = await open_broadcast_modal(world, "Price list")
    values = {"bc_title": typed("Q3"), "bc_body": typed("New prices."), "bc_topics": selected("pricing")}
    sm.drop_acks = 1
    assert (await world.events.view_submission(view["id"], values)).timed_out
    await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview")
    sm.drop_acks = 1
    command = await world.events.slash_command(
        "/partner", "list", channel_id=acme.channel.id, user_id=acme.user.id
    )
    assert command.timed_out
    url = command.payload["response_url"]
    await world.wait_for(lambda: world.fake.response_url_posts(url), "the command's answer")

    await sm.disconnect("refresh_requested")
    await sm.wait_connected(count=2)
    await world.wait_for(lambda: not sm.pending(), "every envelope acknowledged")
    await world.adapter.handlers.drain(timeout=5.0)  # listeners still at work after their ack
    assert len([e for e in sm.envelopes.values() if e.retry_attempt]) == 2  # both were sent again
    assert len(world.bot_posts(world.admin_channel)) == 1  # one preview
    assert await world.app.stores.announcements.get(2) is None  # one draft
    assert len(world.fake.response_url_posts(url)) == 1  # one answer to the command
