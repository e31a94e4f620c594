"""Sending to Slack under trouble: a 429 storm, a connection dropped after Slack stored the message,
channels and workspaces that are gone — never a duplicate, never a loss."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.domain import AnnouncementPost, ChannelRef, MessageRef, Outgoing
from tests.conftest import FakeClock
from tests.e2e.test_slack_harness import SlackWorld, install, open_world


@pytest.fixture
async def world(database_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(database_url, clock) as w:
        await w.topics("pricing")
        yield w


async def test_a_429_storm_reschedules_without_parking_and_delivers_each_exactly_once(
    world: SlackWorld,
) -> None:
    seats = [await world.partner(f"p{i}", tier="gold", follows=("pricing",)) for i in range(5)]
    await world.broadcast('topic:pricing title:"Storm" Body.')
    world.fake.ratelimit_next("chat.postMessage", times=7, retry_after=30)
    posts_before = world.fake.calls["chat.postMessage"]  # the preview and the "Sending" reply

    started = time.monotonic()
    await world.app.worker.drain()
    assert time.monotonic() - started < 5.0  # Retry-After 30 s was not slept inside the call
    assert world.fake.calls["chat.postMessage"] - posts_before == 5 and world.app.worker.stats.retried == 5
    # Rescheduled by Slack's Retry-After (30 s), not by the much shorter default backoff.
    assert await world.app.stores.outbox.due_count(now=world.clock.advance(25)) == 0

    await world.deliver(step=35)
    for seat in seats:
        assert len(world.bot_posts(seat.channel)) == 1, seat.name
    assert world.fake.calls["chat.postMessage"] - posts_before == 5 + 7
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None and (stats.targeted, stats.delivered, stats.failed) == (5, 5, 0)


async def test_a_workspace_throttled_longer_than_the_attempts_last_still_gets_every_delivery_once(
    world: SlackWorld,
) -> None:
    seats = [await world.partner(f"t{i}", tier="gold", follows=("pricing",)) for i in range(4)]
    await world.broadcast('topic:pricing title:"Throttled" Body.')
    # Slack refuses every post for 10 rounds of the fan-out: each delivery is throttled more often
    # than max_attempts (6 here, 8 by default) allows failures, and none may give up.
    rounds = 10
    world.fake.ratelimit_next("chat.postMessage", times=rounds * len(seats), retry_after=2)
    posts_before = world.fake.calls["chat.postMessage"]

    await world.deliver(rounds=rounds * 3, step=3)
    for seat in seats:
        assert len(world.bot_posts(seat.channel)) == 1, seat.name
    assert world.fake.faults_left("chat.postMessage") == 0
    assert world.fake.calls["chat.postMessage"] - posts_before == (rounds + 1) * len(seats)
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None and (stats.targeted, stats.delivered, stats.failed) == (4, 4, 0)


async def test_a_connection_dropped_after_the_post_is_found_in_history_not_posted_again(
    world: SlackWorld,
) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Once" Exactly once.')
    world.fake.fail_next("chat.postMessage", kind="drop_after_commit")
    posts_before = world.fake.calls["chat.postMessage"]

    await world.app.worker.drain()
    [stored] = world.bot_posts(acme.channel)  # Slack has it, but partnerbot never heard back
    assert world.app.worker.stats.retried == 1
    await world.deliver()

    assert [m.ts for m in world.bot_posts(acme.channel)] == [stored.ts]
    assert (
        world.fake.calls["chat.postMessage"] - posts_before == 1
    )  # neither slack_sdk nor the outbox re-posted
    assert world.fake.calls["conversations.history"] == 1
    history_call = next(c for c in world.fake.requests if c.method == "conversations.history")
    assert history_call.params["include_all_metadata"] in ("1", "true", True)
    assert int(history_call.params["limit"]) <= 15
    assert stored.metadata is not None
    delivery_id = stored.metadata["event_payload"]["delivery_id"]
    assert await world.app.stores.outbox.message_of(delivery_id) == stored.ts


async def test_gone_channels_are_deactivated_by_errors_and_by_events(world: SlackWorld) -> None:
    archived = await world.partner("archived", tier="gold", follows=("pricing",))
    deleted = await world.partner("deleted", tier="gold", follows=("pricing",))
    healthy = await world.partner("healthy", tier="gold", follows=("pricing",))
    world.fake.channels[archived.channel.id].is_archived = True
    world.fake.fail_next("chat.postMessage", error="msg_too_long")  # permanent, but the channel is fine

    await world.broadcast('topic:pricing title:"One" Body.')
    await world.deliver()
    assert not (await world.app.stores.directory.channel(archived.ref)).active  # type: ignore[union-attr]

    await world.events.event(
        {"type": "channel_deleted", "channel": deleted.channel.id}, team_id=world.vendor.team_id
    )
    await world.wait_until(lambda: _inactive(world, deleted.ref), "the channel_deleted event")
    assert (await world.app.stores.directory.channel(healthy.ref)).active  # type: ignore[union-attr]
    stats = await world.app.stores.stats.announcement(1)
    assert stats is not None and stats.failures_by_reason.keys() >= {"is_archived"}


async def _inactive(world: SlackWorld, ref: ChannelRef) -> bool:
    found = await world.app.stores.directory.channel(ref)
    return found is not None and not found.active


async def test_edit_and_delete_a_posted_announcement(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.broadcast('topic:pricing title:"Draft wording" Body.')
    await world.deliver()
    [post] = world.bot_posts(acme.channel)
    sender, ref = world.adapter.slack_sender, MessageRef(acme.ref, post.ts)
    content = AnnouncementPost(1, 1, "Final wording", "Body, corrected.", ("pricing",), urgent=False)
    await sender.edit(ref, Outgoing(acme.ref, content))
    assert post.edited is not None and (post.blocks or [])[0]["text"]["text"] == "Final wording"
    await sender.delete(ref)
    await sender.delete(ref)  # already gone: not an error
    assert world.bot_posts(acme.channel) == []


# --- workspaces ------------------------------------------------------------------------------------


async def test_tokens_revoked_deactivates_the_workspace_channels(world: SlackWorld) -> None:
    acme = await world.partner("acme", tier="gold", follows=("pricing",))
    await world.events.tokens_revoked(world.vendor.team_id)
    await world.wait_until(lambda: _inactive(world, acme.ref), "the revocation")


@pytest.fixture
async def oauth_world(sqlite_url: str, clock: FakeClock) -> AsyncIterator[SlackWorld]:
    async with open_world(sqlite_url, clock, oauth=True) as w:
        await w.topics("pricing")
        yield w


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # inside slack_sdk
async def test_oauth_install_then_uninstall_deactivates_only_that_workspace(oauth_world: SlackWorld) -> None:
    world = oauth_world
    await install(world, world.vendor.team_id)
    await install(world, "T0PARTNER")
    store = world.adapter.bolt.installation_store
    assert (
        store is not None
        and (await store.async_find_bot(enterprise_id=None, team_id="T0PARTNER")) is not None
    )

    hosted = await world.partner("hosted", tier="gold", follows=("pricing",))  # Slack Connect, vendor side
    own = await world.partner("own", tier="gold", team="T0PARTNER")  # in the partner's own workspace
    answer = await world.command("/partner", "subscribe pricing", channel=own.channel, user=own.user)
    assert "now gets announcements on `pricing`" in answer[0]["text"]  # authorised by the stored install

    await world.events.app_uninstalled("T0PARTNER")
    await world.wait_until(lambda: _inactive(world, own.ref), "the uninstall")
    assert await store.async_find_bot(enterprise_id=None, team_id="T0PARTNER") is None
    assert not await _inactive(world, hosted.ref)

    await world.broadcast('topic:pricing title:"After" Only the installed workspace.')
    await world.deliver()
    assert len(world.bot_posts(hosted.channel)) == 1 and world.bot_posts(own.channel) == []
