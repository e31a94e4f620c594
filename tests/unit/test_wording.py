"""Words a person would write: plurals chosen by count, and a sentence per status instead of "it is X".

Reads every user-facing string where it lives (bot/messages.py, adapters' words included) and the string
literals of the code that prints its own text (the CLI, the job summaries, the services), so a new
"channel(s)" fails here before anyone reads it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

import pytest

from bot import messages as m
from bot.domain import AnnouncementStatus
from bot.i18n import Plural

ROOT = Path(__file__).resolve().parents[2]
# "channel(s)", "partner(s)", "match(es)", "cop(y/ies)", "deliver(y/ies)", "repl(ies)"…
HEDGED_PLURAL = re.compile(r"[A-Za-z]\((?:s|es|ies|y/ies|[a-z]{1,2}/[a-z]{1,3})\)")
STATUSES = {s.value for s in AnnouncementStatus}
# The refusals that used to say "can't be X: it is {status}", keyed by the announcement's status.
STATUS_SENTENCES = {
    "NOT_A_DRAFT": m.NOT_A_DRAFT,
    "CANNOT_CANCEL": m.CANNOT_CANCEL,
    "NOT_EDITABLE": m.NOT_EDITABLE,
    "NOT_RECALLABLE": m.NOT_RECALLABLE,
}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Plural):
        yield value.singular
        yield value.plural
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)


def _texts(module: ModuleType) -> Iterator[tuple[str, str]]:
    for name, value in vars(module).items():
        if name.isupper() or name.lstrip("_").isupper():
            for text in _strings(value):
                yield f"{module.__name__}.{name}", text


ALL_TEXTS = [
    *_texts(m),
]


def test_the_scan_sees_every_kind_of_message() -> None:
    names = {name for name, _ in ALL_TEXTS}
    assert {"bot.messages.REACH", "bot.messages.NEWS_HEADER", "bot.messages.NOT_A_DRAFT"} <= names
    assert "bot.messages.DISCORD_NOT_A_DRAFT_ANY_MORE" in names
    assert HEDGED_PLURAL.search("1 channel(s)") and HEDGED_PLURAL.search("2 cop(y/ies)")
    assert HEDGED_PLURAL.search("3 delivery(ies)") and HEDGED_PLURAL.search("match(es)")
    assert not HEDGED_PLURAL.search("(continued)") and not HEDGED_PLURAL.search("`help(<command>)`")


@pytest.mark.parametrize(("name", "text"), ALL_TEXTS, ids=[name for name, _ in ALL_TEXTS])
def test_no_message_hedges_a_plural(name: str, text: str) -> None:
    assert not HEDGED_PLURAL.search(text), f'{name} says "{text}": use a bot.i18n.Plural chosen by count'


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """The string literals of a module, docstrings left out (they are for readers of the code)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


PRINTING_CODE = sorted(
    [*ROOT.glob("bot/cli/*.py"), ROOT / "bot/jobs.py", *ROOT.glob("bot/services/*.py")],
)


@pytest.mark.parametrize("path", PRINTING_CODE, ids=[str(p.relative_to(ROOT)) for p in PRINTING_CODE])
def test_no_code_that_prints_text_hedges_a_plural(path: Path) -> None:
    hedged = [f"line {line}: {text!r}" for line, text in _literals(path) if HEDGED_PLURAL.search(text)]
    assert not hedged, f"{path.relative_to(ROOT)}: " + "; ".join(hedged)


@pytest.mark.parametrize(
    ("noun", "one", "many"),
    [
        (m.CHANNELS, "1 channel", "2 channels"),
        (m.PARTNERS, "1 partner", "2 partners"),
        (m.COPIES, "1 copy", "2 copies"),
        (m.DELIVERIES, "1 delivery", "2 deliveries"),
        (m.QUESTIONS, "1 question", "2 questions"),
        (m.REACTIONS, "1 reaction", "2 reactions"),
        (m.ANNOUNCEMENTS, "1 announcement", "2 announcements"),
        (m.TOPICS, "1 topic", "2 topics"),
        (m.PROBLEMS, "1 problem", "2 problems"),
    ],
)
def test_counted_nouns_agree_with_their_count(noun: Plural, one: str, many: str) -> None:
    assert (noun(1), noun(2)) == (one, many)
    assert noun(0) == many.replace("2", "0")


