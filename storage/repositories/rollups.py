"""Roll-ups of engagement events (per partner) and sent deliveries (per channel), per UTC day and per
week (starting Monday).

Kept in the transaction that writes what they count (an event, a delivery marked sent), so they never
disagree with the rows. The score and the gone-quiet lists count whole UTC days
(`bot.domain.engagement.window_end`): a window reads its whole weeks from the weekly roll-ups and its
first and last few days from the daily ones, instead of every event and delivery (at 2,000,000 events
and 1,000,000 deliveries over 10,000 partners, about 300,000 rows instead of three million).
`rebuild` recomputes all four (and the per-announcement and Overview roll-ups: announcement_rollup.py,
overview_rollup.py) from the rows: the migrations' back-fill, the benchmark's bulk load, and the tests
that check the roll-ups against the rows they count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, bindparam, case, false, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.engagement import ENGAGING_KINDS, EngagementKind, is_proactive
from storage.repositories import announcement_rollup, overview_rollup
from storage.tables import (
    DeliveryDayRow,
    DeliveryRow,
    DeliveryWeekRow,
    EngagementDayRow,
    EngagementEventRow,
    EngagementWeekRow,
    ScoreSpanRow,
)
from storage.tables import table_of as _t

ENGAGEMENT_DAY, ENGAGEMENT_WEEK = _t(EngagementDayRow), _t(EngagementWeekRow)
DELIVERY_DAY, DELIVERY_WEEK = _t(DeliveryDayRow), _t(DeliveryWeekRow)
_E, _D = _t(EngagementEventRow), _t(DeliveryRow)
SCORE_SPAN = _t(ScoreSpanRow)
_WEEK = timedelta(days=7)


def day_of(at: datetime) -> date:
    """The UTC day a time falls on."""
    return at.astimezone(UTC).date()


def week_of(day: date) -> date:
    """The Monday that starts the day's week."""
    return day - timedelta(days=day.weekday())


def counted(kind: EngagementKind) -> bool:
    """Removing a reaction is an event (the record is append-only) but not engagement."""
    return kind is not EngagementKind.REACTION_REMOVED


# --- writing -------------------------------------------------------------------------------------


def _insert(conn: AsyncConnection, table: Table) -> Any:
    return _insert_on(conn.dialect.name, table)


def _insert_on(dialect: str, table: Table) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


insert_for = _insert  # INSERT … ON CONFLICT for the connection's database (storage/repositories/snapshots.py)


async def add_events(
    conn: AsyncConnection, *, partner_id: int, kind: EngagementKind, at: datetime, count: int
) -> None:
    """Count `count` events of `kind` at `at` for the partner; the latest written wins a tie on time."""
    if count <= 0 or not counted(kind):
        return
    day = day_of(at)
    proactive, reactive = (count, 0) if is_proactive(kind) else (0, count)
    for table, key, latest in (
        (ENGAGEMENT_DAY, {"day": day}, {"last_kind": kind.value}),
        (ENGAGEMENT_WEEK, {"week": week_of(day)}, {"last_day": day}),
    ):
        statement = _insert(conn, table).values(
            partner_id=partner_id, proactive=proactive, reactive=reactive, last_at=at, **key, **latest
        )
        newer = statement.excluded.last_at >= table.c.last_at
        latest_set = {
            column: case((newer, statement.excluded[column]), else_=table.c[column])
            for column in ("last_at", *latest)
        }
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.partner_id, table.c[next(iter(key))]],
                set_={
                    "proactive": table.c.proactive + statement.excluded.proactive,
                    "reactive": table.c.reactive + statement.excluded.reactive,
                    **latest_set,
                },
            )
        )
    await invalidate_snapshots(conn, [day])


async def mark_engaged(conn: AsyncConnection, *, announcement_id: int, channel_id: int, at: datetime) -> None:
    """The first engaging action on the announcement's copy in the channel marks the copy engaged."""
    copy = (_D.c.announcement_id == announcement_id) & (_D.c.channel_id == channel_id)
    marked = await conn.execute(
        update(_D).where(copy, _D.c.engaged_at.is_(None)).values(engaged_at=at).returning(_D.c.sent_at)
    )
    rows = marked.all()
    if not rows:
        return
    await overview_rollup.engaged(conn, copy)
    sent_at = rows[0][0]
    if sent_at is not None:  # a copy not sent yet counts as engaged on the day it is sent
        await announcement_rollup.engaged(conn, announcement_id=announcement_id, sent_at=sent_at, at=at)


