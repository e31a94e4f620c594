"""The `faq-vectors` job (bot/jobs.py, adapters/similarity/filling.py), on SQLite and PostgreSQL: a
partner's question encodes itself and at most `FILL_PER_QUESTION` missing vectors, never a backlog;
the job fills every missing vector in batches, a bounded number per run, and a second run finds
nothing to do; an FAQ edited while the job encodes keeps no stale vector; the job is scheduled only
with PARTNERBOT_SIMILARITY=embeddings, in a process that answers questions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import delete

import adapters.similarity.embeddings as embeddings
import bot.jobs as jobs
from adapters.local.workspace import Message
from adapters.similarity import VectorFill
from bot import messages as m
from bot.app import build_scheduler
from bot.jobs import run_job
from storage.engine import make_sessionmaker
from storage.repositories import FaqVectorRepository
from storage.tables import FaqEmbeddingRow, JobRunRow
from tests.conftest import FakeClock
from tests.encoders import MODEL, HashedWords
from tests.harness import Harness, make_embedding_harness, make_harness
from tests.integration.support import id_from, rows
from tests.integration.test_faq_offers import _announce, _answered, _members

MATCH_QUESTION = "How are territory rebates paid?"
MATCH_ANSWER = "Quarterly, by the distributor."


@pytest.fixture
def encoder() -> HashedWords:
    return HashedWords()


@pytest.fixture
async def harness(database_url: str, clock: FakeClock, encoder: HashedWords) -> AsyncIterator[Harness]:
    h = await make_embedding_harness(database_url, clock, encoder)
    yield h
    await h.close()


async def _kept(h: Harness) -> dict[int, bytes]:
    return {row.question_id: row.vector for row in await rows(h, FaqEmbeddingRow) if row.model == MODEL}


async def _forget_every_vector(h: Harness) -> None:
    """As if the model had just been configured: no answered question has a vector for it."""
    async with h.app.engine.begin() as conn:
        await conn.execute(delete(FaqEmbeddingRow.__table__))  # type: ignore[arg-type]


async def _faqs(h: Harness, count: int) -> tuple[list[int], dict[str, Message]]:
    """`count` FAQs whose words no two share (none is offered while the next is asked); the last
    one answers MATCH_QUESTION. With the announcement's posts they were asked under."""
    await _members(h)
    posts = await _announce(h)
    faqs = []
    for n in range(count):
        faq = await _answered(h, "acme", posts["acme"], f"Item{n} colour{n} size{n}?", f"Reply{n}.")
        await h.app.stores.faq.set_faq(faq, on=True, now=h.app.clock.now())
        faqs.append(faq)
    await h.app.stores.faq.set_wording(
        faqs[-1], question=MATCH_QUESTION, answer=MATCH_ANSWER, now=h.app.clock.now()
    )
    return faqs, posts


async def test_a_question_encodes_at_most_a_few_missing_vectors(
    harness: Harness, encoder: HashedWords
) -> None:
    h = harness
    faqs, _ = await _faqs(h, embeddings.FILL_PER_QUESTION + 3)
    await _forget_every_vector(h)
    encoder.encoded.clear()
    encoder.batches.clear()
    reply = await h.partner("birch", f"ask {MATCH_QUESTION}")
    # The question, then one batch of the first FILL_PER_QUESTION FAQs met; the matching FAQ (the
    # last) has no vector yet, so it is not compared and the question goes to the team as usual.
    assert encoder.batches == [1, embeddings.FILL_PER_QUESTION]
    assert reply.text == m.QUESTION_RECEIVED.format(id=id_from(reply))
    assert set(await _kept(h)) == set(faqs[: embeddings.FILL_PER_QUESTION])


