"""Announcements' files in the database: the stored contents (`stored_file`) and each
announcement's list of them (`announcement_file`). The bytes are the FileStore's (storage/files.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.files import Attachment
from storage.tables import AnnouncementFileRow, StoredFileRow


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
