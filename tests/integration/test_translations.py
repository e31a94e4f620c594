"""Translated announcements on SQLite and PostgreSQL: variants stored per language, each delivery in
its partner's language (`de-at` → `de` → the default text), the preview's languages, `translations`,
`update-sent` through the edit outbox, digests, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import messages as m
from bot.i18n import reading
from bot.jobs import make_digests
from storage.tables import AnnouncementVariantRow, DeliveryUpdateRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, id_from, rows, setup_topics

GERMAN = ('title:"Neue Preise"', "Die neuen Preislisten sind da.")


async def _partners(h: Harness) -> None:
    """Berlin reads German, Vienna Austrian German, Paris French, Acme English; Plain has no partner
    language (linked through the roster)."""
    await setup_topics(h, "pricing")
    for channel, name, language in (
        ("berlin", "Berlin GmbH", "de"),
        ("vienna", "Wien AG", "de-AT"),
        ("paris", "Paris SA", "fr"),
        ("acme", "Acme", "en"),
    ):
        await h.join(channel, name, tier="gold", language=language)
        assert not (await h.partner(channel, "subscribe pricing")).is_error
    await h.subscribe("plain", "pricing")


def _text(h: Harness, channel: str) -> str:
    [post] = h.posts(channel)
    return post.text


async def test_each_partner_reads_its_language_with_fallback(harness: Harness) -> None:
    h = harness
    await _partners(h)
    draft = id_from(await h.admin('broadcast topic:pricing title:"New prices" The new price lists are out.'))
    saved = await h.admin(f"translate {draft} de {GERMAN[0]} {GERMAN[1]}")
    assert not saved.is_error, saved.text
    assert saved.text.startswith(m.TRANSLATION_ADDED.format(language="German", id=draft, title="Neue Preise"))
    assert m.TRANSLATION_NOT_SENT.format(language="German") in saved.text
    assert not (await h.admin(f"send {draft}")).is_error
    await h.deliver()

    for channel in ("berlin", "vienna"):  # de, and de-at falling back to de
        assert "**Neue Preise**\nDie neuen Preislisten sind da." in _text(h, channel)
    for channel in ("paris", "acme", "plain"):  # no French text; English; no language
        assert "**New prices**\nThe new price lists are out." in _text(h, channel)
    [variant] = await rows(h, AnnouncementVariantRow)
    assert (variant.announcement_id, variant.language, variant.revision) == (draft, "de", 1)


async def test_a_closer_variant_wins_and_tags_are_stored_normalised(harness: Harness) -> None:
    h = harness
    await _partners(h)
    draft = id_from(await h.admin('broadcast topic:pricing title:"New prices" Out.'))
    assert not (await h.admin(f'translate {draft} DE title:"Preise" Deutsch.')).is_error
    assert not (await h.admin(f'translate {draft} de_AT title:"Preise (AT)" Österreichisch.')).is_error
    assert sorted(v.language for v in await rows(h, AnnouncementVariantRow)) == ["de", "de-at"]
    await h.admin(f"send {draft}")
    await h.deliver()
    assert "**Preise (AT)**\nÖsterreichisch." in _text(h, "vienna")
    assert "**Preise**\nDeutsch." in _text(h, "berlin")


async def test_the_preview_counts_languages_and_names_the_fallback(harness: Harness) -> None:
    h = harness
    await _partners(h)
    await h.join("munich", "München KG", tier="gold", language="de")
    await h.partner("munich", "subscribe pricing")
    preview = await h.admin('broadcast topic:pricing title:"New prices" Out.')
    draft = id_from(preview)
    assert (
        m.PREVIEW_LANGUAGES.format(
            languages="2 partners read German, 2 partners read English, "
            "1 partner reads German (Austria), 1 partner reads French"
        )
        in preview.text
    )
    assert "2 partners read German; no German text yet, so they get the default (English)." in preview.text
    assert "1 partner reads French; no French text yet, so they get the default (English)." in preview.text
    assert "1 partner reads German (Austria); no German (Austria) text yet" in preview.text
    assert "English text yet" not in preview.text  # English and no-language partners read the default
    assert f"`translate {draft} fr title:" in preview.text

    await h.admin(f"translate {draft} de {GERMAN[0]} {GERMAN[1]}")
    again = await h.admin(f'edit {draft} title:"New prices!"')
    assert "no German text yet" not in again.text and "German (Austria) text yet" not in again.text
    assert "1 partner reads French; no French text yet" in again.text


async def test_translations_lists_texts_and_their_readers(harness: Harness) -> None:
    h = harness
    await _partners(h)
    sent = await broadcast_and_send(h, 'topic:pricing title:"New prices"', "Out.")
    none = await h.admin(f"translations {sent}")
    assert none.text.startswith(m.TRANSLATIONS_NONE.format(id=sent, default="English")[:40])
    await h.admin(f"translate {sent} de {GERMAN[0]} {GERMAN[1]}")
    listed = await h.admin(f"translations {sent}")
    assert listed.text.splitlines() == [
        m.TRANSLATIONS_HEADER(1, id=sent, default="English"),
        m.TRANSLATIONS_DEFAULT_LINE.format(
            default="English", title="New prices", readers="read by 3 channels"
        ),
        m.TRANSLATIONS_LINE.format(
            language="German", tag="de", title="Neue Preise", readers="read by 2 channels"
        ),
    ]


async def test_a_variant_after_sending_edits_copies_only_with_update_sent(harness: Harness) -> None:
    h = harness
    await _partners(h)
    sent = await broadcast_and_send(h, 'topic:pricing title:"New prices"', "Out.")
    await h.deliver()

    kept = await h.admin(f"translate {sent} de {GERMAN[0]} {GERMAN[1]}")
    assert "2 copies already delivered in German keep the text they got" in kept.text
    assert await rows(h, DeliveryUpdateRow) == []
    await h.deliver()
    assert "**New prices**" in _text(h, "berlin")

    updated = await h.admin(f'translate {sent} de update-sent title:"Neue Preise!" Jetzt.')
    assert "2 copies already delivered in German will be updated in place" in updated.text
    assert "version 2" in updated.text
    assert len(await rows(h, DeliveryUpdateRow)) == 2
    await h.deliver()
    for channel in ("berlin", "vienna"):
        [post] = h.posts(channel)
        assert post.edited and "**Neue Preise!**\nJetzt." in post.text
    for channel in ("paris", "acme", "plain"):
        [post] = h.posts(channel)
        assert not post.edited and "**New prices**" in post.text

    # French added later, sent to the French partner who got the default text.
    french = await h.admin(f'translate {sent} fr --update-sent title:"Nouveaux prix" Voilà.')
    assert "1 copy already delivered in French will be updated in place" in french.text
    await h.deliver()
    assert "**Nouveaux prix**\nVoilà." in _text(h, "paris")
    assert "**New prices**" in _text(h, "acme")


async def test_a_digest_carries_each_item_in_the_channel_language(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _partners(h)
    assert not (await h.partner("berlin", "settings mode daily")).is_error
    draft = id_from(await h.admin('broadcast topic:pricing title:"New prices" Out.'))
    await h.admin(f"translate {draft} de {GERMAN[0]} {GERMAN[1]}")
    await h.admin(f"send {draft}")
    await h.deliver()
    assert h.posts("berlin") == []
    clock.advance((datetime(2026, 11, 25, 9, 0, tzinfo=UTC) - clock.now()).total_seconds())
    assert await make_digests(h.app) == 1
    await h.deliver()
    assert "**Neue Preise** · _pricing_\nDie neuen Preislisten sind da." in _text(h, "berlin")


async def test_refusals(harness: Harness) -> None:
    h = harness
    await _partners(h)
    draft = id_from(await h.admin('broadcast topic:pricing title:"New prices" Out.'))
    cancelled = id_from(await h.admin('broadcast topic:pricing title:"Old" Out.'))
    await h.admin(f"cancel {cancelled}")
    cases = {
        'translate 999 de title:"T" B.': ("no_such_announcement", "There's no announcement #999."),
        f'translate {draft} !!bad title:"T" B.': ("unknown_value", "!!bad"),
        f'translate {draft} en title:"T" B.': ("default_language", "language of the default text"),
        f"translate {draft} de Hallo": ("missing", '"Hallo" comes before the title'),
        f'translate {draft} de title:"T"': ("missing", "The translation has no text"),
        f'translate {draft} de title:"{"x" * 151}" B.': ("too_long", "151"),
        f'translate {draft} {"x" * 21} title:"T" B.': ("too_long", "at most 20 characters"),
        f'translate {draft} de title:"T" B. --update-sent': ("syntax", "put `update-sent` before the title"),
        f'translate {cancelled} de title:"T" B.': ("not_editable", "was cancelled"),
        f"translate {draft}": ("missing", "Which language is this text in?"),
        "translations 999": ("no_such_announcement", "There's no announcement #999."),
        # `draft` without a translator set up: the announcement is checked first, so the answer is not
        # "no translator … write it with `translate 999 de title:…`", which would fail in turn.
        "translate 999 de draft": ("no_such_announcement", "There's no announcement #999."),
        f"translate {cancelled} de draft": ("not_editable", "was cancelled"),
        "translations": ("syntax", "Usage: `translations <id>`"),
    }
    for command, (code, fragment) in cases.items():
        reply = await h.admin(command)
        assert reply.is_error and fragment in reply.text, (command, reply.text)
        assert reply.refusal is not None and reply.refusal.code.value == code, (command, reply.refusal)
    assert await rows(h, AnnouncementVariantRow) == []
    outside = await h.admin(f'translate {draft} de title:"T" B.', channel="acme")
    assert outside.is_error and await rows(h, AnnouncementVariantRow) == []


async def test_a_variant_added_while_copies_wait_goes_out_with_them(harness: Harness) -> None:
    h = harness
    await _partners(h)
    sent = await broadcast_and_send(h, 'topic:pricing title:"New prices"', "Out.")  # queued, none posted
    saved = await h.admin(f"translate {sent} de update-sent {GERMAN[0]} {GERMAN[1]}")
    assert m.TRANSLATION_NOT_SENT.format(language="German") in saved.text and "updated" not in saved.text
    assert await rows(h, DeliveryUpdateRow) == []
    await h.deliver()
    assert "**Neue Preise**" in _text(h, "berlin") and not h.posts("berlin")[0].edited
    assert "**New prices**" in _text(h, "acme")


async def test_remove_drops_a_language_before_and_after_sending(harness: Harness) -> None:
    """`translate <id> <lang> remove`: before sending, German partners get the default text and the
    German words are no longer found; after sending, delivered copies keep theirs and the reply says
    so; removing a language that has no text is refused in a sentence."""
    h = harness
    await _partners(h)
    draft = id_from(await h.admin('broadcast topic:pricing title:"New prices" The new price lists are out.'))
    assert not (await h.admin(f"translate {draft} de {GERMAN[0]} {GERMAN[1]}")).is_error
    assert not (await h.admin(f'translate {draft} fr title:"Nouveaux prix" Les listes sont là.')).is_error

    removed = await h.admin(f"translate {draft} de remove")
    assert removed.text == m.TRANSLATION_REMOVED.format(language="German", id=draft), removed.text
    nothing = await h.admin(f"translate {draft} de remove")
    assert nothing.is_error
    assert nothing.text == m.TRANSLATION_NOTHING_TO_REMOVE.format(language="German", id=draft)
    assert [v.language for v in await rows(h, AnnouncementVariantRow)] == ["fr"]

    assert not (await h.admin(f"send {draft}")).is_error
    await h.deliver()
    assert "**New prices**" in _text(h, "berlin")  # the default text now
    assert "**Nouveaux prix**" in _text(h, "paris")
    found = await h.partner("berlin", "news search Preislisten")
    with reading("de"):  # Berlin reads German
        assert found.text == m.NO_SEARCH_RESULTS.format(words="Preislisten"), found.text

    after = await h.admin(f"translate {draft} fr remove")
    assert after.text == m.TRANSLATION_REMOVED.format(
        language="French", id=draft
    ) + m.TRANSLATION_REMOVED_SENT.format(language="French", id=draft)
    assert "**Nouveaux prix**" in _text(h, "paris")  # a delivered copy is not touched
    assert await rows(h, AnnouncementVariantRow) == []
