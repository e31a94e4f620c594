"""The audit log of admin actions, allowed and refused."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.refs import UserRef


class AuditStore(Protocol):
    """Implemented by `storage.repositories.AuditRepository`."""

    async def record(
        self, *, user: UserRef, channel: str, action: str, detail: str, allowed: bool, now: datetime
    ) -> None: ...
