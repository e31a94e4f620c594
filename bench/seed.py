"""Bench setup that is not timed: partners, channels and subscriptions bulk-inserted, then broadcasts
created and sent through the core exactly as an admin's `broadcast` + `send` would."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.commands import Broadcast, Send
from bot.domain import Audience, ChannelRef, Invocation, Platform, UserRef
from storage.tables import AnnouncementRow, ChannelRow, PartnerRow, SubscriptionRow, TopicRow

TOPIC = "security"
TIERS = ("platinum", "gold", "silver", "registered")
REGIONS = ("na", "emea", "apac")
ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
)
CHUNK = 5_000  # rows per INSERT: keeps 100k-channel seeding flat in memory and under SQLite's limits


@dataclass(frozen=True, slots=True)
class Target:
    """One partner channel on a platform (`workspace`: Slack team id, Discord guild id)."""

    platform: Platform
    workspace: str
    channel: str


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def seed(engine: AsyncEngine, targets: Sequence[Target]) -> None:
    """One topic; one partner per target (tiers, regions and 8 time zones in turn), its channel
    subscribed to the topic. Ids are 1..N in `targets` order."""
    now = datetime.now(UTC)
    n = len(targets)
    async with engine.begin() as conn:
        await conn.execute(
            insert(TopicRow),
            [{"slug": TOPIC, "title": "Security", "description": "", "archived": False, "created_at": now}],
        )
        partners = (
            {"name": f"Partner {i}", "tier": TIERS[i % 4], "type": "reseller", "region": REGIONS[i % 3],
             "language": "en", "timezone": ZONES[i % len(ZONES)], "created_at": now}
            for i in range(1, n + 1)
        )  # fmt: skip
        for chunk in _chunks(partners):
            await conn.execute(insert(PartnerRow), chunk)
        channels = (
            {"platform": t.platform.value, "workspace_id": t.workspace, "channel_id": t.channel,
             "name": f"partner-{i}", "partner_id": i, "mode": "immediate", "active": True,
             "deactivated_reason": "", "created_at": now}
            for i, t in enumerate(targets, start=1)
        )  # fmt: skip
        for chunk in _chunks(channels):
            await conn.execute(insert(ChannelRow), chunk)
        subscriptions = ({"channel_id": i, "topic_id": 1, "created_at": now} for i in range(1, n + 1))
        for chunk in _chunks(subscriptions):
            await conn.execute(insert(SubscriptionRow), chunk)


INVOCATION = Invocation(
    channel=ChannelRef(Platform.LOCAL, "local", "admin"), user=UserRef(Platform.LOCAL, "local", "bench")
)


async def draft(app: App, title: str, body: str = "Hello partners", **options: Any) -> int:
    """Create a broadcast to every subscriber of the topic; its announcement id."""
    reply = await app.bot.admin.broadcast(INVOCATION, Broadcast((TOPIC,), Audience(), title, body, **options))
    if reply.is_error:
        raise RuntimeError(reply.text)
    async with app.engine.connect() as conn:
        return int((await conn.execute(select(func.max(AnnouncementRow.id)))).scalar_one())


async def send(app: App, announcement_id: int) -> None:
    """Target and queue it: one delivery row per channel (what the timed path starts with)."""
    reply = await app.bot.admin.send(Send(announcement_id))
    if reply.is_error:
        raise RuntimeError(reply.text)
