"""`edit` and `recall` after a broadcast went out, and the live progress message (both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.local.sender import Fault
from adapters.local.workspace import Message
from bot import messages as m
from bot.domain import (
    AnnouncementPost,
    DeliveryStatus,
    MessageRef,
    Outcome,
    OutcomeKind,
    Outgoing,
    Platform,
    WorkKind,
)
from bot.jobs import make_digests
from bot.ports import TransientSendError
from bot.services.admin import EDIT_ACTION, RECALL_ACTION
from storage.tables import DeliveryUpdateRow, QuestionRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import (
    SenderProxy,
    admin_posts,
    broadcast_and_send,
    deliveries,
    fail_channels,
    progress_posts,
    rows,
    setup_topics,
)


async def _three_partners(h: Harness) -> None:
    await setup_topics(h, "security")
    for channel, name in (("acme", "Acme"), ("birch", "Birch"), ("cedar", "Cedar")):
        await h.join(channel, name, tier="gold")
        await h.subscribe(channel, "security")


async def _delivered(h: Harness) -> dict[str, Message]:
    await _three_partners(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch by Friday.")
    await h.deliver()
    return {c: h.posts(c)[0] for c in ("acme", "birch", "cedar")}


# --- edit ---------------------------------------------------------------------------------------


async def test_edit_updates_every_delivered_copy_in_place_and_keeps_threads(harness: Harness) -> None:
    h = harness
    posted = await _delivered(h)
    asked = await h.local.say("pat", "acme", "Does this cover v2?", thread=posted["acme"].id)
    assert asked is not None and not asked.is_error
    await h.deliver()  # the question is relayed to the admin thread

    reply = await h.admin('edit 1 title:"Patch now" Please patch *today*.')
    assert not reply.is_error, reply.text
    assert reply.text == m.EDITED_QUEUED.format(id=1, copies=m.COPIES(3))
    assert [p.text for p in posted.values()] == [posted["acme"].text] * 3  # nothing changed inline
    await h.deliver()

    for channel, before in posted.items():
        (after,) = h.posts(channel)  # no new message: the same one, edited
        assert after.id == before.id and after.edited
        assert "Patch now" in after.text and "Please patch *today*." in after.text
        assert "by Friday" not in after.text
    # The partner's thread and the relayed question are untouched.
    (question,) = await rows(h, QuestionRow)
    assert question.partner_thread == posted["acme"].id
    thread = h.workspace.in_channel("acme", thread=posted["acme"].id)
    assert [msg.text for msg in thread if msg.author == "pat"] == ["Does this cover v2?"]
    assert "Does this cover v2?" in admin_posts(h)[-1].text
    assert {u.status for u in await rows(h, DeliveryUpdateRow)} == {"sent"}
    # Running the worker again edits nothing more.
    edits = h.local.sender.calls["edit"]
    await h.deliver()
    assert h.local.sender.calls["edit"] == edits


async def test_copies_not_yet_delivered_go_out_with_the_new_text(harness: Harness) -> None:
    h = harness
    await _three_partners(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Old text.")
    reply = await h.admin("edit 1 New text.")
    assert reply.text == m.EDITED_UNSENT.format(id=1)
    await h.deliver()
    assert all("New text." in h.posts(c)[0].text for c in ("acme", "birch", "cedar"))
    assert h.local.sender.calls["edit"] == 0  # nothing was posted before, nothing to edit


async def test_editing_a_draft_shows_the_new_preview(harness: Harness) -> None:
    h = harness
    await _three_partners(h)
    await h.admin('broadcast topic:security title:"Patch" Old text.')
    preview = await h.admin('edit 1 title:"Patched"')
    assert not preview.is_error
    assert (
        "**Preview of announcement #1** (draft)" in preview.text and "**Patched**\nOld text." in preview.text
    )
    assert [b.label for b in preview.buttons] == [
        m.SEND_BUTTON,
        m.EDIT_BUTTON,
        m.CANCEL_BUTTON,
        m.TEST_BUTTON,
    ]


async def test_only_the_latest_edit_reaches_partners(harness: Harness) -> None:
    h = harness
    await _delivered(h)
    await h.admin("edit 1 Second version.")
    await h.admin("edit 1 Third version.")
    await h.deliver()
    assert all("Third version." in h.posts(c)[0].text for c in ("acme", "birch", "cedar"))
    statuses = sorted(u.status for u in await rows(h, DeliveryUpdateRow))
    assert statuses == ["sent"] * 3 + ["superseded"] * 3


async def test_a_failed_edit_is_retried(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _delivered(h)
    original = h.local.sender.edit
    failures = {"left": 2}

    async def flaky_edit(ref, out):  # type: ignore[no-untyped-def]
        if failures["left"]:
            failures["left"] -= 1
            from bot.ports import TransientSendError

            raise TransientSendError("503 from the platform")
        await original(ref, out)

    h.local.sender.edit = flaky_edit  # type: ignore[method-assign]
    await h.admin("edit 1 Fixed text.")
    await h.deliver()
    clock.advance(hours=1)
    await h.deliver()
    assert all("Fixed text." in h.posts(c)[0].text for c in ("acme", "birch", "cedar"))


async def test_edit_errors_are_friendly(harness: Harness) -> None:
    h = harness
    await _delivered(h)
    assert (await h.admin("edit 9 New.")).text == m.NO_SUCH_ANNOUNCEMENT.format(id=9)
    same = await h.admin("edit 1 Please patch by Friday.")
    assert same.text == m.EDIT_SAME.format(id=1) and h.local.sender.calls["edit"] == 0
    assert (await h.admin("edit 1")).text == m.EDIT_NOTHING
    assert (await h.admin("recall 1")).is_error is False
    refused = await h.admin("edit 1 Too late.")
    assert refused.is_error and refused.text == m.NOT_EDITABLE["recalled"].format(id=1)
    not_admin = await h.admin("edit 1 Sneaky.", user="mallory")
    assert not_admin.is_error and not_admin.text == m.ADMIN_ONLY_FOR_ADMINS


# --- recall -------------------------------------------------------------------------------------


async def test_recall_deletes_every_delivered_copy_and_says_how_many(harness: Harness) -> None:
    h = harness
    await _delivered(h)
    reply = await h.admin("recall 1")
    assert not reply.is_error and not reply.ephemeral
    assert reply.text == m.RECALLED_DELIVERED.format(id=1, title="Patch", deleting=m.COPIES(3))
    await h.deliver()
    assert [h.posts(c) for c in ("acme", "birch", "cedar")] == [[], [], []]
    assert {d.status for d in await deliveries(h, 1)} == {DeliveryStatus.RECALLED.value}
    again = await h.admin("recall 1")
    assert again.is_error and again.text == m.NOT_RECALLABLE["recalled"].format(id=1)


async def test_recall_stops_what_has_not_gone_out(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _three_partners(h)
    fail_channels(h, {"cedar": Fault(kind="transient")})  # cedar waits for a retry
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert [len(h.posts(c)) for c in ("acme", "birch", "cedar")] == [1, 1, 0]
    reply = await h.admin("recall 1")
    assert reply.text == m.RECALLED.format(id=1, title="Patch", deleting=m.COPIES(2), cancelled=m.COPIES(1))
    clock.advance(hours=2)
    await h.deliver()
    assert [len(h.posts(c)) for c in ("acme", "birch", "cedar")] == [0, 0, 0]


async def test_recall_finds_a_copy_whose_attempt_may_have_posted(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await _three_partners(h)
    # cedar's post lands but the worker hears a timeout: the row is pending and ambiguous.
    fail_channels(h, {"cedar": Fault(kind="after_post")})
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert len(h.posts("cedar")) == 1
    assert (await h.admin("recall 1")).text == m.RECALLED_DELIVERED.format(
        id=1, title="Patch", deleting=m.COPIES(3)
    )
    clock.advance(hours=2)
    await h.deliver()
    assert [len(h.posts(c)) for c in ("acme", "birch", "cedar")] == [0, 0, 0]
    assert {d.status for d in await deliveries(h, 1)} == {DeliveryStatus.RECALLED.value}


async def test_recall_waits_for_a_copy_in_flight(harness: Harness, clock: FakeClock) -> None:
    """A delivery another worker holds is deleted once that worker records it, never re-posted."""
    h = harness
    await _three_partners(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    now = clock.now()
    store = h.app.stores.outbox
    held = await store.claim_deliveries(
        now=now,
        lease_until=clock.advance(0) + h.app.worker._lease,
        limit=1,
        worker="peer",
        platforms=["local"],
    )
    assert len(held) == 1
    await h.deliver()  # the other two
    reply = await h.admin("recall 1")
    assert reply.text == m.RECALLED_DELIVERED.format(id=1, title="Patch", deleting=m.COPIES(3))
    await h.deliver()  # two deleted; the in-flight one waits
    in_flight = held[0].channel
    assert in_flight is not None
    assert len(h.posts(in_flight.channel)) == 0
    waiting = [u for u in await rows(h, DeliveryUpdateRow) if u.status == "pending"]
    assert [(u.delivery_id, u.attempts) for u in waiting] == [(held[0].id, 0)]  # waiting is no attempt
    # The peer posts and records it after the recall…

    ref = await h.local.sender.post(
        Outgoing(
            in_flight, AnnouncementPost(held[0].id, 1, "Patch", "Please patch.", ("security",), urgent=False)
        ),
        idempotency_key=f"d{held[0].id}",
    )
    await store.record(
        WorkKind.DELIVERY,
        [Outcome(OutcomeKind.SENT, held[0].id, message_id=ref.message)],
        worker="peer",
        now=now,
    )
    assert len(h.posts(in_flight.channel)) == 1
    clock.advance(minutes=5)
    await h.deliver()
    assert len(h.posts(in_flight.channel)) == 0  # …and its copy is deleted too


async def test_recall_of_a_draft_or_unknown_is_refused(harness: Harness) -> None:
    h = harness
    await _three_partners(h)
    await h.admin('broadcast topic:security title:"Patch" Text.')
    draft = await h.admin("recall 1")
    assert draft.is_error and draft.text == m.NOT_RECALLABLE_DRAFT.format(id=1)
    assert (await h.admin("recall 7")).text == m.NO_SUCH_ANNOUNCEMENT.format(id=7)


async def test_buttons_edit_and_recall(harness: Harness) -> None:
    h = harness
    await _three_partners(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    inv = h.local.invocation("alice", "admin")
    how = await h.app.bot.button(inv, EDIT_ACTION, "1")
    assert how.text.startswith("To change announcement #1") and "Please patch." in how.text
    recalled = await h.app.bot.button(inv, RECALL_ACTION, "1")
    assert recalled.text == m.RECALLED_DELIVERED.format(id=1, title="Patch", deleting=m.COPIES(3))
    refused = await h.app.bot.button(h.local.invocation("mallory", "admin"), EDIT_ACTION, "1")
    assert refused.is_error


# --- live progress --------------------------------------------------------------------------------


@pytest.fixture
async def live(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """The harness with progress messages on (PARTNERBOT_PROGRESS_MESSAGES, the default outside tests)."""
    h = await make_harness(database_url, clock, progress_messages=True)
    yield h
    await h.close()


async def _refresh(h: Harness) -> int:
    return await h.app.bot.progress.refresh(h.app.worker.sender_for)


async def test_progress_message_follows_the_broadcast_to_its_summary(live: Harness) -> None:
    h = live
    await _three_partners(h)
    fail_channels(h, {"cedar": Fault(kind="permanent", reason="channel_not_found")})
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    assert await _refresh(h) == 0  # the progress message is not posted yet
    await h.deliver()
    (progress,) = progress_posts(h)
    assert await _refresh(h) == 1
    text = h.workspace.get(progress.id).text
    assert text.startswith("✅ **#1 “Patch”** — delivered to 2 of 3 channels; 1 failed.")
    assert f"{m.PROGRESS_FAILURES}\n• channel_not_found: 1" in text
    # Final: no more edits, however often the job runs.
    assert await _refresh(h) == 0
    assert len(progress_posts(h)) == 1


async def test_progress_shows_counts_while_sending(live: Harness) -> None:
    h = live
    await _three_partners(h)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    # Post only the progress notice: deliveries stay queued.
    worker = h.app.worker
    notices = await h.app.stores.notices.claim(
        now=h.app.clock.now(), lease_until=h.app.clock.now(), limit=5, worker=worker.id, platforms=["local"]
    )
    await worker._process(notices[0].kind, notices)
    assert await _refresh(h) == 1
    (progress,) = progress_posts(h)
    assert "sending\n`░░░░░░░░░░` 0% · 0 sent · 3 to go · 0 failed" in progress.text
    assert await _refresh(h) == 0  # unchanged: no edit


async def test_recall_progress_is_shown(live: Harness) -> None:
    h = live
    await _delivered(h)
    await _refresh(h)
    await h.admin("recall 1")
    await h.deliver()
    assert await _refresh(h) == 1
    (progress,) = progress_posts(h)
    assert progress.text.startswith("↩️ **#1 “Patch”** — recalled: 3 copies deleted.")


async def test_a_process_without_the_platform_leaves_progress_to_others(live: Harness) -> None:
    h = live
    await _delivered(h)
    assert await h.app.bot.progress.refresh(lambda platform: None) == 0
    assert (
        await h.app.bot.progress.refresh(
            lambda platform: h.local.sender if platform is Platform.LOCAL else None
        )
        == 1
    )


# --- digests ------------------------------------------------------------------------------------


async def test_recall_drops_what_waits_for_a_digest(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    assert not (await h.partner("acme", "settings mode daily")).is_error
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await broadcast_and_send(h, 'topic:security title:"Pricing"', "New lists.")
    await h.deliver()
    # #1 not made into a digest yet: cancelled. #2 is recalled after its digest was made: left out.
    assert (await h.admin("recall 1")).text == m.RECALLED.format(
        id=1, title="Patch", deleting=m.COPIES(1), cancelled=m.COPIES(1)
    )
    clock.advance(days=1)
    assert await make_digests(h.app) == 1
    assert (await h.admin("recall 2")).text == m.RECALLED.format(
        id=2, title="Pricing", deleting=m.COPIES(1), cancelled=m.COPIES(1)
    )
    await h.deliver()
    assert h.posts("acme") == []  # a digest with nothing left in it is not posted
    assert h.posts("birch") == []
    assert {d.status for d in await deliveries(h)} == {DeliveryStatus.RECALLED.value}


async def test_a_progress_edit_that_fails_is_tried_again_on_the_next_tick(live: Harness) -> None:
    h = live
    await _delivered(h)

    class Refusing(SenderProxy):
        async def edit(self, ref: MessageRef, out: Outgoing) -> None:
            raise TransientSendError("503 from the platform")

    refusing = Refusing(h.local.sender)
    assert await h.app.bot.progress.refresh(lambda platform: refusing) == 0
    (progress,) = progress_posts(h)
    assert progress.text.startswith("📣 **#1 “Patch”** — queued")  # unchanged
    assert await _refresh(h) == 1
    assert progress_posts(h)[0].text.startswith("✅ **#1 “Patch”** — delivered to 3 of 3 channels")
