"""The Overview's roll-ups: what its figures counted from every copy in the window, kept per UTC day
and segment at send time, and per channel and announcement.

- `overview_day`: copies with status `sent` per day of `sent_at`, topic (0: any) and segment (the
  delivery's tier, type, region and language, "" for none), and how many a partner acted on.
- `overview_failure`: copies with status `failed` per day of `not_before`, topic, segment and error.
- `channel_reach` / `announcement_reach`: when each channel's (announcement's) latest sent copy of a
  segment (and topic) went out. The window always ends now, so a channel was reached in it exactly
  when that latest copy is inside it: a distinct count over one row per channel, where a sum of
  per-day distinct counts would count a channel reached on several days several times.

All four are kept in the transactions that change what they count (a copy marked sent, sent again,
engaged, failed or recalled: `count_sent`, `engaged`, `changing`) and recomputed from the rows by
`rebuild_sync` (migration 0037, the benchmark's bulk load, the tests).

A window [start, now] reads its whole UTC days here and its first and last part-days from `delivery`
(a few thousand rows on its indexes), so the figures are the rows' exactly: engaged copies are those
engaged by `now` (the few of a whole day engaged later are taken off, counted from the rows), and a
channel whose latest copy is after `now` (a clock set back) is looked up in the rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import (
    AnnouncementReachRow,
    AnnouncementTopicRow,
    ChannelReachRow,
    DeliveryRow,
    OverviewDayRow,
    OverviewFailureRow,
    UTCDateTime,
)
from storage.tables import table_of as _t

DAY, FAILURE = _t(OverviewDayRow), _t(OverviewFailureRow)
CHANNEL_REACH, ANNOUNCEMENT_REACH = _t(ChannelReachRow), _t(AnnouncementReachRow)
_D, _AT = _t(DeliveryRow), _t(AnnouncementTopicRow)
SEGMENT = ("tier", "type", "region", "language")
_SENT, _FAILED = "sent", "failed"
ANY_TOPIC = 0


def _insert(dialect: str, table: Table) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def utc_day(column: Any, dialect: str) -> Any:
    """The UTC day of a stored time, in SQL."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC times as text: date() reads their first ten characters


def _segment() -> list[Any]:
    return [func.coalesce(_D.c[name], "").label(name) for name in SEGMENT]


def _per_topic(columns: Sequence[Any], where: Any) -> Any:
    """Each copy `where` selects with `columns`, once as topic 0 and once per topic of its
    announcement (as the Overview's topic filter reads the announcement's topics)."""
    every = select(literal(ANY_TOPIC, Integer).label("topic_id"), *columns).where(where)
    topical = (
        select(_AT.c.topic_id.label("topic_id"), *columns)
        .select_from(_D.join(_AT, _AT.c.announcement_id == _D.c.announcement_id))
        .where(where)
    )
    return every.union_all(topical).subquery("per_topic")


# --- writing -------------------------------------------------------------------------------------
# Every upsert takes its rows in key order: two PostgreSQL workers committing copies of one segment
# (or announcement) lock the shared rows in the same order, so they wait for each other, never deadlock.


def _day_rows(where: Any, day: Any, sign: int, *, sent: bool = True) -> Select[Any]:
    """(day, topic, segment…, ±copies, ±engaged copies, latest engaged_at) of the copies `where`
    selects on `day`; `sent` False: their engaged count only (a copy just acted on)."""
    engaged = case((_D.c.engaged_at.is_not(None), sign), else_=0)
    copies = literal(sign if sent else 0, Integer)
    columns = [day.label("day"), *_segment(), copies.label("sent"), engaged.label("engaged")]
    rows = _per_topic([*columns, _D.c.engaged_at.label("engaged_at")], where)
    keys = [rows.c.day, rows.c.topic_id, *[rows.c[name] for name in SEGMENT]]
    totals = (func.sum(rows.c.sent), func.sum(rows.c.engaged), func.max(rows.c.engaged_at))
    return select(*keys, *totals).group_by(*keys).order_by(*keys)


async def _add_days(conn: AsyncConnection, rows: Select[Any], params: dict[str, Any] | None) -> None:
    await conn.execute(_days_upsert(conn.dialect.name, rows), params)