async def count_sent(
    conn: AsyncConnection, where: Any, now: datetime, *, params: dict[str, Any] | None = None
) -> None:
    """`move_sent` for deliveries `where` selects, about to be marked sent at `now`, done in the
    database: one INSERT … SELECT per roll-up counts them on now's day and week by channel, and only
    the few that already had a `sent_at` (a send recorded again) come back, in the one look-up the
    Overview's roll-ups make too (`counted_before`), to be taken off their old day and week. The
    group commit of a fan-out no longer carries every row through Python twice.
    `params`: the values of bind parameters in `where` (an expanding IN costs no per-id coercion)."""
    day = day_of(now)
    before = await overview_rollup.counted_before(conn, where, params)
    await overview_rollup.count_sent(conn, where, now, params, before)
    keys = {"b_rollup_day": day, "b_rollup_week": week_of(day)}
    for statement in _count_sent_statements(where, conn.dialect.name):
        await conn.execute(statement, {**(params or {}), **keys})
    await announcement_rollup.count_sent(conn, where, day, params)
    await invalidate_snapshots(conn, [day])
    again = [row for row in before if row.sent_at is not None]
    await move_sent(conn, [(row.channel_id, _aware(row.sent_at), None) for row in again])
    await announcement_rollup.move_off(
        conn, [(row.announcement_id, row.sent_at, row.engaged_at) for row in again]
    )


@lru_cache(maxsize=16)
def _count_sent_statements(where: Any, dialect: str) -> tuple[Any, ...]:
    """`count_sent`'s two upserts (`b_rollup_day`, `b_rollup_week` to bind), built once per `where`
    (the outbox's group commit passes one constant) rather than on every commit."""
    upserts = []
    for table, key in ((DELIVERY_DAY, "day"), (DELIVERY_WEEK, "week")):
        counted = (
            select(_D.c.channel_id, bindparam(f"b_rollup_{key}", type_=table.c[key].type), func.count())
            .where(where)
            .group_by(_D.c.channel_id)
        )
        statement = _insert_on(dialect, table).from_select(["channel_id", key, "sent"], counted)
        upserts.append(
            statement.on_conflict_do_update(
                index_elements=[table.c.channel_id, table.c[key]],
                set_={"sent": table.c.sent + statement.excluded.sent},
            )
        )
    return tuple(upserts)


async def move_sent(
    conn: AsyncConnection, changes: Iterable[tuple[int, datetime | None, datetime | None]]
) -> None:
    """Deliveries whose `sent_at` changes, as (channel id, old sent_at or None, new sent_at or None):
    each counts on its new day and week and, if it had one, no longer on its old ones."""
    days: Counter[tuple[int, date]] = Counter()
    for channel_id, old, new in changes:
        if new is not None:
            days[(channel_id, day_of(new))] += 1
        if old is not None:
            days[(channel_id, day_of(old))] -= 1
    weeks: Counter[tuple[int, date]] = Counter()
    for (channel_id, day), n in days.items():
        weeks[(channel_id, week_of(day))] += n
    for table, key, delta in ((DELIVERY_DAY, "day", days), (DELIVERY_WEEK, "week", weeks)):
        params = [{"b_channel": c, "b_key": k, "b_sent": n} for (c, k), n in sorted(delta.items()) if n]
        if not params:
            continue
        statement = _insert(conn, table).values(
            channel_id=bindparam("b_channel"), sent=bindparam("b_sent"), **{key: bindparam("b_key")}
        )
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.channel_id, table.c[key]],
                set_={"sent": table.c.sent + statement.excluded.sent},
            ),
            params,
        )
    await invalidate_snapshots(conn, [day for _, day in days])


async def invalidate_snapshots(conn: AsyncConnection, days: Iterable[date]) -> None:
    """Mark stale every score snapshot (storage/repositories/snapshots.py) over one of `days`, whose
    roll-up rows the caller has just changed in its transaction (after the change: see the snapshots'
    build). Today's writes match none: a snapshot ends by the day it was built."""
    wanted = sorted(set(days))
    if not wanted:
        return
    values = {f"b_span_day_{i}": day for i, day in enumerate(wanted)}
    await conn.execute(_stale_statement(len(wanted)), values)


