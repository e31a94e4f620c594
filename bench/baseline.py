"""The baseline the delivery benchmark compares partnerbot with: a plain script that posts the same
messages to the same channels with the same client libraries (slack_sdk's AsyncWebClient,
discord.py's HTTP client) and the same concurrency, and persists nothing.

    python bench/baseline.py SPEC.json      (bench/fanout.py writes the spec and runs this)

Each message is rendered once, as partnerbot renders an announcement, and reused. Discord posts
carry a nonce per message (unique per run) as partnerbot's do, and discord.py gets partnerbot's fix
for its quadratic bucket cleanup (adapters/discord/sender.py). Prints `posting` once set up, then
one JSON line: {"sent", "errors", "seconds", "cpu"} (CPU seconds this process spent posting).
With `attach` in the spec, every message carries that file: Slack's three-step upload and share
(files.getUploadURLExternal, the bytes, files.completeUploadExternal with the blocks), a multipart
message on Discord. With `raw` (`bench/fanout.py --baseline-raw`), no client library at all: the same
request bodies posted with aiohttp alone and encoded and decoded with orjson, which shows what the
client library itself costs per post (and so what going around it could save).
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
import orjson
from discord.http import handle_message_parameters
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.discord import translate as discord_translate
from adapters.discord.sender import amortise_bucket_cleanup
from adapters.discord.views import static_view
from adapters.slack import translate as slack_translate
from bot.domain import AnnouncementPost, ChannelRef, Outgoing, Platform


@dataclass(frozen=True, slots=True)
class Attach:
    """`--attach`: the file every message carries (read once)."""

    name: str
    media_type: str
    data: bytes

    @classmethod
    def of(cls, spec: dict[str, str]) -> Attach:
        return cls(spec["name"], spec["media_type"], Path(spec["path"]).read_bytes())


POST = AnnouncementPost(
    delivery_id=1, announcement_id=1, title="Benchmark", body="Hello partners", topics=("security",),
    urgent=False,
)  # fmt: skip


async def _slack_poster(spec: dict[str, Any], session: aiohttp.ClientSession, attach: Attach | None) -> Any:
    client = AsyncWebClient(token=spec["token"], base_url=spec["base_url"], session=session)
    # --workspaces: one client per workspace's token on the shared session; a 429 sleeps its
    # Retry-After inside the call and tries again (slack_sdk's own handler), as a plain script would.
    clients = {
        team: AsyncWebClient(
            token=token,
            base_url=spec["base_url"],
            session=session,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
        )
        for team, token in (spec.get("tokens") or {}).items()
    }
    out = Outgoing(ChannelRef(Platform.SLACK, "", ""), POST)
    message = slack_translate.outgoing_message(out, key="d1")

    async def post(channel: str, n: int, team: str = "") -> None:
        await clients.get(team, client).chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, parse="none", **message
        )

    async def share(channel: str, n: int, team: str = "") -> None:
        # What Slack documents for one file: an upload URL, the bytes, the share with the blocks.
        assert attach is not None
        ticket = await client.files_getUploadURLExternal(filename=attach.name, length=len(attach.data))
        form = aiohttp.FormData()
        form.add_field("filename", attach.data, filename=attach.name, content_type=attach.media_type)
        async with session.post(ticket["upload_url"], data=form) as answer:
            answer.raise_for_status()
        await client.files_completeUploadExternal(
            files=[{"id": ticket["file_id"], "title": attach.name}],
            channel_id=channel,
            blocks=json.dumps(message["blocks"]),
        )

    return share if attach is not None else post


async def _discord_poster(
    spec: dict[str, Any], stack: list[discord.Client], prefix: str, attach: Attach | None
) -> Any:
    base = spec["api_url"].rstrip("/") + "/api/v10"
    discord.http.Route.BASE = base
    client = discord.Client(intents=discord.Intents.none())
    # The same fix partnerbot applies: plain discord.py's bucket cleanup is quadratic in the number
    # of channels (about 3 times slower at 10,000), which would flatter partnerbot in the comparison.
    amortise_bucket_cleanup(client.http)
    stack.append(client)
    await client.login(spec["token"])
    [part] = discord_translate.render_outgoing(Outgoing(ChannelRef(Platform.DISCORD, "", ""), POST))
    view = static_view(part.components)

    async def post(channel: str, n: int, team: str = "") -> None:
        files = (
            [discord.File(io.BytesIO(attach.data), filename=attach.name)] if attach else discord.utils.MISSING
        )
        params = handle_message_parameters(
            embeds=list(part.embeds),
            view=view,
            nonce=f"{prefix}-{n}",
            allowed_mentions=discord.AllowedMentions.none(),
            files=files,
        )
        await client.http.send_message(int(channel), params=params)

    return post


def _raw_poster(spec: dict[str, Any], platform: str, session: aiohttp.ClientSession, prefix: str) -> Any:
    """`raw`: each post is one aiohttp request with the body the client library would send."""
    out = Outgoing(ChannelRef(Platform(platform), "", ""), POST)
    if platform == "slack":
        url = spec["base_url"].rstrip("/") + "/chat.postMessage"
        tokens: dict[str, str] = spec.get("tokens") or {}
        message = slack_translate.outgoing_message(out, key="d1")
        fixed = {"unfurl_links": False, "unfurl_media": False, "parse": "none", **message}

        async def post_slack(channel: str, n: int, team: str = "") -> None:
            token = tokens.get(team, spec["token"])
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"}
            body = orjson.dumps({"channel": channel, **fixed})
            async with session.post(url, data=body, headers=headers) as answer:
                if not orjson.loads(await answer.read()).get("ok"):
                    raise RuntimeError(f"chat.postMessage answered {answer.status}")

        return post_slack
    base = spec["api_url"].rstrip("/") + "/api/v10/channels/"
    headers = {"Authorization": f"Bot {spec['token']}", "Content-Type": "application/json"}
    [part] = discord_translate.render_outgoing(out)
    view, nobody = static_view(part.components), discord.AllowedMentions.none()
    payload = handle_message_parameters(embeds=list(part.embeds), view=view, allowed_mentions=nobody).payload

    async def post_discord(channel: str, n: int, team: str = "") -> None:
        body = orjson.dumps({**(payload or {}), "nonce": f"{prefix}-{n}", "enforce_nonce": True})
        async with session.post(f"{base}{channel}/messages", data=body, headers=headers) as answer:
            orjson.loads(await answer.read())
            if answer.status != 200:
                raise RuntimeError(f"create message answered {answer.status}")

    return post_discord


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    clients: list[discord.Client] = []
    async with aiohttp.ClientSession() as session:
        posters = {}
        attach = Attach.of(spec["attach"]) if spec.get("attach") else None
        if spec.get("raw"):
            for platform in ("slack", "discord"):
                if platform in spec:
                    # Nonces of their own: the round's client-library baseline at the same
                    # concurrency used `run`'s, and Discord answers a nonce it knows with that message.
                    posters[platform] = _raw_poster(spec[platform], platform, session, spec["run"] + "r")
        else:
            if "slack" in spec:
                posters["slack"] = await _slack_poster(spec["slack"], session, attach)
            if "discord" in spec:
                posters["discord"] = await _discord_poster(spec["discord"], clients, spec["run"], attach)
        slots = asyncio.Semaphore(spec["concurrency"])
        errors = 0

        async def one(n: int, platform: str, channel: str, workspace: str) -> None:
            nonlocal errors
            async with slots:
                try:
                    await posters[platform](channel, n, workspace)
                except Exception:  # counted, not retried: the baseline has no outbox
                    errors += 1

        print("posting", flush=True)  # set up: the bench starts watching the fakes' CPU now
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(n, p, c, w) for n, (p, c, w) in enumerate(spec["targets"])))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        for client in clients:
            await client.close()
    return {"sent": len(spec["targets"]) - errors, "errors": errors, "seconds": seconds, "cpu": cpu}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.loads(Path(sys.argv[1]).read_text())))), flush=True)
