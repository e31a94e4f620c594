"""Calls to action on SQLite and PostgreSQL: stored with the draft in the order written, kept by
`edit`, dropped with a discarded draft; every click counted per partner and channel, and `stats`
grouping them per CTA by the segment each copy was delivered to; digests list them, through the
counted redirect when links are signed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.app import dashboard_app, listening_port, redirect_app, serve_web
from bot.domain.cta import CallToAction
from bot.jobs import make_digests
from bot.services.cta import CtaTarget
from storage.tables import AnnouncementCtaRow, EngagementEventRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import broadcast_and_send, deliveries, rows, setup_topics

WEBINAR = CallToAction("Register now", "https://example.com/webinar")
AGENDA = CallToAction("Agenda", "https://example.com/agenda")
CTAS = f'cta:"{WEBINAR.label}|{WEBINAR.url}" cta:"{AGENDA.label}|{AGENDA.url}"'


async def _two_partners(h: Harness) -> None:
    await setup_topics(h, "events")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="na")
    await h.subscribe("acme", "events")
    await h.subscribe("birch", "events")


async def test_ctas_are_stored_in_order_and_kept_by_edit(harness: Harness) -> None:
    h = harness
    await _two_partners(h)
    announcement = await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    await h.deliver()
    stored = await h.app.stores.announcements.get(announcement)
    assert stored is not None and stored.ctas == (WEBINAR, AGENDA)
    assert [a.ctas for a in await h.app.stores.announcements.recent()] == [(WEBINAR, AGENDA)]

    edited = await h.admin(f'edit {announcement} title:"Webinar (moved)" Join us on Friday.')
    assert not edited.is_error, edited.text
    await h.deliver()
    after = await h.app.stores.announcements.get(announcement)
    assert after is not None and after.ctas == (WEBINAR, AGENDA) and after.title == "Webinar (moved)"
    (post,) = h.posts("acme")
    assert "Webinar (moved)" in post.text and [b.label for b in post.buttons][:2] == [
        "Register now",
        "Agenda",
    ]


async def test_a_discarded_draft_takes_its_ctas_with_it(harness: Harness) -> None:
    h = harness
    await setup_topics(h, "events")
    preview = await h.admin(f'broadcast topic:events {CTAS} title:"Webinar" Join us.')
    assert preview.draft is not None and preview.draft.ctas == (WEBINAR, AGENDA)
    assert len(await rows(h, AnnouncementCtaRow)) == 2
    assert await h.app.stores.announcements.discard_draft(preview.draft.announcement_id)
    assert await rows(h, AnnouncementCtaRow) == []


async def test_every_click_counts_per_cta_by_the_segment_it_was_delivered_to(harness: Harness) -> None:
    h = harness
    await _two_partners(h)
    announcement = await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    await h.deliver()
    (acme,) = h.posts("acme")
    (birch,) = h.posts("birch")
    # acme moves to platinum after the copy went out: its clicks still count as gold's.
    assert not (await h.admin('partner set "Acme" tier:platinum')).is_error
    for _ in range(2):
        assert (await h.local.cta("pat", acme, announcement, 1)).text.endswith(WEBINAR.url)
    await h.local.cta("bo", birch, announcement, 1)
    await h.local.cta("bo", birch, announcement, 2)

    clicks = await h.app.stores.ctas.clicks(announcement)
    assert [(c.number, c.label, c.clicks, c.by_tier, c.by_region) for c in clicks] == [
        (1, "Register now", 3, {"gold": 2, "silver": 1}, {"emea": 2, "na": 1}),
        (2, "Agenda", 1, {"silver": 1}, {"na": 1}),
    ]
    events = [e for e in await rows(h, EngagementEventRow) if e.kind == "link_clicked"]
    assert [(e.detail, e.user_id, e.proactive, e.announcement_id) for e in events] == [
        ("cta:1", "pat", False, announcement),
        ("cta:1", "pat", False, announcement),
        ("cta:1", "bo", False, announcement),
        ("cta:2", "bo", False, announcement),
    ]
    assert len({e.partner_id for e in events}) == 2 and None not in {e.partner_id for e in events}
    stats = (await h.admin(f"stats {announcement}")).text
    assert "**Register now**: 3 clicks (by tier: gold 2, silver 1; by region: emea 2, na 1)" in stats
    assert "**Agenda**: 1 click" in stats


async def test_a_click_that_names_the_wrong_copy_or_cta_counts_nothing(harness: Harness) -> None:
    h = harness
    await _two_partners(h)
    first = await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    second = await broadcast_and_send(h, 'topic:events title:"Plain"', "No buttons.")
    await h.deliver()
    first_copy = next(d for d in await deliveries(h) if d.announcement_id == first)
    now = datetime(2026, 12, 4, tzinfo=UTC)
    click = h.app.stores.ctas.click
    assert (
        await click(delivery_id=first_copy.id, announcement_id=second, number=1, user=None, now=now) is None
    )
    assert await click(delivery_id=first_copy.id, announcement_id=first, number=3, user=None, now=now) is None
    assert await click(delivery_id=10_000, announcement_id=first, number=1, user=None, now=now) is None
    (acme_plain,) = [p for p in h.posts("acme") if "Plain" in p.text]
    refused = await h.local.cta("pat", acme_plain, first, 1)  # a press under another announcement
    assert refused.is_error
    assert [e for e in await rows(h, EngagementEventRow) if e.kind == "link_clicked"] == []
    assert (
        await click(delivery_id=first_copy.id, announcement_id=first, number=2, user=None, now=now) == AGENDA
    )


@pytest.fixture
async def linked(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await make_harness(
        database_url, clock, public_url="https://pb.example.com", secret_key="integration-cta-key"
    )
    yield h
    await h.close()


async def test_a_digest_lists_the_ctas_through_the_counted_redirect(
    linked: Harness, clock: FakeClock
) -> None:
    h = linked
    await setup_topics(h, "events")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.subscribe("acme", "events")
    assert not (await h.partner("acme", "settings mode daily")).is_error
    announcement = await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    await h.deliver()
    clock.advance(2 * 86_400)
    assert await make_digests(h.app) == 1
    await h.deliver()
    (digest,) = h.posts("acme")
    assert "[Register now](https://pb.example.com/r/" in digest.text
    token = digest.text.split("https://pb.example.com/r/", 1)[1].split(")", 1)[0]
    assert redirect_app(h.app) is not None
    assert await h.app.bot.cta_redirect(token) == WEBINAR.url
    clicks = await h.app.stores.ctas.clicks(announcement)
    assert clicks[0].clicks == 1 and clicks[0].by_tier == {"gold": 1}


async def test_without_a_public_url_a_digest_lists_the_addresses_themselves(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await setup_topics(h, "events")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.subscribe("acme", "events")
    assert not (await h.partner("acme", "settings mode daily")).is_error
    await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    await h.deliver()
    clock.advance(2 * 86_400)
    assert await make_digests(h.app) == 1
    await h.deliver()
    (digest,) = h.posts("acme")
    assert f"🔗 [Register now]({WEBINAR.url}) · [Agenda]({AGENDA.url})" in digest.text
    assert redirect_app(h.app) is None


async def test_the_root_server_serves_the_redirect_beside_the_dashboard(linked: Harness) -> None:
    """`partnerbot run` without Slack (and `partnerbot dashboard`) serve /r/ on the root's own server;
    a HEAD (a link checker) is not answered as a click."""
    h = linked
    await _two_partners(h)
    announcement = await broadcast_and_send(h, f'topic:events {CTAS} title:"Webinar"', "Join us.")
    await h.deliver()
    (acme,) = h.posts("acme")
    copy = next(d for d in await deliveries(h) if d.announcement_id == announcement)
    links = h.app.bot.ctas.links
    assert links is not None and acme.buttons  # the console shows buttons; the link is the core's
    token = links.token(CtaTarget(announcement, 2, copy.id))
    runner = await serve_web("127.0.0.1", 0, None, dashboard_app(h.app), redirect=redirect_app(h.app))
    try:
        base = f"http://127.0.0.1:{listening_port(runner)}"
        async with aiohttp.ClientSession() as http:
            async with http.head(f"{base}/r/{token}", allow_redirects=False) as probe:
                assert probe.status == 405
            async with http.get(f"{base}/r/{token}", allow_redirects=False) as followed:
                assert (followed.status, followed.headers["Location"]) == (302, AGENDA.url)
                assert followed.headers["Referrer-Policy"] == "no-referrer"
            async with http.get(f"{base}/r/{token[:-2]}xx", allow_redirects=False) as forged:
                assert forged.status == 404 and "not valid" in await forged.text()
            async with http.get(f"{base}/dashboard/signin", allow_redirects=False) as dashboard:
                assert dashboard.status == 200
    finally:
        await runner.cleanup()
    assert [c.clicks for c in await h.app.stores.ctas.clicks(announcement)] == [0, 1]
