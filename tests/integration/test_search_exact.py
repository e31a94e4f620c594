"""`SearchRepository.search` finds exactly what the rules say, on SQLite and PostgreSQL.

Random announcements (words from a small vocabulary, Japanese words, translations, audiences, every
status, copies delivered to the channel) and random queries of every kind (words, phrases, prefixes,
Japanese words of two and of three or more characters, mixtures); what the database finds is
compared with a plain Python reading of the rules: sent (or sending), its audience includes the
partner or a copy was delivered to the channel, and every term occurs in the title or in the text
(words and prefixes as words, Japanese as a substring). Far below the 2,000 candidates a search
ranks, so the set must be exact; the order is checked where the rank cannot tie: newest first among
results of equal score.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, text
from sqlmodel import SQLModel

from bot.domain import Partner
from bot.domain.search import SearchQuery, Term, fold, matches, parse_query
from storage.engine import Sessions, make_engine, sync_url
from storage.repositories.search import SearchRepository, narrow_enough, pg_narrow, reindex_all, search_sql
from storage.tables import (
    AnnouncementRow,
    AnnouncementVariantRow,
    ChannelRow,
    DeliveryRow,
    PartnerRow,
)

WORDS = ["deal", "registration", "portal", "rebate", "webinar", "pricing", "margin", "renewal", "regional"]
JAPANESE = ["価格", "登録", "新しい価格表", "パートナー", "販売"]
TIERS = ["gold", "silver"]
STATUSES = ["sent", "sent", "sent", "sending", "draft", "scheduled", "recalled", "cancelled"]
PARTNER = Partner(
    id=1, name="Acme", tier="gold", type="reseller", region="emea", language="en", timezone="UTC"
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _text(rng: random.Random, low: int, high: int) -> str:
    # Every title ends in "Notice", a word no query holds: a phrase never runs from a title into its
    # text (PostgreSQL's title || text tsvector would let it, SQLite's columns would not).
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _seed(url: str, rng: random.Random) -> dict[int, dict[str, Any]]:
    """60 announcements; returns what the reference needs of each: status, audience, texts, delivered."""
    announcements: dict[int, dict[str, Any]] = {}
    variants: list[dict[str, Any]] = []
    for a in range(1, 61):
        japanese = " ".join(rng.choice(JAPANESE) for _ in range(3)) if rng.random() < 0.3 else ""
        audience = {"tiers": [rng.choice(TIERS)]} if rng.random() < 0.3 else {}
        if rng.random() < 0.1:
            audience["regions"] = [rng.choice(["emea", "apac"])]
        title = _text(rng, 1, 3).capitalize() + " Notice"
        body = f"{_text(rng, 3, 12)}. {japanese}"
        announcements[a] = {
            "status": rng.choice(STATUSES),
            "audience": audience,
            "title": title,
            "texts": [body],
            "delivered": rng.random() < 0.1,
        }
        if rng.random() < 0.2:
            v_title, v_body = "Hinweis " + _text(rng, 1, 2), f"{_text(rng, 2, 6)} {rng.choice(JAPANESE)}"
            announcements[a]["texts"].append(f"{v_title}\n{v_body}")
            variants.append({"announcement_id": a, "language": "de", "title": v_title, "body": v_body,
                             "revision": 1, "updated_at": START})  # fmt: skip
    rows = [
        {"id": a, "title": item["title"], "body": item["texts"][0], "audience": item["audience"],
         "priority": "normal", "status": item["status"], "author_platform": "slack", "author_workspace": "T",
         "author_user": "U", "author_name": "", "origin_channel": "C0",
         "created_at": START + timedelta(hours=a), "ack_required": False, "revision": 0,
         "sent_at": START + timedelta(hours=a) if item["status"] in ("sent", "sending", "recalled") else None}
        for a, item in announcements.items()
    ]  # fmt: skip
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(_t(PartnerRow).insert(), [{"id": 1, "name": "Acme", "tier": "gold", "type": "reseller",
                                                "region": "emea", "language": "en", "timezone": "UTC",
                                                "created_at": START}])  # fmt: skip
        conn.execute(_t(ChannelRow).insert(), [{"id": 1, "platform": "slack", "workspace_id": "T",
                                                "channel_id": "C1", "name": "", "partner_id": 1,
                                                "mode": "immediate", "active": True, "deactivated_reason": "",
                                                "created_at": START}])  # fmt: skip
        conn.execute(_t(AnnouncementRow).insert(), rows)
        if variants:
            conn.execute(_t(AnnouncementVariantRow).insert(), variants)
        delivered = [a for a, item in announcements.items() if item["delivered"]]
        if delivered:
            copies = [{"announcement_id": a, "channel_id": 1, "platform": "slack", "status": "sent",
                       "not_before": START, "sent_at": START} for a in delivered]  # fmt: skip
            conn.execute(_t(DeliveryRow).insert(), copies)
        reindex_all(conn)
    engine.dispose()
    return announcements


def _query(rng: random.Random) -> str:
    kinds = [
        lambda: rng.choice(WORDS),
        lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
        lambda: f'"{rng.choice(WORDS)} {rng.choice(WORDS)}"',
        lambda: rng.choice(WORDS)[: rng.randint(2, 4)] + "*",
        lambda: f'"{rng.choice(WORDS)} {rng.choice(WORDS)[:3]}*"',
        lambda: rng.choice(JAPANESE),
        lambda: f"{rng.choice(JAPANESE)} {rng.choice(JAPANESE)}",
        lambda: f"{rng.choice(WORDS)} {rng.choice(JAPANESE)}",
        lambda: "Registration NOTICEX",
    ]
    return rng.choice(kinds)()


def _visible(item: dict[str, Any]) -> bool:
    if item["status"] not in ("sent", "sending"):
        return False
    audience = item["audience"]
    reaches = all(
        not audience.get(key) or value in audience[key]
        for key, value in (("tiers", PARTNER.tier), ("regions", PARTNER.region))
    )
    return reaches or bool(item["delivered"])


def _holds(text: str, term: Term) -> bool:
    return matches(fold(text), SearchQuery((term,)))


def expected(announcements: dict[int, dict[str, Any]], query: SearchQuery) -> set[int]:
    return {
        a
        for a, item in announcements.items()
        if _visible(item)
        and all(_holds(item["title"], t) or _holds("\n".join(item["texts"]), t) for t in query.terms)
    }


async def test_search_finds_exactly_what_the_rules_say(database_url: str) -> None:
    rng = random.Random(18)
    announcements = _seed(database_url, rng)
    engine = make_engine(database_url)
    repository = SearchRepository(Sessions(engine))
    try:
        for _ in range(80):
            typed = _query(rng)
            query = parse_query(typed)
            assert isinstance(query, SearchQuery), typed
            hits = await repository.search(query=query, channel_id=1, partner=PARTNER, limit=100)
            assert {hit.announcement_id for hit in hits} == expected(announcements, query), typed
            for better, worse in itertools.pairwise(hits):
                assert better.rank < worse.rank or (
                    better.rank == worse.rank and better.announcement_id > worse.announcement_id
                ), typed
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgresql_reads_few_matches_from_the_indexes_with_the_same_results(
    postgres_database_url: str,
) -> None:
    """Phrases of common words (through the word-pair index, migration 0039) and prefixes, read all
    from the GIN indexes (`narrow`) or newest first by the primary key: the same announcements in the
    same order, audience rules and recalled ones included, and both as the rules say."""
    database_url = postgres_database_url  # SQLite has one way to find candidates (FTS5, newest first)
    rng = random.Random(39)
    announcements = _seed(database_url, rng)
    engine = make_engine(database_url)
    # Phrases of three words and two phrases at once, taken from a text that a search must find.
    said = next(
        words
        for item in announcements.values()
        if _visible(item) and len(words := item["texts"][0].split(".")[0].split()) >= 4
    )
    typed = [
        '"deal registration"',
        '"deal deal"',
        f'"{said[0]} {said[1]} {said[2]}"',
        '"deal regist*"',
        '"pricing margin" renewal',
        f'"{said[0]} {said[1]}" "{said[2]} {said[3]}"',
        "regi*",
        "re*",
        "pri* deal",
        f"deal {JAPANESE[1]}",  # a CJK word: looked for in the texts the narrow scan kept
    ]
    empty: list[str] = []
    try:
        async with engine.connect() as conn:
            for words in typed:
                query = parse_query(words)
                assert isinstance(query, SearchQuery), words
                found = {}
                for narrow in (True, False):
                    params: dict[str, Any] = {"channel_id": 1, "limit": 100, "topic_id": None}
                    await pg_narrow(conn, query, params)
                    sql = search_sql("postgresql", query, PARTNER, params, narrow=narrow)
                    found[narrow] = [(row.id, row.score) for row in await conn.execute(text(sql), params)]
                assert found[True] == found[False], words
                assert {a for a, _ in found[True]} == expected(announcements, query), words
                empty += [] if found[True] else [words]
    finally:
        await engine.dispose()
    assert empty == [], "common words: each search should find something to compare"


def test_few_matches_are_read_from_the_index_below_the_square_root() -> None:
    assert narrow_enough(5_000, 100_000)  # a prefix in 5%: 5,000 rows by the index, not 40,000 walked
    assert not narrow_enough(50_000, 100_000)  # a common word: 4,000 rows walked, not 50,000
    assert not narrow_enough(10, 0)  # never analysed: the planner's own choice


@pytest.mark.postgres
async def test_postgresql_phrase_pairs_come_from_the_parser_and_searches_take_the_narrow_way(
    postgres_database_url: str,
) -> None:
    """A phrase's pairs are its adjacent whole words as the 'simple' parser normalises them (not the
    prefix at its end, none across two phrases); once the table is analysed, 60 announcements are few
    enough to read from the indexes, and the repository's searches that way find what the rules say."""
    database_url = postgres_database_url  # the word-pair index is PostgreSQL's (FTS5 keeps positions)
    announcements = _seed(database_url, random.Random(40))
    sync = create_engine(sync_url(database_url))
    with sync.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE search_document"))
    sync.dispose()
    pairs = {
        '"Deal REGISTRATION portal"': "'deal registration' & 'registration portal'",
        '"deal regist*"': None,
        '"deal registration" "portal rebate"': "'deal registration' & 'portal rebate'",
        "deal registration": None,
    }
    engine = make_engine(database_url)
    repository = SearchRepository(Sessions(engine))
    try:
        async with engine.connect() as conn:
            for typed, wanted in pairs.items():
                query = parse_query(typed)
                assert isinstance(query, SearchQuery), typed
                params: dict[str, Any] = {}
                assert await pg_narrow(conn, query, params), typed
                assert params["pairs"] == wanted, typed
        for typed in [
            '"deal registration"',
            '"deal deal"',
            '"deal regist*"',
            "regi*",
            '"pricing margin" renewal',
        ]:
            query = parse_query(typed)
            assert isinstance(query, SearchQuery), typed
            hits = await repository.search(query=query, channel_id=1, partner=PARTNER, limit=100)
            assert {hit.announcement_id for hit in hits} == expected(announcements, query), typed
    finally:
        await engine.dispose()
