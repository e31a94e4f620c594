"""Targeting: which channels a broadcast reaches (subscriptions ∩ audience ∩ active), and the single
INSERT … SELECT that writes one delivery row per target with its timing.

Timing is per group of channels sharing a zone, quiet hours and mode (bot/timing.py): the plan
maps each group key to its `not_before` and digest hold, and SQL picks them with a CASE on the key,
so 10,000 channels in a handful of zones still take one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, not_, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.caps import WINDOW, WeeklyCap
from bot.domain import Audience, ChannelRef, DeliveryStatus, Priority
from bot.timing import DeliveryPlan
from storage.tables import AnnouncementRow, ChannelRow, DeliveryRow, PartnerRow, SubscriptionRow, UTCDateTime

_DELIVERY, _ANNOUNCEMENT = DeliveryRow.__table__, AnnouncementRow.__table__  # type: ignore[attr-defined]

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
    "capped",
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
            col(ChannelRow.weekly_cap).label("weekly_cap"),
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
    cap: WeeklyCap | None = None,
) -> None:
    """One delivery row per target; the unique (announcement, channel) key makes a re-run add nothing.
    With a `cap` (a non-urgent broadcast), a row that would go out alone to a channel at its weekly cap
    is held for a digest instead, marked `capped` (bot/caps.py)."""
    found = targets(topic_ids, audience, excluded).subquery()
    by_mode = case(
        (or_(literal(bypass_digest), found.c.mode == "immediate"), literal("pending")),
        else_=literal("digest"),
    )
    status: Any = by_mode
    not_before = due_time(found, plan, now)
    if plan is not None and plan.timings:
        key = group_key_column(found)
        held = [t.group.key for t in plan.timings if t.held]
        sent = [t.group.key for t in plan.timings if not t.held]
        status = case((key.in_(held), literal("digest")), (key.in_(sent), literal("pending")), else_=by_mode)
    capped: Any = literal(False)
    source: Any = found
    if cap is not None and await caps_in_use(session, cap):
        source, counted = cap_counts(found, plan, now)
        capped = and_(status == literal("pending"), over_cap(found, counted, cap))
        status = case((capped, literal("digest")), else_=status)
    rows = (
        sa_select(
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
            capped,
        )
        .select_from(source)
        .where(true())
    )  # SQLite needs a WHERE before ON CONFLICT: https://sqlite.org/lang_upsert.html
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(DeliveryRow).from_select(_COLUMNS, rows).on_conflict_do_nothing())


def group_key_column(found: Any) -> Any:
    """The `zone|quiet|mode` key of each target, as bot/timing.py `group_key` makes it."""
    return found.c.zone + literal("|") + found.c.quiet + literal("|") + found.c.mode


def due_time(found: Any, plan: DeliveryPlan | None, now: datetime, shift: timedelta = timedelta(0)) -> Any:
    """Each target's `not_before` under `plan` (its group's, else the fallback; now without a plan),
    moved by `shift`."""
    if plan is not None and plan.timings:
        return case(
            {t.group.key: literal(t.not_before + shift, UTCDateTime()) for t in plan.timings},
            value=group_key_column(found),
            else_=literal(plan.fallback + shift, UTCDateTime()),
        )
    return literal((plan.fallback if plan is not None else now) + shift, UTCDateTime())


def cap_counts(found: Any, plan: DeliveryPlan | None, now: datetime) -> tuple[Any, Any]:
    """`found` joined to what its weekly caps count, and each target's count: its non-urgent
    deliveries posted alone (or queued to be) within a week either side of its due time; copies a
    digest carried do not count. One grouped count per distinct due time (one for a plain send, one
    per zone for `at:"… local"`), each narrowed by index, joined to the targets by channel."""
    fallback = plan.fallback if plan is not None else now
    timings = plan.timings if plan is not None else ()
    dues = sorted({fallback, *(t.not_before for t in timings)})
    counts = {due: _counted(due, f"cap_count_{i}") for i, due in enumerate(dues)}
    source = found
    for sub in counts.values():
        source = source.outerjoin(sub, sub.c.channel_id == found.c.id)
    n: Any = func.coalesce(counts[fallback].c.n, 0)
    if timings:
        n = case(
            {t.group.key: func.coalesce(counts[t.not_before].c.n, 0) for t in timings},
            value=group_key_column(found),
            else_=n,
        )
    return source, n


def _counted(due: datetime, name: str) -> Any:
    """Per channel, its non-urgent deliveries posted alone (sent, by `sent_at`) or queued to be
    (pending or claimed, by `not_before`) within a week either side of `due`."""
    low, high = due - WINDOW, due + WINDOW
    delivery = _DELIVERY.alias(f"{name}_rows")
    normal = exists().where(
        _ANNOUNCEMENT.c.id == delivery.c.announcement_id, _ANNOUNCEMENT.c.priority != Priority.URGENT.value
    )
    sent = sa_select(delivery.c.channel_id.label("channel_id")).where(
        delivery.c.status == DeliveryStatus.SENT.value,
        delivery.c.sent_at > low,
        delivery.c.sent_at < high,
        delivery.c.digest_id.is_(None),
        normal,
    )
    queued = sa_select(delivery.c.channel_id).where(
        delivery.c.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
        delivery.c.not_before > low,
        delivery.c.not_before < high,
        delivery.c.digest_id.is_(None),
        normal,
    )
    rows = sent.union_all(queued).subquery(f"{name}_all")
    return (
        sa_select(rows.c.channel_id.label("channel_id"), func.count().label("n"))
        .group_by(rows.c.channel_id)
        .subquery(name)
    )


def over_cap(found: Any, counted: Any, cap: WeeklyCap) -> Any:
    """True for a target at its weekly cap (`counted`: its count from `cap_counts`): its own cap,
    else `cap.vendor`; 0 or none is no cap."""
    limit = case((found.c.weekly_cap.is_(None), literal(cap.vendor or 0)), else_=found.c.weekly_cap)
    return and_(limit > 0, counted >= limit)


async def caps_in_use(session: AsyncSession, cap: WeeklyCap) -> bool:
    """Whether any channel can be capped: the vendor sets a cap, or a channel has its own."""
    if cap.vendor:
        return True
    found = await session.exec(sa_select(exists().where(col(ChannelRow.weekly_cap) > 0)))  # type: ignore[call-overload]
    return bool(found.one()[0])
