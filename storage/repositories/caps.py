"""Fatigue caps (bot/caps.py): the preview's count of targeted channels already at their weekly cap, and
the sent summary's count of copies the cap held.

The capping itself happens in the fan-out (storage/repositories/targeting.py `over_cap`); this reads
the same condition over the same targets without writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import col

from bot.caps import CapReach, WeeklyCap
from bot.domain import Audience, DeliveryMode
from bot.timing import DeliveryPlan
from storage.repositories.base import Repository
from storage.repositories.targeting import cap_counts, caps_in_use, group_key_column, over_cap, targets
from storage.tables import ChannelRow, DeliveryRow


class CapRepository(Repository):
    async def at_cap(
        self,
        topic_ids: Sequence[int],
        audience: Audience,
        *,
        cap: WeeklyCap,
        plan: DeliveryPlan,
        now: datetime,
    ) -> CapReach:
        """See `bot.ports.caps.CapStore.at_cap`."""
        found = targets(topic_ids, audience, self._excluded).subquery()
        source, counted = cap_counts(found, plan, now)
        limit = case((found.c.weekly_cap.is_(None), literal(cap.vendor or 0)), else_=found.c.weekly_cap)
        query = (
            sa_select(found.c.mode, limit, func.count())
            .select_from(source)
            .where(_alone(found, plan), over_cap(found, counted, cap))
            .group_by(found.c.mode, limit)
        )
        async with self._sessions() as session:
            if not await caps_in_use(session, cap):
                return CapReach()
            rows = (await (await session.connection()).execute(query)).all()
        return _reach(rows)

    async def capped(self, announcement_id: int, *, cap: WeeklyCap) -> CapReach:
        """See `bot.ports.caps.CapStore.capped`."""
        limit = case(
            (col(ChannelRow.weekly_cap).is_(None), literal(cap.vendor or 0)), else_=ChannelRow.weekly_cap
        )
        query = (
            sa_select(col(ChannelRow.mode), limit, func.count())
            .select_from(DeliveryRow)
            .join(ChannelRow, col(ChannelRow.id) == DeliveryRow.channel_id)
            .where(col(DeliveryRow.announcement_id) == announcement_id, col(DeliveryRow.capped).is_(True))
            .group_by(col(ChannelRow.mode), limit)
        )
        async with self._sessions() as session:
            return _reach((await (await session.connection()).execute(query)).all())


def _reach(rows: Sequence[Any]) -> CapReach:
    """(mode, cap, channels) rows as a CapReach."""
    missed = sum(int(n) for mode, _, n in rows if mode == DeliveryMode.IMMEDIATE.value)
    digest = sum(int(n) for mode, _, n in rows if mode != DeliveryMode.IMMEDIATE.value)
    return CapReach(missed=missed, digest=digest, caps=tuple(sorted({int(c) for _, c, _ in rows})))


def _alone(found: Any, plan: DeliveryPlan) -> Any:
    """Targets whose row would go out as a post of its own (not held for a digest by `plan`)."""
    sent = [t.group.key for t in plan.timings if not t.held]
    if plan.timings:
        return group_key_column(found).in_(sent) if sent else literal(False)
    return found.c.mode == DeliveryMode.IMMEDIATE.value
