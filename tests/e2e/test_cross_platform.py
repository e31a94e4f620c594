"""One partnerbot, both platforms: a Slack admin reaches Slack and Discord partners, and a Discord
partner's question is answered from the Slack admin channel — through the real slack-bolt and
discord.py stacks against the fake Slack and fake Discord on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from adapters.slack.app import BOT_SCOPES
from bot import app as root
from bot.app import build_app
from bot.config import Settings
from bot.domain import ChannelRef, ImportRow, PartnerProfile, Platform
from bot.services.delivery import RetryPolicy
from tests.e2e.discord_world import OPTIONS
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, Message
from tests.fakes.slack_events import SlackEventSender

SECRET = "cross-platform-secret"
WAIT = 10.0
_T = TypeVar("_T")


async def wait_for(probe: Callable[[], _T | None], what: str) -> _T:
    deadline = time.monotonic() + WAIT
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


async def test_slack_admin_reaches_discord_partners_and_answers_their_questions(sqlite_url: str) -> None:
    async with FakeSlack() as slack, FakeDiscord(heartbeat_interval_ms=500) as discord:
        vendor = slack.add_workspace("T0VENDOR", name="Vendor", scopes=set(BOT_SCOPES))
        dana = slack.add_user(vendor.team_id, "dana", is_admin=True)
        admin_channel = slack.add_channel(vendor.team_id, "partner-admins", members={dana.id})
        slack_partner = slack.add_user(vendor.team_id, "sue")
        slack_channel = slack.add_channel(vendor.team_id, "partner-acme", members={slack_partner.id})
        guild = discord.add_guild("Globex Partners")
        discord_channel = discord.add_channel(guild.id, "vendor-news")
        discord_partner = discord.add_member(guild.id, "gil")

        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_signing_secret=SECRET,
            slack_api_url=slack.base_url,
            discord_token=discord.token,
            discord_api_url=discord.api_base,
            discord_gateway_url=discord.gateway_url,
            http_port=0,
            admin_channels=(f"slack:{admin_channel.id}",),
            admin_users=(f"slack:{dana.id}",),
            poll_seconds=0.05,
        )
        app = await build_app(settings, run_migrations=False, retry=RetryPolicy(initial=0.05, cap=0.5))
        slack_adapter = root.slack_adapter(app)
        discord_adapter = root.discord_adapter(app, OPTIONS)
        for adapter in (slack_adapter, discord_adapter):
            app.worker.add_sender(adapter.platform, adapter.sender)
            await adapter.start()
        app.start_background()
        events = SlackEventSender(slack, f"{slack_adapter.base_url}/slack/events", SECRET)
        try:
            # Two partners, one per platform, both following `security`.
            await app.stores.topics.add(
                slug="security", title="Security", description="", now=app.clock.now()
            )
            for name, ref in (
                ("Acme", ChannelRef(Platform.SLACK, vendor.team_id, slack_channel.id)),
                ("Globex", ChannelRef(Platform.DISCORD, str(guild.id), str(discord_channel.id))),
            ):
                profile = PartnerProfile(
                    name=name, tier="gold", type="reseller", region="emea", language="en"
                )
                await app.stores.directory.import_rows([ImportRow(2, profile, ref)], now=app.clock.now())
                row = await app.stores.directory.channel(ref)
                assert row is not None
                await app.stores.subscriptions.add(row.id, [1], now=app.clock.now())

            # The Slack admin broadcasts, reads the preview (commands are acknowledged before they
            # run, so wait for it as a person would), then sends.
            broadcast = 'broadcast topic:security title:"Patch 5.2" Please upgrade this week.'
            sent = await events.slash_command(
                "/partner-admin", broadcast, channel_id=admin_channel.id, user_id=dana.id
            )
            assert sent.status == 200
            await wait_for(
                lambda: [
                    m for m in _bot_posts(slack, admin_channel.id) if "Preview of announcement #1" in m.text
                ],
                "the preview",
            )
            sent = await events.slash_command(
                "/partner-admin", "send 1", channel_id=admin_channel.id, user_id=dana.id
            )
            assert sent.status == 200
            slack_post: Message = (
                await wait_for(lambda: _bot_posts(slack, slack_channel.id), "the Slack delivery")
            )[0]
            discord_post = (
                await wait_for(
                    lambda: [
                        m
                        for m in discord.channel_messages(discord_channel.id)
                        if m.author.id == discord.bot.id
                    ],
                    "the Discord delivery",
                )
            )[0]
            assert "Patch 5.2" in str(slack_post.blocks)
            assert discord_post.embeds and discord_post.embeds[0]["title"].startswith("Patch 5.2")

            # The Discord partner asks in the announcement's thread (mentioning the bot: no
            # message-content intent), and the question lands in the Slack admin thread.
            thread = discord.push_thread_create(
                discord_channel.id, "Question", owner_id=discord_partner.user.id, message_id=discord_post.id
            )
            discord.push_message(
                thread.id, f"<@{discord.bot.id}> Does 5.2 need a reboot?", author_id=discord_partner.user.id
            )
            heading = (
                await wait_for(
                    lambda: [
                        m
                        for m in _bot_posts(slack, admin_channel.id)
                        if "Partner questions on announcement" in m.text
                    ],
                    "the admin thread",
                )
            )[0]
            relayed = await wait_for(
                lambda: _bot_posts(slack, admin_channel.id, thread=heading.ts), "the relayed question"
            )
            assert "Globex" in relayed[0].text and "discord" in relayed[0].text
            assert "Does 5.2 need a reboot?" in relayed[0].text

            async def question_recorded() -> bool:
                question = await app.stores.feedback.question(1)
                return question is not None and question.admin_thread == heading.ts

            deadline = time.monotonic() + WAIT
            while not await question_recorded():
                assert time.monotonic() < deadline, "question never recorded as relayed"
                await asyncio.sleep(0.02)

            # The Slack admin answers in that thread; the answer appears in the Discord thread.
            await events.message(admin_channel.id, dana.id, "No reboot needed.", thread_ts=heading.ts)
            answer = await wait_for(
                lambda: [
                    m
                    for m in discord.channel_messages(thread.id)
                    if m.author.id == discord.bot.id and "No reboot needed." in m.content
                ],
                "the answer in the Discord thread",
            )
            assert answer[0].allowed_mentions == {"parse": []}

            # Exactly one copy each, and the books agree.
            assert len(_bot_posts(slack, slack_channel.id)) == 1
            stats = await app.stores.stats.announcement(1)
            assert stats is not None and (stats.delivered, stats.failed, stats.pending) == (2, 0, 0)
            assert (stats.questions_asked, stats.questions_answered) == (1, 1)
        finally:
            await events.close()
            await discord_adapter.stop()
            await slack_adapter.stop()
            await app.close()


def _bot_posts(slack: FakeSlack, channel: str, *, thread: str | None = None) -> list[Message]:
    return [
        m
        for m in slack.messages(channel)
        if m.bot_id is not None and (m.thread_ts == thread if thread else not m.is_reply)
    ]
