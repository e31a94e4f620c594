"""The announcement's page lists its approval history (approval before send, issue 19): who asked,
who decided, the comment, and a request an edit left behind. Seeded through the chat and the store."""

from __future__ import annotations

import html

from bot.domain import ApprovalKind, ApprovalState, Platform, UserRef
from bot.formats import moment
from tests.integration.support import id_from, setup_topics
from tests.web.support import Dashboard

BOB = UserRef(Platform.LOCAL, "local", "bob", "bob")


async def test_the_story_lists_the_approval_history(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "events")
    draft = id_from(await h.admin('broadcast topic:events title:"Webinar" Join us.'))
    store, now = h.app.stores.approvals, h.app.clock.now()
    alice = h.local.invocation("alice", "admin").user
    first = await store.request(draft, revision=0, kind=ApprovalKind.SEND, requested_by=alice, now=now)
    await store.decide(
        first.id, state=ApprovalState.CHANGES_REQUESTED, decided_by=BOB, comment="Add <the> date.", now=now
    )
    await store.request(draft, revision=0, kind=ApprovalKind.SEND, requested_by=alice, now=now)
    await h.admin(f'edit {draft} title:"Webinar on 3 Dec" Join us.')

    await dashboard.sign_in()
    status, text = await dashboard.get(f"/announcements/{draft}")
    assert status == 200
    section = text.split("<h2>Approval</h2>", 1)[1].split("</ul>", 1)[0]
    items = [html.unescape(item.split("</li>")[0]).strip() for item in section.split("<li>")[1:]]
    when = moment(now)  # as the admin language (English) writes it: Babel's, not typed here
    assert when.startswith("Nov 24, 2026") and when.endswith(" UTC")
    assert items == [
        f"{when}: alice asked to send it — bob requested changes: “Add <the> date.”",
        f"{when}: alice asked to send it — left behind by an edit or a newer request",
    ]
    assert "&lt;the&gt;" in section  # escaped, never markup


async def test_no_request_no_section(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "events")
    await h.admin('broadcast topic:events title:"Plain" Text.')
    await dashboard.sign_in()
    status, text = await dashboard.get("/announcements/1")
    assert status == 200 and "<h2>Approval</h2>" not in text