@lru_cache(maxsize=8)
def _stale_statement(days: int) -> Any:
    """`invalidate_snapshots`' UPDATE for this many days (`b_span_day_0`… to bind): one day on every
    group commit, built once."""
    s = SCORE_SPAN
    over = or_(
        *[
            (s.c.first_day <= bindparam(f"b_span_day_{i}")) & (s.c.end_day > bindparam(f"b_span_day_{i}"))
            for i in range(days)
        ]
    )
    return update(s).where(over, s.c.state != "stale").values(state="stale")


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spans:
    """How a window of whole days [start, until) with bounds inside it is read: whole weeks that no
    bound cuts (as runs of week starts, first and last inclusive) from the weekly roll-ups, every other
    day (as ranges [first, end)) from the daily ones."""

    weeks: tuple[tuple[date, date], ...]
    days: tuple[tuple[date, date], ...]


def spans(start: date, until: date, cuts: Iterable[date] = ()) -> Spans:
    inner = sorted({c for c in cuts if start < c < until})
    bounds = [start, *inner, until]
    weeks: list[tuple[date, date]] = []
    days: list[tuple[date, date]] = []
    for first, end in pairwise(bounds):
        monday = first + timedelta(days=-first.weekday() % 7)  # the first week starting in the piece
        last = end - _WEEK  # the last Monday whose week ends by `end`
        last -= timedelta(days=last.weekday())
        if monday > last:
            days.append((first, end))
            continue
        weeks.append((monday, last))
        days.extend(piece for piece in ((first, monday), (last + _WEEK, end)) if piece[0] < piece[1])
    return Spans(_merged(weeks, touching=_WEEK), _merged(days, touching=timedelta(0)))


def _merged(runs: Sequence[tuple[date, date]], *, touching: timedelta) -> tuple[tuple[date, date], ...]:
    merged: list[tuple[date, date]] = []
    for first, last in runs:
        if merged and merged[-1][1] + touching == first:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def event_rows(s: Spans, partner_id: int | None = None) -> Any:
    """The partners' counted actions per day or whole week within the spans: (partner_id, day — a
    week's Monday —, proactive, reactive, last_at, last_day)."""
    d, w = ENGAGEMENT_DAY, ENGAGEMENT_WEEK
    daily = select(
        d.c.partner_id, d.c.day, d.c.proactive, d.c.reactive, d.c.last_at, d.c.day.label("last_day")
    ).where(_within(d.c.day, s.days, end_inclusive=False))
    weekly = select(w.c.partner_id, w.c.week, w.c.proactive, w.c.reactive, w.c.last_at, w.c.last_day).where(
        _within(w.c.week, s.weeks, end_inclusive=True)
    )
    if partner_id is not None:
        daily = daily.where(d.c.partner_id == partner_id)
        weekly = weekly.where(w.c.partner_id == partner_id)
    return daily.union_all(weekly).subquery("rolled")


def sent_rows(s: Spans, channels: Any = None) -> Any:
    """The channels' deliveries sent per day or whole week within the spans: (channel_id, day, sent)."""
    d, w = DELIVERY_DAY, DELIVERY_WEEK
    daily = select(d.c.channel_id, d.c.day, d.c.sent).where(_within(d.c.day, s.days, end_inclusive=False))
    weekly = select(w.c.channel_id, w.c.week, w.c.sent).where(_within(w.c.week, s.weeks, end_inclusive=True))
    if channels is not None:
        daily = daily.where(d.c.channel_id.in_(channels))
        weekly = weekly.where(w.c.channel_id.in_(channels))
    return daily.union_all(weekly).subquery("rolled_sent")


def last_kind(partner: Any, last_day: Any) -> Any:
    """The kind of the partner's latest counted action, from its day (one primary-key lookup)."""
    d = ENGAGEMENT_DAY
    return select(d.c.last_kind).where(d.c.partner_id == partner, d.c.day == last_day).scalar_subquery()


def _within(column: Any, runs: Sequence[tuple[date, date]], *, end_inclusive: bool) -> ColumnElement[bool]:
    if not runs:
        return false()
    return or_(*[column.between(a, b) if end_inclusive else (column >= a) & (column < b) for a, b in runs])


# --- rebuilding ----------------------------------------------------------------------------------


async def rebuild(conn: AsyncConnection) -> None:
    """Recompute the roll-ups from the events and deliveries (inside the caller's transaction)."""
    await conn.run_sync(rebuild_sync)


