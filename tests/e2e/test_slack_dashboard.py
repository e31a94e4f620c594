"""`/partner-admin dashboard` through the real slack-bolt app against the fake Slack: the sign-in link
comes back ephemerally (the command's response_url) and signs in the Slack admin who asked, once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from bot.app import dashboard_access
from bot.domain.refs import Platform
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world


@pytest.fixture
async def world(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(sqlite_url, clock, public_url="https://partners.example.com") as w:
        yield w


async def test_dashboard_answers_the_slack_admin_with_a_private_one_time_link(world: SlackWorld) -> None:
    (answer,) = await world.admin("dashboard")
    assert answer.get("response_type") != "in_channel", answer
    found = re.search(r"https://partners\.example\.com/dashboard/signin/link\?token=([\w-]+)", answer["text"])
    assert found is not None, answer
    assert world.bot_posts(world.admin_channel) == []  # nothing public in the admin channel

    who = await dashboard_access(world.app).redeem(found.group(1))
    assert who is not None and (who.platform, who.user) == (Platform.SLACK, world.dana.id)
    assert await dashboard_access(world.app).redeem(found.group(1)) is None


async def test_dashboard_is_refused_to_a_colleague_who_is_not_an_admin(world: SlackWorld) -> None:
    (answer,) = await world.admin("dashboard", user=world.eve)
    assert m.ADMIN_ONLY_FOR_ADMINS.split(" ", 1)[1] in answer["text"], answer
    assert "signin/link" not in answer["text"]


async def test_a_mention_in_the_admin_channel_answers_with_an_ephemeral_link(world: SlackWorld) -> None:
    shown = await world.mention(world.admin_channel, world.dana, "dashboard")
    assert "https://partners.example.com/dashboard/signin/link?token=" in shown.text
    assert shown.user == world.dana.id
    assert world.bot_posts(world.admin_channel) == []
