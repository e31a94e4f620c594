"""`news search <words>` and its "Show" button, on SQLite (FTS5) and PostgreSQL (tsvector).

What a channel may find follows `news`: sent (not recalled) announcements whose audience includes its
partner, plus any delivered to it; of any age and any topic. Ranking: relevance (title above body),
then newest.
"""

from __future__ import annotations

from bot import messages as m
from bot.commands import SearchNews
from bot.domain.conversation import Reply
from bot.domain.search import QueryProblem, SearchQuery, parse_query
from bot.grammar import search_problem
from bot.presenter import SHOW_ACTION
from storage.tables import EngagementEventRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, rows, setup_topics


def titles(reply: Reply) -> list[str]:
    """The titles of the results, in order."""
    return [row.text.split("**")[1] for row in reply.rows]


async def member(h: Harness, channel: str, *, tier: str, language: str = "en") -> None:
    """A partner of `tier` whose channel follows every topic (so broadcasts reach someone)."""
    await h.join(channel, channel.capitalize(), tier=tier, language=language)
    assert not (await h.partner(channel, "subscribe all")).is_error


async def search(h: Harness, channel: str, words: str) -> Reply:
    reply = await h.partner(channel, f"news search {words}")
    assert not reply.is_error, reply.text
    return reply


async def test_ranked_by_relevance_then_newest(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "pricing", "security")
    await member(h, "acme", tier="gold")
    await broadcast_and_send(h, 'topic:pricing title:"Price list"', "Deal registration moves to the portal.")
    clock.advance(minutes=5)
    await broadcast_and_send(h, 'topic:security title:"Deal registration changes"', "Read the new rules.")
    clock.advance(minutes=5)
    await broadcast_and_send(h, 'topic:pricing title:"Webinar"', "Deal registration webinar on Friday.")
    clock.advance(minutes=5)
    await broadcast_and_send(h, 'topic:pricing title:"Unrelated"', "Nothing to see.")

    reply = await search(h, "acme", "deal registration")
    # The title match first; among the body matches the newer first. Topics need no subscription.
    assert titles(reply) == ["Deal registration changes", "Webinar", "Price list"]
    assert m.NEWS_FOUND_HEADER(3, words="deal registration") in reply.text
    assert all(row.button is not None and row.button.action == SHOW_ACTION for row in reply.rows)
    assert "**Deal** **registration** webinar" in reply.rows[1].text or (
        "**Deal registration** webinar" in reply.rows[1].text
    )
    assert "`pricing`" in reply.rows[1].text


