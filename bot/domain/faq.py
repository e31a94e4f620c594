"""Answers that already exist (issue 18): matching a partner's new question against answered ones.

A question is matched word by word — an OR of its significant words, ranked by the database (bm25 on
SQLite FTS5, ts_rank on PostgreSQL) — and a candidate is offered only if it clears the relevance
floor below. The words come from `bot.domain.search` folding (accents and case removed), so the index
and the question agree; Japanese and Chinese text has no spaces between words, so its words are the
overlapping character pairs (bigrams) of each CJK run.

**The relevance floor.** Raw scores cannot be compared across databases (bm25 and ts_rank differ in
scale) nor across collections (bm25 depends on how common a word is), so the floor is on coverage:
a candidate must contain at least half of the question's significant words, and at least two of them
when the question has two or more. One shared word ("pricing") is a coincidence; two that cover half of
a short question are a topic. The database's rank only orders the candidates that clear it.

**Common words.** A word held by more than `COMMON_SHARE` of the answered questions (and by more than
`COMMON_MIN_DOCS` of them, so a small collection drops nothing) says little about what a question is
about, and matching on it reads most of the index: it is left out of the match, and the floor counts
coverage over the question's remaining significant words. The counts are `faq_word`'s, kept with the
documents (storage/repositories/faq_search.py). A question made only of common words is offered nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.search import fold, is_cjk, words

MAX_OFFERED = 3
MAX_MATCH_WORDS = 12  # the question's rarest-looking (longest) words the database is asked for
MIN_WORD = 3  # letters of a significant word in a spaced script
COMMON_SHARE = 0.05  # a word in more than this share of the answered questions is common...
COMMON_MIN_DOCS = 100  # ...once it is in more than this many of them

# Words too common to say what a question is about, in the partner languages partnerbot speaks.
# Only words of three letters or more matter (shorter ones are never significant).
_STOP_TEXT = """
the and for are but not you your our can could would should will what when where which who why how
does did has have had was were this that these those with from into about there their them they any
all some out get got use using yes please thanks thank hello there just also still now then than
want need know like new its it's let able may might must shall one two way tell der die das und ist
sind ein eine einen einem einer nicht mit von für fur auf aus bei wie was wer wann warum kann
konnen können wir ihr sie uns bitte danke hallo gibt dem den des noch auch nur les des une est sont
pas pour avec dans sur par que qui quoi quand comment est-ce nous vous ils elles mon mes ton tes
son ses leur leurs merci bonjour peut pouvez faut los las una uno del por para con que qué como
cómo cuando cuándo donde dónde esta este esto son hay puede pueden gracias hola nos les sus mis
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())
_FOLDED_STOPS = frozenset(fold(word) for word in STOP_WORDS)


@dataclass(frozen=True, slots=True)
class MatchWords:
    """What a question is matched on: `words` from spaced scripts (for the word index) and `grams`,
    the character pairs of its CJK text (matched as substrings)."""

    words: tuple[str, ...]
    grams: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.words + self.grams

    def __bool__(self) -> bool:
        return bool(self.words or self.grams)


def match_words(text: str, common: frozenset[str] = frozenset()) -> MatchWords:
    """The significant words of `text` (folded, unique, in order) but the `common` ones, at most
    MAX_MATCH_WORDS of each kind: the longest first when there are more (long words are the rarer
    ones)."""
    every = significant_words(text)
    return MatchWords(_cap([w for w in every.words if w not in common]), _cap(list(every.grams)))


def significant_words(text: str) -> MatchWords:
    """Every significant word of `text` (folded, in order, repeats kept), common or not, uncapped."""
    found: list[str] = []
    grams: list[str] = []
    for word in words(fold(text)):
        if is_cjk(word):
            grams.extend(_bigrams(word))
        elif significant(word):
            found.append(word)
    return MatchWords(tuple(found), tuple(grams))


def significant(word: str) -> bool:
    """Whether a folded word of a spaced script can be matched on (CJK runs are matched by pairs)."""
    return len(word) >= MIN_WORD and word not in _FOLDED_STOPS and not word.isdigit() and not is_cjk(word)


def document_words(folded_text: str) -> frozenset[str]:
    """The words of an answered question's (folded) text that `faq_word` counts it under."""
    return frozenset(word for word in words(folded_text) if significant(word))


def is_common(docs: int, total: int) -> bool:
    """Whether a word held by `docs` of the `total` answered questions is too common to match on."""
    return docs > max(COMMON_MIN_DOCS, COMMON_SHARE * total)


def _bigrams(run: str) -> list[str]:
    """Character pairs of a CJK run (a lone character is its own word); other letters in the run
    (a Latin product name written without spaces) stay in the pairs as they are."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _cap(found: list[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(found))
    if len(unique) <= MAX_MATCH_WORDS:
        return tuple(unique)
    keep = set(sorted(unique, key=len, reverse=True)[:MAX_MATCH_WORDS])
    return tuple(word for word in unique if word in keep)


def needed(count: int) -> int:
    """How many of a question's `count` significant words a candidate must hold (the floor)."""
    if count <= 1:
        return count
    return max(2, math.ceil(count / 2))


def coverage(wanted: MatchWords, folded_text: str) -> int:
    """How many of the wanted words the (folded) candidate text holds: spaced words as whole words,
    CJK pairs as substrings."""
    present = set(words(folded_text))
    return sum(word in present for word in wanted.words) + sum(gram in folded_text for gram in wanted.grams)


def clears_floor(wanted: MatchWords, folded_text: str) -> bool:
    return bool(wanted) and coverage(wanted, folded_text) >= needed(len(wanted.all))


@dataclass(frozen=True, slots=True)
class SimilarAnswer:
    """An answered question offered to a partner. `question` is empty when its wording may not be
    shown (another partner asked it and it is no FAQ): then only the answer is."""

    question_id: int
    question: str
    answer: str
    faq: bool
    rank: float = 0.0


@dataclass(frozen=True, slots=True)
class FaqCandidate:
    """An answered question the database found for a new one, before the relevance floor and the
    audience rules: who asked it (`channel_id`, `partner_id`), under which announcement, its shown
    words and their folded text (`folded`), and its rank (lower is better)."""

    question_id: int
    announcement_id: int | None
    channel_id: int
    partner_id: int | None
    question: str
    answer: str
    folded: str
    faq: bool
    rank: float


@dataclass(frozen=True, slots=True)
class Wording:
    """The words of an answered question a partner may be shown (an FAQ's edited wording, else the
    question and its latest answer): what an embedding model is given for it."""

    question_id: int
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class KeptVector:
    """An answered question that may be offered and its vector as kept for one model, in the
    encoding of the `Similarity` that wrote it; None until one is computed (or after its wording
    changed)."""

    question_id: int
    vector: bytes | None


@dataclass(frozen=True, slots=True)
class Faq:
    """An answered question an admin marked as reusable, with its wording and how many partner
    questions it has answered on its own (`served`)."""

    question_id: int
    question: str
    answer: str
    served: int
    announcement_id: int | None = None
    faq: bool = True


class OfferState(StrEnum):
    """Where a question offered existing answers stands when the partner presses a button."""

    SELF_SERVED = "self_served"  # "This answers it": closed, never relayed
    RELAYED = "relayed"  # "Ask the team anyway" (or the wait ran out): on its way to the team
    ALREADY_SELF_SERVED = "already_self_served"
    ALREADY_RELAYED = "already_relayed"
    UNKNOWN = "unknown"  # no such offered question in this channel
