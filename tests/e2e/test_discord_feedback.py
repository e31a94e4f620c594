"""Feedback on Discord: persistent buttons after a restart, questions from the modal and from threads,
answers posted back into the announcement's thread."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from tests.e2e.discord_world import OPTIONS, DiscordWorld, discord_world, eventually
from tests.fakes.discord import Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme",)) as w:
        yield w


async def deliver(world: DiscordWorld, title: str = "Gateway 5.2 is out") -> tuple[int, Message]:
    await world.add_topic("security", "Security advisories")
    await world.link(world.acme, tier="gold")
    await world.subscribe(world.acme, "security")
    announcement = await world.broadcast("security", title, "Upgrade at your convenience.")
    await world.send(announcement)
    # No wait for the worker to record the delivery: feedback that arrives before it is kept.
    (delivered,) = await world.wait_posts(world.acme.channel)
    return announcement, delivered


async def admin_thread_messages(world: DiscordWorld, count: int) -> list[Message]:
    """The relayed questions: a heading in the admin channel, the questions in a thread under it
    (returned once partnerbot has recorded where they landed, so admins can answer there)."""
    (heading,) = await world.wait_posts(world.admin_channel)
    assert "Partner questions on announcement" in heading.content
    await world.fake.wait_for(lambda: len(world.bot_posts_in(heading.id)) >= count)

    async def recorded() -> bool:
        question = await world.app.stores.feedback.question(count)
        return question is not None and question.admin_thread == str(heading.id)

    await eventually(recorded)
    return world.bot_posts_in(heading.id)


async def test_persistent_buttons_work_after_a_restart(world: DiscordWorld) -> None:
    announcement, delivered = await deliver(world)
    fake, acme = world.fake, world.acme
    identifies = len(fake.identifies)
    await world.restart()  # a new client: only the views registered at start-up can answer
    assert len(fake.identifies) == identifies + 1

    helpful = fake.push_component(delivered.id, "partnerbot:helpful", user_id=acme.member.user.id)
    thanks = await world.answer(helpful)
    assert "helpful" in thanks["data"]["content"] and thanks["data"]["flags"] & EPHEMERAL

    ask = fake.push_component(delivered.id, "partnerbot:ask", user_id=acme.member.user.id)
    assert (await fake.interaction_response(ask.id))["type"] == 9
    submit = fake.push_modal_submit(ask.id, {"question": "Does the upgrade need a reboot?"})
    received = await world.answer(submit)
    assert "your question (#1) went to the vendor team" in received["data"]["content"]

    (question,) = await admin_thread_messages(world, 1)
    assert "from **acme** (gold, discord)" in question.content
    assert "> Does the upgrade need a reboot?" in question.content

    # The answer opens the thread under the announcement (its id is the announcement message's id).
    await world.slash(
        "partner-admin answer",
        {"question": 1, "text": "No reboot."},
        channel=world.admin_channel,
        user=world.admin,
    )
    await fake.wait_for(lambda: bool(world.bot_posts_in(delivered.id)))
    assert fake.channels[delivered.id].parent_id == acme.channel.id
    (answer,) = world.bot_posts_in(delivered.id)
    assert "No reboot." in answer.content and answer.allowed_mentions == {"parse": []}

    muted = fake.push_component(delivered.id, "partnerbot:mute", user_id=acme.member.user.id)
    assert "Manage Channels" in (await world.answer(muted))["data"]["content"]
    muted = fake.push_component(delivered.id, "partnerbot:mute", user_id=acme.manager.user.id)
    assert "no longer gets announcements on `security`" in (await world.answer(muted))["data"]["content"]

    stats = await world.app.stores.stats.announcement(announcement)
    assert stats is not None and stats.reactions == {"helpful": 1} and stats.questions_answered == 1


@pytest.mark.parametrize("message_content", [False, True], ids=["mention", "message-content-intent"])
async def test_a_thread_question_is_answered_back_into_the_thread(
    sqlite_url: str, message_content: bool
) -> None:
    options = replace(OPTIONS, message_content=message_content)
    async with discord_world(sqlite_url, partners=("acme",), options=options) as world:
        _announcement, delivered = await deliver(world)
        fake, acme, bot = world.fake, world.acme, f"<@{world.fake.bot.id}>"
        thread = fake.push_thread_create(
            acme.channel.id, "Question", owner_id=acme.member.user.id, message_id=delivered.id
        )
        question = "How do I roll back?" if message_content else f"{bot} How do I roll back?"
        fake.push_message(thread.id, question, author_id=acme.member.user.id)

        (received,) = await world.wait_posts_in(thread.id)
        assert "your question (#1) went to the vendor team" in received.content
        (relayed,) = await admin_thread_messages(world, 1)
        assert "How do I roll back?" in relayed.content and bot not in relayed.content

        # The admin answers in the admin thread (mentioning the bot, unless it may read messages).
        admin_thread = fake.channels[relayed.channel_id]
        answer = "Run the rollback script." if message_content else f"{bot} Run the rollback script."
        fake.push_message(admin_thread.id, answer, author_id=world.admin.user.id)
        await fake.wait_for(lambda: len(world.bot_posts_in(thread.id)) == 2)
        posted = world.bot_posts_in(thread.id)[-1]
        assert "Run the rollback script." in posted.content and "How do I roll back?" in posted.content

        # Without the intent, chatter that does not mention the bot never reaches partnerbot; with
        # it, every message in the thread is a question for the vendor team.
        fake.push_message(thread.id, "thanks!", author_id=acme.member.user.id)
        fake.push_message(thread.id, f"{bot} One more thing?", author_id=acme.member.user.id)
        await eventually(lambda: _questions(world, 3 if message_content else 2))


async def _questions(world: DiscordWorld, count: int) -> bool:
    stats = await world.app.stores.stats.announcement(1)
    return stats is not None and stats.questions_asked == count


async def test_the_acknowledge_button_records_once_and_answers_privately(world: DiscordWorld) -> None:
    await world.add_topic("security", "Security advisories")
    await world.link(world.acme, tier="gold")
    await world.subscribe(world.acme, "security")
    announcement = await world.broadcast("security", "Patch now", "Upgrade today.", urgent=True, ack=True)
    await world.send(announcement)
    (delivered,) = await world.wait_posts(world.acme.channel)
    buttons = [(c["label"], c["custom_id"]) for c in walk_components(delivered.components) if c["type"] == 2]
    assert buttons[0] == ("Acknowledge", "partnerbot:ack")
    await world.delivered(announcement, 1)
    await world.restart()  # the persistent button still answers after a restart

    fake, user = world.fake, world.acme.member.user.id
    first = await world.answer(fake.push_component(delivered.id, "partnerbot:ack", user_id=user))
    again = await world.answer(fake.push_component(delivered.id, "partnerbot:ack", user_id=user))
    assert first["data"]["content"].startswith("✅ Thanks — acknowledged")
    assert again["data"]["content"].startswith("✅ Already acknowledged by you")
    assert first["data"]["flags"] & EPHEMERAL and again["data"]["flags"] & EPHEMERAL
    states = await world.app.stores.acks.states(announcement)
    assert [s.acked_by for s in states] == [str(user)]
