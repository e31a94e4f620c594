"""The embedding matcher's kept vectors (PARTNERBOT_SIMILARITY=embeddings; adapters/similarity/,
`faq_embedding`), on SQLite and PostgreSQL: each answered question is encoded once per wording and
model, not once per question asked; a vector goes when its wording changes (an FAQ edited, a new
answer) or its question is forgotten; an edit made while the model encodes is never overwritten by
the old words' vector; thousands of FAQs are walked a page at a time, and the first questions after
switching models encode a bounded number of them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

import adapters.similarity.embeddings as embeddings
from adapters.similarity.embeddings import embedded_text
from bot import messages as m
from bot.domain.faq import Wording
from storage.engine import make_sessionmaker
from storage.repositories import FaqVectorRepository
from storage.tables import FaqEmbeddingRow
from tests.conftest import FakeClock
from tests.encoders import MODEL, HashedWords, cosine
from tests.harness import Harness, make_embedding_harness
from tests.integration.support import id_from, rows
from tests.integration.test_faq_offers import (
    DEAL_ANSWER,
    DEAL_QUESTION,
    _announce,
    _answered,
    _ask,
    _members,
    _offered,
)


@pytest.fixture
def encoder() -> HashedWords:
    return HashedWords()


@pytest.fixture
async def harness(database_url: str, clock: FakeClock, encoder: HashedWords) -> AsyncIterator[Harness]:
    h = await make_embedding_harness(database_url, clock, encoder)
    yield h
    await h.close()


def _vectors(h: Harness) -> FaqVectorRepository:
    return FaqVectorRepository(make_sessionmaker(h.app.engine))


async def _kept(h: Harness) -> dict[int, bytes]:
    return {row.question_id: row.vector for row in await rows(h, FaqEmbeddingRow) if row.model == MODEL}


async def test_each_answer_is_encoded_once_not_per_question(harness: Harness, encoder: HashedWords) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    assert await _kept(h) == {}  # nothing is encoded before a question needs it
    encoder.encoded.clear()

    first = "Where do I register a deal? Is it in the portal?"
    _offered(await _ask(h, "birch", posts["birch"], first))
    assert encoder.encoded == [first, f"{DEAL_QUESTION}\n{DEAL_ANSWER}"]
    kept = await _kept(h)
    assert list(kept) == [answered] and len(kept[answered]) == 4 * len(HashedWords.vector(""))

    encoder.encoded.clear()
    second = "Can I register a deal in the portal?"
    _offered(await _ask(h, "cedar", posts["cedar"], second))
    assert encoder.encoded == [second]  # the answered question's vector was kept
    assert await _kept(h) == kept


async def test_an_edited_faq_is_matched_by_its_new_words(harness: Harness, encoder: HashedWords) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    await h.app.stores.faq.set_faq(answered, on=True, now=h.app.clock.now())
    _offered(await h.partner("birch", "ask Register a deal: which portal page?"))
    before = (await _kept(h))[answered]

    reworded = await h.admin(
        f'faq {answered} question:"Webinar recordings: where?" answer:"On the replay page."'
    )
    assert not reworded.is_error
    assert await _kept(h) == {}  # dropped with the old wording, in the edit's transaction
    # The old words no longer match; the new ones do, from a vector of the new wording.
    old = await h.partner("birch", "ask Register a deal: which portal page?")
    assert old.text == m.QUESTION_RECEIVED.format(id=id_from(old))
    encoder.encoded.clear()
    new = await h.partner("birch", "ask Where are the webinar recordings?")
    _offered(new)
    assert "On the replay page." in new.rows[0].text
    assert len(encoder.encoded) == 1  # the question: the FAQ's vector was kept by the one before
    after = (await _kept(h))[answered]
    assert after != before
    assert after == embeddings.pack(embeddings.normalised(HashedWords.vector(
        "Webinar recordings: where?\nOn the replay page."
    )))  # fmt: skip


async def test_a_new_answer_drops_the_vector(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    _offered(await _ask(h, "birch", posts["birch"], "Where do I register a deal in the portal?"))
    assert answered in await _kept(h)
    assert not (await h.admin(f"answer {answered} Use the Deals page of the portal instead.")).is_error
    assert await _kept(h) == {}
    offer = await _ask(h, "cedar", posts["cedar"], "Where do I register a deal in the portal?")
    _offered(offer)
    assert "Use the Deals page" in offer.rows[0].text and answered in await _kept(h)


async def test_an_edit_during_encoding_keeps_no_stale_vector(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    store = _vectors(h)
    [seen] = await store.wordings([answered])
    assert seen == Wording(answered, DEAL_QUESTION, DEAL_ANSWER)
    # The admin rewords it after the matcher read the words, before it keeps their vector.
    await h.app.stores.faq.set_wording(answered, question="Reworded?", answer=None, now=h.app.clock.now())
    await store.keep_vectors(model=MODEL, vectors=[(seen, b"\0\0\0\0")])
    assert await _kept(h) == {}
    [now] = await store.wordings([answered])
    await store.keep_vectors(model=MODEL, vectors=[(now, b"\0\0\x80\x3f")])
    assert await _kept(h) == {answered: b"\0\0\x80\x3f"}
    # Kept again (another process, or a model of another length under the same name): replaced.
    await store.keep_vectors(model=MODEL, vectors=[(now, b"\0\0\0\0\0\0\x80\x3f")])
    assert await _kept(h) == {answered: b"\0\0\0\0\0\0\x80\x3f"}


async def test_retention_forgets_the_vectors_of_forgotten_answers(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    kept = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    gone = await _answered(h, "acme", posts["acme"], "Is the webinar recorded?", "Yes, on the portal.")
    await h.app.stores.faq.set_faq(kept, on=True, now=clock.now())
    await _ask(h, "birch", posts["birch"], "Is the webinar recorded for later?")
    assert set(await _kept(h)) == {kept, gone}
    clock.advance(days=400)
    await h.app.stores.privacy.blank_before(clock.now(), placeholder="[removed]", reminder_prefix="reminder:")
    assert set(await _kept(h)) == {kept}  # with its faq_document row (ON DELETE CASCADE)


async def test_many_faqs_are_walked_by_pages_and_filled_a_few_per_question(
    harness: Harness, encoder: HashedWords, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    monkeypatch.setattr(embeddings, "PAGE", 3)
    monkeypatch.setattr(embeddings, "FILL_PER_QUESTION", 4)
    await _members(h)
    posts = await _announce(h)
    faqs = []
    for n in range(10):  # words no two of them share, so none is offered while they are asked
        faq = await _answered(h, "acme", posts["acme"], f"Item{n} colour{n} size{n}?", f"Reply{n}.")
        await h.app.stores.faq.set_faq(faq, on=True, now=h.app.clock.now())
        faqs.append(faq)
    # The last FAQ is the one that matches: the first questions cannot offer it yet.
    await h.app.stores.faq.set_wording(
        faqs[-1], question="How are territory rebates paid?", answer="Quarterly, by the distributor.",
        now=h.app.clock.now(),
    )  # fmt: skip
    async with h.app.engine.begin() as conn:  # as if the model had just been configured
        await conn.execute(delete(FaqEmbeddingRow.__table__))  # type: ignore[arg-type]
    offered = []
    for _ in range(3):
        encoder.encoded.clear()
        reply = await h.partner("birch", "ask How are territory rebates paid?")
        assert len(encoder.encoded) <= 1 + 4  # the question, and at most 4 candidates without a vector
        offered.append(bool(reply.rows))
    assert offered == [False, False, True]  # 4 + 4 filled, then the last 2 (the match among them)
    assert set(await _kept(h)) == set(faqs)
    encoder.encoded.clear()
    assert (await h.partner("birch", "ask How are territory rebates paid?")).rows
    assert len(encoder.encoded) == 1


async def test_each_model_keeps_its_own_vectors(database_url: str, clock: FakeClock) -> None:
    answered = 0
    for model in (MODEL, "tests/another-model"):
        h = await make_embedding_harness(database_url, clock, HashedWords(), model=model)
        try:
            if not answered:
                await _members(h)
                posts = await _announce(h)
                answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
                await h.app.stores.faq.set_faq(answered, on=True, now=h.app.clock.now())
            _offered(await h.partner("birch", "ask Where do I register a deal in the portal?"))
            found = {(row.question_id, row.model) for row in await rows(h, FaqEmbeddingRow)}
        finally:
            await h.close()
    assert found == {(answered, MODEL), (answered, "tests/another-model")}


def test_the_text_a_model_reads() -> None:
    assert embedded_text(Wording(1, "Where?", "There.")) == "Where?\nThere."
    assert embeddings.unpack(b"\0\0\0") is None  # not float32: treated as missing, recomputed
    assert embeddings.normalised([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert embeddings.dot(
        embeddings.normalised([3.0, 4.0]), embeddings.normalised([3.0, 4.0])
    ) == pytest.approx(1.0)


async def test_only_the_best_candidates_reach_the_audience_rules(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    best = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    other_answer = "Register each renewal deal in the portal."
    other = await _answered(h, "cedar", posts["cedar"], "Renewal deals: where?", other_answer)
    asked = "How do I register a deal in the portal?"
    assert cosine(asked, f"{DEAL_QUESTION}\n{DEAL_ANSWER}") > cosine(
        asked, f"Renewal deals: where?\n{other_answer}"
    )
    assert len((await _ask(h, "birch", posts["birch"], asked)).rows) == 2
    monkeypatch.setattr(embeddings, "CANDIDATES", 1)
    offer = await _ask(h, "birch", posts["birch"], asked)
    assert [row.button.value.split("-")[1] for row in offer.rows if row.button] == [str(best)]
    assert other != best
