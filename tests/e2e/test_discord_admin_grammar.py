"""`/partner-admin reschedule` and `/partner-admin drafts` through the real discord.py stack against the
fake Discord (real clock: times are computed from today)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from tests.e2e.discord_world import DiscordWorld, discord_world
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme",)) as w:
        await w.add_topic("pricing", "Price lists")
        await w.link(w.partners["acme"], tier="gold")
        await w.subscribe(w.partners["acme"], "pricing")
        yield w


def days_ahead(days: int) -> str:
    day = datetime.now().date() + timedelta(days=days)
    return f"{day:%Y-%m-%d} 09:00 UTC"


async def test_reschedule_and_drafts_on_discord(world: DiscordWorld) -> None:
    async def admin(command: str, options: dict[str, object] | None = None) -> dict[str, object]:
        answer = await world.slash(
            f"partner-admin {command}", options, channel=world.admin_channel, user=world.admin
        )
        data: dict[str, object] = answer["data"]
        return data

    preview = await admin(
        "broadcast", {"topics": "pricing", "title": "Later", "body": "B", "at": days_ahead(3)}
    )
    assert "Preview of announcement #1" in str(preview["content"]), preview

    moved = await admin("reschedule", {"announcement": 1, "at": days_ahead(5)})
    assert f"Draft #1 “Later” will go out {days_ahead(5)}" in str(moved["content"]), moved
    refused = await admin("reschedule", {"announcement": 1, "at": "tomorrow 9am"})
    assert int(str(refused["flags"])) & EPHEMERAL
    assert 'I couldn\'t read the time "tomorrow 9am"' in str(refused["content"])

    listed = await admin("drafts")
    assert "1 open draft" in str(listed["content"]), listed
    ids = [c.get("custom_id") for c in walk_components(listed.get("components") or [])]  # type: ignore[arg-type]
    assert any(str(i).endswith(":1") and "cancel" in str(i) for i in ids), ids


async def test_engagement_and_quiet_on_discord(world: DiscordWorld) -> None:
    """The options go through the same checks as the text form; Acme was linked and subscribed (two
    proactive actions, nothing received yet): 100 * 3 * 2 / (0 + 5) = 120."""

    async def admin(command: str, options: dict[str, object] | None = None) -> dict[str, object]:
        answer = await world.slash(
            f"partner-admin {command}", options, channel=world.admin_channel, user=world.admin
        )
        data: dict[str, object] = answer["data"]
        return data

    scores = await admin("engagement", {"tier": "gold"})
    content = str(scores["content"])
    assert content.startswith("**Engagement of 1 partner (tier:gold), last 90 days**"), scores
    assert "score 120 · 2 proactive, 0 reactive, 0 announcements received" in content
    several = await admin("engagement", {"tier": "gold,silver"})
    assert int(str(several["flags"])) & EPHEMERAL
    assert "`engagement` scores one tier at a time" in str(several["content"])
    quiet = await admin("quiet")
    assert str(quiet["content"]).startswith("No partner has gone quiet"), quiet
