"""The audit log: every admin action, allowed or refused."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from bot.domain import UserRef
from storage.repositories.base import Repository
from storage.tables import AuditRow


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
