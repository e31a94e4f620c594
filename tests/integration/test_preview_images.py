"""The preview's image link through the real core and stores, on SQLite and PostgreSQL: with
PARTNERBOT_PUBLIC_URL a draft's preview carries a signed link to its first image, which serves that
image until it expires; a link to another announcement's image, or a tampered one, serves nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import image_links, preview_files_app
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import setup_topics

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PDF = b"%PDF-1.7\n" + b"price list " * 50
PUBLIC = "https://partners.example.com"


def write_attachments(tmp_path: Path) -> Path:
    """A folder holding prices.pdf and shot.png, for `broadcast … attach:` to take from."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "prices.pdf").write_bytes(PDF)
    (folder / "shot.png").write_bytes(PNG)
    return folder


@pytest.fixture
def files(tmp_path: Path) -> Path:
    return write_attachments(tmp_path)


async def harness(database_url: str, clock: FakeClock, tmp_path: Path, **settings: object) -> Harness:
    h = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"), **settings)
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    return h


@pytest.fixture
async def h(database_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    built = await harness(database_url, clock, tmp_path, public_url=PUBLIC, secret_key="image-key")
    yield built
    await built.close()


def token_of(url: str) -> str:
    assert url.startswith(f"{PUBLIC}/f/")
    return url.removeprefix(f"{PUBLIC}/f/")


async def test_a_drafts_preview_links_to_its_image_until_the_link_expires(
    h: Harness, files: Path, clock: FakeClock
) -> None:
    reply = await h.admin(
        f"broadcast topic:pricing attach:{files / 'prices.pdf'} attach:{files / 'shot.png'} "
        'title:"Q3" See the files.'
    )
    assert reply.draft is not None, reply.text
    token = token_of(reply.draft.image_url)
    image = await h.app.bot.preview_image(token)
    assert image is not None and (image.data, image.media_type) == (PNG, "image/png")
    assert preview_files_app(h.app) is not None  # `run` mounts /f/

    payload, signature = token.rsplit(".", 1)
    assert await h.app.bot.preview_image(f"{payload}.{signature[::-1]}") is None
    clock.advance(hours=24)
    assert await h.app.bot.preview_image(token) is None


async def test_a_link_names_one_announcements_image_only(h: Harness, files: Path) -> None:
    with_image = await h.admin(f'broadcast topic:pricing attach:{files / "shot.png"} title:"A" Image.')
    without = await h.admin(f'broadcast topic:pricing attach:{files / "prices.pdf"} title:"B" PDF.')
    assert with_image.draft is not None and without.draft is not None
    assert without.draft.image_url == ""
    _, sha, rest = token_of(with_image.draft.image_url).split(".", 2)
    # The same image's hash under announcement 2 breaks the signature; and no link names a PDF.
    assert await h.app.bot.preview_image(f"{without.draft.announcement_id}.{sha}.{rest}") is None


async def test_without_a_public_url_no_link_is_made_nor_served(
    database_url: str, clock: FakeClock, tmp_path: Path, files: Path
) -> None:
    h = await harness(database_url, clock, tmp_path)
    try:
        reply = await h.admin(f'broadcast topic:pricing attach:{files / "shot.png"} title:"A" Image.')
        assert reply.draft is not None and reply.draft.image_url == ""
        assert image_links(h.app.settings) is None and preview_files_app(h.app) is None
        assert await h.app.bot.preview_image("1." + "0" * 64 + ".9999999999.AAAAAAAAAAAAAAAAAAAAAAAA") is None
    finally:
        await h.close()


def test_a_public_url_without_a_secret_key_still_signs_links(tmp_path: Path) -> None:
    from bot.config import Settings

    settings = Settings(_env_file=None, public_url=PUBLIC)  # type: ignore[call-arg]
    assert image_links(settings) is not None
