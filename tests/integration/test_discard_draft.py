"""`partnerbot broadcast --dry-run` previews through a real draft and then discards it: on SQLite and
PostgreSQL nothing is left behind (no announcement, no topic link, nothing in `stats`), and only a
draft can be discarded."""

from __future__ import annotations

from storage.tables import AnnouncementRow, AnnouncementTopicRow
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, id_from, rows, setup_topics


async def test_a_discarded_draft_leaves_nothing_behind(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security pricing")
    preview = await h.admin('broadcast topic:security,pricing title:"Patch now" Please update.')
    draft = id_from(preview)

    assert await h.app.stores.announcements.discard_draft(draft) is True

    assert await rows(h, AnnouncementRow) == []
    assert await rows(h, AnnouncementTopicRow) == []
    assert await h.app.bot.analytics.recent() == []
    assert await h.app.stores.announcements.discard_draft(draft) is False  # already gone


async def test_only_a_draft_can_be_discarded(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security")
    sent = await broadcast_and_send(h, 'topic:security title:"Patch now"')

    assert await h.app.stores.announcements.discard_draft(sent) is False

    [row] = await rows(h, AnnouncementRow)
    assert row.status == "sending" and len(await rows(h, AnnouncementTopicRow)) == 1