def rebuild_sync(conn: Connection) -> None:
    """`rebuild` on a synchronous connection (bulk loads: the benchmark, test fixtures); the copies'
    `engaged_at` too."""
    for table in (ENGAGEMENT_WEEK, ENGAGEMENT_DAY, DELIVERY_WEEK, DELIVERY_DAY):
        conn.execute(table.delete())
    for statement in rebuild_statements(conn.dialect.name):
        conn.execute(statement)
    conn.execute(update(_D).where(_D.c.engaged_at.is_not(None)).values(engaged_at=None))
    conn.execute(engaged_statement())
    announcement_rollup.rebuild_sync(conn, _utc_day(_D.c.sent_at, conn.dialect.name))
    overview_rollup.rebuild_sync(conn)
    conn.execute(update(SCORE_SPAN).where(SCORE_SPAN.c.state != "stale").values(state="stale"))


def engaged_statement() -> Any:
    """Set each copy's `engaged_at` to its first engaging action (UPDATE … FROM on both databases)."""
    first = (
        select(_E.c.announcement_id, _E.c.channel_id, func.min(_E.c.at).label("at"))
        .where(_E.c.announcement_id.is_not(None), _E.c.kind.in_([k.value for k in ENGAGING_KINDS]))
        .group_by(_E.c.announcement_id, _E.c.channel_id)
        .subquery("first_action")
    )
    return (
        update(_D)
        .where(_D.c.announcement_id == first.c.announcement_id, _D.c.channel_id == first.c.channel_id)
        .values(engaged_at=first.c.at)
    )


def _utc_day(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC times as text: date() reads their first ten characters


def _monday(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.date(func.date_trunc("week", column))
    return func.date(column, "weekday 0", "-6 days")  # the next Sunday (or this one), then its Monday


def rebuild_statements(dialect: str) -> list[Any]:
    """INSERT … SELECT statements that fill empty roll-ups from the rows, days before weeks."""
    day = _utc_day(_E.c.at, dialect).label("day")
    per_day = (
        select(
            _E.c.partner_id,
            day,
            func.sum(case((_E.c.proactive, 1), else_=0)).label("proactive"),
            func.sum(case((_E.c.proactive, 0), else_=1)).label("reactive"),
            func.max(_E.c.at).label("last_at"),
        )
        .where(_E.c.partner_id.is_not(None), _E.c.kind != EngagementKind.REACTION_REMOVED.value)
        .group_by(_E.c.partner_id, day)
        .subquery("per_day")
    )
    latest = _E.alias("latest")
    kind = (
        select(latest.c.kind)
        .where(latest.c.partner_id == per_day.c.partner_id, latest.c.at == per_day.c.last_at)
        .where(latest.c.kind != EngagementKind.REACTION_REMOVED.value)
        .order_by(latest.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    columns = ("proactive", "reactive", "last_at")
    d, w = ENGAGEMENT_DAY, ENGAGEMENT_WEEK
    events = d.insert().from_select(
        ["partner_id", "day", *columns, "last_kind"],
        select(per_day.c.partner_id, per_day.c.day, *[per_day.c[c] for c in columns], kind),
    )
    week = _monday(d.c.day, dialect).label("week")
    events_weekly = w.insert().from_select(
        ["partner_id", "week", *columns, "last_day"],
        select(
            d.c.partner_id, week, func.sum(d.c.proactive), func.sum(d.c.reactive), func.max(d.c.last_at),
            func.max(d.c.day),
        ).group_by(d.c.partner_id, week),
    )  # fmt: skip
    sent_day = _utc_day(_D.c.sent_at, dialect).label("day")
    deliveries = DELIVERY_DAY.insert().from_select(
        ["channel_id", "day", "sent"],
        select(_D.c.channel_id, sent_day, func.count())
        .where(_D.c.sent_at.is_not(None))
        .group_by(_D.c.channel_id, sent_day),
    )
    sent_week = _monday(DELIVERY_DAY.c.day, dialect).label("week")
    deliveries_weekly = DELIVERY_WEEK.insert().from_select(
        ["channel_id", "week", "sent"],
        select(DELIVERY_DAY.c.channel_id, sent_week, func.sum(DELIVERY_DAY.c.sent)).group_by(
            DELIVERY_DAY.c.channel_id, sent_week
        ),
    )
    return [events, events_weekly, deliveries, deliveries_weekly]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
