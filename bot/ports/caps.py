"""Fatigue caps (bot/caps.py): which targeted channels are already at their weekly cap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.caps import CapReach, WeeklyCap
from bot.domain.announcements import Audience
from bot.timing import DeliveryPlan


class CapStore(Protocol):
    """Implemented by `storage.repositories.CapRepository`."""

    async def at_cap(
        self,
        topic_ids: Sequence[int],
        audience: Audience,
        *,
        cap: WeeklyCap,
        plan: DeliveryPlan,
        now: datetime,
    ) -> CapReach:
        """The targets a non-urgent broadcast timed by `plan` would reach alone that are at their
        weekly cap, counted as `start_sending` with the same `cap` would cap them."""
        ...

    async def capped(self, announcement_id: int, *, cap: WeeklyCap) -> CapReach:
        """The channels whose copy of the announcement was held by their weekly cap when it was sent."""
        ...
