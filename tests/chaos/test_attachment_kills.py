"""A `partnerbot worker` SIGKILLed in the middle of sharing an announcement's files on Slack: Slack
has stored the share, the worker never heard back. Its lease runs out, a second worker takes the
row over, finds the share by the delivery key in its first block and records it: one copy, with
both files, and the completion is never sent twice. (A smaller variant of test_chaos.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_app
from bot.commands import Broadcast, Send
from bot.config import Settings
from bot.domain import Audience, ChannelRef, ImportRow, Invocation, NewFile, PartnerProfile, Platform, UserRef
from storage.tables import DeliveryRow
from tests.chaos.workers import WorkerPool
from tests.chaos.world import until
from tests.fakes.slack import FakeSlack

LIMIT = 120.0
PDF = b"%PDF-1.7\n" + b"chaos " * 2000
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

pytestmark = pytest.mark.timeout(LIMIT)


async def test_a_worker_killed_while_slack_shares_the_files_leaves_exactly_one_copy(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with FakeSlack() as slack:
        ws = slack.add_workspace("T0CHAOS", name="Vendor")
        admin = slack.add_channel(ws.team_id, "partner-admins")
        acme = slack.add_channel(ws.team_id, "partner-acme")
        env = {
            "PARTNERBOT_DATABASE_URL": sqlite_url,
            "SLACK_BOT_TOKEN": ws.bot_token,
            "PARTNERBOT_SLACK_API_URL": slack.base_url,
            "PARTNERBOT_ADMIN_CHANNELS": f"slack:{admin.id}",
            "PARTNERBOT_ADMIN_USERS": "slack:UADMIN",
            "PARTNERBOT_FILES_DIR": str(tmp_path / "files"),
            "PARTNERBOT_LEASE_SECONDS": "2",
            "PARTNERBOT_POLL_SECONDS": "0.05",
            "PARTNERBOT_LOG_LEVEL": "INFO",
        }
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=sqlite_url,
            admin_channels=(f"slack:{admin.id}",),
            admin_users=("slack:UADMIN",),
            files_dir=env["PARTNERBOT_FILES_DIR"],
        )
        app = await build_app(settings, run_migrations=False)
        pool = WorkerPool(env, tmp_path / "workers")
        try:
            now = app.clock.now()
            await app.stores.topics.add(slug="pricing", title="Pricing", description="", now=now)
            ref = ChannelRef(Platform.SLACK, ws.team_id, acme.id)
            profile = PartnerProfile(name="Acme", tier="gold", type="reseller", region="emea", language="en")
            await app.stores.directory.import_rows([ImportRow(2, profile, ref)], now=now)
            row = await app.stores.directory.channel(ref)
            assert row is not None
            await app.stores.subscriptions.add(row.id, [1], now=now)
            inv = Invocation(
                channel=ChannelRef(Platform.SLACK, ws.team_id, admin.id),
                user=UserRef(Platform.SLACK, ws.team_id, "UADMIN", "Alice"),
            )
            files = (NewFile("prices.pdf", PDF), NewFile("shot.png", PNG))
            draft = await app.bot.run_admin(
                inv, Broadcast(("pricing",), Audience(), "Chaos", "Files.", files=files)
            )
            assert draft.draft is not None, draft.text
            assert not (await app.bot.run_admin(inv, Send(draft.draft.announcement_id))).is_error

            # Slack stores the share, then holds the answer: the worker waits for it until killed.
            slack.fail_next("files.completeUploadExternal", kind="timeout_after_commit", delay=60)
            first = await pool.spawn()
            await until(lambda: any(m.files for m in slack.messages(acme.id)), "the share", timeout=60)
            await pool.kill(first)

            await pool.spawn()

            async def recorded() -> bool:
                async with AsyncSession(app.engine) as session:
                    [delivery] = (await session.exec(select(DeliveryRow))).all()
                    return delivery.status == "sent"

            await until(recorded, "the delivery recorded as sent", timeout=60)
            shares = [m for m in slack.messages(acme.id) if m.bot_id is not None]
            assert len(shares) == 1 and [f["name"] for f in shares[0].files or []] == [
                "prices.pdf",
                "shot.png",
            ]
            assert slack.calls["files.completeUploadExternal"] == 1
            assert pool.crashed() == []
        finally:
            await pool.close()
            await app.close()
