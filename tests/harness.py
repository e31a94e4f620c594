"""A conversation harness over the local adapter, errbot-style: `await h.partner("acme", "list")`."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.local.app import LocalAdapter
from adapters.local.workspace import BOT, LocalWorkspace, Message
from adapters.similarity import Encoder
from bot.app import App, build_app
from bot.config import Settings
from bot.domain import ImportRow, PartnerProfile, Platform, Reply
from bot.metrics import PrometheusMetrics
from bot.ports import Clock
from bot.services.delivery import RetryPolicy
from tests.encoders import FLOOR, MODEL

ADMIN_CHANNEL = "admin"
ADMIN = "alice"


@dataclass
class Harness:
    app: App
    local: LocalAdapter

    @property
    def workspace(self) -> LocalWorkspace:
        return self.local.workspace

    async def partner(self, channel: str, text: str, *, user: str = "pat") -> Reply:
        reply = await self.local.say(user, channel, f"/partner {text}")
        assert reply is not None
        return reply

    async def admin(self, text: str, *, user: str = ADMIN, channel: str = ADMIN_CHANNEL) -> Reply:
        reply = await self.local.say(user, channel, f"/partner-admin {text}")
        assert reply is not None
        return reply

    async def deliver(self) -> int:
        return await self.app.worker.drain()

    def posts(self, channel: str) -> list[Message]:
        """What the bot posted publicly in a channel (deliveries and relays, not command replies)."""
        return [m for m in self.workspace.in_channel(channel, author=BOT) if m.visible_to is None and m.key]

    async def join(
        self,
        channel: str,
        name: str,
        *,
        tier: str,
        region: str = "emea",
        type: str = "reseller",
        language: str = "en",
    ) -> None:
        """Invite a partner and link `channel` to it, as an admin and a partner would."""
        reply = await self.admin(
            f'invite "{name}" tier:{tier} type:{type} region:{region} language:{language}'
        )
        code = reply.text.split("`")[1]
        joined = await self.partner(channel, f"join {code}")
        assert not joined.is_error, joined.text

    async def link(self, channel: str, name: str = "", *, tier: str = "registered", region: str = "") -> None:
        """Link `channel` to a partner of its own through the roster, as `partners import` does (only
        linked channels may subscribe); no partner time zone, so the channel follows the vendor's."""
        ref = self.workspace.channel(channel)
        known = await self.app.stores.directory.channel(ref)
        if known is not None and known.partner_id is not None:
            return
        profile = PartnerProfile(name=name or channel.capitalize(), tier=tier, region=region, timezone="")
        await self.app.stores.directory.import_rows([ImportRow(1, profile, ref)], now=self.app.clock.now())

    async def subscribe(self, channel: str, topics: str, *, user: str = "pat") -> Reply:
        """`subscribe <topics>` in `channel`, linking it first (`link`) unless it is linked already."""
        await self.link(channel)
        return await self.partner(channel, f"subscribe {topics}", user=user)

    async def close(self) -> None:
        await self.app.close()


async def make_harness(
    database_url: str,
    clock: Clock,
    *,
    metrics: PrometheusMetrics | None = None,
    encoder: Encoder | None = None,
    **overrides: object,
) -> Harness:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        admin_channels=(f"local:{ADMIN_CHANNEL}",),
        # Off unless a test is about it (test_edit_recall.py): it adds a post to every broadcast.
        **{"admin_users": (f"local:{ADMIN}",), "progress_messages": False, **overrides},  # type: ignore[arg-type]
    )
    app = await build_app(
        settings,
        clock=clock,
        run_migrations=False,
        retry=RetryPolicy(max_attempts=4),
        metrics=metrics,
        encoder=encoder,  # PARTNERBOT_SIMILARITY=embeddings without a real model (tests/encoders.py)
    )
    local = LocalAdapter(app.bot)
    app.worker.add_sender(Platform.LOCAL, local.sender)
    return Harness(app, local)


async def make_embedding_harness(
    database_url: str, clock: Clock, encoder: Encoder, *, model: str = MODEL
) -> Harness:
    """`make_harness` with PARTNERBOT_SIMILARITY=embeddings: `encoder` stands in for the model
    (tests/encoders.py), with the test encoder's similarity floor."""
    return await make_harness(
        database_url, clock, encoder=encoder, similarity="embeddings", similarity_model=model,
        similarity_floor=FLOOR,
    )  # fmt: skip
