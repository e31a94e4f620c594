"""On Discord: "Broadcast to partners" on a message with attachments downloads them from the CDN,
lists them in the preview and posts them with the announcement, the image in its embed."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.discord.handlers import DiscordOptions
from tests.e2e.discord_world import OPTIONS, DiscordWorld, discord_world
from tests.fakes.discord_rest import walk_components

PDF = b"%PDF-1.4\n" + b"partner pricing " * 100
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(128))


@pytest.fixture
def options() -> DiscordOptions:
    return OPTIONS


@pytest.fixture
async def world(sqlite_url: str, tmp_path: Path, options: DiscordOptions) -> AsyncIterator[DiscordWorld]:
    async with discord_world(
        sqlite_url, options=options, partners=("acme",), settings={"files_dir": str(tmp_path / "files")}
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
    # The preview shows the image as partners will see it: uploaded with it, in its embed.
    [thumbnail] = message.attachments
    assert thumbnail["filename"] == "chart.png"
    assert fake.attachment_bytes[int(thumbnail["id"])] == PNG
    assert message.embeds[0]["image"]["url"] == thumbnail["url"]
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


async def _preview_of(world: DiscordWorld, files: list[tuple[str, bytes, str]]) -> tuple[str, int]:
    """A context-menu broadcast of a message with `files`: the preview's text and message id."""
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id, "Screens\nSee the screenshots.", author_id=admin.user.id, files=files
    )
    menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
    await fake.interaction_response(menu.id)
    submit = fake.push_modal_submit(menu.id, {"topics": "pricing"})
    await fake.interaction_response(submit.id)
    message = fake.messages[submit.original_message_id or 0]
    return message.content, message.id


async def test_the_preview_shows_the_first_image_and_lists_the_others(world: DiscordWorld) -> None:
    gif = b"GIF89a" + bytes(64)
    content, message_id = await _preview_of(
        world,
        [("notes.pdf", PDF, "application/pdf"), ("a b.png", PNG, "image/png"), ("c.gif", gif, "image/gif")],
    )
    message = world.fake.messages[message_id]
    assert [a["filename"] for a in message.attachments] == ["a_b.png"]
    assert message.embeds[0]["image"]["url"] == message.attachments[0]["url"]
    assert "3 files attached" in content
    assert "a_b.png — 136 bytes, image (image/png)" in content
    assert "c.gif — 70 bytes, image (image/gif)" in content
    assert "No thumbnail" not in content


async def test_a_draft_without_an_image_uploads_nothing_with_its_preview(world: DiscordWorld) -> None:
    content, message_id = await _preview_of(world, [("prices.pdf", PDF, "application/pdf")])
    message = world.fake.messages[message_id]
    assert message.attachments == [] and "image" not in message.embeds[0]
    assert "prices.pdf — 1.6 KB, application/pdf" in content


@pytest.mark.parametrize("options", [replace(OPTIONS, max_file=100)])
async def test_an_image_over_discords_limit_gets_no_thumbnail_and_the_preview_says_why(
    world: DiscordWorld,
) -> None:
    content, message_id = await _preview_of(world, [("chart.png", PNG, "image/png")])
    message = world.fake.messages[message_id]
    assert message.attachments == [] and "image" not in message.embeds[0]
    assert "No thumbnail: chart.png is 136 bytes, over Discord's 100 bytes per file." in content


async def test_an_image_gone_from_the_file_store_gets_no_thumbnail(
    world: DiscordWorld, tmp_path: Path
) -> None:
    fake, admin = world.fake, world.admin
    source = fake.push_message(
        world.admin_channel.id, "Chart\nSee it.", author_id=admin.user.id,
        files=[("chart.png", PNG, "image/png")],
    )  # fmt: skip
    store = world.app.files
    original = store.read

    async def gone(*, sha256: str) -> bytes:
        raise OSError("disk gone")

    store.read = gone  # type: ignore[method-assign]
    try:
        menu = fake.push_message_command("Broadcast to partners", source.id, user_id=admin.user.id)
        await fake.interaction_response(menu.id)
        submit = fake.push_modal_submit(menu.id, {"topics": "pricing"})
        await fake.interaction_response(submit.id)
    finally:
        store.read = original  # type: ignore[method-assign]
    message = fake.messages[submit.original_message_id or 0]
    assert message.attachments == []
    assert "No thumbnail: chart.png can't be read from partnerbot's file store." in message.content


async def test_picking_an_audience_under_the_preview_keeps_the_files_and_translations(
    world: DiscordWorld,
) -> None:
    """The select makes a new draft (the core has no "edit draft"): it carries the old one's files and
    its variants as they were — a machine draft stays a machine draft, never sent unreviewed."""
    _, message_id = await _preview_of(
        world, [("prices.pdf", PDF, "application/pdf"), ("chart.png", PNG, "image/png")]
    )
    message = world.fake.messages[message_id]
    first = int(
        next(
            c["custom_id"]
            for c in walk_components(message.components)
            if "announcement_send" in c.get("custom_id", "")
        ).rsplit(":", 1)[1]
    )
    variants = world.app.stores.variants
    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert await variants.save(first, language="de", title="Bilder", body="Siehe Anhang.", now=now)
    assert await variants.save(first, language="fr", title="Images", body="Voir.", now=now, machine=True)

    narrowed = world.fake.push_component(
        message.id, f"pbx:audience:{first}", user_id=world.admin.user.id, values=["tier:gold"]
    )
    assert (await world.fake.interaction_response(narrowed.id))["type"] == 6
    await world.fake.wait_for(lambda: f"Replaces draft #{first}" in world.fake.messages[message_id].content)
    new = await world.app.stores.announcements.get(first + 1)
    assert new is not None and new.status.value == "draft"
    assert [(f.name, f.size) for f in new.files] == [("prices.pdf", len(PDF)), ("chart.png", len(PNG))]
    assert {(v.language, v.title, v.machine) for v in new.variants} == {
        ("de", "Bilder", False),
        ("fr", "Images", True),
    }
    assert [a["filename"] for a in world.fake.messages[message_id].attachments] == ["chart.png"]


async def test_files_that_cannot_be_read_again_keep_the_draft_and_say_so(
    world: DiscordWorld, tmp_path: Path
) -> None:
    _, message_id = await _preview_of(world, [("prices.pdf", PDF, "application/pdf")])
    message = world.fake.messages[message_id]
    first = int(
        next(
            c["custom_id"]
            for c in walk_components(message.components)
            if "announcement_send" in c.get("custom_id", "")
        ).rsplit(":", 1)[1]
    )
    shutil.rmtree(tmp_path / "files")  # the stored bytes are gone
    narrowed = world.fake.push_component(
        message.id, f"pbx:audience:{first}", user_id=world.admin.user.id, values=["tier:gold"]
    )
    (answer,) = await world.followups(narrowed, 1)
    assert answer.ephemeral and f"Draft #{first} keeps its topics and audience" in answer.content
    kept = await world.app.stores.announcements.get(first)
    assert kept is not None and kept.status.value == "draft"
    assert await world.app.stores.announcements.get(first + 1) is None
