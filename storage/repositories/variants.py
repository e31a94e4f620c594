"""Translated announcements: variants written per (announcement, language), read with the
announcement, and the deliveries counted per language (`translations <id>`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.outbox import DeliveryStatus
from bot.domain.variants import Variant
from storage.repositories.base import Repository
from storage.repositories.search import reindex
from storage.tables import AnnouncementRow, AnnouncementVariantRow, DeliveryRow

_V: Table = SQLModel.metadata.tables[AnnouncementVariantRow.__tablename__]
_D: Table = SQLModel.metadata.tables[DeliveryRow.__tablename__]
# Copies that are read, or will be: not failed, skipped or recalled.
_READ = [s.value for s in (DeliveryStatus.SENT, DeliveryStatus.CLAIMED, DeliveryStatus.PENDING,
                           DeliveryStatus.DIGEST)]  # fmt: skip


async def variants_of(
    conn: AsyncConnection, announcement_ids: Iterable[int]
) -> dict[int, tuple[Variant, ...]]:
    """The variants of each announcement, by language (announcements without any are left out)."""
    ids = sorted(set(announcement_ids))
    if not ids:
        return {}
    query = (
        sa_select(
            _V.c.announcement_id,
            _V.c.language,
            _V.c.title,
            _V.c.body,
            _V.c.revision,
            _V.c.updated_at,
            _V.c.machine,
        )
        .where(_V.c.announcement_id.in_(ids))
        .order_by(_V.c.announcement_id, _V.c.language)
    )
    found: dict[int, list[Variant]] = {}
    for announcement_id, language, title, body, revision, updated_at, machine in (
        await conn.execute(query)
    ).all():
        variant = Variant(language, title, body, revision, updated_at, machine=bool(machine))
        found.setdefault(announcement_id, []).append(variant)
    return {key: tuple(value) for key, value in found.items()}


async def save_variants(
    session: AsyncSession, announcement_id: int, variants: Iterable[Variant], *, now: datetime
) -> None:
    """The variants written with a draft (each language once; the core checked them); a machine
    draft carried over (a Discord preview redrawn for new topics) stays a machine draft."""
    rows = [
        {"announcement_id": announcement_id, "language": v.language, "title": v.title, "body": v.body,
         "revision": 1, "updated_at": now, "machine": v.machine}
        for v in variants
    ]  # fmt: skip
    if rows:
        await (await session.connection()).execute(_V.insert(), rows)


async def delete_variants(session: AsyncSession, announcement_id: int) -> None:
    await (await session.connection()).execute(_V.delete().where(_V.c.announcement_id == announcement_id))


class VariantRepository(Repository):
    async def save(
        self,
        announcement_id: int,
        *,
        language: str,
        title: str,
        body: str,
        now: datetime,
        machine: bool = False,
    ) -> Variant | None:
        """Add the variant, or replace the one of that language (its revision counts up); None when
        the announcement does not exist. `machine`: a machine draft, never sent until accepted."""
        async with self._sessions.begin() as session:
            # Locks the announcement: two admins translating it at once take turns.
            if await session.get(AnnouncementRow, announcement_id, with_for_update=True) is None:
                return None
            row = await session.get(AnnouncementVariantRow, (announcement_id, language))
            if row is None:
                row = AnnouncementVariantRow(
                    announcement_id=announcement_id, language=language, title=title, body=body, updated_at=now
                )
            else:
                row.title, row.body, row.revision, row.updated_at = title, body, row.revision + 1, now
            row.machine = machine
            session.add(row)
            await session.flush()
            await reindex(session, announcement_id)  # a machine draft is left out (search.py)
            return Variant(language, title, body, row.revision, now, machine=machine)

    async def accept(self, announcement_id: int, *, language: str, now: datetime) -> Variant | None:
        """The machine draft of that language made an ordinary variant; None when there is none of
        that language. One already accepted (or written by hand) comes back as it is."""
        async with self._sessions.begin() as session:
            row = await session.get(AnnouncementVariantRow, (announcement_id, language), with_for_update=True)
            if row is None:
                return None
            if row.machine:
                row.machine, row.updated_at = False, now
                session.add(row)
                await session.flush()
                await reindex(session, announcement_id)  # found by search from now on
            return Variant(language, row.title, row.body, row.revision, row.updated_at, machine=False)

    async def remove(self, announcement_id: int, *, language: str) -> bool:
        async with self._sessions.begin() as session:
            # Locks the announcement, as `save` does: a removal and a translation take turns.
            if await session.get(AnnouncementRow, announcement_id, with_for_update=True) is None:
                return False
            row = await session.get(AnnouncementVariantRow, (announcement_id, language))
            if row is None:
                return False
            await session.delete(row)
            await session.flush()
            await reindex(session, announcement_id)  # its words are no longer found
            return True

    async def readers(self, announcement_id: int, *, delivered: bool = False) -> dict[str | None, int]:
        """The announcement's copies that are read (or will be; only those posted when `delivered`),
        by the language each delivery keeps (its partner's when it was sent; None: no partner, "": a
        partner with no language)."""
        statuses = [DeliveryStatus.SENT.value] if delivered else _READ
        query = (
            sa_select(_D.c.language, func.count())
            .where(_D.c.announcement_id == announcement_id, _D.c.status.in_(statuses))
            .group_by(_D.c.language)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(query)).all()
        return {language: int(count) for language, count in rows}
