"""The chaos tests' world: fake Slack and fake Discord on loopback, a database seeded with partner
channels on both, and one broadcast queued through the core for `partnerbot worker` processes.

The test process only enqueues (`build_app` with no Senders) and serves the fakes; delivering is
left to real worker processes, which the tests kill and restart.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlmodel import col

from bot.app import App, build_app
from bot.config import Settings
from bot.domain import ChannelRef, DeliveryStatus, Invocation, Platform, UserRef
from storage.tables import ChannelRow, DeliveryRow, PartnerRow, SubscriptionRow, TopicRow
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, Workspace
from tests.fakes.slack import Message as SlackMessage

TOPIC, DECOY_TOPIC = "chaos", "other"
TITLE = "Chaos drill"
ADMIN = Invocation(
    channel=ChannelRef(Platform.LOCAL, "local", "admin"), user=UserRef(Platform.LOCAL, "local", "alice")
)
SLACK_POST, SLACK_LOOKUP = "chat.postMessage", "conversations.history"
DISCORD_POST = "POST /channels/{channel_id}/messages"
DISCORD_LOOKUP = "GET /channels/{channel_id}/messages"


@dataclass(frozen=True)
class ChaosConfig:
    """The CI form by default; PARTNERBOT_CHAOS_CHANNELS / _KILLS / _SEED / _BACKENDS (e.g.
    `sqlite,postgres`: every test on each) make a longer run."""

    channels: int = 1000
    kills: int = 10
    seed: int = 20261124
    backends: tuple[str, ...] = ()  # empty: each test on its default database
    guilds: int = 5
    decoys: int = 8  # channels per platform subscribed to another topic only: they must stay empty

    @classmethod
    def from_env(cls) -> ChaosConfig:
        defaults, env = cls(), os.environ.get
        return cls(
            channels=int(env("PARTNERBOT_CHAOS_CHANNELS", defaults.channels)),
            kills=int(env("PARTNERBOT_CHAOS_KILLS", defaults.kills)),
            seed=int(env("PARTNERBOT_CHAOS_SEED", defaults.seed)),
            backends=tuple(b.strip() for b in env("PARTNERBOT_CHAOS_BACKENDS", "").split(",") if b.strip()),
        )


@dataclass(frozen=True)
class Seat:
    """A channel partnerbot knows, on one of the fakes."""

    platform: Platform
    workspace: str
    channel: str
    targeted: bool


@dataclass
class Verdict:
    """What the fakes hold compared with the delivery rows."""

    duplicates: int = 0
    missing: int = 0
    unfinished: int = 0  # rows not `sent`
    mismatched: int = 0  # a row's message id is not the message the channel holds
    strays: int = 0  # messages in channels that were not targeted
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.duplicates or self.missing or self.unfinished or self.mismatched or self.strays)

    def note(self, problem: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(problem)


@dataclass
class ChaosWorld:
    config: ChaosConfig
    database_url: str
    slack: FakeSlack
    workspace: Workspace
    discord: FakeDiscord
    app: App
    seats: list[Seat]
    announcement_id: int = 0

    @property
    def targets(self) -> list[Seat]:
        return [s for s in self.seats if s.targeted]

    def worker_env(self, **overrides: str) -> dict[str, str]:
        """What a `partnerbot worker` needs to deliver to the fakes (a short lease: kills recover fast)."""
        return {
            "PARTNERBOT_DATABASE_URL": self.database_url,
            "SLACK_BOT_TOKEN": self.workspace.bot_token,
            "PARTNERBOT_SLACK_API_URL": self.slack.base_url,
            "DISCORD_TOKEN": self.discord.token,
            "PARTNERBOT_DISCORD_API_URL": self.discord.base_url,
            "PARTNERBOT_LEASE_SECONDS": "2",
            "PARTNERBOT_POLL_SECONDS": "0.05",
            "PARTNERBOT_RATE_LIMITS": "off",
            # A claim counts as an attempt, and killed workers leave many claims behind: giving up
            # is not what these tests are about.
            "PARTNERBOT_MAX_ATTEMPTS": "50",
            "PARTNERBOT_LOG_LEVEL": "INFO",  # the pool reads "… is running" from it
        } | overrides

    # --- watching -------------------------------------------------------------------------------

    def requests(self) -> int:
        """Posts and history look-ups the fakes have answered or dropped: the workers' progress."""
        return (
            self.slack.calls[SLACK_POST]
            + self.slack.calls[SLACK_LOOKUP]
            + self.discord.calls[DISCORD_POST]
            + self.discord.calls[DISCORD_LOOKUP]
        )

    def bot_messages(self) -> int:
        slack = sum(len(self._slack_posts(s.channel)) for s in self.seats if s.platform is Platform.SLACK)
        return slack + sum(len(ids) for ids in self._discord_messages().values())

    async def open_rows(self) -> int:
        """Deliveries of the broadcast still pending or claimed."""
        query = select(func.count()).where(
            col(DeliveryRow.announcement_id) == self.announcement_id,
            col(DeliveryRow.status).in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
        )
        async with self.app.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    def lookups(self) -> int:
        """History reads: how often a worker looked for an earlier attempt's message."""
        return self.slack.calls[SLACK_LOOKUP] + self.discord.calls[DISCORD_LOOKUP]

    async def reclaimed(self) -> int:
        """Deliveries claimed more than once (a kill, a lost lease, a retry)."""
        query = select(func.count()).where(
            col(DeliveryRow.announcement_id) == self.announcement_id, col(DeliveryRow.attempts) > 1
        )
        async with self.app.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    # --- the verdict ----------------------------------------------------------------------------

    async def verdict(self) -> Verdict:
        rows = await self._rows()
        discord_by_channel = self._discord_messages()
        verdict = Verdict()
        for seat in self.seats:
            if seat.platform is Platform.SLACK:
                held = [m.ts for m in self._slack_posts(seat.channel)]
            else:
                held = [str(m) for m in discord_by_channel.get(int(seat.channel), [])]
            key = (seat.platform.value, seat.channel)
            if not seat.targeted:
                verdict.strays += len(held)
                if held:
                    verdict.note(f"{key}: not targeted, holds {len(held)}")
                continue
            status, message_id = rows.pop(key, ("(no row)", None))
            if not held:
                verdict.missing += 1
                verdict.note(f"{key}: missing (row {status})")
            if len(held) > 1:
                verdict.duplicates += len(held) - 1
                verdict.note(f"{key}: {len(held)} copies")
            if status != DeliveryStatus.SENT.value:
                verdict.unfinished += 1
                verdict.note(f"{key}: row is {status}")
            elif held and message_id not in held:
                verdict.mismatched += 1
                verdict.note(f"{key}: row says {message_id}, channel holds {held}")
        for key in rows:
            verdict.unfinished += 1
            verdict.note(f"{key}: a delivery row for a channel that is not a target")
        return verdict

    async def _rows(self) -> dict[tuple[str, str], tuple[str, str | None]]:
        query = (
            select(
                col(ChannelRow.platform),
                col(ChannelRow.channel_id),
                col(DeliveryRow.status),
                col(DeliveryRow.message_id),
            )
            .join(ChannelRow, col(ChannelRow.id) == col(DeliveryRow.channel_id))
            .where(col(DeliveryRow.announcement_id) == self.announcement_id)
        )
        async with self.app.engine.connect() as conn:
            return {(p, c): (s, m) for p, c, s, m in (await conn.execute(query)).all()}

    def _slack_posts(self, channel: str) -> list[SlackMessage]:
        return [m for m in self.slack.messages(channel) if m.bot_id == self.workspace.bot_id]

    def _discord_messages(self) -> dict[int, list[int]]:
        by_channel: dict[int, list[int]] = {}
        for message in self.discord.messages.values():
            if message.author.id == self.discord.bot.id and not message.deleted:
                by_channel.setdefault(message.channel_id, []).append(message.id)
        return by_channel


