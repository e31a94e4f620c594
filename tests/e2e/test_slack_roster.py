"""The Slack broadcast modal and the known values (issue 11): its audience selects are built from the
core's vocabulary, and a value outside it (a stale modal, a crafted payload) is refused by the core
before any draft exists."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import FakeClock
from tests.e2e.test_slack_broadcast import open_broadcast_modal, selected, typed
from tests.e2e.test_slack_harness import SlackWorld, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock, admin_groups=("slack:S0ADMINS",), regions="na,emea,dach") as w:
        await w.topics("pricing")
        yield w


async def test_modal_offers_the_vocabulary_and_an_unknown_tier_is_refused(world: SlackWorld) -> None:
    await world.partner("acme", tier="gold", region="emea", follows=("pricing",))
    view = await open_broadcast_modal(world, "New prices")
    blocks = {b["block_id"]: b for b in view["blocks"] if "block_id" in b}
    options = {
        key: [o["value"] for o in blocks[f"bc_{key}"]["element"]["options"]] for key in ("tier", "region")
    }
    assert options == {"tier": ["registered", "silver", "gold", "platinum"], "region": ["na", "emea", "dach"]}
    assert [o["value"] for o in blocks["bc_language"]["element"]["options"]] == ["en"]  # the roster's

    values = {
        "bc_title": typed("Q3 prices"),
        "bc_body": typed("Out now."),
        "bc_topics": selected("pricing"),
        "bc_tier": selected("glod"),
    }
    submitted = await world.events.view_submission(view["id"], values)
    assert submitted.status == 200
    refusal = await world.wait_for(lambda: world.ephemerals(world.dana), "the refusal")
    assert 'unknown tier "glod" — did you mean "gold"?' in refusal[0].text
    assert "Accepted tiers: registered, silver, gold, platinum." in refusal[0].text
    assert await world.app.stores.announcements.recent() == []
