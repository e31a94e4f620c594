"""What the web dashboard reads: the segment filter every page shares, pages of rows, the audit log.

Read models only; each dashboard page's own rows live next to its port (bot/ports/dashboard.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.refs import UserRef


@dataclass(frozen=True, slots=True)
class Segment:
    """The filter on top of every dashboard page: a window of days and the partner dimensions.
    None (or "") is "any"; values compare case-insensitively, like the chat's targeting."""

    days: int = 30
    tier: str | None = None
    region: str | None = None
    type: str | None = None
    language: str | None = None
    topic: str | None = None

    def any_dimension(self) -> bool:
        return any((self.tier, self.region, self.type, self.language, self.topic))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action (chat, CLI or dashboard), allowed or refused."""

    id: int
    at: datetime
    user: UserRef
    channel: str
    action: str
    detail: str
    allowed: bool


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Newest first; `before` is the last id of the previous page (keyset paging, no OFFSET)."""

    action: str | None = None
    user: str | None = None
    refused_only: bool = False
    before: int | None = None
    limit: int = 50
