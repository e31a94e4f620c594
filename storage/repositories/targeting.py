"""Targeting: which channels a broadcast reaches (subscriptions ∩ audience ∩ active), and the single
INSERT … SELECT that writes one delivery row per target with its timing.

Timing is per group of channels sharing a zone, quiet hours and mode (bot/timing.py): the plan
maps each group key to its `not_before` and digest hold, and SQL picks them with a CASE on the key,
so 10,000 channels in a handful of zones still take one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, not_, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Audience, ChannelRef
from bot.timing import DeliveryPlan
from storage.tables import ChannelRow, DeliveryRow, PartnerRow, SubscriptionRow, UTCDateTime

_COLUMNS = [
    "announcement_id",
    "channel_id",
    "platform",
    "status",
    "attempts",
    "ambiguous",
    "last_error",
    "not_before",
    "claimed_by",
    "tier",
    "type",
    "region",
    "language",
]

UNLINKED = "unlinked"
NONE = "none"


def segment_label(column: Any, *, unlinked: str = UNLINKED) -> Any:
    """A stored segment value as shown in stats: NULL (no partner) → `unlinked`, blank → "none"."""
    return case((column.is_(None), literal(unlinked)), (column == "", literal(NONE)), else_=column)


def zone_column() -> Any:
    """A channel's effective zone as stored: its own, else its partner's, else "" (vendor default)."""
    return func.coalesce(col(ChannelRow.timezone), col(PartnerRow.timezone), literal(""))


def quiet_column() -> Any:
    return func.coalesce(col(ChannelRow.quiet_hours), literal(""))


def not_excluded(excluded: Sequence[ChannelRef]) -> list[Any]:
    """Filters leaving out `excluded` channels (the admin channels), matched on platform and channel id:
    settings name no workspace."""
    return [
        not_(and_(col(ChannelRow.platform) == ref.platform.value, col(ChannelRow.channel_id) == ref.channel))
        for ref in excluded
    ]


def targets(topic_ids: Sequence[int], audience: Audience, excluded: Sequence[ChannelRef] = ()) -> Select[Any]:
    """Active channels following any of `topic_ids` whose partner matches `audience`, except `excluded`."""
    subscribed = exists().where(
        col(SubscriptionRow.channel_id) == ChannelRow.id, col(SubscriptionRow.topic_id).in_(list(topic_ids))
    )
    # A removed partner's channel is off, and stays out even if a command there switches it back on.
    filters = [
        col(ChannelRow.active).is_(True),
        subscribed,
        col(PartnerRow.removed_at).is_(None),
        *not_excluded(excluded),
    ]
    for column, wanted in (
        (PartnerRow.tier, audience.tiers),
        (PartnerRow.type, audience.types),
        (PartnerRow.region, audience.regions),
        (PartnerRow.language, audience.languages),
    ):
        if wanted:
            filters.append(col(column).in_(sorted(wanted)))
    query: Select[Any] = (
        sa_select(
            col(ChannelRow.id).label("id"),
            col(ChannelRow.platform).label("platform"),
            col(ChannelRow.mode).label("mode"),
            col(ChannelRow.partner_id).label("partner_id"),
            col(PartnerRow.tier).label("tier"),
            col(PartnerRow.type).label("type"),
            col(PartnerRow.region).label("region"),
            # The reader's language: the channel's own setting (`settings language`), else its partner's.
            func.coalesce(col(ChannelRow.language), col(PartnerRow.language)).label("language"),
            zone_column().label("zone"),
            quiet_column().label("quiet"),
        )
        .select_from(ChannelRow)
        .outerjoin(PartnerRow, and_(col(PartnerRow.id) == ChannelRow.partner_id))
        .where(*filters)
    )
    return query


async def write_deliveries(
    session: AsyncSession,
    announcement_id: int,
    topic_ids: Sequence[int],
    audience: Audience,
    *,
    bypass_digest: bool,
    now: datetime,
    plan: DeliveryPlan | None,
    excluded: Sequence[ChannelRef] = (),
) -> None:
    """One delivery row per target; the unique (announcement, channel) key makes a re-run add nothing."""
    found = targets(topic_ids, audience, excluded).subquery()
    by_mode = case(
        (or_(literal(bypass_digest), found.c.mode == "immediate"), literal("pending")),
        else_=literal("digest"),
    )
    status: Any = by_mode
    not_before: Any = literal(now, UTCDateTime())
    if plan is not None and plan.timings:
        key = found.c.zone + literal("|") + found.c.quiet + literal("|") + found.c.mode
        held = [t.group.key for t in plan.timings if t.held]
        sent = [t.group.key for t in plan.timings if not t.held]
        status = case((key.in_(held), literal("digest")), (key.in_(sent), literal("pending")), else_=by_mode)
        not_before = case(
            {t.group.key: literal(t.not_before, UTCDateTime()) for t in plan.timings},
            value=key,
            else_=literal(plan.fallback, UTCDateTime()),
        )
    elif plan is not None:
        not_before = literal(plan.fallback, UTCDateTime())
    rows = sa_select(
        literal(announcement_id),
        found.c.id,
        found.c.platform,
        status,
        literal(0),
        literal(False),
        literal(""),
        not_before,
        literal(""),
        # The segment as it is now, kept on the row: stats read what the partner was when sent.
        found.c.tier,
        found.c.type,
        found.c.region,
        found.c.language,
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT: https://sqlite.org/lang_upsert.html
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(DeliveryRow).from_select(_COLUMNS, rows).on_conflict_do_nothing())
