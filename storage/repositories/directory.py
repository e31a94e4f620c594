"""Partners, the channels they receive announcements in, and one-time invite codes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import (
    Channel,
    ChannelRef,
    DeliveryMode,
    DeliveryStatus,
    ImportRow,
    InviteOutcome,
    Partner,
    PartnerCard,
    PartnerChannel,
    PartnerFilter,
    PartnerProfile,
)
from bot.domain.engagement import EngagementKind, SendingLoad
from storage.repositories.base import Repository, need_id, to_channel, to_partner
from storage.repositories.engagement import record_event
from storage.tables import (
    AckRow,
    ChannelRow,
    DeliveryRow,
    EngagementEventRow,
    InviteRow,
    PartnerRow,
    QuestionRow,
    ReactionRow,
    SubscriptionRow,
    TopicRow,
)


class DirectoryRepository(Repository):
    # --- partners ---------------------------------------------------------------------------

    async def partner(self, partner_id: int) -> Partner | None:
        async with self._sessions() as session:
            row = await session.get(PartnerRow, partner_id)
            return to_partner(row) if row else None

    async def partners(self, where: PartnerFilter | None = None) -> list[tuple[Partner, int]]:
        """Every partner not removed (matching `where`) with its number of active channels, by name."""
        where = where or PartnerFilter()
        query = select(PartnerRow).where(col(PartnerRow.removed_at).is_(None)).order_by(col(PartnerRow.name))
        for column, wanted in (
            (PartnerRow.tier, where.tiers),
            (PartnerRow.type, where.types),
            (PartnerRow.region, where.regions),
        ):
            if wanted:
                query = query.where(col(column).in_(sorted(wanted)))
        if where.topics:
            following = (
                select(ChannelRow.partner_id)
                .join(SubscriptionRow, col(SubscriptionRow.channel_id) == ChannelRow.id)
                .join(TopicRow, col(TopicRow.id) == SubscriptionRow.topic_id)
                .where(col(TopicRow.slug).in_(sorted(where.topics)), col(ChannelRow.active).is_(True))
            )
            query = query.where(col(PartnerRow.id).in_(following))
        async with self._sessions() as session:
            partners = list(await session.exec(query))
            channels = list(await session.exec(select(ChannelRow).where(col(ChannelRow.active).is_(True))))
        counts: dict[int, int] = {}
        for channel in channels:
            if channel.partner_id is not None:
                counts[channel.partner_id] = counts.get(channel.partner_id, 0) + 1
        return [(to_partner(row), counts.get(need_id(row.id), 0)) for row in partners]

    async def attribute_values(self) -> dict[str, set[str]]:
        """The distinct tiers, types, regions and languages the partner table holds (lower-cased)."""
        found: dict[str, set[str]] = {"tier": set(), "type": set(), "region": set(), "language": set()}
        query = select(PartnerRow.tier, PartnerRow.type, PartnerRow.region, PartnerRow.language).distinct()
        async with self._sessions() as session:
            for values in await session.exec(query):
                for key, value in zip(found, values, strict=True):
                    if value:
                        found[key].add(value.lower())
        return found

    async def partner_by_name(self, name: str) -> Partner | None:
        """The partner called `name`, removed or not; exactly, else ignoring case."""
        async with self._sessions() as session:
            row = (await session.exec(select(PartnerRow).where(PartnerRow.name == name))).first()
            if row is None:
                query = select(PartnerRow).where(func.lower(PartnerRow.name) == name.lower())
                row = (await session.exec(query.order_by(col(PartnerRow.id)))).first()
            return to_partner(row) if row else None

    async def partner_names(self) -> list[str]:
        """The names of every partner not removed (for a did-you-mean)."""
        async with self._sessions() as session:
            query = select(PartnerRow.name).where(col(PartnerRow.removed_at).is_(None))
            return list(await session.exec(query))

    async def partner_card(self, partner_id: int) -> PartnerCard | None:
        """`partner <name>`: the partner, its channels with their topics, and its last activity."""
        async with self._sessions() as session:
            row = await session.get(PartnerRow, partner_id)
            if row is None:
                return None
            rows = list(
                await session.exec(
                    select(ChannelRow).where(ChannelRow.partner_id == partner_id).order_by(col(ChannelRow.id))
                )
            )
            ids = [need_id(c.id) for c in rows]
            topics: dict[int, list[str]] = {}
            followed = (
                select(SubscriptionRow.channel_id, TopicRow.slug)
                .join(TopicRow, col(TopicRow.id) == SubscriptionRow.topic_id)
                .where(col(SubscriptionRow.channel_id).in_(ids))
                .order_by(col(TopicRow.slug))
            )
            for channel_id, slug in await session.exec(followed):
                topics.setdefault(channel_id, []).append(slug)
            mine = col(DeliveryRow.channel_id).in_(ids)
            delivered = await session.exec(select(func.max(DeliveryRow.sent_at)).where(mine))
            asked = await session.exec(
                select(func.max(QuestionRow.created_at)).where(col(QuestionRow.channel_id).in_(ids))
            )
            reacted = await session.exec(
                select(func.max(ReactionRow.added_at))
                .select_from(ReactionRow)
                .join(DeliveryRow, col(DeliveryRow.id) == ReactionRow.delivery_id)
                .where(mine)
            )
            acked = await session.exec(
                select(func.max(AckRow.acked_at))
                .select_from(AckRow)
                .join(DeliveryRow, col(DeliveryRow.id) == AckRow.delivery_id)
                .where(mine)
            )
            feedback = [t for t in (asked.first(), reacted.first(), acked.first()) if t is not None]
        channels = tuple(
            PartnerChannel(to_channel(c), c.deactivated_reason, tuple(topics.get(need_id(c.id), [])))
            for c in rows
        )
        return PartnerCard(
            partner=to_partner(row),
            channels=channels,
            last_delivery=_utc(delivered.first()),
            last_feedback=_utc(max(feedback)) if feedback else None,
        )

    async def partner_load(self, partner_id: int, *, since: datetime, until: datetime) -> SendingLoad:
        """See `bot.ports.directory.DirectoryStore.partner_load`."""
        received = (
            select(func.count())
            .select_from(DeliveryRow)
            .join(ChannelRow, col(ChannelRow.id) == DeliveryRow.channel_id)
            .where(
                ChannelRow.partner_id == partner_id,
                DeliveryRow.status == DeliveryStatus.SENT.value,
                col(DeliveryRow.sent_at) > since,
                col(DeliveryRow.sent_at) <= until,
            )
        )
        actions = (
            select(EngagementEventRow.proactive, func.count())
            .where(
                EngagementEventRow.partner_id == partner_id,
                col(EngagementEventRow.at) > since,
                col(EngagementEventRow.at) <= until,
            )
            .group_by(col(EngagementEventRow.proactive))
        )
        async with self._sessions() as session:
            count = (await session.exec(received)).one()
            split = {bool(pro): int(n) for pro, n in await session.exec(actions)}
        return SendingLoad(
            days=(until - since).days,
            received=int(count),
            proactive=split.get(True, 0),
            reactive=split.get(False, 0),
        )

    async def update_partner(self, partner_id: int, values: Mapping[str, str]) -> Partner | None:
        """Set some of tier, type, region, language, timezone; the partner as it is now."""
        allowed = {"tier", "type", "region", "language", "timezone"}
        async with self._sessions.begin() as session:
            row = await session.get(PartnerRow, partner_id)
            if row is None:
                return None
            for key, value in values.items():
                if key in allowed:
                    setattr(row, key, value)
            session.add(row)
            await session.flush()
            return to_partner(row)

    async def remove_partner(self, partner_id: int, *, now: datetime) -> list[int] | None:
        """Mark the partner removed, switch its channels off and void its unused join codes, in one
        transaction; the ids of the channels switched off (None: no such partner, or removed already)."""
        async with self._sessions.begin() as session:
            row = await session.get(PartnerRow, partner_id)
            if row is None or row.removed_at is not None:
                return None
            row.removed_at = now
            session.add(row)
            mine = (col(ChannelRow.partner_id) == partner_id, col(ChannelRow.active).is_(True))
            ids = [need_id(i) for i in await session.exec(select(ChannelRow.id).where(*mine))]
            await session.exec(
                update(ChannelRow).where(*mine).values(active=False, deactivated_reason="partner removed")
            )
            await session.exec(
                update(InviteRow)
                .where(col(InviteRow.partner_id) == partner_id, col(InviteRow.used_at).is_(None))
                .values(expires_at=now)
            )
            return ids

    async def existing_partner_names(self, names: Sequence[str]) -> set[str]:
        async with self._sessions() as session:
            query = select(PartnerRow.name).where(col(PartnerRow.name).in_(list(names)))
            return set(await session.exec(query))

    async def import_rows(
        self, rows: Sequence[ImportRow], *, now: datetime, update_existing: bool = False
    ) -> tuple[int, int, int]:
        """Insert partners and their channels in one transaction: all rows or none.

        A channel already known (same platform and id) is re-pointed at the imported partner. With
        `update_existing`, a partner that exists (removed ones included: they come back) takes the
        row's profile. Each row's topics are subscribed for its channel.
        Returns (partners created, partners updated, channels created or updated).
        """
        async with self._sessions.begin() as session:
            partner_ids: dict[str, int] = {}
            created = updated = 0
            for item in rows:
                if item.partner.name in partner_ids:
                    continue
                query = select(PartnerRow).where(PartnerRow.name == item.partner.name)
                partner = (await session.exec(query)).first() if update_existing else None
                if partner is None:
                    partner = _partner_row(item.partner, now)
                    created += 1
                else:
                    _set_profile(partner, item.partner)
                    partner.removed_at = None
                    updated += 1
                session.add(partner)
                await session.flush()
                partner_ids[item.partner.name] = need_id(partner.id)
            slugs = sorted({slug for item in rows for slug in item.topics})
            topic_ids = {
                t.slug: need_id(t.id)
                for t in await session.exec(select(TopicRow).where(col(TopicRow.slug).in_(slugs)))
            }
            channels = 0
            for item in rows:
                if item.channel is not None:
                    channel = await _upsert_channel(
                        session, item.channel, partner_ids[item.partner.name], now
                    )
                    await _subscribe(session, channel, [topic_ids[slug] for slug in item.topics], now)
                    channels += 1
            return created, updated, channels

    # --- channels ---------------------------------------------------------------------------

    async def channel(self, ref: ChannelRef) -> Channel | None:
        async with self._sessions() as session:
            row = (await session.exec(_channel_query(ref))).first()
            return to_channel(row) if row else None

    async def languages(self, ref: ChannelRef) -> tuple[str | None, str | None]:
        # One statement: every reply resolves its reader's language first (bot/services/languages.py).
        query = (
            select(ChannelRow.language, PartnerRow.language)
            .select_from(ChannelRow)
            .outerjoin(PartnerRow, col(PartnerRow.id) == col(ChannelRow.partner_id))
            .where(ChannelRow.platform == ref.platform, ChannelRow.channel_id == ref.channel)
        )
        async with self._sessions() as session:
            row = (await session.exec(query)).first()
        return (row[0] or None, row[1] or None) if row else (None, None)

    async def ensure_channel(self, ref: ChannelRef, *, name: str, now: datetime) -> Channel:
        """The channel a command came from, registered on first use and re-activated if it was off."""
        # Nearly always it is known and unchanged: a read, which on SQLite takes no write lock.
        async with self._sessions() as session:
            row = (await session.exec(_channel_query(ref))).first()
            if row is not None and not channel_needs_update(row, ref, name):
                return to_channel(row)
        async with self._sessions.begin() as session:
            return to_channel(await ensure_channel_row(session, ref, name=name, now=now))

    async def set_mode(self, channel_id: int, mode: DeliveryMode, *, user: str | None, now: datetime) -> None:
        await self._set_channel(channel_id, user, now, mode=mode.value)

    async def set_timezone(self, channel_id: int, timezone: str, *, user: str | None, now: datetime) -> None:
        await self._set_channel(channel_id, user, now, timezone=timezone)

    async def set_quiet_hours(
        self, channel_id: int, quiet: str | None, *, user: str | None, now: datetime
    ) -> None:
        await self._set_channel(channel_id, user, now, quiet_hours=quiet)

    async def set_language(
        self, channel_id: int, language: str | None, *, user: str | None, now: datetime
    ) -> None:
        await self._set_channel(channel_id, user, now, language=language)

    async def set_weekly_cap(
        self, channel_id: int, cap: int | None, *, user: str | None, now: datetime
    ) -> None:
        await self._set_channel(channel_id, user, now, weekly_cap=cap)

    async def _set_channel(
        self, channel_id: int, user: str | None, now: datetime, **values: str | int | None
    ) -> None:
        """A partner's own setting, and its `settings_changed` event (detail: `name=value`)."""
        async with self._sessions.begin() as session:
            await session.exec(update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(**values))
            detail = ",".join(f"{key}={'' if value is None else value}" for key, value in values.items())
            await record_event(
                session,
                EngagementKind.SETTINGS_CHANGED,
                channel_id=channel_id,
                user=user,
                now=now,
                detail=detail,
            )

    async def deactivate(self, channel_ids: Sequence[int], *, reason: str) -> int:
        async with self._sessions.begin() as session:
            result = await session.exec(
                update(ChannelRow)
                .where(col(ChannelRow.id).in_(list(channel_ids)), col(ChannelRow.active).is_(True))
                .values(active=False, deactivated_reason=reason[:200])
            )
            return int(result.rowcount)

    async def deactivate_workspace(self, platform: str, workspace: str, *, reason: str) -> int:
        """The bot was uninstalled from a workspace or removed from a server."""
        async with self._sessions.begin() as session:
            result = await session.exec(
                update(ChannelRow)
                .where(
                    col(ChannelRow.platform) == platform,
                    col(ChannelRow.workspace_id) == workspace,
                    col(ChannelRow.active).is_(True),
                )
                .values(active=False, deactivated_reason=reason[:200])
            )
            return int(result.rowcount)

    # --- invites ----------------------------------------------------------------------------

    async def create_invite(
        self,
        profile: PartnerProfile,
        *,
        code: str,
        created_by: str,
        expires_at: datetime,
        now: datetime,
        restore: bool = False,
    ) -> Partner:
        """A one-time code that links a channel to the partner named in `profile`, created if new.

        An existing partner's profile is left as it is, unless `restore` (a removed partner invited
        again): then it takes `profile` and is no longer removed.
        """
        async with self._sessions.begin() as session:
            row = (await session.exec(select(PartnerRow).where(PartnerRow.name == profile.name))).first()
            if row is None:
                row = _partner_row(profile, now)
            elif restore:
                _set_profile(row, profile)
                row.removed_at = None
            session.add(row)
            await session.flush()
            session.add(
                InviteRow(code=code, partner_id=need_id(row.id), created_by=created_by, expires_at=expires_at)
            )
            return to_partner(row)

    async def redeem_invite(
        self, code: str, *, channel_id: int, now: datetime, user: str | None = None
    ) -> tuple[InviteOutcome, Partner | None]:
        async with self._sessions.begin() as session:
            invite = await session.get(InviteRow, code)
            if invite is None:
                return InviteOutcome.UNKNOWN, None
            partner = await session.get(PartnerRow, invite.partner_id)
            assert partner is not None
            if invite.used_at is not None:
                return InviteOutcome.USED, to_partner(partner)
            if invite.expires_at <= now:
                return InviteOutcome.EXPIRED, to_partner(partner)
            invite.used_at, invite.used_by_channel_id = now, channel_id
            session.add(invite)
            await session.exec(
                update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(partner_id=partner.id)
            )
            await record_event(session, EngagementKind.JOINED, channel_id=channel_id, user=user, now=now)
            return InviteOutcome.JOINED, to_partner(partner)


