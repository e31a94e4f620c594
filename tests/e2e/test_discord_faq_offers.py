"""Answers that already exist (issue 18) on Discord: a question from the "Ask a question" modal that
matches an answered one gets an ephemeral offer with "This answers it" / "Ask the team anyway"
(`pb:faq_used:<question>-<answer>`, `pb:faq_ask:<question>`), pressed through discord.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from tests.e2e.discord_world import DiscordWorld, discord_world, eventually
from tests.fakes.discord import Message
from tests.fakes.discord_rest import walk_components

EPHEMERAL = 64


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(database_url, partners=("acme",)) as w:
        yield w


async def _ask(world: DiscordWorld, delivered: Message, text: str) -> Message:
    """Ask through the button and its modal; the (deferred, ephemeral) answer's message."""
    ask = world.fake.push_component(delivered.id, "partnerbot:ask", user_id=world.acme.member.user.id)
    await world.fake.interaction_response(ask.id)
    submit = world.fake.push_modal_submit(ask.id, {"question": text})
    answered = await world.answer(submit)
    assert answered["data"]["flags"] & EPHEMERAL
    assert submit.original_message_id  # deferred, then the answer edited in
    return world.fake.messages[submit.original_message_id]


async def _answered_once(world: DiscordWorld) -> Message:
    await world.add_topic("pricing", "Pricing")
    await world.link(world.acme, tier="gold")
    await world.subscribe(world.acme, "pricing")
    announcement = await world.broadcast("pricing", "Deals", "Deal registration moves to the portal.")
    await world.send(announcement)
    (delivered,) = await world.wait_posts(world.acme.channel)
    first = await _ask(world, delivered, "How do I register a deal in the portal?")
    assert "your question (#1) went to the vendor team" in first.content
    await world.app.worker.drain()
    answered = await world.slash(
        "partner-admin answer",
        {"question": 1, "text": "Open Deals, then New registration."},
        channel=world.admin_channel,
        user=world.admin,
    )
    assert "on its way" in answered["data"]["content"]
    await world.app.worker.drain()
    return delivered


async def test_offer_and_this_answers_it(world: DiscordWorld) -> None:
    delivered = await _answered_once(world)
    offer = await _ask(world, delivered, "Where do I register a deal in the portal?")
    assert offer.content.startswith("💡 This may already be answered")
    assert "How do I register a deal in the portal?" in offer.content  # their own question
    assert "Open Deals, then New registration." in offer.content
    ids = [c["custom_id"] for c in walk_components(offer.components) if "custom_id" in c]
    assert ids == ["pb:faq_used:2-1", "pb:faq_ask:2"]

    pressed = world.fake.push_component(offer.id, "pb:faq_used:2-1", user_id=world.acme.member.user.id)
    done = await world.answer(pressed)
    assert done["data"]["flags"] & EPHEMERAL
    assert done["data"]["content"] == m.FAQ_SELF_SERVED.format(id=2)
    again = world.fake.push_component(offer.id, "pb:faq_ask:2", user_id=world.acme.member.user.id)
    assert (await world.answer(again))["data"]["content"] == m.FAQ_ALREADY_SELF_SERVED.format(id=2)
    question = await world.app.stores.feedback.question(2)
    assert question is not None and question.status.value == "self_served"


async def test_ask_the_team_anyway(world: DiscordWorld) -> None:
    delivered = await _answered_once(world)
    offer = await _ask(world, delivered, "Can distributors register a deal in the portal?")
    pressed = world.fake.push_component(offer.id, "pb:faq_ask:2", user_id=world.acme.member.user.id)
    assert (await world.answer(pressed))["data"]["content"] == m.FAQ_RELAYED.format(id=2)

    async def relayed() -> bool:
        question = await world.app.stores.feedback.question(2)
        return question is not None and question.status.value == "open" and bool(question.admin_thread)

    await eventually(relayed)
