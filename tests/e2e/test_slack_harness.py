"""The Slack end-to-end world: the real bolt app over loopback, a FakeSlack, a real database.

`open_world()` starts everything the way `partnerbot run` does (minus the background worker: tests
drain it explicitly on the injected clock). The tests at the bottom check the HTTP surface itself.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import pytest

from adapters.slack.app import BOT_SCOPES, SlackAdapter
from bot.app import App, build_app, operations, slack_adapter
from bot.config import Settings
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from bot.metrics import PrometheusMetrics
from bot.services.delivery import RetryPolicy
from tests.conftest import FakeClock
from tests.fakes.slack import JSON, Channel, Ephemeral, FakeSlack, ManualClock, Message, User, Workspace
from tests.fakes.slack_events import InboundResponse, SlackEventSender, SocketEventSender

SECRET = "e2e-signing-secret"
# PARTNERBOT_SECRET_KEY of the OAuth worlds (a fixed Fernet key: tests only).
TOKEN_KEY = "5Tjv4RIi2pUJ5ojPz3ixDsSKLYxWIkbZQ0QUZZN6TEY="
VENDOR = "T0VENDOR"
# How long a wait for an event may take before the test fails: a failure detector, not a speed
# target (every wait ends on its event, long before this when all is well; a loaded CI machine
# has taken over 5 s).
WAIT = 20.0
_T = TypeVar("_T")


@dataclass
class Seat:
    """A partner's channel (a Slack Connect channel hosted by the vendor, or in their own workspace)."""

    name: str
    channel: Channel
    user: User

    @property
    def ref(self) -> ChannelRef:
        return ChannelRef(Platform.SLACK, self.channel.team_id, self.channel.id)