def _days_upsert(dialect: str, rows: Select[Any]) -> Any:
    statement = _insert(dialect, DAY).from_select(
        ["day", "topic_id", *SEGMENT, "sent", "engaged", "last_engaged_at"], rows
    )
    excluded = statement.excluded
    later = case(
        (DAY.c.last_engaged_at.is_(None), excluded.last_engaged_at),
        (excluded.last_engaged_at > DAY.c.last_engaged_at, excluded.last_engaged_at),
        else_=DAY.c.last_engaged_at,
    )
    return statement.on_conflict_do_update(
        index_elements=[DAY.c.day, DAY.c.topic_id, *[DAY.c[name] for name in SEGMENT]],
        set_={
            "sent": DAY.c.sent + excluded.sent,
            "engaged": DAY.c.engaged + excluded.engaged,
            "last_engaged_at": later,
        },
    )


def _failure_rows(where: Any, dialect: str, sign: int) -> Select[Any]:
    columns = [
        utc_day(_D.c.not_before, dialect).label("day"),
        *_segment(),
        func.coalesce(_D.c.last_error, "").label("last_error"),
    ]
    rows = _per_topic(columns, where)
    keys = [rows.c.day, rows.c.topic_id, *[rows.c[name] for name in SEGMENT], rows.c.last_error]
    return select(*keys, func.count() * sign).group_by(*keys).order_by(*keys)


async def _add_failures(conn: AsyncConnection, rows: Select[Any], params: dict[str, Any] | None) -> None:
    statement = _insert(conn.dialect.name, FAILURE).from_select(
        ["day", "topic_id", *SEGMENT, "last_error", "failed"], rows
    )
    key = [FAILURE.c.day, FAILURE.c.topic_id, *[FAILURE.c[name] for name in SEGMENT], FAILURE.c.last_error]
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=key, set_={"failed": FAILURE.c.failed + statement.excluded.failed}
        ),
        params,
    )


def _reach_rows(table: Table, where: Any, at: Any) -> Select[Any]:
    """(key…, latest `at`) of the copies `where` selects, per channel (and topic) or announcement."""
    if table is CHANNEL_REACH:
        rows = _per_topic([_D.c.channel_id, *_segment(), at.label("at")], where)
        keys = [rows.c.topic_id, rows.c.channel_id, *[rows.c[name] for name in SEGMENT]]
        return select(*keys, func.max(rows.c.at)).group_by(*keys).order_by(*keys)
    segment = _segment()
    return (
        select(_D.c.announcement_id, *segment, func.max(at))
        .where(where)
        .group_by(_D.c.announcement_id, *segment)
        .order_by(_D.c.announcement_id, *segment)
    )


def _reach_columns(table: Table) -> list[str]:
    ids = ["topic_id", "channel_id"] if table is CHANNEL_REACH else ["announcement_id"]
    return [*ids, *SEGMENT]


def _reach_later(dialect: str, table: Table, rows: Select[Any]) -> Any:
    """Keep the later of each key's `last_sent_at` and the one `rows` bring."""
    columns = _reach_columns(table)
    statement = _insert(dialect, table).from_select([*columns, "last_sent_at"], rows)
    newer = statement.excluded.last_sent_at > table.c.last_sent_at
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in columns],
        set_={"last_sent_at": case((newer, statement.excluded.last_sent_at), else_=table.c.last_sent_at)},
    )


async def _recompute_reach(
    conn: AsyncConnection,
    channels: Iterable[int],
    announcements: Iterable[int],
    *,
    leaving: Any = None,
    params: dict[str, Any] | None = None,
) -> None:
    """Recompute the reach rows of these channels and announcements from their sent copies, leaving out
    those `leaving` selects (about to be sent again: the caller counts them at their new time)."""
    for table, column, ids in (
        (CHANNEL_REACH, "channel_id", sorted(set(channels))),
        (ANNOUNCEMENT_REACH, "announcement_id", sorted(set(announcements))),
    ):
        if not ids:
            continue
        await conn.execute(delete(table).where(table.c[column].in_(ids)))
        where = [_D.c[column].in_(ids), _D.c.status == _SENT]
        if leaving is not None:
            where.append(~leaving)
        statement = table.insert().from_select(
            [*_reach_columns(table), "last_sent_at"], _reach_rows(table, and_(*where), _D.c.sent_at)
        )
        await conn.execute(statement, params)


