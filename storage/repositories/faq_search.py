"""Full-text matching over answered questions (issue 18), by the database.

`faq_document` holds one row per answered question (storage/tables.py), rewritten by `index_answer`
in the transaction that records an answer and by `set_wording` when an admin edits an FAQ. Its
indexes (migration 0033) mirror `news search`'s (storage/repositories/search.py):

- SQLite: FTS5 `faq_fts` (external content, `unicode61 remove_diacritics 2`), queried with an OR of
  the question's significant words ANDed with the `scope` words of the rows the partner may be offered,
  ranked by `weigh` (bm25's IDF pass costs a scan of every row holding each word: see `word_sql`).
- PostgreSQL: the generated column `faq_vector` (`to_tsvector('simple', …)`, question weight A,
  answer B) with a GIN index, queried with `to_tsquery('simple', 'w1' | 'w2' …)`, ranked by ts_rank.

Japanese and Chinese have no spaces between words, so neither tokenizer finds words in them: their
character pairs (bot/domain/faq.py) are matched as substrings (LIKE) among the rows holding CJK text
that the partner may be offered (the answers of one announcement and the FAQs: a small set, walked
through the partial indexes). Match expressions are built from folded letters and digits only: no
partner text reaches MATCH or to_tsquery raw.

`faq_word` (migration 0035) counts, for each significant word, the documents holding it (and under ''
the documents): `recount` keeps it in every transaction that writes, rewords or deletes a document, so
the match can leave out common words (bot/domain/faq.py) with one primary-key read, on both databases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.faq import MatchWords, document_words
from bot.domain.search import fold, is_cjk
from bot.domain.search import words as words_of
from storage.repositories.faq_vectors import forget_vectors
from storage.tables import AnswerRow, FaqDocumentRow, FaqWordRow, QuestionRow

_F: Table = SQLModel.metadata.tables[FaqDocumentRow.__tablename__]
_Q: Table = SQLModel.metadata.tables[QuestionRow.__tablename__]
_AN: Table = SQLModel.metadata.tables[AnswerRow.__tablename__]
_W: Table = SQLModel.metadata.tables[FaqWordRow.__tablename__]
SCOPED = 300  # rows a scoped SQLite match reads at most before ranking (an announcement's answers + FAQs)
CANDIDATES = 20  # ranked rows read per kind of match before the relevance floor (bot/domain/faq.py)
_COLUMNS = (
    "f.question_id, f.announcement_id, f.channel_id, c.partner_id, f.shown_question, f.shown_answer, "
    "f.question, f.answer, f.faq"
)
# Who may be offered a row: every FAQ, and the answers given under the announcement asked about.
_OFFERABLE = "(f.faq OR f.announcement_id = :announcement_id)"


def scope(announcement_id: int | None, faq: bool) -> str:
    """The words naming who may be offered a row: its announcement's answers, and FAQs."""
    words = [f"a{announcement_id}"] if announcement_id is not None else []
    return " ".join([*words, "faq"] if faq else words)


def wording(shown_question: str, shown_answer: str) -> dict[str, Any]:
    """The folded, indexed columns for the words a partner is shown."""
    question, answer = fold(shown_question), fold(shown_answer)
    return {
        "shown_question": shown_question,
        "shown_answer": shown_answer,
        "question": question,
        "answer": answer,
        "cjk": is_cjk(question) or is_cjk(answer),
    }


async def index_answer(session: AsyncSession, question_id: int, answer: str, *, now: datetime) -> None:
    """Make (or refresh) the question's row with its latest answer, inside the caller's transaction.
    An FAQ whose wording an admin edited keeps that wording."""
    conn = await session.connection()
    asked = (
        await conn.execute(
            select(_Q.c.text, _Q.c.announcement_id, _Q.c.channel_id).where(_Q.c.id == question_id)
        )
    ).first()
    if asked is None:
        return
    existing = (
        await conn.execute(
            select(_F.c.edited, _F.c.question, _F.c.answer).where(_F.c.question_id == question_id)
        )
    ).first()
    if existing is not None and existing.edited:
        return
    values = wording(asked.text, answer) | {"updated_at": now}
    await recount(conn, removed=[folded(existing)] if existing is not None else [], added=[folded(values)])
    if existing is None:
        await conn.execute(
            insert(_F).values(
                question_id=question_id,
                announcement_id=asked.announcement_id,
                channel_id=asked.channel_id,
                scope=scope(asked.announcement_id, False),
                **values,
            )
        )
    else:
        await conn.execute(update(_F).where(_F.c.question_id == question_id).values(**values))
        await forget_vectors(conn, question_id)  # computed from the previous answer


