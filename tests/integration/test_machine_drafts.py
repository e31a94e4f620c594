"""Machine-drafted translations on SQLite and PostgreSQL (`translate <id> <lang> draft|accept`),
with the fake LibreTranslate server on loopback: a machine draft is shown but never delivered until
accepted or replaced by the admin's own text; no translator, its failure, the admin's own text
there and nothing to accept are refused with nothing changed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from storage.tables import AnnouncementVariantRow, SearchDocumentRow
from tests.conftest import FakeClock
from tests.fakes.libretranslate import FakeLibreTranslate, libretranslate
from tests.harness import Harness, make_harness
from tests.integration.support import id_from, rows, setup_topics

BODY = "Read [the list](https://example.com/List) and run `pb --check`."
GERMAN_BODY = "de:READ [de:THE LIST](https://example.com/List) de:AND RUN `pb --check`."


@pytest.fixture
def fake() -> FakeLibreTranslate:
    return FakeLibreTranslate(api_key="k3y")


@pytest.fixture
async def translated(database_url: str, clock: FakeClock, fake: FakeLibreTranslate) -> AsyncIterator[Harness]:
    """The harness with PARTNERBOT_TRANSLATOR_URL / _KEY pointing at the fake."""
    async with libretranslate(fake) as url:
        h = await make_harness(database_url, clock, translator_url=url, translator_key="k3y")
        try:
            yield h
        finally:
            await h.close()


async def _partners(h: Harness) -> int:
    """Berlin reads German, Acme English; a draft about pricing, returned by its number."""
    await setup_topics(h, "pricing")
    for channel, name, language in (("berlin", "Berlin GmbH", "de"), ("acme", "Acme", "en")):
        await h.join(channel, name, tier="gold", language=language)
        assert not (await h.partner(channel, "subscribe pricing")).is_error
    return id_from(await h.admin(f'broadcast topic:pricing title:"New prices" {BODY}'))


def _text(h: Harness, channel: str) -> str:
    [post] = h.posts(channel)
    return post.text


async def test_a_machine_draft_is_never_sent_until_accepted(
    translated: Harness, fake: FakeLibreTranslate
) -> None:
    h = translated
    draft = await _partners(h)
    drafted = await h.admin(f"translate {draft} de draft")
    assert not drafted.is_error, drafted.text
    assert "machine draft, review before it is sent" in drafted.text
    assert f"`translate {draft} de accept`" in drafted.text
    assert fake.requests[0]["q"][0] == "New prices" and fake.requests[0]["target"] == "de"
    [row] = await rows(h, AnnouncementVariantRow)
    assert (row.language, row.machine, row.title, row.body) == ("de", True, "de:NEW PRICES", GERMAN_BODY)

    listed = await h.admin(f"translations {draft}")
    assert m.TRANSLATIONS_MACHINE_MARK in listed.text and "read by 0 channels" in listed.text
    preview = await h.admin(f'edit {draft} title:"New prices!"')
    assert "no German text yet" in preview.text
    assert m.PREVIEW_LANGUAGE_DRAFT_HINT.format(id=draft, tag="de") in preview.text

    assert not (await h.admin(f"send {draft}")).is_error
    await h.deliver()
    assert "**New prices!**" in _text(h, "berlin")  # the fallback, not the draft
    assert "de:NEW PRICES" not in _text(h, "berlin")


async def test_accepted_drafts_go_out_in_their_language(translated: Harness) -> None:
    h = translated
    draft = await _partners(h)
    [before] = await rows(h, SearchDocumentRow)
    await h.admin(f"translate {draft} de draft")
    [drafted] = await rows(h, SearchDocumentRow)
    assert drafted.body == before.body  # partners' news search never finds a machine draft
    accepted = await h.admin(f"translate {draft} de accept")
    [found] = await rows(h, SearchDocumentRow)
    assert found.body != before.body  # …and finds it once accepted
    assert accepted.text == m.TRANSLATION_ACCEPTED.format(language="German", id=draft, title="de:NEW PRICES")
    [row] = await rows(h, AnnouncementVariantRow)
    assert row.machine is False
    again = await h.admin(f"translate {draft} de accept")
    assert not again.is_error and again.text == m.TRANSLATION_ALREADY_ACCEPTED.format(
        language="German", id=draft
    )
    assert m.TRANSLATIONS_MACHINE_MARK not in (await h.admin(f"translations {draft}")).text

    await h.admin(f"send {draft}")
    await h.deliver()
    assert f"**de:NEW PRICES**\n{GERMAN_BODY}" in _text(h, "berlin")
    assert "**New prices**" in _text(h, "acme")


async def test_the_admins_own_text_replaces_a_draft_and_is_never_overwritten(
    translated: Harness, fake: FakeLibreTranslate
) -> None:
    h = translated
    draft = await _partners(h)
    await h.admin(f"translate {draft} de draft")
    await h.admin(f"translate {draft} de draft")  # a new draft replaces the old one
    own = await h.admin(f'translate {draft} de title:"Neue Preise" Die Listen sind da.')
    assert not own.is_error and "version 3" in own.text
    [row] = await rows(h, AnnouncementVariantRow)
    assert (row.machine, row.title) == (False, "Neue Preise")

    exists = await h.admin(f"translate {draft} de draft")
    assert exists.is_error and "already has German text (“Neue Preise”)" in exists.text
    assert len(fake.requests) == 2  # the translator was not asked again
    await h.admin(f"send {draft}")
    await h.deliver()
    assert "**Neue Preise**\nDie Listen sind da." in _text(h, "berlin")


async def test_refusals_change_nothing(translated: Harness, fake: FakeLibreTranslate) -> None:
    h = translated
    draft = await _partners(h)
    fake.status = 500
    failed = await h.admin(f"translate {draft} de draft")
    assert failed.is_error and "HTTP 500" in failed.text and "k3y" not in failed.text
    assert failed.refusal is not None and failed.refusal.code == "translation_draft"
    nothing = await h.admin(f"translate {draft} fr accept")
    assert nothing.is_error and f"`translate {draft} fr draft`" in nothing.text
    assert (await h.admin(f"translate {draft} en draft")).is_error  # the default text's language
    assert "#999" in (await h.admin("translate 999 de draft")).text
    fake.status = None  # a translated title over the limit (the fake adds `de:`) is not saved either
    long = id_from(await h.admin('broadcast topic:pricing title:"' + "t" * 148 + '" Body.'))
    too_long = await h.admin(f"translate {long} de draft")
    assert too_long.is_error and "151" in too_long.text
    assert await rows(h, AnnouncementVariantRow) == []


async def test_no_translator_configured_refuses_naming_the_settings(harness: Harness) -> None:
    h = harness
    draft = await _partners(h)
    refused = await h.admin(f"translate {draft} de draft")
    assert refused.is_error
    assert "PARTNERBOT_TRANSLATOR_URL" in refused.text and "PARTNERBOT_TRANSLATOR_KEY" in refused.text
    assert await rows(h, AnnouncementVariantRow) == []
