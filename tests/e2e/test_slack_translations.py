"""Translated announcements through the Slack fake: `/partner-admin translate` adds a German text, the
preview names the languages that get the default, and each partner channel receives its own
language's Block Kit message — the German partner the German variant, the English one the default —
and `update-sent` edits the German copy in place (chat.update) while the English one stays."""

from __future__ import annotations

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import open_world


async def test_a_german_partner_gets_the_german_variant_and_an_english_one_the_default(
    database_url: str, clock: FakeClock
) -> None:
    async with open_world(database_url, clock) as world:
        await world.topics("pricing")
        berlin = await world.partner("berlin", tier="gold", follows=("pricing",), language="de")
        acme = await world.partner("acme", tier="gold", follows=("pricing",))
        paris = await world.partner("paris", tier="gold", follows=("pricing",), language="fr")

        [preview] = await world.admin('broadcast topic:pricing title:"New prices" The lists are **out**.')
        assert (
            "1 partner reads German; no German text yet, so they get the default (English)."
            in preview["text"]
        )
        [saved] = await world.admin('translate 1 de title:"Neue Preise" Die Listen sind **da**.')
        assert saved["text"].startswith("🌐 German text added to announcement #1: “Neue Preise”.")
        [listed] = await world.admin("translations 1")
        assert "German (`de`): “Neue Preise” — read by 0 channels" in listed["text"]
        [sent] = await world.admin("send 1")
        assert "Sending announcement" in sent["text"], sent
        await world.deliver()

        [german] = world.bot_posts(berlin.channel)
        header, body = (german.blocks or [])[:2]
        assert header["text"]["text"] == "Neue Preise" and body["text"]["text"].startswith(
            "Die Listen sind *da*."
        )
        for seat in (acme, paris):  # English, and French with no French text: the default
            [english] = world.bot_posts(seat.channel)
            header, body = (english.blocks or [])[:2]
            assert header["text"]["text"] == "New prices" and body["text"]["text"].startswith(
                "The lists are *out*."
            )

        [updated] = await world.admin('translate 1 de update-sent title:"Neue Preise!" Jetzt gültig.')
        assert "1 copy already delivered in German will be updated in place" in updated["text"]
        await world.deliver()
        [german] = world.bot_posts(berlin.channel)
        assert (german.blocks or [])[0]["text"]["text"] == "Neue Preise!"
        assert (world.bot_posts(acme.channel)[0].blocks or [])[0]["text"]["text"] == "New prices"
