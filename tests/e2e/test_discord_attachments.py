"""On Discord: "Broadcast to partners" on a message with attachments downloads them from the CDN,
lists them in the preview and posts them with the announcement, the image in its embed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.discord_world import DiscordWorld, discord_world
from tests.fakes.discord_rest import walk_components

PDF = b"%PDF-1.4\n" + b"partner pricing " * 100
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(128))


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path) -> AsyncIterator[DiscordWorld]:
    async with discord_world(
        sqlite_url, partners=("acme",), settings={"files_dir": str(tmp_path / "files")}
    ) as w:
        await w.add_topic("pricing", "Price lists")
        await w.link(w.partners["acme"], tier="gold")
        await w.subscribe(w.partners["acme"], "pricing")
        yield w


async def test_the_context_menu_takes_the_messages_attachments_along(world: DiscordWorld) -> None:
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id,
        "Q3 prices\nThe new lists are attached.",
        author_id=admin.user.id,
        files=[("prices.pdf", PDF, "application/pdf"), ("chart.png", PNG, "image/png")],
    )
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    assert (await fake.interaction_response(menu.id))["type"] == 9
    submit = fake.push_modal_submit(menu.id, {"topics": "pricing"})
    preview = (await fake.interaction_response(submit.id))["data"]
    assert "2 files attached" in preview["content"]
    assert "prices.pdf — 1.6 KB, application/pdf" in preview["content"]
    assert "chart.png — 136 bytes, image (image/png)" in preview["content"]
    message = fake.messages[submit.original_message_id or 0]
    send = next(
        c["custom_id"]
        for c in walk_components(message.components)
        if "announcement_send" in c.get("custom_id", "")
    )
    fake.push_component(message.id, send, user_id=admin.user.id)

    [post] = await world.wait_posts(world.partners["acme"].channel)
    assert [a["filename"] for a in post.attachments] == ["prices.pdf", "chart.png"]
    assert [fake.attachment_bytes[int(a["id"])] for a in post.attachments] == [PDF, PNG]
    assert post.embeds[0]["image"]["url"] == post.attachments[1]["url"]


async def test_an_attachment_that_cannot_be_downloaded_makes_no_draft(world: DiscordWorld) -> None:
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id, "Gone\nIts file is gone.", author_id=admin.user.id,
        files=[("gone.pdf", PDF, "application/pdf")],
    )  # fmt: skip
    fake.attachment_bytes.clear()  # the CDN no longer has it
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    await fake.interaction_response(menu.id)
    submit = fake.push_modal_submit(menu.id, {"topics": "pricing"})
    answer = (await fake.interaction_response(submit.id))["data"]
    content = answer.get("content") or (await world.followups(submit, 1))[0].content
    assert "gone.pdf could not be downloaded from Discord (HTTP 404)" in content
    assert await world.app.stores.announcements.get(1) is None
