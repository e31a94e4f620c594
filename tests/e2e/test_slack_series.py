"""A recurring series through the Slack fake: `broadcast … every:"…"` posts its preview with
**Start series** / **Discard** buttons in the admin channel; pressing Start starts it, and the
preview shows the outcome in place."""

from __future__ import annotations

from bot import messages as m
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import open_world
from tests.e2e.test_slack_test_sends import actions_of


async def test_start_series_from_the_preview_button(sqlite_url: str, clock: FakeClock) -> None:
    async with open_world(sqlite_url, clock) as world:
        await world.topics("pricing")
        await world.partner("acme", tier="gold", follows=("pricing",))
        [answer] = await world.admin(
            'broadcast topic:pricing every:"monday 09:00 local" title:"Weekly" Body.'
        )
        assert "*Draft series 1: Weekly*" in answer["text"]
        preview = world.bot_posts(world.admin_channel)[0]
        assert list(actions_of(preview)) == ["series_start", "series_end"]

        pressed = await world.events.block_actions(
            "series_start",
            "1",
            user_id=world.dana.id,
            channel_id=world.admin_channel.id,
            message_ts=preview.ts,
        )
        [settled] = await world.wait_for(
            lambda: world.fake.response_url_posts(pressed.payload["response_url"])
        )
        started = m.SERIES_STARTED.format(id=1, title="Weekly", next="Mon 2026-11-30 09:00 local")
        assert started in settled["text"] and settled.get("replace_original") is True
        listed = await world.admin("series")
        assert "· active · next: Mon 2026-11-30 09:00 local" in listed[0]["text"]
