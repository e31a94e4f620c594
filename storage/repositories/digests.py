"""The digest outbox: make one digest per (channel, period) from held deliveries, claim, record.

Creation is safe in several processes at once: the unique (channel, period) key lets only one
INSERT win, and only the transaction that inserted a digest (its `batch` token) links held rows to
it, so a digest's content is fixed when it is made and nothing lands in two digests. Claiming,
retrying and recording reuse the delivery outbox's statements, so digests get the same lease,
backoff and ambiguity handling.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, exists, func, literal, not_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel import select as sm_select

from bot.domain import (
    DeliveryMode,
    DeliveryStatus,
    DigestItem,
    Outcome,
    OutcomeKind,
    Platform,
    Work,
    WorkKind,
)
from bot.domain.sending import CtaButton
from bot.timing import HeldGroup
from storage.repositories import overview_rollup, rollups
from storage.repositories.base import Repository, channel_ref
from storage.repositories.cta import ctas_of
from storage.repositories.files import files_of
from storage.repositories.outbox import (
    _claim,
    _failed_statement,
    _retry_statement,
    _sent_statement,
    outcome_params,
)
from storage.repositories.targeting import not_excluded, zone_column
from storage.repositories.variants import variants_of
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    DigestRow,
    PartnerRow,
    TopicRow,
    UTCDateTime,
)
from storage.tables import table_of as _t

_D, _G, _C = _t(DeliveryRow), _t(DigestRow), _t(ChannelRow)
_HELD = DeliveryStatus.DIGEST.value


def _unlinked_held() -> Any:
    return and_(col(DeliveryRow.status) == _HELD, col(DeliveryRow.digest_id).is_(None))


def _missed() -> Any:
    """A held row waits for a "You also missed" digest: capped (bot/caps.py) on an immediate channel.
    Needs the row's channel joined."""
    return and_(col(DeliveryRow.capped).is_(True), col(ChannelRow.mode) == DeliveryMode.IMMEDIATE.value)


def _missed_row(missed: bool) -> Any:
    """`_missed() == missed` for the row-linking UPDATE, where the channel is not joined."""
    immediate = exists().where(_C.c.id == _D.c.channel_id, _C.c.mode == DeliveryMode.IMMEDIATE.value)
    held_by_cap = and_(_D.c.capped.is_(True), immediate)
    return held_by_cap if missed else ~held_by_cap