async def counted_before(conn: AsyncConnection, where: Any, params: dict[str, Any] | None) -> list[Any]:
    """The copies `where` selects that count somewhere already, before a change to them: those with
    status `sent` or `failed` (the Overview's roll-ups), or a `sent_at` (the per-channel and
    per-announcement ones: storage/repositories/rollups.py), as (channel_id, announcement_id,
    status, sent_at, engaged_at). A fan-out's copies (claimed, never sent) are none of them."""
    return list((await conn.execute(_counted_statement(where), params)).all())


def _counts(before: Sequence[Any]) -> tuple[set[int], set[int], bool]:
    """What the copies `counted_before` found count in the Overview: the channels and announcements
    of the sent ones, and whether one has failed."""
    sent = [row for row in before if row.status == _SENT]
    failed = any(row.status == _FAILED for row in before)
    return {int(r.channel_id) for r in sent}, {int(r.announcement_id) for r in sent}, failed


@lru_cache(maxsize=16)
def _counted_statement(where: Any) -> Any:
    """`counted_before`'s query, built once per `where` (the outbox's group commit passes one
    constant). Its test is a CASE so that no index can serve it: as a plain `status IN (…)` SQLite
    read it from the (status, …) index, every sent copy in the table on every group commit, rather
    than the few hundred rows `where` picks by id (https://www.sqlite.org/optoverview.html)."""
    counts = case((or_(_D.c.status.in_((_SENT, _FAILED)), _D.c.sent_at.is_not(None)), True), else_=False)
    columns = (_D.c.channel_id, _D.c.announcement_id, _D.c.status, _D.c.sent_at, _D.c.engaged_at)
    return select(*columns).where(where, counts)


@lru_cache(maxsize=16)
def _sent_statements(where: Any, dialect: str) -> tuple[Any, ...]:
    """`count_sent`'s upserts for `where` (the outbox's is one constant: built once, not per commit),
    with `b_overview_day` and `b_overview_at` to bind."""
    day = bindparam("b_overview_day", type_=Date)
    at = bindparam("b_overview_at", type_=UTCDateTime())
    return (
        _days_upsert(dialect, _day_rows(where, day, 1)),
        *[
            _reach_later(dialect, table, _reach_rows(table, where, at))
            for table in (CHANNEL_REACH, ANNOUNCEMENT_REACH)
        ],
    )


async def count_sent(
    conn: AsyncConnection, where: Any, now: datetime, params: dict[str, Any] | None, before: Sequence[Any]
) -> None:
    """Copies `where` selects, about to be marked sent at `now` (status `sent`, `sent_at` now): taken
    off what they counted before (a copy sent again, a failed one that went out after all), counted on
    now's day, and now is their channels' and announcements' latest. `before`: `counted_before`."""
    channels, announcements, failed = _counts(before)
    if channels or failed:
        await _count(conn, where, params, sign=-1)
    if channels:  # sent before: its old time may have been the latest
        await _recompute_reach(conn, channels, announcements, leaving=where, params=params)
    values = {**(params or {}), "b_overview_day": now.astimezone(UTC).date(), "b_overview_at": now}
    for statement in _sent_statements(where, conn.dialect.name):
        await conn.execute(statement, values)


async def _count(conn: AsyncConnection, where: Any, params: dict[str, Any] | None, *, sign: int) -> None:
    """Count (sign 1) or take off (-1) what the copies `where` selects count as they stand."""
    dialect = conn.dialect.name
    sent = and_(where, _D.c.status == _SENT)
    await _add_days(conn, _day_rows(sent, utc_day(_D.c.sent_at, dialect), sign), params)
    await _add_failures(conn, _failure_rows(and_(where, _D.c.status == _FAILED), dialect, sign), params)


async def engaged(conn: AsyncConnection, copy: Any) -> None:
    """The copy `copy` selects was just first acted on (`engaged_at` set): counted engaged on the day
    it was sent (a copy not sent yet is counted when it is)."""
    where = and_(copy, _D.c.status == _SENT)
    await _add_days(conn, _day_rows(where, utc_day(_D.c.sent_at, conn.dialect.name), 1, sent=False), None)


