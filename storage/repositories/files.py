"""Announcements' files in the database: the stored contents (`stored_file`) and each
announcement's list of them (`announcement_file`), and which contents no live announcement carries
any more. The bytes are the FileStore's (storage/files.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import AnnouncementStatus
from bot.domain.files import Attachment, FileUsage, UnusedFile, UnusedWhy
from storage.repositories.base import Repository
from storage.tables import AnnouncementFileRow, AnnouncementRow, StoredFileRow
from storage.tables import table_of as _t

SF, AF, A = _t(StoredFileRow), _t(AnnouncementFileRow), _t(AnnouncementRow)


async def link_files(
    session: AsyncSession, announcement_id: int, files: Sequence[Attachment], *, now: datetime
) -> None:
    """Record each content once (whoever attached it before) and the announcement's list, in order."""
    if not files:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    contents = {f.sha256: f for f in files}
    await session.exec(
        insert(StoredFileRow)
        .values(
            [
                {"sha256": f.sha256, "size": f.size, "media_type": f.media_type, "created_at": now}
                for f in contents.values()
            ]
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    for position, f in enumerate(files):
        session.add(
            AnnouncementFileRow(
                announcement_id=announcement_id, position=position, sha256=f.sha256, name=f.name
            )
        )


async def files_of(session: AsyncSession, announcement_id: int) -> tuple[Attachment, ...]:
    rows = await session.exec(
        select(AnnouncementFileRow, StoredFileRow)
        .join(StoredFileRow, col(StoredFileRow.sha256) == col(AnnouncementFileRow.sha256))
        .where(AnnouncementFileRow.announcement_id == announcement_id)
        .order_by(col(AnnouncementFileRow.position))
    )
    return tuple(
        Attachment(sha256=link.sha256, name=link.name, media_type=stored.media_type, size=stored.size)
        for link, stored in rows
    )


# Announcements in these states no longer need their files (bot/services/file_gc.py).
_CLOSED = (AnnouncementStatus.CANCELLED.value, AnnouncementStatus.RECALLED.value)


class FileUsageRepository(Repository):
    async def usage(self) -> FileUsage:
        """See `bot.ports.files.FileUsageStore`: two statements (the contents no live announcement
        carries, with their links; every recorded content)."""
        live = (
            sa_select(AF.c.sha256)
            .join(A, A.c.id == AF.c.announcement_id)
            .where(AF.c.sha256 == SF.c.sha256, A.c.status.not_in(_CLOSED))
        )
        unused = (
            sa_select(SF.c.sha256, SF.c.size, AF.c.name, A.c.id, A.c.status)
            .select_from(
                SF.outerjoin(AF, AF.c.sha256 == SF.c.sha256).outerjoin(A, A.c.id == AF.c.announcement_id)
            )
            .where(~live.exists())
            .order_by(SF.c.sha256, A.c.id, AF.c.position)
        )
        async with self._sessions() as session:
            conn = await session.connection()
            rows = (await conn.execute(unused)).all()
            known = frozenset(str(sha) for sha in (await conn.execute(sa_select(SF.c.sha256))).scalars())
        found: dict[str, UnusedFile] = {}
        for sha256, size, name, announcement_id, status in rows:
            before = found.get(sha256)
            names = before.names if before else ()
            carried = before.announcements if before else ()
            if name is not None and name not in names:
                names = (*names, name)
            if announcement_id is not None and (announcement_id, status) not in carried:
                carried = (*carried, (int(announcement_id), str(status)))
            why = UnusedWhy.CLOSED if carried else UnusedWhy.UNLINKED
            found[sha256] = UnusedFile(sha256, int(size), why, names, carried)
        return FileUsage(tuple(found.values()), known)
