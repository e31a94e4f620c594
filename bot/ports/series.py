"""Recurring series: their template, rule and state (bot/domain/series.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain.refs import ChannelRef, UserRef
from bot.domain.series import Recurrence, Series, SeriesStatus, SeriesTemplate


class SeriesStore(Protocol):
    """Implemented by `storage.repositories.SeriesRepository`."""

    async def create(
        self,
        *,
        template: SeriesTemplate,
        rule: Recurrence,
        zone: str | None,
        until: date | None,
        author: UserRef,
        origin: ChannelRef,
        now: datetime,
    ) -> Series:
        """A new series, as a draft."""
        ...

    async def get(self, series_id: int) -> Series | None: ...

    async def all(self, *, statuses: Sequence[SeriesStatus] = ()) -> list[Series]:
        """Every series (or those in `statuses`), by id."""
        ...

    async def set_status(
        self,
        series_id: int,
        status: SeriesStatus,
        *,
        expected: Sequence[SeriesStatus],
        active_since: datetime | None = None,
    ) -> Series | None:
        """Move a series in one of the `expected` states to `status` (a compare-and-set, so two
        admins pressing at once change it once); `active_since` is set when given. None when it
        was not in one of them."""
        ...

    async def discard_draft(self, series_id: int) -> bool:
        """Delete a series that is still a draft (`partnerbot broadcast --every … --dry-run` keeps
        nothing); False when it is no draft (any more)."""
        ...

    async def edit(
        self, series_id: int, *, title: str | None, body: str | None, now: datetime
    ) -> Series | None:
        """New text for the occurrences not drafted yet (None: keep it); not for an ended series."""
        ...

    async def record_occurrence(
        self, series_id: int, *, day: date, announcement_id: int | None, note: str
    ) -> None:
        """What became of the occurrence on `day` (the latest one drafted)."""
        ...
