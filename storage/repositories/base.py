"""Shared plumbing for repositories: a sessionmaker and row → domain mappers used in several places."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain import Channel, ChannelRef, DeliveryMode, Partner, Platform, Topic
from storage.tables import ChannelRow, PartnerRow, TopicRow

Sessions = async_sessionmaker[AsyncSession]


class Repository:
    def __init__(self, sessions: Sessions, *, excluded_channels: Sequence[ChannelRef] = ()) -> None:
        self._sessions = sessions
        # Channels that never receive broadcasts or digests, even if subscribed: the admin channels.
        self._excluded = tuple(excluded_channels)


def need_id(value: int | None) -> int:
    # Rows read back from the database always have their primary key.
    assert value is not None
    return value


def to_topic(row: TopicRow) -> Topic:
    return Topic(
        id=need_id(row.id), slug=row.slug, title=row.title, description=row.description, archived=row.archived
    )


def to_partner(row: PartnerRow) -> Partner:
    return Partner(
        id=need_id(row.id),
        name=row.name,
        tier=row.tier,
        type=row.type,
        region=row.region,
        language=row.language,
        timezone=row.timezone,
        removed_at=row.removed_at,
    )


def channel_ref(row: ChannelRow) -> ChannelRef:
    return ChannelRef(platform=Platform(row.platform), workspace=row.workspace_id, channel=row.channel_id)


def to_channel(row: ChannelRow) -> Channel:
    return Channel(
        id=need_id(row.id),
        ref=channel_ref(row),
        name=row.name,
        partner_id=row.partner_id,
        mode=DeliveryMode(row.mode),
        timezone=row.timezone,
        active=row.active,
        quiet_hours=row.quiet_hours,
        language=row.language,
        weekly_cap=row.weekly_cap,
    )
