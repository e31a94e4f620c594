"""The Translations section of Slack's modals, as pure functions: adding a language to a view, the
notes when none is added, and what a submission reads."""

from __future__ import annotations

from typing import Any

from adapters.slack import variant_fields as vf
from bot.domain.variants import Variant


def typed(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def view(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "id": "V1",
        "hash": "h",
        "state": {"values": {}},
        "callback_id": "x",
        "blocks": blocks,
    }


def test_a_language_goes_before_the_add_fields_which_get_new_ids() -> None:
    section = vf.translation_blocks(
        default_language="en", offered=["en", "de"], variants=[Variant("fr", "T", "B")]
    )
    assert vf.languages_of(section) == ["fr"] and vf.stored_languages(section) == ["fr"]
    updated = vf.added(view(section), "de")
    assert set(updated) == {"type", "callback_id", "blocks"}  # nothing views.update would refuse
    ids = [b.get("block_id") for b in updated["blocks"]]
    assert ids.index("vr_title:de") < ids.index("vr_add_pick:1") < ids.index("vr_add_tag:1")
    assert vf.languages_of(updated["blocks"]) == ["fr", "de"] and vf.stored_languages(updated["blocks"]) == [
        "fr"
    ]


def test_notes_say_why_no_language_was_added_and_go_away_after_one_is() -> None:
    section = vf.translation_blocks(default_language="en", offered=[], variants=[Variant("de", "T", "B")])
    assert "Pick a language" in str(vf.added(view(section), "")["blocks"])
    there = vf.added(view(section), "de")
    assert "German (de) is in the form already" in str(there["blocks"])
    assert "vr_note" not in str(vf.added(view(there["blocks"]), "ja")["blocks"])
    full = vf.added(view(section + [{"type": "divider"}] * (100 - len(section) - 2)), "ja")
    assert "Slack allows 100 blocks" in str(full["blocks"]) and "vr_title:ja" not in str(full["blocks"])
    assert "unknown tag" in str(vf.added(view(section), "", "unknown tag")["blocks"])


def test_the_tag_typed_wins_over_the_language_picked() -> None:
    blocks = vf.translation_blocks(default_language="en", offered=["de"])
    pick = {"value": {"type": "static_select", "selected_option": {"value": "de"}}}
    assert vf.language_asked({"vr_add_pick:0": pick}, blocks) == "de"
    assert vf.language_asked({"vr_add_pick:0": pick, "vr_add_tag:0": typed(" pt-BR ")}, blocks) == "pt-BR"
    assert vf.language_asked({}, blocks) == ""


def test_a_submission_reads_each_language_and_says_what_is_missing() -> None:
    errors: dict[str, str] = {}
    values = {
        "vr_title:de": typed(" Titel "),
        "vr_body:de": typed("Text"),
        "vr_title:fr": typed("Titre"),
        "vr_title:ja": typed(""),
        "vr_title:es": typed(""),
    }
    found = vf.read_variants(values, ["de", "fr", "ja", "es"], ["es"], errors)
    assert found[0] == Variant("de", "Titel", "Text")
    assert errors == {
        "vr_body:fr": "A translation needs a title and a text: fill in both.",
        "vr_title:es": "Removing a translation isn't possible here: put its text back, or cancel this edit.",
    }  # ja: added and left empty, nothing to keep
