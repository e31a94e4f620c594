"""Proactive and reactive partner actions (engagement events) in `stats`: per announcement and per
topic, on SQLite and PostgreSQL, with numbers counted by hand."""

from __future__ import annotations

from adapters.local.workspace import Message
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, setup_topics


def _titled(h: Harness, channel: str, title: str) -> Message:
    (post,) = [p for p in h.posts(channel) if p.text.startswith(f"**{title}**")]
    return post


async def _a_week(h: Harness) -> int:
    """acme (gold) follows security+pricing, birch (silver) security; one announcement on security:
    acme reacts to it and pulls `news security`, birch asks about it and is answered."""
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")  # joined: proactive, no topic, no announcement
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security pricing")  # subscribed twice: proactive, security and pricing
    await h.subscribe("birch", "security")  # subscribed: proactive, security
    announcement = await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert await h.local.react("pat", _titled(h, "acme", "Patch"), "thumbsup")  # reactive, #1
    await h.local.say("bo", "birch", "Does this cover 4.2?", thread=_titled(h, "birch", "Patch").id)
    await h.deliver()  # question_asked: proactive, #1
    await h.admin("answer 1 Yes.")  # answer_received: reactive, #1
    await h.deliver()
    await h.partner("acme", "news security")  # news_pulled: proactive, security
    return announcement


async def test_stats_split_proactive_from_reactive(harness: Harness) -> None:
    h = harness
    announcement = await _a_week(h)

    stats = await h.app.bot.analytics.announcement(announcement)
    assert stats is not None
    assert (stats.proactive, stats.reactive) == (1, 2)  # the question; the reaction and the answer
    topics = {t.slug: (t.proactive, t.reactive) for t in await h.app.bot.analytics.topics()}
    # security: 2 subscriptions + 1 news pull + the question on #1; the reaction and answer on #1.
    assert topics == {"security": (4, 2), "pricing": (1, 0)}

    detail = await h.admin(f"stats {announcement}")
    assert "• partner actions: 1 proactive action, 2 reactive actions" in detail.text.splitlines()
    overview = (await h.admin("stats")).text.splitlines()
    assert any(line.endswith("1 question, 1 proactive action, 2 reactive actions") for line in overview)
    assert (
        "• `pricing`: 0 announcements, 0 delivered, 0 reactions, 0 questions, 1 proactive action, "
        "0 reactive actions" in overview
    )


async def test_partner_card_shows_announcements_received_against_actions(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _a_week(h)
    acme = (await h.admin("partner Acme")).text.splitlines()
    # acme: joined, 2 subscriptions, 1 news pull; 1 reaction; 1 delivery in 30 days = 7/30 a week.
    assert acme[-1] == (
        "• last 30 days: 1 announcement received (0.2 a week) · 4 proactive actions, 1 reactive action"
    )
    birch = (await h.admin("partner Birch")).text.splitlines()
    # birch: joined, 1 subscription, 1 question; the answer it received.
    assert birch[-1] == (
        "• last 30 days: 1 announcement received (0.2 a week) · 3 proactive actions, 1 reactive action"
    )
    clock.advance(31 * 86400)  # all of it is older than the window now
    assert (await h.admin("partner Acme")).text.splitlines()[-1] == (
        "• last 30 days: 0 announcements received (0.0 a week) · 0 proactive actions, 0 reactive actions"
    )


async def test_topics_show_deliveries_against_actions(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _a_week(h)
    lines = (await h.admin("topics")).text.splitlines()
    # security: #1 delivered to acme and birch; 2 subscriptions, the news pull and the question on #1;
    # the reaction and the answer on #1. pricing: acme's subscription only.
    assert lines[1:] == [
        "• `pricing` — Pricing news · 1 channel follows it · last 30 days: 0 delivered, "
        "1 proactive action, 0 reactive actions",
        "• `security` — Security news · 2 channels follow it · last 30 days: 2 delivered, "
        "4 proactive actions, 2 reactive actions",
    ]
    clock.advance(31 * 86400)
    assert (
        (await h.admin("topics"))
        .text.splitlines()[2]
        .endswith("last 30 days: 0 delivered, 0 proactive actions, 0 reactive actions")
    )
