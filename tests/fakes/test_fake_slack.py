"""The fake Slack behaves as Slack documents, checked with slack_sdk's clients and signature verifier."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack import Channel, FakeSlack, Limit, ManualClock, RateLimits, User, Workspace
from tests.fakes.slack_events import SlackEventSender

SECRET = "test-signing-secret"
META = {"event_type": "partnerbot_delivery", "event_payload": {"delivery_id": "d-1"}}
BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*News*"}},
    {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            {"type": "button", "action_id": "helpful", "text": {"type": "plain_text", "text": "Helpful"}}
        ],
    },
]


@dataclass
class World:
    fake: FakeSlack
    clock: ManualClock
    ws: Workspace
    alice: User
    channel: Channel
    client: AsyncWebClient


@pytest.fixture
async def world() -> AsyncIterator[World]:
    clock = ManualClock()
    async with FakeSlack(clock=clock) as fake:
        ws = fake.add_workspace("T0VENDOR", name="Vendor")
        alice = fake.add_user(ws.team_id, "alice")
        channel = fake.add_channel(ws.team_id, "partners", members={alice.id})
        # No retry handlers: each test sees exactly what the fake answered.
        client = AsyncWebClient(token=ws.bot_token, base_url=fake.base_url, retry_handlers=[])
        yield World(fake, clock, ws, alice, channel, client)


async def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        await call
    return info.value


# ---- Web API -------------------------------------------------------------------------------------


async def test_post_update_delete_and_history_with_metadata(world: World) -> None:
    client, ch = world.client, world.channel
    first = await client.chat_postMessage(channel=ch.id, text="hello", blocks=BLOCKS, metadata=META)
    assert first["channel"] == ch.id
    assert first["message"]["metadata"] == META
    assert first["message"]["bot_id"] == world.ws.bot_id
    await client.chat_postMessage(channel=ch.id, text="in thread", thread_ts=first["ts"])
    second = await client.chat_postMessage(channel="#partners", text="second")  # names work too
    updated = await client.chat_update(channel=ch.id, ts=first["ts"], text="hello v2")
    assert updated["message"]["blocks"] == BLOCKS  # chat.update keeps blocks that are not resent

    history = await client.conversations_history(channel=ch.id)
    assert [m["text"] for m in history["messages"]] == ["second", "hello v2"]  # newest first, no replies
    assert "metadata" not in history["messages"][1]
    assert history["messages"][1]["reply_count"] == 1
    assert history["messages"][1]["edited"]["user"] == world.ws.bot_user_id
    with_meta = await client.conversations_history(channel=ch.id, include_all_metadata=True)
    assert with_meta["messages"][1]["metadata"] == META
    replies = await client.conversations_replies(channel=ch.id, ts=first["ts"])
    assert [m["text"] for m in replies["messages"]] == ["hello v2", "in thread"]

    assert (await client.chat_delete(channel=ch.id, ts=second["ts"]))["ts"] == second["ts"]
    history = await client.conversations_history(channel=ch.id)
    assert [m["text"] for m in history["messages"]] == ["hello v2"]
    assert [m.deleted for m in world.fake.messages(ch.id, include_deleted=True)] == [False, False, True]
    assert world.fake.calls["chat.postMessage"] == 3
    assert world.fake.requests[0].team_id == world.ws.team_id


async def test_history_pages_with_cursor_and_oldest(world: World) -> None:
    posted = [
        (await world.client.chat_postMessage(channel=world.channel.id, text=str(i)))["ts"] for i in range(5)
    ]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await world.client.conversations_history(channel=world.channel.id, limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        if not page["has_more"]:
            break
        cursor = page["response_metadata"]["next_cursor"]
    assert seen == ["4", "3", "2", "1", "0"]
    newer = await world.client.conversations_history(channel=world.channel.id, oldest=posted[2])
    assert [m["text"] for m in newer["messages"]] == ["4", "3"]


async def test_form_encoded_bodies_and_token_field(world: World) -> None:
    form = {
        "token": world.ws.bot_token,
        "channel": world.channel.id,
        "text": "x",
        "blocks": json.dumps(BLOCKS),
    }
    async with aiohttp.ClientSession() as http:
        async with http.post(world.fake.base_url + "chat.postMessage", data=form) as resp:
            assert (await resp.json())["message"]["blocks"] == BLOCKS
        # A JSON body cannot carry the token: https://docs.slack.dev/apis/web-api/#authentication
        async with http.post(world.fake.base_url + "chat.postMessage", json=form) as resp:
            assert (await resp.json()) == {"ok": False, "error": "not_authed"}


async def test_documented_errors(world: World) -> None:
    fake, ws = world.fake, world.ws
    archived = fake.add_channel(ws.team_id, "old", is_archived=True)
    outside = fake.add_channel(ws.team_id, "elsewhere", bot_member=False)
    cases = {"C0NOPE": "channel_not_found", archived.id: "is_archived", outside.id: "not_in_channel"}
    for channel, error in cases.items():
        assert (await api_error(world.client.chat_postMessage(channel=channel, text="x"))).response[
            "error"
        ] == error
    user_msg = fake.user_message(world.channel.id, world.alice.id, "mine")
    err = await api_error(world.client.chat_update(channel=world.channel.id, ts=user_msg.ts, text="edit"))
    assert err.response["error"] == "cant_update_message"
    stranger = AsyncWebClient(token="xoxb-unknown", base_url=fake.base_url, retry_handlers=[])
    assert (await api_error(stranger.auth_test())).response["error"] == "invalid_auth"
    fake.deactivate(ws.team_id)
    err = await api_error(world.client.chat_postMessage(channel=world.channel.id, text="x"))
    assert err.response["error"] == "account_inactive"
    assert fake.messages(world.channel.id) == [user_msg]


async def test_public_channels_need_chat_write_public_to_post_without_joining(world: World) -> None:
    outside = world.fake.add_channel(world.ws.team_id, "announcements", bot_member=False)
    world.ws.scopes.add("chat:write.public")
    assert (await world.client.chat_postMessage(channel=outside.id, text="hi"))["ok"]


async def test_per_channel_limit_answers_429_with_retry_after(world: World) -> None:
    world.fake.rate_limits.enabled = True
    other = world.fake.add_channel(world.ws.team_id, "other")
    for _ in range(3):  # the default burst
        await world.client.chat_postMessage(channel=world.channel.id, text="burst")
    err = await api_error(world.client.chat_postMessage(channel=world.channel.id, text="one too many"))
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "1"
    assert err.response.data == {"ok": False, "error": "ratelimited"}
    assert (await world.client.chat_postMessage(channel=other.id, text="other channel"))["ok"]
    world.clock.advance(1.0)
    assert (await world.client.chat_postMessage(channel=world.channel.id, text="later"))["ok"]
    assert [m.text for m in world.fake.messages(world.channel.id)] == ["burst"] * 3 + ["later"]


async def test_workspace_wide_post_limit(world: World) -> None:
    world.fake.rate_limits = RateLimits(enabled=True, workspace_post=Limit(per_second=0.5, burst=2))
    channels = [world.fake.add_channel(world.ws.team_id, f"c{i}") for i in range(3)]
    for ch in channels[:2]:
        await world.client.chat_postMessage(channel=ch.id, text="x")
    err = await api_error(world.client.chat_postMessage(channel=channels[2].id, text="x"))
    assert (err.response.status_code, err.response.headers["Retry-After"]) == (429, "2")


async def test_non_marketplace_history_is_one_call_a_minute_and_15_rows(world: World) -> None:
    for i in range(20):
        world.fake.user_message(world.channel.id, world.alice.id, str(i))
    world.fake.rate_limits = RateLimits(enabled=True, non_marketplace=True)
    page = await world.client.conversations_history(channel=world.channel.id, limit=100)
    assert (len(page["messages"]), page["has_more"]) == (15, True)
    err = await api_error(world.client.conversations_history(channel=world.channel.id))
    assert (err.response.status_code, err.response.headers["Retry-After"]) == (429, "60")
    world.clock.advance(60)
    assert (await world.client.conversations_history(channel=world.channel.id))["ok"]


async def test_ratelimit_storm(world: World) -> None:
    world.fake.ratelimit_next("chat.postMessage", 2, retry_after=7)
    assert world.fake.faults_left("chat.postMessage") == 2 and world.fake.faults_left("chat.update") == 0
    for _ in range(2):
        err = await api_error(world.client.chat_postMessage(channel=world.channel.id, text="x"))
        assert (err.response.status_code, err.response.headers["Retry-After"]) == (429, "7")
    assert world.fake.messages(world.channel.id) == [] and world.fake.faults_left("chat.postMessage") == 0
    assert (await world.client.chat_postMessage(channel=world.channel.id, text="x"))["ok"]


async def test_fail_next_status_and_error(world: World) -> None:
    world.fake.fail_next("chat.postMessage", status=503)
    world.fake.fail_next("chat.postMessage", error="internal_error")
    assert (
        await api_error(world.client.chat_postMessage(channel=world.channel.id, text="x"))
    ).response.status_code == 503
    err = await api_error(world.client.chat_postMessage(channel=world.channel.id, text="x"))
    assert err.response.data == {"ok": False, "error": "internal_error"}
    assert world.fake.messages(world.channel.id) == []
    assert (await world.client.chat_postMessage(channel=world.channel.id, text="x"))["ok"]


async def test_drop_and_drop_after_commit(world: World) -> None:
    world.fake.fail_next("chat.postMessage", kind="drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await world.client.chat_postMessage(channel=world.channel.id, text="lost")
    assert world.fake.messages(world.channel.id) == []
    world.fake.fail_next("chat.postMessage", kind="drop_after_commit")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await world.client.chat_postMessage(channel=world.channel.id, text="ambiguous")
    assert [m.text for m in world.fake.messages(world.channel.id)] == ["ambiguous"]


async def test_sdk_connection_retry_posts_twice_after_an_ambiguous_drop(world: World) -> None:
    """slack_sdk's default handler retries a dropped connection, so a drop after Slack stored the message
    yields a duplicate: the adapter has to guard against this itself."""
    retry = AsyncConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = AsyncWebClient(token=world.ws.bot_token, base_url=world.fake.base_url, retry_handlers=[retry])
    world.fake.fail_next("chat.postMessage", kind="drop_after_commit")
    assert (await client.chat_postMessage(channel=world.channel.id, text="once?"))["ok"]
    assert [m.text for m in world.fake.messages(world.channel.id)] == ["once?", "once?"]


async def test_timeouts(world: World) -> None:
    slow = AsyncWebClient(
        token=world.ws.bot_token, base_url=world.fake.base_url, timeout=1, retry_handlers=[]
    )
    world.fake.fail_next("chat.postMessage", kind="timeout")
    with pytest.raises(asyncio.TimeoutError):
        await slow.chat_postMessage(channel=world.channel.id, text="never")
    world.fake.fail_next("chat.postMessage", kind="timeout_after_commit")
    body = {"channel": world.channel.id, "text": "stored anyway"}
    headers = {"Authorization": f"Bearer {world.ws.bot_token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as http:
        with pytest.raises(asyncio.TimeoutError):
            await http.post(world.fake.base_url + "chat.postMessage", json=body, headers=headers)
    assert [m.text for m in world.fake.messages(world.channel.id)] == ["stored anyway"]


async def test_response_url_accepts_five_posts_within_30_minutes(world: World) -> None:
    fake, ch = world.fake, world.channel
    url = fake.issue_response_url(world.ws.team_id, ch.id, world.alice.id)
    hook = AsyncWebhookClient(url)
    for i in range(5):
        assert (await hook.send(text=f"update {i}")).status_code == 200
    sixth = await hook.send(text="one more")
    assert (sixth.status_code, json.loads(sixth.body)["error"]) == (404, "used_url")
    assert len(fake.response_url_posts(url)) == 5
    assert [e.text for e in fake.ephemerals] == [f"update {i}" for i in range(5)]

    late = AsyncWebhookClient(fake.issue_response_url(world.ws.team_id, ch.id, world.alice.id))
    world.clock.advance(30 * 60 + 1)
    assert json.loads((await late.send(text="too late")).body)["error"] == "expired_url"
    shared = AsyncWebhookClient(fake.issue_response_url(world.ws.team_id, ch.id, world.alice.id))
    await shared.send(text="for everyone", response_type="in_channel")
    assert [m.text for m in fake.messages(ch.id)] == ["for everyone"]

    # Blocks are checked as for chat.postMessage: an image block needs its alt_text.
    checked = fake.issue_response_url(world.ws.team_id, ch.id, world.alice.id)
    bad = await AsyncWebhookClient(checked).send(
        text="picture", blocks=[{"type": "image", "image_url": "https://example.com/a.png"}]
    )
    assert (bad.status_code, bad.body) == (400, "invalid_blocks") and fake.response_url_posts(checked) == []


async def test_get_permalink_links_a_message_until_it_is_deleted(world: World) -> None:
    client, ch = world.client, world.channel
    posted = await client.chat_postMessage(channel=ch.id, text="hello")
    found = await client.chat_getPermalink(channel=ch.id, message_ts=posted["ts"])
    domain = world.ws.domain
    assert (
        found["permalink"] == f"https://{domain}.slack.com/archives/{ch.id}/p{posted['ts'].replace('.', '')}"
    )
    assert world.fake.permalinks_asked == [(ch.id, posted["ts"])]
    await client.chat_delete(channel=ch.id, ts=posted["ts"])
    gone = await api_error(client.chat_getPermalink(channel=ch.id, message_ts=posted["ts"]))
    assert gone.response["error"] == "message_not_found"


async def test_views_need_a_fresh_unused_trigger(world: World) -> None:
    fake, modal = (
        world.fake,
        {"type": "modal", "callback_id": "ask", "title": {"type": "plain_text", "text": "Q"}},
    )
    trigger = fake.issue_trigger(world.ws.team_id, world.alice.id)
    opened = (await world.client.views_open(trigger_id=trigger, view=modal))["view"]
    assert (opened["callback_id"], fake.views[opened["id"]].user_id) == ("ask", world.alice.id)
    assert (await api_error(world.client.views_open(trigger_id=trigger, view=modal))).response["error"] == (
        "exchanged_trigger_id"
    )
    late = fake.issue_trigger(world.ws.team_id, world.alice.id)
    world.clock.advance(3.5)
    assert (await api_error(world.client.views_open(trigger_id=late, view=modal))).response["error"] == (
        "expired_trigger_id"
    )
    updated = await world.client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"])
    err = await api_error(world.client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"]))
    assert (updated["view"]["id"], err.response["error"]) == (opened["id"], "hash_conflict")
    home = await world.client.views_publish(user_id=world.alice.id, view={"type": "home", "blocks": []})
    assert fake.home_views[world.alice.id]["id"] == home["view"]["id"]


async def test_oauth_install(world: World) -> None:
    fake = world.fake
    anon = AsyncWebClient(base_url=fake.base_url, retry_handlers=[])
    redirect = "http://127.0.0.1:9/slack/oauth_redirect"
    async with aiohttp.ClientSession() as http:
        query = {
            "client_id": fake.client_id,
            "scope": "chat:write,commands",
            "state": "s1",
            "redirect_uri": redirect,
        }
        async with http.get(fake.authorize_url, params=query, allow_redirects=False) as resp:
            location = urlsplit(resp.headers["Location"])
    code = parse_qs(location.query)["code"][0]
    assert parse_qs(location.query)["state"] == ["s1"]
    err = await api_error(anon.oauth_v2_access(client_id=fake.client_id, client_secret="wrong", code=code))
    assert err.response["error"] == "bad_client_secret"
    granted = await anon.oauth_v2_access(
        client_id=fake.client_id, client_secret=fake.client_secret, code=code
    )
    assert (granted["token_type"], granted["team"]["id"], granted["app_id"]) == (
        "bot",
        fake.authorize_team_id,
        fake.app_id,
    )
    assert {"bot_user_id", "scope", "authed_user"} <= set(granted.data)
    who = await AsyncWebClient(token=granted["access_token"], base_url=fake.base_url).auth_test()
    assert (who["user_id"], who["bot_id"]) == (
        granted["bot_user_id"],
        fake.workspaces[fake.authorize_team_id].bot_id,
    )
    again = await api_error(
        anon.oauth_v2_access(client_id=fake.client_id, client_secret=fake.client_secret, code=code)
    )
    assert again.response["error"] == "code_already_used"


async def test_read_methods_and_reactions(world: World) -> None:
    fake, client, ch = world.fake, world.client, world.channel
    group = fake.add_usergroup(world.ws.team_id, [world.alice.id])
    assert (await client.users_info(user=world.alice.id))["user"]["name"] == "alice"
    assert (await client.usergroups_users_list(usergroup=group))["users"] == [world.alice.id]
    assert (await client.team_info())["team"]["id"] == world.ws.team_id
    info = (await client.conversations_info(channel=ch.id))["channel"]
    assert (info["name"], info["is_member"], info["is_archived"]) == ("partners", True, False)
    msg = fake.user_message(ch.id, world.alice.id, "thanks")
    assert (await client.reactions_add(channel=ch.id, name="eyes", timestamp=msg.ts))["ok"]
    err = await api_error(client.reactions_add(channel=ch.id, name="eyes", timestamp=msg.ts))
    assert (err.response["error"], msg.reactions) == ("already_reacted", {"eyes": [world.ws.bot_user_id]})
    eph = await client.chat_postEphemeral(channel=ch.id, user=world.alice.id, text="just you")
    assert fake.ephemerals[0].message_ts == eph["message_ts"]
    stranger = fake.add_user(world.ws.team_id, "bob")
    err = await api_error(client.chat_postEphemeral(channel=ch.id, user=stranger.id, text="x"))
    assert err.response["error"] == "user_not_in_channel"


# ---- inbound: signed requests to a bot ---------------------------------------------------------------


@dataclass
class Receiver:
    """A stand-in for the bot's /slack/events that checks signatures with slack_sdk's verifier."""

    verifier: SignatureVerifier = field(default_factory=lambda: SignatureVerifier(SECRET))
    bodies: list[bytes] = field(default_factory=list)
    delay: float = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = request.headers
        valid = self.verifier.is_valid(
            body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
        )
        if not valid:
            return web.Response(status=401)
        self.bodies.append(body)
        await asyncio.sleep(self.delay)
        if (
            request.content_type == "application/json"
            and (data := json.loads(body))["type"] == "url_verification"
        ):
            return web.json_response({"challenge": data["challenge"]})
        return web.Response()

    def last_form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.bodies[-1].decode()).items()}

    def last_interaction(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.last_form()["payload"])
        return payload

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(b) for b in self.bodies if b.startswith(b"{")]


@pytest.fixture
async def bot(world: World) -> AsyncIterator[tuple[Receiver, SlackEventSender]]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/slack/events", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with SlackEventSender(world.fake, url, SECRET) as sender:
        yield receiver, sender
    await runner.cleanup()


async def test_slash_command_is_signed_and_form_encoded(
    world: World, bot: tuple[Receiver, SlackEventSender]
) -> None:
    receiver, sender = bot
    resp = await sender.slash_command(
        "/partner", "topics", channel_id=world.channel.id, user_id=world.alice.id
    )
    assert resp.status == 200
    form = receiver.last_form()
    assert (form["command"], form["text"], form["team_id"], form["is_enterprise_install"]) == (
        "/partner", "topics", world.ws.team_id, "false",
    )  # fmt: skip
    assert form["response_url"].startswith(world.fake.origin) and form["trigger_id"] and form["api_app_id"]
    hook = AsyncWebhookClient(form["response_url"])
    assert (await hook.send(text="ack")).status_code == 200
    trigger = form["trigger_id"]
    assert (await world.client.views_open(trigger_id=trigger, view={"type": "modal", "blocks": []}))["ok"]


async def test_forged_and_stale_requests_fail_verification(
    world: World, bot: tuple[Receiver, SlackEventSender]
) -> None:
    receiver, sender = bot
    ch, user = world.channel.id, world.alice.id
    forged = await sender.slash_command("/partner", "x", channel_id=ch, user_id=user, forge_signature=True)
    stale = await sender.slash_command("/partner", "x", channel_id=ch, user_id=user, stale_timestamp=True)
    assert (forged.status, stale.status) == (401, 401)
    assert receiver.bodies == []
    assert (await sender.url_verification("abc")).json() == {"challenge": "abc"}


async def test_events_carry_the_envelope_and_update_the_fake(
    world: World, bot: tuple[Receiver, SlackEventSender]
) -> None:
    receiver, sender = bot
    post = await world.client.chat_postMessage(channel=world.channel.id, text="announcement")
    await sender.message(world.channel.id, world.alice.id, "a question", thread_ts=post["ts"])
    envelope = receiver.events()[-1]
    assert (envelope["type"], envelope["team_id"], envelope["api_app_id"]) == (
        "event_callback",
        world.ws.team_id,
        world.fake.app_id,
    )
    assert envelope["event_id"].startswith("Ev") and isinstance(envelope["event_time"], int)
    assert envelope["authorizations"][0]["user_id"] == world.ws.bot_user_id
    event = envelope["event"]
    assert (event["thread_ts"], event["parent_user_id"], event["text"]) == (
        post["ts"],
        world.ws.bot_user_id,
        "a question",
    )
    assert world.fake.messages(world.channel.id)[-1].thread_ts == post["ts"]

    await sender.app_mention(world.channel.id, world.alice.id, "subscribe news")
    assert [e["event"]["type"] for e in receiver.events()[-2:]] == ["message", "app_mention"]
    assert receiver.events()[-1]["event"]["text"] == f"<@{world.ws.bot_user_id}> subscribe news"

    await sender.reaction_added(world.channel.id, post["ts"], world.alice.id, "thumbsup")
    event = receiver.events()[-1]["event"]
    assert (event["item"], event["item_user"]) == (
        {"type": "message", "channel": world.channel.id, "ts": post["ts"]},
        world.ws.bot_user_id,
    )
    await sender.reaction_removed(world.channel.id, post["ts"], world.alice.id, "thumbsup")
    assert receiver.events()[-1]["event"]["type"] == "reaction_removed"
    assert world.fake.messages(world.channel.id)[0].reactions == {"thumbsup": []}

    await sender.tokens_revoked(world.ws.team_id)
    await sender.app_uninstalled(world.ws.team_id)
    assert [e["event"]["type"] for e in receiver.events()[-2:]] == ["tokens_revoked", "app_uninstalled"]
    assert (await api_error(world.client.auth_test())).response["error"] == "account_inactive"


async def test_interactions_are_payload_forms(world: World, bot: tuple[Receiver, SlackEventSender]) -> None:
    receiver, sender = bot
    post = await world.client.chat_postMessage(channel=world.channel.id, text="news", blocks=BLOCKS)
    await sender.block_actions(
        "helpful", "d-1", channel_id=world.channel.id, message_ts=post["ts"], user_id=world.alice.id
    )
    payload = receiver.last_interaction()
    assert (payload["type"], payload["actions"][0]["block_id"], payload["container"]["message_ts"]) == (
        "block_actions", "feedback", post["ts"],
    )  # fmt: skip
    await AsyncWebhookClient(payload["response_url"]).send(text="thanks!", replace_original=True)
    assert world.fake.messages(world.channel.id)[0].text == "thanks!"

    await sender.message_shortcut(
        "broadcast", channel_id=world.channel.id, message_ts=post["ts"], user_id=world.alice.id
    )
    shortcut = receiver.last_interaction()
    assert (shortcut["type"], shortcut["callback_id"], shortcut["message"]["ts"]) == (
        "message_action",
        "broadcast",
        post["ts"],
    )
    view = (
        await world.client.views_open(
            trigger_id=shortcut["trigger_id"], view={"type": "modal", "callback_id": "b"}
        )
    )["view"]
    values = {"title": {"title": {"type": "plain_text_input", "value": "Hello"}}}
    await sender.view_submission(view["id"], values)
    submitted = receiver.last_interaction()
    assert (submitted["type"], submitted["view"]["id"], submitted["view"]["state"]["values"]) == (
        "view_submission",
        view["id"],
        values,
    )
    assert submitted["user"]["id"] == world.alice.id


async def test_slow_ack_is_a_timeout(world: World, bot: tuple[Receiver, SlackEventSender]) -> None:
    receiver, sender = bot
    receiver.delay, sender.ack_timeout = 0.3, 0.05
    resp = await sender.event({"type": "app_home_opened", "user": world.alice.id}, team_id=world.ws.team_id)
    assert resp.timed_out


# --- Socket Mode -------------------------------------------------------------------------------------


async def test_socket_mode_needs_an_app_token_and_gives_single_use_urls(world: World) -> None:
    sm = world.fake.socket_mode
    app_token = sm.add_app_token()
    with pytest.raises(SlackApiError) as bot_token:
        await world.client.apps_connections_open(app_token=world.ws.bot_token)
    assert bot_token.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        await world.client.apps_connections_open(app_token="xapp-1-A0-unknown")
    assert unknown.value.response["error"] == "invalid_auth"
    url = (await world.client.apps_connections_open(app_token=app_token))["url"]
    assert url.startswith("ws://127.0.0.1:")
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(url) as ws:
            hello = await ws.receive_json()
            assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": world.fake.app_id}
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await http.ws_connect(url)  # used already


async def test_socket_mode_envelopes_acks_and_redelivery_after_a_disconnect(world: World) -> None:
    """slack_sdk's own Socket Mode client: it acknowledges, reconnects with a fresh URL after a
    `disconnect`, and gets the events whose acks were lost again, marked as retries."""
    from slack_sdk.socket_mode.aiohttp import SocketModeClient
    from slack_sdk.socket_mode.request import SocketModeRequest
    from slack_sdk.socket_mode.response import SocketModeResponse

    sm = world.fake.socket_mode
    seen: list[tuple[str, int | None]] = []

    async def listener(client: Any, req: SocketModeRequest) -> None:
        seen.append((req.payload.get("event_id", req.type), req.retry_attempt))
        answer = {"ok": 1} if req.accepts_response_payload else None
        await client.send_socket_mode_response(SocketModeResponse(req.envelope_id, answer))

    client = SocketModeClient(app_token=sm.add_app_token(), web_client=world.client)
    client.socket_mode_request_listeners.append(listener)
    try:
        await client.connect()
        await sm.wait_connected()
        first = await sm.send("events_api", {"type": "event_callback", "event_id": "Ev1"})
        async with asyncio.timeout(5):
            await first.acked.wait()
        assert first.response is None and not first.accepts_response_payload  # events take none back
        sm.drop_acks = 1
        lost = await sm.send("events_api", {"type": "event_callback", "event_id": "Ev2"})
        command = await sm.send("slash_commands", {"command": "/partner", "text": "help"})
        async with asyncio.timeout(5):
            await lost.answered.wait()
            await command.acked.wait()
        assert command.response == {"ok": 1} and not lost.acked.is_set()
        await sm.disconnect("refresh_requested")
        await sm.wait_connected(count=2)
        async with asyncio.timeout(5):
            while sm.pending():
                await asyncio.sleep(0.01)
        assert seen == [("Ev1", 0), ("Ev2", 0), ("slash_commands", 0), ("Ev2", 1)]
        assert len(set(sm.opened)) == len(sm.opened) >= 2  # a fresh URL for each connection
    finally:
        await client.close()
