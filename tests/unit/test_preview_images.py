"""The Slack preview's signed image links (bot/services/preview_images.py) and the `/f/` handler
(adapters/web/preview_files.py): a genuine, unexpired link serves only an image of its announcement."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.thumbnails import preview_image_blocks
from adapters.web.preview_files import build_preview_files, mount
from bot import messages as m
from bot.domain import Attachment, Audience, DraftPreview, Reach
from bot.ports.files import FileMissing
from bot.services.preview_images import ImageLinks, ImageTarget, PreviewImage, PreviewImageService
from tests.conftest import FakeClock

PUBLIC = "https://partnerbot.example.com/"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
PDF = b"%PDF-1.4\n" + bytes(32)


def attachment(data: bytes, name: str, media_type: str) -> Attachment:
    return Attachment(hashlib.sha256(data).hexdigest(), name, media_type, len(data))


IMAGE = attachment(PNG, "chart.png", "image/png")
PAPER = attachment(PDF, "prices.pdf", "application/pdf")


@dataclass
class Stores:
    files: dict[int, tuple[Attachment, ...]] = field(default_factory=dict)
    blobs: dict[str, bytes] = field(default_factory=dict)

    async def get(self, announcement_id: int) -> Any:
        found = self.files.get(announcement_id)
        return None if found is None else SimpleNamespace(files=found)

    async def read(self, *, sha256: str) -> bytes:
        if sha256 not in self.blobs:
            raise FileMissing(sha256)
        return self.blobs[sha256]

    async def put(self, *, data: bytes) -> str:
        raise NotImplementedError

    async def has(self, *, sha256: str) -> bool:
        return sha256 in self.blobs


@pytest.fixture
def stores() -> Stores:
    return Stores(files={1: (PAPER, IMAGE), 2: (PAPER,)}, blobs={IMAGE.sha256: PNG, PAPER.sha256: PDF})


def service(stores: Stores, clock: FakeClock, keys: list[bytes] | None = None) -> PreviewImageService:
    links = ImageLinks(PUBLIC, keys or [b"k" * 32], ttl=timedelta(hours=24))
    return PreviewImageService(stores, stores, clock, links)  # type: ignore[arg-type]


def token_of(url: str) -> str:
    assert url.startswith("https://partnerbot.example.com/f/")
    return url.rsplit("/", 1)[1]


async def test_a_genuine_link_serves_the_first_image_with_its_type(stores: Stores, clock: FakeClock) -> None:
    images = service(stores, clock)
    url = images.url(1, (PAPER, IMAGE))
    assert await images.image(token_of(url)) == PreviewImage(PNG, "image/png")


async def test_a_draft_without_an_image_gets_no_link(stores: Stores, clock: FakeClock) -> None:
    assert service(stores, clock).url(2, (PAPER,)) == ""


async def test_a_tampered_token_serves_nothing(stores: Stores, clock: FakeClock) -> None:
    images = service(stores, clock)
    token = token_of(images.url(1, (IMAGE,)))
    payload, signature = token.rsplit(".", 1)
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert await images.image(f"{payload}.{flipped}") is None
    # The announcement or the expiry changed, the signature kept: refused too.
    aid, sha, expires = payload.split(".")
    assert await images.image(f"2.{sha}.{expires}.{signature}") is None
    assert await images.image(f"{aid}.{sha}.{int(expires) + 3600}.{signature}") is None
    assert await images.image("") is None and await images.image("../../etc/passwd") is None


async def test_a_link_expires(stores: Stores, clock: FakeClock) -> None:
    images = service(stores, clock)
    token = token_of(images.url(1, (IMAGE,)))
    clock.advance(hours=23, minutes=59)
    assert await images.image(token) is not None
    clock.advance(minutes=1)
    assert await images.image(token) is None


async def test_a_link_serves_only_an_image_of_its_own_announcement(stores: Stores, clock: FakeClock) -> None:
    links = ImageLinks(PUBLIC, [b"k" * 32])
    images = service(stores, clock)
    expires = int((clock.now() + timedelta(hours=1)).timestamp())
    # Genuinely signed, but announcement 2 carries no such image; and a PDF is never served.
    other = links.token(ImageTarget(2, IMAGE.sha256, expires))
    pdf = links.token(ImageTarget(1, PAPER.sha256, expires))
    gone = links.token(ImageTarget(9, IMAGE.sha256, expires))
    assert [await images.image(t) for t in (other, pdf, gone)] == [None, None, None]


async def test_an_image_gone_from_the_store_serves_nothing(stores: Stores, clock: FakeClock) -> None:
    images = service(stores, clock)
    token = token_of(images.url(1, (IMAGE,)))
    stores.blobs.clear()
    assert await images.image(token) is None


async def test_any_key_of_the_list_verifies_and_the_first_signs(stores: Stores, clock: FakeClock) -> None:
    old = service(stores, clock, [b"old" * 11])
    token = token_of(old.url(1, (IMAGE,)))
    rotated = service(stores, clock, [b"new" * 11, b"old" * 11])
    assert await rotated.image(token) is not None
    assert await service(stores, clock, [b"new" * 11]).image(token) is None


@given(st.text(max_size=200))
def test_no_made_up_token_is_read(token: str) -> None:
    assert ImageLinks(PUBLIC, [b"k" * 32]).read(token, FakeClock().now()) is None


def test_links_need_a_key() -> None:
    with pytest.raises(ValueError):
        ImageLinks(PUBLIC, [])


# --- the Slack blocks ---------------------------------------------------------------------------


def draft(files: tuple[Attachment, ...], image_url: str = "") -> DraftPreview:
    return DraftPreview(
        1, "T", "B", ("t",), Audience(), False, False, Reach(0, 0, {}, {}, {}), "", files=files,
        image_url=image_url,
    )  # fmt: skip


def test_the_slack_block_is_an_image_on_the_link_or_a_note_without_one() -> None:
    [block] = preview_image_blocks(draft((PAPER, IMAGE), "https://x.example/f/t"))
    assert block == {
        "type": "image",
        "image_url": "https://x.example/f/t",
        "alt_text": "chart.png",
        "title": {"type": "plain_text", "text": "chart.png", "emoji": True},
    }
    [note] = preview_image_blocks(draft((PAPER, IMAGE)))
    assert note["elements"][0]["text"] == f"{m.THUMBNAIL_NEEDS_PUBLIC_URL}: chart.png"
    assert preview_image_blocks(draft((PAPER,))) == []
    webp = attachment(b"RIFF", "x.webp", "image/webp")  # Slack's image block takes no WebP
    assert preview_image_blocks(draft((webp,))) == []


# --- the /f/ handler ----------------------------------------------------------------------------


async def test_the_handler_serves_the_image_with_its_stored_type_and_404s_the_rest() -> None:
    async def read(token: str) -> PreviewImage | None:
        return PreviewImage(PNG, "image/png") if token == "good" else None

    root = web.Application()
    mount(root, build_preview_files(read))
    async with TestClient(TestServer(root)) as http:
        good = await http.get("/f/good")
        assert good.status == 200 and good.content_type == "image/png" and await good.read() == PNG
        assert good.headers["X-Content-Type-Options"] == "nosniff"
        bad = await http.get("/f/bad")
        assert bad.status == 404 and bad.content_type == "text/html"
        assert m.PREVIEW_IMAGE_NOT_FOUND.replace(",", "") in (await bad.text()).replace(",", "")
        assert bad.headers["Cache-Control"] == "no-store"
