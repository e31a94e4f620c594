"""Partners in Slack: slash commands, @mentions (also in threads), the topics buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("security", "pricing", "roadmap")
        yield w


async def test_subscribe_and_unsubscribe_by_slash_command_and_by_mention(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold")

    answer = await world.command(
        "/partner", "subscribe security pricing", channel=seat.channel, user=seat.user
    )
    assert answer[0]["response_type"] == "ephemeral"
    assert "now gets announcements on `pricing`, `security`" in answer[0]["text"]
    assert await world.follows(seat) == ["pricing", "security"]

    reply = await world.mention(seat.channel, seat.user, "unsubscribe pricing")
    assert "no longer gets announcements on `pricing`" in reply.text and reply.channel == seat.channel.id
    assert await world.follows(seat) == ["security"]

    # In a thread (where slash commands cannot be used) the answer stays in the thread.
    parent = world.fake.user_message(seat.channel.id, seat.user.id, "what should we follow?")
    in_thread = await world.mention(seat.channel, seat.user, "subscribe roadmap", thread_ts=parent.ts)
    assert "`roadmap`" in in_thread.text and in_thread.thread_ts == parent.ts
    assert await world.follows(seat) == ["roadmap", "security"]

    # Only ephemeral answers: partnerbot said nothing in the channel for everyone to see.
    assert world.bot_posts(seat.channel) == []
    assert world.fake.calls["chat.postMessage"] == 0


async def test_command_text_arrives_escaped_and_is_unescaped(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold")
    # Slack sends `&`, `<`, `>` as entities in command text.
    await world.command(
        "/partner", "ask Is the &lt;net&gt; price &amp; margin final?", channel=seat.channel, user=seat.user
    )
    questions = await world.app.stores.feedback.open_questions()
    assert [q.text for q in questions] == ["Is the <net> price & margin final?"]


async def test_unknown_commands_answer_with_help_and_admin_commands_are_refused(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold")
    answer = await world.command("/partner", "subscibe security", channel=seat.channel, user=seat.user)
    assert 'did you mean "subscribe"' in answer[0]["text"]
    refused = await world.command("/partner-admin", "stats", channel=seat.channel, user=seat.user)
    assert refused[0]["text"].startswith("🔒 Admin commands work only in the vendor's admin channel")


async def test_topics_answer_has_a_button_per_topic_that_toggles_and_refreshes(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold", follows=("roadmap",))
    listing = (await world.command("/partner", "topics", channel=seat.channel, user=seat.user))[0]
    buttons = {b["accessory"]["value"]: b["accessory"] for b in listing["blocks"] if "accessory" in b}
    assert set(buttons) == {"security", "pricing", "roadmap"}
    assert (buttons["security"]["action_id"], buttons["security"]["style"]) == ("topic_subscribe", "primary")
    assert buttons["roadmap"]["action_id"] == "topic_unsubscribe"

    pressed = buttons["security"]
    url = await world.press_ephemeral(
        {"action_id": pressed["action_id"], "value": pressed["value"], "block_id": "b1"},
        channel=seat.channel,
        user=seat.user,
        message_ts="1700000000.000100",
    )
    refreshed = (await world.wait_for(lambda: world.fake.response_url_posts(url), "the refreshed list"))[0]
    assert refreshed["replace_original"] is True and refreshed["response_type"] == "ephemeral"
    assert "now gets announcements on `security`" in refreshed["blocks"][0]["text"]["text"]
    after = {
        b["accessory"]["value"]: b["accessory"]["action_id"] for b in refreshed["blocks"] if "accessory" in b
    }
    assert after == {
        "security": "topic_unsubscribe",
        "pricing": "topic_subscribe",
        "roadmap": "topic_unsubscribe",
    }
    assert await world.follows(seat) == ["roadmap", "security"]


async def test_answers_to_commands_reuse_one_connection_to_the_response_urls(world: SlackWorld) -> None:
    # bolt's own respond() opened a new session, and so a new connection, for every answer.
    seats = [await world.partner(name, tier="gold") for name in ("acme", "globex", "initech")]
    for seat in seats:
        answer = await world.command("/partner", "subscribe security", channel=seat.channel, user=seat.user)
        assert "now gets announcements on `security`" in answer[0]["text"]
    assert len(world.fake.response_url_peers) == 3
    assert len(set(world.fake.response_url_peers)) == 1


async def test_news_search_and_the_show_button(world: SlackWorld) -> None:
    seat = await world.partner("acme", tier="gold", follows=("pricing",))
    announcement = await world.broadcast(
        'topic:pricing title:"Deal registration" The form moved to the portal.'
    )
    found = (await world.command("/partner", "news search regist*", channel=seat.channel, user=seat.user))[0]
    assert found["response_type"] == "ephemeral"
    buttons = [b["accessory"] for b in found["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("news_show", str(announcement))]
    assert "*Deal Registration*" in str(found["blocks"]) or "*Deal registration*" in str(found["blocks"])

    url = await world.press_ephemeral(
        {"action_id": "news_show", "value": str(announcement), "block_id": "b1"},
        channel=seat.channel,
        user=seat.user,
        message_ts="1700000000.000100",
    )
    shown = (await world.wait_for(lambda: world.fake.response_url_posts(url), "the announcement"))[0]
    assert shown["response_type"] == "ephemeral" and not shown.get("replace_original")
    assert "The form moved to the portal." in str(shown)
    assert world.bot_posts(seat.channel) == []  # privately: nothing in the channel for everyone

    bad = (await world.command("/partner", 'news search "open', channel=seat.channel, user=seat.user))[0]
    assert "A quote is left open" in bad["text"]