def channel_needs_update(row: ChannelRow, ref: ChannelRef, name: str) -> bool:
    """Whether a command from `ref` (its channel now called `name`) changes the channel's row."""
    return not row.active or bool(name and row.name != name) or bool(ref.workspace and not row.workspace_id)


async def ensure_channel_row(
    session: AsyncSession, ref: ChannelRef, *, name: str, now: datetime
) -> ChannelRow:
    """`ensure_channel` inside a write transaction: the row, inserted or brought up to date, flushed."""
    row: ChannelRow | None = (await session.exec(_channel_query(ref))).first()
    if row is None:
        row = ChannelRow(
            platform=ref.platform,
            workspace_id=ref.workspace,
            channel_id=ref.channel,
            name=name,
            created_at=now,
        )
    elif channel_needs_update(row, ref, name):
        row.active, row.deactivated_reason = True, ""
        row.name = name or row.name
        # An imported row may lack the workspace; the first event from the channel tells it.
        row.workspace_id = row.workspace_id or ref.workspace
    else:
        return row
    session.add(row)
    await session.flush()
    return row


def _channel_query(ref: ChannelRef) -> Any:
    return select(ChannelRow).where(ChannelRow.platform == ref.platform, ChannelRow.channel_id == ref.channel)


def _partner_row(profile: PartnerProfile, now: datetime) -> PartnerRow:
    return PartnerRow(
        name=profile.name,
        tier=profile.tier,
        type=profile.type,
        region=profile.region,
        language=profile.language,
        timezone=profile.timezone,
        created_at=now,
    )


