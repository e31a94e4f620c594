"""`news search <words>`: the query language, its compilation to the databases' syntax, folding and
snippets. The compiled FTS5 expression is checked against a real (in-memory) SQLite FTS5 table."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages as msg
from bot.commands import CommandError, SearchNews
from bot.domain.search import (
    MAX_QUERY,
    MAX_TERMS,
    QueryProblem,
    SearchQuery,
    Term,
    fold,
    parse_query,
    snippet,
)
from bot.grammar import parse_partner, search_problem
from storage.repositories.search import fts5_match, tsquery

PROPERTY = settings(max_examples=200, deadline=None)
_WORD = re.compile(r"[^\W_]+")


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("deal registration", (Term(("deal",)), Term(("registration",)))),
        ('"deal registration"', (Term(("deal", "registration")),)),
        ("regist*", (Term(("regist",), prefix=True),)),
        ('"deal regist*"', (Term(("deal", "regist"), prefix=True),)),
        ("Café ZÜRICH", (Term(("cafe",)), Term(("zurich",)))),
        ("e-mail", (Term(("e", "mail")),)),
        ("deal deal DEAL", (Term(("deal",)),)),
        ("deal - ,", (Term(("deal",)),)),
        ("価格表", (Term(("価格表",)),)),
        ("\uff21\uff30\uff29", (Term(("api",)),)),  # full-width API
        ("AND OR NOT NEAR", (Term(("and",)), Term(("or",)), Term(("not",)), Term(("near",)))),
    ],
)
def test_query_forms(text: str, terms: tuple[Term, ...]) -> None:
    assert parse_query(text) == SearchQuery(terms)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", QueryProblem.EMPTY),
        ("  - , ; ", QueryProblem.EMPTY),
        ('""', QueryProblem.EMPTY),
        ('"deal', QueryProblem.UNCLOSED_QUOTE),
        ('a "b" "c', QueryProblem.UNCLOSED_QUOTE),
        ("*", QueryProblem.BAD_STAR),
        ("reg*ister", QueryProblem.BAD_STAR),
        ("deal**", QueryProblem.BAD_STAR),
        ("deal-*", QueryProblem.BAD_STAR),
        ('"*"', QueryProblem.BAD_STAR),
        ("r*", QueryProblem.SHORT_PREFIX),
        ("新*", QueryProblem.SHORT_PREFIX),
        (" ".join(f"w{n}" for n in range(MAX_TERMS + 1)), QueryProblem.TOO_MANY),
        ("x" * (MAX_QUERY + 1), QueryProblem.TOO_LONG),
    ],
)
def test_query_problems(text: str, problem: QueryProblem) -> None:
    assert parse_query(text) == problem


def test_grammar_reads_news_search() -> None:
    parsed = parse_partner('news   search  "deal registration"   regist*')
    assert parsed == SearchNews(
        '"deal registration" regist*',
        SearchQuery((Term(("deal", "registration")), Term(("regist",), prefix=True))),
    )
    # `search` in any case; every problem is a friendly error saying how to write a search.
    assert isinstance(parse_partner("NEWS Search deal"), SearchNews)
    for problem in QueryProblem:
        message = search_problem(problem)
        assert msg.SEARCH_HOW in message and "{" not in message
    error = parse_partner('news search "open')
    assert isinstance(error, CommandError)
    assert error.message == search_problem(QueryProblem.UNCLOSED_QUOTE)


def test_compiled_queries() -> None:
    query = parse_query('"deal registration" regist* cafe')
    assert isinstance(query, SearchQuery)
    assert fts5_match(query.terms) == '"deal registration" AND "regist" * AND "cafe"'
    assert tsquery(query.terms) == "('deal' <-> 'registration') & ('regist':*) & ('cafe')"


def test_snippets() -> None:
    query = parse_query('"deal registration" cafe')
    assert isinstance(query, SearchQuery)
    assert snippet("New: Deal Registration at the Café.", query) == (
        "New: **Deal Registration** at the **Café**."
    )
    long = "Intro words. " * 30 + "Then the deal registration part. " + "Outro words. " * 30
    cut = snippet(long, query)
    assert cut.startswith("…") and cut.endswith("…")
    assert "**deal registration**" in cut and len(cut) < 200
    # No match in the text: its beginning.
    assert snippet("Nothing here\nat all.", query) == "Nothing here at all."
    japanese = parse_query("価格")
    assert isinstance(japanese, SearchQuery)
    assert snippet("新しい価格表を公開", japanese) == "新しい**価格**表を公開"


def test_folding() -> None:
    assert fold("Crème Brûlée ZÜRICH ﬁne \uff21\uff30\uff29") == "creme brulee zurich fine api"
    # A dakuten changes the kana, it is no accent: kept.
    assert fold("がぎ") == "がぎ"


# --- properties ------------------------------------------------------------------------------------

query_texts = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            ['"', "*", " ", "-", "deal", "Régist", "価格", "e-mail", "AND", "(", ")", ":", "^", "NEAR"]
        ),
        max_size=12,
    ).map("".join),
)


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('deal registration', 'regist cafe 価格表 e mail and or not')")
    return db


@PROPERTY
@given(query_texts)
def test_parse_never_raises_and_compiles_to_valid_fts5(fts: sqlite3.Connection, text: str) -> None:
    parsed = parse_query(text)
    assert isinstance(parsed, SearchQuery | QueryProblem)
    if isinstance(parsed, QueryProblem):
        return
    assert 1 <= len(parsed.terms) <= MAX_TERMS
    for term in parsed.terms:
        assert term.words and all(_WORD.fullmatch(word) for word in term.words)
    latin = [term for term in parsed.terms if not term.cjk]
    if latin:  # SQLite accepts every expression we build: no user syntax reaches MATCH
        fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_match(latin),)).fetchall()
        assert "'" not in "".join(word for term in latin for word in term.words)


@PROPERTY
@given(query_texts)
def test_grammar_never_raises(text: str) -> None:
    result = parse_partner("news search " + text)
    assert isinstance(result, SearchNews) or (isinstance(result, CommandError) and result.message)


@PROPERTY
@given(st.lists(st.from_regex(r"[a-z]{2,12}", fullmatch=True), min_size=1, max_size=MAX_TERMS))
def test_words_round_trip(words: list[str]) -> None:
    assert parse_query(" ".join(words)) == SearchQuery(tuple(Term((w,)) for w in dict.fromkeys(words)))


@PROPERTY
@given(st.text(max_size=300), query_texts)
def test_snippet_keeps_the_text(text: str, words: str) -> None:
    query = parse_query(words)
    if not isinstance(query, SearchQuery):
        return
    shown = snippet(text, query)
    plain = shown.replace("**", "").strip("…")
    flat = " ".join(text.split())
    assert plain in flat  # nothing is rewritten, only cut and marked
    assert shown.count("**") % 2 == 0


@PROPERTY
@given(st.text(max_size=100))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
