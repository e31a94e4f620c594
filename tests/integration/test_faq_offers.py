"""Answers that already exist (issue 18), on SQLite (FTS5) and PostgreSQL (tsvector): a partner's
question first looks for answered ones; with a match the partner is offered them privately and the
question waits ("This answers it" closes it, "Ask the team anyway" or the wait relays it); with none
it is relayed as it always was.

Every test runs with both matchers (PARTNERBOT_SIMILARITY): the full-text default and the embedding
one (adapters/similarity/) over a hashed bag of words (tests/encoders.py): the audience rules and the
offers must not depend on how questions are matched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from adapters.local.workspace import Message
from bot import messages as m
from bot.domain import Reply
from bot.domain.engagement import EngagementKind
from bot.presenter import FAQ_ASK_ACTION, FAQ_MARK_ACTION, FAQ_USED_ACTION
from bot.services.reports import render_actions, render_self_served
from storage.tables import AuditRow, EngagementEventRow, FaqDocumentRow, QuestionRow
from tests.conftest import FakeClock
from tests.encoders import HashedWords
from tests.harness import Harness, make_embedding_harness, make_harness
from tests.integration.support import admin_posts, broadcast_and_send, id_from, rows, setup_topics

DEAL_QUESTION = "How do I register a deal in the partner portal?"
DEAL_ANSWER = "Open the portal, choose Deals, then New registration."


@pytest.fixture(params=["fulltext", "embeddings"])
async def harness(
    request: pytest.FixtureRequest, database_url: str, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The conftest harness, with each matcher."""
    if request.param == "embeddings":
        h = await make_embedding_harness(database_url, clock, HashedWords())
    else:
        h = await make_harness(database_url, clock)
    yield h
    await h.close()


async def _members(h: Harness) -> None:
    """acme (gold), birch (silver), cedar (gold) follow `pricing`."""
    await setup_topics(h, "pricing")
    for channel, tier in (("acme", "gold"), ("birch", "silver"), ("cedar", "gold")):
        await h.join(channel, channel.capitalize(), tier=tier)
        assert not (await h.partner(channel, "subscribe pricing")).is_error


async def _announce(h: Harness, options: str = 'topic:pricing title:"Deals"') -> dict[str, Message]:
    await broadcast_and_send(h, options, "Deal registration moves to the portal.")
    await h.deliver()
    return {channel: h.posts(channel)[-1] for channel in ("acme", "birch", "cedar") if h.posts(channel)}


async def _ask(h: Harness, channel: str, post: Message, text: str) -> Reply:
    reply = await h.local.say("pat", channel, text, thread=post.id)
    assert reply is not None and not reply.is_error, reply
    return reply


async def _answered(h: Harness, channel: str, post: Message, question: str, answer: str) -> int:
    """`channel` asks under `post` (nothing to offer yet) and the team answers."""
    asked = await _ask(h, channel, post, question)
    assert asked.text == m.QUESTION_RECEIVED.format(id=id_from(asked)), asked.text
    question_id = id_from(asked)
    await h.deliver()
    assert not (await h.admin(f"answer {question_id} {answer}")).is_error
    await h.deliver()
    return question_id


def _offered(reply: Reply) -> int:
    assert reply.text.startswith(m.FAQ_OFFER_HEADER.format(id=id_from(reply))), reply.text
    assert [b.action for b in reply.buttons] == [FAQ_ASK_ACTION]
    return id_from(reply)


async def _status(h: Harness, question_id: int) -> str:
    return (await rows(h, QuestionRow, id=question_id))[0].status