@asynccontextmanager
async def changing(
    conn: AsyncConnection, where: Any, params: dict[str, Any] | None = None
) -> AsyncIterator[None]:
    """Around a statement that changes the copies `where` selects (before and after it) other than
    marking them sent (`count_sent`): failed, recalled, engaged. `where` must select the same copies
    after the change (ids, not the status being changed)."""
    channels, announcements, failed = _counts(await counted_before(conn, where, params))
    if channels or failed:
        await _count(conn, where, params, sign=-1)
    yield
    await _count(conn, where, params, sign=1)
    if channels or announcements:
        await _recompute_reach(conn, channels, announcements, params=params)


# --- rebuilding ----------------------------------------------------------------------------------


def rebuild_sync(conn: Connection) -> None:
    """Recompute the four roll-ups from the copies (migration 0037, bulk loads, tests)."""
    dialect = conn.dialect.name
    for table in (DAY, FAILURE, CHANNEL_REACH, ANNOUNCEMENT_REACH):
        conn.execute(table.delete())
    sent = and_(_D.c.status == _SENT, _D.c.sent_at.is_not(None))
    conn.execute(
        DAY.insert().from_select(
            ["day", "topic_id", *SEGMENT, "sent", "engaged", "last_engaged_at"],
            _day_rows(sent, utc_day(_D.c.sent_at, dialect), 1),
        )
    )
    conn.execute(
        FAILURE.insert().from_select(
            ["day", "topic_id", *SEGMENT, "last_error", "failed"],
            _failure_rows(_D.c.status == _FAILED, dialect, 1),
        )
    )
    for table in (CHANNEL_REACH, ANNOUNCEMENT_REACH):
        conn.execute(
            table.insert().from_select(
                [*_reach_columns(table), "last_sent_at"], _reach_rows(table, sent, _D.c.sent_at)
            )
        )


# --- reading -------------------------------------------------------------------------------------


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _midnight(at: datetime) -> datetime:
    at = at.astimezone(UTC)
    return datetime(at.year, at.month, at.day, tzinfo=UTC)


def whole_days(start: datetime, now: datetime) -> tuple[datetime, datetime] | None:
    """The whole UTC days inside [start, now], as [first midnight, last midnight); None if none."""
    first = _midnight(start) if _midnight(start) == start else _midnight(start) + timedelta(days=1)
    end = _midnight(now)
    return (first, end) if first < end else None


def _same(column: Any, value: str) -> Any:
    return func.lower(column) == value.lower()


def _rolled_segment(table: Table, dimensions: Sequence[tuple[str, str]]) -> list[Any]:
    return [_same(table.c[name], value) for name, value in dimensions]


def _topic(table: Table, topic_id: int | None) -> Any:
    return table.c.topic_id == (ANY_TOPIC if topic_id is None else topic_id)


def _part_days(column: Any, start: datetime, now: datetime) -> list[Any]:
    """`column` in [start, now] but outside its whole days: the first and last part-days, one
    condition each (each an index range: a union of them reads no row twice and no heap page)."""
    days = whole_days(start, now)
    if days is None:
        return [(column >= _at(start)) & (column <= _at(now))]
    first, end = days
    pieces = [(column >= _at(end)) & (column <= _at(now))]
    if start < first:
        pieces.insert(0, (column >= _at(start)) & (column < _at(first)))
    return pieces


def _whole(table: Table, start: datetime, now: datetime) -> Any:
    days = whole_days(start, now)
    if days is None:
        return literal(False)
    first, end = days
    return (table.c.day >= first.date()) & (table.c.day < end.date())


