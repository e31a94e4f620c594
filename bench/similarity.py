"""The embedding matcher (PARTNERBOT_SIMILARITY=embeddings) at scale: what one partner question costs
when the vendor has thousands of FAQs.

    uv run python bench/similarity.py [--questions 20000 --announcements 5000 --faqs 2000 --matches 100]
        [--database sqlite|postgres|both] [--db URL] [--model DIR] [--runs N]

Seeds answered questions as bench/faq.py does (bench/search.py's `seed`, `faq_document` built as
migration 0033 does), marks `--faqs` of them as FAQs, then times `EmbeddingSimilarity.similar`:

- a question right after a model is configured (nothing kept): its own encoding and at most
  `FILL_PER_QUESTION` candidates';
- the filling: the `faq-vectors` job's runs (`VectorFill`, `VECTORS_PER_RUN` a run, in batches) until
  every FAQ and every answer under an announcement has its vector (`faq_embedding`);
- kept: questions under random announcements once every vector is kept — the query's encoding, the
  walk over the FAQs' vectors a page at a time, the cosine per candidate and the audience rules.

Without `--model` the encoder is the tests' hashed bag of words (tests/encoders.py, 1,024 dimensions,
no ML library): it times partnerbot's own share. With `--model DIR` (a sentence-transformers model
directory; needs `pip install 'partnerbot[embeddings]'` in the environment that runs this) the model's
encoding is included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from adapters.similarity import EmbeddingSimilarity, Encoder, VectorFill, load_sentence_transformer
from bench.databases import each_database
from bench.faq import seed_answers
from bench.search import Writer, _pp, vocabulary
from bot.app import build_app
from bot.config import Settings
from bot.domain.directory import Partner
from bot.jobs import VECTORS_PER_RUN
from bot.services.similarity import OfferAudience
from storage.engine import make_sessionmaker, sync_url
from storage.repositories import FaqVectorRepository
from tests.encoders import MODEL, HashedWords


class Counted:
    """The encoder, counting the texts it is given and the time it takes (the model's share)."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.texts = 0
        self.seconds = 0.0

    def encode(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        started = time.perf_counter()
        vectors = self._encoder.encode(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors


def mark_faqs(url: str, faqs: int, questions: int) -> int:
    engine = create_engine(sync_url(url))
    step = max(1, questions // max(1, faqs))
    with engine.begin() as conn:
        # Only the flag: `scope` feeds the full-text index, which this bench does not read.
        conn.execute(
            text("UPDATE faq_document SET faq = (question_id % :step = 0 AND question_id <= :last)"),
            {"step": step, "last": step * faqs},
        )
        marked = int(conn.execute(text("SELECT count(*) FROM faq_document WHERE faq")).scalar_one())
    engine.dispose()
    return marked


async def measure(url: str, args: argparse.Namespace, model_encoder: Encoder, model: str) -> None:
    rng = random.Random(1818)
    encoder = Counted(model_encoder)
    writer = Writer(rng, vocabulary(random.Random(18)))
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)  # type: ignore[call-arg]
    try:
        similarity = EmbeddingSimilarity(
            FaqVectorRepository(make_sessionmaker(app.engine)),
            OfferAudience(app.stores.search),
            encoder,
            model=model,
            floor=args.floor,
        )
        partner = await app.stores.directory.partner(2)  # gold
        questions = [(writer.text(8, 25), rng.randint(1, args.announcements)) for _ in range(args.matches)]
        await cold(similarity, encoder, questions[:3], partner)
        await fill(FaqVectorRepository(make_sessionmaker(app.engine)), encoder, model, args.runs)
        encoder.texts, encoder.seconds = 0, 0.0
        wall: list[float] = []
        cpu: list[float] = []
        offered = 0
        for typed, announcement in questions:
            started, busy = time.perf_counter(), time.process_time()
            found = await similarity.similar(
                text=typed, channel_id=2, partner=partner, announcement_id=announcement, limit=3
            )
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - busy) * 1000)
            offered += bool(found)
        print(f"  {'':14} {'wall':^25}  {'CPU (this process)':^25}")
        print(
            f"  {'kept vectors':>14}: {_pp(wall)}  {_pp(cpu)}  · offered something {offered} of {len(wall)}"
        )
        print(
            f"  {'':14} the model: {encoder.texts / len(wall):.1f} texts and "
            f"{encoder.seconds * 1000 / len(wall):.1f} ms per question (mean)"
        )
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        await app.close()


async def cold(
    similarity: EmbeddingSimilarity,
    encoder: Counted,
    questions: Sequence[tuple[str, int]],
    partner: Partner | None,
) -> None:
    """Questions right after the model is configured: nothing kept, the wait bounded by FILL_PER_QUESTION."""
    for typed, announcement in questions:
        encoder.texts, encoder.seconds = 0, 0.0
        started = time.perf_counter()
        await similarity.similar(
            text=typed, channel_id=2, partner=partner, announcement_id=announcement, limit=3
        )
        print(
            f"  question with nothing kept: {(time.perf_counter() - started) * 1000:.0f} ms wall, "
            f"{encoder.texts} texts encoded in {encoder.seconds * 1000:.0f} ms"
        )


async def fill(vectors: FaqVectorRepository, encoder: Counted, model: str, runs: int) -> None:
    """The `faq-vectors` job's runs (VECTORS_PER_RUN each, in FILL_BATCH batches) until nothing is missing."""
    filler = VectorFill(vectors, encoder, model=model)
    encoder.texts, encoder.seconds = 0, 0.0
    started, done = time.perf_counter(), 0
    for done in range(1, runs + 1):
        run_started = time.perf_counter()
        encoded = await filler.fill(limit=VECTORS_PER_RUN)
        print(f"    faq-vectors run {done}: {encoded} encoded in {time.perf_counter() - run_started:.1f} s")
        if encoded < VECTORS_PER_RUN:
            break
    print(
        f"  the job: {done} runs, {time.perf_counter() - started:.1f} s, {encoder.texts:,} texts encoded in "
        f"{encoder.seconds:.1f} s ({encoder.seconds * 1000 / max(1, encoder.texts):.0f} ms per text)"
    )


async def run(url: str, name: str, args: argparse.Namespace, encoder: Encoder, model: str) -> None:
    await seed_answers(url, name, args)
    print(f"  {mark_faqs(url, args.faqs, args.questions):,} FAQs")
    await measure(url, args, encoder, model)


async def main(args: argparse.Namespace) -> None:
    if args.model:
        encoder, model = load_sentence_transformer(args.model), args.model
    else:
        encoder, model = HashedWords(), MODEL
    await each_database(
        lambda url, kind: run(url, kind, args, encoder, model), db=args.db, choice=args.database
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--announcements", type=int, default=5_000)
    parser.add_argument("--faqs", type=int, default=2_000)
    parser.add_argument("--matches", type=int, default=100)
    parser.add_argument("--floor", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=1_000, help="the faq-vectors job's runs, at most")
    parser.add_argument(
        "--model", help="a sentence-transformers model directory (else: a hashed bag of words)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--db", help="this database URL (SQLite or PostgreSQL) instead of a temporary one")
    asyncio.run(main(parser.parse_args()))