async def until(probe: Callable[[], bool | Awaitable[bool]], what: str, *, timeout: float) -> None:
    """Poll `probe` (sync or async) until it holds, or fail after `timeout` s. Never a fixed sleep."""
    started = time.monotonic()
    while True:
        outcome = probe()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def chaos_world(database_url: str, config: ChaosConfig) -> AsyncIterator[ChaosWorld]:
    """The fakes running, the channels seeded and subscribed, the broadcast queued (not delivered)."""
    async with FakeSlack() as slack, FakeDiscord() as discord:
        workspace = slack.add_workspace("T0CHAOS", name="Vendor")
        seats = _arrange(slack, workspace, discord, config)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            admin_channels=(ADMIN.channel.key(),),
            admin_users=(ADMIN.user.key(),),
        )
        app = await build_app(settings, run_migrations=False)
        try:
            world = ChaosWorld(config, database_url, slack, workspace, discord, app, seats)
            await _seed(app, seats)
            world.announcement_id = await _broadcast(app)
            yield world
        finally:
            await app.close()


def _arrange(slack: FakeSlack, workspace: Workspace, discord: FakeDiscord, config: ChaosConfig) -> list[Seat]:
    """About half the channels in one Slack workspace, half across several Discord guilds."""
    seats: list[Seat] = []
    on_slack = config.channels // 2
    for i in range(on_slack + config.decoys):
        seat = slack.add_channel(workspace.team_id, f"partner-{i}")
        seats.append(Seat(Platform.SLACK, workspace.team_id, seat.id, targeted=i < on_slack))
    guilds = [discord.add_guild(f"Partner guild {g}") for g in range(config.guilds)]
    on_discord = config.channels - on_slack
    for i in range(on_discord + config.decoys):
        guild = guilds[i % len(guilds)]
        channel = discord.add_channel(guild.id, f"partner-{i}")
        seats.append(Seat(Platform.DISCORD, str(guild.id), str(channel.id), targeted=i < on_discord))
    return seats


