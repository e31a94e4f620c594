"""Full-text search over announcements, by the database (issue 18).

`search_document` holds one row per announcement that may be found: folded title, folded body with
every variant's text, and its audience as `|value|` lists. `reindex` rewrites that row inside the
transaction that changed the announcement (create, send, edit, translate) and deletes it on recall or
discard. The indexes over it (migration 0030):

- SQLite: FTS5 `search_fts` (external content, `unicode61 remove_diacritics 2`, bm25 with the title
  weighted 10:1) and `search_trigram` (trigram tokenizer, only rows holding CJK text, for Japanese and
  Chinese, which unicode61 cannot split into words), both kept in step by triggers.
- PostgreSQL: the generated column `search_vector` (`to_tsvector('simple', …)`, title weight A, body
  B) with a GIN index, queried with `to_tsquery('simple', …)` built from sanitised words; CJK terms are
  matched as substrings (strpos) among the CJK rows. A phrase's announcements come from a GIN index of
  adjacent word pairs (`search_pairs`, migration 0039), since the words' index keeps no positions.

The 'simple' configuration (no stemming, no stop words) because announcements are multilingual: an
English stemmer would mangle the German variant, and "simple" matches SQLite's unicode61 word for word.
Accents are folded in Python before indexing and querying (bot/domain/search.py), so neither database
needs `unaccent`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, false, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Partner
from bot.domain.engagement import EngagementKind, NewsSearch
from bot.domain.search import DeliveredCopy, SearchHit, SearchQuery, Term, fold, is_cjk
from bot.domain.variants import Variant
from storage.repositories.base import Repository
from storage.repositories.engagement import record_event
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    AnnouncementVariantRow,
    DeliveryRow,
    SearchDocumentRow,
    TopicRow,
)

_D: Table = SQLModel.metadata.tables[SearchDocumentRow.__tablename__]
_A: Table = SQLModel.metadata.tables[AnnouncementRow.__tablename__]
_V: Table = SQLModel.metadata.tables[AnnouncementVariantRow.__tablename__]
_AT: Table = SQLModel.metadata.tables[AnnouncementTopicRow.__tablename__]
_T: Table = SQLModel.metadata.tables[TopicRow.__tablename__]
_DL: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
FOUND = ("sending", "sent")  # the statuses a search finds (as `news`)
CANDIDATES = 2_000  # matches ranked per search, newest first (`_candidates`)
_AUDIENCE = (("tiers", "tier"), ("types", "type"), ("regions", "region"), ("languages", "language"))
# What a PostgreSQL candidate carries out of its one scan of search_document (`search_sql`).
_PG_COLUMNS = "announcement_id AS id, tiers, types, regions, languages, title, body"


def document(
    title: str, body: str, variants: Iterable[tuple[str, str]], audience: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The search_document values (but the id) for an announcement's texts and stored audience."""
    texts = [body, *(f"{v_title}\n{v_body}" for v_title, v_body in variants)]
    values: dict[str, Any] = {"title": fold(title), "body": fold("\n".join(texts))}
    for column, _ in _AUDIENCE:
        wanted = sorted(set(audience.get(column, ())))
        values[column] = "|" + "|".join(wanted) + "|" if wanted else ""
    values["cjk"] = is_cjk(values["title"]) or is_cjk(values["body"])
    return values


async def reindex(session: AsyncSession, announcement_id: int) -> None:
    """Bring the announcement's search row up to date inside the caller's transaction: rewritten while
    it may be found some day (draft, scheduled, sent), removed once recalled or gone."""
    conn = await session.connection()
    await conn.execute(delete(_D).where(_D.c.announcement_id == announcement_id))
    row = (
        await conn.execute(
            select(_A.c.title, _A.c.body, _A.c.audience, _A.c.status).where(_A.c.id == announcement_id)
        )
    ).first()
    if row is None or row.status in ("recalled", "cancelled"):
        return
    variants = (
        await conn.execute(
            select(_V.c.title, _V.c.body)
            .where(_V.c.announcement_id == announcement_id, _V.c.machine == false())  # never sent: unsearched
            .order_by(_V.c.language)
        )
    ).all()
    values = document(row.title, row.body, [(v.title, v.body) for v in variants], row.audience or {})
    await conn.execute(insert(_D).values(announcement_id=announcement_id, **values))


