"""Feedback flowing back: reactions on deliveries, thread questions to admins, answers back to partners."""

from __future__ import annotations

import asyncio
import contextlib

from adapters.local.sender import Fault, LocalSender
from adapters.local.workspace import Message
from bot import messages as m
from bot.app import ProcessLimiter
from bot.domain import ChannelRef, MessageRef, Outgoing, Platform, RelayPost
from bot.ports import RateKey
from bot.services.delivery import DeliveryWorker, RetryPolicy
from storage.tables import AnswerRow, QuestionRow, ReactionRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import (
    PING_TEXT,
    SenderProxy,
    admin_posts,
    assert_no_ping,
    broadcast_and_send,
    replies_in_thread,
    rows,
    setup_topics,
)


async def _delivered(h: Harness, title: str = "Patch") -> tuple[Message, Message]:
    """acme (Acme, gold) and birch (Birch, silver) follow `security` and got one announcement."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, f'topic:security title:"{title}"', "Please patch.")
    await h.deliver()
    return h.posts("acme")[0], h.posts("birch")[0]


async def _ask_in_thread(h: Harness, channel: str, post: Message, text: str, user: str = "pat") -> None:
    reply = await h.local.say(user, channel, text, thread=post.id)
    assert reply is not None and not reply.is_error, reply
    assert reply.text.startswith("📨 Thanks — your question (#")


async def _stats(h: Harness, announcement_id: int = 1) -> str:
    return (await h.admin(f"stats {announcement_id}")).text


# --- reactions ----------------------------------------------------------------------------------


async def test_reactions_are_recorded_per_delivery_and_user(harness: Harness, clock: FakeClock) -> None:
    acme, birch = await _delivered(harness)
    assert await harness.local.react("pat", acme, "thumbsup")
    assert await harness.local.react("kim", acme, "thumbsup")
    assert await harness.local.react("pat", acme, "thumbsup")  # the same reaction twice counts once
    assert await harness.local.react("lee", birch, "tada")
    assert "reactions: thumbsup 2, tada 1" in await _stats(harness)

    clock.advance(minutes=5)
    assert await harness.local.react("kim", acme, "thumbsup", added=False)
    assert "reactions: tada 1, thumbsup 1" in await _stats(harness)

    # Removing a reaction never seen (added before the bot was installed) is harmless.
    assert await harness.local.react("zed", birch, "eyes", added=False)
    assert "eyes" not in await _stats(harness)

    # Adding it back makes it count again.
    assert await harness.local.react("kim", acme, "thumbsup")
    assert "reactions: thumbsup 2, tada 1" in await _stats(harness)

    recorded = {(r.delivery_id, r.user_id, r.emoji, r.active) for r in await rows(harness, ReactionRow)}
    assert len(recorded) == 3
    assert {(user, emoji) for _, user, emoji, _ in recorded} == {
        ("pat", "thumbsup"),
        ("kim", "thumbsup"),
        ("lee", "tada"),
    }
    assert len({delivery for delivery, _, _, _ in recorded}) == 2


async def test_reactions_on_other_messages_are_ignored(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    chatter = h.workspace.add("acme", "pat", "hello team")
    assert not await h.local.react("kim", chatter, "wave")
    command_reply = h.workspace.in_channel("acme", author="partnerbot")[0]
    assert command_reply.key is None  # a reply to a command, not a delivery
    assert not await h.local.react("kim", command_reply, "thumbsup")
    # A relayed question in the admin channel is not an announcement either.
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await h.deliver()
    for relayed in admin_posts(h):
        assert not await h.local.react(ADMIN, relayed, "eyes")
    # The same message id in another channel is not this delivery.
    moved = Message(acme.id, "birch", "partnerbot", acme.text)
    assert not await h.local.react("kim", moved, "thumbsup")
    assert await rows(h, ReactionRow) == []
    assert "reactions: none" in await _stats(h)


# --- questions in the announcement's thread -----------------------------------------------------


async def test_thread_questions_share_one_admin_thread_per_announcement(harness: Harness) -> None:
    acme, birch = await _delivered(harness, title="Patch Tuesday")
    await _ask_in_thread(harness, "acme", acme, "Is v2 affected?")
    await _ask_in_thread(harness, "birch", birch, "Do we need a reboot?", user="sam")
    assert admin_posts(harness) == []  # relayed by the worker, not inline
    await harness.deliver()

    heading, *relayed = admin_posts(harness)
    assert heading.thread is None
    assert heading.text == m.ADMIN_THREAD_HEADING.format(id=1, title="Patch Tuesday")
    assert [msg.thread for msg in relayed] == [heading.id, heading.id]
    first, second = relayed
    assert "**Acme** (gold, local) — pat" in first.text and "Is v2 affected?" in first.text
    assert "**Birch** (silver, local) — sam" in second.text and "Do we need a reboot?" in second.text
    assert [(q.admin_thread, q.partner_thread) for q in await rows(harness, QuestionRow)] == [
        (heading.id, acme.id),
        (heading.id, birch.id),
    ]

    # A later question on the same announcement joins the same thread.
    await _ask_in_thread(harness, "acme", acme, "And v1?", user="kim")
    await harness.deliver()
    later = admin_posts(harness)[-1]
    assert later.thread == heading.id and "And v1?" in later.text
    assert len([msg for msg in admin_posts(harness) if msg.thread is None]) == 1
    assert "questions: 3 asked, 0 answered" in await _stats(harness)


async def test_each_announcement_gets_its_own_admin_thread(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h, title="First")
    await broadcast_and_send(h, 'topic:security title:"Second"', "More.")
    await h.deliver()
    second = h.posts("acme")[-1]
    await _ask_in_thread(h, "acme", acme, "Q on first")
    await _ask_in_thread(h, "acme", second, "Q on second")
    await h.deliver()
    headings = [msg for msg in admin_posts(h) if msg.thread is None]
    assert [msg.text for msg in headings] == [
        m.ADMIN_THREAD_HEADING.format(id=1, title="First"),
        m.ADMIN_THREAD_HEADING.format(id=2, title="Second"),
    ]
    for heading, text in zip(headings, ("Q on first", "Q on second"), strict=True):
        (relayed,) = replies_in_thread(h, ADMIN_CHANNEL, heading.id)
        assert text in relayed.text


async def test_other_partner_messages_are_not_questions(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    assert await h.local.say("pat", "acme", "just chatting") is None
    chatter = h.workspace.add("acme", "kim", "lunch?")
    assert await h.local.say("pat", "acme", "sure", thread=chatter.id) is None
    assert await h.local.say("pat", "acme", "   ", thread=acme.id) is None
    too_long = await h.local.say("pat", "acme", "x" * 3001, thread=acme.id)
    assert too_long is not None and too_long.is_error and "3000" in too_long.text
    await h.deliver()
    assert admin_posts(h) == []
    assert await rows(h, QuestionRow) == []


# --- answers from the admin thread --------------------------------------------------------------


async def test_admin_reply_in_thread_answers_the_single_open_question(harness: Harness) -> None:
    acme, _ = await _delivered(harness)
    await _ask_in_thread(harness, "acme", acme, "Is v2 affected?")
    await harness.deliver()
    heading = admin_posts(harness)[0]

    reply = await harness.local.say(ADMIN, ADMIN_CHANNEL, "Yes, update to 2.3.", thread=heading.id)
    assert reply is not None and not reply.is_error
    assert reply.text == m.ANSWER_QUEUED.format(id=1, partner="Acme")
    await harness.deliver()
    in_thread = replies_in_thread(harness, "acme", acme.id)
    assert len(in_thread) == 1
    assert "Answer from alice" in in_thread[0].text and "Yes, update to 2.3." in in_thread[0].text
    assert "Is v2 affected?" in in_thread[0].text
    assert [q.status for q in await rows(harness, QuestionRow)] == ["answered"]
    assert "questions: 1 asked, 1 answered" in await _stats(harness)
    assert harness.posts("birch")[1:] == []  # nothing reached the other partner

    # Once everything is answered, a reply in the thread is admins talking: it is left alone.
    assert await harness.local.say(ADMIN, ADMIN_CHANNEL, "Nice, thanks.", thread=heading.id) is None
    await harness.deliver()
    assert len(replies_in_thread(harness, "acme", acme.id)) == 1
    assert len(await rows(harness, AnswerRow)) == 1

    # Naming the question still sends a follow-up to it.
    follow = await harness.local.say(ADMIN, ADMIN_CHANNEL, "#1 Also 2.2.9.", thread=heading.id)
    assert follow is not None and follow.text == m.ANSWER_QUEUED.format(id=1, partner="Acme")
    await harness.deliver()
    assert len(replies_in_thread(harness, "acme", acme.id)) == 2


async def test_a_question_number_not_in_the_thread_is_refused(harness: Harness) -> None:
    h = harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await h.partner("birch", "ask Where is the portal?")
    await h.deliver()
    heading = admin_posts(h)[0]

    unknown = await h.local.say(ADMIN, ADMIN_CHANNEL, "#99 Yes.", thread=heading.id)
    assert unknown is not None and unknown.is_error
    assert unknown.text == m.NO_SUCH_QUESTION_HERE.format(id=99, ids="#1", first=1)
    elsewhere = await h.local.say(ADMIN, ADMIN_CHANNEL, "#2 Yes.", thread=heading.id)
    assert elsewhere is not None and elsewhere.is_error
    assert elsewhere.text == m.QUESTION_NOT_IN_THREAD.format(id=2, ids="#1")
    await h.deliver()
    assert await rows(h, AnswerRow) == []
    assert replies_in_thread(h, "acme", acme.id) == [] and h.posts("birch")[1:] == []


async def test_answers_on_a_recalled_announcement_go_to_the_channel_quoting_the_question(
    harness: Harness,
) -> None:
    h = harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?\nAnd v1?")
    await h.deliver()
    heading = admin_posts(h)[0]
    assert not (await h.admin("recall 1")).is_error
    await h.deliver()

    refused = await h.local.say(ADMIN, ADMIN_CHANNEL, "Yes, update.", thread=heading.id)
    assert refused is not None and refused.is_error
    assert refused.text == m.ANSWER_ON_RECALLED.format(id=1, announcement=1)
    assert await rows(h, AnswerRow) == []

    queued = await h.admin("answer 1 Yes, update to 2.3.")
    assert queued.text == m.ANSWER_QUEUED_RECALLED.format(id=1, partner="Acme", announcement=1)
    await h.deliver()
    assert replies_in_thread(h, "acme", acme.id) == []
    (answer,) = [msg for msg in h.posts("acme") if msg.id != acme.id]
    assert answer.thread is None
    assert answer.text == m.ANSWER_RELAYED_RECALLED.format(
        admin="alice", question="Is v2 affected?\n> And v1?", answer="Yes, update to 2.3."
    )


async def test_an_answer_queued_before_the_recall_is_not_posted_under_the_deleted_copy(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await h.deliver()
    assert not (await h.admin("answer 1 Yes.")).is_error
    assert not (await h.admin("recall 1")).is_error
    await h.deliver()
    assert replies_in_thread(h, "acme", acme.id) == []
    answers = [msg for msg in h.posts("acme") if msg.thread is None and "Yes." in msg.text]
    assert len(answers) == 1 and "Is v2 affected?" in answers[0].text


async def test_with_several_open_questions_the_admin_picks_one(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, birch = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await _ask_in_thread(h, "birch", birch, "Reboot needed?")
    await h.deliver()
    heading = admin_posts(h)[0]

    which = await h.local.say(ADMIN, ADMIN_CHANNEL, "Yes.", thread=heading.id)
    assert which is not None and which.is_error
    assert which.text == m.WHICH_QUESTION.format(ids="#1, #2")
    assert await rows(h, AnswerRow) == []

    picked = await h.local.say(ADMIN, ADMIN_CHANNEL, "#2 No reboot needed.", thread=heading.id)
    assert picked is not None and picked.text == m.ANSWER_QUEUED.format(id=2, partner="Birch")
    await h.deliver()
    (to_birch,) = replies_in_thread(h, "birch", birch.id)
    assert "No reboot needed." in to_birch.text and "#2" not in to_birch.text
    assert replies_in_thread(h, "acme", acme.id) == []

    # One open question left: an unprefixed reply now answers it.
    last = await h.local.say(ADMIN, ADMIN_CHANNEL, "v2 is fine.", thread=heading.id)
    assert last is not None and last.text == m.ANSWER_QUEUED.format(id=1, partner="Acme")
    await h.deliver()
    (to_acme,) = replies_in_thread(h, "acme", acme.id)
    assert "v2 is fine." in to_acme.text
    assert [(a.question_id, a.text) for a in await rows(h, AnswerRow)] == [
        (2, "No reboot needed."),
        (1, "v2 is fine."),
    ]


async def test_an_answer_starting_with_a_quarter_is_not_taken_for_a_question_number(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "When do the Q3 prices apply?")
    await h.deliver()
    heading = admin_posts(h)[0]
    reply = await h.local.say(ADMIN, ADMIN_CHANNEL, "Q3 prices apply from 1 July.", thread=heading.id)
    assert reply is not None and reply.text == m.ANSWER_QUEUED.format(id=1, partner="Acme")
    await h.deliver()
    (answer,) = replies_in_thread(h, "acme", acme.id)
    assert "Q3 prices apply from 1 July." in answer.text


async def test_a_non_admin_reply_in_the_admin_thread_is_ignored(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await h.deliver()
    heading = admin_posts(h)[0]
    before = len(h.workspace.messages)

    assert await h.local.say("bob", ADMIN_CHANNEL, "I think so?", thread=heading.id) is None
    await h.deliver()
    assert len(h.workspace.messages) == before + 1  # only bob's own message
    assert await rows(h, AnswerRow) == []
    assert [q.status for q in await rows(h, QuestionRow)] == ["open"]
    assert replies_in_thread(h, "acme", acme.id) == []


async def test_admin_reply_under_a_direct_question_answers_it(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.partner("acme", "ask Where is the partner portal?")
    await h.deliver()
    (relayed,) = admin_posts(h)
    reply = await h.local.say(ADMIN, ADMIN_CHANNEL, "portal.example.com", thread=relayed.id)
    assert reply is not None and not reply.is_error
    await h.deliver()
    (answer,) = h.posts("acme")
    assert answer.thread is None and "portal.example.com" in answer.text


# --- relayed text never pings -------------------------------------------------------------------


async def test_relayed_text_cannot_ping_either_way(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, PING_TEXT, user="<!here>")
    await h.deliver()
    heading, question = admin_posts(h)
    assert_no_ping(question.text)
    assert "everyone" in question.text and "U123" in question.text  # defused, still readable
    assert_no_ping((await h.admin("questions")).text)

    await h.local.say(ADMIN, ADMIN_CHANNEL, f"Noted. {PING_TEXT}", thread=heading.id)
    await h.deliver()
    (answer,) = replies_in_thread(h, "acme", acme.id)
    assert_no_ping(answer.text)
    assert "Noted." in answer.text and "everyone" in answer.text


async def test_partner_name_in_a_relayed_question_cannot_ping(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    await h.join("acme", "@here Solutions <!channel>", tier="gold")
    await h.partner("acme", "ask Hello?")
    await h.deliver()
    (relayed,) = admin_posts(h)
    assert_no_ping(relayed.text)


# --- relays survive failures --------------------------------------------------------------------


async def test_a_failed_question_relay_is_retried_into_the_same_thread(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    acme, birch = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await _ask_in_thread(h, "birch", birch, "Reboot?")
    posts_before = h.local.sender.calls["post"]
    # The first relay's heading fails; the second relay opens the thread; the first is retried into it.
    h.local.sender.fail_next(Fault("transient", reason="503"))
    await h.deliver()
    (heading,) = admin_posts(h)[:1]
    assert [msg.text.split("\n> ")[1] for msg in admin_posts(h)[1:]] == ["Reboot?"]
    assert await h.deliver() == 0  # not before its backoff
    clock.advance(minutes=10)
    await h.deliver()
    assert [msg for msg in admin_posts(h) if msg.thread is None] == [heading]
    relayed = replies_in_thread(h, ADMIN_CHANNEL, heading.id)
    assert [msg.text.split("\n> ")[1] for msg in relayed] == ["Reboot?", "Is v2 affected?"]
    assert h.local.sender.calls["post"] - posts_before == 4  # failed heading, heading, two questions


async def test_a_timeout_while_opening_the_admin_thread_does_not_post_two_headings(
    sqlite_harness: Harness, clock: FakeClock
) -> None:
    h = sqlite_harness
    acme, _ = await _delivered(h)
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    h.local.sender.fail_next(Fault("after_post"))  # the heading lands, the call times out
    await h.deliver()
    clock.advance(minutes=10)
    await h.deliver()
    headings = [msg for msg in admin_posts(h) if msg.thread is None]
    assert len(headings) == 1
    assert len(admin_posts(h)) == 2


class _HeadingRendezvous(SenderProxy):
    """Holds each admin-thread heading until a second one is on its way (or 2 s pass).

    With two workers, this makes the window between "no thread yet" and "thread recorded" overlap
    every time instead of by chance.
    """

    def __init__(self, inner: LocalSender) -> None:
        super().__init__(inner)
        self.arrived = 0
        self.both = asyncio.Event()

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        if isinstance(out.content, RelayPost) and out.content.heading:
            self.arrived += 1
            if self.arrived == 2:
                self.both.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.both.wait(), timeout=2)
        return await self.inner.post(out, idempotency_key=idempotency_key)


async def test_two_workers_open_only_one_admin_thread_per_announcement(
    harness: Harness, clock: FakeClock
) -> None:
    acme, birch = await _delivered(harness)
    await _ask_in_thread(harness, "acme", acme, "Is v2 affected?")
    await _ask_in_thread(harness, "birch", birch, "Reboot?")
    app, sender = harness.app, _HeadingRendezvous(harness.local.sender)
    workers = [
        DeliveryWorker(
            app.stores,
            app.clock,
            {Platform.LOCAL: sender},
            app.bot.feedback,
            worker_id=name,
            batch=1,
            retry=RetryPolicy(max_attempts=4),
            limiter=ProcessLimiter(),
        )
        for name in ("worker-a", "worker-b")
    ]
    await asyncio.gather(*(worker.run_once() for worker in workers))
    # The worker that lost the race to open the thread backs off briefly, then relays into it.
    clock.advance(seconds=30)
    await harness.deliver()
    headings = [msg for msg in admin_posts(harness) if msg.thread is None]
    assert len(headings) == 1
    assert len(replies_in_thread(harness, ADMIN_CHANNEL, headings[0].id)) == 2


async def test_relays_draw_from_the_same_rate_buckets_as_deliveries(sqlite_harness: Harness) -> None:
    h = sqlite_harness
    acquired: list[list[str]] = []

    class Recording:
        def try_acquire(self, keys: list[RateKey]) -> bool:
            acquired.append([k.key for k in keys])
            return True

        async def acquire(self, keys: list[RateKey]) -> None:
            acquired.append([k.key for k in keys])

        async def close(self) -> None:
            pass

    class Keyed(SenderProxy):
        def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
            return [RateKey(f"chan:{channel.channel}", 1, 1.0)]

    h.app.worker._limiter = Recording()
    h.app.worker.add_sender(Platform.LOCAL, Keyed(h.local.sender))
    acme, _ = await _delivered(h)
    acquired.clear()
    await _ask_in_thread(h, "acme", acme, "Is v2 affected?")
    await h.deliver()
    # The admin thread heading and the relayed question, both in the admin channel.
    assert acquired == [[f"chan:{ADMIN_CHANNEL}"], [f"chan:{ADMIN_CHANNEL}"]]


# --- the Helpful and Mute buttons, answered by the core for every platform -----------------------


async def test_helpful_is_counted_as_a_reaction_and_thanked_only_on_a_delivered_announcement(
    harness: Harness,
) -> None:
    acme, _ = await _delivered(harness)
    reply = await harness.app.bot.helpful(
        platform=Platform.LOCAL, channel="acme", message=acme.id, user="pat"
    )
    assert reply.text == m.HELPFUL_THANKS and not reply.is_error
    assert "reactions: helpful 1" in await _stats(harness)

    chatter = harness.workspace.add("acme", "pat", "hello team")
    refused = await harness.app.bot.helpful(
        platform=Platform.LOCAL, channel="acme", message=chatter.id, user="pat"
    )
    assert refused.is_error and refused.text == m.NOT_AN_ANNOUNCEMENT
    assert "reactions: helpful 1" in await _stats(harness)


async def test_mute_drops_the_picked_topic_or_every_topic_of_the_announcement(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security", "pricing", "events")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security pricing events")
    await broadcast_and_send(h, 'topic:security,pricing title:"Patch"', "Please patch.")
    await h.deliver()
    post = h.posts("acme")[0]
    inv = h.local.invocation("pat", "acme")

    picked = await h.app.bot.mute(
        inv, platform=Platform.LOCAL, channel="acme", message=post.id, topic="pricing"
    )
    assert picked.text == m.UNSUBSCRIBED.format(topics="`pricing`") and not picked.is_error
    listed = (await h.partner("acme", "list")).text
    assert "`security`" in listed and "`events`" in listed and "`pricing`" not in listed

    await h.subscribe("acme", "pricing")
    every = await h.app.bot.mute(inv, platform=Platform.LOCAL, channel="acme", message=post.id)
    assert not every.is_error and "`security`" in every.text and "`pricing`" in every.text
    listed = (await h.partner("acme", "list")).text
    assert "`events`" in listed and "`security`" not in listed and "`pricing`" not in listed

    chatter = h.workspace.add("acme", "pat", "hello team")
    refused = await h.app.bot.mute(inv, platform=Platform.LOCAL, channel="acme", message=chatter.id)
    assert refused.is_error and refused.text == m.NOT_AN_ANNOUNCEMENT
    assert "`events`" in (await h.partner("acme", "list")).text
