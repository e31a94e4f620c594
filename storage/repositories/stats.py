"""Reach and engagement: per announcement, and per topic."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal
from sqlalchemy import select as sa_select

from bot.domain import AnnouncementStats, AnnouncementStatus, DeliveryProgress, DeliveryStatus, TopicStats
from storage.repositories.base import Repository
from storage.repositories.cta import cta_clicks
from storage.repositories.targeting import segment_label
from storage.tables import (
    AnnouncementRow,
    AnnouncementTopicRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    PartnerRow,
    QuestionRow,
    ReactionRow,
    TopicRow,
)
from storage.tables import table_of as _t

_D, _C, _P, _R, _Q = _t(DeliveryRow), _t(ChannelRow), _t(PartnerRow), _t(ReactionRow), _t(QuestionRow)
_A, _AT, _T = _t(AnnouncementRow), _t(AnnouncementTopicRow), _t(TopicRow)
_E = _t(EngagementEventRow)

# The worker gives up on a transient error as "gave up after N attempts: <reason>" (bot/services/
# delivery.py); the count says nothing about the cause, so such failures group by the reason.
_GAVE_UP = re.compile(r"^gave up after \d+ attempts?: ")
# Platform ids inside reasons ("workspace of channel C0123ABCD not known yet", "… in workspace
# T0…"): Slack ids (a letter, then upper-case letters and digits) and Discord snowflakes.
_PLATFORM_ID = re.compile(r"\b(?:[CDGTUW](?=[A-Z0-9]*[0-9])[A-Z0-9]{8,}|[0-9]{15,21})\b")


def failure_reason(last_error: str) -> str:
    """A failed delivery's `last_error`, normalised just enough that one cause makes one group.

    Kept as written: the platform's own error code ("channel_not_found"), "deactivated: <code>"
    (the channel was switched off by an earlier failure, so the row never went out) and
    "cancelled". Normalised: the attempt count of "gave up after N attempts: …" (→ "gave up: …")
    and platform ids, which differ per channel (→ "…").
    """
    reason = " ".join(last_error.split())
    reason = _GAVE_UP.sub("gave up: ", reason)
    reason = _PLATFORM_ID.sub("…", reason)
    return reason or "unknown"


class StatsRepository(Repository):
    async def announcement(self, announcement_id: int) -> AnnouncementStats | None:
        async with self._sessions() as session:
            head = (
                await (await session.connection()).execute(
                    sa_select(_A.c.title, _A.c.status).where(_A.c.id == announcement_id)
                )
            ).first()
            if head is None:
                return None
            statuses: dict[str, int] = dict(
                (
                    await (await session.connection()).execute(
                        sa_select(_D.c.status, func.count())
                        .where(_D.c.announcement_id == announcement_id)
                        .group_by(_D.c.status)
                    )
                ).all()
            )
            failures: dict[str, int] = dict(
                (
                    await (await session.connection()).execute(
                        sa_select(_D.c.last_error, func.count())
                        .where(_D.c.announcement_id == announcement_id, _D.c.status == "failed")
                        .group_by(_D.c.last_error)
                    )
                ).all()
            )
            reach = (
                await (await session.connection()).execute(
                    sa_select(segment_label(_D.c.tier), segment_label(_D.c.region), func.count())
                    .where(_D.c.announcement_id == announcement_id, _D.c.status == "sent")
                    .group_by(_D.c.tier, _D.c.region)
                )
            ).all()
            reactions: dict[str, int] = dict(
                (
                    await (await session.connection()).execute(
                        sa_select(_R.c.emoji, func.count())
                        .select_from(_R.join(_D, _D.c.id == _R.c.delivery_id))
                        .where(_D.c.announcement_id == announcement_id, _R.c.active.is_(True))
                        .group_by(_R.c.emoji)
                    )
                ).all()
            )
            actions: dict[bool, int] = dict(
                (
                    await (await session.connection()).execute(
                        sa_select(_E.c.proactive, func.count())
                        .where(_E.c.announcement_id == announcement_id)
                        .group_by(_E.c.proactive)
                    )
                ).all()
            )
            capped = (
                await (await session.connection()).execute(
                    sa_select(func.count()).where(
                        _D.c.announcement_id == announcement_id, _D.c.capped.is_(True)
                    )
                )
            ).scalar_one()
            ctas = await cta_clicks(await session.connection(), announcement_id)
            asked, answered, self_served, relayed = (
                await (await session.connection()).execute(
                    sa_select(
                        func.count(),
                        _count_where(_Q.c.status == "answered"),
                        _count_where(_Q.c.status == "self_served"),
                        _count_where(_Q.c.status.in_(("open", "answered"))),
                    ).where(_Q.c.announcement_id == announcement_id)
                )
            ).one()
        by_tier: Counter[str] = Counter()
        by_region: Counter[str] = Counter()
        for tier, region, count in reach:
            by_tier[tier] += count
            by_region[region] += count
        return AnnouncementStats(
            announcement_id=announcement_id,
            title=head.title,
            status=AnnouncementStatus(head.status),
            targeted=sum(statuses.values()),
            delivered=statuses.get("sent", 0),
            failed=statuses.get("failed", 0),
            pending=statuses.get("pending", 0) + statuses.get("claimed", 0),
            in_digest=statuses.get("digest", 0),
            reactions=reactions,
            questions_asked=int(asked),
            questions_answered=int(answered),
            reach_by_tier=dict(by_tier),
            reach_by_region=dict(by_region),
            failures_by_reason=failures,
            proactive=int(actions.get(True, 0)),
            reactive=int(actions.get(False, 0)),
            ctas=ctas,
            capped=int(capped),
            questions_self_served=int(self_served),
            questions_relayed=int(relayed),
        )

    async def progress(self, announcement_id: int, *, now: datetime) -> DeliveryProgress:
        """Its deliveries by state in one grouped read (all zero for an unknown id or a draft);
        rows not due before `now` that were never attempted count as held."""
        status = _D.c.status
        # Never attempted and not due yet: written for later on purpose (quiet hours, a schedule,
        # each channel's local time). A row waiting for a retry has attempts > 0, or (throttled by a
        # 429, which gives its attempt back) an error: it is pending.
        waiting = and_(
            status == DeliveryStatus.PENDING.value,
            _D.c.attempts == 0,
            _D.c.last_error == "",
            _D.c.not_before > now,
        )
        state = case(
            (status == DeliveryStatus.SENT.value, literal("sent")),
            (status == DeliveryStatus.FAILED.value, literal("failed")),
            (status == DeliveryStatus.DIGEST.value, literal("held")),
            (waiting, literal("held")),
            (status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]), literal("pending")),
            else_=literal("withdrawn"),
        ).label("state")
        reason = case((status == DeliveryStatus.FAILED.value, _D.c.last_error), else_=literal("")).label(
            "reason"
        )
        # Grouped over a subquery: PostgreSQL would not match a CASE in GROUP BY with the one in the
        # select list, as each carries its own bound `now`.
        capped = case((_D.c.capped.is_(True), 1), else_=0).label("capped")
        rows = sa_select(state, reason, capped).where(_D.c.announcement_id == announcement_id).subquery()
        query = sa_select(
            rows.c.state, rows.c.reason, func.count(), func.coalesce(func.sum(rows.c.capped), 0)
        ).group_by(rows.c.state, rows.c.reason)
        async with self._sessions() as session:
            grouped = (await (await session.connection()).execute(query)).all()
        states: Counter[str] = Counter()
        failures: Counter[str] = Counter()
        over_cap = 0
        for name, last_error, count, in_capped in grouped:
            states[name] += count
            over_cap += int(in_capped)
            if name == "failed":
                failures[failure_reason(last_error or "")] += count
        return DeliveryProgress(
            announcement_id=announcement_id,
            total=sum(states.values()),
            sent=states["sent"],
            pending=states["pending"],
            failed=states["failed"],
            held=states["held"],
            withdrawn=states["withdrawn"],
            failures_by_reason=tuple(sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))),
            capped=over_cap,
        )

    async def topics(self) -> list[TopicStats]:
        """Per topic: announcements sent on it, deliveries, active reactions and questions."""
        per_topic = (
            sa_select(
                _T.c.slug,
                func.count(func.distinct(_A.c.id)),
                func.count(func.distinct(case((_D.c.status == "sent", _D.c.id)))),
                func.count(func.distinct(case((_R.c.active.is_(True), _R.c.id)))),
                func.count(func.distinct(_Q.c.id)),
                func.count(func.distinct(case((_D.c.capped.is_(True), _D.c.id)))),
            )
            .select_from(
                _T.outerjoin(_AT, _AT.c.topic_id == _T.c.id)
                .outerjoin(_A, (_A.c.id == _AT.c.announcement_id) & _A.c.status.in_(["sending", "sent"]))
                .outerjoin(_D, _D.c.announcement_id == _A.c.id)
                .outerjoin(_R, _R.c.delivery_id == _D.c.id)
                .outerjoin(_Q, _Q.c.delivery_id == _D.c.id)
            )
            .where(_T.c.archived.is_(False))
            .group_by(_T.c.slug)
            .order_by(_T.c.slug)
        )
        async with self._sessions() as session:
            rows = (await (await session.connection()).execute(per_topic)).all()
            actions = await _topic_actions(session)
        return [
            TopicStats(slug, int(a), int(d), int(r), int(q), *actions.get(slug, (0, 0)), capped=int(c))
            for slug, a, d, r, q, c in rows
        ]


async def _topic_actions(session: Any) -> dict[str, tuple[int, int]]:
    """Per topic slug, (proactive, reactive) engagement events: those naming the topic (subscribe,
    news, mute…), and those on an announcement sent on it that name no topic (reactions, questions…)."""
    on_topic = sa_select(_E.c.topic_id.label("tid"), _E.c.proactive.label("pro")).where(
        _E.c.topic_id.is_not(None)
    )
    on_announcement = (
        sa_select(_AT.c.topic_id.label("tid"), _E.c.proactive.label("pro"))
        .select_from(_E.join(_AT, _AT.c.announcement_id == _E.c.announcement_id))
        .where(_E.c.topic_id.is_(None))
    )
    events = on_topic.union_all(on_announcement).subquery()
    query = (
        sa_select(_T.c.slug, events.c.pro, func.count())
        .select_from(events.join(_T, _T.c.id == events.c.tid))
        .group_by(_T.c.slug, events.c.pro)
    )
    found: dict[str, list[int]] = {}
    for slug, proactive, count in (await (await session.connection()).execute(query)).all():
        found.setdefault(slug, [0, 0])[0 if proactive else 1] += int(count)
    return {slug: (pro, re_) for slug, (pro, re_) in found.items()}


def _count_where(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
