"""The "Show" button under a search result, through the real core and stores, on SQLite and
PostgreSQL: the announcement as the channel got it (its copy's language), its calls to action counted
on the channel's copy, its files with signed image links, and what is said of a file that is gone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import messages as m
from bot.domain.conversation import Reply
from bot.domain.refs import Platform
from bot.jobs import make_digests
from bot.presenter import SHOW_ACTION
from storage.tables import DeliveryRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import broadcast_and_send, rows, setup_topics
from tests.integration.test_preview_images import PNG, PUBLIC, write_attachments


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_attachments(tmp_path)


async def built(database_url: str, clock: FakeClock, tmp_path: Path, **settings: object) -> Harness:
    h = await make_harness(database_url, clock, files_dir=str(tmp_path / "files"), **settings)
    await setup_topics(h, "pricing")
    return h


@pytest.fixture
async def h(database_url: str, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await built(database_url, clock, tmp_path, public_url=PUBLIC, secret_key="show-key")
    yield harness
    await harness.close()


async def member(h: Harness, channel: str, *, language: str = "en") -> None:
    await h.join(channel, channel.capitalize(), tier="gold", language=language)
    assert not (await h.partner(channel, "subscribe all")).is_error


async def show(h: Harness, channel: str, announcement_id: int) -> Reply:
    return await h.local.press("pat", channel, SHOW_ACTION, str(announcement_id))


async def test_show_reads_the_language_of_the_channels_copy(h: Harness) -> None:
    await member(h, "acme", language="de")
    draft = await h.admin('broadcast topic:pricing title:"Price list" The new prices.')
    assert draft.draft is not None
    announcement = draft.draft.announcement_id
    for language, title in (("de", "Preisliste"), ("fr", "Liste de prix")):
        translated = await h.admin(f'translate {announcement} {language} title:"{title}" {title}.')
        assert not translated.is_error, translated.text
    assert not (await h.admin(f"send {announcement}")).is_error
    await h.deliver()

    # Acme's partner reads French now; its channel got the German copy, and Show shows that copy.
    assert not (await h.admin('partner set "Acme" language:fr')).is_error
    assert (await show(h, "acme", announcement)).text.startswith("**Preisliste**")
    # A channel without a copy (joined since) reads what a copy would be: its partner's language…
    await member(h, "globex", language="fr")
    assert (await show(h, "globex", announcement)).text.startswith("**Liste de prix**")
    # …unless the channel set its own.
    assert not (await h.partner("globex", "settings language de")).is_error
    assert (await show(h, "globex", announcement)).text.startswith("**Preisliste**")
    # The search results follow the same rule as a copy (and Show): the channel's setting first.
    [row] = (await h.partner("globex", "news search price")).rows
    assert row.text.startswith("**Preisliste**")


async def test_links_count_on_the_channels_copy_and_nowhere_else(h: Harness) -> None:
    await member(h, "acme")
    announcement = await broadcast_and_send(
        h, 'topic:pricing cta:"Portal|https://example.com/p" title:"Rebates"', "Rebates start."
    )
    await h.deliver()
    await member(h, "globex")  # joins after: may find it, got no copy

    [copy] = await rows(h, DeliveryRow, announcement_id=announcement)
    shown = await show(h, "acme", announcement)
    [link] = shown.links
    assert (link.label, link.url) == ("Portal", "https://example.com/p")
    # Discord's link button goes through the copy's counted redirect; it names that delivery.
    assert link.tracked.startswith(f"{PUBLIC}/r/{announcement}.1.{copy.id}.")
    assert await h.app.bot.cta_redirect(link.tracked.removeprefix(f"{PUBLIC}/r/")) == link.url
    # Slack reports the press of its URL button: counted on the same copy.
    inv = h.local.invocation("pat", "acme")
    assert await h.app.bot.show_link_pressed(inv, announcement, 1)
    [clicks] = await h.app.stores.ctas.clicks(announcement)
    assert clicks.clicks == 2

    other = (await show(h, "globex", announcement)).links
    assert [(b.url, b.tracked) for b in other] == [("https://example.com/p", "")]  # the page itself
    assert not await h.app.bot.show_link_pressed(h.local.invocation("pat", "globex"), announcement, 1)
    assert not await h.app.bot.show_link_pressed(inv, announcement, 3)  # no such call to action
    assert (await h.app.stores.ctas.clicks(announcement))[0].clicks == 2

    assert not (await h.admin(f"recall {announcement}")).is_error
    gone = await show(h, "acme", announcement)
    assert gone.is_error and gone.text == m.SHOW_GONE and gone.links == ()
    assert not await h.app.bot.show_link_pressed(inv, announcement, 1)  # recalled: counts nothing
    assert (await h.app.stores.ctas.clicks(announcement))[0].clicks == 2


async def test_files_come_with_signed_image_links_and_the_copy_that_carries_them(
    h: Harness, folder: Path
) -> None:
    await member(h, "acme")
    announcement = await broadcast_and_send(
        h,
        f'topic:pricing attach:{folder / "prices.pdf"} attach:{folder / "shot.png"} title:"Q3"',
        "See the files.",
    )
    await h.deliver()
    [copy] = await rows(h, DeliveryRow, announcement_id=announcement)

    shown = await show(h, "acme", announcement)
    assert [(f.file.name, f.missing) for f in shown.files] == [("prices.pdf", False), ("shot.png", False)]
    pdf, png = shown.files
    assert pdf.image_url == ""  # no platform shows a PDF by link
    assert png.image_url.startswith(f"{PUBLIC}/f/")
    image = await h.app.bot.preview_image(png.image_url.removeprefix(f"{PUBLIC}/f/"))
    assert image is not None and (image.data, image.media_type) == (PNG, "image/png")
    assert shown.delivered is not None and shown.delivered.message == copy.message_id
    assert shown.delivered.channel.platform is Platform.LOCAL and shown.delivered.channel.channel == "acme"
    said = h.workspace.in_channel("acme")[-1]
    assert said.visible_to == "pat" and m.SHOW_FILES(2, names="prices.pdf, shot.png") in said.text

    # The PDF's bytes are removed from the store by hand: Show says so, and offers no link to it.
    h.app.files.path_of(pdf.file.sha256).unlink()
    again = await show(h, "acme", announcement)
    assert [(f.file.name, f.missing) for f in again.files] == [("prices.pdf", True), ("shot.png", False)]
    said = h.workspace.in_channel("acme")[-1].text
    assert m.SHOW_FILE_GONE.format(name="prices.pdf") in said
    assert m.SHOW_FILES(1, names="shot.png") in said


async def test_without_a_public_url_nothing_is_linked_but_presses_still_count(
    database_url: str, clock: FakeClock, tmp_path: Path, folder: Path
) -> None:
    h = await built(database_url, clock, tmp_path)
    try:
        await member(h, "acme")
        announcement = await broadcast_and_send(
            h,
            f'topic:pricing attach:{folder / "shot.png"} cta:"Portal|https://example.com/p" title:"Q3"',
            "See the image.",
        )
        await h.deliver()
        shown = await show(h, "acme", announcement)
        assert [(f.file.name, f.image_url) for f in shown.files] == [("shot.png", "")]
        assert [(b.url, b.tracked) for b in shown.links] == [("https://example.com/p", "")]
        assert await h.app.bot.show_link_pressed(h.local.invocation("pat", "acme"), announcement, 1)
        assert (await h.app.stores.ctas.clicks(announcement))[0].clicks == 1
    finally:
        await h.close()


async def test_a_copy_a_digest_carried_counts_clicks_but_has_no_message_with_files(
    h: Harness, folder: Path, clock: FakeClock
) -> None:
    await member(h, "acme")
    assert not (await h.partner("acme", "settings mode daily")).is_error
    announcement = await broadcast_and_send(
        h,
        f'topic:pricing attach:{folder / "prices.pdf"} cta:"Portal|https://example.com/p" title:"Q3"',
        "See the file.",
    )
    await h.deliver()
    clock.advance(days=1)
    assert await make_digests(h.app) == 1
    await h.deliver()
    [copy] = await rows(h, DeliveryRow, announcement_id=announcement)
    assert copy.status == "sent" and copy.digest_id is not None

    shown = await show(h, "acme", announcement)
    # The digest names the file but carries none: no message to point to for it.
    assert shown.delivered is None and [f.file.name for f in shown.files] == ["prices.pdf"]
    # Its links still count on the copy the digest carried, as the digest's own links do.
    [link] = shown.links
    assert link.tracked.startswith(f"{PUBLIC}/r/{announcement}.1.{copy.id}.")