class DigestRepository(Repository):
    async def held_groups(self) -> list[HeldGroup]:
        """Zones and modes of active channels that have announcements held for no digest yet."""
        query = (
            select(zone_column(), col(ChannelRow.mode), case((_missed(), 1), else_=0))
            .select_from(DeliveryRow)
            .join(ChannelRow, col(ChannelRow.id) == DeliveryRow.channel_id)
            .outerjoin(PartnerRow, col(PartnerRow.id) == ChannelRow.partner_id)
            .where(_unlinked_held(), col(ChannelRow.active).is_(True), *not_excluded(self._excluded))
            .distinct()
        )
        async with self._sessions() as session:
            found = (await (await session.connection()).execute(query)).all()
        return [
            HeldGroup(zone=zone, mode=DeliveryMode(mode), missed=bool(missed))
            for zone, mode, missed in sorted(found, key=lambda row: (row[0], row[1], bool(row[2])))
        ]

    async def create(self, *, group: HeldGroup, period: str, boundary: datetime, now: datetime) -> int:
        """One digest per channel of `group` for `period`, carrying its rows held up to `boundary`."""
        batch = secrets.token_hex(8)
        missed = _missed() if group.missed else not_(_missed())
        due = _unlinked_held(), col(DeliveryRow.not_before) <= boundary, missed
        channels = (
            select(
                col(DeliveryRow.channel_id).label("channel_id"), col(DeliveryRow.platform).label("platform")
            )
            .join(ChannelRow, col(ChannelRow.id) == DeliveryRow.channel_id)
            .outerjoin(PartnerRow, col(PartnerRow.id) == ChannelRow.partner_id)
            .where(
                *due,
                col(ChannelRow.active).is_(True),
                *not_excluded(self._excluded),
                col(ChannelRow.mode) == group.mode.value,
                zone_column() == group.zone,
            )
            .distinct()
            .subquery()
        )
        rows = select(
            channels.c.channel_id,
            channels.c.platform,
            literal(period),
            literal(batch),
            literal(DeliveryStatus.PENDING.value),
            literal(0),
            literal(False),
            literal(""),
            literal(now, UTCDateTime()),
            literal(""),
            literal(now, UTCDateTime()),
        ).where(true())  # SQLite needs a WHERE before ON CONFLICT: https://sqlite.org/lang_upsert.html
        columns = [
            "channel_id",
            "platform",
            "period_key",
            "batch",
            "status",
            "attempts",
            "ambiguous",
            "last_error",
            "not_before",
            "claimed_by",
            "created_at",
        ]
        ours = and_(_G.c.channel_id == _D.c.channel_id, _G.c.period_key == period, _G.c.batch == batch)
        async with self._sessions.begin() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            await session.exec(insert(DigestRow).from_select(columns, rows).on_conflict_do_nothing())
            await session.exec(
                update(_D)
                .where(
                    _D.c.status == _HELD,
                    _D.c.digest_id.is_(None),
                    _D.c.not_before <= boundary,
                    exists().where(ours),
                    _missed_row(group.missed),
                )
                .values(digest_id=select(_G.c.id).where(ours).scalar_subquery())
                .execution_options(synchronize_session=False)
            )
            # A concurrent maker (another period key for the same rows) may have linked them first.
            await session.exec(
                delete(_G).where(_G.c.batch == batch, ~exists().where(_D.c.digest_id == _G.c.id))
            )
            made = await (await session.connection()).execute(
                select(func.count()).select_from(_G).where(_G.c.batch == batch)
            )
            return int(made.scalar_one())

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        statement = _claim(
            _G, now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
        ).returning(_G.c.id, _G.c.channel_id, _G.c.attempts, _G.c.ambiguous)
        async with self._sessions.begin() as session:
            claimed = (await session.exec(statement)).all()
            if not claimed:
                return []
            ids = {row.channel_id for row in claimed}
            channels = {
                row.id: channel_ref(row)
                for row in await session.exec(sm_select(ChannelRow).where(col(ChannelRow.id).in_(ids)))
            }
        return [
            Work(
                kind=WorkKind.DIGEST,
                id=row.id,
                attempts=row.attempts,
                ambiguous=row.ambiguous,
                channel_id=row.channel_id,
                channel=channels[row.channel_id],
            )
            for row in claimed
        ]

    async def contents(self, digest_id: int) -> tuple[str, list[DigestItem]]:
        """The digest's period key and its announcements, oldest first."""
        items = (
            select(
                col(AnnouncementRow.id),
                col(AnnouncementRow.title),
                col(AnnouncementRow.body),
                col(DeliveryRow.id),
                col(DeliveryRow.language),
            )
            .join(DeliveryRow, col(DeliveryRow.announcement_id) == AnnouncementRow.id)
            # Recalled after the digest was made, before it went out: leave it out.
            .where(col(DeliveryRow.digest_id) == digest_id, col(AnnouncementRow.status) != "recalled")
            .order_by(col(DeliveryRow.not_before), col(AnnouncementRow.id))
        )
        topics = (
            select(col(AnnouncementTopicRow.announcement_id), col(TopicRow.slug))
            .join(TopicRow, col(TopicRow.id) == AnnouncementTopicRow.topic_id)
            .join(DeliveryRow, col(DeliveryRow.announcement_id) == AnnouncementTopicRow.announcement_id)
            .where(col(DeliveryRow.digest_id) == digest_id)
            .order_by(col(TopicRow.slug))
        )
        async with self._sessions() as session:
            connection = await session.connection()
            period = (
                await connection.execute(select(_G.c.period_key).where(_G.c.id == digest_id))
            ).scalar_one()
            found = (await connection.execute(items)).all()
            slugs: dict[int, list[str]] = {}
            for announcement_id, slug in (await connection.execute(topics)).all():
                slugs.setdefault(announcement_id, []).append(slug)
            ctas = await ctas_of(connection, [row[0] for row in found if row[0] is not None])
            variants = await variants_of(connection, [row[0] for row in found if row[0] is not None])
            files = {row[0]: await files_of(session, row[0]) for row in found if row[0] is not None}
        return period, [
            DigestItem(
                announcement_id=a_id,
                title=title,
                body=body,
                topics=tuple(slugs.get(a_id, ())),
                ctas=tuple(CtaButton(n, cta.label, cta.url) for n, cta in enumerate(ctas.get(a_id, ()), 1)),
                delivery_id=delivery_id or 0,
                language=language,
                variants=variants.get(a_id, ()),
                files=files.get(a_id, ()),
            )
            for a_id, title, body, delivery_id, language in found
            if a_id is not None
        ]

    async def record(self, outcomes: Sequence[Outcome], *, worker: str, now: datetime) -> list[int]:
        """Write outcomes; a posted digest marks its deliveries sent with its message id, a failed one
        fails them. Returns the announcements touched."""
        sent, retry, failed = outcome_params(outcomes, worker=worker, now=now)
        carried = _D.c.digest_id == bindparam("b_id")
        async with self._sessions.begin() as session:
            if sent:
                conn = await session.connection()
                carried_now = and_(_D.c.digest_id.in_([row["b_id"] for row in sent]), _D.c.status == _HELD)
                await rollups.count_sent(conn, carried_now, now)
                await session.exec(_sent_statement(_G), params=sent)
                await session.exec(
                    update(_D)
                    .where(carried, _D.c.status == _HELD)
                    .values(
                        status=DeliveryStatus.SENT.value,
                        message_id=bindparam("b_message"),
                        sent_at=bindparam("b_now"),
                    ),
                    params=sent,
                )
            if retry:
                await session.exec(_retry_statement(_G), params=retry)
            if failed:
                await session.exec(_failed_statement(_G), params=failed)
                gave_up = exists().where(
                    _G.c.id == bindparam("b_id"), _G.c.status == DeliveryStatus.FAILED.value
                )
                given_up = _D.c.digest_id.in_([row["b_id"] for row in failed])
                async with overview_rollup.changing(await session.connection(), given_up):
                    await session.exec(
                        update(_D)
                        .where(carried, _D.c.status == _HELD, gave_up)
                        .values(status=DeliveryStatus.FAILED.value, last_error=bindparam("b_error")),
                        params=failed,
                    )
            done = [o.id for o in outcomes if o.kind is not OutcomeKind.RETRY]
            if not done:
                return []
            touched = await (await session.connection()).execute(
                select(_D.c.announcement_id).where(_D.c.digest_id.in_(done)).distinct()
            )
            return sorted(int(row[0]) for row in touched)

    async def by_message(self, platform: Platform, channel: str, message: str) -> int | None:
        """The channel id whose digest is `message`, for replies in a digest's thread."""
        query = (
            select(_G.c.channel_id)
            .join(_C, _C.c.id == _G.c.channel_id)
            .where(_C.c.platform == platform.value, _C.c.channel_id == channel, _G.c.message_id == message)
        )
        async with self._sessions() as session:
            found = (await (await session.connection()).execute(query.limit(1))).first()
        return int(found[0]) if found else None
