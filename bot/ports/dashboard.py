"""The web dashboard's read side and its one-time sign-in links.

Every dashboard query is one SQL statement over indexed columns, paged by keyset, exported by
streaming (no page loads a whole table). The composition root builds `DashboardViews` and hands it to
adapters/web; each page reads only its own view.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.dashboard import AuditEntry, AuditQuery
from bot.domain.refs import UserRef
from bot.ports.announcement_story import AnnouncementStories
from bot.ports.overview import OverviewView
from bot.ports.partner_pulse import PartnerPulse
from bot.ports.questions import QuestionsView
from bot.ports.topic_trends import TopicTrends


class AuditLog(Protocol):
    """The audit log, read (implemented by `storage.repositories.AuditRepository`)."""

    async def page(self, query: AuditQuery) -> list[AuditEntry]: ...

    def export(self, query: AuditQuery) -> AsyncIterator[AuditEntry]:
        """Every matching entry, newest first, streamed (the query's `limit` and `before` are ignored)."""
        ...


class SignInLinks(Protocol):
    """One-time sign-in links (`partnerbot dashboard link`, the admin chat's `dashboard`): stored as
    a hash of the token, consumed at most once, before they expire."""

    async def create(self, *, token_hash: str, admin: UserRef, now: datetime, expires: datetime) -> None: ...

    async def consume(self, *, token_hash: str, now: datetime) -> UserRef | None:
        """The admin the link was made for, marking it used; None if unknown, used or expired."""
        ...


@dataclass(frozen=True, slots=True)
class DashboardViews:
    """Every read port of the dashboard, one per page (built by bot/app.py)."""

    audit: AuditLog
    overview: OverviewView
    announcements: AnnouncementStories
    questions: QuestionsView
    partners: PartnerPulse
    topics: TopicTrends
