"""Edit and recall in Slack: the Edit button's modal and the Recall button (with Slack's confirmation)
under the admin's preview, carried out on every delivered copy (chat.update / chat.delete, same ts) by
the worker; partner threads and their relayed questions survive an edit; refusals change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.slack import translate as tr
from adapters.slack import views
from bot.commands import EditTexts
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Button,
    ChannelRef,
    Platform,
    Priority,
    Reply,
    UserRef,
)
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import JSON, Message, User

EDIT, RECALL, SEND = "announcement_edit", "announcement_recall", "announcement_send"


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing")
        yield w


def typed(value: str) -> JSON:
    return {"value": {"type": "plain_text_input", "value": value}}


def actions_of(message: Message) -> dict[str, Any]:
    return {e["action_id"]: e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]}


def inputs_of(view: JSON) -> dict[str, JSON]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


async def previewed(world: SlackWorld, text: str = 'topic:pricing title:"Q3 prices" Old lists.') -> Message:
    await world.admin(f"broadcast {text}")
    return (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[-1]


async def press(world: SlackWorld, message: Message, action: str, *, user: User | None = None) -> str:
    """Press a button on a message in the admin channel; the response_url the bot was given."""
    value = actions_of(message)[action]["value"]
    sent = await world.events.block_actions(
        action,
        value,
        user_id=(user or world.dana).id,
        channel_id=world.admin_channel.id,
        message_ts=message.ts,
    )
    assert sent.status == 200, sent
    return str(sent.payload["response_url"])


async def edit_modal(world: SlackWorld, message: Message) -> JSON:
    before = set(world.fake.views)
    await press(world, message, EDIT)
    view_id = await world.wait_for(lambda: next(iter(set(world.fake.views) - before), None), "the modal")
    return world.fake.views[view_id].data


async def test_edit_updates_every_copy_in_place_and_recall_deletes_them(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    umbrella = await world.partner("umbrella", tier="gold", follows=("pricing",))
    preview = await previewed(world)
    assert list(actions_of(preview)) == [SEND, EDIT, "announcement_cancel", "announcement_test"]

    await press(world, preview, SEND)
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the preview to settle")
    # The settled preview offers what can be done next: Edit, and Recall behind Slack's confirmation.
    buttons = actions_of(preview)
    assert list(buttons) == [EDIT, RECALL] and buttons[RECALL]["style"] == "danger"
    confirm = buttons[RECALL]["confirm"]
    assert confirm["title"]["text"] == "Recall #1?" and confirm["style"] == "danger"
    assert "can't be undone" in confirm["text"]["text"] and len(confirm["confirm"]["text"]) <= 30
    await world.deliver()
    posts = {seat.name: world.bot_posts(seat.channel)[0] for seat in (acme, umbrella)}

    # A partner asks in the announcement's thread; the question is relayed to the admins.
    await world.events.message(
        acme.channel.id, acme.user.id, "Do renewals count?", thread_ts=posts["acme"].ts
    )
    await world.wait_for(lambda: world.ephemerals(acme.user), "the question's receipt")
    await world.deliver()
    heading = next(p for p in world.bot_posts(world.admin_channel) if "Partner questions" in p.text)
    assert [
        "Do renewals count?" in q.text for q in world.bot_posts(world.admin_channel, thread=heading.ts)
    ] == [True]

    # Edit: a modal with the current text, within the grammar's limits.
    view = await edit_modal(world, preview)
    assert view["callback_id"] == "partnerbot_edit" and view["title"]["text"] == "Edit announcement #1"
    fields = inputs_of(view)
    assert (fields["ed_title"]["initial_value"], fields["ed_body"]["initial_value"]) == (
        "Q3 prices",
        "Old lists.",
    )
    assert (fields["ed_title"]["max_length"], fields["ed_body"]["max_length"]) == (150, 3000)
    posted_before = len(world.bot_posts(world.admin_channel))
    values = {
        "ed_title": typed("Q3 prices (corrected)"),
        "ed_body": typed("**New** lists, from <!here> July."),
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")  # the modal closes
    edited = await world.wait_for(
        lambda: [p for p in world.bot_posts(world.admin_channel)[posted_before:] if "edited" in p.text],
        "the edit",
    )
    assert "✏️ Announcement #1 edited. 2 copies already delivered will be updated in place" in edited[0].text

    updates = world.fake.calls["chat.update"]
    await world.deliver()
    assert world.fake.calls["chat.update"] >= updates + 2
    for seat in (acme, umbrella):
        [post] = world.bot_posts(seat.channel)
        assert post.ts == posts[seat.name].ts and post.edited is not None  # the same message, in place
        header, body, *_ = post.blocks or []
        assert header["text"]["text"] == "Q3 prices (corrected)"
        assert body["text"]["text"].startswith("*New* lists, from @\u200bhere July.")
        assert "<!here>" not in str(post.blocks) + post.text
        assert list(actions_of(post)) == ["partnerbot_ask", "partnerbot_helpful", "partnerbot_mute"]
    # The partner's thread is intact, and a new question in it still reaches the same admin thread.
    assert [r.text for r in acme.channel.replies(posts["acme"].ts)] == ["Do renewals count?"]
    await world.events.message(acme.channel.id, acme.user.id, "And upgrades?", thread_ts=posts["acme"].ts)
    await world.wait_for(lambda: len(world.ephemerals(acme.user)) == 2, "the second receipt")
    await world.deliver()
    relayed = [q.text for q in world.bot_posts(world.admin_channel, thread=heading.ts)]
    assert len(relayed) == 2 and "And upgrades?" in relayed[1]

    # Recall (Slack has shown the confirmation): every copy is deleted; the admin is told how many.
    await press(world, preview, RECALL)
    await world.wait_for(lambda: "recalled" in preview.text, "the recall")
    assert "recalled: 2 copies already delivered will be deleted." in preview.text
    assert "0 copies" not in preview.text
    assert actions_of(preview) == {}  # nothing left to edit or recall
    await world.deliver()
    for seat in (acme, umbrella):
        assert world.bot_posts(seat.channel) == []
        [gone] = [m for m in world.fake.messages(seat.channel.id, include_deleted=True) if m.bot_id]
        assert gone.ts == posts[seat.name].ts and gone.deleted
    # Slack keeps a deleted parent's replies; partnerbot deletes only its own message.
    assert [r.text for r in acme.channel.replies(posts["acme"].ts)] == ["Do renewals count?", "And upgrades?"]
    announcement = await world.app.stores.announcements.get(1)
    assert announcement is not None and announcement.status.value == "recalled"

    # A recalled announcement can't be edited: pressed from a client still showing the old buttons,
    # Edit opens no modal and tells only the one who pressed why.
    views_before = dict(world.fake.views)
    sent = await world.events.block_actions(
        EDIT, "1", user_id=world.dana.id, channel_id=world.admin_channel.id, message_ts=preview.ts
    )
    answer = await world.wait_for(lambda: world.fake.response_url_posts(sent.payload["response_url"]))
    assert (
        "was recalled, so it can't be edited" in answer[0]["text"]
        and answer[0]["response_type"] == "ephemeral"
    )
    assert world.fake.views == views_before


async def test_only_admins_get_the_edit_modal_and_invalid_input_changes_nothing(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    preview = await previewed(world)

    # A colleague who is not an admin presses Edit: refused privately, no modal.
    url = await press(world, preview, EDIT, user=world.eve)
    refusal = await world.wait_for(lambda: world.fake.response_url_posts(url), "the refusal")
    assert refusal[0]["text"].startswith("🔒 Only configured partnerbot admins can do that.")
    assert refusal[0]["response_type"] == "ephemeral" and world.fake.views == {}

    # The admin's modal, submitted with a blank title: the error sits next to the field.
    view = await edit_modal(world, preview)
    assert "hint" not in inputs_of(view) and all("hint" not in b for b in view["blocks"])  # a draft
    calls = sum(world.fake.calls.values())
    invalid = await world.events.view_submission(
        view["id"], {"ed_title": typed("   "), "ed_body": typed("New.")}
    )
    assert invalid.json() == {"response_action": "errors", "errors": {"ed_title": "This can't be empty."}}
    too_long = await world.events.view_submission(
        view["id"], {"ed_title": typed("T" * 151), "ed_body": typed("x" * 3001)}
    )
    assert set(too_long.json()["errors"]) == {"ed_title", "ed_body"}
    announcement = await world.app.stores.announcements.get(1)
    assert announcement is not None and (announcement.title, announcement.body) == ("Q3 prices", "Old lists.")
    assert sum(world.fake.calls.values()) == calls  # nothing was said or changed in Slack


async def test_editing_a_draft_redraws_its_preview_then_send_delivers_the_new_text(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    preview = await previewed(world)
    view = await edit_modal(world, preview)
    values = {"ed_title": typed("Q3 prices"), "ed_body": typed("Corrected lists.")}
    assert (await world.events.view_submission(view["id"], values)).body == ""
    await world.wait_for(lambda: "Corrected lists." in preview.text, "the preview redrawn in place")
    assert preview.edited is not None and len(world.bot_posts(world.admin_channel)) == 1
    assert list(actions_of(preview)) == [SEND, EDIT, "announcement_cancel", "announcement_test"]

    # Saving the same text again changes nothing, and says so only to the admin.
    again = await edit_modal(world, preview)
    assert inputs_of(again)["ed_body"]["initial_value"] == "Corrected lists."
    seen = len(world.fake.ephemerals)
    await world.events.view_submission(again["id"], values)
    same = await world.wait_for(lambda: world.ephemerals(world.dana, since=seen), "the answer")
    assert same[0].text == "Announcement #1 already reads like that; nothing was changed."

    await press(world, preview, SEND)
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the send")
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    assert "Corrected lists." in str(post.blocks) and post.edited is None  # posted with the new text


async def test_edit_and_recall_typed_as_commands(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Q3 prices" Old lists.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)

    answer = await world.admin('edit 1 title:"Q3 prices, final" Final lists.')
    assert answer[0]["text"].startswith("✏️ Announcement #1 edited. 1 copy already delivered")
    await world.deliver()
    [edited] = world.bot_posts(acme.channel)
    assert (
        edited.ts == post.ts
        and "Q3 prices, final" in str(edited.blocks)
        and "Final lists." in str(edited.blocks)
    )

    recalled = await world.admin("recall 1")
    assert "recalled: 1 copy already delivered will be deleted" in recalled[0]["text"]
    await world.deliver()
    assert world.bot_posts(acme.channel) == []
    again = await world.admin("recall 1")
    assert "was already recalled; there is nothing more to do" in again[0]["text"]


# --- the pure parts: settled preview, modal limits --------------------------------------------------


def test_a_settled_preview_keeps_the_outcomes_buttons_within_fifty_blocks() -> None:
    full = [{"type": "section", "text": {"type": "mrkdwn", "text": f"part {i}"}} for i in range(49)]
    original = {
        "text": "preview",
        "blocks": [*full, *tr.reply_message(Reply("", buttons=(Button("Send", SEND, "7"),)))["blocks"][-1:]],
    }
    sent = Reply(
        "📣 Sending", ephemeral=False, buttons=(Button("Edit", EDIT, "7"), Button("Recall", RECALL, "7"))
    )
    settled = tr.settled_preview(original, sent)
    *content, actions = settled["blocks"]
    assert len(settled["blocks"]) == tr.MAX_BLOCKS
    assert [e["action_id"] for e in actions["elements"]] == [EDIT, RECALL]
    assert "confirm" in actions["elements"][1] and "confirm" not in actions["elements"][0]
    assert all(b["type"] == "section" for b in content)
    recalled = tr.settled_preview(settled, Reply("↩️ Recalled", ephemeral=False))
    assert recalled["blocks"][-1]["text"]["text"] == "↩️ Recalled" and "actions" not in str(recalled["blocks"])


def test_the_edit_modal_carries_its_announcement_and_never_cuts_the_id() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    channel = ChannelRef(Platform.SLACK, "T", "C")
    announcement = Announcement(
        123456, "T" * 200, "b" * 3500, ("pricing",), Audience(), Priority.NORMAL, AnnouncementStatus.SENT,
        UserRef(Platform.SLACK, "T", "U"), channel, when,
    )  # fmt: skip
    view = views.edit_modal(announcement, origin=views.Origin("T", "C", "1.2", announcement_id=123456))
    assert view["title"]["text"] == "Edit #123456"
    assert views.Origin.decode(view["private_metadata"]) == views.Origin("T", "C", "1.2", 123456)
    assert views.Origin.decode('{"t": "T", "c": "C"}') == views.Origin("T", "C")  # modals opened before
    fields = inputs_of(view)
    assert (len(fields["ed_title"]["initial_value"]), len(fields["ed_body"]["initial_value"])) == (150, 3000)
    edited = views.read_edit({"ed_title": typed(" New "), "ed_body": typed("Body\n")}, 123456)
    assert edited == EditTexts(123456, "New", "Body")