@dataclass
class SlackWorld:
    fake: FakeSlack
    app: App
    adapter: SlackAdapter
    events: SlackEventSender
    clock: FakeClock
    vendor: Workspace
    admin_channel: Channel
    dana: User  # admin
    eve: User  # a vendor colleague, not an admin
    seats: dict[str, Seat] = field(default_factory=dict)

    # --- arranging ----------------------------------------------------------------------------

    async def topics(self, *slugs: str) -> None:
        for slug in slugs:
            await self.app.stores.topics.add(
                slug=slug, title=slug.title(), description="", now=self.clock.now()
            )

    async def partner(
        self,
        name: str,
        *,
        tier: str,
        region: str = "emea",
        team: str = VENDOR,
        follows: tuple[str, ...] = (),
        language: str = "en",
    ) -> Seat:
        """A partner organisation with its channel in the directory, following `follows`."""
        if team not in self.fake.workspaces:
            self.fake.add_workspace(team, name=f"{name} Inc", scopes=set(BOT_SCOPES))
        user = self.fake.add_user(team, f"{name}-user")
        shared = {team} - {VENDOR}
        channel = self.fake.add_channel(team, f"partner-{name}", members={user.id}, shared_with=shared)
        seat = Seat(name, channel, user)
        profile = PartnerProfile(name=name, tier=tier, type="reseller", region=region, language=language)
        await self.app.stores.directory.import_rows([ImportRow(1, profile, seat.ref)], now=self.clock.now())
        if follows:
            found = await self.app.stores.directory.channel(seat.ref)
            assert found is not None
            ids = [t.id for t in await self.app.stores.topics.by_slugs(follows)]
            await self.app.stores.subscriptions.add(found.id, ids, now=self.clock.now())
        self.seats[name] = seat
        return seat

    # --- acting -------------------------------------------------------------------------------

    async def command(self, command: str, text: str, *, channel: Channel, user: User) -> list[JSON]:
        """Run a slash command; return what partnerbot answered: through the command's response_url
        (ephemeral), or as new public messages in the channel (`response_type` "in_channel")."""
        posted_before = len(self.bot_posts(channel))
        sent = await self.events.slash_command(command, text, channel_id=channel.id, user_id=user.id)
        assert sent.status == 200 and sent.elapsed < 3.0, sent
        url = sent.payload["response_url"]

        def answers() -> list[JSON]:
            public = [
                {"text": m.text, "blocks": m.blocks, "response_type": "in_channel", "ts": m.ts}
                for m in self.bot_posts(channel)[posted_before:]
            ]
            return self.fake.response_url_posts(url) + public

        return await self.wait_for(answers, f"an answer to {command} {text}")

    async def admin(self, text: str, *, user: User | None = None) -> list[JSON]:
        return await self.command("/partner-admin", text, channel=self.admin_channel, user=user or self.dana)

    async def broadcast(self, text: str) -> int:
        """`/partner-admin broadcast …` then `send`: the announcement id, its deliveries queued."""
        preview = (await self.admin(f"broadcast {text}"))[0]
        assert "Preview of announcement #" in preview["text"], preview
        announcement_id = int(preview["text"].split("#", 1)[1].split("*", 1)[0])
        sent = (await self.admin(f"send {announcement_id}"))[0]
        assert "Sending announcement" in sent["text"], sent
        return announcement_id

    async def deliver(self, *, rounds: int = 8, step: float = 10.0) -> None:
        """Drain the outbox, moving the clock past retry times until nothing is left queued."""
        for _ in range(rounds):
            await self.app.worker.drain()
            if not await self.app.stores.outbox.due_count(now=self.clock.advance(step)):
                return
        raise AssertionError("deliveries still queued")

    async def press_ephemeral(self, action: JSON, *, channel: Channel, user: User, message_ts: str) -> str:
        """Press a button in an ephemeral message (not stored in the channel, so the fake's
        `block_actions` cannot build it): the payload Slack documents for that case. Returns the
        response_url the bot was given."""
        team = channel.team_id
        url = self.fake.issue_response_url(team, channel.id, user.id)
        payload = {
            "type": "block_actions",
            "token": self.fake.verification_token,
            "api_app_id": self.fake.app_id,
            "team": {"id": team, "domain": self.fake.workspaces[team].domain},
            "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id},
            "trigger_id": self.fake.issue_trigger(team, user.id),
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel.id,
                          "is_ephemeral": True},
            "channel": {"id": channel.id, "name": channel.name},
            "state": {"values": {}},
            "response_url": url,
            "actions": [{**action, "type": "button", "action_ts": self.fake.next_ts()}],
        }  # fmt: skip
        body = urlencode({"payload": json.dumps(payload)}).encode()
        sent = await self.events.post(body, "application/x-www-form-urlencoded", payload)
        assert sent.status == 200, sent
        return url

    # --- observing ----------------------------------------------------------------------------

    async def wait_for(self, probe: Callable[[], _T | None], what: str = "", timeout: float = WAIT) -> _T:
        """Poll `probe` until it returns something truthy (never a fixed sleep)."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or probe}")
            await asyncio.sleep(0.01)

    async def wait_until(self, probe: Callable[[], Any], what: str = "", timeout: float = WAIT) -> None:
        """Like wait_for, for an async probe (a database read)."""
        deadline = time.monotonic() + timeout
        while not await probe():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or probe}")
            await asyncio.sleep(0.01)

    async def mention(
        self, seat_channel: Channel, user: User, text: str, *, thread_ts: str | None = None
    ) -> Ephemeral:
        """`@partnerbot text`; the ephemeral answer it got."""
        before = len(self.fake.ephemerals)
        await self.events.app_mention(seat_channel.id, user.id, text, thread_ts=thread_ts)
        return (
            await self.wait_for(
                lambda: self.ephemerals(user, since=before), f"an answer to @partnerbot {text}"
            )
        )[0]

    def ephemerals(self, user: User, channel: Channel | None = None, *, since: int = 0) -> list[Ephemeral]:
        return [
            e
            for e in self.fake.ephemerals[since:]
            if e.user == user.id and (channel is None or e.channel == channel.id)
        ]

    def bot_posts(self, channel: Channel, *, thread: str | None = None) -> list[Message]:
        """What partnerbot posted in a channel: top-level messages, or the replies in one thread."""
        return [
            m
            for m in self.fake.messages(channel.id)
            if m.bot_id is not None and (m.thread_ts == thread if thread else not m.is_reply)
        ]

    async def follows(self, seat: Seat) -> list[str]:
        found = await self.app.stores.directory.channel(seat.ref)
        assert found is not None
        return sorted(t.slug for t in await self.app.stores.subscriptions.topics_of(found.id))


@asynccontextmanager
async def open_world(
    database_url: str,
    clock: FakeClock,
    *,
    oauth: bool = False,
    socket: bool = False,
    metrics: PrometheusMetrics | None = None,
    **overrides: Any,
) -> AsyncIterator[SlackWorld]:
    """`metrics`: measured, with /metrics and /readyz on the adapter's server (as `partnerbot run`).
    `socket`: Socket Mode (SLACK_APP_TOKEN, no signing secret); `world.events` then sends every
    payload as an envelope over the fake's WebSocket instead of POSTing it."""
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace(VENDOR, name="Vendor", scopes=set(BOT_SCOPES))
        dana = fake.add_user(VENDOR, "dana", is_admin=True)
        eve = fake.add_user(VENDOR, "eve")
        admin_channel = fake.add_channel(VENDOR, "partner-admins", members={dana.id, eve.id})
        credentials = (
            {
                "slack_client_id": fake.client_id,
                "slack_client_secret": fake.client_secret,
                "secret_key": TOKEN_KEY,
            }
            if oauth
            else {"slack_bot_token": vendor.bot_token}
        )
        transport = (
            {"slack_app_token": fake.socket_mode.add_app_token(), "slack_signing_secret": ""}
            if socket
            else {"slack_signing_secret": SECRET}
        )
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            http_port=0,
            admin_channels=(f"slack:{admin_channel.id}",),
            admin_users=(f"slack:{dana.id}",),
            # The live progress message adds a post per broadcast; on where a test asks for it.
            **{"progress_messages": False, **credentials, **transport, **overrides},
        )
        retry = RetryPolicy(max_attempts=6, rng=random.Random(7))
        app = await build_app(settings, clock=clock, run_migrations=False, retry=retry, metrics=metrics)
        adapter = slack_adapter(app)
        if metrics is not None:
            adapter.extra_routes.update(operations(app, [adapter]).routes())
        app.worker.add_sender(Platform.SLACK, adapter.sender)
        await adapter.start()
        events = (
            SocketEventSender(fake)
            if socket
            else SlackEventSender(fake, f"{adapter.base_url}/slack/events", SECRET)
        )
        try:
            yield SlackWorld(fake, app, adapter, events, clock, vendor, admin_channel, dana, eve)
        finally:
            await events.close()
            await adapter.stop()
            await app.close()