async def _upsert_channel(session: AsyncSession, ref: ChannelRef, partner_id: int, now: datetime) -> int:
    row = (await session.exec(_channel_query(ref))).first()
    if row is None:
        row = ChannelRow(
            platform=ref.platform, workspace_id=ref.workspace, channel_id=ref.channel, created_at=now
        )
    row.partner_id, row.active = partner_id, True
    row.workspace_id = row.workspace_id or ref.workspace
    session.add(row)
    await session.flush()
    return need_id(row.id)


async def _subscribe(session: AsyncSession, channel_id: int, topic_ids: Sequence[int], now: datetime) -> None:
    if not topic_ids:
        return
    query = select(SubscriptionRow.topic_id).where(SubscriptionRow.channel_id == channel_id)
    existing = set(await session.exec(query))
    for topic_id in dict.fromkeys(topic_ids):
        if topic_id not in existing:
            session.add(SubscriptionRow(channel_id=channel_id, topic_id=topic_id, created_at=now))


def _set_profile(row: PartnerRow, profile: PartnerProfile) -> None:
    row.tier, row.type, row.region = profile.tier, profile.type, profile.region
    row.language, row.timezone = profile.language, profile.timezone


def _utc(value: datetime | None) -> datetime | None:
    # Aggregates (MAX) come back without the column type's conversion on SQLite.
    if value is None or not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
