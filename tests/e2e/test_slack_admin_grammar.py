"""The admin grammar through the real slack-bolt stack against the fake Slack: words after the title are
body, `reschedule`, and `drafts` with its Cancel buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, open_world
from tests.fakes.slack import JSON


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing")
        yield w


def buttons(answer: JSON) -> list[dict[str, Any]]:
    return [
        element
        for block in answer.get("blocks") or []
        for element in ([block["accessory"]] if "accessory" in block else block.get("elements", []))
        if element.get("type") == "button"
    ]


async def test_words_after_the_title_reach_slack_as_the_body(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Heads up" urgent fixes are rolling out tonight')
    await world.deliver()
    (post,) = world.bot_posts(acme.channel)
    texts = [block["text"]["text"] for block in post.blocks or [] if block["type"] == "section"]
    assert "urgent fixes are rolling out tonight" in texts, post.blocks
    announcement = await world.app.stores.announcements.get(1)
    assert announcement is not None
    body = "urgent fixes are rolling out tonight"
    assert (announcement.body, announcement.priority.value) == (body, "normal")


async def test_reschedule_and_drafts_from_slack(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", follows=("pricing",))
    await world.admin('broadcast topic:pricing at:"2026-12-01 09:00" title:"Later" Not yet.')
    moved = (await world.admin('reschedule 1 at:"2026-12-02 10:00"'))[0]
    assert "Draft #1 “Later” will go out 2026-12-02 10:00 UTC" in moved["text"], moved
    draft = await world.app.stores.announcements.get(1)
    assert draft is not None and draft.schedule is not None and draft.schedule.wall.day == 2

    listed = (await world.admin("drafts"))[0]
    assert "1 open draft" in listed["text"], listed
    (cancel,) = [b for b in buttons(listed) if b["action_id"] == "announcement_cancel"]
    assert cancel["value"] == "1"
    await world.events.block_actions(
        "announcement_cancel",
        "1",
        user_id=world.dana.id,
        channel_id=world.admin_channel.id,
        message_ts=listed["ts"],
    )

    async def cancelled() -> bool:
        found = await world.app.stores.announcements.get(1)
        return found is not None and found.status.value == "cancelled"

    await world.wait_until(cancelled, "the cancellation")
    assert "There are no open drafts" in (await world.admin("drafts"))[0]["text"]
