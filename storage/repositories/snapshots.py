"""Score snapshots: the roll-ups summed per partner (`score_span_event`) and per channel
(`score_span_sent`) over a span of completed UTC days, so a score or gone-quiet window over every partner
reads one row per partner and channel for its completed days, plus today's day rows, instead of every
partner's day and week rows (issue 15).

A span is a pure function of the roll-ups over its days, so it stays exact as long as those rows do not
change after it is built; when one does (a delivery's `sent_at` moved to or from a past day, an event
committed just after midnight for the day before, a rebuild), `rollups.invalidate_snapshots` marks every
span over that day stale in the same transaction, and readers count that piece from the roll-ups again
until the `score-snapshots` job (bot/jobs.py) has built it anew. Building:

1. claim the span's row (`score_span`, unique per (first_day, end_day)) with a lease, so two processes
   never build the same span at once;
2. on PostgreSQL, wait until every transaction writing `engagement_day` / `delivery_day` has ended
   (`LOCK … IN SHARE MODE`, released at once): a writer that did not see the claim has committed before
   the sums are read, and one that starts later sees the claim and marks it stale if it writes a day of
   it (SQLite runs one writer at a time, so it needs no barrier);
3. sum the roll-ups into the span's rows and mark it ready, unless it went stale or another process
   took the lease over meanwhile (then nothing is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, and_, delete, false, func, literal, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.engagement import snapshot_pieces
from storage.repositories import rollups
from storage.repositories.base import Repository
from storage.tables import ScoreSpanEventRow, ScoreSpanRow, ScoreSpanSentRow
from storage.tables import table_of as _t

SPAN, SPAN_EVENT, SPAN_SENT = _t(ScoreSpanRow), _t(ScoreSpanEventRow), _t(ScoreSpanSentRow)
READY, BUILDING, STALE = "ready", "building", "stale"
Piece = tuple[date, date]


# --- reading -------------------------------------------------------------------------------------


def _day(bound: datetime) -> date | None:
    """A bound's UTC day if it is a midnight UTC."""
    return bound.astimezone(UTC).date() if bound.astimezone(UTC).time() == time() else None


async def ready(
    conn: AsyncConnection, start: datetime, until: datetime, cuts: Iterable[datetime] = ()
) -> dict[Piece, int]:
    """The ready spans among the completed pieces of the window [start, until) cut at `cuts`
    (`snapshot_pieces`), by piece; none unless every bound is a midnight UTC (the window is then
    counted from the rows)."""
    days = [_day(b) for b in (start, until, *cuts)]
    if any(d is None for d in days):
        return {}
    first, end, *inside = [d for d in days if d is not None]
    pieces = snapshot_pieces(first, end, inside, end - timedelta(days=1))
    if not pieces:
        return {}
    wanted = or_(*[and_(SPAN.c.first_day == a, SPAN.c.end_day == b) for a, b in pieces])
    rows = await conn.execute(
        select(SPAN.c.id, SPAN.c.first_day, SPAN.c.end_day).where(wanted, SPAN.c.state == READY)
    )
    return {(_date(first), _date(end)): int(span_id) for span_id, first, end in rows}


def _pieces(
    start: date, until: date, cuts: Iterable[date], spans: Mapping[Piece, int]
) -> list[tuple[Piece, int | None]]:
    """[start, until) as the completed pieces (with their span id, if ready) and then the live days."""
    today = until - timedelta(days=1)
    pieces: list[tuple[Piece, int | None]] = [
        (piece, spans.get(piece)) for piece in snapshot_pieces(start, until, cuts, today)
    ]
    return [*pieces, ((today, until), None)]


def event_rows(
    start: date, until: date, cuts: Iterable[date], spans: Mapping[Piece, int], partner_id: int | None = None
) -> Any:
    """`rollups.event_rows` over [start, until) cut at `cuts`, with each ready span's one row per partner
    (dated the span's first day) in place of its days' and weeks' rows."""
    parts: list[Any] = []
    for (first, end), span_id in _pieces(start, until, cuts, spans):
        if span_id is None:
            rolled = rollups.event_rows(rollups.spans(first, end), partner_id)
            parts.append(select(*rolled.c))
            continue
        s = SPAN_EVENT
        part = select(
            s.c.partner_id, literal(first, Date()).label("day"), s.c.proactive, s.c.reactive, s.c.last_at,
            s.c.last_day,
        ).where(s.c.span_id == span_id)  # fmt: skip
        parts.append(part.where(s.c.partner_id == partner_id) if partner_id is not None else part)
    return parts[0].union_all(*parts[1:]).subquery("rolled")


def sent_rows(
    start: date, until: date, cuts: Iterable[date], spans: Mapping[Piece, int], channels: Any = None
) -> Any:
    """`rollups.sent_rows` likewise: each ready span's one row per channel."""
    parts: list[Any] = []
    for (first, end), span_id in _pieces(start, until, cuts, spans):
        if span_id is None:
            parts.append(select(*rollups.sent_rows(rollups.spans(first, end), channels).c))
            continue
        s = SPAN_SENT
        part = select(s.c.channel_id, literal(first, Date()).label("day"), s.c.sent).where(
            s.c.span_id == span_id
        )
        parts.append(part.where(s.c.channel_id.in_(channels)) if channels is not None else part)
    return parts[0].union_all(*parts[1:]).subquery("rolled_sent")


