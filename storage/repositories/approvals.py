"""Approval before send: requests per announcement revision, their outcomes, and the topics that
require one (`topic require-approval`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, update
from sqlmodel import SQLModel, col, select

from bot.domain.approvals import Approval, ApprovalKind, ApprovalState
from bot.domain.refs import Platform, UserRef
from storage.repositories.base import Repository, need_id
from storage.tables import AnnouncementRow, AnnouncementTopicRow, ApprovalRow, TopicRow

_P: Table = SQLModel.metadata.tables[ApprovalRow.__tablename__]
_PENDING = ApprovalState.PENDING.value


class ApprovalRepository(Repository):
    async def revision(self, announcement_id: int) -> int | None:
        async with self._sessions() as session:
            row = await session.get(AnnouncementRow, announcement_id)
            return None if row is None else row.revision

    async def approval_topics(self, announcement_id: int) -> list[str]:
        async with self._sessions() as session:
            rows = await session.exec(
                select(TopicRow.slug)
                .join(AnnouncementTopicRow, col(AnnouncementTopicRow.topic_id) == col(TopicRow.id))
                .where(
                    col(AnnouncementTopicRow.announcement_id) == announcement_id,
                    col(TopicRow.require_approval),
                )
                .order_by(col(TopicRow.slug))
            )
            return list(rows)

    async def set_topic_approval(self, slug: str, *, required: bool) -> bool | None:
        async with self._sessions.begin() as session:
            row = (await session.exec(select(TopicRow).where(col(TopicRow.slug) == slug))).first()
            if row is None:
                return None
            if row.require_approval == required:
                return False
            row.require_approval = required
            session.add(row)
            return True

    async def request(
        self,
        announcement_id: int,
        *,
        revision: int,
        kind: ApprovalKind,
        requested_by: UserRef,
        now: datetime,
        title: str | None = None,
        body: str | None = None,
    ) -> Approval:
        async with self._sessions.begin() as session:
            await session.exec(
                update(_P)
                .where(_P.c.announcement_id == announcement_id, _P.c.state == _PENDING)
                .values(state=ApprovalState.VOID.value, decided_at=now)
            )
            row = ApprovalRow(
                announcement_id=announcement_id,
                revision=revision,
                kind=kind.value,
                state=_PENDING,
                requested_platform=requested_by.platform.value,
                requested_workspace=requested_by.workspace,
                requested_user=requested_by.user,
                requested_name=requested_by.display_name[:200],
                requested_at=now,
                title=title,
                body=body,
            )
            session.add(row)
            await session.flush()
            return to_approval(row)

    async def decide(
        self,
        approval_id: int,
        *,
        state: ApprovalState,
        decided_by: UserRef | None,
        comment: str = "",
        now: datetime,
    ) -> Approval | None:
        async with self._sessions.begin() as session:
            # Compare-and-set: of two admins pressing at once, one decides and the other is told.
            found = (
                await session.exec(
                    update(_P)
                    .where(_P.c.id == approval_id, _P.c.state == _PENDING)
                    .values(
                        state=state.value,
                        decided_platform=decided_by.platform.value if decided_by else None,
                        decided_user=decided_by.user if decided_by else None,
                        decided_name=decided_by.display_name[:200] if decided_by else "",
                        decided_at=now,
                        comment=comment,
                    )
                    .returning(_P.c.id)
                )
            ).scalar_one_or_none()
            if found is None:
                return None
            row = await session.get(ApprovalRow, approval_id)
            assert row is not None
            await session.refresh(row)
            return to_approval(row)

    async def latest(self, announcement_id: int) -> Approval | None:
        async with self._sessions() as session:
            row = (
                await session.exec(
                    select(ApprovalRow)
                    .where(col(ApprovalRow.announcement_id) == announcement_id)
                    .order_by(col(ApprovalRow.id).desc())
                    .limit(1)
                )
            ).first()
            return None if row is None else to_approval(row)

    async def history(self, announcement_id: int) -> list[Approval]:
        async with self._sessions() as session:
            rows = await session.exec(
                select(ApprovalRow)
                .where(col(ApprovalRow.announcement_id) == announcement_id)
                .order_by(col(ApprovalRow.id))
            )
            return [to_approval(row) for row in rows]


def to_approval(row: ApprovalRow) -> Approval:
    """A stored request as the domain's Approval (also for the dashboard's announcement story)."""
    requested = UserRef(
        Platform(row.requested_platform), row.requested_workspace, row.requested_user, row.requested_name
    )
    decided = None
    if row.decided_user is not None and row.decided_platform is not None:
        decided = UserRef(Platform(row.decided_platform), "", row.decided_user, row.decided_name)
    return Approval(
        id=need_id(row.id),
        announcement_id=row.announcement_id,
        revision=row.revision,
        kind=ApprovalKind(row.kind),
        state=ApprovalState(row.state),
        requested_by=requested,
        requested_at=row.requested_at,
        decided_by=decided,
        decided_at=row.decided_at,
        comment=row.comment,
        title=row.title,
        body=row.body,
    )