async def _seed(app: App, seats: list[Seat]) -> None:
    """Bulk rows (as bench/fanout.py does): one partner per channel, subscribed to the topic."""
    now = datetime.now(UTC)
    topic = {"description": "", "archived": False, "created_at": now}
    partner = {"tier": "gold", "type": "reseller", "region": "emea", "language": "en", "timezone": "UTC"}
    async with app.engine.begin() as conn:
        await conn.execute(
            insert(TopicRow),
            [{"slug": TOPIC, "title": "Chaos", **topic}, {"slug": DECOY_TOPIC, "title": "Other", **topic}],
        )
        topics = {slug: i for slug, i in await conn.execute(select(col(TopicRow.slug), col(TopicRow.id)))}
        await conn.execute(
            insert(PartnerRow),
            [{"name": f"Partner {i}", "created_at": now, **partner} for i in range(len(seats))],
        )
        partners = {
            name: i for name, i in await conn.execute(select(col(PartnerRow.name), col(PartnerRow.id)))
        }
        await conn.execute(
            insert(ChannelRow),
            [
                {
                    "platform": seat.platform.value,
                    "workspace_id": seat.workspace,
                    "channel_id": seat.channel,
                    "name": f"partner-{i}",
                    "partner_id": partners[f"Partner {i}"],
                    "mode": "immediate",
                    "active": True,
                    "deactivated_reason": "",
                    "created_at": now,
                }
                for i, seat in enumerate(seats)
            ],
        )
        channels = {
            (p, c): i
            for i, p, c in await conn.execute(
                select(col(ChannelRow.id), col(ChannelRow.platform), col(ChannelRow.channel_id))
            )
        }
        await conn.execute(
            insert(SubscriptionRow),
            [
                {
                    "channel_id": channels[(seat.platform.value, seat.channel)],
                    "topic_id": topics[TOPIC if seat.targeted else DECOY_TOPIC],
                    "created_at": now,
                }
                for seat in seats
            ],
        )


async def _broadcast(app: App) -> int:
    """`broadcast` then `send`, as an admin would: the announcement id, its deliveries queued."""
    preview = await app.bot.admin_command(
        ADMIN, f'broadcast topic:{TOPIC} title:"{TITLE}" Every channel, once.'
    )
    assert not preview.is_error and "Preview of announcement #" in preview.text, preview.text
    announcement_id = int(preview.text.split("#", 1)[1].split("*", 1)[0])
    sent = await app.bot.admin_command(ADMIN, f"send {announcement_id}")
    assert not sent.is_error, sent.text
    return announcement_id
