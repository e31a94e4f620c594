"""Edit and recall on Discord: the Edit button's modal and the Recall button (confirmed privately, as
Discord has no confirmation dialog) under the admin's messages, carried out on every delivered copy
(PATCH / DELETE of the same message ids) by the worker; partner threads and their relayed questions
survive an edit; refusals change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot import messages as m
from tests.e2e.discord_world import DiscordWorld, PartnerSpace, discord_world, eventually
from tests.fakes.discord import Channel, Interaction, Member, Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with linked(sqlite_url) as w:
        yield w


@asynccontextmanager
async def linked(database_url: str) -> AsyncIterator[DiscordWorld]:
    """A world where acme and globex follow `security`."""
    async with discord_world(database_url) as w:
        await w.add_topic("security", "Security advisories")
        for space in w.partners.values():
            await w.link(space, tier="gold")
            await w.subscribe(space, "security")
        yield w


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c]


def inputs(modal: dict[str, Any]) -> dict[str, Any]:
    return {c["custom_id"]: c for c in walk_components(modal["components"]) if c["type"] == 4}


async def preview(
    world: DiscordWorld, title: str = "Gateway patch", body: str = "Patch by Friday."
) -> Message:
    """/partner-admin broadcast: the preview message in the admin channel."""
    options = {"topics": "security", "title": title, "body": body}
    interaction = world.fake.push_slash_command(
        "partner-admin broadcast", options, channel_id=world.admin_channel.id, user_id=world.admin.user.id
    )
    await world.answer(interaction)
    return world.fake.messages[interaction.original_message_id or 0]


def press(
    world: DiscordWorld, message: Message, custom_id: str, *, user: Member | None = None
) -> Interaction:
    return world.fake.push_component(message.id, custom_id, user_id=(user or world.admin).user.id)


async def submit_edit(world: DiscordWorld, message: Message, announcement: int, **values: str) -> Interaction:
    """Press Edit on `message`, check the modal, submit it with `values`."""
    edit = press(world, message, f"pb:announcement_edit:{announcement}")
    modal = await world.fake.interaction_response(edit.id)
    assert modal["type"] == 9, modal
    return world.fake.push_modal_submit(edit.id, values)


async def test_edit_updates_every_copy_in_place_and_recall_deletes_them(database_url: str) -> None:
    async with linked(database_url) as world:
        fake, acme, globex = world.fake, world.acme, world.partners["globex"]
        draft = await preview(world)
        aid = int(custom_ids(draft)[0].rsplit(":", 1)[1])
        assert custom_ids(draft)[:3] == [f"pb:announcement_{a}:{aid}" for a in ("send", "edit", "cancel")]

        send = press(world, draft, f"pb:announcement_send:{aid}")
        (sending,) = await world.followups(send, 1)
        assert "Sending announcement" in sending.content and not sending.ephemeral
        assert custom_ids(sending) == [
            f"pb:announcement_edit:{aid}",
            f"pb:announcement_recall:{aid}",
            f"pb:announcement_translate:{aid}",
        ]
        await fake.wait_for(lambda: draft.components == [])
        posts = {space.name: (await world.wait_posts(space.channel))[0] for space in (acme, globex)}
        await world.delivered(aid, 2)

        # A partner asks in a thread under the announcement; it is relayed to the admins' thread.
        thread = await ask_in_thread(world, acme, posts["acme"], "Do renewals count?")
        heading = await relayed(world, 1)

        # Edit: a modal with the current text, submitted with the new one.
        edit = press(world, sending, f"pb:announcement_edit:{aid}")
        modal = (await fake.interaction_response(edit.id))["data"]
        assert modal["title"] == f"Edit announcement #{aid}"
        fields = inputs(modal)
        assert (fields["title"]["value"], fields["body"]["value"]) == ("Gateway patch", "Patch by Friday.")
        assert (fields["title"]["max_length"], fields["body"]["max_length"]) == (150, 3000)
        submit = fake.push_modal_submit(edit.id, {"title": "Gateway patch 2", "body": "Patch by **Monday**."})
        (notice,) = await world.followups(submit, 1)
        assert (
            f"Announcement #{aid} edited. 2 copies already delivered" in notice.content
            and not notice.ephemeral
        )

        await fake.wait_for(lambda: all(p.embeds[0]["title"] == "Gateway patch 2" for p in posts.values()))
        for name, post in posts.items():
            assert post.embeds[0]["description"] == "Patch by **Monday**." and post.edited_timestamp
            assert [p.id for p in world.bot_posts(world.partners[name].channel)] == [post.id]  # in place
            assert custom_ids(post)[:2] == ["partnerbot:ask", "partnerbot:helpful"]
        # The thread is intact, and a new question in it reaches the same admin thread.
        assert fake.channels[thread.id].parent_id == acme.channel.id
        assert any("Do renewals count?" in msg.content for msg in fake.channel_messages(thread.id))
        await ask_in_thread(world, acme, posts["acme"], "And upgrades?", thread=thread)
        assert (await relayed(world, 2)).id == heading.id

        in_thread = [msg.id for msg in fake.channel_messages(thread.id)]
        assert len(in_thread) == 4  # two questions, two receipts

        # Recall: asked again privately (Discord has no confirmation dialog), then done.
        recall = press(world, sending, f"pb:announcement_recall:{aid}")
        ask = await fake.interaction_response(recall.id)
        assert (
            ask["type"] == 4
            and ask["data"]["flags"] & EPHEMERAL
            and "can't be undone" in ask["data"]["content"]
        )
        confirm = fake.messages[recall.original_message_id or 0]
        assert custom_ids(confirm) == [f"pb:announcement_recall_confirmed:{aid}"]
        assert not any(p.deleted for p in posts.values())  # nothing happens before the confirmation
        confirmed = press(world, confirm, f"pb:announcement_recall_confirmed:{aid}")
        (recalled,) = await world.followups(confirmed, 1)
        assert (
            "recalled: 2 copies already delivered will be deleted" in recalled.content
            and not recalled.ephemeral
        )
        await fake.wait_for(lambda: confirm.components == [])  # no second press
        await fake.wait_for(lambda: all(p.deleted for p in posts.values()))
        # Discord keeps a thread whose starter message is deleted; partnerbot deletes only its posts.
        assert (
            thread.id in fake.channels and [msg.id for msg in fake.channel_messages(thread.id)] == in_thread
        )
        announcement = await world.app.stores.announcements.get(aid)
        assert announcement is not None and announcement.status.value == "recalled"

        # Pressing Edit again: no modal, the reason only to the one who pressed.
        late = press(world, sending, f"pb:announcement_edit:{aid}")
        answer = await fake.interaction_response(late.id)
        assert answer["type"] == 4 and answer["data"]["flags"] & EPHEMERAL
        assert "was recalled, so it can't be edited" in answer["data"]["content"]


async def ask_in_thread(
    world: DiscordWorld, space: PartnerSpace, post: Message, text: str, *, thread: Channel | None = None
) -> Channel:
    """A partner's question in the thread under `post` (opened by them if `thread` is None)."""
    fake = world.fake
    if thread is None:
        thread = fake.push_thread_create(
            space.channel.id, "Q", owner_id=space.member.user.id, message_id=post.id
        )
    before = len(world.bot_posts_in(thread.id))
    fake.push_message(thread.id, f"<@{fake.bot.id}> {text}", author_id=space.member.user.id)
    await world.wait_posts_in(thread.id, before + 1)  # the receipt
    return thread


