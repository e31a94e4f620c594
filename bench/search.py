"""`news search` at scale: index build time, database size overhead, search latency p50/p95.

    uv run python bench/search.py [--announcements 100000 --questions 50000 --searches 300]
        [--database sqlite|postgres|both] [--db URL [--seeded]]

Seeds partners (one channel each), topics, announcements (titles and bodies drawn from a vocabulary
with a Zipf-like frequency, a fifth of them for one tier only, one in fifty with a Japanese variant)
and answered questions with bulk inserts, then builds the search index over them as migration 0030
does for existing rows (`reindex_all`: search_document, SQLite's FTS5 tables through their triggers,
PostgreSQL's generated tsvector and its GIN index), timed, and prints how much the database grew.
Then it runs `--searches` searches through `SearchRepository.search` (the SQL a `news search` runs)
and through the whole use-case (`SearchService.search`: the search, the announcements read back and
the snippets), for a silver partner's channel, with queries of several kinds (mid-frequency words,
two words, a phrase, a prefix, a very common word, a rare word, Japanese, a word in none), and
prints p50/p95 per kind and overall, with the load average (the machine may be shared).

`--db URL` uses that database (SQLite file or PostgreSQL) instead of a temporary SQLite file and a
throwaway PostgreSQL cluster (tests/pg.py); `--db URL --seeded` measures a database a run with the
same `--db` seeded and indexed before, without seeding again (that takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, Table, create_engine, text
from sqlmodel import SQLModel

from bench.databases import each_database
from bench.engagement import _batches
from bot.app import build_app
from bot.commands import SearchNews
from bot.config import Settings
from bot.domain import ChannelRef, Invocation, Platform, UserRef
from bot.domain.search import SearchQuery, parse_query
from storage import migrate
from storage.engine import sync_url
from storage.repositories.search import reindex_all
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    AnnouncementVariantRow,
    AnswerRow,
    ChannelRow,
    PartnerRow,
    QuestionRow,
    TopicRow,
)

TIERS = ("platinum", "gold", "silver", "registered")
TOPICS = ("security", "pricing", "product", "events", "training", "legal", "support", "marketing")
JAPANESE = (
    "新しい価格表",
    "パートナー",
    "登録",
    "販売",
    "サポート",
    "製品",
    "更新",
    "セキュリティ",
    "公開",
    "詳細",
)
PARTNERS = 1_000
SEED = 18  # the vocabulary is the first thing drawn from it: `--seeded` draws it again
VOCABULARY = 6_000


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable made-up words, most frequent first."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        words["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


class Writer:
    """Text with word frequencies falling as 1/rank (Zipf), as in natural language."""

    def __init__(self, rng: random.Random, words: list[str]) -> None:
        self.rng, self.words = rng, words
        self.cum = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))

    def text(self, low: int, high: int) -> str:
        picked = self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(low, high))
        return " ".join(picked).capitalize() + "."


def seed(url: str, announcements: int, questions: int, now: datetime) -> list[str]:
    """Everything but the search index; returns the vocabulary, most frequent first."""
    migrate.upgrade(url)
    rng = random.Random(SEED)
    words = vocabulary(rng)
    writer = Writer(rng, words)
    old = now - timedelta(days=3 * 365)
    engine = create_engine(sync_url(url))

    def sent(a: int) -> datetime:
        return old + timedelta(seconds=a * (3 * 365 * 86_400) // announcements)

    tables: list[tuple[Table, Iterator[dict[str, Any]]]] = [
        (_t(PartnerRow), ({"id": i, "name": f"Partner {i:05d}", "tier": TIERS[i % 4], "type": "reseller",
                           "region": "emea", "language": "ja" if i % 50 == 0 else "en", "timezone": "UTC",
                           "created_at": old} for i in range(1, PARTNERS + 1))),
        (_t(ChannelRow), ({"id": i, "platform": "slack", "workspace_id": "T0BENCH", "channel_id": f"C{i:08d}",
                           "name": "", "partner_id": i, "mode": "immediate", "active": True,
                           "deactivated_reason": "", "created_at": old} for i in range(1, PARTNERS + 1))),
        (_t(TopicRow), ({"id": n, "slug": slug, "title": slug.title(), "description": "", "archived": False,
                         "created_at": old} for n, slug in enumerate(TOPICS, 1))),
        (_t(AnnouncementRow), (_announcement(a, writer, sent(a)) for a in range(1, announcements + 1))),
        (_t(AnnouncementTopicRow), ({"announcement_id": a, "topic_id": a % len(TOPICS) + 1}
                                    for a in range(1, announcements + 1))),
        (_t(AnnouncementVariantRow), ({"announcement_id": a, "language": "ja",
                                       "title": rng.choice(JAPANESE) + "のお知らせ",
                                       "body": "".join(rng.choices(JAPANESE, k=12)) + "。", "revision": 1,
                                       "updated_at": sent(a)} for a in range(7, announcements + 1, 50))),
        (_t(QuestionRow), (_question(q, q % announcements + 1, writer, sent(q % announcements + 1))
                           for q in range(1, questions + 1))),
        (_t(AnswerRow), ({"id": q, "question_id": q, "admin_platform": "slack", "admin_id": "U0",
                          "admin_name": "", "text": writer.text(10, 60),
                          "created_at": sent(q % announcements + 1)} for q in range(1, questions + 1))),
    ]  # fmt: skip
    with engine.begin() as conn:
        for table, rows in tables:
            for batch in _batches(rows):
                conn.execute(table.insert(), batch)
    _fix_sequences(engine)
    engine.dispose()
    return words


def _announcement(a: int, writer: Writer, at: datetime) -> dict[str, Any]:
    """Every fifth for one tier only; one in 97 recalled."""
    return {"id": a, "title": writer.text(3, 8)[:150], "body": writer.text(40, 160),
            "audience": {"tiers": [TIERS[a % 4]]} if a % 5 == 0 else {}, "priority": "normal",
            "status": "recalled" if a % 97 == 0 else "sent", "author_platform": "slack",
            "author_workspace": "T0BENCH", "author_user": "U0", "author_name": "", "origin_channel": "C0",
            "created_at": at, "sent_at": at, "ack_required": False, "revision": 0, "progress_text": "",
            "progress_final": False}  # fmt: skip


def _question(q: int, announcement: int, writer: Writer, at: datetime) -> dict[str, Any]:
    return {"id": q, "channel_id": q % PARTNERS + 1, "announcement_id": announcement, "asker_id": "U1",
            "asker_name": "", "text": writer.text(8, 30), "status": "answered", "created_at": at,
            "answered_at": at}  # fmt: skip


def _fix_sequences(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("partner", "channel", "topic", "announcement", "question", "answer"):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            )


def size(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        return int(pages) * int(conn.execute(text("PRAGMA page_size")).scalar_one())


def settled_size(engine: Engine) -> int:
    """The database's size once what was just written is settled: statistics on PostgreSQL, free
    pages returned on SQLite, so that two measurements compare."""
    if engine.dialect.name == "postgresql":
        _analyze(engine)
    else:
        with engine.connect() as conn:
            conn.execute(text("VACUUM"))
    return size(engine)


def build_index(url: str) -> None:
    engine = create_engine(sync_url(url))
    if engine.dialect.name == "postgresql":
        _analyze(engine)
    before = size(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        written = reindex_all(conn)
    built = time.perf_counter() - started
    after = settled_size(engine)
    engine.dispose()
    print(
        f"  index build: {built:.1f} s for {written:,} announcements · database {before / 2**20:.0f} MB → "
        f"{after / 2**20:.0f} MB (+{(after - before) / 2**20:.0f} MB, +{(after - before) / before:.0%})"
    )


def _analyze(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def queries(words: list[str], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, words) pairs: words ranked 50 to 2,000 are a partner's typical terms; the top 10 are the
    worst case (they are in most announcements); words ranked past 4,000 are in a few dozen; "no match"
    is a word in none (the vocabulary has no `q` or `x`)."""
    mid = words[50:2000]
    kinds = {
        "word": lambda: rng.choice(mid),
        "two words": lambda: f"{rng.choice(mid)} {rng.choice(mid)}",
        "phrase": lambda: f'"{rng.choice(words[:300])} {rng.choice(words[:300])}"',
        "prefix": lambda: rng.choice(mid)[:4] + "*",
        "common word": lambda: rng.choice(words[:10]),
        "rare word": lambda: rng.choice(words[4000:]),
        "japanese": lambda: rng.choice(JAPANESE),
        "no match": lambda: rng.choice(words[50:2000]) + "qx",
    }
    return [(kind, make()) for kind, make in itertools.islice(itertools.cycle(kinds.items()), count)]


