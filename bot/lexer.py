"""The words of a command: splitting text into words (quotes included) and reading single words.

Positions matter because some commands keep the raw remainder of the text (a broadcast body, a
question) exactly as typed, so the parser reads one word at a time and never touches what follows.
The helpers here say what a word *is* (a slug, an id, an option) and return None when it is not;
bot/commands.py decides what that means and phrases the error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Slack, macOS and phone keyboards turn straight quotes into curly ones, sometimes facing the wrong
# way, so any quote of the same family may close an opening one.
_DOUBLE = '"\u201c\u201d\u201e'  # straight, curly left and right, low-9
_SINGLE = "'\u2018\u2019\u201a"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_ID = 2**63 - 1  # the largest id a SQL BIGINT holds
_ID = re.compile(r"#?([0-9]{1,19})")
NUMBER = re.compile(r"[+-]?[0-9]+")
# `key:` at the start of a word; `https://…` is a link, not an option.
OPTION = re.compile(r"([A-Za-z]+):(?!//)")

_CLOSERS = {**dict.fromkeys(_DOUBLE, _DOUBLE), **dict.fromkeys(_SINGLE, _SINGLE)}


class UnclosedQuote(ValueError):
    """A quote was opened and never closed; `quote` is the opening character."""

    def __init__(self, quote: str) -> None:
        super().__init__(quote)
        self.quote = quote


@dataclass(frozen=True, slots=True)
class Token:
    """One word of the text: `text` without its quotes, `end` the index just past it."""

    text: str
    start: int
    end: int
    quoted: bool = False


def skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def read_word(text: str, pos: int) -> Token | None:
    """The next run of non-space characters, quotes and all; None at the end of the text."""
    start = skip_space(text, pos)
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return Token(text[start:end], start, end) if end > start else None


def read_token(text: str, pos: int) -> Token | None:
    """The next word, where a quoted part ("two words", or key:"two words") counts as one word.

    A quote opens only at the start of a word or right after its first colon, so apostrophes inside
    words (O'Brien, don't) are plain characters. Raises UnclosedQuote.
    """
    start = skip_space(text, pos)
    parts: list[str] = []
    quoted = False
    i = start
    while i < len(text) and not text[i].isspace():
        char = text[i]
        if char in _CLOSERS and _may_open(text, start, i):
            close = _find_close(text, i)
            parts.append(text[i + 1 : close])
            quoted = True
            i = close + 1
        else:
            parts.append(char)
            i += 1
    return Token("".join(parts), start, i, quoted) if i > start else None


def read_all(text: str, pos: int) -> list[Token]:
    """Every remaining word. Raises UnclosedQuote."""
    tokens: list[Token] = []
    while (token := read_token(text, pos)) is not None:
        tokens.append(token)
        pos = token.end
    return tokens


def _may_open(text: str, start: int, i: int) -> bool:
    if i == start:
        return True
    return text[i - 1] == ":" and ":" not in text[start : i - 1]


def _find_close(text: str, opening: int) -> int:
    # A closing quote must end the word, so an apostrophe inside a single-quoted phrase stays in it.
    closers = _CLOSERS[text[opening]]
    for i in range(opening + 1, len(text)):
        if text[i] in closers and (i + 1 == len(text) or text[i + 1].isspace()):
            return i
    raise UnclosedQuote(text[opening])


def read_words(text: str, pos: int) -> list[str]:
    """The remaining words, quotes removed, empty ones ("") dropped. Raises UnclosedQuote."""
    return [word for token in read_all(text, pos) if (word := token.text.strip())]


def comma_list(items: Iterable[str]) -> list[str]:
    """Words split at commas too (`security,pricing`), blanks dropped."""
    return [part for item in items for part in (piece.strip() for piece in item.split(",")) if part]


def as_slug(word: str) -> str | None:
    """A topic slug, typed in any case, or None."""
    slug = word.strip().lower()
    return slug if SLUG.fullmatch(slug) else None


def as_id(word: str) -> int | None:
    """A database id written `42` or `#42`, or None."""
    match = _ID.fullmatch(word)
    number = int(match.group(1)) if match else 0
    return number if 1 <= number <= MAX_ID else None


def as_option(text: str, token: Token) -> tuple[str, str] | None:
    """`key:value` as (lower-case key, value); the raw text decides, so a quoted "Acme: Ltd" is none."""
    match = OPTION.match(text, token.start, token.end)
    if match is None:
        return None
    return match.group(1).lower(), token.text[len(match.group(0)) :]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice the user most likely meant: the only one starting with `word`, or the nearest."""
    options = list(choices)
    word = word.lower()
    prefixed = [option for option in options if word and option.startswith(word)]
    close = prefixed if len(prefixed) == 1 else difflib.get_close_matches(word, options, n=1)
    return close[0] if close else None
