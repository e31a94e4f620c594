"""Calls to action: written with their draft, read with the announcement, clicks as engagement
events (kind `link_clicked`, detail `cta:<number>`) counted per CTA by the delivery's segment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.cta import CallToAction, CtaClicks
from bot.domain.engagement import EngagementKind
from storage.repositories.base import Repository
from storage.repositories.engagement import record_event
from storage.repositories.targeting import segment_label
from storage.tables import AnnouncementCtaRow, DeliveryRow, EngagementEventRow
from storage.tables import table_of as _t

_CTA, _D, _E = _t(AnnouncementCtaRow), _t(DeliveryRow), _t(EngagementEventRow)


def click_detail(number: int) -> str:
    """How an event says which CTA was clicked."""
    return f"cta:{number}"


async def save_ctas(session: AsyncSession, announcement_id: int, ctas: Sequence[CallToAction]) -> None:
    if ctas:
        rows = [
            {"announcement_id": announcement_id, "number": n, "label": cta.label, "url": cta.url}
            for n, cta in enumerate(ctas, start=1)
        ]
        await (await session.connection()).execute(_CTA.insert(), rows)


async def delete_ctas(session: AsyncSession, announcement_id: int) -> None:
    await (await session.connection()).execute(_CTA.delete().where(_CTA.c.announcement_id == announcement_id))


async def ctas_of(
    conn: AsyncConnection, announcement_ids: Iterable[int]
) -> dict[int, tuple[CallToAction, ...]]:
    """The CTAs of each announcement, in order (announcements without any are left out)."""
    ids = sorted(set(announcement_ids))
    if not ids:
        return {}
    found: dict[int, list[CallToAction]] = {}
    query = (
        sa_select(_CTA.c.announcement_id, _CTA.c.label, _CTA.c.url)
        .where(_CTA.c.announcement_id.in_(ids))
        .order_by(_CTA.c.announcement_id, _CTA.c.number)
    )
    for announcement_id, label, url in (await conn.execute(query)).all():
        found.setdefault(announcement_id, []).append(CallToAction(label, url))
    return {key: tuple(value) for key, value in found.items()}


class CtaRepository(Repository):
    async def click(
        self, *, delivery_id: int, announcement_id: int, number: int, user: str | None, now: datetime
    ) -> CallToAction | None:
        async with self._sessions.begin() as session:
            conn = await session.connection()
            found = (
                await conn.execute(
                    sa_select(_D.c.channel_id, _CTA.c.label, _CTA.c.url)
                    .select_from(
                        _D.join(
                            _CTA,
                            and_(_CTA.c.announcement_id == _D.c.announcement_id, _CTA.c.number == number),
                        )
                    )
                    .where(_D.c.id == delivery_id, _D.c.announcement_id == announcement_id)
                )
            ).first()
            if found is None:
                return None
            channel_id, label, url = found
            await record_event(
                session,
                EngagementKind.LINK_CLICKED,
                channel_id=channel_id,
                user=user,
                now=now,
                announcement_id=announcement_id,
                detail=click_detail(number),
            )
            return CallToAction(label, url)

    async def clicks(self, announcement_id: int) -> tuple[CtaClicks, ...]:
        async with self._sessions() as session:
            return await cta_clicks(await session.connection(), announcement_id)


async def cta_clicks(conn: AsyncConnection, announcement_id: int) -> tuple[CtaClicks, ...]:
    """Every CTA of the announcement in order, with its clicks by the segment of the copy clicked
    (the delivery's snapshot of the partner's tier and region, as the other stats use)."""
    ctas = (
        await conn.execute(
            sa_select(_CTA.c.number, _CTA.c.label, _CTA.c.url)
            .where(_CTA.c.announcement_id == announcement_id)
            .order_by(_CTA.c.number)
        )
    ).all()
    if not ctas:
        return ()
    joined = _E.join(
        _D, and_(_D.c.announcement_id == _E.c.announcement_id, _D.c.channel_id == _E.c.channel_id)
    )
    rows = (
        await conn.execute(
            sa_select(_E.c.detail, segment_label(_D.c.tier), segment_label(_D.c.region), func.count())
            .select_from(joined)
            .where(_E.c.announcement_id == announcement_id, _E.c.kind == EngagementKind.LINK_CLICKED.value)
            .group_by(_E.c.detail, _D.c.tier, _D.c.region)
        )
    ).all()
    tiers: dict[str, Counter[str]] = {}
    regions: dict[str, Counter[str]] = {}
    for detail, tier, region, count in rows:
        tiers.setdefault(detail, Counter())[tier] += count
        regions.setdefault(detail, Counter())[region] += count
    return tuple(_clicks(number, label, url, tiers, regions) for number, label, url in ctas)


def _clicks(
    number: int, label: str, url: str, tiers: dict[str, Counter[str]], regions: dict[str, Counter[str]]
) -> CtaClicks:
    by_tier = tiers.get(click_detail(number), Counter())
    by_region = regions.get(click_detail(number), Counter())
    return CtaClicks(number, label, url, sum(by_tier.values()), dict(by_tier), dict(by_region))
