"""Searching past announcements: the query language partners type, the text folding shared by the
index and the query, and the snippet that shows where a result matched.

The query language is deliberately small and is parsed here, never handed to a database: words (all
must match), "quoted phrases", and `prefix*`. Storage compiles a parsed `SearchQuery` into its own
full-text syntax (SQLite FTS5 MATCH, PostgreSQL tsquery) from words that hold letters and digits only,
so no user text ever reaches a MATCH expression raw.

Folding (lower case, accents removed, compatibility forms unified) happens in Python for the index and
for the query alike: both databases then match `café` with `cafe` and full-width letters with ASCII
ones, and the PostgreSQL side needs no `unaccent` extension. Marks on Japanese kana (the dakuten of
`が`) are kept: there they change the letter, not its accent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.variants import Variant

MAX_QUERY = 200  # characters a partner may type after `news search`
MAX_TERMS = 8
MIN_PREFIX = 2  # letters before a `*`
SNIPPET = 160  # characters of text around the first match
HIGHLIGHT = "**"

# Letters and digits; everything else (punctuation, `_`, spaces) separates words, as the databases'
# tokenizers do (FTS5 unicode61, PostgreSQL's default parser).
_WORD = re.compile(r"[^\W_]+")
# Scripts written without spaces between words: matched as substrings (trigram index), not as words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]")


def is_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def fold(text: str) -> str:
    """`text` as the index stores it and queries look for it: case-folded, accents stripped (except on
    CJK letters), compatibility forms (full-width letters, ligatures) unified."""
    if text.isascii():  # the common case, and a fast one (casefold is lower for ASCII)
        return text.lower()
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and kept and not is_cjk(kept[-1]):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).casefold()


def words(text: str) -> list[str]:
    """The words of folded `text`."""
    return _WORD.findall(text)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing every result must contain: a word, or a phrase of words in order; `prefix`: its last
    word may continue (`regist*`). A `cjk` term is matched as a substring of the text."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def cjk(self) -> bool:
        return any(is_cjk(word) for word in self.words)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    terms: tuple[Term, ...]


class QueryProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNCLOSED_QUOTE = "unclosed_quote"
    BAD_STAR = "bad_star"
    SHORT_PREFIX = "short_prefix"
    TOO_MANY = "too_many"


def parse_query(text: str) -> SearchQuery | QueryProblem:
    """Parse what a partner typed; never raises."""
    text = text.strip()
    if len(text) > MAX_QUERY:
        return QueryProblem.TOO_LONG
    if text.count('"') % 2:
        return QueryProblem.UNCLOSED_QUOTE
    terms: list[Term] = []
    for index, chunk in enumerate(text.split('"')):
        quoted = index % 2 == 1
        found = _phrase(chunk) if quoted else _bare(chunk)
        if isinstance(found, QueryProblem):
            return found
        terms.extend(found)
    unique = tuple(dict.fromkeys(terms))
    if not unique:
        return QueryProblem.EMPTY
    if len(unique) > MAX_TERMS:
        return QueryProblem.TOO_MANY
    return SearchQuery(unique)


def _phrase(chunk: str) -> list[Term] | QueryProblem:
    """A quoted phrase: its words in order; a `*` may end it (`"deal regist*"`)."""
    found = _term(chunk.strip())
    if found is None:
        return []
    return [found] if isinstance(found, Term) else found


def _bare(chunk: str) -> list[Term] | QueryProblem:
    """Unquoted text: one term per space-separated piece; `e-mail` is the phrase "e mail", as the
    tokenizers read it in the announcements."""
    terms: list[Term] = []
    for piece in chunk.split():
        found = _term(piece)
        if isinstance(found, QueryProblem):
            return found
        if isinstance(found, Term):
            terms.append(found)
    return terms


def _term(text: str) -> Term | QueryProblem | None:
    """The term `text` stands for (None: it holds no word, e.g. a lone dash)."""
    prefix = text.endswith("*")
    stem = text[:-1] if prefix else text
    if "*" in stem:
        return QueryProblem.BAD_STAR
    found = tuple(words(fold(stem)))
    if prefix:
        if not found or not _ends_in_word(stem):
            return QueryProblem.BAD_STAR
        if len(found[-1]) < MIN_PREFIX:
            return QueryProblem.SHORT_PREFIX
    return Term(found, prefix) if found else None


def _ends_in_word(text: str) -> bool:
    return bool(text) and _WORD.fullmatch(text[-1]) is not None


# --- snippets ----------------------------------------------------------------------------------


def matches(text: str, query: SearchQuery) -> bool:
    """Whether `text` holds any of the query's terms (which text of an announcement to quote)."""
    return bool(_spans(text, query))


def snippet(text: str, query: SearchQuery, *, width: int = SNIPPET) -> str:
    """About `width` characters of `text` around its first match, every match within in `**bold**`,
    on one line; the start of the text when nothing in it matches."""
    flat = " ".join(text.split())
    spans = _spans(flat, query)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(flat), start + width)
    if start > 0:  # start at a word
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > (spans[0][1] if spans else start) else end
    pieces: list[str] = ["…" if start > 0 else ""]
    at = start
    for begin, finish in spans:
        if begin < at or finish > end:
            continue
        pieces += [flat[at:begin], HIGHLIGHT, flat[begin:finish], HIGHLIGHT]
        at = finish
    pieces += [flat[at:end], "…" if end < len(flat) else ""]
    return "".join(pieces)


def _spans(text: str, query: SearchQuery) -> list[tuple[int, int]]:
    """Where the query's terms occur in `text`, in order, not overlapping."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    found: set[tuple[int, int]] = set()
    for term in query.terms:
        if term.cjk:
            found.update(_substrings(text, term))
            continue
        size = len(term.words)
        for i in range(len(tokens) - size + 1):
            window = tokens[i : i + size]
            if all(_word_matches(t[2], w, last=j == size - 1 and term.prefix)
                   for j, (t, w) in enumerate(zip(window, term.words, strict=True))):  # fmt: skip
                found.add((window[0][0], window[-1][1]))
    kept: list[tuple[int, int]] = []
    for span in sorted(found):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _word_matches(token: str, word: str, *, last: bool) -> bool:
    return token.startswith(word) if last else token == word


def _substrings(text: str, term: Term) -> list[tuple[int, int]]:
    folded = text.casefold()
    spans: list[tuple[int, int]] = []
    if len(folded) != len(text):  # folding changed the length: positions would not line up
        return spans
    for word in term.words:
        at = folded.find(word)
        while at >= 0:
            spans.append((at, at + len(word)))
            at = folded.find(word, at + len(word))
    return spans


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An announcement a search found, as a result shows it: where it ranks (lower is better), its
    default text, when it was sent, its topics and its translations."""

    announcement_id: int
    rank: float
    title: str
    body: str
    sent: datetime
    topics: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()


@dataclass(frozen=True, slots=True)
class DeliveredCopy:
    """The copy of an announcement a channel received ("Show" answers with it): its delivery, the
    platform message it was posted as, with its files (None when there is no such message: a digest
    carried it, which lists the files but uploads none), and the language it was read in as the
    delivery keeps it (None: the vendor default)."""

    delivery_id: int
    message: str | None
    language: str | None
