"""The Slack preview of a draft with an image: an image block on partnerbot's signed link
(`<PARTNERBOT_PUBLIC_URL>/f/<token>`, served beside /slack/events) when a public URL is set; without
one, a line saying the image preview needs it. The real slack-bolt stack against the fake Slack."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot import messages as m
from tests.e2e.test_attachments import FILES, PDF, PNG, two_platforms

PUBLIC = "https://partnerbot.example.com"
GIF = b"GIF89a" + bytes(64)


async def test_with_a_public_url_the_preview_shows_the_image_from_a_signed_link(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with two_platforms(
        sqlite_url, tmp_path / "files", public_url=PUBLIC, secret_key="preview-image-key"
    ) as w:
        view = await w.shortcut("New Q3 prices, see the PDF.", [*FILES, ("logo.gif", GIF, "image/gif")])
        preview = await w.submit(view, "Q3 prices")
        [image] = [b for b in preview.blocks or [] if b["type"] == "image"]
        assert image["image_url"].startswith(f"{PUBLIC}/f/1.")
        assert image["alt_text"] == "screenshot.png" and image["title"]["text"] == "screenshot.png"
        assert "logo.gif" in preview.text  # the other files stay listed by name and size
        assert m.THUMBNAIL_NEEDS_PUBLIC_URL not in str(preview.blocks)

        path = urlsplit(image["image_url"]).path
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{w.web_url}{path}") as answer:
                assert answer.status == 200
                assert answer.content_type == "image/png"
                assert await answer.read() == PNG
            async with http.get(f"{w.web_url}{path[:-3]}AAA") as tampered:
                assert tampered.status == 404
                assert "not valid" in await tampered.text()


async def test_without_a_public_url_the_preview_says_the_image_needs_one(
    sqlite_url: str, tmp_path: Path
) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files") as w:
        view = await w.shortcut("New Q3 prices, see the PDF.", FILES)
        preview = await w.submit(view, "Q3 prices")
        blocks = preview.blocks or []
        assert not [b for b in blocks if b["type"] == "image"]
        notes = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
        assert notes == [f"{m.THUMBNAIL_NEEDS_PUBLIC_URL}: screenshot.png"]
        # The note follows the preview's text, which lists every file.
        kinds = [b["type"] for b in blocks]
        assert kinds.index("context") < kinds.index("actions")
        assert "screenshot.png" in preview.text and "Price list Q3.pdf" in preview.text


async def test_a_draft_without_an_image_has_no_image_block_nor_note(sqlite_url: str, tmp_path: Path) -> None:
    async with two_platforms(sqlite_url, tmp_path / "files", public_url=PUBLIC) as w:
        view = await w.shortcut("The price list.", [("Price list Q3.pdf", PDF, "application/pdf")])
        preview = await w.submit(view, "Q3 prices")
        assert {b["type"] for b in preview.blocks or []} == {"section", "actions"}
