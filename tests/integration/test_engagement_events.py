"""Engagement events (issue 14): every partner action is recorded, in the transaction of the action
itself, by the real commands and buttons; refused actions record nothing; the migration back-fills."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.domain import Platform
from bot.domain.engagement import PROACTIVE, EngagementCount, EngagementKind
from storage import migrate
from storage.engine import sync_url
from storage.tables import ChannelRow, EngagementEventRow, TopicRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, channel_row, id_from, rows, setup_topics

K = EngagementKind


async def _events(h: Harness) -> list[EngagementEventRow]:
    return await rows(h, EngagementEventRow)


async def _topic_ids(h: Harness) -> dict[str, int]:
    return {t.slug: t.id for t in await rows(h, TopicRow) if t.id is not None}


async def _kinds_since(h: Harness, seen: int) -> list[tuple[str, str | None]]:
    return [(e.kind, e.user_id) for e in (await _events(h))[seen:]]


async def test_partner_commands_record_proactive_events(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")  # `join <code>` by pat
    acme = await channel_row(h, "acme")
    topics = await _topic_ids(h)
    assert await h.partner("acme", "subscribe security, pricing", user="ana")
    assert not (await h.partner("acme", "news security", user="ana")).is_error
    assert not (await h.partner("acme", "news", user="bo")).is_error
    assert not (await h.partner("acme", "settings mode daily", user="bo")).is_error
    assert not (await h.partner("acme", "settings timezone Europe/Berlin", user="bo")).is_error
    assert not (await h.partner("acme", "settings quiet off", user="bo")).is_error
    assert not (await h.partner("acme", "unsubscribe pricing", user="cy")).is_error

    events = await _events(h)
    assert [(e.kind, e.user_id, e.topic_id, e.detail) for e in events] == [
        ("joined", "pat", None, None),
        ("subscribed", "ana", topics["security"], None),
        ("subscribed", "ana", topics["pricing"], None),
        ("news_pulled", "ana", topics["security"], None),
        ("news_pulled", "bo", None, None),  # the channel's own topics
        ("settings_changed", "bo", None, "mode=daily"),
        ("settings_changed", "bo", None, "timezone=Europe/Berlin"),
        ("settings_changed", "bo", None, "quiet_hours=off"),
        ("unsubscribed", "cy", topics["pricing"], None),
    ]
    for event in events:
        assert event.proactive is True
        assert (event.partner_id, event.channel_id) == (acme.partner_id, acme.id)
        assert event.platform == "local" and event.announcement_id is None
        assert event.at == clock.now()


async def test_feedback_records_reactive_events_and_questions(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    announcement = await broadcast_and_send(h, 'topic:security urgent ack title:"Patch"', "Please patch.")
    await h.deliver()
    post = h.posts("acme")[0]
    seen = len(await _events(h))

    assert await h.local.react("ana", post, "thumbsup")
    assert await h.local.react("ana", post, "thumbsup")  # Slack may send an event twice: one event
    assert await h.local.react("ana", post, "thumbsup", added=False)
    assert not (await h.local.helpful("bo", post)).is_error
    assert not (await h.local.helpful("bo", post)).is_error  # pressed again: counted once
    assert not (await h.local.acknowledge("cy", post)).is_error
    assert not (await h.local.acknowledge("dee", post)).is_error  # acknowledged already: nothing new
    asked = await h.local.say("ana", "acme", "Does it need a reboot?", thread=post.id)
    assert asked is not None and not asked.is_error
    direct = await h.partner("acme", "ask Is there a portal?", user="bo")
    assert not direct.is_error
    assert not (await h.admin(f"answer {id_from(asked)} Yes, one reboot.")).is_error

    events = (await _events(h))[seen:]
    assert [(e.kind, e.user_id, e.announcement_id, e.detail) for e in events] == [
        ("reaction_added", "ana", announcement, "thumbsup"),
        ("reaction_removed", "ana", announcement, "thumbsup"),
        ("helpful", "bo", announcement, "helpful"),
        ("acknowledged", "cy", announcement, None),
        ("question_asked", "ana", announcement, None),
        ("question_asked", "bo", None, None),
        # The vendor's answer is counted for the partner person who asked.
        ("answer_received", "ana", announcement, None),
    ]
    acme = await channel_row(h, "acme")
    for event in events:
        assert event.proactive is (EngagementKind(event.kind) in PROACTIVE)
        assert (event.partner_id, event.channel_id, event.platform) == (acme.partner_id, acme.id, "local")
    assert [e.proactive for e in events] == [False, False, False, False, True, True, False]


async def test_mute_is_its_own_kind(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security pricing")
    await broadcast_and_send(h, 'topic:security,pricing title:"Patch"', "Please patch.")
    await h.deliver()
    post = h.posts("acme")[0]
    seen = len(await _events(h))
    inv = h.local.invocation("ana", "acme")
    muted = await h.app.bot.mute(
        inv, platform=Platform.LOCAL, channel="acme", message=post.id, topic="pricing"
    )
    assert not muted.is_error
    (event,) = (await _events(h))[seen:]
    assert (event.kind, event.user_id, event.topic_id, event.proactive) == (
        "muted",
        "ana",
        (await _topic_ids(h))["pricing"],
        True,
    )


async def test_refused_actions_record_nothing(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "security")
    # An unlinked channel may not subscribe (partner news is for partners).
    assert (await h.partner("stray", "subscribe security")).is_error
    assert (await h.partner("stray", "join NOPE-1234")).is_error
    assert await _events(h) == []

    await h.join("acme", "Acme", tier="gold")
    seen = len(await _events(h))
    refused = [
        "subscribe secrity",  # unknown topic (did you mean…)
        "unsubscribe security",  # not subscribed: nothing to unsubscribe
        "news secrity",
        "news",  # no topics yet
        "settings timezone Mars/Olympus",
    ]
    for text in refused:
        await h.partner("acme", text)
    assert not (await h.partner("acme", "subscribe security")).is_error
    assert (await h.partner("acme", "subscribe security")).text  # already subscribed: nothing new
    await broadcast_and_send(h, 'topic:security title:"Plain"', "No ack asked.")
    await h.deliver()
    post = h.posts("acme")[0]
    assert not (await h.local.acknowledge("ana", post)).is_error  # no acknowledgement was asked for
    chatter = h.workspace.add("acme", "pat", "hello team")
    assert not await h.local.react("ana", chatter, "thumbsup")  # not an announcement
    assert await h.local.react("ana", post, "eyes", added=False)  # never seen added: nothing to undo
    assert await _kinds_since(h, seen) == [("subscribed", "pat")]


async def test_counts_by_kind_per_partner_over_a_window(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security", "pricing")
    start = clock.now()
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security pricing")
    clock.advance(days=10)
    assert not (await h.partner("acme", "news", user="ana")).is_error
    assert not (await h.partner("birch", "news")).is_error  # refused (no topics): nothing
    await h.join("birch", "Birch", tier="silver")
    assert not (await h.partner("birch", "settings mode weekly")).is_error
    stray = await h.partner("stray", "settings mode daily")  # linked to no partner: left out of counts
    assert not stray.is_error
    acme, birch = (await channel_row(h, "acme")).partner_id, (await channel_row(h, "birch")).partner_id
    assert acme is not None and birch is not None

    store = h.app.stores.engagement
    everything = await store.counts(since=start, until=clock.now() + timedelta(seconds=1))
    assert everything == sorted(
        [
            EngagementCount(acme, K.JOINED, True, 1),
            EngagementCount(acme, K.NEWS_PULLED, True, 1),
            EngagementCount(acme, K.SUBSCRIBED, True, 2),
            EngagementCount(birch, K.JOINED, True, 1),
            EngagementCount(birch, K.SETTINGS_CHANGED, True, 1),
        ],
        key=lambda c: (c.partner_id, c.kind.value),
    )
    recent = await store.counts(since=start + timedelta(days=5), until=clock.now() + timedelta(seconds=1))
    assert [(c.partner_id, c.kind) for c in recent] == [
        (acme, K.NEWS_PULLED),
        (birch, K.JOINED),
        (birch, K.SETTINGS_CHANGED),
    ]
    only_acme = await store.counts(since=start, until=start + timedelta(days=1), partner_ids=[acme])
    assert [(c.kind, c.count) for c in only_acme] == [(K.JOINED, 1), (K.SUBSCRIBED, 2)]
    assert await store.counts(since=start, until=start) == []


async def test_the_migration_back_fills_existing_feedback_and_subscriptions(
    harness: Harness, database_url: str
) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    announcement = await broadcast_and_send(h, 'topic:security urgent ack title:"Patch"', "Please patch.")
    await h.deliver()
    post = h.posts("acme")[0]
    assert await h.local.react("ana", post, "thumbsup")
    assert await h.local.react("ana", post, "tada")
    assert await h.local.react("ana", post, "tada", added=False)
    assert not (await h.local.helpful("bo", post)).is_error
    assert not (await h.local.acknowledge("cy", post)).is_error
    asked = await h.local.say("ana", "acme", "Does it need a reboot?", thread=post.id)
    assert asked is not None
    assert not (await h.admin(f"answer {id_from(asked)} Yes.")).is_error
    acme = await channel_row(h, "acme")
    security = (await _topic_ids(h))["security"]
    live = {(e.kind, e.user_id) for e in await _events(h)}
    await h.app.engine.dispose()

    migrate.downgrade(database_url, "0012")  # as a database from before engagement events
    migrate.upgrade(database_url)
    engine = sa.create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            table = EngagementEventRow.__table__  # type: ignore[attr-defined]
            found = conn.execute(sa.select(table).order_by(table.c.id)).mappings().all()
    finally:
        engine.dispose()
    got = {
        (e["kind"], e["user_id"], e["announcement_id"], e["topic_id"], e["detail"], e["proactive"])
        for e in found
    }
    assert got == {
        ("joined", None, None, None, None, True),
        ("subscribed", None, None, security, None, True),
        ("reaction_added", "ana", announcement, None, "thumbsup", False),
        ("reaction_added", "ana", announcement, None, "tada", False),
        ("reaction_removed", "ana", announcement, None, "tada", False),
        ("helpful", "bo", announcement, None, "helpful", False),
        ("acknowledged", "cy", announcement, None, None, False),
        ("question_asked", "ana", announcement, None, None, True),
        ("answer_received", "ana", announcement, None, None, False),
    }
    assert len(found) == len(got)
    assert {(e["partner_id"], e["channel_id"], e["platform"]) for e in found} == {
        (acme.partner_id, acme.id, "local")
    }
    assert [e["at"] for e in found] == sorted(e["at"] for e in found)  # in time order
    # What was recorded live, by kind and person, is what the back-fill recovers (who subscribed and
    # who joined were never stored before: the back-fill leaves them blank).
    assert {(k, u) for k, u, *_ in got if u} == {(k, u) for k, u in live if k not in ("joined", "subscribed")}


async def test_unlinked_channel_events_have_no_partner(harness: Harness) -> None:
    h = harness
    assert not (await h.partner("stray", "settings mode daily")).is_error
    (event,) = await _events(h)
    stray: ChannelRow = await channel_row(h, "stray")
    assert (event.kind, event.partner_id, event.channel_id) == ("settings_changed", None, stray.id)
