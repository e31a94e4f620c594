"""What the admin reads after `send`, `cancel`, `edit` and `recall`: sentences that say what happened,
and counts whose words agree with them (both databases)."""

from __future__ import annotations

from bot import messages as m
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, setup_topics


async def test_cancel_and_recall_say_what_already_happened(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    assert not (await h.admin('broadcast topic:pricing title:"Draft" Not yet.')).is_error
    assert not (await h.admin("cancel 1")).is_error

    again = await h.admin("cancel 1")
    assert again.is_error and again.text == "Announcement #1 was already cancelled; nothing was sent."
    recall = await h.admin("recall 1")
    assert recall.is_error and recall.text == (
        "Announcement #1 was cancelled before anything went out, so there is nothing to recall."
    )
    send = await h.admin("send 1")
    assert send.is_error and send.text == (
        "Announcement #1 was cancelled, so it can't be sent; broadcast it again to send it."
    )
    edit = await h.admin("edit 1 New text.")
    assert edit.is_error and edit.text == m.NOT_EDITABLE["cancelled"].format(id=1)
    assert "it is cancelled" not in " ".join(r.text for r in (again, recall, send, edit))


async def test_a_sent_announcement_points_to_recall_and_counts_in_the_singular(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.subscribe("acme", "security")
    preview = await h.admin('broadcast topic:security title:"Patch" Please patch.')
    assert "**Reach:** 1 channel of 1 partner" in preview.text
    sent = await h.admin("send 1")
    assert sent.text.startswith("📣 Sending announcement #1 “Patch” to 1 channel. ")
    await h.deliver()

    cancel = await h.admin("cancel 1")
    assert cancel.is_error and cancel.text == (
        "Announcement #1 was already sent — `recall 1` deletes every delivered copy."
    )
    twice = await h.admin("send 1")
    assert twice.is_error and twice.text.startswith(
        "Announcement #1 was already sent; sending it again would post it twice."
    )
    edited = await h.admin("edit 1 Please patch today.")
    assert edited.text.startswith("✏️ Announcement #1 edited. 1 copy already delivered will be updated")
    recalled = await h.admin("recall 1")
    assert recalled.text.endswith("recalled: 1 copy already delivered will be deleted.")  # no "0 copies"
    again = await h.admin("recall 1")
    assert (
        again.is_error and again.text == "Announcement #1 was already recalled; there is nothing more to do."
    )
    edit = await h.admin("edit 1 Too late.")
    assert edit.is_error and edit.text.startswith("Announcement #1 was recalled, so it can't be edited")


async def test_sending_a_scheduled_announcement_again_says_when_it_goes(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    await h.subscribe("birch", "pricing")
    await broadcast_and_send(h, 'topic:pricing at:"2026-12-01 09:00" title:"Later"', "Not yet.")
    again = await h.admin("send 1")
    assert again.is_error and again.text == (
        "Announcement #1 is already scheduled — `scheduled` shows when it goes out; `cancel 1` stops it."
    )
    listed = await h.admin("scheduled")
    assert "· 2 deliveries waiting, at " in listed.text