def index_all(conn: Connection, *, now: datetime) -> int:
    """Build a row for every answered question from its latest answer (migration 0033, the bench)."""
    latest: dict[int, str] = {}
    for question_id, answer in conn.execute(select(_AN.c.question_id, _AN.c.text).order_by(_AN.c.id)):
        latest[question_id] = answer
    query = select(_Q.c.id, _Q.c.text, _Q.c.announcement_id, _Q.c.channel_id).where(_Q.c.status == "answered")
    batch: list[dict[str, Any]] = []
    written = 0
    for row in conn.execute(query):
        if row.id not in latest:
            continue
        values = wording(row.text, latest[row.id])
        batch.append(
            {
                "question_id": row.id,
                "announcement_id": row.announcement_id,
                "channel_id": row.channel_id,
                "updated_at": now,
                "scope": scope(row.announcement_id, False),
                "faq": False,
                "edited": False,
                "served": 0,
                **values,
            }
        )
        if len(batch) == 1000:
            written += _flush(conn, batch)
    return written + _flush(conn, batch)


def _flush(conn: Connection, batch: list[dict[str, Any]]) -> int:
    if batch:
        conn.execute(insert(_F), batch)
    count = len(batch)
    batch.clear()
    return count


async def unindex(session: AsyncSession, question_ids: Sequence[int]) -> None:
    conn = await session.connection()
    gone = await conn.execute(select(_F.c.question, _F.c.answer).where(_F.c.question_id.in_(question_ids)))
    await recount(conn, removed=[folded(row) for row in gone], added=[])
    await conn.execute(delete(_F).where(_F.c.question_id.in_(question_ids)))


# --- word counts (faq_word) ----------------------------------------------------------------------


def folded(row: Any) -> str:
    """A document's folded text, as `faq_word` counts it and the relevance floor reads it."""
    if isinstance(row, dict):
        return f"{row['question']}\n{row['answer']}"
    return f"{row.question}\n{row.answer}"


_UPSERT = (
    "INSERT INTO faq_word (word, docs) VALUES (:word, :docs) "
    "ON CONFLICT (word) DO UPDATE SET docs = faq_word.docs + excluded.docs"
)


def _changes(removed: Iterable[str], added: Iterable[str]) -> list[dict[str, Any]]:
    """The count changes, in word order (concurrent writers lock rows in the same order): each
    document counts once per word, and once under '' (the number of documents)."""
    delta: Counter[str] = Counter()
    for text_, sign in [*((t, -1) for t in removed), *((t, 1) for t in added)]:
        for word in document_words(text_) | {""}:
            delta[word] += sign
    return [{"word": word, "docs": delta[word]} for word in sorted(delta) if delta[word]]


async def recount(conn: AsyncConnection, *, removed: Sequence[str], added: Sequence[str]) -> None:
    """Keep `faq_word` in step with documents replaced (`removed` → `added` folded texts), inside the
    caller's transaction."""
    changes = _changes(removed, added)
    if changes:
        await conn.execute(text(_UPSERT), changes)


def count_all(conn: Connection) -> int:
    """Rebuild `faq_word` from every `faq_document` row (migration 0035, the bench)."""
    conn.execute(delete(_W))
    changes = _changes([], (folded(row) for row in conn.execute(select(_F.c.question, _F.c.answer))))
    for start in range(0, len(changes), 5000):
        conn.execute(insert(_W), changes[start : start + 5000])
    return len(changes)


# --- matching ------------------------------------------------------------------------------------


