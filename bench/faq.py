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
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.search import Writer, _analyze, _p, seed, size, vocabulary
from bot.app import build_app
from bot.config import Settings
from bot.services.similarity import FullTextSimilarity
from storage.engine import sync_url
from storage.repositories.faq_search import index_all


def build(url: str) -> None:
    engine = create_engine(sync_url(url))
    before = size(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        written = index_all(conn, now=datetime.now(UTC))
        conn.execute(
            text("UPDATE faq_document SET faq = true, scope = scope || ' faq' WHERE question_id % 100 = 0")
        )
    built = time.perf_counter() - started
    if engine.dialect.name == "postgresql":
        _analyze(engine)
    else:
        with engine.connect() as conn:
            conn.execute(text("VACUUM"))
    after = size(engine)
    engine.dispose()
    print(
        f"  faq index build: {built:.1f} s for {written:,} answered questions · database "
        f"{before / 2**20:.0f} MB → {after / 2**20:.0f} MB (+{(after - before) / 2**20:.0f} MB)"
    )


async def measure(url: str, args: argparse.Namespace) -> None:
    rng = random.Random(1818)
    writer = Writer(rng, vocabulary(random.Random(18)))
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)  # type: ignore[call-arg]
    try:
        similarity = FullTextSimilarity(app.stores.faq, app.stores.search)
        partner = await app.stores.directory.partner(2)  # gold
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            answered = [
                (row[0], row[1])
                for row in conn.execute(text("SELECT question, announcement_id FROM faq_document LIMIT 2000"))
            ]
        engine.dispose()
        kinds: dict[str, list[float]] = {"new": [], "near-copy": []}
        offered = {"new": 0, "near-copy": 0}
        for n in range(args.matches):
            kind = "new" if n % 2 == 0 else "near-copy"
            original, announcement = rng.choice(answered)
            words = original.split() if kind == "near-copy" else writer.text(8, 25).split()
            if kind == "near-copy":  # two thirds of an answered question's words, under its announcement
                rng.shuffle(words)
                words = words[: max(3, len(words) * 2 // 3)]
            else:
                announcement = rng.randint(1, args.announcements)
            started = time.perf_counter()
            found = await similarity.similar(
                text=" ".join(words),
                channel_id=2,
                partner=partner,
                announcement_id=announcement,
                limit=3,
            )
            kinds[kind].append((time.perf_counter() - started) * 1000)
            offered[kind] += bool(found)
        every = [v for values in kinds.values() for v in values]
        for kind, values in kinds.items():
            print(
                f"  {kind:10} p50 {_p(values, 50):6.1f} ms · p95 {_p(values, 95):6.1f} ms · "
                f"offered something {offered[kind]} of {len(values)}"
            )
        print(f"  all        p50 {_p(every, 50):6.1f} ms · p95 {_p(every, 95):6.1f} ms")
    finally:
        await app.close()


async def run(url: str, name: str, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    await asyncio.to_thread(seed, url, args.announcements, args.questions, datetime.now(UTC))
    print(f"{name}: seeded {args.questions:,} answered questions in {time.perf_counter() - started:.0f} s")
    # The migration built the (empty) index; the bench rebuilds it over the seeded answers.
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM faq_document"))
    engine.dispose()
    await asyncio.to_thread(build, url)
    await measure(url, args)


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    if args.db:
        await run(args.db, args.db.split(":")[0], args)
        return
    for database in ["sqlite", "postgres"] if args.database == "both" else [args.database]:
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                await run(f"sqlite:///{tmp}/bench.db", "sqlite", args)
            continue
        if find_bindir() is None:
            print("postgres: skipped — no PostgreSQL binaries found (set PARTNERBOT_PG_BINDIR or pass --db)")
            continue
        cluster = await asyncio.to_thread(start_cluster)
        try:
            await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
            await run(cluster.url("bench"), "postgres", args)
        finally:
            await asyncio.to_thread(cluster.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--announcements", type=int, default=20_000)
    parser.add_argument("--matches", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--db", help="this database URL (SQLite or PostgreSQL) instead of a temporary one")
    asyncio.run(main(parser.parse_args()))
