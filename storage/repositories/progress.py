"""The live progress message of a broadcast: which notice shows it, and what it last said.

Several processes may refresh progress; `save` is a compare-and-set on the text last shown, so only
the process that wins it edits the message, and an unchanged text costs no platform call at all.
"""

from __future__ import annotations

from sqlalchemy import Table, and_, select, update
from sqlmodel import SQLModel

from bot.domain import AnnouncementStatus, ChannelRef, Platform, ProgressSlot
from storage.repositories.base import Repository
from storage.tables import AnnouncementRow, NoticeRow

_A: Table = SQLModel.metadata.tables[AnnouncementRow.__tablename__]
_N: Table = SQLModel.metadata.tables[NoticeRow.__tablename__]


class ProgressRepository(Repository):
    async def attach(self, announcement_id: int, notice_key: str) -> None:
        """Make the notice queued under `notice_key` the announcement's progress message."""
        notice = select(_N.c.id).where(_N.c.key == notice_key).scalar_subquery()
        async with self._sessions.begin() as session:
            await session.exec(
                update(_A)
                .where(_A.c.id == announcement_id)
                .values(progress_notice_id=notice, progress_final=False)
            )

    async def due(self, *, limit: int = 50) -> list[ProgressSlot]:
        """Progress messages that are posted and not final yet, oldest announcement first."""
        query = (
            select(
                _A.c.id, _A.c.title, _A.c.status, _A.c.progress_text, _N.c.id.label("notice_id"),
                _N.c.platform, _N.c.workspace_id, _N.c.channel, _N.c.message_id,
            )
            .join(_N, _N.c.id == _A.c.progress_notice_id)
            .where(~_A.c.progress_final, _N.c.message_id.is_not(None))
            .order_by(_A.c.id)
            .limit(limit)
        )  # fmt: skip
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return [
            ProgressSlot(
                announcement_id=row.id,
                title=row.title,
                status=AnnouncementStatus(row.status),
                shown=row.progress_text,
                notice_id=row.notice_id,
                channel=ChannelRef(Platform(row.platform), row.workspace_id, row.channel),
                message_id=row.message_id,
            )
            for row in rows
        ]

    async def save(self, announcement_id: int, *, text: str, final: bool, shown: str) -> bool:
        """Record `text` as shown if the message still shows `shown`; False when another process
        got there first (it edits the message, this one must not)."""
        async with self._sessions.begin() as session:
            result = await session.exec(
                update(_A)
                .where(and_(_A.c.id == announcement_id, _A.c.progress_text == shown, ~_A.c.progress_final))
                .values(progress_text=text, progress_final=final)
            )
            return bool(result.rowcount)

    async def restore(self, announcement_id: int, *, shown: str) -> None:
        """An edit of the message failed: record what it really shows, so the next tick tries again."""
        async with self._sessions.begin() as session:
            await session.exec(
                update(_A).where(_A.c.id == announcement_id).values(progress_text=shown, progress_final=False)
            )

    async def reopen(self, announcement_id: int) -> None:
        """An edit or recall started: show its progress again."""
        async with self._sessions.begin() as session:
            await session.exec(update(_A).where(_A.c.id == announcement_id).values(progress_final=False))
