"""Recurring series through the Discord fake: `/partner-admin series …` (the calendar among them)
as slash commands, with the core's words; a blank title is refused, a non-admin is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time

import pytest

from bot import messages as m
from bot.domain import Audience, ChannelRef, Platform, UserRef
from bot.domain.series import Cadence, Recurrence, SeriesTemplate
from tests.e2e.discord_world import DiscordWorld, discord_world


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme",)) as w:
        await w.add_topic("pricing", "Pricing")
        await w.subscribe(w.acme, "pricing")
        admin = UserRef(Platform.DISCORD, str(w.vendor.id), str(w.admin.user.id), "Admin")
        await w.app.stores.series.create(
            template=SeriesTemplate("Weekly tips", "Body", ("pricing",), Audience()),
            rule=Recurrence(Cadence.WEEKLY, time(9), frozenset({0})),
            zone="UTC",
            until=None,
            author=admin,
            origin=ChannelRef(Platform.DISCORD, str(w.vendor.id), str(w.admin_channel.id)),
            now=datetime.now(UTC),
        )
        yield w


async def _admin(world: DiscordWorld, command: str, **options: object) -> str:
    answer = await world.slash(
        f"partner-admin {command}", options, channel=world.admin_channel, user=world.admin
    )
    return str(answer["data"]["content"])


async def test_series_and_calendar_as_slash_commands(world: DiscordWorld) -> None:
    listed = await _admin(world, "series list")
    assert "**1 series:**" in listed and "Weekly tips — every Monday at 09:00 UTC · draft" in listed
    started = await _admin(world, "series start", series_id=1)
    assert started.startswith("Series 1 “Weekly tips” started: the first occurrence is Mon ")
    assert await _admin(world, "series edit", series_id=1, title="  ") == m.TITLE_EMPTY
    assert await _admin(world, "series edit", series_id=1) == m.SERIES_EDIT_NOTHING
    edited = await _admin(world, "series edit", series_id=1, body="New body")
    assert edited.startswith("Series 1 “Weekly tips” has its new text")
    assert await _admin(world, "series resume", series_id=1) == m.SERIES_NOT_ALLOWED["active"].format(id=1)
    assert (await _admin(world, "series pause", series_id=1)).startswith("Series 1 “Weekly tips” paused")
    shown = await _admin(world, "series calendar", weeks=1)
    assert "**Calendar, " in shown and "09:00 — series 1 Weekly tips (paused)" in shown
    assert (await _admin(world, "series end", series_id=1)).startswith("Series 1 “Weekly tips” ended")

    refused = await world.slash(
        "partner-admin series list", {}, channel=world.admin_channel, user=world.staff
    )
    assert refused["data"]["content"] == m.ADMIN_ONLY_FOR_ADMINS