async def test_no_match_is_relayed_with_no_extra_step(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    reply = await _ask(h, "birch", posts["birch"], "Is the webinar recorded for later viewing?")
    assert reply.text == m.QUESTION_RECEIVED.format(id=id_from(reply))
    assert reply.rows == () and reply.buttons == ()
    await h.deliver()
    assert "webinar recorded" in admin_posts(h)[-1].text


async def test_offer_then_this_answers_it(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    relayed_before = len(admin_posts(h))

    offer = await _ask(h, "birch", posts["birch"], "Where do I register a deal? Is it in the portal?")
    question_id = _offered(offer)
    # Another partner's question is never shown unless it is an FAQ: only the answer.
    assert len(offer.rows) == 1
    assert DEAL_ANSWER in offer.rows[0].text and "How do I register" not in offer.rows[0].text
    button = offer.rows[0].button
    assert button is not None
    assert (button.action, button.value) == (FAQ_USED_ACTION, f"{question_id}-{answered}")
    await h.deliver()
    assert len(admin_posts(h)) == relayed_before  # waiting on the partner's choice
    assert await _status(h, question_id) == "offered"

    done = await h.local.press("pat", "birch", FAQ_USED_ACTION, button.value)
    assert done.text == m.FAQ_SELF_SERVED.format(id=question_id)
    assert await _status(h, question_id) == "self_served"
    assert (await rows(h, FaqDocumentRow, question_id=answered))[0].served == 1
    events = await rows(h, EngagementEventRow, kind=EngagementKind.QUESTION_SELF_SERVED.value)
    assert len(events) == 1 and events[0].proactive and events[0].detail == str(answered)

    # Pressed again, or the other button after: where it stands, nothing counted or relayed twice.
    again = await h.local.press("pat", "birch", FAQ_USED_ACTION, button.value)
    assert again.text == m.FAQ_ALREADY_SELF_SERVED.format(id=question_id)
    anyway = await h.local.press("pat", "birch", FAQ_ASK_ACTION, str(question_id))
    assert anyway.text == m.FAQ_ALREADY_SELF_SERVED.format(id=question_id)
    await h.deliver()
    assert len(admin_posts(h)) == relayed_before
    assert (await rows(h, FaqDocumentRow, question_id=answered))[0].served == 1
    # `stats` and the weekly report: self-served against relayed.
    assert m.STATS_SELF_SERVED.format(self_served=1, relayed=1) in (await h.admin("stats 1")).text
    totals = await h.app.stores.reports.actions(
        since=h.app.clock.now() - timedelta(days=7), until=h.app.clock.now() + timedelta(seconds=1)
    )
    assert render_self_served(totals) == m.REPORT_SELF_SERVED.format(self_served=1, relayed=1)
    assert "1 question self-served" in render_actions(totals)


async def test_ask_the_team_anyway_relays_once(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    question_id = _offered(await _ask(h, "birch", posts["birch"], "Can I register a deal in the portal?"))

    relayed = await h.local.press("pat", "birch", FAQ_ASK_ACTION, str(question_id))
    assert relayed.text == m.FAQ_RELAYED.format(id=question_id)
    await h.deliver()
    assert f"Question #{question_id}" in admin_posts(h)[-1].text
    assert "Can I register a deal" in admin_posts(h)[-1].text
    assert await _status(h, question_id) == "open"
    twice = await h.local.press("pat", "birch", FAQ_ASK_ACTION, str(question_id))
    assert twice.text == m.FAQ_ALREADY_RELAYED.format(id=question_id)
    late = await h.local.press("pat", "birch", FAQ_USED_ACTION, f"{question_id}-1")
    assert late.text == m.FAQ_ALREADY_RELAYED.format(id=question_id)
    assert len([p for p in admin_posts(h) if f"Question #{question_id}" in p.text]) == 1


async def test_no_choice_relays_after_the_wait(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    offer = await _ask(h, "birch", posts["birch"], "Must every deal be registered in the portal?")
    question_id = _offered(offer)
    assert m.FAQ_OFFER_WAIT(15) in offer.text
    clock.advance(minutes=14)
    await h.deliver()
    assert await _status(h, question_id) == "offered"
    clock.advance(minutes=2)
    await h.deliver()
    assert f"Question #{question_id}" in admin_posts(h)[-1].text
    assert await _status(h, question_id) == "open"  # in `questions`, for the team to answer
    assert f"#{question_id}" in (await h.admin("questions")).text
    late = await h.local.press("pat", "birch", FAQ_USED_ACTION, f"{question_id}-1")
    assert late.text == m.FAQ_ALREADY_RELAYED.format(id=question_id)


async def test_buttons_from_elsewhere_or_garbled_are_refused_kindly(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    question_id = _offered(await _ask(h, "birch", posts["birch"], "Register a deal in the portal how?"))
    # Another channel, an answer that was not offered, garbage: nothing changes.
    other = await h.local.press("pat", "cedar", FAQ_USED_ACTION, f"{question_id}-{answered}")
    assert other.text == m.FAQ_OFFER_GONE and other.is_error
    unoffered = await h.local.press("pat", "birch", FAQ_USED_ACTION, f"{question_id}-{question_id}")
    assert unoffered.text == m.FAQ_OFFER_GONE
    for value in ("x", "1-2-3", "", "\uff19"):  # a full-width 9 is no id
        assert (await h.local.press("pat", "birch", FAQ_USED_ACTION, value)).text == m.BUTTON_EXPIRED
    assert (await h.local.press("pat", "birch", FAQ_ASK_ACTION, "1-2")).text == m.BUTTON_EXPIRED
    assert await _status(h, question_id) == "offered"


async def test_own_earlier_question_is_shown_with_its_words(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    offer = await _ask(h, "acme", posts["acme"], "Again: how to register a deal in the portal?")
    _offered(offer)
    assert DEAL_QUESTION in offer.rows[0].text and DEAL_ANSWER in offer.rows[0].text


async def test_faqs_reach_other_announcements_and_direct_questions(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    answered = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    # Not an FAQ: a direct question (`ask`) is not offered another announcement's answer.
    direct = await h.partner("birch", "ask How do I register a deal in the portal?")
    assert direct.text == m.QUESTION_RECEIVED.format(id=id_from(direct))
    await h.app.stores.faq.set_faq(answered, on=True, now=h.app.clock.now())
    offer = await h.partner("birch", "ask Register a deal: which portal page?")
    _offered(offer)
    assert DEAL_QUESTION in offer.rows[0].text  # an FAQ shows its wording
    # Edited wording is what partners see, and what is matched.
    await h.app.stores.faq.set_wording(
        answered, question="Deal registration: where?", answer="Portal → Deals → New.", now=h.app.clock.now()
    )
    edited = await h.partner("birch", "ask Where is deal registration?")
    _offered(edited)
    assert "Deal registration: where?" in edited.rows[0].text
    assert "Portal → Deals → New." in edited.rows[0].text


async def test_silver_never_sees_a_gold_only_announcements_answers(harness: Harness) -> None:
    h = harness
    await _members(h)
    gold = await _announce(h, 'topic:pricing tier:gold title:"Gold deals"')
    assert "birch" not in gold
    answered = await _answered(h, "acme", gold["acme"], DEAL_QUESTION, DEAL_ANSWER)
    await h.app.stores.faq.set_faq(answered, on=True, now=h.app.clock.now())
    # An FAQ from a gold-only announcement: offered to gold cedar, never to silver birch.
    assert (await h.partner("cedar", "ask How to register a deal in the portal?")).rows
    silver = await h.partner("birch", "ask How to register a deal in the portal?")
    assert silver.text == m.QUESTION_RECEIVED.format(id=id_from(silver))


async def test_accents_and_japanese(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(
        h, "acme", posts["acme"], "¿Cómo registro una oportunidad en el portal?", "Use el menú Oportunidades."
    )
    offer = await _ask(h, "acme", posts["acme"], "como registro oportunidad portal")
    _offered(offer)
    assert "Oportunidades" in offer.rows[0].text
    await _answered(
        h, "cedar", posts["cedar"], "請求書の送付先を変更したいです", "ポータルの設定から変更できます。"
    )
    japanese = await _ask(h, "cedar", posts["cedar"], "請求書の送付先はどこで変更しますか")
    _offered(japanese)
    assert "ポータルの設定" in japanese.rows[0].text
    unrelated = await _ask(h, "cedar", posts["cedar"], "ウェビナーの録画はありますか")
    assert unrelated.text == m.QUESTION_RECEIVED.format(id=id_from(unrelated))


async def test_offers_off(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    h.app.bot.settings.faq_offer_minutes = 0
    reply = await _ask(h, "birch", posts["birch"], "Where do I register a deal in the portal?")
    assert reply.text == m.QUESTION_RECEIVED.format(id=id_from(reply))


# --- the admin's side: `faq`, `faqs`, Mark as FAQ -------------------------------------------------


async def test_faq_commands_and_the_mark_as_faq_button(harness: Harness) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    asked = await _ask(h, "acme", posts["acme"], DEAL_QUESTION)
    await h.deliver()
    assert (await h.admin(f"faq {id_from(asked)}")).text == m.FAQ_NOT_ANSWERED.format(id=id_from(asked))
    # A question that does not exist is said to be missing, not "answer it first" (`answer 99` fails).
    for typed in ("faq 99", "faq 99 off", 'faq 99 question:"Q?" answer:"A."'):
        missing = await h.admin(typed)
        assert missing.is_error and missing.text == m.NO_SUCH_QUESTION.format(id=99), (typed, missing.text)
    confirmation = await h.admin(f"answer {id_from(asked)} {DEAL_ANSWER}")
    [mark] = confirmation.buttons
    assert (mark.label, mark.action, mark.value) == (m.MARK_FAQ_BUTTON, FAQ_MARK_ACTION, "1")
    assert (await h.admin("faqs")).text == m.NO_FAQS

    # A partner can't press it: the core's admin check, as for `faq 1` typed in their channel.
    refused = await h.local.press("pat", "acme", FAQ_MARK_ACTION, "1")
    assert refused.is_error
    marked = await h.local.press("alice", "admin", FAQ_MARK_ACTION, "1")
    assert marked.text.startswith(m.FAQ_MARKED.split("\n")[0].format(id=1))
    assert (await h.admin("faq 1")).text == m.FAQ_ALREADY.format(id=1)

    reworded = await h.admin('faq 1 question:"Deal registration: where?" answer:"Portal → Deals."')
    assert reworded.text == m.FAQ_REWORDED.format(
        id=1, question="Deal registration: where?", answer="Portal → Deals."
    )
    offer = await h.partner("birch", "ask Where is deal registration?")
    await h.local.press("pat", "birch", FAQ_USED_ACTION, f"{id_from(offer)}-1")
    assert (await h.admin("faqs")).text == (
        m.FAQS_HEADER(1)
        + "\n"
        + m.FAQ_LINE.format(id=1, question="Deal registration: where?", served=m.FAQ_SERVED(1))
    )
    assert (await h.admin("faq 1 off")).text == m.FAQ_UNMARKED.format(id=1)
    assert (await h.admin("faq 1 off")).text == m.FAQ_ALREADY_OFF.format(id=1)
    assert (await h.admin("faqs")).text == m.NO_FAQS
    # Every admin action is audited.
    actions = [row.action for row in await rows(h, AuditRow)]
    assert actions.count("faqmark") >= 4 and "faqedit" in actions and "faqs" in actions


async def test_retention_forgets_old_answers_but_keeps_faqs(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _members(h)
    posts = await _announce(h)
    kept = await _answered(h, "acme", posts["acme"], DEAL_QUESTION, DEAL_ANSWER)
    gone = await _answered(h, "acme", posts["acme"], "Is the webinar recorded?", "Yes, on the portal.")
    await h.app.stores.faq.set_faq(kept, on=True, now=clock.now())
    clock.advance(days=400)
    await h.app.stores.privacy.blank_before(clock.now(), placeholder="[removed]", reminder_prefix="reminder:")
    assert [row.question_id for row in await rows(h, FaqDocumentRow)] == [kept]
    assert gone != kept
