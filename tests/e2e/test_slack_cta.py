"""Calls to action on Slack, through the real slack-bolt app and the fake Slack: URL buttons under the
announcement, and each click — Slack's `block_actions` for a URL button — acked and counted once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import serve
from bot.config import Settings
from storage.tables import EngagementEventRow
from tests.conftest import FakeClock
from tests.e2e.test_metrics_port import free_port, get
from tests.e2e.test_slack_broadcast import open_broadcast_modal, selected, typed
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import FakeSlack, ManualClock, Message

CTAS = 'cta:"Register now|https://example.com/webinar" cta:"Agenda|https://example.com/agenda?x=1&y=2"'


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("events")
        yield w


def cta_buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message.blocks or [] if b.get("block_id") == "partnerbot_cta" for e in b["elements"]]


async def clicks(world: SlackWorld) -> list[EngagementEventRow]:
    async with AsyncSession(world.app.engine) as session:
        query = select(EngagementEventRow).where(EngagementEventRow.kind == "link_clicked")
        return list(await session.exec(query.order_by(col(EngagementEventRow.id))))


async def test_the_preview_shows_the_ctas(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("events",))
    preview = (await world.admin(f'broadcast topic:events {CTAS} title:"Webinar" Join us.'))[0]
    assert "Register now" in preview["text"] and "https://example.com/webinar" in preview["text"]


async def test_a_url_button_click_is_acked_and_counted_once_per_click(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", region="emea", follows=("events",))
    announcement = await world.broadcast(f'topic:events {CTAS} title:"Webinar" Join us.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    buttons = cta_buttons(post)
    assert [(b["text"]["text"], b["url"], b["action_id"]) for b in buttons] == [
        ("Register now", "https://example.com/webinar", f"cta:{announcement}:1"),
        ("Agenda", "https://example.com/agenda?x=1&y=2", f"cta:{announcement}:2"),
    ]
    assert all(b["value"] for b in buttons)
    who = {"channel_id": acme.channel.id, "user_id": acme.user.id, "message_ts": post.ts}

    first = await world.events.block_actions(f"cta:{announcement}:1", buttons[0]["value"], **who)
    assert first.status == 200
    await world.wait_until(lambda: _count(world, 1), "the first click")
    again = await world.events.block_actions(f"cta:{announcement}:1", buttons[0]["value"], **who)
    assert again.status == 200
    await world.events.block_actions(f"cta:{announcement}:2", buttons[1]["value"], **who)
    await world.wait_until(lambda: _count(world, 3), "three clicks")

    recorded = await clicks(world)
    assert [(e.announcement_id, e.detail, e.user_id, e.proactive) for e in recorded] == [
        (announcement, "cta:1", acme.user.id, False),
        (announcement, "cta:1", acme.user.id, False),
        (announcement, "cta:2", acme.user.id, False),
    ]
    assert all(e.partner_id is not None and e.platform == "slack" for e in recorded)
    stats = (await world.admin(f"stats {announcement}"))[0]["text"]
    assert "Register now" in stats and "2 clicks" in stats and "1 click" in stats


async def test_a_forged_cta_press_on_another_message_counts_nothing(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("events",))
    announcement = await world.broadcast(f'topic:events {CTAS} title:"Webinar" Join us.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    who = {"channel_id": acme.channel.id, "user_id": acme.user.id, "message_ts": post.ts}
    # A CTA number the announcement does not have, and another announcement's id on this message.
    await world.events.block_actions(f"cta:{announcement}:3", "x", **who)
    await world.events.block_actions(f"cta:{announcement + 1}:1", "x", **who)
    await world.events.block_actions(f"cta:{announcement}:1", "x", **who)
    await world.wait_until(lambda: _count(world, 1), "the genuine click")
    assert len(await clicks(world)) == 1


async def _count(world: SlackWorld, n: int) -> bool:
    return len(await clicks(world)) >= n


async def test_the_broadcast_modal_takes_ctas_one_per_line(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("events",))
    view = await open_broadcast_modal(world, "Join our webinar")
    field = next(b for b in view["blocks"] if b["block_id"] == "bc_cta")
    assert field["optional"] is True and field["element"]["multiline"] is True
    values = {"bc_title": typed("Webinar"), "bc_body": typed("Join us."), "bc_topics": selected("events")}

    wrong = await world.events.view_submission(view["id"], {**values, "bc_cta": typed("Register now")})
    assert wrong.json()["response_action"] == "errors"
    assert "|" in wrong.json()["errors"]["bc_cta"] and "*" not in wrong.json()["errors"]["bc_cta"]

    lines = "Register now|https://example.com/webinar\n\nAgenda|https://example.com/agenda\n"
    submitted = await world.events.view_submission(view["id"], {**values, "bc_cta": typed(lines)})
    assert (submitted.status, submitted.body) == (200, "")
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[0]
    assert "Register now" in preview.text and "https://example.com/agenda" in preview.text
    await world.events.block_actions(
        "announcement_send",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=preview.ts,
    )
    await world.wait_for(lambda: "Sending announcement #1" in preview.text, "the send")
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    assert [b["text"]["text"] for b in cta_buttons(post)] == ["Register now", "Agenda"]


def test_a_digest_lists_the_ctas_as_mrkdwn_links() -> None:
    from adapters.slack.translate import digest_message
    from bot.domain.sending import CtaButton, DigestItem, DigestPost

    ctas = (
        CtaButton(1, "Q&A <live>", "https://example.com/a?x=1&y=2"),
        CtaButton(2, "Agenda", "https://example.com/b", link="https://pb.example.com/r/1.2.3.x"),
    )
    post = DigestPost(1, "Daily digest", (DigestItem(1, "Webinar", "Join us.", ("events",), ctas, 3),))
    message = digest_message(post, key="g1")
    texts = [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert (
        "🔗 <https://example.com/a?x=1&amp;y=2|Q&amp;A &lt;live&gt;> · <https://pb.example.com/r/1.2.3.x|Agenda>"
        in texts
    )


async def test_partnerbot_run_serves_the_redirect_on_the_slack_server(sqlite_url: str) -> None:
    """With PARTNERBOT_PUBLIC_URL and PARTNERBOT_SECRET_KEY, /r/ sits beside Slack's events and
    /dashboard/ on the one HTTP server; a token partnerbot did not sign is its 404 page."""
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_signing_secret="run-secret",
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            http_port=port,
            poll_seconds=0.05,
            public_url=f"http://127.0.0.1:{port}",
            secret_key="run-cta-key",
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            status, text = await get(f"http://127.0.0.1:{port}/r/1.1.1.AAAAAAAAAAAAAAAAAAAAAAAA")
            assert status == 404 and "This link is not valid" in text
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
