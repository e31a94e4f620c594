"""Approval before send (issue 19) on SQLite and PostgreSQL, through the local adapter: `send` asks
another admin first; the author cannot approve; an approval sends; an edit voids it; a non-admin's
press is refused and audited; comments, bypasses and the history are kept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import messages as m
from bot.domain import ApprovalState, RefusalCode
from bot.presenter.approvals import APPROVE_ACTION, REJECT_ACTION
from storage.tables import ApprovalRow, AuditRow, DeliveryRow
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness, make_harness
from tests.integration.support import announcement, id_from, rows, setup_topics

ADMINS = ("local:alice", "local:bob")


async def _harness(database_url: str, clock: FakeClock, **settings: object) -> Harness:
    return await make_harness(database_url, clock, admin_users=ADMINS, **settings)


@pytest.fixture
async def approving(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await _harness(database_url, clock, approval="broadcasts")
    yield h
    await h.close()


async def _subscribed(h: Harness) -> None:
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")
    await h.partner("acme", "subscribe security pricing")


async def _draft(h: Harness, options: str = "topic:security", title: str = "Patch now") -> int:
    await _subscribed(h)
    preview = await h.admin(f'broadcast {options} title:"{title}" Please update.')
    assert not preview.is_error, preview.text
    return id_from(preview)


async def _audit(h: Harness, action: str) -> list[AuditRow]:
    return [row for row in await rows(h, AuditRow) if row.action == action]


async def test_send_asks_for_approval_and_the_author_cannot_approve(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)

    asked = await h.admin(f"send {draft}")
    assert not asked.is_error and not asked.ephemeral
    assert asked.refusal is not None and asked.refusal.code is RefusalCode.APPROVAL_PENDING
    assert asked.text.startswith(
        m.APPROVAL_REQUESTED.format(id=draft, title="Patch now", who="alice", why=m.APPROVAL_WHY_SETTING)
    )
    assert "Please update." in asked.text  # the preview reviewers read
    assert [(b.label, b.action) for b in asked.buttons] == [
        (m.APPROVE_BUTTON, APPROVE_ACTION),
        (m.REQUEST_CHANGES_BUTTON, REJECT_ACTION),
    ]
    assert (await announcement(h, draft)).status == "draft"
    assert await rows(h, DeliveryRow) == []
    [requested] = await _audit(h, "approval-requested")
    assert requested.user_id == "alice" and requested.detail == f"send {draft} (revision 0)"

    own = await h.local.press("alice", ADMIN_CHANNEL, APPROVE_ACTION, str(draft))
    assert own.is_error and own.text == m.OWN_APPROVAL.format(id=draft)
    [refused] = [r for r in await _audit(h, "refused") if "own request" in r.detail]
    assert not refused.allowed and refused.user_id == "alice"
    assert (await announcement(h, draft)).status == "draft"

    approved = await h.local.press("bob", ADMIN_CHANNEL, APPROVE_ACTION, str(draft))
    assert not approved.is_error, approved.text
    assert approved.text.startswith(m.APPROVED.format(who="bob", id=draft, title="Patch now"))
    await h.deliver()
    assert len(h.posts("acme")) == 1
    [decision] = await _audit(h, "approved")
    assert decision.user_id == "bob" and decision.detail == f"send {draft} (revision 0)"

    stats = await h.admin(f"stats {draft}")
    assert m.APPROVAL_HISTORY in stats.text and "approved by bob" in stats.text


async def test_an_edit_voids_the_request_and_a_new_send_asks_again(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)
    await h.admin(f"send {draft}")
    edited = await h.admin(f'edit {draft} title:"Patch today" Please update today.')
    assert not edited.is_error, edited.text

    stale = await h.admin(f"approve {draft}", user="bob")
    assert stale.is_error and stale.text == m.APPROVAL_STALE.format(id=draft)
    assert (await announcement(h, draft)).status == "draft"
    again = await h.admin(f"approve {draft}", user="bob")
    assert again.text == m.NOTHING_TO_APPROVE.format(id=draft)

    asked = await h.admin(f"send {draft}")
    assert "Patch today" in asked.text
    approved = await h.admin(f"approve {draft}", user="bob")
    assert not approved.is_error, approved.text
    await h.deliver()
    [post] = h.posts("acme")
    assert "Patch today" in post.text
    states = [(row.revision, row.state) for row in await rows(h, ApprovalRow)]
    assert sorted(states) == [(0, "void"), (1, "approved")]


async def test_request_changes_keeps_the_comment_and_sends_nothing(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)
    await h.admin(f"send {draft}")

    pressed = await h.local.press("bob", ADMIN_CHANNEL, REJECT_ACTION, str(draft))
    assert pressed.text == m.HOW_TO_REJECT.format(id=draft)
    own = await h.admin(f"reject {draft} Looks wrong")
    assert own.is_error and own.text == m.OWN_REJECTION.format(id=draft)

    rejected = await h.admin(f'reject {draft} "Name the affected versions."', user="bob")
    assert not rejected.is_error and not rejected.ephemeral
    assert "> Name the affected versions." in rejected.text and "alice" in rejected.text
    [row] = await rows(h, ApprovalRow)
    assert row.state == "changes_requested" and row.comment == "Name the affected versions."
    [decision] = await _audit(h, "changes-requested")
    assert decision.detail.endswith(": Name the affected versions.")
    assert (await announcement(h, draft)).status == "draft"
    late = await h.admin(f"approve {draft}", user="bob")
    assert late.text == m.NOTHING_TO_APPROVE.format(id=draft)
    stats = await h.admin(f"stats {draft}")
    assert "bob requested changes: “Name the affected versions.”" in stats.text


async def test_a_non_admins_press_is_refused_and_audited(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)
    await h.admin(f"send {draft}")
    pressed = await h.local.press("mallory", ADMIN_CHANNEL, APPROVE_ACTION, str(draft))
    assert pressed.is_error and pressed.text == m.ADMIN_ONLY_FOR_ADMINS
    [refused] = [r for r in await _audit(h, "refused") if r.user_id == "mallory"]
    assert not refused.allowed and refused.detail == f"not an admin: approve {draft}"
    [row] = await rows(h, ApprovalRow)
    assert row.state == "pending"
    assert await rows(h, DeliveryRow) == []


async def test_topic_require_approval_and_off(database_url: str, clock: FakeClock) -> None:
    h = await _harness(database_url, clock)
    try:
        await _subscribed(h)
        on = await h.admin("topic require-approval security")
        assert on.text == m.TOPIC_APPROVAL_ON.format(slug="security")
        again = await h.admin("topic require-approval security")
        assert again.text == m.TOPIC_APPROVAL_ALREADY_ON.format(slug="security")
        unknown = await h.admin("topic require-approval secrity")
        assert unknown.is_error and "security" in unknown.text

        about_pricing = await h.admin('broadcast topic:pricing title:"Prices" New prices.')
        sent = await h.admin(f"send {id_from(about_pricing)}")
        assert sent.refusal is None, sent.text  # not a topic that needs approval
        about_security = await h.admin('broadcast topic:security,pricing title:"Patch" Update.')
        asked = await h.admin(f"send {id_from(about_security)}")
        assert asked.refusal is not None and asked.refusal.code is RefusalCode.APPROVAL_PENDING
        assert m.APPROVAL_WHY_TOPICS(1, topics="`security`") in asked.text

        off = await h.admin("topic require-approval security off")
        assert off.text == m.TOPIC_APPROVAL_OFF.format(slug="security")
        later = await h.admin('broadcast topic:security title:"Later" Text.')
        assert (await h.admin(f"send {id_from(later)}")).refusal is None
    finally:
        await h.close()


async def test_urgent_needs_approval_unless_bypassed_and_the_bypass_is_audited(
    database_url: str, clock: FakeClock
) -> None:
    h = await _harness(database_url, clock, approval="all", urgent_needs_approval=False)
    try:
        urgent = await _draft(h, options="topic:security urgent")
        sent = await h.admin(f"send {urgent}")
        assert sent.refusal is None and sent.text.endswith(m.URGENT_BYPASS_NOTE), sent.text
        [bypass] = await _audit(h, "approval-bypassed")
        assert bypass.detail.startswith(f"send {urgent}")
        normal = await h.admin('broadcast topic:security title:"Normal" Text.')
        asked = await h.admin(f"send {id_from(normal)}")
        assert asked.refusal is not None and asked.refusal.code is RefusalCode.APPROVAL_PENDING
    finally:
        await h.close()


async def test_urgent_asks_for_approval_by_default(approving: Harness) -> None:
    urgent = await _draft(approving, options="topic:security urgent")
    asked = await approving.admin(f"send {urgent}")
    assert asked.refusal is not None and asked.refusal.code is RefusalCode.APPROVAL_PENDING


async def test_an_edit_of_an_approved_scheduled_announcement_needs_a_new_approval(approving: Harness) -> None:
    h = approving
    draft = await _draft(h, options='topic:security at:"2026-12-01 09:00"')
    asked_to_send = await h.admin(f"send {draft}")
    assert "2026-12-01 09:00" in asked_to_send.text  # reviewers see when it would go out
    scheduled = await h.admin(f"approve {draft}", user="bob")
    assert "scheduled" in scheduled.text, scheduled.text
    assert (await announcement(h, draft)).status == "scheduled"

    asked = await h.admin(f'edit {draft} title:"Patch today" Update today.')
    assert asked.refusal is not None and asked.refusal.code is RefusalCode.APPROVAL_PENDING
    assert asked.text.startswith(
        m.EDIT_APPROVAL_REQUESTED.format(id=draft, who="alice", title="Patch today", body="Update today.")
    )
    assert [b.action for b in asked.buttons] == [APPROVE_ACTION, REJECT_ACTION]
    assert (await announcement(h, draft)).title == "Patch now"  # the approved text stands meanwhile

    rejected = await h.admin(f"reject {draft} Keep the date in the title.", user="bob")
    assert rejected.text.startswith(m.EDIT_CHANGES_REQUESTED.split("\n", 1)[0].format(who="bob", id=draft)), (
        rejected.text
    )
    assert (await announcement(h, draft)).title == "Patch now"

    await h.admin(f'edit {draft} title:"Patch now (1 Dec)" Update on 1 December.')
    own = await h.admin(f"approve {draft}")
    assert own.text == m.OWN_APPROVAL.format(id=draft)
    applied = await h.admin(f"approve {draft}", user="bob")
    assert applied.text.startswith(m.EDIT_APPROVED.format(who="bob", id=draft)), applied.text
    row = await announcement(h, draft)
    assert (row.title, row.body, row.status) == ("Patch now (1 Dec)", "Update on 1 December.", "scheduled")

    both = await h.admin(f'edit {draft} at:"2026-12-02 09:00" title:"Later" Text.')
    assert both.is_error and both.text == m.APPROVAL_EDIT_AND_TIME.format(id=draft)
    moved = await h.admin(f'edit {draft} at:"2026-12-02 09:00"')  # a new time alone needs none
    assert not moved.is_error and moved.refusal is None, moved.text


async def test_edits_of_sent_announcements_need_approval_only_with_all(
    database_url: str, clock: FakeClock
) -> None:
    for mode, gated in (("broadcasts", False), ("all", True)):
        h = await _harness(database_url, clock, approval=mode)
        try:
            draft = (
                await _draft(h)
                if mode == "broadcasts"
                else id_from(await h.admin('broadcast topic:security title:"Again" Text.'))
            )
            await h.admin(f"send {draft}")
            await h.admin(f"approve {draft}", user="bob")
            await h.deliver()
            edited = await h.admin(f'edit {draft} title:"Corrected" Text, corrected.')
            pending = edited.refusal is not None and edited.refusal.code is RefusalCode.APPROVAL_PENDING
            assert pending is gated, edited.text
        finally:
            await h.close()


async def test_two_decisions_at_once_only_one_wins(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)
    await h.admin(f"send {draft}")
    store = h.app.stores.approvals
    latest = await store.latest(draft)
    assert latest is not None
    bob = h.local.invocation("bob", ADMIN_CHANNEL).user
    first = await store.decide(latest.id, state=ApprovalState.APPROVED, decided_by=bob, now=h.app.clock.now())
    second = await store.decide(latest.id, state=ApprovalState.VOID, decided_by=None, now=h.app.clock.now())
    assert first is not None and first.state is ApprovalState.APPROVED and second is None


async def test_a_request_for_a_draft_cancelled_since_is_void(approving: Harness) -> None:
    h = approving
    draft = await _draft(h)
    await h.admin(f"send {draft}")
    await h.admin(f"cancel {draft}")
    late = await h.admin(f"approve {draft}", user="bob")
    assert late.is_error and late.refusal is not None and late.refusal.code is RefusalCode.NOT_A_DRAFT
    [row] = await rows(h, ApprovalRow)
    assert row.state == "void" and await rows(h, DeliveryRow) == []
