"""Feedback in Slack: reactions and the buttons under an announcement, and a question asked in the
announcement's thread relayed to the admin thread, answered there, and relayed back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import Seat, SlackWorld, open_world
from tests.fakes.slack import Message


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("security", "pricing")
        yield w


async def delivered(world: SlackWorld, seat: Seat) -> Message:
    await world.broadcast('topic:pricing title:"Q3 prices" New lists are out.')
    await world.deliver()
    [post] = world.bot_posts(seat.channel)
    return post


async def reactions(world: SlackWorld) -> dict[str, int]:
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None
    return {emoji: count for emoji, count in stats.reactions.items() if count}


async def test_reactions_added_and_removed_and_the_helpful_and_mute_buttons(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing", "security"))
    post = await delivered(world, acme)

    await world.events.reaction_added(acme.channel.id, post.ts, acme.user.id, "tada")
    await world.wait_until(lambda: _has(world, {"tada": 1}), "the reaction")
    await world.events.reaction_removed(acme.channel.id, post.ts, acme.user.id, "tada")
    await world.wait_until(lambda: _has(world, {}), "the reaction's removal")

    sent = await world.events.block_actions(
        "partnerbot_helpful", "d1", user_id=acme.user.id, channel_id=acme.channel.id, message_ts=post.ts
    )
    await world.wait_until(lambda: _has(world, {"helpful": 1}), "the Helpful press")
    thanks = await world.wait_for(lambda: world.fake.response_url_posts(sent.payload["response_url"]))
    assert thanks[0]["text"] == "👍 Thanks — marked as helpful." and thanks[0]["response_type"] == "ephemeral"

    muted = await world.events.block_actions(
        "partnerbot_mute", "pricing", user_id=acme.user.id, channel_id=acme.channel.id, message_ts=post.ts
    )
    answer = await world.wait_for(lambda: world.fake.response_url_posts(muted.payload["response_url"]))
    assert "no longer gets announcements on `pricing`" in answer[0]["text"]
    assert await world.follows(acme) == ["security"]
    assert len(world.bot_posts(acme.channel)) == 1  # nothing was said publicly


async def _has(world: SlackWorld, expected: dict[str, int]) -> bool:
    return await reactions(world) == expected


async def test_thread_question_reaches_the_admin_thread_and_the_answer_comes_back(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    globex = await world.partner("globex", tier="gold", follows=("pricing",))
    post = await delivered(world, acme)
    [globex_post] = world.bot_posts(globex.channel)

    # A partner replies in the announcement's thread, trying to ping the admins' channel.
    await world.events.message(
        acme.channel.id, acme.user.id, "Does it cover <!channel> renewals?", thread_ts=post.ts
    )
    received = await world.wait_for(lambda: world.ephemerals(acme.user), "the question's receipt")
    assert received[0].text.startswith("📨 Thanks — your question (#1)") and received[0].thread_ts == post.ts
    await world.deliver()

    [heading] = world.bot_posts(world.admin_channel)[-1:]
    assert "Partner questions on announcement #1 “Q3 prices”" in heading.text
    [question] = world.bot_posts(world.admin_channel, thread=heading.ts)
    assert "Question #1" in question.text and "Does it cover @\u200bchannel renewals?" in question.text
    assert "<!channel>" not in question.text

    # Another partner asks through the "Ask a question" button and its modal: same admin thread.
    before = set(world.fake.views)
    await world.events.block_actions(
        "partnerbot_ask", "1", user_id=globex.user.id, channel_id=globex.channel.id, message_ts=globex_post.ts
    )
    view_id = await world.wait_for(lambda: next(iter(set(world.fake.views) - before), None), "the modal")
    values = {"ask_question": {"value": {"type": "plain_text_input", "value": "Is the EMEA list final?"}}}
    assert (await world.events.view_submission(view_id, values)).status == 200
    await world.wait_for(lambda: world.ephemerals(globex.user), "the modal question's receipt")
    await world.deliver()
    assert len(world.bot_posts(world.admin_channel, thread=heading.ts)) == 2

    # The admin answers Acme's question in the admin thread; it lands in Acme's announcement thread.
    await world.events.message(
        world.admin_channel.id, world.dana.id, "#1 Yes, renewals too.", thread_ts=heading.ts
    )
    queued = await world.wait_for(lambda: world.ephemerals(world.dana), "the answer's receipt")
    assert queued[0].text.startswith("✅ Answer to question #1 is on its way to acme")
    await world.deliver()
    [answer] = world.bot_posts(acme.channel, thread=post.ts)
    assert "Answer from dana" in answer.text and "Yes, renewals too." in answer.text
    assert world.bot_posts(globex.channel, thread=globex_post.ts) == []
    open_questions = await world.app.stores.feedback.open_questions()
    assert [q.text for q in open_questions] == ["Is the EMEA list final?"]


async def test_colleague_chatter_in_the_admin_thread_is_not_an_answer(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    post = await delivered(world, acme)
    await world.events.message(acme.channel.id, acme.user.id, "When?", thread_ts=post.ts)
    await world.wait_for(lambda: world.ephemerals(acme.user))
    await world.deliver()
    heading = world.bot_posts(world.admin_channel)[-1]
    await world.events.message(
        world.admin_channel.id, world.eve.id, "who takes this one?", thread_ts=heading.ts
    )
    # dana's answer right after is the one relayed.
    await world.events.message(world.admin_channel.id, world.dana.id, "Next week.", thread_ts=heading.ts)
    await world.wait_for(lambda: world.ephemerals(world.dana))
    await world.deliver()
    [answer] = world.bot_posts(acme.channel, thread=post.ts)
    assert "Next week." in answer.text and "who takes" not in answer.text
    assert world.ephemerals(world.eve) == []


async def test_the_acknowledge_button_records_once_and_answers_privately(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("security",))
    await world.broadcast('topic:security urgent ack title:"Patch now" Upgrade today.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    buttons = [e for b in post.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["action_id"] == "partnerbot_ack" and buttons[0]["style"] == "primary"
    assert buttons[0]["text"]["text"] == "Acknowledge"

    answers = []
    for _ in range(2):
        sent = await world.events.block_actions(
            "partnerbot_ack", "d1", user_id=acme.user.id, channel_id=acme.channel.id, message_ts=post.ts
        )
        answers += await world.wait_for(
            lambda s=sent: world.fake.response_url_posts(s.payload["response_url"])
        )
    assert answers[0]["text"].startswith("✅ Thanks — acknowledged")
    assert answers[1]["text"].startswith("✅ Already acknowledged by you")
    assert all(a["response_type"] == "ephemeral" for a in answers)
    states = await world.app.stores.acks.states(1)
    assert [s.acked_by for s in states] == [acme.user.id]
    assert len(world.bot_posts(acme.channel)) == 1  # nothing was said publicly


async def test_an_answer_on_a_recalled_announcement_goes_to_the_channel_as_its_own_message(
    world: SlackWorld,
) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    post = await delivered(world, acme)
    await world.events.message(acme.channel.id, acme.user.id, "Is the EMEA list final?", thread_ts=post.ts)
    await world.wait_for(lambda: world.ephemerals(acme.user), "the question's receipt")
    await world.deliver()
    heading = world.bot_posts(world.admin_channel)[-1]
    await world.admin("recall 1")
    await world.deliver()
    assert world.bot_posts(acme.channel) == []

    # A reply in the admin thread is not posted under the deleted copy: dana is told how to answer.
    await world.events.message(world.admin_channel.id, world.dana.id, "Yes, final.", thread_ts=heading.ts)
    told = await world.wait_for(lambda: world.ephemerals(world.dana), "the refusal")
    assert "was recalled" in told[0].text and "`answer 1 &lt;text&gt;`" in told[0].text

    queued = await world.admin("answer 1 Yes, final.")
    assert "was recalled" in queued[0]["text"]
    await world.deliver()
    [answer] = world.bot_posts(acme.channel)
    assert answer.thread_ts is None
    assert "> Is the EMEA list final?" in answer.text.replace("&gt;", ">") and "Yes, final." in answer.text
