"""Saved audiences: named broadcast filters (bot/domain/audiences.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import AnnouncementStatus, Audience, AudienceUser, SavedAudience
from storage.repositories.base import Repository, need_id
from storage.tables import AnnouncementRow, SavedAudienceRow


class SavedAudienceRepository(Repository):
    async def get(self, name: str) -> SavedAudience | None:
        async with self._sessions() as session:
            row = await _row(session, name)
            return _saved(row) if row else None

    async def all(self) -> list[SavedAudience]:
        async with self._sessions() as session:
            rows = await session.exec(select(SavedAudienceRow).order_by(col(SavedAudienceRow.name)))
            return [_saved(row) for row in rows]

    async def save(self, audience: SavedAudience, *, now: datetime) -> SavedAudience | None:
        """Create or replace `audience.name`; the audience it replaced, if any. The row is locked while
        it is replaced (PostgreSQL), so two saves at once each report what they replaced."""
        async with self._sessions.begin() as session:
            row = await _row(session, audience.name, lock=True)
            before = _saved(row) if row else None
            row = row or SavedAudienceRow(name=audience.name)
            row.audience = audience.audience.to_json()
            row.topics = list(audience.topics)
            row.updated_by = audience.updated_by
            row.updated_at = now
            session.add(row)
            return before

    async def delete(self, name: str) -> list[AudienceUser] | None:
        async with self._sessions.begin() as session:
            row = await _row(session, name, lock=True)
            if row is None:
                return None
            users = await _users(session, name)
            if not users:
                await session.delete(row)
            return users

    async def users(self, name: str) -> list[AudienceUser]:
        async with self._sessions() as session:
            return await _users(session, name)


async def _row(session: AsyncSession, name: str, *, lock: bool = False) -> SavedAudienceRow | None:
    query = select(SavedAudienceRow).where(SavedAudienceRow.name == name)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def _users(session: AsyncSession, name: str) -> list[AudienceUser]:
    query = (
        select(AnnouncementRow.id, AnnouncementRow.title)
        .where(
            AnnouncementRow.audience_name == name,
            AnnouncementRow.status == AnnouncementStatus.DRAFT.value,
        )
        .order_by(col(AnnouncementRow.id))
    )
    return [AudienceUser(need_id(id_), title) for id_, title in await session.exec(query)]


def _saved(row: SavedAudienceRow) -> SavedAudience:
    return SavedAudience(
        name=row.name,
        audience=Audience.from_json(row.audience),
        topics=tuple(row.topics or ()),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


async def current_audience(session: AsyncSession, row: AnnouncementRow) -> Audience:
    """The audience an announcement targets: a draft that refers to a saved audience takes that
    audience's filters as they are now; anything else (and a draft whose saved audience is gone) the
    filters stored on it."""
    if row.audience_name is None or row.status != AnnouncementStatus.DRAFT.value:
        return Audience.from_json(row.audience)
    saved = await _row(session, row.audience_name)
    return Audience.from_json(saved.audience if saved else row.audience)
