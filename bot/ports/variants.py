"""Translated announcements: the variants of an announcement per language (bot/domain/variants.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.variants import Variant


class VariantStore(Protocol):
    """Implemented by `storage.repositories.VariantRepository`."""

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
        ...

    async def accept(self, announcement_id: int, *, language: str, now: datetime) -> Variant | None:
        """The machine draft of that language made an ordinary variant (read from now on); None when
        there is no variant of that language. A variant already accepted is returned as it is."""
        ...

    async def remove(self, announcement_id: int, *, language: str) -> bool:
        """Delete the text of that language (and take it out of search); False when there is none."""
        ...

    async def readers(self, announcement_id: int, *, delivered: bool = False) -> dict[str | None, int]:
        """The announcement's copies read (or to be read; only those posted when `delivered`), by the
        language each delivery keeps: its partner's when it was sent (None: no partner, "": a partner
        with no language)."""
        ...
