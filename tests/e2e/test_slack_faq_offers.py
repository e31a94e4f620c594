"""Answers that already exist (issue 18) in Slack: a thread question that matches an answered one is
offered it in an ephemeral message with "This answers it" / "Ask the team anyway", pressed through
the real slack-bolt app against the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import Seat, SlackWorld, open_world
from tests.fakes.slack import Ephemeral, Message


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing")
        yield w


async def _answered_elsewhere(world: SlackWorld) -> tuple[Seat, Message]:
    """acme asked about deal registration under the announcement and the team answered; globex,
    who got the same announcement, is returned with its copy."""
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    globex = await world.partner("globex", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Deals" Deal registration moves to the portal.')
    await world.deliver()
    [acme_post] = world.bot_posts(acme.channel)
    [globex_post] = world.bot_posts(globex.channel)
    await world.events.message(
        acme.channel.id, acme.user.id, "How do I register a deal in the portal?", thread_ts=acme_post.ts
    )
    await world.wait_for(lambda: world.ephemerals(acme.user), "the question's receipt")
    await world.deliver()
    await world.admin("answer 1 Open Deals, then New registration.")
    await world.deliver()
    return globex, globex_post


async def _offer(world: SlackWorld, seat: Seat, post: Message, text: str) -> Ephemeral:
    await world.events.message(seat.channel.id, seat.user.id, text, thread_ts=post.ts)
    [offer] = await world.wait_for(lambda: world.ephemerals(seat.user), "the offer")
    return offer


def _buttons(offer: Ephemeral) -> list[tuple[str, str]]:
    found = []
    for block in offer.blocks or []:
        elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
        found += [(e["action_id"], e["value"]) for e in elements if e.get("type") == "button"]
    return found


async def test_this_answers_it_closes_the_question_privately(world: SlackWorld) -> None:
    globex, post = await _answered_elsewhere(world)
    admin_posts = len(world.fake.messages(world.admin_channel.id))
    offer = await _offer(world, globex, post, "Where can I register a deal, in the portal?")
    assert offer.text.startswith("💡 This may already be answered") and offer.thread_ts == post.ts
    assert "Open Deals, then New registration." in str(offer.blocks)
    assert "How do I register" not in str(offer.blocks)  # another partner's question is not shown
    assert _buttons(offer) == [("faq_used", "2-1"), ("faq_ask", "2")]
    await world.deliver()
    assert len(world.fake.messages(world.admin_channel.id)) == admin_posts  # not relayed (yet)

    url = await world.press_ephemeral(
        {"action_id": "faq_used", "value": "2-1", "block_id": "b1"},
        channel=globex.channel,
        user=globex.user,
        message_ts=offer.message_ts,
    )
    done = (await world.wait_for(lambda: world.fake.response_url_posts(url), "the confirmation"))[0]
    assert done["response_type"] == "ephemeral"
    assert done["text"] == m.FAQ_SELF_SERVED.format(id=2)
    again_url = await world.press_ephemeral(
        {"action_id": "faq_used", "value": "2-1", "block_id": "b1"},
        channel=globex.channel,
        user=globex.user,
        message_ts=offer.message_ts,
    )
    again = (await world.wait_for(lambda: world.fake.response_url_posts(again_url), "the second press"))[0]
    assert again["text"] == m.FAQ_ALREADY_SELF_SERVED.format(id=2)
    await world.deliver()
    assert len(world.fake.messages(world.admin_channel.id)) == admin_posts
    assert world.bot_posts(globex.channel, thread=post.ts) == []  # nothing public


async def test_ask_the_team_anyway_relays_it(world: SlackWorld) -> None:
    globex, post = await _answered_elsewhere(world)
    offer = await _offer(world, globex, post, "Can a deal be registered in the portal by a distributor?")
    assert ("faq_ask", "2") in _buttons(offer)
    url = await world.press_ephemeral(
        {"action_id": "faq_ask", "value": "2", "block_id": "b2"},
        channel=globex.channel,
        user=globex.user,
        message_ts=offer.message_ts,
    )
    relayed = (await world.wait_for(lambda: world.fake.response_url_posts(url), "the confirmation"))[0]
    assert relayed["text"] == m.FAQ_RELAYED.format(id=2)
    await world.deliver()
    assert any(
        "Question #2" in message.text and "by a distributor" in message.text
        for message in world.fake.messages(world.admin_channel.id)
    )