async def unindex(session: AsyncSession, announcement_id: int) -> None:
    """Remove the announcement's search row (before the announcement itself is deleted)."""
    await (await session.connection()).execute(delete(_D).where(_D.c.announcement_id == announcement_id))


def reindex_all(conn: Connection) -> int:
    """Build every announcement's row (migration 0030, and the bench): synchronous, in batches."""
    variants: dict[int, list[tuple[str, str]]] = {}
    for v in conn.execute(select(_V.c.announcement_id, _V.c.title, _V.c.body).order_by(_V.c.language)):
        variants.setdefault(v.announcement_id, []).append((v.title, v.body))
    query = select(_A.c.id, _A.c.title, _A.c.body, _A.c.audience).where(
        _A.c.status.notin_(("recalled", "cancelled"))
    )
    batch: list[dict[str, Any]] = []
    written = 0
    for row in conn.execute(query):
        values = document(row.title, row.body, variants.get(row.id, ()), row.audience or {})
        batch.append({"announcement_id": row.id, **values})
        if len(batch) == 1000:
            written += _flush(conn, batch)
    return written + _flush(conn, batch)


def _flush(conn: Connection, batch: list[dict[str, Any]]) -> int:
    if batch:
        conn.execute(insert(_D), batch)
    count = len(batch)
    batch.clear()
    return count


# --- queries -------------------------------------------------------------------------------------


def _visible(partner: Partner | None, params: dict[str, Any]) -> str:
    """SQL: the announcement `a` (document `d`) reaches this channel: its audience at send time
    includes the channel's partner (as `news` decides), or a copy was delivered to the channel."""
    rules = []
    for column, attribute in _AUDIENCE:
        value = getattr(partner, attribute) if partner is not None else None
        if value:
            params[f"aud_{column}"] = "%|" + _like_escape(value) + "|%"
            rules.append(f"(d.{column} = '' OR d.{column} LIKE :aud_{column} ESCAPE '\\')")
        else:
            rules.append(f"d.{column} = ''")
    delivered = (
        "EXISTS (SELECT 1 FROM delivery dl WHERE dl.announcement_id = a.id"
        " AND dl.channel_id = :channel_id AND dl.status = 'sent')"
    )
    return f"(({' AND '.join(rules)}) OR {delivered})"


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts5_match(terms: Sequence[Term]) -> str:
    """An FTS5 MATCH expression for word terms: every word double-quoted (words hold letters and
    digits only), phrases as one string, a prefix as `"…" *`; all of them required."""
    return " AND ".join('"' + " ".join(term.words) + '"' + (" *" if term.prefix else "") for term in terms)


def tsquery(terms: Sequence[Term]) -> str:
    """A to_tsquery text for word terms: quoted lexemes, `<->` within a phrase, `:*` for a prefix."""
    parts = []
    for term in terms:
        lexemes = [f"'{word}'" for word in term.words]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def _contains(dialect: str, column: str, n: int) -> str:
    """SQL: the document's title or text holds the CJK word `:cjk{n}`. A plain substring test (instr,
    strpos), not LIKE: both texts are folded as the word is, and a LIKE pattern over multibyte text
    took 30 times as long on PostgreSQL."""
    find = "instr" if dialect == "sqlite" else "strpos"
    return f"({find}({column}title, :cjk{n}) > 0 OR {find}({column}body, :cjk{n}) > 0)"


