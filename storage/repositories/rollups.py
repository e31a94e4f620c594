"""Daily roll-ups: engagement events per partner and day, sent deliveries per channel and day.

Kept in the transaction that writes what they count (an event, a delivery marked sent), so they never
disagree with the rows; the score and the gone-quiet lists read them when their window is whole UTC
days (bot/services/engagement.py makes it so) instead of every event and delivery: at 2,000,000 events
and 1,000,000 deliveries that is a few hundred thousand rows instead of three million.
`rebuild` recomputes both from the rows (the migration's back-fill, the benchmark's bulk load, and the
tests that check the roll-ups against the rows they count).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bot.domain.engagement import EngagementKind, is_proactive
from storage.tables import DeliveryDayRow, DeliveryRow, EngagementDayRow, EngagementEventRow


def _t(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


ENGAGEMENT_DAY, DELIVERY_DAY = _t(EngagementDayRow), _t(DeliveryDayRow)
_E, _D = _t(EngagementEventRow), _t(DeliveryRow)


def day_of(at: datetime) -> date:
    """The UTC day a time falls on (the roll-ups' bucket)."""
    return at.astimezone(UTC).date()


def counted(kind: EngagementKind) -> bool:
    """Removing a reaction is an event (the record is append-only) but not engagement."""
    return kind is not EngagementKind.REACTION_REMOVED


def _insert(conn: AsyncConnection, table: Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


async def add_events(
    conn: AsyncConnection, *, partner_id: int, kind: EngagementKind, at: datetime, count: int
) -> None:
    """Count `count` events of `kind` at `at` for the partner; the latest written wins a tie on time."""
    if count <= 0 or not counted(kind):
        return
    t = ENGAGEMENT_DAY
    proactive = is_proactive(kind)
    statement = _insert(conn, t).values(
        partner_id=partner_id,
        day=day_of(at),
        proactive=count if proactive else 0,
        reactive=0 if proactive else count,
        last_at=at,
        last_kind=kind.value,
    )
    newer = statement.excluded.last_at >= t.c.last_at
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[t.c.partner_id, t.c.day],
            set_={
                "proactive": t.c.proactive + statement.excluded.proactive,
                "reactive": t.c.reactive + statement.excluded.reactive,
                "last_at": case((newer, statement.excluded.last_at), else_=t.c.last_at),
                "last_kind": case((newer, statement.excluded.last_kind), else_=t.c.last_kind),
            },
        )
    )


async def move_sent(conn: AsyncConnection, changes: Iterable[tuple[int, datetime | None, datetime]]) -> None:
    """Deliveries whose `sent_at` changes, as (channel id, old sent_at or None, new sent_at): each
    counts on its new day and, if it had one, no longer on its old day."""
    delta: Counter[tuple[int, date]] = Counter()
    for channel_id, old, new in changes:
        delta[(channel_id, day_of(new))] += 1
        if old is not None:
            delta[(channel_id, day_of(old))] -= 1
    params = [{"b_channel": c, "b_day": d, "b_sent": n} for (c, d), n in sorted(delta.items()) if n]
    if not params:
        return
    t = DELIVERY_DAY
    statement = _insert(conn, t).values(
        channel_id=bindparam("b_channel"), day=bindparam("b_day"), sent=bindparam("b_sent")
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[t.c.channel_id, t.c.day], set_={"sent": t.c.sent + statement.excluded.sent}
        ),
        params,
    )


Changes = list[tuple[int, datetime | None, datetime]]


async def sent_changes(conn: AsyncConnection, where: Any, now: datetime) -> Changes:
    """The (channel, old sent_at, now) of the deliveries `where` selects, read just before they are
    marked sent at `now` (for `move_sent`)."""
    rows = (await conn.execute(select(_D.c.channel_id, _D.c.sent_at).where(where))).all()
    return [(row[0], _aware(row[1]), now) for row in rows]


def _utc_day(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC times as text: date() takes their first ten characters


async def rebuild(conn: AsyncConnection) -> None:
    """Recompute both roll-ups from the events and deliveries (inside the caller's transaction)."""
    await conn.run_sync(rebuild_sync)


def rebuild_sync(conn: Connection) -> None:
    """`rebuild` on a synchronous connection (bulk loads: the benchmark, test fixtures)."""
    conn.execute(ENGAGEMENT_DAY.delete())
    conn.execute(DELIVERY_DAY.delete())
    for statement in rebuild_statements(conn.dialect.name):
        conn.execute(statement)


def rebuild_statements(dialect: str) -> list[Any]:
    """INSERT … SELECT statements that fill empty roll-ups from the rows (migration 0020 runs them)."""
    day = _utc_day(_E.c.at, dialect).label("day")
    is_counted = _E.c.kind != EngagementKind.REACTION_REMOVED.value
    per_day = (
        select(
            _E.c.partner_id,
            day,
            func.sum(case((_E.c.proactive, 1), else_=0)).label("proactive"),
            func.sum(case((_E.c.proactive, 0), else_=1)).label("reactive"),
            func.max(_E.c.at).label("last_at"),
        )
        .where(_E.c.partner_id.is_not(None), is_counted)
        .group_by(_E.c.partner_id, day)
        .subquery("per_day")
    )
    last = _E.alias("last")
    last_kind = (
        select(last.c.kind)
        .where(last.c.partner_id == per_day.c.partner_id, last.c.at == per_day.c.last_at)
        .where(last.c.kind != EngagementKind.REACTION_REMOVED.value)
        .order_by(last.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    events = ENGAGEMENT_DAY.insert().from_select(
        ["partner_id", "day", "proactive", "reactive", "last_at", "last_kind"],
        select(
            per_day.c.partner_id,
            per_day.c.day,
            per_day.c.proactive,
            per_day.c.reactive,
            per_day.c.last_at,
            last_kind,
        ),
    )
    sent_day = _utc_day(_D.c.sent_at, dialect).label("day")
    deliveries = DELIVERY_DAY.insert().from_select(
        ["channel_id", "day", "sent"],
        select(_D.c.channel_id, sent_day, func.count())
        .where(_D.c.sent_at.is_not(None))
        .group_by(_D.c.channel_id, sent_day),
    )
    return [events, deliveries]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


__all__ = [
    "DELIVERY_DAY",
    "ENGAGEMENT_DAY",
    "add_events",
    "counted",
    "day_of",
    "move_sent",
    "rebuild",
    "rebuild_statements",
    "rebuild_sync",
    "sent_changes",
]
