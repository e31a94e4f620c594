"""Translations from under a Discord preview: "Add translation" → a language picked privately → a modal
(language, title, text; prefilled when the language has a text, so it also edits) → the preview
redrawn with its reach by language; each partner then gets its language. And `/partner-admin
translate`'s `machine` option: the text form's `draft` and `accept`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import messages as m
from tests.e2e.discord_world import DiscordWorld, discord_world
from tests.e2e.test_discord_translations import _admin, _link
from tests.fakes.discord import Interaction, Message
from tests.fakes.discord_rest import walk_components


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("berlin", "tokyo", "acme")) as w:
        await w.add_topic("pricing", "Pricing")
        for name, language in (("berlin", "de"), ("tokyo", "ja"), ("acme", "en")):
            await _link(w, w.partners[name], language)
            await w.subscribe(w.partners[name], "pricing")
        yield w


def components(message: Message) -> dict[str, dict[str, Any]]:
    return {c["custom_id"]: c for c in walk_components(message.components) if "custom_id" in c}


def inputs(modal: dict[str, Any]) -> dict[str, Any]:
    return {c["custom_id"]: c for c in walk_components(modal["components"]) if c["type"] == 4}


async def preview(world: DiscordWorld) -> tuple[int, Message]:
    options = {"topics": "pricing", "title": "New prices", "body": "Lists are out."}
    interaction = world.fake.push_slash_command(
        "partner-admin broadcast", options, channel_id=world.admin_channel.id, user_id=world.admin.user.id
    )
    await world.answer(interaction)
    message = world.fake.messages[interaction.original_message_id or 0]
    draft = int(
        next(i for i in components(message) if i.startswith("pb:announcement_send:")).rsplit(":", 1)[1]
    )
    return draft, message


async def pick_language(world: DiscordWorld, preview: Message, draft: int, value: str) -> Interaction:
    """Press Add translation, pick `value` in the private select; the interaction the modal answers."""
    pressed = world.fake.push_component(
        preview.id, f"pb:announcement_translate:{draft}", user_id=world.admin.user.id
    )
    answer = await world.fake.interaction_response(pressed.id)
    assert answer["type"] == 4 and answer["data"]["flags"] & 64  # privately
    chooser = world.fake.messages[pressed.original_message_id or 0]
    select_id = f"pbt:{draft}:{preview.id}"
    assert select_id in components(chooser)
    picked = world.fake.push_component(chooser.id, select_id, user_id=world.admin.user.id, values=[value])
    modal = await world.fake.interaction_response(picked.id)
    assert modal["type"] == 9, modal
    return picked


async def test_add_german_and_japanese_from_the_preview_then_each_partner_reads_its_own(
    world: DiscordWorld,
) -> None:
    fake = world.fake
    draft, shown = await preview(world)
    assert "no German text yet" in shown.content and "no Japanese text yet" in shown.content
    assert f"pb:announcement_translate:{draft}" in components(shown)

    pressed = fake.push_component(shown.id, f"pb:announcement_translate:{draft}", user_id=world.admin.user.id)
    await fake.interaction_response(pressed.id)
    chooser = fake.messages[pressed.original_message_id or 0]
    options = [o["value"] for o in components(chooser)[f"pbt:{draft}:{shown.id}"]["options"]]
    assert options == ["de", "ja", "*"]  # the roster's languages, not the default; then any other

    picked = await pick_language(world, shown, draft, "de")
    modal = await fake.interaction_response(picked.id)
    assert (
        inputs(modal["data"])["language"]["value"] == "de" and "value" not in inputs(modal["data"])["title"]
    )
    saved = fake.push_modal_submit(picked.id, {"title": "Neue Preise", "body": "Listen sind da."})
    said = (await world.answer(saved))["data"]
    assert said["flags"] & 64 and "German text added to announcement" in said["content"]
    await fake.wait_for(lambda: "no German text yet" not in shown.content)

    # "Another language…": an empty language field; a tag that is none is refused, nothing saved.
    other = await pick_language(world, shown, draft, "*")
    assert "value" not in inputs((await fake.interaction_response(other.id))["data"])["language"]
    wrong = fake.push_modal_submit(other.id, {"language": "xx-!!", "title": "T", "body": "B"})
    refused = (await world.answer(wrong))["data"]
    assert "xx-!!" in refused["content"] and refused["flags"] & 64
    other = await pick_language(world, shown, draft, "*")
    saved = fake.push_modal_submit(
        other.id, {"language": "JA", "title": "新価格", "body": "リストが出ました。"}
    )
    await world.answer(saved)
    await fake.wait_for(lambda: "no Japanese text yet" not in shown.content)
    assert "German" in shown.content and "Japanese" in shown.content

    # The German text is there: picked again, the modal holds it, and saving it changes it.
    again = await pick_language(world, shown, draft, "de")
    prefilled = inputs((await fake.interaction_response(again.id))["data"])
    assert (prefilled["title"]["value"], prefilled["body"]["value"]) == ("Neue Preise", "Listen sind da.")
    changed = fake.push_modal_submit(again.id, {"title": "Neue Preislisten"})
    replaced = (await world.answer(changed))["data"]
    assert "replaced (version 2)" in replaced["content"]

    await world.send(draft)
    [german] = await world.wait_posts(world.partners["berlin"].channel)
    [japanese] = await world.wait_posts(world.partners["tokyo"].channel)
    [english] = await world.wait_posts(world.partners["acme"].channel)
    assert german.embeds[0]["title"] == "Neue Preislisten" and japanese.embeds[0]["title"] == "新価格"
    assert english.embeds[0]["title"] == "New prices"


async def test_machine_option_drafts_and_accepts_and_goes_alone(world: DiscordWorld) -> None:
    draft, _ = await preview(world)
    both = await _admin(world, "translate", announcement=draft, language="de", title="T", machine="draft")
    assert both == m.DISCORD_TRANSLATE_MACHINE_WITH_TEXT.format(action="draft")
    # The options reach the core's `draft` and `accept` (no translator configured in this world).
    drafted = await _admin(world, "translate", announcement=draft, language="de", machine="draft")
    assert drafted.startswith("No machine translator is set up, so I drafted nothing.")
    accepted = await _admin(world, "translate", announcement=draft, language="de", machine="accept")
    assert accepted == m.TRANSLATION_NO_DRAFT.format(id=draft, language="German", tag="de")
    missing = await _admin(world, "translate", announcement=draft, language="de", body="Text")
    assert m.TITLE_EMPTY in missing


async def test_after_send_a_new_translation_can_update_the_copies_that_got_the_default(
    world: DiscordWorld,
) -> None:
    fake = world.fake
    draft, shown = await preview(world)
    send = fake.push_component(shown.id, f"pb:announcement_send:{draft}", user_id=world.admin.user.id)
    (sending,) = await world.followups(send, 1)
    assert f"pb:announcement_translate:{draft}" in components(sending)  # beside Edit and Recall
    [japanese] = await world.wait_posts(world.partners["tokyo"].channel)
    await world.delivered(draft, 3)
    assert japanese.embeds[0]["title"] == "New prices"  # no Japanese text yet: the default

    # The modal of a sent announcement asks about the copies already delivered (default: keep them).
    picked = await pick_language(world, sending, draft, "ja")
    modal = (await fake.interaction_response(picked.id))["data"]
    selects = [c for c in walk_components(modal["components"]) if c.get("custom_id") == "update_sent"]
    assert [o["value"] for o in selects[0]["options"]] == ["no", "yes"]
    saved = fake.push_modal_submit(
        picked.id, {"title": "新価格", "body": "リストが出ました。", "update_sent": ["yes"]}
    )
    said = (await world.answer(saved))["data"]["content"]
    assert "1 copy already delivered in Japanese will be updated in place" in said
    await fake.wait_for(lambda: japanese.embeds[0]["title"] == "新価格")
    [german] = world.bot_posts(world.partners["berlin"].channel)
    assert german.embeds[0]["title"] == "New prices"  # other languages untouched