class ServerCpu:
    """CPU time of the PostgreSQL backends serving this database, read from /proc: where the cluster
    runs on this machine (as the bench's own does) and as a mean over a kind's searches (Linux counts
    in clock ticks). Unlike wall time it does not grow with other jobs' load."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(sync_url(url)).execution_options(isolation_level="AUTOCOMMIT")
        self._conn = self._engine.connect()

    def read(self) -> float | None:
        pids = self._conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalars()
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return None  # not on this machine, or not ours to read
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
        return ticks * 1000 / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self._conn.close()
        self._engine.dispose()


async def measure(url: str, words: list[str], searches: int) -> None:
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)  # type: ignore[call-arg]
    rng = random.Random(7)
    store, service = app.stores.search, app.bot.search
    partner = await app.stores.directory.partner(2)  # silver (partner i has tier TIERS[i % 4])
    inv = Invocation(
        channel=ChannelRef(Platform.SLACK, "T0BENCH", "C00000002"),
        user=UserRef(Platform.SLACK, "T0BENCH", "U1", "bench"),
    )
    timings: dict[str, list[float]] = {}
    wholes: dict[str, list[float]] = {}
    # CPU per search SQL, steadier than wall time on a busy machine: this process's (all of it on
    # SQLite, the client's share on PostgreSQL) and the PostgreSQL backends'.
    cpu: dict[str, list[float]] = {}
    server: dict[str, list[float]] = {}
    backends = ServerCpu(url) if url.startswith("postgresql") else None
    found = 0
    try:
        # Not counted: warming up the connections' caches, as a running bot's are.
        for _, typed in queries(words, random.Random(1), 16):
            await service.search(inv, SearchNews(typed, cast(SearchQuery, parse_query(typed))))
        for kind, typed in queries(words, rng, searches):
            query = parse_query(typed)
            assert isinstance(query, SearchQuery), typed
            before = backends.read() if backends else None
            started, busy = time.perf_counter(), time.process_time()
            hits = await store.search(query=query, channel_id=2, partner=partner, limit=6)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            cpu.setdefault(kind, []).append((time.process_time() - busy) * 1000)
            after = backends.read() if backends else None
            if before is not None and after is not None:
                server.setdefault(kind, []).append(after - before)
            found += bool(hits)
            started = time.perf_counter()
            await service.search(inv, SearchNews(typed, query))
            wholes.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    finally:
        await app.close()
        if backends:
            backends.close()
    print(
        f"  {'':>12}  {'search SQL':^25}  {'whole use-case':^25}  {'CPU of the search SQL':^25}"
        + ("  server CPU" if server else "")
    )
    for kind, values in timings.items():
        print(f"  {kind:>12}: {_pp(values)}  {_pp(wholes[kind])}  {_pp(cpu[kind])}" + _mean(server.get(kind)))
    every, whole, busy_all, served = (
        [t for values in table.values() for t in values] for table in (timings, wholes, cpu, server)
    )
    print(f"  {'all ' + str(len(every)):>12}: {_pp(every)}  {_pp(whole)}  {_pp(busy_all)}" + _mean(served))
    print(
        f"  {found} found something · CPU: this process's (all of the work on SQLite, the client's share "
        f"on PostgreSQL); server CPU: the PostgreSQL backends', mean per search · load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


def _mean(values: list[float] | None) -> str:
    return f"  mean {statistics.mean(values):5.1f} ms" if values else ""


def _pp(values: list[float]) -> str:
    return f"p50 {_p(values, 50):6.1f} ms · p95 {_p(values, 95):6.1f} ms"


def _p(values: list[float], percent: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[percent - 1] if len(values) > 1 else values[0]
    )


async def run(url: str, name: str, args: argparse.Namespace) -> None:
    if args.seeded:
        print(f"{name}: measured as seeded before (--seeded)")
        await measure(url, vocabulary(random.Random(SEED)), args.searches)
        return
    started = time.perf_counter()
    words = await asyncio.to_thread(seed, url, args.announcements, args.questions, datetime.now(UTC))
    print(
        f"{name}: seeded {args.announcements:,} announcements and {args.questions:,} answered questions "
        f"in {time.perf_counter() - started:.0f} s"
    )
    await asyncio.to_thread(build_index, url)
    await measure(url, words, args.searches)


async def main(args: argparse.Namespace) -> None:
    if args.seeded and not args.db:
        sys.exit("--seeded needs --db: the database seeded before")
    await each_database(lambda url, kind: run(url, kind, args), db=args.db, choice=args.database)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--announcements", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--db", help="this database URL (SQLite or PostgreSQL) instead of a temporary one")
    parser.add_argument(
        "--seeded", action="store_true", help="with --db: measure a database this bench seeded before"
    )
    asyncio.run(main(parser.parse_args()))
