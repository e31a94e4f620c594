"""Edit and recall: change an announcement after it went out, and bring every delivered copy along.

`edit` bumps the announcement's revision and queues one `edit` update per copy that is, or may be,
posted; `recall` marks the announcement recalled, cancels what has not gone out, and queues one
`delete` per copy that is, or may be, posted. Updates are claimed and recorded with the delivery
outbox's statements (lease, retry, backoff), and the worker resolves each against its delivery as
it stands at claim time (see bot/services/delivery.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, false, func, literal, or_, select, update
from sqlalchemy import insert as sa_insert
from sqlmodel import SQLModel

from bot.domain import (
    AnnouncementStatus,
    ChannelRef,
    DeliveryStatus,
    Outcome,
    Platform,
    RecallCounts,
    UpdateTarget,
    Work,
    WorkKind,
)
from storage.repositories import overview_rollup
from storage.repositories.base import Repository
from storage.repositories.outbox import (
    _claim,
    _failed_statement,
    _retry_statement,
    _sent_statement,
    outcome_params,
)
from storage.repositories.search import reindex
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, DeliveryUpdateRow

_U: Table = SQLModel.metadata.tables[DeliveryUpdateRow.__tablename__]
_D: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
_A: Table = SQLModel.metadata.tables[AnnouncementRow.__tablename__]
_C: Table = SQLModel.metadata.tables[ChannelRow.__tablename__]

_EDITABLE = [s.value for s in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED,
                               AnnouncementStatus.SENDING, AnnouncementStatus.SENT)]  # fmt: skip
_RECALLABLE = [s.value for s in (AnnouncementStatus.SCHEDULED, AnnouncementStatus.SENDING,
                                 AnnouncementStatus.SENT)]  # fmt: skip
_PENDING, _CLAIMED, _SENT = (
    DeliveryStatus.PENDING.value,
    DeliveryStatus.CLAIMED.value,
    DeliveryStatus.SENT.value,
)
_RECALLED = DeliveryStatus.RECALLED.value
# An update made pointless by a later one (an older revision's edit, any edit after a recall).
SUPERSEDED = "superseded"


class RevisionRepository(Repository):
    async def edit(self, announcement_id: int, *, title: str, body: str, now: datetime) -> int | None:
        """New title and body; the number of copies queued for an in-place edit, or None when the
        announcement does not exist or can no longer be edited (cancelled, recalled)."""
        async with self._sessions.begin() as session:
            revision = (
                await session.exec(
                    update(_A)
                    .where(_A.c.id == announcement_id, _A.c.status.in_(_EDITABLE))
                    .values(title=title, body=body, revision=_A.c.revision + 1, edited_at=now)
                    .returning(_A.c.revision)
                )
            ).scalar_one_or_none()
            if revision is None:
                return None
            await reindex(session, announcement_id)
            await session.exec(
                update(_U)
                .where(_U.c.announcement_id == announcement_id, _U.c.kind == WorkKind.EDIT.value,
                       _U.c.status == _PENDING)
                .values(status=SUPERSEDED)
            )  # fmt: skip
            # Copies that are posted or may be (in flight, or an ambiguous attempt): rows still
            # plainly pending will be posted with the new text anyway.
            # A copy carried by a digest is part of that digest's message: it is not edited alone.
            posted = and_(
                or_(_D.c.status.in_([_SENT, _CLAIMED]), and_(_D.c.status == _PENDING, _D.c.ambiguous)),
                _D.c.digest_id.is_(None),
            )
            return await self._queue(session, announcement_id, WorkKind.EDIT, revision, posted, now)

    async def edit_languages(
        self, announcement_id: int, languages: Sequence[str], *, now: datetime
    ) -> int | None:
        """A variant changed (`translate … update-sent`): queue an in-place edit of the copies whose
        delivery keeps one of `languages` ("" stands for none kept), at a new revision; how many were
        queued, or None when the announcement can no longer be edited (cancelled, recalled)."""
        async with self._sessions.begin() as session:
            revision = (
                await session.exec(
                    update(_A)
                    .where(_A.c.id == announcement_id, _A.c.status.in_(_EDITABLE))
                    .values(revision=_A.c.revision + 1, edited_at=now)
                    .returning(_A.c.revision)
                )
            ).scalar_one_or_none()
            if revision is None:
                return None
            kept = [language for language in languages if language]
            read_in = or_(_D.c.language.in_(kept), *([_D.c.language.is_(None), _D.c.language == ""]
                                                     if "" in languages else []))  # fmt: skip
            mine = select(_D.c.id).where(_D.c.announcement_id == announcement_id, read_in)
            # An older edit of these copies still waiting is made pointless by this one.
            await session.exec(
                update(_U)
                .where(_U.c.announcement_id == announcement_id, _U.c.kind == WorkKind.EDIT.value,
                       _U.c.status == _PENDING, _U.c.delivery_id.in_(mine))
                .values(status=SUPERSEDED)
            )  # fmt: skip
            posted = and_(
                or_(_D.c.status.in_([_SENT, _CLAIMED]), and_(_D.c.status == _PENDING, _D.c.ambiguous)),
                _D.c.digest_id.is_(None),
                read_in,
            )
            return await self._queue(session, announcement_id, WorkKind.EDIT, revision, posted, now)

    async def recall(self, announcement_id: int, *, now: datetime) -> RecallCounts | None:
        """Recall an announcement that went out (or is scheduled to); None if it cannot be."""
        async with self._sessions.begin() as session:
            found = (
                await session.exec(
                    update(_A)
                    .where(_A.c.id == announcement_id, _A.c.status.in_(_RECALLABLE))
                    .values(status=AnnouncementStatus.RECALLED.value)
                    .returning(_A.c.revision)
                )
            ).scalar_one_or_none()
            if found is None:
                return None
            await reindex(session, announcement_id)  # recalled: no longer found
            never_posted = or_(
                and_(_D.c.status == _PENDING, ~_D.c.ambiguous),
                # Held for a digest, made or not: a digest leaves recalled announcements out.
                _D.c.status == DeliveryStatus.DIGEST.value,
            )
            cancelled = (
                await session.exec(
                    update(_D)
                    .where(_D.c.announcement_id == announcement_id, never_posted)
                    .values(status=_RECALLED, last_error="recalled before it was posted")
                    .returning(_D.c.id)
                )
            ).all()
            await session.exec(
                update(_U)
                .where(_U.c.announcement_id == announcement_id, _U.c.status == _PENDING)
                .values(status=SUPERSEDED)
            )
            # Not a copy carried by a digest that went out: deleting it would delete the digest.
            maybe_posted = and_(_D.c.status.in_([_SENT, _CLAIMED, _PENDING]), _D.c.digest_id.is_(None))
            queued = await self._queue(session, announcement_id, WorkKind.DELETE, found, maybe_posted, now)
        return RecallCounts(to_delete=queued, cancelled=len(cancelled))

    async def _queue(
        self, session: Any, announcement_id: int, kind: WorkKind, revision: int, which: Any, now: datetime
    ) -> int:
        rows = select(
            _D.c.id,
            _D.c.announcement_id,
            _D.c.platform,
            literal(kind.value),
            literal(revision),
            literal(_PENDING),
            literal(0),
            false(),
            literal(""),
            literal(now, _U.c.not_before.type),
            literal(""),
            literal(now, _U.c.created_at.type),
        ).where(_D.c.announcement_id == announcement_id, which)
        columns = ["delivery_id", "announcement_id", "platform", "kind", "revision", "status",
                   "attempts", "ambiguous", "last_error", "not_before", "claimed_by",
                   "created_at"]  # fmt: skip
        inserted = await session.exec(sa_insert(_U).from_select(columns, rows).returning(_U.c.id))
        return len(inserted.all())  # rowcount of INSERT … SELECT is -1 on psycopg

    async def claim(
        self, *, now: datetime, lease_until: datetime, limit: int, worker: str, platforms: Sequence[str]
    ) -> list[Work]:
        returned = (_U.c.id, _U.c.delivery_id, _U.c.announcement_id, _U.c.kind, _U.c.attempts, _U.c.ambiguous)
        async with self._sessions.begin() as session:
            claimed = (
                await session.exec(
                    _claim(
                        _U, now=now, lease_until=lease_until, limit=limit, worker=worker, platforms=platforms
                    ).returning(*returned)
                )
            ).all()
            if not claimed:
                return []
            targets = select(
                _D.c.id, _D.c.status, _D.c.message_id, _D.c.ambiguous, _D.c.lease_until, _D.c.channel_id,
                _D.c.language,
                _C.c.platform, _C.c.workspace_id, _C.c.channel_id.label("channel"),
            ).join(_C, _C.c.id == _D.c.channel_id)  # fmt: skip
            wanted = {row.delivery_id for row in claimed}
            found = await (await session.connection()).execute(targets.where(_D.c.id.in_(wanted)))
            deliveries = {row.id: row for row in found}
        works = []
        for row in claimed:
            delivery = deliveries[row.delivery_id]
            abandoned = delivery.status == _CLAIMED and (
                delivery.lease_until is None or delivery.lease_until < now
            )
            works.append(
                Work(
                    kind=WorkKind(row.kind),
                    id=row.id,
                    attempts=row.attempts,
                    ambiguous=row.ambiguous,
                    announcement_id=row.announcement_id,
                    channel_id=delivery.channel_id,
                    channel=ChannelRef(Platform(delivery.platform), delivery.workspace_id, delivery.channel),
                    target=UpdateTarget(
                        delivery_id=delivery.id,
                        status=DeliveryStatus(delivery.status),
                        message_id=delivery.message_id,
                        ambiguous=delivery.ambiguous,
                        abandoned=abandoned,
                        language=delivery.language,
                    ),
                )
            )
        return works

    async def record(
        self, outcomes: Sequence[Outcome], *, worker: str, now: datetime, recalled: Sequence[int] = ()
    ) -> None:
        """Write a batch of update outcomes; `recalled`: deliveries whose copy is now gone for good."""
        sent, retry, failed = outcome_params(outcomes, worker=worker, now=now)
        async with self._sessions.begin() as session:
            if sent:
                await session.exec(_sent_statement(_U), params=sent)
            if retry:
                await session.exec(_retry_statement(_U), params=retry)
            if failed:
                await session.exec(_failed_statement(_U), params=failed)
            if recalled:
                gone = _D.c.id.in_(list(recalled))
                async with overview_rollup.changing(await session.connection(), gone):
                    await session.exec(
                        update(_D)
                        .where(gone)
                        .values(status=_RECALLED, lease_until=None, last_error="recalled")
                    )

    async def counts(self, announcement_id: int) -> dict[tuple[str, str], int]:
        """(kind, status) → number of updates, for the admin's progress message."""
        async with self._sessions() as session:
            rows = await (await session.connection()).execute(
                select(_U.c.kind, _U.c.status, func.count())
                .where(_U.c.announcement_id == announcement_id)
                .group_by(_U.c.kind, _U.c.status)
            )
            return {(row[0], row[1]): int(row[2]) for row in rows}
