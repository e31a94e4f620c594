"""Translations in Slack's Broadcast and Edit modals: "Add language" updates the open view (views.update
with its hash), the variants are saved with the draft, the preview counts the fallback, each partner
gets its language's text; the Edit modal edits a variant, and its box sends it to copies already out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_broadcast import open_broadcast_modal, selected, typed
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import JSON

ADD = "partnerbot_add_language"


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing")
        yield w


def ids(view: JSON) -> list[str]:
    return [str(b.get("block_id", "")) for b in view["blocks"]]


def block(view: JSON, block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def note(view: JSON) -> str:
    return str(block(view, "vr_note")["elements"][0]["text"]) if "vr_note" in ids(view) else ""


def picked(value: str) -> JSON:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def adders(view: JSON) -> tuple[str, str]:
    """The current block ids of the language select and the tag input (renumbered after each add)."""
    found = [i for i in ids(view) if i.startswith(("vr_add_pick:", "vr_add_tag:"))]
    pick = next((i for i in found if i.startswith("vr_add_pick:")), "")
    return pick, next(i for i in found if i.startswith("vr_add_tag:"))


async def add_language(world: SlackWorld, view: JSON, state: JSON) -> JSON:
    """Press "Add language" with `state` in the modal; the view as updated."""
    before = world.fake.views[view["id"]].data["hash"]
    pressed = await world.events.block_actions(
        ADD, "add", user_id=world.dana.id, view_id=view["id"], state=state
    )
    assert pressed.status == 200 and pressed.elapsed < 3.0
    await world.wait_for(lambda: world.fake.views[view["id"]].data["hash"] != before, "the modal's update")
    return world.fake.views[view["id"]].data


async def test_broadcast_modal_variants_reach_each_language(world: SlackWorld) -> None:
    berlin = await world.partner("berlin", tier="gold", follows=("pricing",), language="de")
    tokyo = await world.partner("tokyo", tier="gold", follows=("pricing",), language="ja")
    paris = await world.partner("paris", tier="gold", follows=("pricing",), language="fr")
    london = await world.partner("london", tier="gold", follows=("pricing",), language="en")

    view = await open_broadcast_modal(world, "Old price lists are gone.")
    assert "vr_heading" in ids(view) and block(view, "vr_add")["elements"][0]["action_id"] == ADD
    pick, tag = adders(view)
    offered = [o["value"] for o in block(view, pick)["element"]["options"]]
    assert offered == ["de", "fr", "ja"]  # the roster's languages, not the default's (en)

    # Nothing chosen, a tag that is none, the default text's own language: a note, no inputs.
    view = await add_language(world, view, {})
    assert "Pick a language" in note(view) and not [i for i in ids(view) if i.startswith("vr_title:")]
    view = await add_language(world, view, {tag: typed("klingon!!")})
    assert "klingon!!" in note(view)
    view = await add_language(world, view, {tag: typed("en")})
    assert "default" in note(view).lower()

    view = await add_language(world, view, {pick: picked("de")})
    assert note(view) == "" and block(view, "vr_title:de")["label"]["text"] == "Title in German (de)"
    pick, tag = adders(view)
    view = await add_language(
        world, view, {pick: picked("fr"), tag: typed("JA")}
    )  # typed wins, stored standardised
    assert [i for i in ids(view) if i.startswith("vr_title:")] == ["vr_title:de", "vr_title:ja"]
    pick, tag = adders(view)
    view = await add_language(world, view, {pick: picked("de")})
    assert "German (de) is in the form already" in note(view)

    base = {"bc_title": typed("Q3 prices"), "bc_body": typed("New lists."), "bc_topics": selected("pricing")}
    # A title without its text, and the limits, are field errors; nothing is created.
    wrong = await world.events.view_submission(
        view["id"], {**base, "vr_title:de": typed("Neue Preise"), "vr_body:ja": typed("x" * 3001)}
    )
    assert wrong.json()["response_action"] == "errors"
    assert set(wrong.json()["errors"]) == {"vr_body:de", "vr_title:ja", "vr_body:ja"}
    assert world.bot_posts(world.admin_channel) == []

    values = {
        **base,
        "vr_title:de": typed("Neue Preise"),
        "vr_body:de": typed("Neue Listen."),
        "vr_title:ja": typed("新価格"),
        "vr_body:ja": typed("新しいリスト。"),
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert "1 partner reads French; no French text yet, so they get the default (English)." in preview.text
    assert "German" in preview.text and "no German text" not in preview.text
    assert "no Japanese text" not in preview.text  # ja reads ja's text? no: ja is more specific

    await world.events.block_actions(
        "announcement_send",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the preview to settle")
    await world.deliver()
    assert "Neue Preise" in world.bot_posts(berlin.channel)[0].text
    assert "Q3 prices" in world.bot_posts(paris.channel)[0].text
    assert "Q3 prices" in world.bot_posts(london.channel)[0].text
    assert "新価格" in world.bot_posts(tokyo.channel)[0].text


async def test_edit_modal_edits_a_variant_and_updates_copies_sent(world: SlackWorld) -> None:
    berlin = await world.partner("berlin", tier="gold", follows=("pricing",), language="de")
    vienna = await world.partner("vienna", tier="gold", follows=("pricing",), language="de-at")
    await world.admin('broadcast topic:pricing title:"Q3 prices" Old lists.')
    await world.admin('translate 1 de title:"Neue Preise" Alte Listen.')
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    await world.admin("send 1")
    await world.deliver()
    assert "Neue Preise" in world.bot_posts(berlin.channel)[0].text

    before = set(world.fake.views)
    await world.events.block_actions(
        "announcement_edit",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    view_id = await world.wait_for(lambda: next(iter(set(world.fake.views) - before), None), "the modal")
    view = world.fake.views[view_id].data
    assert block(view, "vr_title:de")["element"]["initial_value"] == "Neue Preise"
    assert "ed_update_sent" in ids(view)

    # Emptying a translation does not remove it silently: the form says so.
    base = {"ed_title": typed("Q3 prices"), "ed_body": typed("Old lists.")}
    emptied = await world.events.view_submission(view["id"], {**base, "vr_title:de": typed("")})
    assert "isn't possible here" in emptied.json()["errors"]["vr_title:de"]

    _, tag = adders(view)
    view = await add_language(world, view, {tag: typed("de-AT")})
    count = len(world.ephemerals(world.dana))
    values = {
        **base,
        "vr_title:de": typed("Neue Preise (korrigiert)"),
        "vr_body:de": typed("Neue Listen."),
        "vr_title:de-at": typed("Neue Preise für Österreich"),
        "vr_body:de-at": typed("Listen in Euro."),
        "ed_update_sent": {"value": {"type": "checkboxes", "selected_options": [{"value": "update_sent"}]}},
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")
    answer = await world.wait_for(lambda: world.ephemerals(world.dana)[count:], "the answer")
    assert "German text of announcement #1 replaced (version 2)" in answer[0].text
    assert "German (Austria) text added to announcement #1" in answer[0].text
    assert "1 copy already delivered in German (Austria) will be updated in place" in answer[0].text
    await world.deliver()
    assert "korrigiert" in world.bot_posts(berlin.channel)[0].text
    assert "Österreich" in world.bot_posts(vienna.channel)[0].text
    listed = (await world.admin("translations 1"))[0]["text"]
    assert "korrigiert" in listed and "Österreich" in listed


async def test_a_drafts_translation_changed_in_the_edit_modal_redraws_its_preview(world: SlackWorld) -> None:
    await world.partner("berlin", tier="gold", follows=("pricing",), language="de")
    await world.admin('broadcast topic:pricing title:"Q3 prices" Old lists.')
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert "no German text yet" in preview.text
    before = set(world.fake.views)
    await world.events.block_actions(
        "announcement_edit",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    view_id = await world.wait_for(lambda: next(iter(set(world.fake.views) - before), None), "the modal")
    view = world.fake.views[view_id].data
    assert "ed_update_sent" not in ids(view)  # a draft: nothing delivered to update
    pick, _ = adders(view)
    view = await add_language(world, view, {pick: picked("de")})
    values = {
        "ed_title": typed("Q3 prices"),
        "ed_body": typed("Old lists."),
        "vr_title:de": typed("Neue Preise"),
        "vr_body:de": typed("Alte Listen."),
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert (submitted.status, submitted.body) == (200, "")
    # Only the translation changed: the preview is redrawn in place, the German partner now counted.
    await world.wait_for(lambda: "no German text yet" not in preview.text, "the preview redrawn")
    assert (
        "German text added to announcement #1" in preview.text
        and "Preview of announcement #1" in preview.text
    )
    assert "Neue Preise" in (await world.admin("translations 1"))[0]["text"]
