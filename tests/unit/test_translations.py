"""Translated announcements without I/O: the `translate` / `translations` grammar (typed commands or
friendly errors, never an exception; the body comes back exactly as written), language matching
with fallback, the CLI's variant files, and the preview's language sentences with real plurals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.cli import CliError
from bot.cli.variant_files import read_variants
from bot.commands import (
    CommandError,
    Translate,
    TranslateAccept,
    TranslateDraft,
    TranslateRemove,
    Translations,
)
from bot.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    ChannelRef,
    Platform,
    Priority,
    Reach,
    UserRef,
)
from bot.domain.conversation import RefusalCode
from bot.domain.variants import Variant, fallbacks, pick, reader_language, same_language
from bot.grammar import parse_admin
from bot.presenter.translations import language_lines, language_name, saved_reply
from bot.results import Previewed, TranslationSaved
from bot.settings import CoreSettings
from tests.unit.test_commands import any_text

PROPERTY = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'translate 42 de title:"Neue Preise" Die Listen.',
            Translate(42, "de", "Neue Preise", "Die Listen."),
        ),
        ('translate #7 de-AT title:"T" B', Translate(7, "de-AT", "T", "B")),
        ('translate 1 fr update-sent title:"T" B', Translate(1, "fr", "T", "B", update_sent=True)),
        ('translate 1 fr --update-sent title:"T" B', Translate(1, "fr", "T", "B", update_sent=True)),
        # After the title, everything is body: options and the flag word included.
        (
            'translate 1 fr title:"T" update-sent tier:gold x',
            Translate(1, "fr", "T", "update-sent tier:gold x"),
        ),
        ("translations 42", Translations(42)),
        ("translate 42 de draft", TranslateDraft(42, "de")),
        ("translate #42 pt-BR DRAFT  ", TranslateDraft(42, "pt-BR")),
        ("translate 42 de accept", TranslateAccept(42, "de")),
        ("translate 42 de-AT remove", TranslateRemove(42, "de-AT")),
    ],
)
def test_forms(text: str, expected: object) -> None:
    assert parse_admin(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "field", "fragment"),
    [
        ("translate", RefusalCode.SYNTAX, "", "Usage: `translate <id> <language>"),
        ('translate x de title:"T" B', RefusalCode.SYNTAX, "", "isn't an announcement number"),
        ("translate 4", RefusalCode.MISSING, "language", "Which language"),
        ('translate 4 title:"T" B', RefusalCode.MISSING, "language", "Which language"),
        ("translate 4 " + "a" * 21 + ' title:"T" B', RefusalCode.TOO_LONG, "language", "at most 20"),
        ("translate 4 de", RefusalCode.MISSING, "title", "needs its own title"),
        ("translate 4 de Hallo Welt", RefusalCode.MISSING, "title", '"Hallo" comes before the title'),
        ("translate 4 de titel:x B", RefusalCode.MISSING, "title", '"titel:x" comes before the title'),
        ('translate 4 de title:"" B', RefusalCode.MISSING, "title", ""),
        ('translate 4 de title:"' + "t" * 151 + '" B', RefusalCode.TOO_LONG, "title", "151"),
        ('translate 4 de title:"T"', RefusalCode.MISSING, "body", "has no text"),
        ('translate 4 de title:"T" ' + "b" * 40_001, RefusalCode.TOO_LONG, "body", ""),
        ('translate 4 de title:"T" B --update-sent', RefusalCode.SYNTAX, "body", "before the title"),
        ("translations", RefusalCode.SYNTAX, "", "Usage: `translations <id>`"),
        ("translate 4 de draft now", RefusalCode.SYNTAX, "", "Nothing goes after `draft`"),
        ('translate 4 de accept title:"T" B', RefusalCode.SYNTAX, "", "Nothing goes after `accept`"),
        ("translate 4 draft", RefusalCode.MISSING, "title", "needs its own title"),
        ("translations 1 2", RefusalCode.SYNTAX, "", "Usage: `translations <id>`"),
    ],
)
def test_errors(text: str, code: RefusalCode, field: str, fragment: str) -> None:
    parsed = parse_admin(text)
    assert isinstance(parsed, CommandError), parsed
    assert fragment in parsed.message and parsed.message.strip()
    assert (parsed.refusal.code, parsed.refusal.field) == (code, field)


def test_help_names_the_commands() -> None:
    assert (
        "`translate <id> <language> [update-sent]" in msg.ADMIN_HELP
        and "`translations <id>`" in msg.ADMIN_HELP
        and "`translate <id> <language> draft`" in msg.ADMIN_HELP
        and "`translate <id> <language> accept`" in msg.ADMIN_HELP
    )


@PROPERTY
@given(any_text)
def test_never_raises(text: str) -> None:
    for prefix in (
        "translate ",
        "translate 1 ",
        "translate 1 de ",
        'translate 1 de title:"T" ',
        "translations ",
    ):
        parsed = parse_admin(prefix + text)
        assert not isinstance(parsed, CommandError) or parsed.message.strip()


_BODY = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200).filter(
    lambda b: b.strip() and b.split()[-1].lower() not in ("update-sent", "--update-sent")
)


@PROPERTY
@given(st.sampled_from(["de", "de-AT", "pt-br", "ja", "zh-Hant"]), _BODY)
def test_the_body_comes_back_exactly_as_written(language: str, body: str) -> None:
    parsed = parse_admin(f'translate 3 {language} title:"Titel" {body}')
    assert parsed == Translate(3, language, "Titel", body.strip())


_TAG = st.from_regex(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,4})?", fullmatch=True)


@PROPERTY
@given(
    st.integers(1, 10**9),
    _TAG,
    st.sampled_from(["draft", "accept", "remove", "Draft", "ACCEPT", "Remove"]),
    any_text,
)
def test_draft_accept_and_remove_take_nothing_after(ident: int, tag: str, action: str, rest: str) -> None:
    parsed = parse_admin(f"translate {ident} {tag} {action} {rest}")
    if rest.strip():
        assert isinstance(parsed, CommandError) and f"`{action.lower()}`" in parsed.message
    else:
        kinds = {"draft": TranslateDraft, "accept": TranslateAccept, "remove": TranslateRemove}
        assert parsed == kinds[action.lower()](ident, tag)


# --- matching ------------------------------------------------------------------------------------

DE, DE_AT, ZH = Variant("de", "de", "b"), Variant("de-at", "de-at", "b"), Variant("zh-hant", "zh", "b")


def test_fallbacks_and_pick() -> None:
    assert fallbacks("zh-Hant-TW") == ("zh-hant-tw", "zh-hant", "zh")
    assert fallbacks("") == ()
    assert pick([DE], "de-at") is DE and pick([DE, DE_AT], "de-at") is DE_AT and pick([DE_AT], "de") is None
    assert pick([ZH], "zh-hant-tw") is ZH and pick([DE], "fr") is None and pick([], "de") is None
    assert reader_language(None, "en") == "en" and reader_language("", "en") == "en"
    assert reader_language("de-at", "en") == "de-at"
    assert same_language("en-gb", "en") and same_language("en", "en-us") and not same_language("de", "en")


@given(st.lists(st.sampled_from(["de", "de-at", "fr", "pt", "pt-br"]), unique=True), st.text(max_size=12))
def test_pick_returns_a_variant_of_a_fallback_or_none(languages: list[str], reader: str) -> None:
    variants = [Variant(language, language, "b") for language in languages]
    found = pick(variants, reader)
    assert found is None or found.language in fallbacks(reader)


@given(st.lists(st.tuples(st.sampled_from(["de", "de-at", "fr"]), st.booleans()), unique_by=lambda t: t[0]))
def test_pick_never_returns_a_machine_draft(languages: list[tuple[str, bool]]) -> None:
    variants = [Variant(language, language, "b", machine=machine) for language, machine in languages]
    for reader in ("de", "de-at", "fr"):
        found = pick(variants, reader)
        assert found is None or not found.machine
    assert pick([Variant("de", "t", "b", machine=True), DE_AT], "de-at") is DE_AT
    assert pick([Variant("de-at", "t", "b", machine=True), DE], "de-at") is DE


def test_the_default_language_setting_is_a_normalised_tag() -> None:
    assert CoreSettings(_env_file=None, default_language="de_AT").default_language == "de-at"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="BCP 47"):
        CoreSettings(_env_file=None, default_language="not a tag")  # type: ignore[call-arg]


# --- the CLI's variant files ---------------------------------------------------------------------


def test_a_variant_file_is_a_title_line_then_the_body(tmp_path: Path) -> None:
    (tmp_path / "de.txt").write_text("Neue Preise\n\nDie Listen\nsind da.\n", encoding="utf-8")
    read = lambda name: (tmp_path / name).read_text(encoding="utf-8")  # noqa: E731
    assert read_variants(["de=de.txt"], read) == (Variant("de", "Neue Preise", "Die Listen\nsind da."),)
    for value, fragment in (
        ("de", "give a language and a file"),
        ("=x", "give a language"),
        ("de=", "a file"),
    ):
        with pytest.raises(CliError, match=fragment):
            read_variants([value], read)
    for text, fragment in (
        ("", "the file is empty"),
        ("Only a title\n", "only a title"),
        ("x" * 151 + "\nb", "151"),
    ):
        (tmp_path / "bad.txt").write_text(text, encoding="utf-8")
        with pytest.raises(CliError, match=fragment):
            read_variants(["de=bad.txt"], read)


# --- words ---------------------------------------------------------------------------------------


def test_language_names() -> None:
    assert language_name("de") == "German" and language_name("de-at") == "German (Austria)"
    assert language_name("pt-br") == "Portuguese (Brazil)" and language_name("qq-zz") == "qq-zz"


def _previewed(by_language: dict[str, int], variants: tuple[Variant, ...] = ()) -> Previewed:
    announcement = Announcement(
        id=4,
        title="T",
        body="B",
        topics=("pricing",),
        audience=Audience(),
        priority=Priority.NORMAL,
        status=AnnouncementStatus.DRAFT,
        author=UserRef(Platform.SLACK, "T1", "U1"),
        origin=ChannelRef(Platform.SLACK, "T1", "C1"),
        created_at=datetime(2026, 12, 4, tzinfo=UTC),
        variants=variants,
    )
    total = sum(by_language.values())
    return Previewed(announcement, Reach(total, total, {}, {}, {}, by_language), default_language="en")


def test_preview_language_lines_with_real_plurals() -> None:
    assert language_lines(_previewed({"en": 3, "": 2})) == []  # everyone reads the default language
    lines = language_lines(_previewed({"de": 12, "fr": 1, "en": 4, "en-gb": 1}))
    assert lines[0] == msg.PREVIEW_LANGUAGES.format(
        languages="12 partners read German, 4 partners read English, "
        "1 partner reads English (United Kingdom), 1 partner reads French"
    )
    assert lines[1].startswith(
        "12 partners read German; no German text yet, so they get the default (English)."
    )
    assert lines[2].startswith(
        "1 partner reads French; no French text yet, so they get the default (English)."
    )
    assert len(lines) == 3  # British English reads the English default by right
    translated = language_lines(_previewed({"de": 12, "en": 4}, (Variant("de", "T", "B"),)))
    assert translated == [
        msg.PREVIEW_LANGUAGES.format(languages="12 partners read German, 4 partners read English")
    ]


def test_saved_reply_words() -> None:
    variant = Variant("de", "Neue Preise", "B", revision=1)
    fresh = saved_reply(TranslationSaved(4, variant, sent=False, copies=0)).text
    assert fresh == (
        msg.TRANSLATION_ADDED.format(language="German", id=4, title="Neue Preise")
        + " "
        + msg.TRANSLATION_NOT_SENT.format(language="German")
    )
    kept = saved_reply(TranslationSaved(4, Variant("de", "N", "B", revision=3), sent=True, copies=1)).text
    assert "(version 3)" in kept and "1 copy already delivered in German keeps the text it got" in kept
    updated = saved_reply(TranslationSaved(4, variant, sent=True, copies=2, updated=2)).text
    assert "2 copies already delivered in German will be updated in place" in updated
