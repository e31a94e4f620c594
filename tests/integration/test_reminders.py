"""Reminders of unanswered partner questions: one per question, in the thread admins saw it in.

Driven by `run_job(app, "question-reminders")` on the fake clock (Tuesday 2026-11-24 09:00 UTC).
"""

from __future__ import annotations

import asyncio

from adapters.local.workspace import Message
from bot import messages as m
from bot.jobs import run_job
from storage.tables import NoticeRow, QuestionRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness, make_harness
from tests.integration.support import (
    PING_TEXT,
    admin_posts,
    assert_no_ping,
    broadcast_and_send,
    rows,
    setup_topics,
)


def reminders(h: Harness) -> list[Message]:
    return [post for post in admin_posts(h) if post.text.startswith("⏰")]


async def _questions(h: Harness) -> tuple[Message, Message]:
    """Acme (gold) asks in an announcement's thread (with pings) and asks a direct question; Birch
    (silver) asks too and is answered. Returns the admin thread heading and the direct question."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme @here", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    await h.local.say("pat", "acme", PING_TEXT, thread=h.posts("acme")[0].id)
    await h.partner("acme", "ask Can we get the slides?")
    await h.local.say("bo", "birch", "Which versions?", thread=h.posts("birch")[0].id)
    await h.deliver()
    assert not (await h.admin("answer 3 All of them.")).is_error
    heading = next(p for p in admin_posts(h) if p.text.startswith("💬 Partner questions"))
    direct = next(p for p in admin_posts(h) if "Can we get the slides?" in p.text)
    return heading, direct


async def test_one_reminder_per_question_after_a_day_in_its_thread(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    heading, direct = await _questions(h)
    clock.advance(hours=23, minutes=59)
    assert await run_job(h.app, "question-reminders") == ["2026-11-25T08:55Z"]
    await h.deliver()
    assert reminders(h) == []

    clock.advance(minutes=6)  # 24 h 5 min: the next period's run reminds of both open questions
    assert await run_job(h.app, "question-reminders") == ["2026-11-25T09:05Z"]
    await h.deliver()
    in_thread, about_direct = sorted(reminders(h), key=lambda post: post.text)
    assert in_thread.thread == heading.id  # the announcement's admin thread
    assert about_direct.thread == direct.id  # the direct question's own thread
    assert in_thread.text.startswith(
        "⏰ Question #1 from **Acme @\u200bhere** (gold, local) has waited 24 h for an answer"
        " (announcement #1):"
    )
    assert_no_ping(in_thread.text)
    assert in_thread.text.endswith(m.REMINDER_IN_THREAD.format(id=1))
    assert "Question #2 from **Acme @\u200bhere** (gold, local) has waited 24 h" in about_direct.text
    assert "Can we get the slides?" in about_direct.text
    # Answered in time: never reminded.
    assert not [post for post in reminders(h) if "#3" in post.text]

    # Later runs, restarts and repeated queuing add nothing: one reminder per question, ever.
    for _ in range(3):
        clock.advance(hours=6)
        await run_job(h.app, "question-reminders")
    service = h.app.bot.reminders
    assert await service.queue(now=clock.now()) == 0
    await h.deliver()
    assert len(reminders(h)) == 2
    keys = sorted(n.key for n in await rows(h, NoticeRow))
    assert keys == ["reminder:question:1", "reminder:question:2"]

    # Answering in the thread after the reminder works as before.
    reply = await h.local.say("alice", ADMIN_CHANNEL, "#1 Yes, 4.2 too.", thread=heading.id)
    assert reply is not None and not reply.is_error
    assert [q.status for q in await rows(h, QuestionRow)] == ["answered", "open", "answered"]


async def test_the_wait_is_configurable_and_processes_remind_once(sqlite_url: str, clock: FakeClock) -> None:
    h = await make_harness(sqlite_url, clock, question_reminder_hours=2)
    other = await make_harness(sqlite_url, clock, question_reminder_hours=2)
    try:
        await _questions(h)
        clock.advance(hours=2, minutes=5)
        await asyncio.gather(
            run_job(h.app, "question-reminders"),
            run_job(other.app, "question-reminders"),
            other.app.bot.reminders.queue(now=clock.now()),
        )
        await asyncio.gather(h.deliver(), other.deliver())
        posted = [p for w in (h, other) for p in reminders(w)]
        assert len(posted) == 2
        assert all("has waited 2 h for an answer" in post.text for post in posted)
    finally:
        await other.close()
        await h.close()


async def test_a_question_not_relayed_yet_is_reminded_at_the_top_level(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    await h.admin("topic add security Security")  # registers the admin channel
    await h.partner("acme", "ask Where is the price list?")
    # Its relay never went out (no worker ran): the question has no admin thread to remind in.
    clock.advance(days=3)
    queued = await h.app.bot.reminders.queue(now=clock.now())
    assert queued == 1
    (notice,) = await rows(h, NoticeRow)
    assert notice.thread is None and notice.channel == ADMIN_CHANNEL
    assert notice.text.endswith(m.REMINDER_ANSWER.format(id=1))
    assert "has waited 3 d 0 h" in notice.text