def fts5_any(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression: any of the words (letters and digits only), each double-quoted."""
    return " OR ".join(f'"{word}"' for word in words)


def tsquery_any(words: Sequence[str]) -> str:
    """A to_tsquery text: any of the words, as quoted lexemes."""
    return " | ".join(f"'{word}'" for word in words)


# The rows a partner may be offered, found first through their indexes (the announcement's answers
# by ix_faq_document_announcement, the FAQs by the partial ix_faq_document_faq) on PostgreSQL: a few
# hundred at most, so the word match and its rank are computed for them alone, never for every answer
# holding a common word. On SQLite the same restriction is part of the FTS5 match (the `scope` words),
# which intersects the doclists inside the index.
_OFFERABLE_IDS = (
    "WITH o(id) AS MATERIALIZED ("
    "SELECT question_id FROM faq_document WHERE announcement_id = :announcement_id "
    "UNION SELECT question_id FROM faq_document WHERE faq) "
)


def fts5_scoped(words: Sequence[str], announcement_id: int | None) -> str:
    """(scope: faq OR a<id>) AND (any of the words)."""
    scopes = ['"faq"', *([f'"a{announcement_id}"'] if announcement_id is not None else [])]
    return f"scope : ({' OR '.join(scopes)}) AND ({fts5_any(words)})"


def word_sql(dialect: str, words: Sequence[str], params: dict[str, Any]) -> str:
    """The SELECT of offerable rows holding any of `words`, best first (`score`: lower is better)."""
    if dialect == "sqlite":
        announcement_id = params["announcement_id"]
        params["match"] = fts5_scoped(words, announcement_id if announcement_id >= 0 else None)
        params["scoped"] = SCOPED
        # No bm25() here: its IDF pass reads every row holding each word (the whole collection for a
        # common one) on every match — 90 ms at 50,000 answers. The scoped match returns few rows;
        # `weigh` ranks them (the question's words twice the answer's, as bm25 was weighted).
        return (
            f"SELECT {_COLUMNS}, 0.0 AS score "
            "FROM faq_fts JOIN faq_document f ON f.question_id = faq_fts.rowid "
            "JOIN channel c ON c.id = f.channel_id "
            "WHERE faq_fts MATCH :match LIMIT :scoped"
        )
    params["tsq"] = tsquery_any(words)
    return (
        f"{_OFFERABLE_IDS}SELECT {_COLUMNS}, -ts_rank(f.faq_vector, q.query, 1) AS score "
        "FROM o JOIN faq_document f ON f.question_id = o.id "
        "CROSS JOIN to_tsquery('simple', :tsq) AS q(query) JOIN channel c ON c.id = f.channel_id "
        "WHERE f.faq_vector @@ q.query ORDER BY score LIMIT :candidates"
    )


def weigh(wanted: MatchWords, question: str, answer: str) -> float:
    """A rank for SQLite's scoped matches (lower is better): the share of the wanted words found,
    those in the question counting twice those only in the answer."""
    in_question, in_answer = set(words_of(question)), set(words_of(answer))
    hits = sum(2 if w in in_question else 1 if w in in_answer else 0 for w in wanted.words)
    hits += sum(2 if g in question else 1 if g in answer else 0 for g in wanted.grams)
    return -hits / (2 * max(1, len(wanted.all)))


def gram_sql(grams: Sequence[str], params: dict[str, Any]) -> str:
    """The SELECT of offerable CJK rows holding any of `grams` (substrings), newest first."""
    likes = []
    for n, gram in enumerate(grams):
        params[f"gram{n}"] = f"%{_like_escape(gram)}%"
        likes.append(f"f.question LIKE :gram{n} ESCAPE '\\' OR f.answer LIKE :gram{n} ESCAPE '\\'")
    return (
        f"SELECT {_COLUMNS}, 0.0 AS score FROM faq_document f JOIN channel c ON c.id = f.channel_id "
        f"WHERE f.cjk AND {_OFFERABLE} AND ({' OR '.join(likes)}) "
        "ORDER BY f.question_id DESC LIMIT :candidates"
    )


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def candidate_queries(
    dialect: str, wanted: MatchWords, announcement_id: int | None
) -> list[tuple[str, dict[str, Any]]]:
    """The queries (SQL, parameters) that find the rows worth weighing for `wanted`."""
    queries = []
    base = {"announcement_id": announcement_id if announcement_id is not None else -1}
    base["candidates"] = CANDIDATES
    if wanted.words:
        params = dict(base)
        queries.append((word_sql(dialect, wanted.words, params), params))
    if wanted.grams:
        params = dict(base)
        queries.append((gram_sql(wanted.grams, params), params))
    return queries
