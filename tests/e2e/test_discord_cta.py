"""Calls to action on Discord, through discord.py and the fake Discord.

Without PARTNERBOT_PUBLIC_URL a CTA is a normal button that answers the partner alone with the link
and counts the click. With it, a link button (which sends Discord nothing) leads through partnerbot's
signed redirect `/r/<token>`, which counts each click and answers 302 to the stored URL only; a
tampered or made-up token is a 404 and counts nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import redirect_app
from storage.tables import EngagementEventRow
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually
from tests.fakes.discord import Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64
PUBLIC_URL = "https://partnerbot.example.com"
CTAS = {"cta1": "Register now|https://example.com/webinar", "cta2": "Agenda|https://example.com/agenda"}


async def clicks(world: DiscordWorld) -> list[EngagementEventRow]:
    async with AsyncSession(world.app.engine) as session:
        query = select(EngagementEventRow).where(EngagementEventRow.kind == "link_clicked")
        return list(await session.exec(query.order_by(col(EngagementEventRow.id))))


async def deliver(world: DiscordWorld, **options: Any) -> tuple[int, Message]:
    await world.add_topic("events", "Events")
    await world.link(world.acme, tier="gold", region="emea")
    await world.subscribe(world.acme, "events")
    announcement = await world.broadcast("events", "Webinar", "Join us on Thursday.", **options)
    await world.send(announcement)
    (delivered,) = await world.wait_posts(world.acme.channel)
    await world.delivered(announcement, 1)
    return announcement, delivered


def buttons(message: Message) -> list[dict[str, Any]]:
    return [c for c in walk_components(message.components) if c.get("type") == 2]


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, partners=("acme",)) as w:
        yield w


async def test_a_cta_button_answers_privately_with_the_link_and_counts_each_press(
    world: DiscordWorld,
) -> None:
    announcement, delivered = await deliver(world, **CTAS)
    ctas = [b for b in buttons(delivered) if str(b.get("custom_id", "")).startswith("cta:")]
    assert [(b["label"], b["custom_id"]) for b in ctas] == [
        ("Register now", f"cta:{announcement}:1"),
        ("Agenda", f"cta:{announcement}:2"),
    ]
    user = world.acme.member.user.id
    for _ in range(2):
        pressed = world.fake.push_component(delivered.id, f"cta:{announcement}:1", user_id=user)
        answer = await world.answer(pressed)
        assert "https://example.com/webinar" in answer["data"]["content"]
        assert answer["data"]["flags"] & EPHEMERAL

    async def two() -> bool:
        return len(await clicks(world)) == 2

    await eventually(two)
    recorded = await clicks(world)
    assert {(e.announcement_id, e.detail, e.user_id, e.platform) for e in recorded} == {
        (announcement, "cta:1", str(user), "discord")
    }
    assert all(e.partner_id is not None for e in recorded)


async def test_a_bad_cta_option_is_refused_with_the_form_to_use(world: DiscordWorld) -> None:
    await world.add_topic("events", "Events")
    options = {"topics": "events", "title": "Webinar", "body": "Join us.", "cta1": "Register now"}
    answer = await world.slash(
        "partner-admin broadcast", options, channel=world.admin_channel, user=world.admin
    )
    assert "`|`" in answer["data"]["content"] and "Register now|https://" in answer["data"]["content"]


@pytest.fixture
async def linked_world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    settings = {"public_url": PUBLIC_URL, "secret_key": "cta-test-key"}
    async with discord_world(sqlite_url, partners=("acme",), settings=settings) as w:
        yield w


async def test_link_buttons_go_through_the_signed_redirect_counted_once_per_click(
    linked_world: DiscordWorld,
) -> None:
    world = linked_world
    announcement, delivered = await deliver(world, **CTAS)
    links = [b for b in buttons(delivered) if b.get("style") == 5]
    assert [b["label"] for b in links] == ["Register now", "Agenda"]
    assert all(b["url"].startswith(f"{PUBLIC_URL}/r/") and "custom_id" not in b for b in links)
    redirect = redirect_app(world.app)
    assert redirect is not None
    server = TestServer(_root(redirect), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:

            async def follow(path: str) -> aiohttp.ClientResponse:
                async with http.get(server.make_url(path), allow_redirects=False) as response:
                    await response.read()
                    return response

            path = links[0]["url"].removeprefix(PUBLIC_URL)
            for _ in range(2):
                response = await follow(path)
                assert response.status == 302
                assert response.headers["Location"] == "https://example.com/webinar"
                assert response.headers["Cache-Control"] == "no-store"
            second = await follow(links[1]["url"].removeprefix(PUBLIC_URL))
            assert second.headers["Location"] == "https://example.com/agenda"
            recorded = await clicks(world)
            assert [(e.announcement_id, e.detail, e.user_id) for e in recorded] == [
                (announcement, "cta:1", None),
                (announcement, "cta:1", None),
                (announcement, "cta:2", None),
            ]

            # Tampered: another CTA number, another announcement, a forged signature, junk.
            token = path.removeprefix("/r/")
            a, n, d, signature = token.split(".")
            for forged in (
                f"{a}.3.{d}.{signature}",
                f"{int(a) + 1}.{n}.{d}.{signature}",
                f"{a}.{n}.{d}.{'A' * len(signature)}",
                f"{a}.{n}.{int(d) + 1}.{signature}",
                "..%2F..%2Fevil.example.com",
                "x",
            ):
                response = await follow(f"/r/{forged}")
                assert response.status == 404, forged
                assert "Location" not in response.headers
            assert len(await clicks(world)) == 3
    finally:
        await server.close()


async def test_a_token_for_another_announcements_cta_leads_only_to_its_own_url(
    linked_world: DiscordWorld,
) -> None:
    """A genuine token names its announcement: it can only ever lead to that announcement's CTA."""
    world = linked_world
    _first, delivered = await deliver(world, **CTAS)
    second = await world.broadcast("events", "Other", "Another one.", cta1="Evil|https://evil.example.com")
    await world.send(second)
    await world.wait_posts(world.acme.channel, 2)
    token = buttons(delivered)[0]["url"].rsplit("/", 1)[1]
    _a, n, d, signature = token.split(".")
    assert await world.app.bot.cta_redirect(token) == "https://example.com/webinar"
    assert await world.app.bot.cta_redirect(f"{second}.{n}.{d}.{signature}") is None


def _root(redirect: Any) -> Any:
    from aiohttp import web

    from bot.app import mount_redirect

    root = web.Application()
    mount_redirect(root, redirect)
    return root


def test_a_digest_lists_the_ctas_as_markdown_links() -> None:
    from adapters.discord.translate import render_digest
    from bot.domain.sending import CtaButton, DigestItem, DigestPost

    ctas = (
        CtaButton(1, "Register [now]", "https://example.com/w(1)"),
        CtaButton(2, "Agenda", "https://example.com/a", link=f"{PUBLIC_URL}/r/1.2.3.x"),
    )
    post = DigestPost(1, "Daily digest", (DigestItem(1, "Webinar", "Join us.", ("events",), ctas, 3),))
    (part,) = render_digest(post)
    description = part.embeds[1].description or ""
    assert description.endswith(
        f"🔗 [Register \\[now\\]](https://example.com/w%281%29) · [Agenda]({PUBLIC_URL}/r/1.2.3.x)"
    )