async def test_phrase_and_prefix(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    await broadcast_and_send(h, 'topic:pricing title:"One"', "Registration of a deal is now online.")
    await broadcast_and_send(h, 'topic:pricing title:"Two"', "The deal registration form changed.")

    assert titles(await search(h, "acme", '"deal registration"')) == ["Two"]
    assert sorted(titles(await search(h, "acme", "regist*"))) == ["One", "Two"]
    prefix = await search(h, "acme", '"deal regist*"')
    assert titles(prefix) == ["Two"]
    assert "**deal registration**" in prefix.rows[0].text
    none = await search(h, "acme", "registrations")
    assert none.text == m.NO_SEARCH_RESULTS.format(words="registrations")
    assert none.rows == ()


async def test_audience_rules(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "goldco", tier="gold")
    await member(h, "silverco", tier="silver")
    await broadcast_and_send(h, 'topic:pricing tier:gold title:"Gold margins"', "Rebate for gold.")
    await broadcast_and_send(h, 'topic:pricing title:"Everyone rebate"', "Rebate for all.")

    assert sorted(titles(await search(h, "goldco", "rebate"))) == ["Everyone rebate", "Gold margins"]
    # A silver partner never finds a gold-only announcement, nor can it open one by its id.
    assert titles(await search(h, "silverco", "rebate")) == ["Everyone rebate"]
    refused = await h.local.press("pat", "silverco", SHOW_ACTION, "1")
    assert refused.is_error and refused.text == m.SHOW_GONE
    # A channel of no partner sees announcements for everyone only.
    assert titles(await search(h, "lobby", "rebate")) == ["Everyone rebate"]


async def test_drafts_cancelled_and_recalled_are_not_found(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    await h.admin('broadcast topic:pricing title:"Draft rebate" not yet')
    await h.admin('broadcast topic:pricing title:"Cancelled rebate" never')
    await h.admin("cancel 2")
    sent = await broadcast_and_send(h, 'topic:pricing title:"Sent rebate"', "Rebate text.")
    assert titles(await search(h, "acme", "rebate")) == ["Sent rebate"]

    await h.deliver()
    assert not (await h.admin(f"recall {sent}")).is_error
    assert (await search(h, "acme", "rebate")).rows == ()
    gone = await h.local.press("pat", "acme", SHOW_ACTION, str(sent))
    assert gone.text == m.SHOW_GONE


async def test_edits_are_reindexed(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    sent = await broadcast_and_send(h, 'topic:pricing title:"Price list"', "Old wording about margins.")
    await h.deliver()
    assert not (await h.admin(f'edit {sent} title:"Price list" New wording about rebates.')).is_error

    assert (await search(h, "acme", "margins")).rows == ()
    assert titles(await search(h, "acme", "rebates")) == ["Price list"]


async def test_accents_and_japanese(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold", language="ja")
    await broadcast_and_send(h, 'topic:pricing title:"Café partners"', "Crème brûlée for Zürich.")
    assert not (await h.admin('broadcast topic:pricing title:"Tokyo price list" Out now.')).is_error
    translated = await h.admin(
        'translate 2 ja title:"新しい価格表" 新しい価格表を公開しました。詳細はポータルへ。'
    )
    assert not translated.is_error, translated.text
    assert not (await h.admin("send 2")).is_error

    # Accents either way round.
    assert titles(await search(h, "acme", "cafe")) == ["Café partners"]
    assert titles(await search(h, "acme", "creme BRULEE zurich")) == ["Café partners"]
    assert titles(await search(h, "acme", "Zürich")) == ["Café partners"]
    # Japanese: words are not separated by spaces; two characters and three both match.
    for words in ("価格", "価格表", "公開"):
        found = await search(h, "acme", words)
        assert titles(found) == ["新しい価格表"], words  # the channel reads the Japanese variant
        assert f"**{words}**" in found.rows[0].text
    shown = await h.local.press("pat", "acme", SHOW_ACTION, "2")
    assert "新しい価格表を公開しました" in shown.text
    # The default text is searchable too; the channel still reads its own language.
    assert titles(await search(h, "acme", "tokyo")) == ["新しい価格表"]


async def test_show_posts_the_whole_announcement_privately(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    body = "Rebates start in March. " + "More detail. " * 40
    await broadcast_and_send(h, 'topic:pricing cta:"Portal|https://example.com/p" title:"Rebates"', body)
    found = await search(h, "acme", "rebates")
    assert len(found.rows[0].text) < len(body)  # a snippet, not the body
    button = found.rows[0].button
    assert button is not None
    shown = await h.local.press("pat", "acme", button.action, button.value)
    assert shown.ephemeral and not shown.is_error
    assert body.strip() in shown.text
    assert [(link.label, link.url) for link in shown.links] == [("Portal", "https://example.com/p")]
    # The console writes the link out under the text (adapters/local/translate.py).
    said = h.workspace.in_channel("acme")[-1].text
    assert m.SHOW_LINK.format(label="Portal", url="https://example.com/p") in said


async def test_a_search_is_a_proactive_engagement_event(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    await search(h, "acme", "deal registration")
    events = await rows(h, EngagementEventRow, kind="news_searched")
    assert [(e.proactive, e.detail, e.user_id) for e in events] == [(True, "deal registration", "pat")]


async def test_discord_topic_option_narrows_the_search(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing", "security")
    await member(h, "acme", tier="gold")
    await broadcast_and_send(h, 'topic:pricing title:"Price rebate"', "Rebate.")
    await broadcast_and_send(h, 'topic:security title:"Security rebate"', "Rebate.")
    query = parse_query("rebate")
    assert isinstance(query, SearchQuery)
    inv = h.local.invocation("pat", "acme")
    reply = await h.app.bot.run_partner(inv, SearchNews("rebate", query, topic="security"))
    assert titles(reply) == ["Security rebate"]
    unknown = await h.app.bot.run_partner(inv, SearchNews("rebate", query, topic="securty"))
    assert unknown.is_error and "security" in unknown.text


async def test_bad_syntax_is_a_friendly_error(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    for words, problem in (
        ("", "empty"),
        ('"deal registration', "unclosed_quote"),
        ("reg*istration", "bad_star"),
        ("r*", "short_prefix"),
        ("*", "bad_star"),
    ):
        reply = await h.partner("acme", f"news search {words}")
        assert reply.is_error, words
        assert reply.text == search_problem(QueryProblem(problem))
        assert "`news search" in reply.text


async def test_delivered_copies_stay_findable_and_more_results_are_announced(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await member(h, "acme", tier="gold")
    gold_only = await broadcast_and_send(h, 'topic:pricing tier:gold title:"Gold rebate"', "Rebate.")
    await h.deliver()
    # Acme is silver now: the gold-only announcement no longer matches its audience, but it was
    # delivered to this channel, so it stays findable there.
    assert not (await h.admin('partner set "Acme" tier:silver')).is_error
    assert titles(await search(h, "acme", "rebate")) == ["Gold rebate"]
    assert (await h.local.press("pat", "acme", SHOW_ACTION, str(gold_only))).text.startswith(
        "**Gold rebate**"
    )

    for n in range(1, 7):
        await broadcast_and_send(h, f'topic:pricing title:"Rebate {n}"', "Rebate.")
    reply = await search(h, "acme", "rebate")
    assert len(reply.rows) == 5
    assert m.NEWS_FOUND_MORE.format(n=5) in reply.text
