"""The audit log: every admin action, allowed or refused; read page by page by the dashboard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.domain.dashboard import AuditEntry, AuditQuery
from bot.domain.refs import Platform, UserRef
from storage.repositories.base import Repository
from storage.tables import AuditRow

# Rows fetched per round trip while exporting (the export never holds the whole log).
_EXPORT_CHUNK = 1000


class AuditRepository(Repository):
    async def record(
        self, *, user: UserRef, channel: str, action: str, detail: str, allowed: bool, now: datetime
    ) -> None:
        async with self._sessions.begin() as session:
            session.add(
                AuditRow(
                    at=now,
                    platform=user.platform,
                    user_id=user.user,
                    user_name=user.display_name,
                    channel_id=channel,
                    action=action,
                    detail=detail[:2000],
                    allowed=allowed,
                )
            )

    async def recent(self, limit: int = 50) -> list[AuditRow]:
        async with self._sessions() as session:
            return list(await session.exec(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(limit)))

    async def page(self, query: AuditQuery) -> list[AuditEntry]:
        async with self._sessions() as session:
            rows = await session.exec(_select(query, query.before).limit(max(1, min(query.limit, 500))))
            return [_entry(row) for row in rows]

    async def export(self, query: AuditQuery) -> AsyncIterator[AuditEntry]:
        before: int | None = None
        while True:
            async with self._sessions() as session:
                rows = list(await session.exec(_select(query, before).limit(_EXPORT_CHUNK)))
            for row in rows:
                yield _entry(row)
            if len(rows) < _EXPORT_CHUNK:
                return
            before = rows[-1].id


def _select(query: AuditQuery, before: int | None) -> Any:
    stmt = select(AuditRow).order_by(col(AuditRow.id).desc())
    if before is not None:
        stmt = stmt.where(col(AuditRow.id) < before)
    if query.action:
        stmt = stmt.where(col(AuditRow.action) == query.action)
    if query.user:
        stmt = stmt.where(col(AuditRow.user_id) == query.user)
    if query.refused_only:
        stmt = stmt.where(col(AuditRow.allowed).is_(False))
    return stmt


def _entry(row: AuditRow) -> AuditEntry:
    assert row.id is not None
    return AuditEntry(
        id=row.id,
        at=row.at,
        user=UserRef(_platform(row.platform), "", row.user_id, row.user_name),
        channel=row.channel_id,
        action=row.action,
        detail=row.detail,
        allowed=row.allowed,
    )


def _platform(value: str) -> Platform:
    try:
        return Platform(value)
    except ValueError:  # written by a newer version: shown as local rather than failing the page
        return Platform.LOCAL