def reach(
    dimensions: Sequence[tuple[str, str]],
    topic_id: int | None,
    copies: Sequence[Any],
    of_topic: Any,
    start: datetime,
    now: datetime,
) -> Select[Any]:
    """One row: (copies sent, distinct channels, distinct announcements, copies engaged by `now`) of
    the copies with status `sent` sent in [start, now] in the segment (`dimensions`) and topic.
    `copies`: the same filter on `delivery` (segment at send time, topic), `of_topic`: the topic's
    announcement ids (a subquery) or None."""
    sent_in = [_D.c.status == _SENT, *copies]
    days = [_whole(DAY, start, now), _topic(DAY, topic_id), *_rolled_segment(DAY, dimensions)]
    rolled = select(
        func.coalesce(func.sum(DAY.c.sent), 0).label("sent"),
        func.coalesce(func.sum(DAY.c.engaged), 0).label("engaged"),
    ).where(*days)
    by_now = case((_D.c.engaged_at <= _at(now), 1), else_=0).label("engaged")
    pieces = [select(by_now).where(*sent_in, piece) for piece in _part_days(_D.c.sent_at, start, now)]
    part = union_all(*pieces).subquery("part_days")
    edges = select(func.count().label("sent"), func.coalesce(func.sum(part.c.engaged), 0).label("engaged"))
    # The whole days' copies engaged after `now`: only looked for when a day's latest is.
    whole = whole_days(start, now)
    late: Any = literal(0)
    if whole is not None:
        late_day = exists().where(*days, DAY.c.last_engaged_at > _at(now))
        engaged_later = (
            select(func.count())
            .where(
                *sent_in,
                _D.c.sent_at >= _at(whole[0]),
                _D.c.sent_at < _at(whole[1]),
                _D.c.engaged_at > _at(now),
            )
            .scalar_subquery()
        )
        # CASE evaluates its branch only when taken: SQLite would otherwise scan the whole days' copies
        # before looking at a condition that holds for none of them.
        late = case((late_day, engaged_later), else_=0)
    in_window = [*sent_in, _D.c.sent_at >= _at(start), _D.c.sent_at <= _at(now)]
    channels = _distinct(
        CHANNEL_REACH, "channel_id", [_topic(CHANNEL_REACH, topic_id)], dimensions, in_window, start, now
    )
    announced = [] if of_topic is None else [ANNOUNCEMENT_REACH.c.announcement_id.in_(of_topic)]
    announcements = _distinct(
        ANNOUNCEMENT_REACH, "announcement_id", announced, dimensions, in_window, start, now
    )
    r, e = rolled.subquery("rolled"), edges.subquery("edges")
    return select(r.c.sent + e.c.sent, channels, announcements, r.c.engaged - late + e.c.engaged).select_from(
        r.join(e, true())
    )


def _distinct(
    table: Table,
    column: str,
    key: list[Any],
    dimensions: Sequence[tuple[str, str]],
    in_window: list[Any],
    start: datetime,
    now: datetime,
) -> Any:
    """How many channels (announcements) have a sent copy in the window: those whose latest copy is in
    it, and those whose latest is after `now` with an earlier one in it (from the rows)."""
    where = [*key, *_rolled_segment(table, dimensions)]
    latest_in = select(table.c[column].label("id")).where(
        *where, table.c.last_sent_at >= _at(start), table.c.last_sent_at <= _at(now)
    )
    ahead = [*where, table.c.last_sent_at > _at(now)]
    # Each channel (announcement) whose latest copy is ahead, looked up in its own copies (by index).
    copy_in = exists().where(*in_window, _D.c[column] == table.c[column])
    from_rows = select(table.c[column].label("id")).where(*ahead, copy_in)
    only_latest = select(func.count(func.distinct(table.c[column]))).where(
        *where, table.c.last_sent_at >= _at(start), table.c.last_sent_at <= _at(now)
    )
    ids = latest_in.union_all(from_rows).subquery(f"reached_{column}")
    with_rows = select(func.count(func.distinct(ids.c.id)))
    # Almost always nothing is ahead: then the rows are not read at all (CASE takes one branch).
    return case((exists().where(*ahead), with_rows.scalar_subquery()), else_=only_latest.scalar_subquery())


def failures(
    dimensions: Sequence[tuple[str, str]],
    topic_id: int | None,
    copies: Sequence[Any],
    start: datetime,
    now: datetime,
) -> Any:
    """(last_error, failed copies) rows, more than one per error (sum them), of the copies with status
    `failed` due (`not_before`) in [start, now] in the segment and topic."""
    rolled = select(FAILURE.c.last_error, FAILURE.c.failed).where(
        _whole(FAILURE, start, now), _topic(FAILURE, topic_id), *_rolled_segment(FAILURE, dimensions)
    )
    rows = [
        select(_D.c.last_error, func.count())
        .where(_D.c.status == _FAILED, piece, *copies)
        .group_by(_D.c.last_error)
        for piece in _part_days(_D.c.not_before, start, now)
    ]
    return rolled.union_all(*rows)
