"""Admins in Slack: the "Broadcast to partners" shortcut → modal → preview → Send, delivered as Block Kit
to exactly the matching channels; refusals for everyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import JSON, Message, User


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
        "Preview of announcement #1" in preview.text and "*Reach:* 2 channels of 2 partners" in preview.text
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
    # Send/Cancel are gone for everyone; what can be done next takes their place.
    assert list(actions_of(preview)) == ["announcement_edit", "announcement_recall"]
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


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- scheduling from the modal ("Send at" picker, "Local time" box) -------------------------------


@dataclass
class ZonedUser(User):
    """A Slack user whose `users.info` carries the profile's time zone (`tz`), as Slack's does."""

    tz: str = "UTC"

    def to_api(self) -> JSON:
        return {**super().to_api(), "tz": self.tz}


def in_zone(world: SlackWorld, user: User, tz: str) -> None:
    world.fake.users[user.id] = ZonedUser(user.id, user.team_id, user.name, is_admin=user.is_admin, tz=tz)


def picked(when: datetime) -> JSON:
    """The datetimepicker's state: the instant picked, as a UNIX timestamp."""
    return {"value": {"type": "datetimepicker", "selected_date_time": int(when.timestamp())}}


LOCAL_BOX = {"value": {"type": "checkboxes", "selected_options": [{"value": "local"}]}}


def scheduled_values(send_at: datetime | None, *, local: bool = False) -> JSON:
    values: JSON = {
        "bc_title": typed("Maintenance window"),
        "bc_body": typed("The portal is down for an hour."),
        "bc_topics": selected("pricing"),
    }
    if send_at is not None:
        values["bc_send_at"] = picked(send_at)
    if local:
        values["bc_send_local"] = LOCAL_BOX
    return values


async def advance_to(world: SlackWorld, when: datetime) -> None:
    """Move the app's clock to `when`, then run the worker on whatever is due."""
    world.clock.advance((when - world.clock.now()).total_seconds())
    await world.deliver()


async def press_send(world: SlackWorld, preview: Message, announcement_id: int) -> None:
    await world.events.block_actions(
        "announcement_send",
        str(announcement_id),
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: "announcement_send" not in actions_of(preview), "the preview to settle")


async def test_a_time_picked_in_the_modal_schedules_the_broadcast_in_the_admins_zone(
    world: SlackWorld,
) -> None:
    in_zone(world, world.dana, "Europe/Berlin")  # the picker shows Dana's clock
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    umbrella = await world.partner("umbrella", tier="platinum", follows=("pricing",))
    view = await open_broadcast_modal(world, "Maintenance")
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["bc_send_at"]["element"]["type"] == "datetimepicker" and blocks["bc_send_at"]["optional"]
    local_box = blocks["bc_send_local"]["element"]
    assert [o["text"]["text"] for o in local_box["options"]] == ["Local time in each partner's time zone"]

    # 12:30 on Dana's clock in Berlin is 11:30 UTC; the app's clock says 09:00 UTC.
    submitted = await world.events.view_submission(view["id"], scheduled_values(utc(2026, 11, 24, 11, 30)))
    assert (submitted.status, submitted.body) == (200, "")
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert "Scheduled for* 2026-11-24 12:30 Europe/Berlin (2026-11-24 11:30 UTC)" in preview.text
    assert "nothing goes out before" in preview.text
    draft = await world.app.stores.announcements.get(1)
    assert draft is not None and draft.schedule is not None
    assert (draft.schedule.wall, draft.schedule.zone) == (datetime(2026, 11, 24, 12, 30), "Europe/Berlin")

    await press_send(world, preview, 1)
    assert "is scheduled for 2 channels" in preview.text
    await world.deliver()
    await advance_to(world, utc(2026, 11, 24, 11, 29))
    assert world.bot_posts(acme.channel) == [] and world.bot_posts(umbrella.channel) == []

    await advance_to(world, utc(2026, 11, 24, 11, 30))
    for seat in (acme, umbrella):
        [post] = world.bot_posts(seat.channel)
        assert post.blocks is not None and post.blocks[0]["text"]["text"] == "Maintenance window"