def _candidates(
    dialect: str, query: SearchQuery, params: dict[str, Any], narrow: bool
) -> tuple[str, list[str]]:
    """The newest CANDIDATES documents that match the query's most selective indexed part — (SQL
    giving `id` and `score`, lower is better), and the conditions for the rest of it.

    Walking the index newest first and stopping at CANDIDATES bounds the work for a word found in
    most announcements (ranking all of them took seconds); below that many matches the ranking is
    exact, above it a result ranks among the newest CANDIDATES that match."""
    latin = [term for term in query.terms if not term.cjk]
    cjk = [word for term in query.terms if term.cjk for word in term.words]
    long = [word for word in cjk if len(word) >= 3] if dialect == "sqlite" else []
    short = [word for word in cjk if word not in long]
    rest: list[str] = []
    for n, word in enumerate(short):
        params[f"cjk{n}"] = word
    if latin and dialect == "sqlite":
        params["match"] = fts5_match(latin)
        found = (
            "SELECT rowid AS id, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts "
            "WHERE search_fts MATCH :match ORDER BY rowid DESC LIMIT :candidates"
        )
    elif latin and narrow:
        # Few matches (`narrow_enough`): all of them from the GIN indexes, fenced (OFFSET 0) so that
        # the planner cannot walk the newest rows instead, then the newest CANDIDATES. A phrase's
        # announcements come from its word pairs (migration 0039) and are checked for the phrase here.
        # Ranked before the sort, so that it sorts narrow rows, not their tsvectors (a wide sort of
        # 4,400 rows spilled to disk); the texts only when a CJK word must be looked for in them.
        params["tsq"] = tsquery(latin)
        indexed = (
            "search_pairs(search_vector) @@ CAST(:pairs AS tsquery)"
            if params.get("pairs")
            else "search_vector @@ to_tsquery('simple', :tsq)"
        )
        texts = ", title, body" if short else ""
        found = (
            f"SELECT announcement_id AS id, tiers, types, regions, languages{texts}, "
            "-ts_rank(search_vector, to_tsquery('simple', :tsq)) AS score "
            f"FROM (SELECT announcement_id, tiers, types, regions, languages{texts}, search_vector "
            f"FROM search_document WHERE {indexed} OFFSET 0) AS m "
            "WHERE search_vector @@ to_tsquery('simple', :tsq) "
            "ORDER BY announcement_id DESC LIMIT :candidates"
        )
    elif latin:
        # Many matches: newest first by the primary key, testing each row, until CANDIDATES match.
        params["tsq"] = tsquery(latin)
        found = (
            f"SELECT {_PG_COLUMNS}, search_vector FROM search_document "
            "WHERE search_vector @@ to_tsquery('simple', :tsq) "
            "ORDER BY announcement_id DESC LIMIT :candidates"
        )
    elif long:
        params["trigrams"] = " AND ".join(f'"{word}"' for word in long)
        found = (
            "SELECT rowid AS id, 0.0 AS score FROM search_trigram "
            "WHERE search_trigram MATCH :trigrams ORDER BY rowid DESC LIMIT :candidates"
        )
        long = []
    else:
        likes = " AND ".join(_contains(dialect, "", n) for n in range(len(short)))
        hint = " INDEXED BY ix_search_document_cjk" if dialect == "sqlite" else ""
        columns = "announcement_id AS id, 0.0 AS score" if dialect == "sqlite" else _PG_COLUMNS
        found = (
            f"SELECT {columns} FROM search_document{hint} "
            f"WHERE cjk AND {likes} ORDER BY announcement_id DESC LIMIT :candidates"
        )
        short = []
    if long:
        params["trigrams"] = " AND ".join(f'"{word}"' for word in long)
        rest.append("h.id IN (SELECT rowid FROM search_trigram WHERE search_trigram MATCH :trigrams)")
    rest += [_contains(dialect, "d.", n) for n in range(len(short))]
    return found, rest


def search_sql(
    dialect: str, query: SearchQuery, partner: Partner | None, params: dict[str, Any], *, narrow: bool = False
) -> str:
    """The SELECT of (announcement id, score) for `query`, best first, then newest; `params` filled in.

    The candidates drive: each is checked for its status (sent) and whether the channel may see it,
    SQLite from the small covering indexes of migration 0032 (INDEXED BY: it would read the wide rows
    for a rowid lookup otherwise), PostgreSQL from the audience the candidates' scan already read.
    `narrow` (PostgreSQL, from `pg_narrow`, which also fills `params["pairs"]`): read every match of
    the word terms from the GIN indexes rather than walking the newest rows; the same candidates."""
    found, rest = _candidates(dialect, query, params, narrow)
    params.setdefault("candidates", CANDIDATES)
    where = ["a.id = d.announcement_id", f"a.status IN {FOUND!r}", _visible(partner, params), *rest]
    if params.get("topic_id") is not None:
        where.append(
            "EXISTS (SELECT 1 FROM announcement_topic tp WHERE tp.announcement_id = a.id"
            " AND tp.topic_id = :topic_id)"
        )
    if dialect == "sqlite":
        joined = (
            f"WITH h AS MATERIALIZED ({found}) SELECT a.id AS id, h.score AS score FROM h "
            # CROSS JOIN: SQLite keeps this join order (the candidates drive).
            "CROSS JOIN announcement a INDEXED BY ix_announcement_found "
            "CROSS JOIN search_document d INDEXED BY ix_search_document_audience "
            f"WHERE d.announcement_id = h.id AND {' AND '.join(where)} "
        )
    else:
        # Ranked once the newest candidates are chosen (not every match before the sort), from the
        # tsvector their scan read; the texts only when a CJK word must be looked for in them.
        rank = "-ts_rank(search_vector, to_tsquery('simple', :tsq))" if "tsq" in params else "0.0"
        rank = "score" if narrow and "tsq" in params else rank  # ranked by the narrow scan already
        texts = ", title, body" if rest else ""
        joined = (
            f"WITH d AS MATERIALIZED (SELECT id AS announcement_id, {rank} AS score, "
            f"tiers, types, regions, languages{texts} FROM ({found}) AS found) "
            "SELECT a.id AS id, d.score AS score FROM d CROSS JOIN announcement a "
            f"WHERE {' AND '.join(where)} "
        )
    return joined + "ORDER BY score, COALESCE(a.sent_at, a.created_at) DESC, a.id DESC LIMIT :limit"


