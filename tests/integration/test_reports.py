"""The weekly engagement report, and the notice outbox that carries it (and reminders) to admins.

The clock starts on Tuesday 2026-11-24 09:00 UTC; the report covers Monday 09:00 to Monday 09:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.local.sender import Fault
from adapters.local.workspace import Message
from bot import messages as m
from bot.cadence import NoticeDraft, Period
from bot.domain import ChannelRef, MessageRef, Outgoing, Platform
from bot.jobs import run_job
from storage.tables import ChannelRow, JobRunRow, NoticeRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness
from tests.integration.support import SenderProxy, broadcast_and_send, rows, setup_topics


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def notices_in(h: Harness, channel: str) -> list[Message]:
    return [post for post in h.posts(channel) if post.key and post.key.startswith("n")]


def line(name: str, delivered: int, reactions: int, questions: int, unanswered: int) -> str:
    return m.REPORT_LINE.format(
        name=name,
        delivered=delivered,
        reactions=m.REACTIONS(reactions),
        questions=m.QUESTIONS(questions),
        unanswered=unanswered,
    )


def _titled(h: Harness, channel: str, title: str) -> Message:
    (post,) = [p for p in h.posts(channel) if p.text.startswith(f"**{title}**")]
    return post


async def _a_busy_week(h: Harness, clock: FakeClock) -> None:
    """acme (gold) follows security+pricing, birch (silver) security, cedar (no partner) pricing;
    two announcements, two reactions, three questions (one answered, one direct)."""
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security pricing")
    await h.subscribe("birch", "security")
    h.app.bot.settings.open_subscriptions = True  # cedar stays unlinked
    await h.partner("cedar", "subscribe pricing")
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await broadcast_and_send(h, 'topic:pricing,security title:"Prices"', "New lists.")
    await h.deliver()
    acme_patch = _titled(h, "acme", "Patch")
    birch_prices = _titled(h, "birch", "Prices")
    cedar_prices = _titled(h, "cedar", "Prices")
    assert await h.local.react("pat", acme_patch, "thumbsup")
    assert await h.local.react("kim", cedar_prices, "tada")
    await h.local.say("pat", "acme", "Does this cover 4.2?", thread=acme_patch.id)
    await h.local.say("bo", "birch", "From when?", thread=birch_prices.id)
    await h.deliver()
    await h.admin("answer 2 From January.")
    move_to(clock, utc(2026, 11, 29, 20, 0))  # asked less than a day before the week ends
    await h.partner("cedar", "ask Is there a reseller discount?")
    await h.deliver()


async def test_the_weekly_report_counts_per_topic_and_tier(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _a_busy_week(h, clock)
    h.app.bot.settings.admin_channels = (f"local:{ADMIN_CHANNEL}", "local:ops")
    # After the week: a reaction, and the answer to the old question, count for next week only.
    move_to(clock, utc(2026, 11, 30, 10, 0))
    assert await h.local.react("lee", _titled(h, "birch", "Patch"), "eyes")
    await h.admin("answer 1 Yes, 4.2 too.")
    move_to(clock, utc(2026, 11, 30, 12, 0))  # the process was down at 09:00: the week runs late
    assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    await h.deliver()

    (report,) = notices_in(h, ADMIN_CHANNEL)
    expected = "\n".join(
        [
            m.REPORT_HEADER.format(start="Mon 23 Nov 09:00", end="Mon 30 Nov 09:00", zone="UTC"),
            m.REPORT_TOTALS.format(
                delivered=5, reactions="2 reactions", questions="3 questions", unanswered=1
            ),
            # acme, birch joined; 4 topic subscriptions (cedar's too); 3 questions; 2 reactions and
            # the answer to question 2 (lee's reaction and answer 1 come after the week).
            "Partner actions: 9 proactive actions (4 subscriptions, 3 questions, 2 channels joined)"
            " · 3 reactive actions (2 reactions, 1 answer received)",
            # Answers that already exist (issue 18): none was offered, so all three went to the team.
            m.REPORT_SELF_SERVED.format(self_served=0, relayed=3),
            "",
            m.REPORT_BY_TOPIC,
            line("`security`", 5, 2, 2, 1),
            line("`pricing`", 3, 1, 1, 0),
            line(m.REPORT_NO_TOPIC, 0, 0, 1, 0),
            "",
            m.REPORT_BY_TIER,
            line("gold", 2, 1, 1, 1),
            line("silver", 2, 0, 1, 0),
            line("unlinked", 1, 1, 1, 0),
            "",
            m.REPORT_FOOTER,
        ]
    )
    assert report.text == expected
    assert report.thread is None
    (ops,) = notices_in(h, "ops")
    assert ops.text == expected
    keys = sorted(n.key for n in await rows(h, NoticeRow))
    assert keys == ["report:2026-W48:local:admin", "report:2026-W48:local:ops"]

    # The same week is never reported twice, even when its report is queued again by hand.
    assert await run_job(h.app, "weekly-report") == []
    week = Period("2026-W48", utc(2026, 11, 23, 9), utc(2026, 11, 30, 9))
    assert await h.app.bot.reports.queue(week, now=clock.now()) == 0
    await h.deliver()
    assert len(notices_in(h, ADMIN_CHANNEL)) == 1


async def test_a_quiet_week_posts_nothing(sqlite_harness: Harness, clock: FakeClock) -> None:
    h = sqlite_harness
    await setup_topics(h, "security")
    move_to(clock, utc(2026, 11, 30, 9, 0))
    assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    await h.deliver()
    assert notices_in(h, ADMIN_CHANNEL) == [] and await rows(h, NoticeRow) == []
    (run,) = await rows(h, JobRunRow, period="2026-W48")
    assert (run.status, run.detail) == ("done", "nothing happened: no report")


async def test_a_week_of_only_proactive_actions_is_reported(harness: Harness, clock: FakeClock) -> None:
    """No delivery, no reaction, no question: a partner pulling news still makes the week worth a
    report, one message with the zeros and the pulls."""
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    move_to(clock, utc(2026, 11, 30, 10, 0))  # week 49 starts: joining and subscribing were week 48
    await h.partner("acme", "news")
    await h.partner("acme", "news security")
    move_to(clock, utc(2026, 12, 7, 9, 0))
    assert await run_job(h.app, "weekly-report") == ["2026-W49"]
    await h.deliver()
    (report,) = [n for n in notices_in(h, ADMIN_CHANNEL) if "to Mon 7 Dec" in n.text]
    lines = report.text.splitlines()
    assert lines[1] == m.REPORT_TOTALS.format(
        delivered=0, reactions="0 reactions", questions="0 questions", unanswered=0
    )
    assert lines[2] == "Partner actions: 2 proactive actions (2 news pulls) · 0 reactive actions"


class Recording(SenderProxy):
    """Remembers where each post was aimed (channel with its workspace, thread)."""

    def __init__(self, h: Harness) -> None:
        super().__init__(h.local.sender)
        self.targets: list[tuple[ChannelRef, MessageRef | None]] = []

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        self.targets.append((out.channel, out.thread))
        return await self.inner.post(out, idempotency_key=idempotency_key)


async def test_notices_are_delivered_exactly_once_through_the_worker(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "security")  # an admin command registers the admin channel (and its workspace)
    recording = Recording(h)
    h.app.worker.add_sender(Platform.LOCAL, recording)
    sender = h.local.sender
    admin = ChannelRef(Platform.LOCAL, "", ADMIN_CHANNEL)  # as settings name it: no workspace

    async def queue(key: str) -> int:
        return await h.app.stores.notices.add([NoticeDraft(key, admin, f"notice {key}")], now=clock.now())

    # A transient failure is retried later; posted once.
    assert await queue("t:1") == 1 and await queue("t:1") == 0
    sender.fail_next(Fault("transient"))
    await h.deliver()
    assert notices_in(h, ADMIN_CHANNEL) == []
    (row,) = await rows(h, NoticeRow, key="t:1")
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "injected")
    clock.advance(minutes=15)
    await h.deliver()
    assert [p.text for p in notices_in(h, ADMIN_CHANNEL)] == ["notice t:1"]
    assert recording.targets[-1] == (ChannelRef(Platform.LOCAL, "local", ADMIN_CHANNEL), None)

    # Posted, then the call timed out: the retry finds the message instead of posting again.
    await queue("t:2")
    sender.fail_next(Fault("after_post"))
    await h.deliver()
    (row,) = await rows(h, NoticeRow, key="t:2")
    assert (row.status, row.ambiguous) == ("pending", True)
    clock.advance(minutes=15)
    posts_before, finds_before = sender.calls["post"], sender.calls["find_posted"]
    await h.deliver()
    assert (sender.calls["post"], sender.calls["find_posted"]) == (posts_before, finds_before + 1)
    (row,) = await rows(h, NoticeRow, key="t:2")
    assert (row.status, row.message_id) == ("sent", notices_in(h, ADMIN_CHANNEL)[1].id)

    # A worker died holding the claim: after its lease the notice is taken over, looked for, posted.
    await queue("t:3")
    now = clock.now()
    (claimed,) = await h.app.stores.notices.claim(
        now=now, lease_until=clock.advance(seconds=60), limit=5, worker="dead", platforms=["local"]
    )
    assert claimed.channel == ChannelRef(Platform.LOCAL, "local", ADMIN_CHANNEL)
    clock.advance(seconds=1)
    await h.deliver()
    assert [p.text for p in notices_in(h, ADMIN_CHANNEL)] == ["notice t:1", "notice t:2", "notice t:3"]

    # A permanent failure fails the notice but never switches the admin channel off.
    await queue("t:4")
    sender.fail_next(Fault("permanent", reason="channel_not_found"))
    await h.deliver()
    (row,) = await rows(h, NoticeRow, key="t:4")
    assert (row.status, row.last_error) == ("failed", "channel_not_found")
    (channel,) = await rows(h, ChannelRow, channel_id=ADMIN_CHANNEL)
    assert channel.active
    keys = [p.key for p in notices_in(h, ADMIN_CHANNEL)]
    assert len(keys) == len(set(keys)) == 3
