"""Admins in Slack: the "Broadcast to partners" shortcut → modal → preview → Send, delivered as Block Kit
to exactly the matching channels; refusals for everyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import JSON, Message


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock, admin_groups=("slack:S0ADMINS",)) as w:
        await w.topics("security", "pricing")
        yield w


def selected(*values: str) -> JSON:
    return {"value": {"type": "multi_static_select", "selected_options": [{"value": v} for v in values]}}


def typed(value: str) -> JSON:
    return {"value": {"type": "plain_text_input", "value": value}}


def actions_of(message: Message) -> dict[str, Any]:
    return {e["action_id"]: e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]}


async def open_broadcast_modal(world: SlackWorld, text: str) -> JSON:
    source = world.fake.user_message(world.admin_channel.id, world.dana.id, text)
    before = set(world.fake.views)
    sent = await world.events.message_shortcut(
        "broadcast_from_message",
        channel_id=world.admin_channel.id,
        message_ts=source.ts,
        user_id=world.dana.id,
    )
    assert sent.status == 200 and sent.elapsed < 3.0
    view_id = await world.wait_for(lambda: next(iter(set(world.fake.views) - before), None), "the modal")
    return world.fake.views[view_id].data


async def test_shortcut_modal_preview_send_reaches_exactly_the_matching_channels(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    umbrella = await world.partner("umbrella", tier="platinum", region="na", follows=("pricing", "security"))
    globex = await world.partner("globex", tier="silver", follows=("pricing",))  # tier not targeted
    initech = await world.partner("initech", tier="gold", follows=("security",))  # topic not targeted

    view = await open_broadcast_modal(world, "New *price list*: <https://example.com/p|details> &amp; FAQ")
    body_input = next(b for b in view["blocks"] if b["block_id"] == "bc_body")["element"]
    assert body_input["initial_value"] == "New *price list*: [details](https://example.com/p) & FAQ"
    topic_options = next(b for b in view["blocks"] if b["block_id"] == "bc_topics")["element"]["options"]
    assert [o["value"] for o in topic_options] == ["pricing", "security"]

    invalid = await world.events.view_submission(view["id"], {"bc_title": typed(""), "bc_body": typed("x")})
    assert invalid.json()["response_action"] == "errors" and set(invalid.json()["errors"]) == {
        "bc_title",
        "bc_topics",
    }

    values = {
        "bc_title": typed("Q3 price list"),
        "bc_body": typed(
            "**New prices** apply from 1 July. <!channel> see [the list](https://example.com/p)."
        ),
        "bc_topics": selected("pricing"),
        "bc_tier": selected("gold", "platinum"),
        "bc_urgent": {"value": {"type": "checkboxes", "selected_options": [{"value": "urgent"}]}},
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")  # the modal closes at once

    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert (
        "Preview of announcement #1" in preview.text
        and "*Reach:* 2 channel(s) of 2 partner(s)" in preview.text
    )
    buttons = actions_of(preview)
    assert (buttons["announcement_send"]["style"], buttons["announcement_cancel"]["style"]) == (
        "primary",
        "danger",
    )

    await world.events.block_actions(
        "announcement_send",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the preview to settle")
    assert actions_of(preview) == {}  # Send/Cancel are gone for everyone
    await world.deliver()

    for seat in (acme, umbrella):
        [post] = world.bot_posts(seat.channel)
        assert post.metadata is not None and post.metadata["event_type"] == "partnerbot_delivery"
        assert post.metadata["event_payload"]["key"].startswith("d")
        header, body, context, feedback = post.blocks or []
        assert header == {
            "type": "header",
            "text": {"type": "plain_text", "text": "Q3 price list", "emoji": True},
        }
        assert body["text"]["text"].startswith(
            "*New prices* apply from 1 July. @\u200bchannel see <https://example.com/p|the list>"
        )
        assert "<!channel>" not in post.text + str(post.blocks)
        assert [e["text"] for e in context["elements"]] == ["🚨 *Urgent*", "Topics: `pricing`"]
        assert list(actions_of(post)) == ["partnerbot_ask", "partnerbot_helpful", "partnerbot_mute"]
        assert feedback["block_id"] == "partnerbot_feedback"
    assert world.bot_posts(globex.channel) == [] and world.bot_posts(initech.channel) == []
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None and (stats.targeted, stats.delivered) == (2, 2)


async def test_cancel_button_drops_the_draft(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    await world.admin('broadcast topic:pricing title:"Draft" Nothing yet.')
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    await world.events.block_actions(
        "announcement_cancel",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: "cancelled; nothing was sent" in preview.text, "the cancellation")
    announcement = await world.app.stores.announcements.get(1)
    assert announcement is not None and announcement.status.value == "cancelled"


async def test_non_admins_and_other_channels_are_refused(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    # A colleague who is not an admin, in the admin channel: the shortcut opens nothing.
    source = world.fake.user_message(world.admin_channel.id, world.eve.id, "Prices go up")
    await world.events.message_shortcut(
        "broadcast_from_message",
        channel_id=world.admin_channel.id,
        message_ts=source.ts,
        user_id=world.eve.id,
    )
    refusal = await world.wait_for(lambda: world.ephemerals(world.eve), "the refusal")
    assert refusal[0].text.startswith("🔒 Only configured partnerbot admins can do that.")
    typed_refusal = await world.admin('broadcast topic:pricing title:"Up" Prices go up.', user=world.eve)
    assert typed_refusal[0]["text"].startswith("🔒 Only configured partnerbot admins")

    # The admin, but in a partner channel.
    theirs = world.fake.user_message(acme.channel.id, acme.user.id, "Please broadcast this")
    world.fake.channels[acme.channel.id].members.add(world.dana.id)
    await world.events.message_shortcut(
        "broadcast_from_message", channel_id=acme.channel.id, message_ts=theirs.ts, user_id=world.dana.id
    )
    elsewhere = await world.wait_for(lambda: world.ephemerals(world.dana), "the refusal")
    assert elsewhere[0].text.startswith("🔒 Admin commands work only in the vendor's admin channel")

    # A partner pressing a Send button it somehow got is refused too.
    await world.admin('broadcast topic:pricing title:"Real" Body.')
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    world.fake.channels[world.admin_channel.id].members.add(acme.user.id)
    await world.events.block_actions(
        "announcement_send",
        "1",
        user_id=acme.user.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: world.ephemerals(acme.user), "the refusal")
    assert world.fake.views == {}
    assert [a.status.value for a in await world.app.stores.announcements.recent()] == ["draft"]
    assert "announcement_send" in actions_of(preview)  # the preview is untouched


async def test_members_of_an_admin_user_group_are_admins(world: SlackWorld) -> None:
    frank = world.fake.add_user(world.vendor.team_id, "frank")
    world.fake.channels[world.admin_channel.id].members.add(frank.id)
    world.fake.add_usergroup(world.vendor.team_id, [frank.id], usergroup_id="S0ADMINS")
    answer = await world.admin('topic add partners-only "Partners only"', user=frank)
    assert "Topic `partners-only`" in answer[0]["text"]
    refused = await world.admin('topic add nope "Nope"', user=world.eve)
    assert refused[0]["text"].startswith("🔒")
