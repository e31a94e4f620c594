"""The grammar of FAQs (issue 18): `faq <question id> [on|off]`, `faq <question id> [question:"…"]
[answer:"…"]`, `faqs`; the parser never raises, and wording is kept as written (trimmed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import CommandError, FaqEdit, FaqMark, Faqs
from bot.domain.faq import (
    COMMON_MIN_DOCS,
    clears_floor,
    document_words,
    is_common,
    match_words,
    needed,
)
from bot.domain.search import fold
from bot.grammar import MAX_FAQ_TEXT, help_text, parse_admin

PROPERTY = settings(max_examples=300, deadline=None)


def test_faq_parses() -> None:
    assert parse_admin("faq 12") == FaqMark(12)
    assert parse_admin("FAQ 12 off") == FaqMark(12, on=False)
    assert parse_admin("faq 12 On") == FaqMark(12)
    assert parse_admin('faq 12 question:"Where is it?"') == FaqEdit(12, "Where is it?", None)
    assert parse_admin('faq 12 answer:"In the portal."  question:"Where?"') == FaqEdit(
        12, "Where?", "In the portal."
    )
    assert parse_admin("faqs") == Faqs()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("faq", msg.USAGE.format(usage=msg.ADMIN_USAGE["faq"])),
        ("faqs all", msg.USAGE.format(usage=msg.ADMIN_USAGE["faqs"])),
        ("faq 3 maybe", msg.FAQ_NOT_AN_OPTION.format(word="maybe", id=3)),
        ('faq 3 title:"x"', msg.FAQ_NOT_AN_OPTION.format(word="title:x", id=3)),
        ('faq 3 question:""', msg.FAQ_EMPTY.format(key="question", id=3)),
        ('faq 3 answer:"a" answer:"b"', msg.FAQ_TWICE.format(key="answer")),
    ],
)
def test_refusals_name_the_problem(text: str, expected: str) -> None:
    result = parse_admin(text)
    assert isinstance(result, CommandError)
    assert result.message == expected


def test_bad_ids_and_long_wording() -> None:
    bad = parse_admin("faq x7")
    assert isinstance(bad, CommandError) and bad.message.startswith('"x7" isn\'t a question number')
    long = parse_admin('faq 1 answer:"' + "x" * (MAX_FAQ_TEXT + 1) + '"')
    assert isinstance(long, CommandError)
    assert long.message == msg.FAQ_TOO_LONG.format(key="answer", max=MAX_FAQ_TEXT)


def test_help_lists_them() -> None:
    assert "`faq <question id> [off]`" in help_text(admin=True) and "`faqs`" in help_text(admin=True)
    assert help_text("faq", admin=True).startswith(msg.ADMIN_USAGE["faq"])


@PROPERTY
@given(st.integers(min_value=1, max_value=10**12), st.text(max_size=200), st.text(max_size=200))
def test_wording_is_kept_and_parsing_never_raises(number: int, question: str, answer: str) -> None:
    text = f'faq {number} question:"{question}" answer:"{answer}"'
    result = parse_admin(text)
    if isinstance(result, FaqEdit):
        assert result.question_id == number
        assert result.question == question.strip() and result.answer == answer.strip()
    else:
        assert isinstance(result, CommandError) and result.message


@PROPERTY
@given(st.text(max_size=300))
def test_anything_after_faq_never_raises(rest: str) -> None:
    assert parse_admin(f"faq {rest}") is not None


# --- the relevance floor (bot/domain/faq.py) --------------------------------------------------------


def test_significant_words_drop_stop_words_and_fold_accents() -> None:
    assert match_words("How do I register a Deal in the PORTAL?").words == ("register", "deal", "portal")
    assert match_words("¿Cómo registro una oportunidad?").words == ("registro", "oportunidad")
    assert match_words("請求書").grams == ("請求", "求書")
    assert not match_words("how do I? ok 42")


def test_the_floor_needs_half_the_words_and_at_least_two() -> None:
    assert [needed(n) for n in range(6)] == [0, 1, 2, 2, 2, 3]
    wanted = match_words("register deal portal")
    assert clears_floor(wanted, fold("Deals are registered… the deal portal"))  # deal + portal
    assert not clears_floor(wanted, fold("The portal is down"))  # one word is a coincidence


@PROPERTY
@given(st.text(max_size=300))
def test_match_words_are_safe_for_match_expressions(text: str) -> None:
    wanted = match_words(text)
    assert len(wanted.words) <= 12 and len(wanted.grams) <= 12
    assert all(word.isalnum() for word in wanted.words)
    assert all('"' not in gram and "'" not in gram for gram in wanted.grams)


# --- common words (bot/domain/faq.py) -----------------------------------------------------------


def test_a_word_is_common_past_its_share_and_the_minimum() -> None:
    assert not is_common(COMMON_MIN_DOCS, 10)  # a small collection drops nothing
    assert is_common(COMMON_MIN_DOCS + 1, 1000)  # above 5% and above the minimum
    assert not is_common(500, 10_000) and is_common(501, 10_000)  # exactly 5% is not common


def test_common_words_leave_the_match_and_the_floor() -> None:
    wanted = match_words("How do I register a deal in the portal?", frozenset({"deal", "portal"}))
    assert wanted.words == ("register",)
    assert clears_floor(wanted, fold("To register, open Settings"))  # one remaining word: the floor is 1
    assert not match_words("deal portal", frozenset({"deal", "portal"}))
    assert match_words("請求書 deal", frozenset({"deal"})).grams == ("請求", "求書")  # pairs are kept


def test_the_cap_keeps_rare_words_when_long_common_ones_are_dropped() -> None:
    rare = [f"w{n:02d}x" for n in range(11)]
    common = frozenset({"registrations", "certifications"})
    wanted = match_words(" ".join([*common, *rare]), common)
    assert wanted.words == tuple(rare)


def test_document_words_are_the_significant_ones() -> None:
    assert document_words(fold("How do I register 42 deals? 請求書")) == {"register", "deals"}