async def install(world: SlackWorld, team_id: str) -> None:
    """Add the app to `team_id` through /slack/install and /slack/oauth_redirect, as a browser would."""
    world.fake.authorize_team_id = team_id
    base = world.adapter.base_url
    world.fake.oauth_redirect_uri = f"{base}/slack/oauth_redirect"
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install") as page:
            assert page.status == 200, await page.text()
            html = await page.text()
            cookie = page.headers["Set-Cookie"].split(";", 1)[0]  # a Secure cookie: resent by hand over http
        authorize = html.split('<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        async with browser.get(authorize, allow_redirects=False) as consent:
            callback = consent.headers["Location"]
        async with browser.get(callback, headers={"Cookie": cookie}) as done:
            assert done.status == 200, await done.text()


# --- the HTTP surface -------------------------------------------------------------------------------


@pytest.fixture
async def world(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(sqlite_url, clock) as w:
        yield w


async def test_health_check_and_url_verification(world: SlackWorld) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{world.adapter.base_url}/healthz") as resp:
        assert (resp.status, await resp.json()) == (
            200,
            {"ok": True, "platform": "slack", "mode": "single-workspace/http"},
        )
    echoed = await world.events.url_verification("xyz")
    assert (echoed.status, echoed.json()) == (200, {"challenge": "xyz"})


async def test_forged_signature_and_stale_timestamp_are_rejected_and_change_nothing(
    world: SlackWorld,
) -> None:
    await world.topics("security")
    seat = await world.partner("acme", tier="gold")
    calls_before = sum(world.fake.calls.values())
    channel, user = seat.channel.id, seat.user.id
    attempts: list[InboundResponse] = [
        await world.events.slash_command(
            "/partner", "subscribe security", channel_id=channel, user_id=user, forge_signature=True
        ),
        await world.events.slash_command(
            "/partner", "subscribe security", channel_id=channel, user_id=user, stale_timestamp=True
        ),
    ]
    attempts.append(
        await world.events.slash_command(
            "/partner-admin", 'topic add pricing "Pricing"', channel_id=world.admin_channel.id,
            user_id=world.dana.id, forge_signature=True,
        )
    )  # fmt: skip
    attempts.append(
        await world.events.message(seat.channel.id, seat.user.id, "hi", thread_ts="1.0", stale_timestamp=True)
    )
    assert [a.status for a in attempts] == [401, 401, 401, 401]
    # Give a wrongly accepted request the time to act before checking that nothing happened.
    await world.events.slash_command("/partner", "list", channel_id=seat.channel.id, user_id=seat.user.id)
    await world.wait_for(lambda: world.fake.calls["response_url"], "the genuine request's answer")
    assert await world.follows(seat) == []
    assert [t.slug for t in await world.app.bot.topics()] == ["security"]
    assert world.fake.calls["response_url"] == 1 and world.fake.ephemerals[-1].text.startswith(
        "This channel follows no"
    )
    assert calls_before == 0 and set(world.fake.calls) <= {"auth.test", "response_url", "users.info"}
