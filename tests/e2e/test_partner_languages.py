"""A bot that speaks the partner's language (issue 17), end to end through the fakes.

A German Slack partner and a Japanese Discord partner get help and confirmations in their language
(commands stay English words), receive the German/Japanese variant of one broadcast and the default
text of another (the preview counting the fallback), with partnerbot's own buttons in their
language; the German partner's question reaches the admins with its language named (admin text in
English), the answer comes back in German, and the German digest is German.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from tests.conftest import FakeClock
from tests.e2e.discord_world import DiscordWorld, discord_world
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.discord_rest import walk_components


async def _say(world: SlackWorld, seat_name: str, text: str) -> str:
    seat = world.seats[seat_name]
    answers = await world.command("/partner", text, channel=seat.channel, user=seat.user)
    return "\n".join(str(a.get("text", "")) for a in answers)


async def test_a_german_slack_partner_reads_partnerbot_in_german(database_url: str, clock: FakeClock) -> None:
    async with open_world(database_url, clock) as world:
        await world.topics("pricing", "security")
        berlin = await world.partner("berlin", tier="gold", language="de")
        acme = await world.partner("acme", tier="gold", follows=("pricing", "security"))

        helped = await _say(world, "berlin", "help")
        assert "partnerbot — was Sie in diesem Kanal tun können" in helped
        assert "`subscribe all` — Themen folgen" in helped  # the command words stay English
        subscribed = await _say(world, "berlin", "subscribe pricing security")
        assert "Dieser Kanal erhält jetzt Ankündigungen zu" in subscribed
        refused = await _say(world, "berlin", "settings language klingonisch")
        assert "„klingonisch“ ist kein Sprach-Tag, das ich kenne" in refused
        unknown = await _say(world, "berlin", "subscrbe pricing")
        assert "Unbekannter Befehl „subscrbe“ — meinten Sie „subscribe“?" in unknown
        shown = await _say(world, "berlin", "settings")
        assert "• Sprache: Deutsch (`de`, die Sprache Ihrer Organisation)" in shown

        # One broadcast with a German text, one without: the preview counts the German fallback.
        [preview] = await world.admin('broadcast topic:pricing title:"New prices" The lists are out.')
        assert "1 partner reads German; no German text yet" in preview["text"]  # admin text: English
        await world.admin('translate 1 de title:"Neue Preise" Die Listen sind da.')
        assert "Sending announcement" in (await world.admin("send 1"))[0]["text"]
        await world.broadcast('topic:security title:"Patch 5.2" Please upgrade this week.')
        await world.deliver()
        german, fallback = world.bot_posts(berlin.channel)
        assert (german.blocks or [])[0]["text"]["text"] == "Neue Preise"
        assert (fallback.blocks or [])[0]["text"]["text"] == "Patch 5.2"
        for post in (german, fallback):  # partnerbot's own words under the text: German
            words = json.dumps(post.blocks)
            assert "Frage stellen" in words and "Ask a question" not in words
        for post in world.bot_posts(acme.channel):
            assert "Ask a question" in json.dumps(post.blocks)
        news = await _say(world, "berlin", "news")
        assert "Die 2 neuesten Ankündigungen:" in news and "Neue Preise" in news and "New prices" not in news

        # A question: relayed to the admins in English, naming the partner's language.
        asked = await _say(world, "berlin", "ask Gilt das auch für Österreich?")
        assert "📨 Danke — Ihre Frage (#1) ging an das Hersteller-Team." in asked
        await world.deliver()
        relayed = [m for m in world.fake.messages(world.admin_channel.id) if "Question #1" in m.text]
        assert relayed and "reads German" in relayed[0].text
        assert "Gilt das auch für Österreich?" in relayed[0].text  # the partner's words, kept
        [queued] = await world.admin("answer 1 Ja, ab sofort.")
        assert queued["text"].startswith("✅ Answer to question #1 is on its way to berlin.")
        await world.deliver()
        answers = [m for m in world.fake.messages(berlin.channel.id) if "Ja, ab sofort." in m.text]
        assert answers and "Antwort von" in answers[0].text

        # A daily digest: its heading German, its wording too.
        assert "Gespeichert:" in await _say(world, "berlin", "settings mode daily")
        await world.broadcast('topic:pricing title:"Webinar" Join us on Friday.')
        await world.deliver()
        clock.advance(timedelta(days=1).total_seconds())
        assert await world.app.digests.create_due() >= 1
        await world.deliver()
        digest = world.bot_posts(berlin.channel)[-1]
        assert "Tägliche Zusammenfassung" in json.dumps(digest.blocks, ensure_ascii=False)
        assert "1 Ankündigung" in json.dumps(digest.blocks, ensure_ascii=False)


@pytest.fixture
async def tokyo(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("tokyo", "acme")) as w:
        yield w


async def test_a_japanese_discord_partner_reads_partnerbot_in_japanese(tokyo: DiscordWorld) -> None:
    world = tokyo
    space, acme = world.partners["tokyo"], world.partners["acme"]
    await world.add_topic("pricing", "Pricing")
    await world.add_topic("security", "Security")
    await world.link(space, tier="gold")  # a partner with no language of its own

    async def partner(command: str, locale: str = "ja", **options: object) -> str:
        answer = await world.slash(
            f"partner {command}", options, channel=space.channel, user=space.manager, locale=locale
        )
        return str(answer["data"]["content"])

    # No setting anywhere: the interaction's locale decides.
    assert "partnerbot — このチャンネルでできること" in await partner("help")
    assert "partnerbot — what you can do in this channel" in await partner("help", locale="en-US")
    assert "のお知らせが届くようになりました" in await partner("subscribe", topics="pricing security")
    # The channel's own setting: replies and deliveries in Japanese, whatever the client's locale.
    set_here = await partner("settings", language="ja")
    assert "🌐 このチャンネルは今後日本語（`ja`）で表示されます" in set_here  # noqa: RUF001
    shown = await partner("settings", locale="en-US")
    assert "• 言語: 日本語（`ja`、このチャンネルで設定）" in shown  # noqa: RUF001
    await world.subscribe(acme, "pricing security")

    first = await world.broadcast("pricing", "New prices", "The lists are out.")
    await world.slash(
        "partner-admin translate",
        {"announcement": first, "language": "ja", "title": "新価格", "body": "価格表を公開しました。"},
        channel=world.admin_channel,
        user=world.admin,
    )
    await world.send(first)
    second = await world.broadcast("security", "Patch 5.2", "Please upgrade.")
    await world.send(second)
    await world.delivered(second, 2)
    japanese, fallback = await world.wait_posts(space.channel, 2)
    assert japanese.embeds[0]["title"].startswith("新価格")
    assert fallback.embeds[0]["title"].startswith("Patch 5.2")
    labels = [c.get("label") for c in walk_components(fallback.components)]
    assert "質問する" in labels and "Ask a question" not in labels
    assert "お知らせ #" in fallback.embeds[0]["footer"]["text"]
    english = world.bot_posts(acme.channel)[0]
    assert "Ask a question" in [c.get("label") for c in walk_components(english.components)]

    # The Ask button opens its modal in the channel's language.
    ask = world.fake.push_component(fallback.id, "partnerbot:ask", user_id=space.manager.user.id)
    modal = await world.fake.interaction_response(ask.id)
    assert modal["type"] == 9 and modal["data"]["title"] == "ベンダーチームに質問"


async def test_the_preview_counts_the_japanese_readers_who_get_the_default(tokyo: DiscordWorld) -> None:
    world = tokyo
    space = world.partners["tokyo"]
    await world.add_topic("security", "Security")
    await world.link(space, tier="gold")
    await world.slash("partner settings", {"language": "ja"}, channel=space.channel, user=space.manager)
    await world.slash("partner subscribe", {"topics": "security"}, channel=space.channel, user=space.manager)
    preview = await world.slash(
        "partner-admin broadcast",
        {"topics": "security", "title": "Patch 5.2", "body": "Please upgrade."},
        channel=world.admin_channel,
        user=world.admin,
    )
    assert "1 partner reads Japanese; no Japanese text yet" in preview["data"]["content"]


async def test_discord_shows_the_partner_commands_described_in_each_clients_language(
    tokyo: DiscordWorld,
) -> None:
    """The /partner descriptions as synced: localised per Discord locale from the partner catalogs
    (app_commands.Translator); the command and option names stay English, what partners type."""
    [partner] = [c for c in tokyo.fake.commands[None] if c["name"] == "partner"]
    assert partner["description_localizations"]["ja"].startswith("このチャンネルで受け取るベンダーのトピック")
    assert partner["description_localizations"]["de"].startswith("Themen des Herstellers")
    assert "en-US" not in partner["description_localizations"]  # English is the default text
    assert not partner["name_localizations"]
    news = next(o for o in partner["options"] if o["name"] == "news")
    count = next(o for o in news["options"] if o["name"] == "count")
    assert count["description"] == "How many (1 to 20)"
    assert count["description_localizations"]["fr"] == "Combien (de 1 à 20)"
    assert count["description_localizations"]["es-ES"] == "Cuántos (de 1 a 20)"
    assert not count.get("name_localizations")
