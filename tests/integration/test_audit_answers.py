"""Answering in the admin thread is an admin action like `answer`: it is audited (who, what, when,
where); a colleague's remark in the thread and a refused reply are not answers."""

from __future__ import annotations

from storage.tables import AuditRow
from tests.harness import ADMIN, ADMIN_CHANNEL, Harness
from tests.integration.support import admin_posts, broadcast_and_send, rows, setup_topics


async def test_an_answer_in_the_admin_thread_is_audited(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    asked = await h.local.say("pat", "acme", "Is v2 affected?", thread=h.posts("acme")[0].id)
    assert asked is not None and not asked.is_error
    await h.deliver()
    heading = admin_posts(h)[0]

    assert await h.local.say("eve", ADMIN_CHANNEL, "I think so.", thread=heading.id) is None  # not an admin
    refused = await h.local.say(ADMIN, ADMIN_CHANNEL, "#7 Yes.", thread=heading.id)
    assert refused is not None and refused.is_error
    assert await rows(h, AuditRow, action="answer") == []

    answered = await h.local.say(ADMIN, ADMIN_CHANNEL, "Yes, update to 2.3.", thread=heading.id)
    assert answered is not None and not answered.is_error
    (entry,) = await rows(h, AuditRow, action="answer")
    assert (entry.user_id, entry.channel_id, entry.allowed) == (ADMIN, f"local:{ADMIN_CHANNEL}", True)
    assert entry.detail == "answer 1 (a reply in the thread) Yes, update to 2.3."
