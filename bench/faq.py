"""Answers that already exist (issue 18) at scale: the FAQ match's latency p50/p95 over answered
questions, its index build time and size.

    uv run python bench/faq.py [--questions 50000 --announcements 20000 --matches 300]
        [--database sqlite|postgres|both] [--db URL]

Seeds partners, announcements and answered questions as bench/search.py does (its `seed`: texts drawn
from a Zipf-distributed vocabulary), builds `faq_document` as migration 0033 does for existing answers
(`index_all`: SQLite's FTS5 through its triggers, PostgreSQL's generated tsvector and GIN index),
marks one answered question in a hundred as FAQ, then times `FullTextSimilarity.similar` — the store's
candidate query, the relevance floor and the audience checks, what a partner's question costs before it
is stored — for questions under random announcements: new questions written from the same vocabulary
(most find nothing above the floor) and near-copies of answered ones (they find their original).
Each question is matched twice: with every significant word ("all words", the match before the
common-word rule) and without the words too common among the answered questions (bot/domain/faq.py),
as partnerbot matches. Wall time, this process's CPU (time.process_time: all the work on SQLite, the
client's share on PostgreSQL) and the PostgreSQL backends' CPU (bench/search.py's ServerCpu).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.databases import each_database
from bench.search import ServerCpu, Writer, _mean, _pp, seed, settled_size, size, vocabulary
from bot.app import build_app
from bot.config import Settings
from bot.domain.faq import FaqCandidate, MatchWords
from bot.ports.faq import FaqStore
from bot.services.similarity import FullTextSimilarity
from storage.engine import sync_url
from storage.repositories.faq_search import count_all, index_all


def build(url: str) -> None:
    engine = create_engine(sync_url(url))
    before = size(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        written = index_all(conn, now=datetime.now(UTC))
        conn.execute(
            text("UPDATE faq_document SET faq = true, scope = scope || ' faq' WHERE question_id % 100 = 0")
        )
        words = count_all(conn)
    built = time.perf_counter() - started
    after = settled_size(engine)
    engine.dispose()
    print(
        f"  faq index build: {built:.1f} s for {written:,} answered questions · database "
        f"{before / 2**20:.0f} MB → {after / 2**20:.0f} MB (+{(after - before) / 2**20:.0f} MB) · "
        f"{words:,} words counted"
    )


class AllWords:
    """The store as the match was before the common-word rule: no word is common."""

    def __init__(self, store: FaqStore) -> None:
        self._store = store

    async def common_words(self, *, words: object) -> frozenset[str]:
        return frozenset()

    async def candidates(self, *, wanted: MatchWords, announcement_id: int | None) -> list[FaqCandidate]:
        return await self._store.candidates(wanted=wanted, announcement_id=announcement_id)


async def measure(url: str, args: argparse.Namespace) -> None:
    rng = random.Random(1818)
    writer = Writer(rng, vocabulary(random.Random(18)))
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)  # type: ignore[call-arg]
    backends = ServerCpu(url) if url.startswith("postgresql") else None
    try:
        store = app.stores.faq
        matchers = {
            "all words": FullTextSimilarity(AllWords(store), app.stores.search),  # type: ignore[arg-type]
            "rare words": FullTextSimilarity(store, app.stores.search),
        }
        partner = await app.stores.directory.partner(2)  # gold
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            answered = [
                (row[0], row[1])
                for row in conn.execute(text("SELECT question, announcement_id FROM faq_document LIMIT 2000"))
            ]
        engine.dispose()
        questions = []
        for n in range(args.matches):
            kind = "new" if n % 2 == 0 else "near-copy"
            original, announcement = rng.choice(answered)
            words = original.split() if kind == "near-copy" else writer.text(8, 25).split()
            if kind == "near-copy":  # two thirds of an answered question's words, under its announcement
                rng.shuffle(words)
                words = words[: max(3, len(words) * 2 // 3)]
            else:
                announcement = rng.randint(1, args.announcements)
            questions.append((kind, " ".join(words), announcement))
        for name, similarity in matchers.items():
            for _, typed, announcement in questions[:10]:  # warm the connections' caches, uncounted
                await similarity.similar(
                    text=typed, channel_id=2, partner=partner, announcement_id=announcement, limit=3
                )
            wall: dict[str, list[float]] = {}
            cpu: dict[str, list[float]] = {}
            server: list[float] = []
            offered = {"new": 0, "near-copy": 0}
            for kind, typed, announcement in questions:
                before = backends.read() if backends else None
                started, busy = time.perf_counter(), time.process_time()
                found = await similarity.similar(
                    text=typed, channel_id=2, partner=partner, announcement_id=announcement, limit=3
                )
                wall.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                cpu.setdefault(kind, []).append((time.process_time() - busy) * 1000)
                after = backends.read() if backends else None
                if before is not None and after is not None:
                    server.append(after - before)
                offered[kind] += bool(found)
            print(
                f"  {name}:{'':9} {'wall':^25}  {'CPU (this process)':^25}"
                + ("  server CPU" if server else "")
            )
            for kind in wall:
                print(
                    f"  {kind:>18}: {_pp(wall[kind])}  {_pp(cpu[kind])}  · offered something "
                    f"{offered[kind]} of {len(wall[kind])}"
                )
            every = [v for values in wall.values() for v in values]
            busy_all = [v for values in cpu.values() for v in values]
            print(f"  {'all':>18}: {_pp(every)}  {_pp(busy_all)}" + _mean(server))
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        await app.close()
        if backends:
            backends.close()


async def seed_answers(url: str, name: str, args: argparse.Namespace) -> None:
    """Announcements and answered questions (`--announcements`, `--questions`), indexed for matching."""
    started = time.perf_counter()
    await asyncio.to_thread(seed, url, args.announcements, args.questions, datetime.now(UTC))
    print(f"{name}: seeded {args.questions:,} answered questions in {time.perf_counter() - started:.0f} s")
    # The migration built the (empty) index; the bench rebuilds it over the seeded answers.
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM faq_document"))
        conn.execute(text("DELETE FROM faq_word"))
    engine.dispose()
    await asyncio.to_thread(build, url)


async def run(url: str, name: str, args: argparse.Namespace) -> None:
    await seed_answers(url, name, args)
    await measure(url, args)


async def main(args: argparse.Namespace) -> None:
    await each_database(lambda url, kind: run(url, kind, args), db=args.db, choice=args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--announcements", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--db", help="this database URL (SQLite or PostgreSQL) instead of a temporary one")
    asyncio.run(main(parser.parse_args()))
