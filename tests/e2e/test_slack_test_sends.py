"""Test sends and saved audiences through the Slack fake: "Send test" under a preview and `test <id>`
post the announcement's own Block Kit rendering into the admin channel (or PARTNERBOT_SLACK_TEST_CHANNEL)
only, marked as a test, counted nowhere; a press on the copy gets a "test copy" answer."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import messages as m
from bot.domain import Platform
from storage.tables import DeliveryRow, ReactionRow
from tests.conftest import FakeClock
from tests.e2e.test_slack_broadcast import open_broadcast_modal, typed
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import Message


def actions_of(message: Message) -> dict[str, Any]:
    return {e["action_id"]: e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]}


async def _count(world: SlackWorld, model: type[SQLModel]) -> int:
    async with AsyncSession(world.app.engine) as session:
        return len(list(await session.exec(select(model))))


async def test_send_test_posts_the_delivery_rendering_in_the_admin_channel_only(
    database_url: str, clock: FakeClock
) -> None:
    async with open_world(database_url, clock) as world:
        await world.topics("pricing")
        acme = await world.partner("acme", tier="gold", follows=("pricing",))
        await world.admin("audience save golds tier:gold topic:pricing")
        [preview_answer] = await world.admin('broadcast audience:golds title:"Q3 prices" **New** prices.')
        assert "audience “golds” (tier: gold) — resolved when sent" in preview_answer["text"]
        preview = world.bot_posts(world.admin_channel)[0]
        assert "announcement_test" in actions_of(preview)

        pressed = await world.events.block_actions(
            "announcement_test",
            "1",
            user_id=world.dana.id,
            channel_id=world.admin_channel.id,
            message_ts=preview.ts,
        )
        answer = await world.wait_for(lambda: world.fake.response_url_posts(pressed.payload["response_url"]))
        assert (
            "test copy of announcement #1" in answer[0]["text"] and answer[0]["response_type"] == "ephemeral"
        )
        assert "announcement_send" in actions_of(preview)  # the preview stays as it was
        await world.deliver()

        copy = world.bot_posts(world.admin_channel)[-1]
        mark, header, body, _context, _feedback = copy.blocks or []
        assert mark["type"] == "context" and mark["elements"][0]["text"].startswith(
            "🧪 *Test copy* of announcement #1"
        )
        assert header["text"]["text"] == "Q3 prices" and body["text"]["text"].startswith("*New* prices.")
        assert list(actions_of(copy)) == ["partnerbot_ask", "partnerbot_helpful", "partnerbot_mute"]
        assert copy.metadata is not None and copy.metadata["event_type"] == "partnerbot_delivery"
        assert world.bot_posts(acme.channel) == []
        assert await _count(world, DeliveryRow) == 0

        helpful = await world.events.block_actions(
            "partnerbot_helpful",
            "0",
            user_id=world.eve.id,
            channel_id=world.admin_channel.id,
            message_ts=copy.ts,
        )
        said = await world.wait_for(lambda: world.fake.response_url_posts(helpful.payload["response_url"]))
        assert said[0]["text"] == m.TEST_COPY_PRESSED.replace("**", "*")
        assert await _count(world, ReactionRow) == 0


async def test_a_test_channel_gets_the_copy_instead(database_url: str, clock: FakeClock) -> None:
    async with open_world(database_url, clock) as world:
        qa = world.fake.add_channel(world.vendor.team_id, "partnerbot-tests", members={world.dana.id})
        world.app.bot.test_sends._test_channels.clear()
        # As PARTNERBOT_SLACK_TEST_CHANNEL sets it (bot/app.py `_test_channels`).
        world.app.bot.test_sends._test_channels[Platform.SLACK] = qa.id
        await world.topics("pricing")
        await world.partner("acme", tier="gold", follows=("pricing",))
        [preview] = await world.admin('broadcast topic:pricing title:"Q3" Body.')
        [queued] = await world.admin("test 1")
        assert "on its way to the test channel" in queued["text"]
        await world.deliver()
        [copy] = world.bot_posts(qa)
        assert "Test copy" in str(copy.blocks)
        assert len(world.bot_posts(world.admin_channel)) == 1  # the preview only
        assert preview


async def test_the_broadcast_modal_offers_the_saved_audiences(database_url: str, clock: FakeClock) -> None:
    async with open_world(database_url, clock) as world:
        await world.topics("pricing")
        await world.partner("acme", tier="gold", follows=("pricing",))
        await world.admin("audience save golds tier:gold topic:pricing")
        view = await open_broadcast_modal(world, "Q3 prices are out.")
        block = next(b for b in view["blocks"] if b["block_id"] == "bc_saved_audience")
        assert block["element"]["type"] == "static_select" and block["optional"] is True
        assert [o["value"] for o in block["element"]["options"]] == ["golds"]

        saved = {"type": "static_select", "selected_option": {"value": "golds"}}
        both = {
            "bc_title": typed("Q3"),
            "bc_body": typed("Body."),
            "bc_saved_audience": {"value": saved},
            "bc_tier": {"value": {"type": "multi_static_select", "selected_options": [{"value": "gold"}]}},
        }
        refused = await world.events.view_submission(view["id"], both)
        assert refused.json()["errors"] == {"bc_saved_audience": m.SLACK_SAVED_AUDIENCE_WITH_FILTERS}

        values = {"bc_title": typed("Q3"), "bc_body": typed("Body."), "bc_saved_audience": {"value": saved}}
        submitted = await world.events.view_submission(view["id"], values)
        assert (submitted.status, submitted.body) == (200, "")
        preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
        assert "audience “golds” (tier: gold) — resolved when sent" in preview.text
        assert "Topics: pricing" in preview.text
