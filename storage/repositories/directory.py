"""Partners, the channels they receive announcements in, and one-time invite codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Channel, ChannelRef, DeliveryMode, ImportRow, InviteOutcome, Partner, PartnerProfile
from storage.repositories.base import Repository, need_id, to_channel, to_partner
from storage.tables import ChannelRow, InviteRow, PartnerRow


class DirectoryRepository(Repository):
    # --- partners ---------------------------------------------------------------------------

    async def partner(self, partner_id: int) -> Partner | None:
        async with self._sessions() as session:
            row = await session.get(PartnerRow, partner_id)
            return to_partner(row) if row else None

    async def partners(self) -> list[tuple[Partner, int]]:
        """Every partner with its number of active channels, by name."""
        async with self._sessions() as session:
            partners = list(await session.exec(select(PartnerRow).order_by(col(PartnerRow.name))))
            channels = list(await session.exec(select(ChannelRow).where(col(ChannelRow.active).is_(True))))
        counts: dict[int, int] = {}
        for channel in channels:
            if channel.partner_id is not None:
                counts[channel.partner_id] = counts.get(channel.partner_id, 0) + 1
        return [(to_partner(row), counts.get(need_id(row.id), 0)) for row in partners]

    async def existing_partner_names(self, names: Sequence[str]) -> set[str]:
        async with self._sessions() as session:
            query = select(PartnerRow.name).where(col(PartnerRow.name).in_(list(names)))
            return set(await session.exec(query))

    async def import_rows(self, rows: Sequence[ImportRow], *, now: datetime) -> tuple[int, int]:
        """Insert partners and their channels in one transaction: all rows or none.

        A channel already known (same platform and id) is re-pointed at the imported partner.
        Returns (partners created, channels created or updated).
        """
        async with self._sessions.begin() as session:
            partner_ids: dict[str, int] = {}
            for item in rows:
                if item.partner.name not in partner_ids:
                    partner = _partner_row(item.partner, now)
                    session.add(partner)
                    await session.flush()
                    partner_ids[item.partner.name] = need_id(partner.id)
            channels = 0
            for item in rows:
                if item.channel is not None:
                    await _upsert_channel(session, item.channel, partner_ids[item.partner.name], now)
                    channels += 1
            return len(partner_ids), channels

    # --- channels ---------------------------------------------------------------------------

    async def channel(self, ref: ChannelRef) -> Channel | None:
        async with self._sessions() as session:
            row = (await session.exec(_channel_query(ref))).first()
            return to_channel(row) if row else None

    async def ensure_channel(self, ref: ChannelRef, *, name: str, now: datetime) -> Channel:
        """The channel a command came from, registered on first use and re-activated if it was off."""
        async with self._sessions.begin() as session:
            row = (await session.exec(_channel_query(ref))).first()
            if row is None:
                row = ChannelRow(
                    platform=ref.platform,
                    workspace_id=ref.workspace,
                    channel_id=ref.channel,
                    name=name,
                    created_at=now,
                )
            elif not row.active or (name and row.name != name) or (ref.workspace and not row.workspace_id):
                row.active, row.deactivated_reason = True, ""
                row.name = name or row.name
                # An imported row may lack the workspace; the first event from the channel tells it.
                row.workspace_id = row.workspace_id or ref.workspace
            else:
                return to_channel(row)
            session.add(row)
            await session.flush()
            return to_channel(row)

    async def set_mode(self, channel_id: int, mode: DeliveryMode) -> None:
        await self._update_channel(channel_id, mode=mode.value)

    async def set_timezone(self, channel_id: int, timezone: str) -> None:
        await self._update_channel(channel_id, timezone=timezone)

    async def set_quiet_hours(self, channel_id: int, quiet: str | None) -> None:
        async with self._sessions.begin() as session:
            await session.exec(
                update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(quiet_hours=quiet)
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

    async def _update_channel(self, channel_id: int, **values: str) -> None:
        async with self._sessions.begin() as session:
            await session.exec(update(ChannelRow).where(col(ChannelRow.id) == channel_id).values(**values))

    # --- invites ----------------------------------------------------------------------------

    async def create_invite(
        self, profile: PartnerProfile, *, code: str, created_by: str, expires_at: datetime, now: datetime
    ) -> Partner:
        """Create (or reuse, by name) the partner and a one-time code that links a channel to it."""
        async with self._sessions.begin() as session:
            row = (await session.exec(select(PartnerRow).where(PartnerRow.name == profile.name))).first()
            if row is None:
                row = _partner_row(profile, now)
            else:
                row.tier, row.type = profile.tier, profile.type or row.type
                row.region, row.language = profile.region or row.region, profile.language or row.language
            session.add(row)
            await session.flush()
            session.add(
                InviteRow(code=code, partner_id=need_id(row.id), created_by=created_by, expires_at=expires_at)
            )
            return to_partner(row)

    async def redeem_invite(
        self, code: str, *, channel_id: int, now: datetime
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
            return InviteOutcome.JOINED, to_partner(partner)


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


async def _upsert_channel(session: AsyncSession, ref: ChannelRef, partner_id: int, now: datetime) -> None:
    row = (await session.exec(_channel_query(ref))).first()
    if row is None:
        row = ChannelRow(
            platform=ref.platform, workspace_id=ref.workspace, channel_id=ref.channel, created_at=now
        )
    row.partner_id, row.active = partner_id, True
    session.add(row)
