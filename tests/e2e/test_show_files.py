""" "Show" under a search result posts the full announcement privately with its real link buttons and
its files (issue 18): an announcement with a PDF, a PNG and a call to action, sent to a Slack and a
Discord partner channel, then found and shown in each. The real slack-bolt and discord.py stacks
against the fakes, on loopback.

- Slack: URL buttons whose press counts on the channel's copy, the PNG as an image block at
  partnerbot's signed link (served beside /slack/events), the PDF named with the permalink of the
  channel's copy (an ephemeral message carries no files); no public URL: no image, the names.
- Discord: an ephemeral answer with the files attached (multipart) and link buttons through the
  copy's counted redirect; a file over the server's limit is named with a link to the copy; a file
  gone from storage is said to be gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.slack.translate import mrkdwn
from bot import messages as m
from bot.attachments import DISCORD_MESSAGE, human_size
from bot.i18n import number
from storage.tables import DeliveryRow
from tests.e2e.discord_world import eventually
from tests.e2e.test_attachments import FILES, PDF, PNG, World, two_platforms, wait_for
from tests.fakes.discord_gateway import walk_components
from tests.fakes.discord_rest import MessageFlag
from tests.fakes.slack import JSON, User

PUBLIC = "https://partnerbot.example.com"
PORTAL = "https://example.com/portal"


@asynccontextmanager
async def sent(sqlite_url: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[World]:
    """The two-platform world with announcement 1 (a PDF, a PNG, a "Portal" button) delivered to
    the Slack channel and the Discord channel."""
    async with two_platforms(sqlite_url, tmp_path / "files", **overrides) as w:
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        values = {
            "bc_title": {"value": {"type": "plain_text_input", "value": "Q3 prices"}},
            "bc_body": {"value": {"type": "plain_text_input", "value": "New Q3 prices, see the files."}},
            "bc_topics": {
                "value": {"type": "multi_static_select", "selected_options": [{"value": "pricing"}]}
            },
            "bc_cta": {"value": {"type": "plain_text_input", "value": f"Portal|{PORTAL}"}},
        }
        submitted = await w.events.view_submission(view["id"], values)
        assert (submitted.status, submitted.body) == (200, "")
        preview = await wait_for(
            lambda: next((p for p in w.slack_posts(w.admin_channel) if "announcement #" in p.text), None),
            "the preview",
        )
        await w.send(preview, 1)
        await wait_for(lambda: w.slack_posts(w.slack_channel), "the Slack delivery")
        await wait_for(lambda: w.discord_posts(), "the Discord delivery")

        # A copy is on the platform before the worker's group commit records it (and its message id,
        # which the permalink needs): Show is pressed only once both are recorded.
        async def recorded() -> bool:
            async with AsyncSession(w.app.engine) as session:
                rows = (await session.exec(select(DeliveryRow).where(DeliveryRow.announcement_id == 1))).all()
            return len(rows) == 2 and all(r.status == "sent" and r.message_id for r in rows)

        await eventually(recorded)
        yield w


async def press_ephemeral(w: World, action: JSON, user: User) -> str:
    """Press a button in an ephemeral message in the Slack partner channel (the payload Slack
    documents for one, which the fake's `block_actions` cannot build); the response_url given."""
    team, channel = w.vendor.team_id, w.slack_channel
    url = w.slack.issue_response_url(team, channel.id, user.id)
    payload = {
        "type": "block_actions",
        "token": w.slack.verification_token,
        "api_app_id": w.slack.app_id,
        "team": {"id": team, "domain": w.slack.workspaces[team].domain},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": team},
        "trigger_id": w.slack.issue_trigger(team, user.id),
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel.id,
                      "is_ephemeral": True},
        "channel": {"id": channel.id, "name": channel.name},
        "state": {"values": {}},
        "response_url": url,
        "actions": [{**action, "block_id": "b1", "type": "button", "action_ts": w.slack.next_ts()}],
    }  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)}).encode()
    answered = await w.events.post(body, "application/x-www-form-urlencoded", payload)
    assert answered.status == 200, answered
    return url


async def slack_show(w: World, user: User) -> JSON:
    url = await press_ephemeral(w, {"action_id": "news_show", "value": "1"}, user)
    return (await wait_for(lambda: w.slack.response_url_posts(url), "the shown announcement"))[0]


def blocks_of(shown: JSON, kind: str) -> list[JSON]:
    return [b for b in shown.get("blocks") or [] if b["type"] == kind]


async def clicks(w: World) -> int:
    return sum(c.clicks for c in await w.app.stores.ctas.clicks(1))


async def copy_of(w: World, platform: str) -> DeliveryRow:
    """The delivery of announcement 1 to the platform's partner channel."""
    async with AsyncSession(w.app.engine) as session:
        found = await session.exec(
            select(DeliveryRow).where(DeliveryRow.announcement_id == 1, DeliveryRow.platform == platform)
        )
        return found.one()


