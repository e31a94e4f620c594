"""The partner catalogs (bot/locale) are complete and consistent: every partner-facing message of
bot/messages.py translated in every shipped language with the same placeholders, the committed .pot
and .mo files in step with the source and the .po files, and the checker itself catching a broken
catalog."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n_catalog import extract, load_po, partner_messages, placeholders, po_paths, problems

SHIPPED = ("de", "es", "fr", "ja")
EXPECTED = [entry.msgid for entry in partner_messages()]


def test_the_shipped_languages_are_the_catalogs_on_disk() -> None:
    assert i18n.shipped_languages() == ("en", *SHIPPED)
    assert [p.parent.parent.name for p in po_paths()] == list(SHIPPED)


@pytest.mark.parametrize("path", po_paths(), ids=lambda p: p.parent.parent.name)
def test_every_partner_message_is_translated_with_its_placeholders(path: Path) -> None:
    assert problems(load_po(path), EXPECTED) == []


@pytest.mark.parametrize("path", po_paths(), ids=lambda p: p.parent.parent.name)
def test_the_catalog_holds_no_message_the_source_no_longer_has(path: Path) -> None:
    keys = {e if isinstance(e, str) else e[0] for e in EXPECTED}
    stale = [m.id for m in load_po(path) if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in keys]
    assert stale == [], "run `python -m bot.i18n_catalog update` and translate"


@pytest.mark.parametrize("path", po_paths(), ids=lambda p: p.parent.parent.name)
def test_the_committed_mo_is_the_compiled_po(path: Path) -> None:
    """The .mo files are committed (a clean clone runs without a build step); this keeps them equal
    to the .po files: `python -m bot.i18n_catalog compile` after editing a translation."""
    with path.with_suffix(".mo").open("rb") as f:
        compiled = read_mo(f)
    source = load_po(path)
    assert _pairs(compiled) == _pairs(source)


def _pairs(catalog: Catalog) -> dict[object, object]:
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_the_committed_template_is_the_extraction_of_bot_messages() -> None:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        pot = read_po(f)
    assert [m.id for m in pot if m.id] == EXPECTED, "run `python -m bot.i18n_catalog extract`"


def test_babels_extractor_reads_the_same_messages_with_their_constants() -> None:
    source = Path(i18n.__file__).with_name("messages.py")
    with source.open("rb") as f:
        found = list(extract(f, {}, [], {}))
    assert [message for _, _, message, _ in found] == EXPECTED
    line, function, _, comments = found[0]
    assert (function, comments) == ("gettext", ["PARTNER_HELP"]) and line > 1
    assert source.read_text().splitlines()[line - 1].startswith("PARTNER_HELP")
    plural = next(f for f in found if f[1] == "ngettext")
    assert isinstance(plural[2], tuple) and len(plural[2]) == 2


def test_admin_only_messages_stay_out_of_the_partner_catalog() -> None:
    from bot import messages as m

    keys = {e if isinstance(e, str) else e[0] for e in EXPECTED}
    assert m.PARTNER_HELP in keys and m.ACK_BUTTON in keys and m.NEWS_HEADER.singular in keys
    assert (
        m.ADMIN_HELP not in keys and m.PREVIEW_HEADING not in keys and m.OPEN_QUESTIONS.singular not in keys
    )


# --- the checker, on broken catalogs ------------------------------------------------------------

BROKEN = r"""
msgid ""
msgstr ""
"Language: de\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "✅ This channel now gets announcements on {topics}."
msgstr "✅ Dieser Kanal erhält jetzt Ankündigungen."

msgid "Nothing changed."
msgstr ""

#, fuzzy
msgid "Already following {topics}."
msgstr "Folgt bereits {topics}."

msgid "Usage: {usage}"
msgstr "Verwendung: {usage} {extra}"

msgid "{n} topic"
msgid_plural "{n} topics"
msgstr[0] "{n} Thema"

msgid "Time zone for this channel set to `{timezone}`."
msgstr "Zeitzone: `{timezone`."
"""


def _broken() -> Catalog:
    return read_po(io.BytesIO(BROKEN.encode()), locale="de")


def test_the_checker_names_each_fault_of_a_broken_catalog() -> None:
    found = problems(_broken(), ["Nothing changed.", "Subscribe"])
    text = "\n".join(found)
    assert "de: missing 'Subscribe'" in text
    assert "placeholders [] where the message has ['topics']" in text  # {topics} dropped
    assert "'Nothing changed.': not translated" in text
    assert "'Already following {topics}.': marked fuzzy" in text
    assert "placeholders ['extra', 'usage'] where the message has ['usage']" in text  # one added
    assert "'{n} topic': not translated" in text  # a plural form missing (Babel reads it as empty)
    assert "'<unbalanced braces>'" in text  # a brace left open
    assert len(found) == 7


def test_a_plural_form_may_spell_its_count_out_but_keeps_the_other_placeholders() -> None:
    catalog = Catalog(locale="de")
    catalog.add(
        ("**The latest announcement:**", "**The latest {n} announcements:**"),
        ("**Die neueste Ankündigung:**", "**Die {n} neuesten Ankündigungen:**"),
    )
    catalog.add(
        ("{n} copy in {language}", "{n} copies in {language}"), ("Eine Kopie", "{n} Kopien auf {language}")
    )
    assert problems(catalog) == [
        "de: '{n} copy in {language}': placeholders [] where the message has ['language', 'n']"
    ]  # fmt: skip


def test_placeholders_are_the_format_fields_by_name() -> None:
    assert placeholders("{time:%H:%M} {day.day} {n} {{literal}}") == {"time", "day", "n"}
    assert placeholders("no fields") == set()