def narrow_enough(estimate: float, documents: float) -> bool:
    """Whether reading every match from the GIN index beats walking the newest rows: the walk reads
    about CANDIDATES / share rows, the index all documents * share of them; they cost the same at
    share = sqrt(CANDIDATES / documents) (14% of 100,000). PostgreSQL's own choice charges a row's
    tsquery test almost nothing, so it walked 38,000 rows for a prefix in 5% of them, and for a
    phrase it estimates all of its words, not their order."""
    return documents > 0 and estimate * estimate < CANDIDATES * documents


async def pg_narrow(conn: AsyncConnection, query: SearchQuery, params: dict[str, Any]) -> bool:
    """For PostgreSQL word terms: set `params["pairs"]` (a tsquery of the phrases' adjacent word
    pairs, normalised by the 'simple' parser as the documents were) and say whether the matches are
    few enough to read them all from the indexes (`narrow_enough`), from the planner's estimate."""
    latin = [term for term in query.terms if not term.cjk]
    if not latin:
        return False
    # A phrase's whole words (not the prefix at its end), each phrase parsed on its own so that no
    # pair spans two of them.
    phrases = [term.words[:-1] if term.prefix else term.words for term in latin]
    phrases = [words for words in phrases if len(words) > 1]
    texts = {f"phrase{n}": " ".join(words) for n, words in enumerate(phrases)}
    pairs = " || ".join(f"tsvector_to_array(search_pairs(to_tsvector('simple', :{name})))" for name in texts)
    look = text(
        "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass) AS documents, "
        + (f"(SELECT string_agg(quote_literal(p), ' & ') FROM unnest({pairs}) AS p)" if pairs else "NULL")
        + " AS pairs"
    )
    row = (await conn.execute(look, texts)).one()
    params["pairs"] = row.pairs
    probe: dict[str, Any] = {"tsq": tsquery(latin), "pairs": row.pairs}
    indexed = (
        "search_pairs(search_vector) @@ CAST(:pairs AS tsquery)"
        if row.pairs
        else "search_vector @@ to_tsquery('simple', :tsq)"
    )
    plan = (
        await conn.execute(
            text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document WHERE {indexed}"), probe
        )
    ).scalar_one()
    return narrow_enough(float(plan[0]["Plan"]["Plan Rows"]), float(row.documents or 0))