async def test_the_job_fills_every_vector_in_batches_and_a_second_run_does_nothing(
    harness: Harness, encoder: HashedWords, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    faqs, _ = await _faqs(h, 9)
    await _forget_every_vector(h)
    encoder.batches.clear()
    monkeypatch.setattr(jobs, "VECTORS_PER_RUN", 6)  # a bounded run: 9 need two
    assert await run_job(h.app, "faq-vectors")
    assert sum(encoder.batches) == 6 and len(await _kept(h)) == 6
    clock.advance(minutes=1)
    assert await run_job(h.app, "faq-vectors")
    assert set(await _kept(h)) == set(faqs)
    assert encoder.batches == [6, 3]  # batches, not one text a call
    details = [row.detail for row in await rows(h, JobRunRow) if row.job == "faq-vectors"]
    assert sorted(details) == [m.JOB_VECTORS(3), m.JOB_VECTORS(6)]

    kept = await _kept(h)
    encoder.batches.clear()
    clock.advance(minutes=1)
    assert await run_job(h.app, "faq-vectors")
    assert encoder.batches == [] and await _kept(h) == kept  # idempotent: nothing was missing

    # A question now encodes only itself, and meets the matching FAQ's vector.
    encoder.encoded.clear()
    assert (await h.partner("birch", f"ask {MATCH_QUESTION}")).rows
    assert encoder.encoded == [MATCH_QUESTION]


async def test_the_filler_reads_faqs_then_answers_a_page_at_a_time(
    harness: Harness, encoder: HashedWords
) -> None:
    h = harness
    faqs, posts = await _faqs(h, 7)
    answers = [
        await _answered(h, channel, posts[channel], f"Only{n} here{n}?", f"Plain{n}.")
        for n, channel in enumerate(("acme", "cedar"))
    ]
    direct = await h.partner("cedar", "ask Direct question for the team?")
    assert not (await h.admin(f"answer {id_from(direct)} Never offered to others.")).is_error
    await _forget_every_vector(h)
    encoder.encoded.clear()
    encoder.batches.clear()
    filler = VectorFill(FaqVectorRepository(make_sessionmaker(h.app.engine)), encoder, model=MODEL, batch=3)
    assert await filler.fill(limit=5) == 5
    assert encoder.batches == [3, 2]  # the limit cuts the second page
    assert set(await _kept(h)) == set(faqs[-5:])  # FAQs first, newest first
    assert await filler.fill(limit=100) == 4
    assert encoder.batches == [3, 2, 2, 2]  # the last 2 FAQs, then the 2 answers
    # The direct question's answer (no announcement, no FAQ) is never offered, so never encoded.
    assert set(await _kept(h)) == {*faqs, *answers}
    assert not [text for text in encoder.encoded if "Never offered" in text]
    assert await filler.fill(limit=100) == 0 and encoder.batches == [3, 2, 2, 2]


class Held(HashedWords):
    """Encodes like `HashedWords`, but its first call waits (in the worker thread the matcher runs
    it in) until the test lets it go: the moment an admin may edit an FAQ mid-encoding."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()
        self.release = threading.Event()

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        if not self.started.is_set():
            self.started.set()
            assert self.release.wait(timeout=10), "the test never released the encoder"
        return super().encode(texts)


async def test_an_faq_edited_while_the_job_encodes_keeps_no_stale_vector(
    database_url: str, clock: FakeClock
) -> None:
    encoder = Held()
    encoder.started.set()  # not held while the FAQs are made
    h = await make_embedding_harness(database_url, clock, encoder)
    try:
        faqs, _ = await _faqs(h, 3)
        await _forget_every_vector(h)
        encoder.started.clear()
        running = asyncio.create_task(run_job(h.app, "faq-vectors"))
        assert await asyncio.to_thread(encoder.started.wait, 10)
        edited = faqs[0]
        await h.app.stores.faq.set_wording(
            edited, question="Webinar recordings: where?", answer=None, now=clock.now()
        )
        encoder.release.set()
        assert await asyncio.wait_for(running, timeout=10)
        assert set(await _kept(h)) == set(faqs) - {edited}  # its old words' vector was not kept

        clock.advance(minutes=1)
        encoder.encoded.clear()
        await run_job(h.app, "faq-vectors")  # the next run encodes the new wording
        assert encoder.encoded == [f"Webinar recordings: where?\n{'Reply0.'}"]
        assert set(await _kept(h)) == set(faqs)
    finally:
        encoder.release.set()
        await h.close()


async def test_the_job_runs_only_with_the_embedding_matcher(
    database_url: str, clock: FakeClock, harness: Harness
) -> None:
    assert "faq-vectors" in {job.id for job in build_scheduler(harness.app).get_jobs()}
    fulltext = await make_harness(database_url, clock)  # the default: PARTNERBOT_SIMILARITY=fulltext
    try:
        assert fulltext.app.vector_filler is None
        assert "faq-vectors" not in {job.id for job in build_scheduler(fulltext.app).get_jobs()}
        assert await run_job(fulltext.app, "faq-vectors") == []  # nothing claimed either
        assert [row for row in await rows(fulltext, JobRunRow) if row.job == "faq-vectors"] == []
    finally:
        await fulltext.close()
