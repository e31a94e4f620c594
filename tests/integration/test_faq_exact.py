"""The FAQ match offers exactly what the rules say, on SQLite and PostgreSQL (issue 18).

Random answered questions (a few words held by most of them, the rest rarer; accents; FAQs under
announcements of every audience, and direct questions) are indexed one by one as answers arrive,
some answered again, some FAQs reworded, some forgotten by retention. Then:

- `faq_word`, kept with the documents, equals a rebuild from them (`count_all`);
- for random questions, the answers offered equal a plain Python reading of the rules: the common
  words (held by more than COMMON_SHARE of the documents and more than COMMON_MIN_DOCS) left out, the
  relevance floor over the remaining significant words, and the audience rules (the announcement's
  own answers; FAQs whose announcement the partner may see). Far below the candidates a match reads,
  so the set must be exact.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, select, text
from sqlmodel import SQLModel

import adapters.similarity.embeddings as embeddings
from adapters.similarity.embeddings import EmbeddingSimilarity
from bot.domain.faq import (
    COMMON_MIN_DOCS,
    clears_floor,
    document_words,
    is_common,
    match_words,
    significant_words,
)
from bot.services.similarity import FullTextSimilarity, OfferAudience
from storage.engine import Sessions, make_engine, sync_url
from storage.repositories.faq import FaqRepository
from storage.repositories.faq_search import count_all, index_answer
from storage.repositories.faq_vectors import FaqVectorRepository
from storage.repositories.privacy import forget_old_answers
from storage.repositories.search import SearchRepository
from storage.tables import FaqWordRow, QuestionRow
from tests.encoders import FLOOR, MODEL, HashedWords, cosine
from tests.integration.test_search_exact import PARTNER, START, _seed, _visible

COMMON = ["deal", "portal"]  # in about 60% of the documents: common once past COMMON_MIN_DOCS
RARE = [
    "rebate",
    "webinar",
    "pricing",
    "margin",
    "renewal",
    "regional",
    "registration",
    "invoice",
    "onboarding",
    "certification",
    "quota",
    "territory",
    "Läuft",
    "résumé",
    "lizenz",
    "ablauf",
]
DOCUMENTS = 260
NOW = START + timedelta(days=400)


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _text(rng: random.Random) -> str:
    picked = [w for w in COMMON if rng.random() < 0.6]
    picked += rng.sample(RARE, rng.randint(1, 4))
    picked += rng.sample(["the", "how", "do", "we", "42", "a"], 2)
    rng.shuffle(picked)
    return " ".join(picked).capitalize() + "?"


async def _build(url: str, rng: random.Random, announcements: dict[int, Any], sessions: Sessions) -> None:
    """Answered questions, indexed as answers arrive; then answers again, FAQs, rewording, retention."""
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        for q in range(1, DOCUMENTS + 1):
            announcement = rng.choice([None, *announcements]) if rng.random() < 0.9 else None
            old = q % 25 == 0  # retention forgets these (unless they are FAQs)
            conn.execute(_t(QuestionRow).insert().values(
                id=q, channel_id=1, announcement_id=announcement, asker_id="U1", text=_text(rng),
                status="answered", created_at=START if old else NOW, answered_at=NOW))  # fmt: skip
    engine.dispose()
    store = FaqRepository(sessions)
    for q in range(1, DOCUMENTS + 1):
        async with sessions.begin() as session:
            await index_answer(session, q, _text(rng), now=NOW)
    for q in rng.sample(range(1, DOCUMENTS + 1), 30):  # answered again: the document is replaced
        async with sessions.begin() as session:
            await index_answer(session, q, _text(rng), now=NOW)
    for q in rng.sample(range(1, DOCUMENTS + 1), 12):
        await store.set_faq(q, on=True, now=NOW)
        if rng.random() < 0.5:
            await store.set_wording(q, question=_text(rng), answer=None, now=NOW)
    async with sessions.begin() as session:
        await forget_old_answers(await session.connection(), START + timedelta(days=1))


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        counts = {row.word: row.docs for row in conn.execute(select(_t(FaqWordRow))) if row.docs}
    engine.dispose()
    return counts


def _rebuilt(url: str) -> dict[str, int]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn, conn.begin() as transaction:
        count_all(conn)
        counts = {row.word: row.docs for row in conn.execute(select(_t(FaqWordRow)))}
        transaction.rollback()
    engine.dispose()
    return counts


def _documents(url: str) -> list[Any]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        found = list(
            conn.execute(
                text(
                    "SELECT question_id, announcement_id, question, answer, shown_question, "
                    "shown_answer, faq FROM faq_document"
                )
            )
        )
    engine.dispose()
    return found


def expected(
    documents: list[Any], announcements: dict[int, Any], asked: str, announcement: int | None
) -> set[int]:
    """The rules, read plainly."""
    docs: Counter[str] = Counter()
    for doc in documents:
        docs.update(document_words(f"{doc.question}\n{doc.answer}"))
    common = frozenset(w for w in docs if is_common(docs[w], len(documents)))
    wanted = match_words(asked, common)
    offered = set()
    for doc in documents:
        if (
            may_offer(doc, announcements, announcement)
            and wanted
            and clears_floor(wanted, f"{doc.question}\n{doc.answer}")
        ):
            offered.add(doc.question_id)
    return offered


def may_offer(doc: Any, announcements: dict[int, Any], announcement: int | None) -> bool:
    """The audience rules, read plainly: the announcement's own answers, and the FAQs whose
    announcement (if any) the partner may see."""
    own = doc.announcement_id is not None and doc.announcement_id == announcement
    faq_seen = bool(doc.faq) and (
        doc.announcement_id is None
        or doc.announcement_id == announcement
        or _visible(announcements[doc.announcement_id])
    )
    return own or faq_seen


async def test_counts_kept_with_the_documents_and_offers_exactly_what_the_rules_say(
    database_url: str,
) -> None:
    rng = random.Random(1818)
    announcements = _seed(database_url, rng)
    engine = make_engine(database_url)
    sessions = Sessions(engine)
    try:
        await _build(database_url, rng, announcements, sessions)
        assert _counts(database_url) == _rebuilt(database_url)
        documents = _documents(database_url)
        counts = _counts(database_url)
        assert counts[""] == len(documents) > COMMON_MIN_DOCS
        assert all(is_common(counts[w], len(documents)) for w in COMMON)  # the rule is exercised
        store = FaqRepository(sessions)
        similarity = FullTextSimilarity(store, SearchRepository(sessions))
        offered_any = 0
        for _ in range(120):
            asked = _text(rng) if rng.random() < 0.8 else " ".join(rng.sample(COMMON, 2))
            announcement = rng.choice([None, *announcements])
            want = expected(documents, announcements, asked, announcement)
            found = await similarity.similar(
                text=asked, channel_id=1, partner=PARTNER, announcement_id=announcement, limit=1000
            )
            assert {f.question_id for f in found} == want, asked
            first = await similarity.similar(
                text=asked, channel_id=1, partner=PARTNER, announcement_id=announcement, limit=3
            )
            assert len(first) == min(3, len(want)) and {f.question_id for f in first} <= want, asked
            offered_any += bool(want)
            every = significant_words(asked).words
            if every and all(w.lower() in COMMON for w in every):
                assert not found  # only common words: nothing to match on
        assert offered_any >= 20
    finally:
        await engine.dispose()


async def test_embeddings_offer_exactly_what_the_audience_rules_and_the_floor_say(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same random answered questions, matched by the embedding matcher (a hashed bag of words,
    tests/encoders.py): offered are the candidates the audience rules allow whose cosine similarity
    reaches the floor, best first — the FAQs walked a few at a time."""
    monkeypatch.setattr(embeddings, "PAGE", 5)
    monkeypatch.setattr(embeddings, "FILL_PER_QUESTION", 10_000)  # every candidate scored at once
    monkeypatch.setattr(embeddings, "CANDIDATES", 10_000)  # every one above the floor checked
    rng = random.Random(1819)
    announcements = _seed(database_url, rng)
    engine = make_engine(database_url)
    sessions = Sessions(engine)
    try:
        await _build(database_url, rng, announcements, sessions)
        documents = _documents(database_url)
        search = SearchRepository(sessions)
        # The audience check in one query agrees with the rule read plainly, and with `visible`.
        seen = await search.visible_among(set(announcements), channel_id=1, partner=PARTNER)
        assert seen == {a for a in announcements if _visible(announcements[a])} != set(announcements)
        for a in list(announcements)[:20]:
            assert await search.visible(a, channel_id=1, partner=PARTNER) == (a in seen)
        assert await search.visible_among(set(), channel_id=1, partner=PARTNER) == frozenset()
        similarity = EmbeddingSimilarity(
            FaqVectorRepository(sessions),
            OfferAudience(search),
            HashedWords(),
            model=MODEL,
            floor=FLOOR,
        )
        offered_any = 0
        for _ in range(120):
            asked = _text(rng)
            announcement = rng.choice([None, *announcements])
            scores = {
                doc.question_id: cosine(asked, f"{doc.shown_question}\n{doc.shown_answer}")
                for doc in documents
                if may_offer(doc, announcements, announcement)
            }
            # float32 vectors: a score within a hair of the floor may fall either way
            sure = {q for q, score in scores.items() if score >= FLOOR + 1e-5}
            near = {q for q, score in scores.items() if score >= FLOOR - 1e-5}
            found = await similarity.similar(
                text=asked, channel_id=1, partner=PARTNER, announcement_id=announcement, limit=1000
            )
            assert sure <= {f.question_id for f in found} <= near, asked
            assert [f.rank for f in found] == sorted(f.rank for f in found)
            for f in found:
                assert f.rank == pytest.approx(-scores[f.question_id], abs=1e-5)
            first = await similarity.similar(
                text=asked, channel_id=1, partner=PARTNER, announcement_id=announcement, limit=3
            )
            assert [f.question_id for f in first] == [f.question_id for f in found[:3]], asked
            offered_any += bool(found)
        assert offered_any >= 20
    finally:
        await engine.dispose()
