"""The outbox: claim due deliveries and relays with a lease, and record what happened to them.

One claim statement serves both backends: PostgreSQL honours `FOR UPDATE SKIP LOCKED` so many
workers take disjoint batches; SQLite ignores it, and `BEGIN IMMEDIATE` (see engine.py) serialises
the claim instead. An expired lease makes a row claimable again, flagged as ambiguous, because the
worker that held it may have posted the message before it died.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, Table, and_, bindparam, case, exists, func, or_, true, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from bot.domain import ChannelRef, DeliveryStatus, Outcome, OutcomeKind, Platform, RelayKind, Work, WorkKind
from storage.repositories import overview_rollup, rollups
from storage.repositories.base import Repository
from storage.repositories.id_lists import bound_ids, ids_in, json_rows, one_step
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, RelayRow

_PENDING, _CLAIMED = DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value
_HELD = DeliveryStatus.DIGEST.value
_DELIVERY: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
_RELAY: Table = SQLModel.metadata.tables[RelayRow.__tablename__]
_ANNOUNCEMENT: Table = SQLModel.metadata.tables[AnnouncementRow.__tablename__]
_CHANNEL: Table = SQLModel.metadata.tables[ChannelRow.__tablename__]


@lru_cache(maxsize=4)
def _posted(dialect: str) -> Any:
    """The rows a record marks sent, their ids one parameter (`b_posted`): an IN of literal ids was
    coerced id by id on every group commit (2.5 % of a Slack fan-out's worker samples). One constant
    per database, so that the roll-ups' statements built for it are built once."""
    return ids_in(_DELIVERY.c.id, "b_posted", dialect)


@lru_cache(maxsize=4)
def _given_up(dialect: str) -> Any:
    return ids_in(_DELIVERY.c.id, "b_given_up", dialect)


@lru_cache(maxsize=4)
def _located(dialect: str) -> Any:
    """The claimed rows' channels (`b_channels`), as columns (building ORM objects was most of a
    claim's CPU); on SQLite as one row, a JSON array of [id, platform, workspace, channel]."""
    columns = (_CHANNEL.c.id, _CHANNEL.c.platform, _CHANNEL.c.workspace_id, _CHANNEL.c.channel_id)
    where = ids_in(_CHANNEL.c.id, "b_channels", dialect)
    if one_step(dialect):
        return sa_select(func.json_group_array(func.json_array(*columns))).where(where)
    return sa_select(*columns).where(where)


_PLATFORMS = {platform.value: platform for platform in Platform}


class OutboxRepository(Repository):
    async def claim_deliveries(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        """Claim due deliveries for the platforms this process can send to."""
        values = {
            "b_now": now,
            "b_lease_until": lease_until,
            "b_limit": limit,
            "b_worker": worker,
            "b_platforms": list(platforms),
        }
        async with self._sessions.begin() as session:
            conn = await session.connection()
            claimed = (await conn.execute(_claim_deliveries(), values)).all()
            if not claimed:
                return []
            dialect = conn.dialect.name
            ids = bound_ids({row.channel_id for row in claimed}, dialect)
            located = await conn.execute(_located(dialect), {"b_channels": ids})
            rows = json.loads(located.scalar_one()) if one_step(dialect) else located
            channels = {
                id_: ChannelRef(_PLATFORMS[platform], workspace, channel)
                for id_, platform, workspace, channel in rows
            }
        return [
            Work(
                kind=WorkKind.DELIVERY,
                id=row.id,
                attempts=row.attempts,
                ambiguous=row.ambiguous,
                announcement_id=row.announcement_id,
                channel_id=row.channel_id,
                channel=channels[row.channel_id],
                due_at=row.not_before,
                language=row.language,
            )
            for row in claimed
        ]

    async def claim_relays(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str
    ) -> list[Work]:
        returned = (
            _RELAY.c.id,
            _RELAY.c.kind,
            _RELAY.c.question_id,
            _RELAY.c.answer_id,
            _RELAY.c.attempts,
            _RELAY.c.ambiguous,
            _RELAY.c.not_before,
        )
        async with self._sessions.begin() as session:
            claimed = (
                await session.exec(
                    _claim(_RELAY, now=now, lease_until=lease_until, limit=limit, worker=worker).returning(
                        *returned
                    )
                )
            ).all()
        return [
            Work(
                kind=WorkKind.RELAY,
                id=row.id,
                attempts=row.attempts,
                ambiguous=row.ambiguous,
                question_id=row.question_id,
                answer_id=row.answer_id,
                relay_kind=RelayKind(row.kind),
                due_at=row.not_before,
            )
            for row in claimed
        ]

    async def record(
        self, kind: WorkKind, outcomes: Sequence[Outcome], *, worker: str, now: datetime
    ) -> None:
        """Write a batch of outcomes in one transaction (group commit keeps SQLite fast)."""
        table = _DELIVERY if kind is WorkKind.DELIVERY else _RELAY
        sent, retry, failed = outcome_params(outcomes, worker=worker, now=now)
        async with self._sessions.begin() as session:
            conn = await session.connection()  # Core statements only: no ORM work on this path
            dialect = conn.dialect.name
            if sent:
                if kind is WorkKind.DELIVERY:
                    posted = bound_ids((row["b_id"] for row in sent), dialect)
                    await rollups.count_sent(conn, _posted(dialect), now, params={"b_posted": posted})
                # Unguarded: whoever learnt the message id records it, even after losing the lease.
                if one_step(dialect):
                    pairs = json_rows([(row["b_id"], row["b_message"]) for row in sent])
                    await conn.execute(_sent_in_one_step(table), {"b_sent": pairs, "b_now": now})
                else:
                    await conn.execute(_sent_statement(table), sent)
            if retry:
                await conn.execute(_retry_statement(table), retry)
            if failed and kind is WorkKind.DELIVERY:
                given_up = {"b_given_up": bound_ids((row["b_id"] for row in failed), dialect)}
                async with overview_rollup.changing(conn, _given_up(dialect), given_up):
                    await conn.execute(_failed_statement(table), failed)
            elif failed:
                await conn.execute(_failed_statement(table), failed)

    async def fail_pending_for_channel(self, channel_id: int, *, reason: str) -> int:
        """A channel was deactivated: its queued deliveries (held for a digest too) can never go out."""
        queued = or_(
            _DELIVERY.c.status == _PENDING,
            and_(_DELIVERY.c.status == _HELD, _DELIVERY.c.digest_id.is_(None)),
        )
        async with self._sessions.begin() as session:
            conn = await session.connection()
            ids = list(
                (
                    await conn.execute(
                        sa_select(_DELIVERY.c.id).where(_DELIVERY.c.channel_id == channel_id, queued)
                    )
                ).scalars()
            )
            if not ids:
                return 0
            async with overview_rollup.changing(conn, _DELIVERY.c.id.in_(ids)):
                result = await conn.execute(
                    update(_DELIVERY)
                    .where(_DELIVERY.c.id.in_(ids), queued)
                    .values(status=DeliveryStatus.FAILED.value, last_error=reason[:300])
                )
            return int(result.rowcount)

    async def finish_announcements(self, announcement_ids: Sequence[int], *, now: datetime) -> list[int]:
        """Move `scheduled` announcements to `sending` once a delivery went out (claimed, attempted or
        carried by a digest), and `sending` ones to `sent` once none is still queued."""
        table = _ANNOUNCEMENT
        mine = _DELIVERY.c.announcement_id == table.c.id
        open_rows = exists().where(mine, _DELIVERY.c.status.in_([_PENDING, _CLAIMED]))
        went_out = exists().where(
            mine,
            or_(
                _DELIVERY.c.status.in_([_CLAIMED, DeliveryStatus.SENT.value]),
                _DELIVERY.c.attempts > 0,
                _DELIVERY.c.digest_id.is_not(None),
            ),
        )
        async with self._sessions.begin() as session:
            await session.exec(
                update(table)
                .where(table.c.id.in_(list(announcement_ids)), table.c.status == "scheduled", went_out)
                .values(status="sending")
            )
            result = await session.exec(
                update(table)
                .where(table.c.id.in_(list(announcement_ids)), table.c.status == "sending", ~open_rows)
                .values(status="sent", sent_at=now)
                .returning(table.c.id)
            )
            return [row.id for row in result]

    async def due_count(self, *, now: datetime) -> int:
        async with self._sessions() as session:
            query = sa_select(_DELIVERY.c.id).where(_due(_DELIVERY, now)).limit(1)
            return len((await (await session.connection()).execute(query)).all())

    async def message_of(self, delivery_id: int) -> str | None:
        async with self._sessions() as session:
            row = await session.get(DeliveryRow, delivery_id)
            return row.message_id if row else None


Params = list[dict[str, Any]]


def outcome_params(
    outcomes: Sequence[Outcome], *, worker: str, now: datetime
) -> tuple[Params, Params, Params]:
    """Bind parameters for the sent / retry / failed statements, one executemany each."""
    sent = [
        {"b_id": o.id, "b_message": o.message_id, "b_now": now}
        for o in outcomes
        if o.kind is OutcomeKind.SENT
    ]
    retry = [
        {"b_id": o.id, "b_worker": worker, "b_not_before": o.not_before, "b_error": o.error[:300],
         "b_ambiguous": o.ambiguous, "b_refund": 1 if o.refund else 0}
        for o in outcomes
        if o.kind is OutcomeKind.RETRY
    ]  # fmt: skip
    failed = [
        {"b_id": o.id, "b_worker": worker, "b_error": o.error[:300]}
        for o in outcomes
        if o.kind is OutcomeKind.FAILED
    ]
    return sent, retry, failed


@lru_cache(maxsize=1)
def _claim_deliveries() -> Any:
    """The deliveries' claim, built once: `b_now`, `b_lease_until`, `b_limit`, `b_worker` and
    `b_platforms` to bind."""
    returned = (
        _DELIVERY.c.id,
        _DELIVERY.c.announcement_id,
        _DELIVERY.c.channel_id,
        _DELIVERY.c.attempts,
        _DELIVERY.c.ambiguous,
        _DELIVERY.c.not_before,
        _DELIVERY.c.language,
    )
    return _claim(
        _DELIVERY,
        now=bindparam("b_now", type_=_DELIVERY.c.not_before.type),
        lease_until=bindparam("b_lease_until", type_=_DELIVERY.c.lease_until.type),
        limit=bindparam("b_limit", type_=Integer),
        worker=bindparam("b_worker", type_=_DELIVERY.c.claimed_by.type),
        # A recalled announcement never goes out again, whatever a row's state says (e.g. one that
        # was in flight during the recall and came back for a retry).
        extra=and_(
            _DELIVERY.c.platform.in_(bindparam("b_platforms", expanding=True)),
            ~exists().where(
                _ANNOUNCEMENT.c.id == _DELIVERY.c.announcement_id, _ANNOUNCEMENT.c.status == "recalled"
            ),
        ),
    ).returning(*returned)


def _due(table: Table, now: Any) -> Any:
    return or_(
        and_(table.c.status == _PENDING, table.c.not_before <= now),
        and_(table.c.status == _CLAIMED, table.c.lease_until < now),
    )


def _claim(
    table: Table,
    *,
    now: Any,
    lease_until: Any,
    limit: Any,
    worker: Any,
    platforms: Sequence[str] | None = None,
    extra: Any = None,
) -> Any:
    """`now`, `lease_until`, `limit` and `worker`: values, or bind parameters for a statement built
    once."""
    condition = _due(table, now)
    if platforms is not None:
        condition = and_(condition, table.c.platform.in_(list(platforms)))
    if extra is not None:
        condition = and_(condition, extra)
    due = (
        sa_select(table.c.id)
        .where(condition)
        .order_by(table.c.not_before, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(
            status=_CLAIMED,
            lease_until=lease_until,
            claimed_by=worker,
            attempts=table.c.attempts + 1,
            # SET sees the old row: a row still `claimed` here lost its worker mid-attempt.
            ambiguous=case((table.c.status == _CLAIMED, true()), else_=table.c.ambiguous),
        )
        .execution_options(synchronize_session=False)
    )


@lru_cache(maxsize=4)
def _sent_statement(table: Table) -> Any:
    return _marked_sent(update(table).where(table.c.id == bindparam("b_id")), bindparam("b_message"))


@lru_cache(maxsize=4)
def _sent_in_one_step(table: Table) -> Any:
    """`_sent_statement` as one statement for SQLite (see id_lists.py): `b_sent` a JSON array of
    [id, message id] pairs, `b_now`."""
    pairs = func.json_each(bindparam("b_sent", type_=String())).table_valued("value").alias("sent_pairs")
    picked = update(table).where(table.c.id == func.json_extract(pairs.c.value, "$[0]"))
    return _marked_sent(picked, func.json_extract(pairs.c.value, "$[1]"))


def _marked_sent(statement: Any, message: Any) -> Any:
    """What marking a row sent writes, its message id taken from `message`, its time from `b_now`."""
    sent_at = statement.table.c.sent_at
    return statement.values(
        status=DeliveryStatus.SENT.value,
        message_id=message,
        sent_at=bindparam("b_now", type_=sent_at.type),
        lease_until=None,
        ambiguous=False,
        last_error="",
    )


@lru_cache(maxsize=4)
def _retry_statement(table: Table) -> Any:
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.claimed_by == bindparam("b_worker"),
            table.c.status == _CLAIMED,
        )
        .values(
            status=_PENDING,
            not_before=bindparam("b_not_before"),
            last_error=bindparam("b_error"),
            ambiguous=bindparam("b_ambiguous"),
            # A claim that never tried (its turn came too late, its delivery was in flight) is no attempt.
            attempts=table.c.attempts - bindparam("b_refund"),
            lease_until=None,
        )
    )


@lru_cache(maxsize=4)
def _failed_statement(table: Table) -> Any:
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.claimed_by == bindparam("b_worker"),
            table.c.status == _CLAIMED,
        )
        .values(status=DeliveryStatus.FAILED.value, last_error=bindparam("b_error"), lease_until=None)
    )