async def relayed(world: DiscordWorld, question_id: int) -> Message:
    """The admin channel's heading under whose thread question `question_id` was relayed."""

    async def recorded() -> bool:
        question = await world.app.stores.feedback.question(question_id)
        return question is not None and question.admin_thread is not None

    await eventually(recorded)
    question = await world.app.stores.feedback.question(question_id)
    assert question is not None and question.admin_thread is not None
    heading = world.fake.messages[int(question.admin_thread)]
    assert "Partner questions on announcement" in heading.content
    return heading


async def test_only_admins_may_edit_or_recall_blank_fields_change_nothing_buttons_persist(
    world: DiscordWorld,
) -> None:
    fake = world.fake
    draft = await preview(world)
    aid = int(custom_ids(draft)[0].rsplit(":", 1)[1])

    async def refused(message: Message, action: str) -> None:
        pressed = press(world, message, f"pb:announcement_{action}:{aid}", user=world.staff)
        refusal = await fake.interaction_response(pressed.id)
        assert refusal["type"] == 4 and refusal["data"]["flags"] & EPHEMERAL  # no modal, no confirmation
        assert refusal["data"]["content"].startswith("🔒") and not refusal["data"].get("components")

    await refused(draft, "edit")
    submit = await submit_edit(world, draft, aid, title="   ")
    problem = await world.answer(submit)
    assert problem["data"]["flags"] & EPHEMERAL and problem["data"]["content"] == m.TITLE_EMPTY
    announcement = await world.app.stores.announcements.get(aid)
    assert announcement is not None and announcement.title == "Gateway patch"
    assert draft.embeds[0]["title"] == "Gateway patch"

    send = press(world, draft, f"pb:announcement_send:{aid}")
    (sending,) = await world.followups(send, 1)
    await refused(sending, "edit")
    await refused(sending, "recall")
    await world.delivered(aid, 2)
    announcement = await world.app.stores.announcements.get(aid)
    assert announcement is not None and announcement.status.value in ("sending", "sent")

    # The buttons outlive a restart, like every core button (their state is in the custom_id).
    await world.restart()
    edit = press(world, sending, f"pb:announcement_edit:{aid}")
    assert (await fake.interaction_response(edit.id))["type"] == 9