def test_messages_with_a_count_read_as_sentences() -> None:
    reach = m.REACH.format(
        channels=m.CHANNELS(1), partners=m.PARTNERS(1), platforms="slack 1", tiers="gold 1", regions="emea 1"
    )
    assert reach.startswith("**Reach:** 1 channel of 1 partner\n")
    assert m.EDITED_QUEUED.format(id=7, copies=m.COPIES(1)).startswith(
        "✏️ Announcement #7 edited. 1 copy already delivered will be updated in place"
    )
    assert (
        m.WAIT_QUIET(1, until="at 08:00")
        == "🌙 1 delivery falls in quiet hours and waits for their end: at 08:00."
    )
    assert m.WAIT_QUIET(3, until="at 08:00").startswith("🌙 3 deliveries fall in quiet hours and wait")
    assert m.WAIT_DIGEST(1, until="at 09:00").startswith("📰 1 channel gets it in its daily/weekly digest")
    assert m.NEWS_HEADER(1) == "**The latest announcement:**"
    assert m.NEWS_HEADER(5) == "**The latest 5 announcements:**"
    assert m.OPEN_QUESTIONS(1) == "**1 open question:**"
    assert "where 1 targeted channel is (it is" in m.AT_PAST_LOCAL(1, wall="w", zone="z", now="n", forms="f")
    assert "where 2 targeted channels are (it is" in m.AT_PAST_LOCAL(
        2, wall="w", zone="z", now="n", forms="f"
    )
    assert m.JOB_DIGESTS(1) == "1 digest made" and m.JOB_DIGESTS(0) == "0 digests made"


# --- a sentence per status ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STATUS_SENTENCES))
def test_every_status_has_its_own_sentence(name: str) -> None:
    sentences = STATUS_SENTENCES[name]
    assert set(sentences) == STATUSES, f"{name} must say something for every announcement status"
    for status, sentence in sentences.items():
        text = sentence.format(id=7)  # the id is the only value: no raw status word is filled in
        assert text.startswith("Announcement #7 ") and text.endswith("."), (name, status, text)
        assert "{" not in text and f"it is {status}" not in text, (name, status, text)


def test_the_sentences_say_what_happened_and_what_to_do() -> None:
    assert (
        m.CANNOT_CANCEL["cancelled"].format(id=7)
        == "Announcement #7 was already cancelled; nothing was sent."
    )
    assert m.CANNOT_CANCEL["sending"].format(id=7) == (
        "Announcement #7 is already being sent — `recall 7` stops it and deletes what went out."
    )
    assert (
        m.NOT_EDITABLE["recalled"]
        .format(id=7)
        .startswith("Announcement #7 was recalled, so it can't be edited")
    )
    assert m.NOT_A_DRAFT["sent"].format(id=7).startswith("Announcement #7 was already sent; sending it again")
    assert m.NOT_RECALLABLE["cancelled"].format(id=7) == (
        "Announcement #7 was cancelled before anything went out, so there is nothing to recall."
    )
    assert m.NOT_RECALLABLE["draft"].format(id=7) == m.NOT_RECALLABLE_DRAFT.format(id=7)


def test_the_discord_pickers_say_why_a_preview_can_no_longer_change() -> None:
    sentences = m.DISCORD_NOT_A_DRAFT_ANY_MORE
    assert set(sentences) == STATUSES | {"gone"}
    for status, sentence in sentences.items():
        text = sentence.format(id=7)
        assert "#7" in text and "{" not in text and f"is {status} now" not in text


def test_stats_name_every_status_in_words() -> None:
    assert set(m.STATUS_NAMES) == STATUSES
    assert m.STATUS_NAMES["sending"] == "being sent"


def test_no_message_fills_in_a_raw_status() -> None:
    with_status = [name for name, text in ALL_TEXTS if "{status}" in text and "STATS_" not in name]
    assert with_status == []