async def test_slack_shows_link_buttons_the_image_and_a_permalink_to_the_copy(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with sent(sqlite_url, tmp_path, public_url=PUBLIC, secret_key="show-key") as w:
        pat = w.slack.add_user(w.vendor.team_id, "pat")
        shown = await slack_show(w, pat)
        assert shown["response_type"] == "ephemeral" and "New Q3 prices, see the files." in str(shown)

        [actions] = blocks_of(shown, "actions")
        [button] = actions["elements"]
        assert (button["url"], button["text"]["text"]) == (PORTAL, "Portal")
        assert button["action_id"] == "news_show_link:1:1"

        [image] = blocks_of(shown, "image")
        assert image["image_url"].startswith(f"{PUBLIC}/f/1.") and image["alt_text"] == "screenshot.png"
        url = f"{w.web_url}{urlsplit(image['image_url']).path}"
        async with aiohttp.ClientSession() as http, http.get(url) as served:
            assert (served.status, served.content_type, await served.read()) == (200, "image/png", PNG)

        # The PDF: named, with a link to the copy this channel received, which carries it.
        [copy] = w.slack_posts(w.slack_channel)
        link = (
            f"https://{w.vendor.domain}.slack.com/archives/{w.slack_channel.id}/p{copy.ts.replace('.', '')}"
        )
        [note] = [e["text"] for b in blocks_of(shown, "context") for e in b["elements"]]
        assert note == (
            "📎 A private message can't carry files: open Price list Q3.pdf in "
            f"<{link}|the copy this channel received>."
        )
        assert w.slack.permalinks_asked == [(w.slack_channel.id, copy.ts)]
        assert w.slack.calls["chat.postMessage"] == 1  # the preview only: nothing public in the channel

        # Slack opens the page and reports the press: counted once, on the channel's copy.
        assert await clicks(w) == 0
        await press_ephemeral(w, {"action_id": button["action_id"]}, pat)
        await eventually(lambda: has_clicks(w, 1))
        assert (await copy_of(w, "slack")).message_id == copy.ts


async def has_clicks(w: World, expected: int) -> bool:
    return await clicks(w) == expected


async def test_slack_without_a_public_url_names_the_files_and_links_the_copy(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with sent(sqlite_url, tmp_path) as w:
        shown = await slack_show(w, w.slack.add_user(w.vendor.team_id, "pat"))
        assert blocks_of(shown, "image") == []
        [note] = [e["text"] for b in blocks_of(shown, "context") for e in b["elements"]]
        assert note.startswith(
            f"📎 A private message can't carry files: open the {number(2)} files "
            "Price list Q3.pdf, screenshot.png in <https://"
        )

        # The copy deleted in Slack since: no permalink, so the names and whom to ask.
        [copy] = w.slack_posts(w.slack_channel)
        bot = AsyncWebClient(token=w.vendor.bot_token, base_url=w.slack.base_url)
        await bot.chat_delete(channel=w.slack_channel.id, ts=copy.ts)
        again = await slack_show(w, w.slack.add_user(w.vendor.team_id, "sam"))
        [note] = [e["text"] for b in blocks_of(again, "context") for e in b["elements"]]
        assert note == mrkdwn(m.SHOW_FILES_NO_COPY(2, names="Price list Q3.pdf, screenshot.png"))


async def discord_show(w: World) -> tuple[JSON, Any]:
    """Gina searches on Discord and presses "Show": the callback and the message it made."""
    gina = w.discord.add_member(w.discord_channel.guild_id, "gina")
    asked = w.discord.push_slash_command(
        "partner news", {"search": "Q3"}, channel_id=w.discord_channel.id, user_id=gina.user.id
    )
    await w.discord.interaction_response(asked.id, 10)
    found = w.discord.messages[asked.original_message_id or 0]
    pressed = w.discord.push_component(found.id, "pb:news_show:1", user_id=gina.user.id)
    callback = await w.discord.interaction_response(pressed.id, 10)
    return callback, w.discord.messages[pressed.original_message_id or 0]


async def test_discord_attaches_the_files_with_link_buttons_through_the_copys_redirect(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with sent(sqlite_url, tmp_path, public_url=PUBLIC, secret_key="show-key") as w:
        callback, message = await discord_show(w)
        assert callback["type"] == 4 and callback["data"]["flags"] & MessageFlag.EPHEMERAL
        assert message.ephemeral and "New Q3 prices, see the files." in message.content
        assert [a["filename"] for a in message.attachments] == ["Price_list_Q3.pdf", "screenshot.png"]
        assert [w.discord.attachment_bytes[int(a["id"])] for a in message.attachments] == [PDF, PNG]

        copy = await copy_of(w, "discord")
        [button] = [c for c in walk_components(message.components) if c.get("type") == 2]
        assert (button["style"], button["label"]) == (5, "Portal") and "custom_id" not in button
        assert button["url"].startswith(f"{PUBLIC}/r/1.1.{copy.id}.")
        async with aiohttp.ClientSession() as http:
            path = urlsplit(button["url"]).path
            async with http.get(f"{w.web_url}{path}", allow_redirects=False) as followed:
                assert (followed.status, followed.headers["Location"]) == (302, PORTAL)
        assert await clicks(w) == 1


async def test_discord_names_a_file_over_the_limit_and_one_gone_from_storage(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with sent(sqlite_url, tmp_path) as w:
        w.discord.attachment_size_limit = len(PNG)  # a smaller server's limit: the PDF is over it
        w.app.files.path_of(hashlib.sha256(PNG).hexdigest()).unlink()  # removed by hand
        _, message = await discord_show(w)
        assert message.ephemeral and message.attachments == []
        [copy] = w.discord_posts()
        link = f"https://discord.com/channels/{w.discord_channel.guild_id}/{w.discord_channel.id}/{copy.id}"
        said = m.SHOW_NOT_ATTACHED_IN_COPY(
            1,
            names="Price list Q3.pdf",
            limit=human_size(len(PNG)),
            total=human_size(DISCORD_MESSAGE),
            link=link,
        )
        assert said in message.content
        assert m.SHOW_FILE_GONE.format(name="screenshot.png") in message.content
        # Without a public URL the button opens the page itself (nothing to count it with).
        [button] = [c for c in walk_components(message.components) if c.get("type") == 2]
        assert (button["style"], button["url"]) == (5, PORTAL)