async def test_editing_a_draft_redraws_its_preview_in_place(world: DiscordWorld) -> None:
    fake = world.fake
    draft = await preview(world)
    aid = int(custom_ids(draft)[0].rsplit(":", 1)[1])
    before = custom_ids(draft)
    submit = await submit_edit(world, draft, aid, title="Gateway patch (final)")
    assert (await fake.interaction_response(submit.id))["type"] == 6  # the preview itself is updated
    await fake.wait_for(lambda: draft.embeds[0]["title"] == "Gateway patch (final)")
    assert draft.embeds[0]["description"] == "Patch by Friday." and custom_ids(draft) == before
    assert len(world.bot_posts(world.admin_channel)) == 0  # no second preview

    send = press(world, draft, f"pb:announcement_send:{aid}")
    await world.followups(send, 1)
    (post,) = await world.wait_posts(world.acme.channel)
    assert post.embeds[0]["title"] == "Gateway patch (final)" and not post.edited_timestamp


async def test_edit_and_recall_as_slash_commands(world: DiscordWorld) -> None:
    fake, admin, channel = world.fake, world.admin, world.admin_channel
    aid = await world.broadcast("security", "Gateway patch", "Patch by Friday.")
    await world.send(aid)
    (post,) = await world.wait_posts(world.acme.channel)
    await world.delivered(aid, 2)

    edited = await world.slash(
        "partner-admin edit", {"announcement": aid, "title": "Gateway patch 2"}, channel=channel, user=admin
    )
    assert f"Announcement #{aid} edited" in edited["data"]["content"]
    await fake.wait_for(lambda: post.embeds[0]["title"] == "Gateway patch 2")
    assert post.embeds[0]["description"] == "Patch by Friday."  # the body was left as it was

    # Without a title or body, the command opens the same form as the Edit button.
    form = fake.push_slash_command("partner-admin edit", {"announcement": aid}, channel_id=channel.id,
                                   user_id=admin.user.id)  # fmt: skip
    modal = await fake.interaction_response(form.id)
    assert modal["type"] == 9 and inputs(modal["data"])["title"]["value"] == "Gateway patch 2"
    submit = fake.push_modal_submit(form.id, {"body": "Patch by Monday."})
    assert "edited" in (await world.answer(submit))["data"]["content"]
    await fake.wait_for(lambda: post.embeds[0]["description"] == "Patch by Monday.")

    recalled = await world.slash("partner-admin recall", {"announcement": aid}, channel=channel, user=admin)
    assert "recalled: 2 copies already delivered will be deleted" in recalled["data"]["content"]
    await fake.wait_for(lambda: post.deleted)
