"""Approval before send in Slack (issue 19), against the fake Slack: Send on a preview posts the
approval request in its place (Approve / Request changes); the author cannot approve; a colleague who
is not an admin is refused (and audited); another admin's approval sends; Request changes opens a
modal whose comment reaches the channel; an edit after the request voids it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import messages as m
from storage.tables import AuditRow
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import VENDOR, SlackWorld, open_world
from tests.fakes.slack import JSON, Message, User

SEND, APPROVE, REJECT = "announcement_send", "announcement_approve", "announcement_reject"
APPROVERS = "S0APPROVERS"


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    # A second admin through an admin user group (PARTNERBOT_ADMIN_GROUPS): dana's colleague frank.
    async with open_world(
        database_url, clock, approval="broadcasts", admin_groups=(f"slack:{APPROVERS}",)
    ) as w:
        await w.topics("pricing")
        yield w


def actions_of(message: Message) -> dict[str, Any]:
    return {e["action_id"]: e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]}


async def press(world: SlackWorld, message: Message, action: str, user: User) -> str:
    value = actions_of(message)[action]["value"]
    sent = await world.events.block_actions(
        action, value, user_id=user.id, channel_id=world.admin_channel.id, message_ts=message.ts
    )
    assert sent.status == 200, sent
    return str(sent.payload["response_url"])


async def answer_to(world: SlackWorld, url: str) -> JSON:
    posts = await world.wait_for(lambda: world.fake.response_url_posts(url), "the answer")
    return posts[-1]


async def requested(world: SlackWorld, text: str) -> Message:
    """A draft's preview, after its author pressed Send: now the approval request."""
    await world.admin(f"broadcast {text}")
    preview = (await world.wait_for(lambda: world.bot_posts(world.admin_channel), "the preview"))[-1]
    await press(world, preview, SEND, world.dana)
    await world.wait_for(lambda: "awaits approval" in preview.text, "the approval request")
    return preview


def frank(world: SlackWorld) -> User:
    user = world.fake.add_user(VENDOR, "frank")
    world.fake.add_usergroup(VENDOR, [user.id], usergroup_id=APPROVERS)
    return user


async def test_author_cannot_approve_a_non_admin_is_refused_another_admin_sends(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    approver = frank(world)
    request = await requested(world, 'topic:pricing title:"Q3 prices" New lists.')
    assert list(actions_of(request)) == [APPROVE, REJECT]
    assert "New lists." in request.text  # reviewers read what partners will get
    assert world.bot_posts(acme.channel) == []

    own = await answer_to(world, await press(world, request, APPROVE, world.dana))
    assert own["response_type"] == "ephemeral"
    assert own["text"].startswith("You asked for announcement #1 yourself")

    refused = await answer_to(world, await press(world, request, APPROVE, world.eve))
    assert refused["text"].startswith("🔒 Only configured partnerbot admins can do that.")
    async with world.app.engine.connect() as conn:
        audit = (await conn.execute(AuditRow.__table__.select())).mappings().all()
    assert any(
        r["user_id"] == world.eve.id and not r["allowed"] and "approve 1" in r["detail"] for r in audit
    )
    assert world.bot_posts(acme.channel) == []

    await press(world, request, APPROVE, approver)
    await world.wait_for(lambda: "approved announcement #1" in request.text, "the approval")
    assert "Sending announcement #1" in request.text
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    assert "New lists." in str(post.blocks)


async def test_request_changes_opens_a_modal_and_an_edit_voids_the_request(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    approver = frank(world)
    request = await requested(world, 'topic:pricing title:"Q3 prices" New lists.')

    await press(world, request, REJECT, approver)
    view_id = await world.wait_for(lambda: next(iter(world.fake.views), None), "the modal")
    view = world.fake.views[view_id].data
    assert view["callback_id"] == "partnerbot_reject" and view["title"]["text"] == m.REJECT_FORM_TITLE
    empty = await world.events.view_submission(view_id, {"rj_comment": {"value": {"value": " "}}})
    assert empty.json()["response_action"] == "errors"
    comment = {"rj_comment": {"value": {"type": "plain_text_input", "value": "Say which regions."}}}
    submitted = await world.events.view_submission(view_id, comment, user_id=approver.id)
    assert submitted.status == 200
    await world.wait_for(lambda: "asked for changes" in request.text, "the decision in place")
    assert "Say which regions." in request.text and actions_of(request) == {}

    # The author edits and sends again; an edit after that request leaves it behind too.
    await world.admin('edit 1 title:"Q3 prices (EMEA)" New lists for EMEA.')
    await world.admin("send 1")
    again = await world.wait_for(
        lambda: [p for p in world.bot_posts(world.admin_channel) if "Q3 prices (EMEA)" in p.text
                 and APPROVE in actions_of(p)],
        "the new request",
    )  # fmt: skip
    await world.admin('edit 1 title:"Q3 prices (EMEA only)" New lists for EMEA.')
    stale = await answer_to(world, await press(world, again[-1], APPROVE, approver))
    assert stale["text"] == m.APPROVAL_STALE.format(id=1)
    announcement = await world.app.stores.announcements.get(1)
    assert announcement is not None and announcement.status.value == "draft"
