"""Calls to action: their clicks, recorded as engagement events and counted per CTA."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.cta import CallToAction, CtaClicks


class CtaStore(Protocol):
    """Implemented by `storage.repositories.CtaRepository`."""

    async def click(
        self, *, delivery_id: int, announcement_id: int, number: int, user: str | None, now: datetime
    ) -> CallToAction | None:
        """Record one click on CTA `number` of the copy `delivery_id` of `announcement_id` (a
        `link_clicked` event, detail `cta:<number>`, for its channel and partner) and return that CTA;
        None, recording nothing, when the delivery is not of that announcement or it has no such CTA."""
        ...

    async def clicks(self, announcement_id: int) -> tuple[CtaClicks, ...]:
        """Every CTA of the announcement in order, with its clicks in all and by tier and region."""
        ...
