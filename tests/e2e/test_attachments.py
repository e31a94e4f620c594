"""Announcements with files, end to end: "Broadcast to partners" on a Slack message carrying a PDF
and a PNG reaches a Slack and a Discord partner channel with both files, exactly once — also when
the share's answer is lost after Slack or Discord stored it; a file Discord can't take is refused in
the preview. The real slack-bolt and discord.py stacks against the fakes, on loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.discord.client import DiscordAdapter
from adapters.slack import uploads
from adapters.slack.app import BOT_SCOPES, SlackAdapter
from adapters.slack.translate import FILE_KEY_PREFIX
from bot import app as root
from bot import messages as m
from bot.app import App, build_app
from bot.attachments import MIB
from bot.config import Settings
from bot.domain import Attachment, ChannelRef, ImportRow, PartnerProfile, Platform
from bot.ports import TransientSendError
from bot.services.delivery import RetryPolicy
from storage.files import FilesystemFileStore
from storage.tables import DeliveryRow
from tests.e2e.discord_world import OPTIONS, eventually
from tests.fakes.discord import Channel as DiscordChannel
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import JSON, Channel, FakeSlack, Message, User, Workspace
from tests.fakes.slack_events import SlackEventSender

SECRET = "attachments-secret"
WAIT = 10.0
PDF = b"%PDF-1.7\n" + b"Q3 price list. " * 400
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
_T = TypeVar("_T")


async def wait_for(probe: Callable[[], _T | None], what: str) -> _T:
    deadline = time.monotonic() + WAIT
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


@dataclass
class World:
    slack: FakeSlack
    discord: FakeDiscord
    app: App
    events: SlackEventSender
    vendor: Workspace
    dana: User
    admin_channel: Channel
    slack_channel: Channel
    discord_channel: DiscordChannel
    web_url: str = ""  # the Slack adapter's own HTTP server (also /f/ and /r/)

    def slack_posts(self, channel: Channel) -> list[Message]:
        return [msg for msg in self.slack.messages(channel.id) if msg.bot_id is not None and not msg.is_reply]

    def discord_posts(self) -> list[Any]:
        return [
            msg
            for msg in self.discord.channel_messages(self.discord_channel.id)
            if msg.author.id == self.discord.bot.id
        ]

    async def shortcut(self, text: str, files: list[tuple[str, bytes, str]]) -> JSON:
        """Dana posts `text` with `files` in the admin channel and runs "Broadcast to partners" on it."""
        shared = [self.slack.files.add_user_file(self.vendor.team_id, self.dana.id, *f) for f in files]
        source = self.slack.user_message(self.admin_channel.id, self.dana.id, text, files=shared)
        before = set(self.slack.views)
        sent = await self.events.message_shortcut(
            "broadcast_from_message",
            channel_id=self.admin_channel.id,
            message_ts=source.ts,
            user_id=self.dana.id,
        )
        assert sent.status == 200
        view_id = await wait_for(lambda: next(iter(set(self.slack.views) - before), None), "the modal")
        return self.slack.views[view_id].data

    async def submit(self, view: JSON, title: str) -> Message:
        values = {
            "bc_title": {"value": {"type": "plain_text_input", "value": title}},
            "bc_body": {"value": {"type": "plain_text_input", "value": "New Q3 prices, see the files."}},
            "bc_topics": {
                "value": {"type": "multi_static_select", "selected_options": [{"value": "pricing"}]}
            },
        }
        submitted = await self.events.view_submission(view["id"], values)
        assert (submitted.status, submitted.body) == (200, "")
        return (
            await wait_for(
                lambda: [p for p in self.slack_posts(self.admin_channel) if "announcement #" in p.text],
                "the preview",
            )
        )[-1]

    async def send(self, preview: Message, announcement_id: int) -> None:
        await self.events.block_actions(
            "announcement_send",
            str(announcement_id),
            user_id=self.dana.id,
            channel_id=self.admin_channel.id,
            message_ts=preview.ts,
        )


@asynccontextmanager
async def two_platforms(sqlite_url: str, files_dir: Path, **overrides: Any) -> AsyncIterator[World]:
    async with FakeSlack() as slack, FakeDiscord(heartbeat_interval_ms=500) as discord:
        vendor = slack.add_workspace("T0VENDOR", name="Vendor", scopes=set(BOT_SCOPES))
        dana = slack.add_user(vendor.team_id, "dana", is_admin=True)
        admin_channel = slack.add_channel(vendor.team_id, "partner-admins", members={dana.id})
        slack_channel = slack.add_channel(vendor.team_id, "partner-acme")
        guild = discord.add_guild("Globex Partners")
        discord_channel = discord.add_channel(guild.id, "vendor-news")
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
            lease_seconds=2,
            progress_messages=False,
            files_dir=str(files_dir),
            **overrides,
        )
        app = await build_app(settings, run_migrations=False, retry=RetryPolicy(initial=0.05, cap=0.3))
        slack_adapter: SlackAdapter = root.slack_adapter(app)
        discord_adapter: DiscordAdapter = root.discord_adapter(app, OPTIONS)
        if (images := root.preview_files_app(app)) is not None:  # /f/ beside /slack/events, as `run` does
            slack_adapter.mounts.append(lambda web_root: root.mount_preview_files(web_root, images))
        if (redirect := root.redirect_app(app)) is not None:  # and /r/, the counted CTA redirect
            slack_adapter.mounts.append(lambda web_root: root.mount_redirect(web_root, redirect))
        for adapter in (slack_adapter, discord_adapter):
            app.worker.add_sender(adapter.platform, adapter.sender)
            await adapter.start()
        events = SlackEventSender(slack, f"{slack_adapter.base_url}/slack/events", SECRET)
        try:
            await app.stores.topics.add(slug="pricing", title="Pricing", description="", now=app.clock.now())
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
            app.start_background()
            yield World(
                slack,
                discord,
                app,
                events,
                vendor,
                dana,
                admin_channel,
                slack_channel,
                discord_channel,
                web_url=slack_adapter.base_url,
            )
        finally:
            await events.close()
            await discord_adapter.stop()
            await slack_adapter.stop()
            await app.close()


FILES = [("Price list Q3.pdf", PDF, "application/pdf"), ("screenshot.png", PNG, "image/png")]


async def _all_recorded_sent(w: World) -> None:
    """Wait until every delivery is on record as sent: none is claimed or due any more."""

    async def all_sent() -> bool:
        async with AsyncSession(w.app.engine) as session:
            return {row.status for row in await session.exec(select(DeliveryRow))} == {"sent"}

    await eventually(all_sent)


async def _delivered_once_with_both_files(w: World) -> None:
    [slack_post] = await wait_for(lambda: w.slack_posts(w.slack_channel), "the Slack delivery")
    [discord_post] = await wait_for(lambda: w.discord_posts(), "the Discord delivery")
    await _all_recorded_sent(w)  # nothing left that the worker could post again
    assert len(w.slack_posts(w.slack_channel)) == 1 and len(w.discord_posts()) == 1

    # Slack: one message holding the announcement's blocks (its key in the first block) and both files.
    assert slack_post.blocks and slack_post.blocks[0]["block_id"].startswith(FILE_KEY_PREFIX + "d")
    assert "Q3 prices" in str(slack_post.blocks)
    assert [f["name"] for f in slack_post.files or []] == ["Price list Q3.pdf", "screenshot.png"]
    shared = [w.slack.files.files[f["id"]] for f in slack_post.files or []]
    assert [f.data for f in shared] == [PDF, PNG] and all(f.user == w.vendor.bot_user_id for f in shared)

    # Discord: one message, both files attached, the PNG shown in the embed.
    names = [a["filename"] for a in discord_post.attachments]
    assert names == ["Price_list_Q3.pdf", "screenshot.png"]
    data = [w.discord.attachment_bytes[int(a["id"])] for a in discord_post.attachments]
    assert data == [PDF, PNG]
    assert discord_post.embeds[0]["image"]["url"] == discord_post.attachments[1]["url"]
    stats = await w.app.stores.stats.announcement(1)
    assert stats is not None and (stats.delivered, stats.failed, stats.pending) == (2, 0, 0)


async def test_a_shortcut_on_a_message_with_a_pdf_and_a_png_reaches_both_platforms_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        note = view["blocks"][0]["elements"][0]["text"]
        assert "Price list Q3.pdf" in note and "screenshot.png" in note
        preview = await w.submit(view, "Q3 prices")
        assert m.FILES_HEADING(2).replace("**", "*") in preview.text
        assert "Price list Q3.pdf" in preview.text and "image (image/png)" in preview.text
        assert sorted(w.slack.files.downloads) == sorted(
            f.id for f in w.slack.files.files.values() if f.user == w.dana.id
        )
        await w.send(preview, 1)
        await _delivered_once_with_both_files(w)


async def test_an_answer_lost_after_the_share_still_gives_exactly_one_copy(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        # Slack stores the share but the connection drops before partnerbot hears back; Discord
        # stores the message and the connection drops too. Both are looked for before posting again.
        w.slack.fail_next("files.completeUploadExternal", kind="drop_after_commit")
        w.discord.drop_after_commit("POST /channels/{channel_id}/messages")
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        preview = await w.submit(view, "Q3 prices")
        await w.send(preview, 1)
        await _delivered_once_with_both_files(w)
        assert w.slack.calls["files.completeUploadExternal"] == 1  # found in history, not shared again
        assert w.slack.calls["conversations.history"] >= 1


async def test_a_file_discord_cannot_take_is_refused_in_the_preview(sqlite_url: str, tmp_path: Path) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        video = ("demo.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (11 * MIB), "video/mp4")
        view = await w.shortcut("The demo video.", [video])
        preview = await w.submit(view, "Demo")
        assert "demo.mp4 is 11 MB; Discord takes at most 10 MB per file." in preview.text
        actions = [
            e["action_id"] for b in preview.blocks or [] if b["type"] == "actions" for e in b["elements"]
        ]
        assert "announcement_send" not in actions and "announcement_cancel" in actions
        draft = await w.app.stores.announcements.get(1)
        assert (
            draft is not None
            and draft.status.value == "draft"
            and [f.name for f in draft.files] == ["demo.mp4"]
        )
        assert w.slack_posts(w.slack_channel) == [] and w.discord_posts() == []


async def test_edit_keeps_the_files_and_recall_deletes_them(sqlite_url: str, tmp_path: Path) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        await w.send(await w.submit(view, "Q3 prices"), 1)
        await _delivered_once_with_both_files(w)
        [slack_post], [discord_post] = w.slack_posts(w.slack_channel), w.discord_posts()

        await w.events.slash_command(
            "/partner-admin", 'edit 1 title:"Q3 prices, corrected" The corrected list.',
            channel_id=w.admin_channel.id, user_id=w.dana.id,
        )  # fmt: skip
        await wait_for(lambda: "corrected" in str(slack_post.blocks), "the Slack edit")
        await wait_for(lambda: "corrected" in str(discord_post.embeds), "the Discord edit")
        assert [f["name"] for f in slack_post.files or []] == ["Price list Q3.pdf", "screenshot.png"]
        assert len(discord_post.attachments) == 2
        assert discord_post.embeds[0]["image"]["url"] == discord_post.attachments[1]["url"]

        shared = [f["id"] for f in slack_post.files or []]
        await w.events.slash_command(
            "/partner-admin", "recall 1", channel_id=w.admin_channel.id, user_id=w.dana.id
        )
        await wait_for(lambda: slack_post.deleted, "the Slack copy deleted")
        await wait_for(lambda: discord_post.deleted, "the Discord copy deleted")
        assert all(w.slack.files.files[file_id].deleted for file_id in shared)
        assert w.slack.calls["files.delete"] == 2


async def test_uploads_that_outlast_the_lease_share_nothing(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        ws = slack.add_workspace("T0SLOW", name="Vendor")
        channel = slack.add_channel(ws.team_id, "partner-acme")
        store = FilesystemFileStore(tmp_path / "files")
        sha = await store.put(data=PDF)
        pdf = Attachment(sha256=sha, name="prices.pdf", media_type="application/pdf", size=len(PDF))
        ticks = iter([0.0, 30.0])
        message = {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]}
        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(token=ws.bot_token, base_url=slack.base_url, session=session)
            with pytest.raises(TransientSendError, match="took 30 s, more than the 12 s"):
                await uploads.post_with_files(
                    client, session, store, channel=channel.id, files=[pdf],
                    message=message,
                    fail=lambda exc, posting: exc, budget=12.0, clock=lambda: next(ticks),
                )  # fmt: skip
        assert (
            slack.calls["files.getUploadURLExternal"] == 1
            and slack.calls["files.completeUploadExternal"] == 0
        )
        assert slack.messages(channel.id) == []


async def test_a_file_over_a_servers_limit_fails_that_delivery_only(sqlite_url: str, tmp_path: Path) -> None:
    """A server whose limit is below what partnerbot was told (PARTNERBOT_DISCORD_MAX_FILE_MB): Discord
    answers 413 / 40005, the delivery fails for good with that reason, the channel stays active."""
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        w.discord.attachment_size_limit = 1024
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        await w.send(await w.submit(view, "Q3 prices"), 1)
        await wait_for(lambda: w.slack_posts(w.slack_channel), "the Slack delivery")

        async def settled() -> bool:
            stats = await w.app.stores.stats.announcement(1)
            return stats is not None and (stats.delivered, stats.failed) == (1, 1)

        deadline = time.monotonic() + WAIT
        while not await settled():
            assert time.monotonic() < deadline, "the Discord delivery never failed"
            await asyncio.sleep(0.05)
        assert w.discord_posts() == []
        assert [c.status for c in w.discord.call_log if c.name == "create_message"] == [413]
        channel = await w.app.stores.directory.channel(
            ChannelRef(Platform.DISCORD, str(w.discord_channel.guild_id), str(w.discord_channel.id))
        )
        assert channel is not None and channel.active


async def test_files_added_in_the_modal_go_out_after_the_messages_own(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        view = await w.shortcut("New Q3 prices.", [FILES[0]])
        assert "bc_files" in [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        added = w.slack.files.add_user_file(w.vendor.team_id, w.dana.id, *FILES[1])
        values = {
            "bc_title": {"value": {"type": "plain_text_input", "value": "Q3 prices"}},
            "bc_body": {"value": {"type": "plain_text_input", "value": "See the files."}},
            "bc_topics": {
                "value": {"type": "multi_static_select", "selected_options": [{"value": "pricing"}]}
            },
            "bc_files": {"value": {"type": "file_input", "files": [added]}},
        }
        assert (await w.events.view_submission(view["id"], values)).status == 200
        preview = (
            await wait_for(lambda: [p for p in w.slack_posts(w.admin_channel) if "#1" in p.text], "preview")
        )[0]
        assert "Price list Q3.pdf" in preview.text and "screenshot.png" in preview.text
        await w.send(preview, 1)
        await _delivered_once_with_both_files(w)


async def test_a_deleted_file_on_the_message_is_named_in_the_modal(sqlite_url: str, tmp_path: Path) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        kept = w.slack.files.add_user_file(w.vendor.team_id, w.dana.id, *FILES[0])
        source = w.slack.user_message(
            w.admin_channel.id, w.dana.id, "Prices", files=[kept, {"id": "F0GONE", "mode": "tombstone"}]
        )
        before = set(w.slack.views)
        await w.events.message_shortcut(
            "broadcast_from_message", channel_id=w.admin_channel.id, message_ts=source.ts, user_id=w.dana.id
        )
        view_id = await wait_for(lambda: next(iter(set(w.slack.views) - before), None), "the modal")
        notes = [
            b["elements"][0]["text"] for b in w.slack.views[view_id].data["blocks"] if b["type"] == "context"
        ]
        assert any("can't be attached" in n and "F0GONE" in n for n in notes)
        assert any("Price list Q3.pdf" in n for n in notes)
