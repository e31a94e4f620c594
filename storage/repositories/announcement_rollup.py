"""The per-announcement roll-up (`announcement_day`): each announcement's copies sent per UTC day and
how many of them partners acted on, kept by storage/repositories/rollups.py in the transactions that
mark copies sent or engaged, and read by the dashboard's Topics page.

A window [since, until) reads its whole UTC days here (a row per announcement and day) and only the
copies sent in its first and last part-days from `delivery`. `engaged` counts every engaged copy of the
day; the page counts those engaged before `until`, so for the rare day whose `last_engaged_at` is not
before `until` (a clock that jumped back, an action at the very instant) the copies engaged later are
taken off, counted from the rows. The numbers are the rows' exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import AnnouncementDayRow, DeliveryRow, UTCDateTime
from storage.tables import table_of as _t

ANNOUNCEMENT_DAY, _D = _t(AnnouncementDayRow), _t(DeliveryRow)
_R = ANNOUNCEMENT_DAY


def _insert(dialect: str) -> Any:
    return (postgresql if dialect == "postgresql" else sqlite).insert(_R)


def _upsert(statement: Any) -> Any:
    """Add the new counts to the row of the same (day, announcement); keep the later `engaged_at`."""
    excluded = statement.excluded
    later = case(
        (_R.c.last_engaged_at.is_(None), excluded.last_engaged_at),
        (excluded.last_engaged_at > _R.c.last_engaged_at, excluded.last_engaged_at),
        else_=_R.c.last_engaged_at,
    )
    return statement.on_conflict_do_update(
        index_elements=[_R.c.day, _R.c.announcement_id],
        set_={
            "sent": _R.c.sent + excluded.sent,
            "engaged": _R.c.engaged + excluded.engaged,
            "last_engaged_at": later,
        },
    )


async def count_sent(conn: AsyncConnection, where: Any, day: date, params: dict[str, Any] | None) -> None:
    """Deliveries `where` selects, about to be marked sent on `day`: counted on that day per
    announcement (the engaged ones too); see `move_off` for those sent before."""
    values = {**(params or {}), "b_announcement_day": day}
    await conn.execute(_count_sent_statement(where, conn.dialect.name), values)


@lru_cache(maxsize=16)
def _count_sent_statement(where: Any, dialect: str) -> Any:
    """`count_sent`'s upsert for `where`, built once per `where` (the outbox's group commit passes
    one constant) rather than on every commit; `b_announcement_day` to bind."""
    counted = (
        select(
            bindparam("b_announcement_day", type_=_R.c.day.type),
            _D.c.announcement_id,
            func.count(),
            func.count(_D.c.engaged_at),
            func.max(_D.c.engaged_at),
        )
        .where(where)
        .group_by(_D.c.announcement_id)
    )
    statement = _insert(dialect).from_select(
        ["day", "announcement_id", "sent", "engaged", "last_engaged_at"], counted
    )
    return _upsert(statement)


async def move_off(conn: AsyncConnection, copies: Iterable[tuple[int, datetime, datetime | None]]) -> None:
    """Copies (announcement id, old sent_at, engaged_at) sent again (`count_sent` counted them on
    their new day): taken off their old day."""
    moved: Counter[tuple[date, int, bool]] = Counter()
    for announcement_id, sent_at, engaged_at in copies:
        moved[(_day(sent_at), int(announcement_id), engaged_at is not None)] += 1
    rows = [(d, a, -n, -n if engaged else 0, None) for (d, a, engaged), n in sorted(moved.items())]
    if rows:
        await _add(conn, rows)


async def engaged(conn: AsyncConnection, *, announcement_id: int, sent_at: datetime, at: datetime) -> None:
    """A copy sent at `sent_at` was first acted on at `at`."""
    await _add(conn, [(_day(sent_at), announcement_id, 0, 1, at)])


async def _add(conn: AsyncConnection, rows: Sequence[tuple[date, int, int, int, datetime | None]]) -> None:
    statement = _insert(conn.dialect.name).values(
        day=bindparam("b_day"),
        announcement_id=bindparam("b_announcement"),
        sent=bindparam("b_sent"),
        engaged=bindparam("b_engaged"),
        last_engaged_at=bindparam("b_at", type_=UTCDateTime()),
    )
    params = [
        {"b_day": d, "b_announcement": a, "b_sent": s, "b_engaged": e, "b_at": at} for d, a, s, e, at in rows
    ]
    await conn.execute(_upsert(statement), params)


def rebuild_sync(conn: Connection, sent_day: Any) -> None:
    """Recompute the roll-up from the copies; `sent_day`: the UTC day of `delivery.sent_at` in SQL."""
    conn.execute(_R.delete())
    day = sent_day.label("day")
    conn.execute(
        _R.insert().from_select(
            ["day", "announcement_id", "sent", "engaged", "last_engaged_at"],
            select(
                day,
                _D.c.announcement_id,
                func.count(),
                func.count(_D.c.engaged_at),
                func.max(_D.c.engaged_at),
            )
            .where(_D.c.sent_at.is_not(None))
            .group_by(day, _D.c.announcement_id),
        )
    )


def per_announcement(since: datetime, until: datetime) -> Any:
    """(announcement_id, deliveries, engaged) of the copies sent in [since, until), engaged before
    `until`, as the rows give them (more than one row per announcement: sum them)."""
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    first = _midnight(since) if _midnight(since) == since else _midnight(since) + timedelta(days=1)
    end = _midnight(until)
    if first >= end:  # no whole day inside: every copy from the rows
        return _copies(since, until, until)
    whole = (_R.c.day >= first.date(), _R.c.day < end.date())
    rolled = select(_R.c.announcement_id, _R.c.sent, _R.c.engaged).where(*whole)
    # Copies of the whole days engaged at or after `until` (only on days whose latest is): taken off.
    late_days = select(_R.c.announcement_id).where(*whole, _R.c.last_engaged_at >= _at(until))
    late = (
        select(_D.c.announcement_id, literal(0), -func.count())
        .where(
            _D.c.announcement_id.in_(late_days),
            _D.c.sent_at >= _at(first),
            _D.c.sent_at < _at(end),
            _D.c.engaged_at >= _at(until),
        )
        .group_by(_D.c.announcement_id)
    )
    parts = [rolled, late]
    if since < first:
        parts.append(_copies(since, first, until))
    if end < until:
        parts.append(_copies(end, until, until))
    return parts[0].union_all(*parts[1:])


def _copies(start: datetime, stop: datetime, until: datetime) -> Any:
    return (
        select(
            _D.c.announcement_id,
            func.count(),
            func.coalesce(func.sum(case((_D.c.engaged_at < _at(until), 1), else_=0)), 0),
        )
        .where(_D.c.sent_at >= _at(start), _D.c.sent_at < _at(stop))
        .group_by(_D.c.announcement_id)
    )


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _midnight(at: datetime) -> datetime:
    return datetime(at.year, at.month, at.day, tzinfo=UTC)


def _day(value: Any) -> date:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(UTC).date()
