"""The "Translations" section of the Broadcast and Edit modals: a title and a text per language, and
the fields that add a language (pure: blocks in, blocks out; adapters/slack/views.py builds the rest).

A language is added with a `block_actions` press of "Add language": the handler checks the tag with
the core, then `views.update`s the view (with its `hash`) with two more inputs. Slack keeps what was
typed in inputs whose `block_id` and `action_id` stay the same:
https://docs.slack.dev/surfaces/modals#preserving_input
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from adapters.slack.payloads import InputState
from adapters.slack.translate import JSON
from bot import messages as m
from bot.commands import MAX_BODY, MAX_TITLE
from bot.domain.variants import Variant
from bot.grammar import MAX_LANGUAGE
from bot.i18n import language_name

VALUE: Final = "value"  # the action_id of every input element, as in views.py
TITLE_PREFIX, BODY_PREFIX = "vr_title:", "vr_body:"  # + the language tag, as stored
HEADING_BLOCK: Final = "vr_heading"
NOTE_BLOCK: Final = "vr_note"  # why the last "Add language" did nothing
# + ":<n>", counting the languages added: new block ids, so Slack empties them after each one
PICK_BLOCK, TAG_BLOCK = "vr_add_pick", "vr_add_tag"
ADD_BLOCK: Final = "vr_add"
ADD_LANGUAGE_ACTION: Final = "partnerbot_add_language"
UPDATE_SENT_BLOCK: Final = "ed_update_sent"
UPDATE_SENT: Final = "update_sent"
MAX_BLOCKS: Final = 100  # https://docs.slack.dev/reference/views/modal-views: blocks per modal
MAX_OPTIONS: Final = 100
# The keys views.update takes from a view (the rest Slack adds, and refuses back).
_VIEW_KEYS: Final = ("type", "callback_id", "title", "submit", "close", "private_metadata", "blocks")


def _plain(text: str) -> JSON:
    return {"type": "plain_text", "text": str(text), "emoji": True}


def _input(block_id: str, label: str, element: JSON, *, hint: str = "") -> JSON:
    block: JSON = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label[:2000]),
        "element": {"action_id": VALUE, **element},
        "optional": True,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def language_blocks(language: str, variant: Variant | None = None) -> list[JSON]:
    """A language's title and text inputs, prefilled with its variant when there is one."""
    names = {"language": language_name(language), "tag": language}
    title: JSON = {"type": "plain_text_input", "max_length": MAX_TITLE}
    body: JSON = {"type": "plain_text_input", "multiline": True, "max_length": MAX_BODY}
    if variant is not None:
        title["initial_value"] = variant.title[:MAX_TITLE]
        body["initial_value"] = variant.body[:MAX_BODY]
    hint = m.SLACK_VARIANT_MACHINE_HINT if variant is not None and variant.machine else ""
    return [
        _input(TITLE_PREFIX + language, m.SLACK_VARIANT_TITLE_LABEL.format(**names), title, hint=hint),
        _input(BODY_PREFIX + language, m.SLACK_VARIANT_BODY_LABEL.format(**names), body),
    ]


def translation_blocks(
    *, default_language: str, offered: Sequence[str], variants: Sequence[Variant] = ()
) -> list[JSON]:
    """The section: its heading, each variant's inputs, then the fields that add a language
    (`offered`: the roster's languages, the default's left out)."""
    hint = m.SLACK_TRANSLATIONS_HINT.format(default=language_name(default_language))
    blocks: list[JSON] = [
        {"type": "divider", "block_id": "vr_divider"},
        {
            "type": "section",
            "block_id": HEADING_BLOCK,
            "text": {"type": "mrkdwn", "text": m.SLACK_TRANSLATIONS_HEADING.replace("**", "*")},
        },
        {"type": "context", "block_id": "vr_hint", "elements": [{"type": "mrkdwn", "text": hint}]},
    ]
    for variant in variants:
        blocks += language_blocks(variant.language, variant)
    choices = [tag for tag in dict.fromkeys(offered) if tag != default_language][:MAX_OPTIONS]
    if choices:
        options = [{"text": _plain(f"{language_name(tag)} ({tag})"[:75]), "value": tag} for tag in choices]
        select = {"type": "static_select", "placeholder": _plain(m.SLACK_ADD_LANGUAGE_PLACEHOLDER)}
        blocks.append(_input(f"{PICK_BLOCK}:0", m.SLACK_ADD_LANGUAGE_FIELD, {**select, "options": options}))
    tag = {
        "type": "plain_text_input",
        "max_length": MAX_LANGUAGE,
        "placeholder": _plain(m.SLACK_ADD_TAG_PLACEHOLDER),
    }
    label = m.SLACK_ADD_TAG_FIELD if choices else m.SLACK_ADD_LANGUAGE_FIELD
    blocks.append(_input(f"{TAG_BLOCK}:0", label, tag))
    button = {
        "type": "button",
        "action_id": ADD_LANGUAGE_ACTION,
        "text": _plain(m.SLACK_ADD_LANGUAGE_BUTTON),
        "value": "add",
    }
    blocks.append({"type": "actions", "block_id": ADD_BLOCK, "elements": [button]})
    return blocks


def update_sent_block() -> JSON:
    """The Edit modal of an announcement already out: `translate … update-sent` for every change."""
    box = {
        "type": "checkboxes",
        "options": [{"text": _plain(m.SLACK_UPDATE_SENT_OPTION), "value": UPDATE_SENT}],
    }
    return _input(UPDATE_SENT_BLOCK, m.SLACK_UPDATE_SENT_FIELD, box)


