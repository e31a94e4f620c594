"""Feedback as typed results (issue 12): bot/services/feedback.py returns a question asked, an answer
queued (and whether its announcement was recalled), the open questions, a counted Helpful press — or
a `Refused` with its code and the numbers its sentence names; bot/presenter/ words it, and the chat
reply carries the same code.

Runs on SQLite and PostgreSQL (the `harness` fixture); the chat goes through the local adapter.
"""

from __future__ import annotations

from bot import messages as m
from bot.domain import Platform, Refusal, RefusalCode
from bot.presenter import present
from bot.results import HelpfulCounted, OpenQuestions, QuestionAnswered, QuestionAsked, Refused
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import admin_posts, broadcast_and_send, setup_topics


async def _acme_and_birch(h: Harness) -> str:
    """acme and birch follow `security` and got announcement #1; the id of acme's copy."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, "topic:security title:Patch", "Please patch.")
    await h.deliver()
    return h.posts("acme")[0].id


async def test_questions_and_answers_are_typed_results(harness: Harness) -> None:
    h = harness
    await _acme_and_birch(h)
    f = h.app.bot.feedback
    channel = await h.app.bot.partners.channel(h.local.invocation("pat", "acme"))
    asked = await f.ask(h.local.invocation("pat", "acme"), channel.id, "Is v2 affected?")
    assert asked == QuestionAsked(1)
    assert (await h.partner("birch", "ask Where is the portal?")).text == present(QuestionAsked(2)).text
    listed = await f.open_questions()
    assert isinstance(listed, OpenQuestions) and [q.id for q in listed.questions] == [1, 2]
    assert (await h.admin("questions")).text == present(listed).text
    too_long = await f.ask(h.local.invocation("pat", "acme"), channel.id, "x" * 3001)
    assert too_long == Refused(RefusalCode.TOO_LONG, "question", limit=3000)
    reply = await h.partner("acme", "ask " + "x" * 3001)
    assert reply.refusal == Refusal(RefusalCode.TOO_LONG, "question")
    assert reply.text == m.QUESTION_TOO_LONG.format(max=3000)

    admin = h.local.invocation(ADMIN, ADMIN_CHANNEL)
    assert await f.answer(admin, 1, "Yes.") == QuestionAnswered(1, "Acme")
    assert await f.answer(admin, 99, "Yes.") == Refused(RefusalCode.NO_SUCH_QUESTION, question_id=99)
    assert await f.answer(admin, 2, "  ") == Refused(RefusalCode.MISSING, "answer")
    reply = await h.admin("answer 99 Yes.")
    assert reply.text == m.NO_SUCH_QUESTION.format(id=99)
    assert reply.refusal == Refusal(RefusalCode.NO_SUCH_QUESTION)
    assert [q.id for q in (await f.open_questions()).questions] == [2]


async def test_admin_thread_replies_return_the_answer_or_which_question_is_meant(harness: Harness) -> None:
    h = harness
    acme = await _acme_and_birch(h)
    birch = h.posts("birch")[0].id
    for channel, post, text in (("acme", acme, "Is v2 affected?"), ("birch", birch, "Reboot needed?")):
        asked = await h.local.say("pat", channel, text, thread=post)
        assert asked is not None and not asked.is_error
    await h.deliver()
    heading = admin_posts(h)[0].id
    f, admin = h.app.bot.feedback, h.local.invocation(ADMIN, ADMIN_CHANNEL)
    assert await f.admin_thread_reply(admin, heading, "Yes.") == Refused(
        RefusalCode.WHICH_QUESTION, ids=(1, 2)
    )
    reply = await h.local.say(ADMIN, ADMIN_CHANNEL, "Yes.", thread=heading)
    assert reply is not None and reply.refusal == Refusal(RefusalCode.WHICH_QUESTION)
    assert reply.text == m.WHICH_QUESTION.format(ids="#1, #2")
    unknown = await f.admin_thread_reply(admin, heading, "#99 Yes.")
    assert unknown == Refused(RefusalCode.NO_SUCH_QUESTION, question_id=99, ids=(1, 2), suggestion="1")
    assert present(unknown).text == m.NO_SUCH_QUESTION_HERE.format(id=99, ids="#1, #2", first=1)
    assert await f.admin_thread_reply(admin, heading, "#2 No.") == QuestionAnswered(2, "Birch")
    assert not (await h.admin("recall 1")).is_error
    recalled = await f.admin_thread_reply(admin, heading, "v2 is fine.")
    assert recalled == Refused(RefusalCode.QUESTION_RECALLED, question_id=1, announcement_id=1)
    assert await f.answer(admin, 1, "v2 is fine.") == QuestionAnswered(1, "Acme", recalled=1)


async def test_helpful_is_counted_or_refused_as_not_an_announcement(harness: Harness) -> None:
    h = harness
    acme = await _acme_and_birch(h)
    f = h.app.bot.feedback
    counted = await f.helpful(platform=Platform.LOCAL, channel="acme", message=acme, user="pat")
    assert counted == HelpfulCounted()
    chatter = h.workspace.add("acme", "pat", "hello team")
    missed = await f.helpful(platform=Platform.LOCAL, channel="acme", message=chatter.id, user="pat")
    assert missed == Refused(RefusalCode.NOT_AN_ANNOUNCEMENT)
    reply = await h.app.bot.helpful(platform=Platform.LOCAL, channel="acme", message=chatter.id, user="pat")
    assert reply.text == m.NOT_AN_ANNOUNCEMENT and reply.refusal == Refusal(RefusalCode.NOT_AN_ANNOUNCEMENT)
