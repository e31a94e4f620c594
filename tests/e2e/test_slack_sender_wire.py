"""What the Slack Sender puts on the wire for a delivery, and how it reads the answers: the real
slack_sdk client over loopback, against the fake Slack and against a server answering broken JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web

from adapters.slack import translate
from adapters.slack.sender import OrjsonResponse, SlackSender, StaticToken
from bot.domain import AnnouncementPost, ChannelRef, Outgoing, Platform
from bot.ports import TransientSendError
from tests.fakes.slack import FakeSlack

POST = AnnouncementPost(
    delivery_id=41, announcement_id=7, title="Q3 prices", body="New **list prices** from 1 July.",
    topics=("pricing",), urgent=True,
)  # fmt: skip


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """`app` on a loopback port, for as long as the block runs; its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_delivery_posts_the_rendered_message_with_unfurling_and_parsing_off(slack: FakeSlack) -> None:
    ws = slack.add_workspace("T1")
    channel = slack.add_channel("T1", "partners")
    sender = SlackSender(StaticToken(ws.bot_token), base_url=slack.base_url)
    out = Outgoing(ChannelRef(Platform.SLACK, "T1", channel.id), POST)
    try:
        ref = await sender.post(out, idempotency_key="d41")
    finally:
        await sender.close()
    [posted] = channel.messages
    assert ref.message == posted.ts
    expected = translate.outgoing_message(out, key="d41")
    assert posted.text == expected["text"]
    assert posted.blocks == json.loads(json.dumps(expected["blocks"]))
    assert posted.metadata == expected["metadata"]
    [call] = [c for c in slack.requests if c.method == "chat.postMessage"]
    assert call.params["unfurl_links"] is False and call.params["unfurl_media"] is False
    assert call.params["parse"] == "none" and call.params["channel"] == channel.id


async def test_the_sessions_json_reader_decodes_like_the_standard_library() -> None:
    answers = {
        "/ok": '{"ok": true, "ts": "1.000100", "text": "caf\\u00e9 \\ud83d\\ude80"}',
        "/broken": '{"ok": tr',
    }

    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=answers[request.path], content_type="application/json")

    app = web.Application()
    app.router.add_get("/{name}", answer)
    async with serving(app) as base, aiohttp.ClientSession(response_class=OrjsonResponse) as session:
        async with session.get(f"{base}/ok") as res:
            assert await res.json() == json.loads(answers["/ok"])
        async with session.get(f"{base}/broken") as res:
            # slack_sdk catches the standard library's error for a body that is not JSON.
            with pytest.raises(json.JSONDecodeError):
                await res.json()


async def test_a_broken_json_answer_to_a_post_is_a_transient_error_that_may_have_posted() -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(text='{"ok": true, "ts": "1.0', content_type="application/json")

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", broken)
    async with serving(app) as base:
        sender = SlackSender(StaticToken("xoxb-1"), base_url=f"{base}/api/")
        out = Outgoing(ChannelRef(Platform.SLACK, "T1", "C1"), POST)
        try:
            with pytest.raises(TransientSendError) as raised:
                await sender.post(out, idempotency_key="d41")
            assert raised.value.maybe_posted  # Slack may have stored it: the next attempt looks first
        finally:
            await sender.close()
