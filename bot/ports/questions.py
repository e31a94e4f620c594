"""The dashboard's Questions page, read: open questions oldest first, the recently answered ones, a
few counts, and every question of the window for the CSV export (storage/repositories/questions.py).

Answering goes through the core (`PartnerBot.dashboard_answer`), never through this port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.dashboard import Segment


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """One partner question as the dashboard lists it; the answer fields are empty while it is open."""

    id: int
    asked_at: datetime
    partner_id: int | None
    partner_name: str
    partner_tier: str
    announcement_id: int | None
    announcement_title: str
    asker: str
    text: str
    status: str
    answered_at: datetime | None = None
    answered_by: str = ""
    answer: str = ""
    # Issue 18: an admin marked the answered question as FAQ; `served`: the questions it answered.
    faq: bool = False
    served: int = 0


@dataclass(frozen=True, slots=True)
class QuestionCounts:
    """Open questions now (by age), and the questions asked and answered in the segment's window."""

    open: int
    asked: int
    answered: int
    # Open questions by age: under a day, 1 to 3 days, 3 to 7 days, a week or more.
    by_age: tuple[int, int, int, int]


class QuestionsView(Protocol):
    """Implemented by `storage.repositories.questions.QuestionsRepository`. The segment's partner
    dimensions filter every call; its `days` bound the answered list, the counts and the export."""

    async def open(self, segment: Segment, *, limit: int, after: int | None = None) -> list[QuestionLine]:
        """Questions still waiting for an answer, oldest first (at most `limit`); with `after`, the
        ones asked after that question (keyset paging)."""
        ...

    async def answered(self, segment: Segment, *, now: datetime, limit: int) -> list[QuestionLine]:
        """Questions answered in the window, the latest answer first, with who answered and how."""
        ...

    async def counts(self, segment: Segment, *, now: datetime) -> QuestionCounts: ...

    def export(self, segment: Segment, *, now: datetime) -> AsyncIterator[QuestionLine]:
        """Every question asked in the window or still open, by number, streamed."""
        ...