def languages_of(blocks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The languages the view has inputs for, in order."""
    ids = (str(block.get("block_id") or "") for block in blocks)
    return [block_id.removeprefix(TITLE_PREFIX) for block_id in ids if block_id.startswith(TITLE_PREFIX)]


def _state(values: Mapping[str, Any], block_id: str) -> InputState:
    block = values.get(block_id)
    return InputState.read((block.get(VALUE) if isinstance(block, Mapping) else None) or {})


def _adder(block: Mapping[str, Any]) -> bool:
    return str(block.get("block_id") or "").startswith((PICK_BLOCK + ":", TAG_BLOCK + ":"))


def language_asked(values: Mapping[str, Any], blocks: Iterable[Mapping[str, Any]]) -> str:
    """The language "Add language" was pressed for: the tag typed, else the one picked ("": none)."""
    typed = picked = ""
    for block in filter(_adder, blocks):
        state = _state(values, str(block["block_id"]))
        typed = typed or (state.value or "").strip()
        picked = picked or (state.selected_option.value or "" if state.selected_option else "")
    return typed or picked


def _renumbered(block: Mapping[str, Any]) -> JSON:
    prefix, _, count = str(block["block_id"]).partition(":")
    return {**block, "block_id": f"{prefix}:{int(count) + 1 if count.isdigit() else 1}"}


def with_language(view: Mapping[str, Any], language: str) -> JSON:
    """The view for views.update: `language`'s inputs added before the fields that add one, these
    under new block ids (so Slack empties them; what they held has been read)."""
    blocks = [b for b in view.get("blocks") or [] if b.get("block_id") != NOTE_BLOCK]
    at = next((i for i, b in enumerate(blocks) if _adder(b)), len(blocks))
    rest = [_renumbered(b) if _adder(b) else b for b in blocks[at:]]
    return _update(view, [*blocks[:at], *language_blocks(language), *rest])


def with_note(view: Mapping[str, Any], note: str) -> JSON:
    """The view for views.update with `note` (why no language was added) above the add fields."""
    blocks = [b for b in view.get("blocks") or [] if b.get("block_id") != NOTE_BLOCK]
    at = next((i for i, b in enumerate(blocks) if _adder(b)), len(blocks))
    text = {"type": "mrkdwn", "text": f"⚠️ {note}"[:3000]}
    return _update(
        view, [*blocks[:at], {"type": "context", "block_id": NOTE_BLOCK, "elements": [text]}, *blocks[at:]]
    )


def added(view: Mapping[str, Any], language: str, refused: str = "") -> JSON:
    """The view after "Add language": with `language`'s inputs, or with a note saying why not (the
    core's `refused` words, no language asked, there already, no room left)."""
    if refused:
        return with_note(view, refused)
    if not language:
        return with_note(view, m.SLACK_ADD_LANGUAGE_NONE)
    if language in languages_of(view.get("blocks") or []):
        there = m.SLACK_ADD_LANGUAGE_THERE.format(language=language_name(language), tag=language)
        return with_note(view, there)
    if not has_room(view):
        return with_note(view, m.SLACK_ADD_LANGUAGE_FULL)
    return with_language(view, language)


def has_room(view: Mapping[str, Any]) -> bool:
    """Whether two more inputs (and a note) fit in the modal."""
    return len(view.get("blocks") or []) + 3 <= MAX_BLOCKS


def _update(view: Mapping[str, Any], blocks: list[JSON]) -> JSON:
    return {**{key: view[key] for key in _VIEW_KEYS if key in view}, "blocks": blocks}


def read_variants(
    values: Mapping[str, Any], languages: Sequence[str], stored: Iterable[str], errors: dict[str, str]
) -> tuple[Variant, ...]:
    """The section as submitted: a variant per language with a title and a text. A language added
    here and left empty is nothing; a stored one emptied cannot be removed here (said, not done);
    one with only a title or only a text is an error on the empty field."""
    kept = set(stored)
    found: list[Variant] = []
    for language in languages:
        title_id, body_id = TITLE_PREFIX + language, BODY_PREFIX + language
        title = (_state(values, title_id).value or "").strip()
        body = (_state(values, body_id).value or "").strip()
        if not title and not body:
            if language in kept:
                errors[title_id] = m.SLACK_VARIANT_CANNOT_REMOVE
            continue
        for block_id, text, limit in ((title_id, title, MAX_TITLE), (body_id, body, MAX_BODY)):
            if not text:
                errors[block_id] = m.SLACK_VARIANT_NEEDS_BOTH
            elif len(text) > limit:
                errors[block_id] = m.SLACK_TOO_LONG_FIELD.format(max=limit, length=len(text))
        found.append(Variant(language, title, body))
    return tuple(found)


def update_sent(values: Mapping[str, Any]) -> bool:
    chosen = _state(values, UPDATE_SENT_BLOCK).selected_options or []
    return any(option.value == UPDATE_SENT for option in chosen)


def stored_languages(blocks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The languages the modal was opened with (their inputs prefilled), as opposed to those added."""
    return [
        str(block["block_id"]).removeprefix(TITLE_PREFIX)
        for block in blocks
        if str(block.get("block_id") or "").startswith(TITLE_PREFIX)
        and "initial_value" in (block.get("element") or {})
    ]
