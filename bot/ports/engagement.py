"""Engagement events (bot/domain/engagement.py): the read the score and gone-quiet lists build on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.engagement import EngagementCount


class EngagementStore(Protocol):
    """Implemented by `storage.repositories.EngagementRepository`. The events themselves are written by
    the store methods that perform each action, in the same transaction."""

    async def counts(
        self, *, since: datetime, until: datetime, partner_ids: Sequence[int] | None = None
    ) -> list[EngagementCount]:
        """Per partner and kind, the events within [since, until) (of `partner_ids` only, if given),
        by partner id then kind; events of channels linked to no partner are left out."""
        ...
