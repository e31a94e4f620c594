"""Engagement events (bot/domain/engagement.py): the read the score and gone-quiet lists build on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.domain.engagement import (
    EngagementCount,
    PartnerEngagement,
    PartnerScore,
    QuietPartner,
    ScoreFilter,
    ScoreFormula,
)


class EngagementStore(Protocol):
    """Implemented by `storage.repositories.EngagementRepository`. The events themselves are written by
    the store methods that perform each action, in the same transaction."""

    async def counts(
        self, *, since: datetime, until: datetime, partner_ids: Sequence[int] | None = None
    ) -> list[EngagementCount]:
        """Per partner and kind, the events within [since, until) (of `partner_ids` only, if given),
        by partner id then kind; events of channels linked to no partner are left out."""
        ...

    def scores(
        self, *, since: datetime, until: datetime, formula: ScoreFormula, only: ScoreFilter | None = None
    ) -> AsyncIterator[PartnerScore]:
        """Every partner's score over [since, until) in one query, best first (then by name), streamed;
        `only` narrows the partners (tier, region) and what is counted (a topic). Whole UTC days
        (both bounds at midnight, as the service passes them) are read from the daily roll-ups."""
        ...

    async def gone_quiet(
        self,
        *,
        now: datetime,
        window: timedelta,
        quiet_for: timedelta,
        drop_percent: float,
        formula: ScoreFormula,
    ) -> list[QuietPartner]:
        """Partners with a delivery but no action within `quiet_for` before `now`, or whose score over
        the last `window` is more than `drop_percent` below the window before it; by name. The windows
        are whole UTC days ending with `now`'s (`bot.domain.engagement.window_end`)."""
        ...

    async def partner_engagement(
        self, *, partner_id: int, now: datetime, window: timedelta, formula: ScoreFormula, recent: int
    ) -> PartnerEngagement:
        """One partner's score over the last `window` before `now` and over the window before it (the
        same formula, counting and whole days as `gone_quiet`), and its `recent` latest events before
        `now`, newest first."""
        ...


class ScoreSnapshots(Protocol):
    """Implemented by `storage.repositories.snapshots.ScoreSnapshotRepository`: snapshots of the
    engagement roll-ups over spans of completed UTC days, which the score and gone-quiet reads use in
    place of those days' roll-ups while nothing in them changes."""

    async def refresh(
        self, pieces: Iterable[tuple[date, date]], *, now: datetime, worker: str, lease: timedelta
    ) -> int:
        """Build each span [first, end) of `pieces` that ends by `now`'s UTC day and is missing or stale
        (at most one worker at a time per span, under `lease`); forget every other span.
        Returns how many were built."""
        ...