async def _hits(conn: AsyncConnection, ranked: list[tuple[int, float]]) -> list[SearchHit]:
    """The found announcements as results show them, in rank order (three queries in all)."""
    ids = [announcement_id for announcement_id, _ in ranked]
    if not ids:
        return []
    rows = {
        row.id: row
        for row in await conn.execute(
            select(_A.c.id, _A.c.title, _A.c.body, _A.c.sent_at, _A.c.created_at).where(_A.c.id.in_(ids))
        )
    }
    topics: dict[int, list[str]] = {}
    slugs = (
        select(_AT.c.announcement_id, _T.c.slug)
        .join(_T, _T.c.id == _AT.c.topic_id)
        .where(_AT.c.announcement_id.in_(ids))
        .order_by(_T.c.slug)
    )
    for announcement_id, slug in await conn.execute(slugs):
        topics.setdefault(announcement_id, []).append(slug)
    variants: dict[int, list[Variant]] = {}
    texts = select(_V.c.announcement_id, _V.c.language, _V.c.title, _V.c.body, _V.c.revision).where(
        _V.c.announcement_id.in_(ids)
    )
    for row in await conn.execute(texts.order_by(_V.c.announcement_id, _V.c.language)):
        variants.setdefault(row.announcement_id, []).append(
            Variant(row.language, row.title, row.body, row.revision)
        )
    return [
        SearchHit(
            announcement_id=i,
            rank=score,
            title=rows[i].title,
            body=rows[i].body,
            sent=rows[i].sent_at or rows[i].created_at,
            topics=tuple(topics.get(i, ())),
            variants=tuple(variants.get(i, ())),
        )
        for i, score in ranked
        if i in rows
    ]


class SearchRepository(Repository):
    """`bot.ports.search.SearchStore` on SQLite and PostgreSQL."""

    async def search(
        self,
        *,
        query: SearchQuery,
        channel_id: int,
        partner: Partner | None,
        limit: int,
        topic_id: int | None = None,
        searched_by: NewsSearch | None = None,
    ) -> list[SearchHit]:
        # The search reads in its own transaction: on SQLite a write transaction would hold the
        # database's one write lock for as long as the search takes.
        async with self._sessions() as session:
            conn = await session.connection()
            if conn.dialect.name == "postgresql":
                # Planned for these words every time: how to find the candidates depends on how many
                # announcements hold them, and a generic plan (psycopg prepares a statement run five
                # times) guessed 0.5% and read all 70,000 rows of a common word by bitmap.
                await conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            params: dict[str, Any] = {"channel_id": channel_id, "limit": limit, "topic_id": topic_id}
            narrow = conn.dialect.name == "postgresql" and await pg_narrow(conn, query, params)
            sql = search_sql(conn.dialect.name, query, partner, params, narrow=narrow)
            rows = (await conn.execute(text(sql), params)).all()
            hits = await _hits(conn, [(int(row.id), float(row.score)) for row in rows])
        if searched_by is not None:
            async with self._sessions.begin() as session:
                await record_event(
                    session,
                    EngagementKind.NEWS_SEARCHED,
                    channel_id=channel_id,
                    user=searched_by.user,
                    now=searched_by.at,
                    detail=searched_by.words,
                )
        return hits

    async def visible(self, announcement_id: int, *, channel_id: int, partner: Partner | None) -> bool:
        params: dict[str, Any] = {"channel_id": channel_id, "id": announcement_id}
        sql = (
            "SELECT 1 FROM search_document d JOIN announcement a ON a.id = d.announcement_id "
            f"WHERE a.id = :id AND a.status IN {FOUND!r} AND {_visible(partner, params)}"
        )
        async with self._sessions() as session:
            return (await (await session.connection()).execute(text(sql), params)).first() is not None

    async def visible_among(
        self, announcement_ids: Collection[int], *, channel_id: int, partner: Partner | None
    ) -> frozenset[int]:
        if not announcement_ids:
            return frozenset()
        params: dict[str, Any] = {"channel_id": channel_id, "ids": sorted(set(announcement_ids))}
        sql = text(
            "SELECT a.id FROM search_document d JOIN announcement a ON a.id = d.announcement_id "
            f"WHERE a.id IN :ids AND a.status IN {FOUND!r} AND {_visible(partner, params)}"
        ).bindparams(bindparam("ids", expanding=True))
        async with self._sessions() as session:
            rows = await (await session.connection()).execute(sql, params)
            return frozenset(row.id for row in rows)

    async def delivered(self, announcement_id: int, *, channel_id: int) -> DeliveredCopy | None:
        # The unique (announcement, channel) key makes this one row at most.
        query = select(_DL.c.id, _DL.c.message_id, _DL.c.language, _DL.c.digest_id).where(
            _DL.c.announcement_id == announcement_id, _DL.c.channel_id == channel_id, _DL.c.status == "sent"
        )
        async with self._sessions() as session:
            row = (await (await session.connection()).execute(query)).first()
        if row is None:
            return None
        # A digest carried it: its message id is the digest's, which names the files but carries none.
        message = None if row.digest_id is not None else row.message_id
        return DeliveredCopy(row.id, message, row.language)