# --- building ------------------------------------------------------------------------------------


class ScoreSnapshotRepository(Repository):
    async def refresh(self, pieces: Iterable[Piece], *, now: datetime, worker: str, lease: timedelta) -> int:
        """See `bot.ports.engagement.ScoreSnapshots`."""
        today = now.astimezone(UTC).date()
        wanted = sorted({(first, end) for first, end in pieces if first < end <= today})
        async with self._sessions.begin() as session:
            conn = await session.connection()
            await _prune(conn, wanted)
        built = 0
        for first, end in wanted:
            if await self._build(first, end, now=now, worker=worker, lease=lease):
                built += 1
        return built

    async def _build(self, first: date, end: date, *, now: datetime, worker: str, lease: timedelta) -> bool:
        span_id = await self._claim(first, end, now=now, worker=worker, lease=lease)
        if span_id is None:
            return False
        async with self._sessions.begin() as session:
            conn = await session.connection()
            if conn.dialect.name == "postgresql":
                await conn.execute(text("SET LOCAL lock_timeout = '30s'"))
                await conn.execute(text("LOCK TABLE engagement_day, delivery_day IN SHARE MODE"))
        try:
            async with self._sessions.begin() as session:
                conn = await session.connection()
                await conn.execute(delete(SPAN_EVENT).where(SPAN_EVENT.c.span_id == span_id))
                await conn.execute(delete(SPAN_SENT).where(SPAN_SENT.c.span_id == span_id))
                for statement in build_statements(span_id, first, end):
                    await conn.execute(statement)
                done = await conn.execute(
                    update(SPAN)
                    .where(SPAN.c.id == span_id, SPAN.c.state == BUILDING, SPAN.c.built_by == worker)
                    .values(state=READY, built_at=now, lease_until=None)
                )
                if done.rowcount != 1:
                    raise _Lost
        except (_Lost, IntegrityError):
            return False  # gone stale, or taken over: the next run builds it again
        return True

    async def _claim(
        self, first: date, end: date, *, now: datetime, worker: str, lease: timedelta
    ) -> int | None:
        """The span's id if this worker may build it now (new, stale, or its builder's lease passed)."""
        claim = {"state": BUILDING, "built_by": worker, "lease_until": now + lease}
        async with self._sessions.begin() as session:
            conn = await session.connection()
            found = (
                await conn.execute(
                    select(SPAN.c.id, SPAN.c.state, SPAN.c.lease_until).where(
                        SPAN.c.first_day == first, SPAN.c.end_day == end
                    )
                )
            ).first()
            if found is None:
                statement = rollups.insert_for(conn, SPAN).values(first_day=first, end_day=end, **claim)
                inserted = await conn.execute(
                    statement.on_conflict_do_nothing(
                        index_elements=[SPAN.c.first_day, SPAN.c.end_day]
                    ).returning(SPAN.c.id)
                )
                span_id = inserted.scalar()
                return int(span_id) if span_id is not None else None
            takeable = or_(SPAN.c.state == STALE, and_(SPAN.c.state == BUILDING, SPAN.c.lease_until < now))
            taken = await conn.execute(update(SPAN).where(SPAN.c.id == found[0], takeable).values(**claim))
            return int(found[0]) if taken.rowcount == 1 else None


class _Lost(Exception):
    """The span went stale or another worker took it over while this one summed it."""


def build_statements(span_id: int, first: date, end: date) -> list[Any]:
    """INSERT … SELECT the span's rows: the roll-ups over [first, end) summed per partner and channel,
    as `engagement._event_days` / `_sent_days` sum them."""
    s = rollups.spans(first, end)
    r = rollups.event_rows(s)
    events = SPAN_EVENT.insert().from_select(
        ["span_id", "partner_id", "proactive", "reactive", "last_at", "last_day"],
        select(
            literal(span_id), r.c.partner_id, func.sum(r.c.proactive), func.sum(r.c.reactive),
            func.max(r.c.last_at), func.max(r.c.last_day),
        ).group_by(r.c.partner_id),
    )  # fmt: skip
    d = rollups.sent_rows(s)
    sent = SPAN_SENT.insert().from_select(
        ["span_id", "channel_id", "sent"],
        select(literal(span_id), d.c.channel_id, func.sum(d.c.sent)).group_by(d.c.channel_id),
    )
    return [events, sent]


async def _prune(conn: AsyncConnection, keep: Sequence[Piece]) -> None:
    """Forget the spans no read looks for any more (those of earlier days, of other settings)."""
    kept = or_(false(), *[and_(SPAN.c.first_day == a, SPAN.c.end_day == b) for a, b in keep])
    old = select(SPAN.c.id).where(~kept)
    for table in (SPAN_EVENT, SPAN_SENT):
        await conn.execute(delete(table).where(table.c.span_id.in_(old)))
    await conn.execute(delete(SPAN).where(~kept))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