async def test_local_time_in_the_modal_follows_each_channels_clock(world: SlackWorld) -> None:
    in_zone(world, world.dana, "Europe/Berlin")
    acme = await world.partner("acme", tier="gold", follows=("pricing",))  # the vendor default: UTC
    umbrella = await world.partner("umbrella", tier="platinum", follows=("pricing",))
    answer = await world.command(
        "/partner", "settings timezone America/New_York", channel=umbrella.channel, user=umbrella.user
    )
    assert "America/New_York" in answer[0]["text"]

    view = await open_broadcast_modal(world, "Maintenance")
    # Dana picks 12:00 on her clock (11:00 UTC) and ticks "Local time": 12:00 on every channel's clock.
    values = scheduled_values(utc(2026, 11, 24, 11, 0), local=True)
    await world.events.view_submission(view["id"], values)
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert (
        "2026-11-24 12:00 on each channel's own clock "
        "(the first at 2026-11-24 12:00 UTC, the last at 2026-11-24 17:00 UTC)" in preview.text
    )
    draft = await world.app.stores.announcements.get(1)
    assert draft is not None and draft.schedule is not None
    assert (draft.schedule.wall, draft.schedule.local) == (datetime(2026, 11, 24, 12, 0), True)

    await press_send(world, preview, 1)
    await advance_to(world, utc(2026, 11, 24, 12, 0))
    assert len(world.bot_posts(acme.channel)) == 1 and world.bot_posts(umbrella.channel) == []
    await advance_to(world, utc(2026, 11, 24, 16, 59))
    assert world.bot_posts(umbrella.channel) == []
    await advance_to(world, utc(2026, 11, 24, 17, 0))
    assert len(world.bot_posts(umbrella.channel)) == 1 and len(world.bot_posts(acme.channel)) == 1


async def test_a_time_the_core_refuses_is_shown_next_to_the_picker(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    view = await open_broadcast_modal(world, "Maintenance")

    async def errors(values: JSON) -> dict[str, str]:
        answer = await world.events.view_submission(view["id"], values)
        assert answer.status == 200 and answer.json()["response_action"] == "errors", answer
        found: dict[str, str] = answer.json()["errors"]
        return found

    past = await errors(scheduled_values(utc(2026, 11, 24, 8, 0)))
    assert set(past) == {"bc_send_at"}
    assert past["bc_send_at"].startswith(
        "2026-11-24 08:00 UTC has already passed (it is now 2026-11-24 09:00 UTC)."
    )
    too_far = await errors(scheduled_values(utc(2028, 1, 10, 9, 0)))
    assert "more than a year ahead" in too_far["bc_send_at"]
    no_time = await errors(scheduled_values(None, local=True))
    assert no_time == {"bc_send_at": "Pick the date and time to send at, or untick “Local time” below."}
    # Dana's Slack profile has no time zone here: which wall-clock time she saw is unknown.
    no_zone = await errors(scheduled_values(utc(2026, 11, 24, 11, 0), local=True))
    assert "didn't tell partnerbot your time zone" in no_zone["bc_send_at"]
    assert await world.app.stores.announcements.recent() == []  # no draft from a refused time
    assert world.bot_posts(world.admin_channel) == []

    # Fixed in the same modal: without a profile time zone the instant itself is scheduled (UTC).
    fixed = await world.events.view_submission(view["id"], scheduled_values(utc(2026, 11, 24, 11, 30)))
    assert (fixed.status, fixed.body) == (200, "")
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert (
        "Scheduled for* 2026-11-24 11:30 UTC." in preview.text
        and "(2026-11-24 11:30 UTC)" not in preview.text
    )
