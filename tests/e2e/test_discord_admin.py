"""Admins on Discord: the "Broadcast to partners" menu → modal → preview → Send, /partner-admin, and
delivery to exactly the matching channels; non-admins and other channels are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import messages as m
from bot.when import parse_at
from storage.tables import DeliveryRow
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually
from tests.fakes.discord import Interaction, Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme", "globex", "initech")) as w:
        await w.add_topic("security", "Security advisories")
        await w.add_topic("pricing", "Price lists")
        await w.link(w.partners["acme"], tier="gold")
        await w.link(w.partners["globex"], tier="silver")
        await w.link(w.partners["initech"], tier="gold", region="apac")
        await w.subscribe(w.partners["acme"], "security")
        await w.subscribe(w.partners["globex"], "security")
        await w.subscribe(w.partners["initech"], "pricing")
        yield w


def inputs(modal: dict[str, Any]) -> dict[str, str]:
    return {
        c["custom_id"]: c.get("value") or "" for c in walk_components(modal["components"]) if c["type"] == 4
    }


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for c in walk_components(message.components) if "custom_id" in c]


async def test_context_menu_modal_preview_select_and_send(world: DiscordWorld) -> None:
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id,
        "Critical gateway patch\nPatch every gateway before Friday; details in the portal.",
        author_id=admin.user.id,
    )
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    modal = await fake.interaction_response(menu.id)
    assert modal["type"] == 9
    assert inputs(modal["data"]) == {
        "title": "Critical gateway patch",
        "body": "Patch every gateway before Friday; details in the portal.",
        "topics": "",
        "audience": "",
        "send_at": "",
    }

    submit = fake.push_modal_submit(menu.id, {"topics": "security"})
    preview = (await fake.interaction_response(submit.id))["data"]
    assert not preview.get("flags", 0) & EPHEMERAL  # the team sees the draft in the admin channel
    (embed,) = preview["embeds"]
    assert embed["title"] == "Critical gateway patch"
    assert embed["description"] == "Patch every gateway before Friday; details in the portal."
    assert (
        "2 channels of 2 partners" in preview["content"] and "by tier: gold 1, silver 1" in preview["content"]
    )
    message = fake.messages[submit.original_message_id or 0]
    first = int(custom_ids(message)[0].rsplit(":", 1)[1])
    assert custom_ids(message) == [
        f"pb:announcement_send:{first}",
        f"pb:announcement_edit:{first}",
        f"pb:announcement_cancel:{first}",
        f"pb:announcement_test:{first}",
        f"pb:announcement_translate:{first}",
        f"pbx:topics:{first}",
        f"pbx:audience:{first}",
    ]

    # Narrow the audience with the select: a new draft replaces the old one, in place.
    narrowed = fake.push_component(
        message.id, f"pbx:audience:{first}", user_id=admin.user.id, values=["tier:gold"]
    )
    assert (await fake.interaction_response(narrowed.id))["type"] == 6
    await fake.wait_for(lambda: f"pb:announcement_send:{first + 1}" in custom_ids(message))
    assert "1 channel of 1 partner" in message.content and f"Replaces draft #{first}" in message.content
    old = await world.app.stores.announcements.get(first)
    assert old is not None and old.status.value == "cancelled"

    send = fake.push_component(message.id, f"pb:announcement_send:{first + 1}", user_id=admin.user.id)
    assert (await fake.interaction_response(send.id))["type"] == 6
    (sending,) = await world.followups(send, 1)
    assert "Sending announcement" in sending.content and not sending.ephemeral
    await fake.wait_for(lambda: message.components == [])  # no second Send from the same preview

    (delivered,) = await world.wait_posts(world.partners["acme"].channel)
    assert delivered.embeds[0]["title"] == "Critical gateway patch"
    assert world.bot_posts(world.partners["globex"].channel) == []  # silver: not in the audience
    assert world.bot_posts(world.partners["initech"].channel) == []  # gold, but not subscribed


async def test_delivery_reaches_exactly_the_matching_channels(world: DiscordWorld) -> None:
    body = "Hi <@&123> and @everyone: please patch.\n\n" + "Details. " * 40
    gold = await world.broadcast("security", "Gold patch", body, tier="gold", urgent=True)
    await world.send(gold)
    everyone = await world.broadcast("security,pricing", "For everyone", "Read me.")
    await world.send(everyone)

    acme, globex, initech = (world.partners[name].channel for name in ("acme", "globex", "initech"))
    posts = await world.wait_posts(acme, 2)
    await world.wait_posts(globex, 1)
    await world.wait_posts(initech, 1)
    delivered = {
        channel.name + str(i): post
        for channel in (acme, globex, initech)
        for i, post in enumerate(world.bot_posts(channel))
    }
    await eventually(lambda: _all_sent(world, (gold, everyone)))
    assert [p.embeds[0]["title"] for p in posts] == [f"{m.URGENT_MARK}Gold patch", "For everyone"]
    assert len(world.bot_posts(globex)) == 1 and len(world.bot_posts(initech)) == 1

    urgent = posts[0]
    (embed,) = urgent.embeds
    assert embed["description"] == body.strip()
    assert embed["color"] == 0xED4245
    assert embed["footer"]["text"] == f"security · urgent · announcement #{gold}"
    assert [(c["label"], c["custom_id"]) for c in walk_components(urgent.components) if c["type"] == 2] == [
        ("Ask a question", "partnerbot:ask"),
        ("Helpful", "partnerbot:helpful"),
        ("Mute this topic", "partnerbot:mute"),
    ]
    for post in delivered.values():
        assert isinstance(post.nonce, str) and post.nonce.startswith("pb-d") and len(post.nonce) <= 25
        assert post.allowed_mentions is not None and post.allowed_mentions.get("parse") == []
        assert post.mentions == [] and post.mention_roles == [] and not post.mention_everyone
    assert len({post.nonce for post in delivered.values()}) == len(delivered)


async def _all_sent(world: DiscordWorld, ids: tuple[int, ...]) -> bool:
    for announcement_id in ids:
        stats = await world.app.stores.stats.announcement(announcement_id)
        if stats is None or stats.pending or stats.failed:
            return False
    return True


async def test_non_admins_and_other_channels_are_refused(world: DiscordWorld) -> None:
    fake = world.fake
    refused = await world.slash(
        "partner-admin broadcast",
        {"topics": "security", "title": "Sneaky", "body": "Not from the vendor team."},
        channel=world.admin_channel,
        user=world.staff,
    )
    assert refused["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS and refused["data"]["flags"] & EPHEMERAL
    assert await world.app.stores.announcements.recent() == []

    elsewhere = await world.slash("partner-admin questions", channel=world.lounge, user=world.admin)
    assert elsewhere["data"]["content"] == m.ADMIN_ONLY_IN_ADMIN_CHANNEL

    source = fake.push_message(world.admin_channel.id, "Leak this", author_id=world.staff.user.id)
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=world.staff.user.id)
    answer = await fake.interaction_response(menu.id)
    assert answer["type"] == 4 and answer["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS  # no modal

    # An admin by role (PARTNERBOT_ADMIN_GROUPS) is an admin; a bad slug is explained to admins only.
    assert (
        "No open partner questions"
        in (await world.slash("partner-admin questions", channel=world.admin_channel, user=world.role_admin))[
            "data"
        ]["content"]
    )
    bad = {"slug": "Bad Slug", "title": "Nope"}
    mine = await world.slash("partner-admin topic add", bad, channel=world.admin_channel, user=world.admin)
    assert "isn't a valid topic name" in mine["data"]["content"]
    theirs = await world.slash("partner-admin topic add", bad, channel=world.admin_channel, user=world.staff)
    assert theirs["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS

    # A non-admin pressing Send on a preview is refused, and the preview keeps its buttons.
    draft = await world.broadcast("security", "Draft", "Body.")
    (preview,) = [
        msg
        for msg in fake.channel_messages(world.admin_channel.id)
        if f"pb:announcement_send:{draft}" in custom_ids(msg)
    ]
    press = fake.push_component(preview.id, f"pb:announcement_send:{draft}", user_id=world.staff.user.id)
    (refusal,) = await world.followups(press, 1)
    assert refusal.content == m.ADMIN_ONLY_FOR_ADMINS and refusal.ephemeral
    assert f"pb:announcement_send:{draft}" in custom_ids(preview)

    # /partner-admin and the menu exist only in the vendor's server.
    assert set(fake.commands) == {None, world.vendor.id}
    assert {c["name"] for c in fake.commands[world.vendor.id]} == {"partner-admin", "Broadcast to partners"}
    with pytest.raises(LookupError):
        acme = world.partners["acme"]
        fake.push_slash_command(
            "partner-admin questions", channel_id=acme.channel.id, user_id=acme.manager.user.id
        )


# --- scheduling from the modal ("Send at") --------------------------------------------------------
# The Discord world runs on the real clock: nothing waits for a scheduled time. The tests read the
# delivery rows' `not_before` and check that the worker, run now, posts nothing.


def days_ahead(days: int, tz: str) -> datetime:
    """09:00 on the wall clock of `tz`, `days` from today there (naive)."""
    today = datetime.now(ZoneInfo(tz)).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, 9, 0)


async def delivery_rows(world: DiscordWorld, announcement_id: int) -> list[DeliveryRow]:
    async with AsyncSession(world.app.engine) as session:
        query = select(DeliveryRow).where(col(DeliveryRow.announcement_id) == announcement_id)
        return list(await session.exec(query))


def aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


async def submit_broadcast(world: DiscordWorld, send_at: str) -> Interaction:
    """The context menu on a message in the admin channel, then its modal with `send_at` typed."""
    fake, admin = world.fake, world.admin
    text = "Maintenance\nThe portal is down for an hour."
    source = fake.push_message(world.admin_channel.id, text, author_id=admin.user.id)
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    modal = await fake.interaction_response(menu.id)
    assert modal["type"] == 9 and "send_at" in inputs(modal["data"])
    return fake.push_modal_submit(menu.id, {"topics": "security", "send_at": send_at})


async def send_preview(world: DiscordWorld, message: Message) -> tuple[int, Message]:
    """Press Send under a preview; the draft id and the answer."""
    draft = int(custom_ids(message)[0].rsplit(":", 1)[1])
    press = world.fake.push_component(
        message.id, f"pb:announcement_send:{draft}", user_id=world.admin.user.id
    )
    (answer,) = await world.followups(press, 1)
    return draft, answer


async def nothing_posted_now(world: DiscordWorld) -> None:
    await world.app.worker.drain()  # whatever is due now goes out; a scheduled delivery is not due
    for space in world.partners.values():
        assert world.bot_posts(space.channel) == []


async def test_send_at_in_the_modal_schedules_the_broadcast(world: DiscordWorld) -> None:
    wall = days_ahead(2, "Europe/Berlin")
    instant = wall.replace(tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    submit = await submit_broadcast(world, f"{wall:%Y-%m-%d %H:%M} europe/berlin")
    preview = (await world.fake.interaction_response(submit.id))["data"]
    assert not preview.get("flags", 0) & EPHEMERAL
    when = f"{wall:%Y-%m-%d %H:%M} Europe/Berlin ({instant:%Y-%m-%d %H:%M} UTC)"
    assert f"🕘 **Scheduled for** {when}." in preview["content"]

    # Narrowing the audience redrafts the announcement: the new draft keeps the time.
    message = world.fake.messages[submit.original_message_id or 0]
    first = int(custom_ids(message)[0].rsplit(":", 1)[1])
    narrowed = world.fake.push_component(
        message.id, f"pbx:audience:{first}", user_id=world.admin.user.id, values=["tier:gold"]
    )
    await world.fake.interaction_response(narrowed.id)
    await world.fake.wait_for(lambda: f"pb:announcement_send:{first + 1}" in custom_ids(message))
    assert f"Scheduled for** {when}" in message.content and "1 channel of 1 partner" in message.content

    draft, answer = await send_preview(world, message)
    assert f"is scheduled for 1 channel: {when}" in answer.content and not answer.ephemeral
    (row,) = await delivery_rows(world, draft)
    assert (row.status, aware(row.not_before)) == ("pending", instant)
    await nothing_posted_now(world)


async def test_send_at_local_follows_each_channels_clock(world: DiscordWorld) -> None:
    acme, globex = world.partners["acme"], world.partners["globex"]
    changed = await world.slash(
        "partner settings", {"timezone": "America/New_York"}, channel=acme.channel, user=acme.manager
    )
    assert "America/New_York" in changed["data"]["content"]
    wall = days_ahead(3, "Pacific/Kiritimati")  # ahead of every zone: 09:00 is still to come everywhere
    submit = await submit_broadcast(world, f"{wall:%Y-%m-%d %H:%M} local")
    preview = (await world.fake.interaction_response(submit.id))["data"]
    assert f"{wall:%Y-%m-%d %H:%M} on each channel's own clock" in preview["content"]

    draft, _ = await send_preview(world, world.fake.messages[submit.original_message_id or 0])
    acme_row = await world.channel_row(acme.channel, acme.guild)
    globex_row = await world.channel_row(globex.channel, globex.guild)
    assert acme_row is not None and globex_row is not None
    due = {row.channel_id: aware(row.not_before) for row in await delivery_rows(world, draft)}
    assert due == {
        acme_row.id: wall.replace(tzinfo=ZoneInfo("America/New_York")).astimezone(UTC),
        globex_row.id: wall.replace(tzinfo=UTC),  # the vendor default time zone
    }
    await nothing_posted_now(world)


async def test_a_bad_send_at_is_explained_privately_and_drafts_nothing(world: DiscordWorld) -> None:
    # Read by the core's own reader (bot/when.py): the words are exactly those of `at:"…"`.
    for typed_at in ("01/12/2026 09:00", "2026-12-01 09:00 Mars/Olympus", "2026-02-30 09:00"):
        answer = (await world.answer(await submit_broadcast(world, typed_at)))["data"]
        assert answer["flags"] & EPHEMERAL and answer["content"] == parse_at(typed_at), answer
    # Checked by the core against its clock: in the past, or more than a year ahead.
    for typed_at, expected in (
        ("2020-01-06 09:00", "2020-01-06 09:00 UTC has already passed"),
        (f"{days_ahead(400, 'UTC'):%Y-%m-%d %H:%M}", "is more than a year ahead"),
    ):
        answer = (await world.answer(await submit_broadcast(world, typed_at)))["data"]
        assert answer["flags"] & EPHEMERAL and expected in answer["content"], answer

    # The slash command's `at` option reads the same way.
    refused = await world.slash(
        "partner-admin broadcast",
        {"topics": "security", "title": "T", "body": "B", "at": "tomorrow 9am"},
        channel=world.admin_channel,
        user=world.admin,
    )
    assert refused["data"]["flags"] & EPHEMERAL
    assert 'I couldn\'t read the time "tomorrow 9am"' in refused["data"]["content"]
    assert await world.app.stores.announcements.recent() == []


async def test_a_non_admin_picking_under_a_preview_is_refused(world: DiscordWorld) -> None:
    """The select under a preview asks the core for the draft (`PartnerBot.draft`), not a store: a
    non-admin gets the core's refusal and the draft is neither replaced nor cancelled."""
    fake = world.fake
    draft = await world.broadcast("security", "Draft", "Body.")
    (preview,) = [
        msg
        for msg in fake.channel_messages(world.admin_channel.id)
        if f"pbx:audience:{draft}" in custom_ids(msg)
    ]
    pick = fake.push_component(
        preview.id, f"pbx:audience:{draft}", user_id=world.staff.user.id, values=["tier:gold"]
    )
    (refusal,) = await world.followups(pick, 1)
    assert refusal.content == m.ADMIN_ONLY_FOR_ADMINS and refusal.ephemeral
    kept = await world.app.stores.announcements.get(draft)
    assert kept is not None and kept.status.value == "draft"
    assert f"pb:announcement_send:{draft}" in custom_ids(preview)
    assert await world.app.stores.announcements.get(draft + 1) is None
