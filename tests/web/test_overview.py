"""The Overview page (/dashboard/): cards, the actions chart, failures by reason, partners gone quiet,
the segment filters and both CSV exports, seeded through the chat (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import unquote

from adapters.local.sender import Fault
from adapters.local.workspace import Message
from adapters.web.pages.overview import duration
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, channel_row, fail_channels, setup_topics
from tests.web.support import Dashboard


def _titled(h: Harness, channel: str, title: str) -> Message:
    (post,) = [p for p in h.posts(channel) if p.text.startswith(f"**{title}**")]
    return post


async def _a_month(h: Harness, clock: FakeClock) -> None:
    """acme (gold, emea) follows security+pricing, birch (silver, na) security, cedar (gold, apac)
    security but its channel is gone (channel_not_found). "Patch" (security), then "Prices" (pricing,
    security): acme reacts to Patch, birch asks about Prices and is answered two hours later."""
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="na")
    await h.join("cedar", "Cedar", tier="gold", region="apac")
    await h.subscribe("acme", "security pricing")
    await h.subscribe("birch", "security")
    await h.subscribe("cedar", "security")
    fail_channels(h, {"cedar": Fault("permanent", "channel_not_found")})
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    await broadcast_and_send(h, 'topic:pricing,security title:"Prices"', "New lists.")
    await h.deliver()
    assert await h.local.react("pat", _titled(h, "acme", "Patch"), "thumbsup")
    await h.local.say("bo", "birch", "From when?", thread=_titled(h, "birch", "Prices").id)
    await h.deliver()
    clock.advance(hours=2)
    answered = await h.admin("answer 1 From January.")
    assert not answered.is_error, answered.text
    await h.deliver()


def _cards(text: str) -> dict[str, str]:
    """The cards as {label: value}."""
    found = re.findall(r'<div class="value">([^<]*)</div>\s*<div class="label">([^<(]*)', text)
    return {label.strip(): value.strip() for value, label in found}


def _charts(text: str) -> int:
    """How many pygal charts (an <svg> of class "chart") the page holds."""
    return len(re.findall(r'<svg[^>]*class="[^"]*\bchart\b', text))


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_signed_out_the_overview_sends_to_sign_in(dashboard: Dashboard) -> None:
    status, location = await dashboard.get("/?tier=gold")
    assert status == 302
    assert unquote(location) == "/dashboard/signin?next=/dashboard/?tier=gold"
    status, location = await dashboard.get("/overview/quiet.csv")
    assert status == 302 and "signin" in location


async def test_an_empty_programme_renders_with_zeros_and_a_chart(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, text = await dashboard.get("/")
    assert status == 200
    assert "<h1>Overview</h1>" in text
    assert _cards(text) == {
        "announcements sent": "0",
        "channels reached": "0",
        "engagement rate": "—",
        "proactive actions": "0",
        "reactive actions": "0",
        "questions answered / asked": "0 / 0",
        "median time to answer": "—",
    }
    assert _charts(text) == 1
    assert "No delivery failed in the last 30 days." in text
    # The partners gone quiet follow in a fragment dashboard.js loads once (X-Refresh: stop).
    assert 'data-refresh="/dashboard/overview/quiet?fragment=1" data-every="0"' in text
    response = await dashboard.response("GET", "/overview/quiet?fragment=1")
    assert response.status == 200 and response.headers["X-Refresh"] == "stop"
    fragment = await response.text()
    assert "No partner has gone quiet." in fragment and "<html" not in fragment
    status, failures = await dashboard.get("/overview/failures.csv")
    assert (status, _csv(failures)) == (200, [["reason", "failed_deliveries"]])


async def test_the_cards_chart_and_failures_follow_the_filters(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _a_month(h, clock)
    await dashboard.sign_in()

    status, text = await dashboard.get("/")
    assert status == 200
    cards = _cards(text)
    assert cards == {
        "announcements sent": "2",
        "channels reached": "2",
        "engagement rate": "50.0%",  # acme's reaction to Patch, birch's question on Prices: 2 of 4
        "proactive actions": cards["proactive actions"],
        "reactive actions": "2",  # the reaction and the answer birch received
        "questions answered / asked": "1 / 1",
        "median time to answer": "2 hours",
    }
    assert "2 of 4 delivered copies engaged" in text
    assert int(cards["proactive actions"]) >= 1 + 4  # the question, the subscriptions (and the joins)
    assert _charts(text) == 2  # the actions over time, the failures by reason
    assert "Proactive and reactive actions per day" in text
    assert "channel_not_found" in text

    # Gold: acme's copies and cedar's failure; birch's question is silver's.
    status, gold = await dashboard.get("/?tier=gold")
    assert status == 200
    assert _cards(gold)["engagement rate"] == "50.0%"
    assert "1 of 2 delivered copies engaged" in gold
    assert _cards(gold)["questions answered / asked"] == "0 / 0"
    assert "channel_not_found" in gold
    assert '<option value="gold" selected>gold</option>' in gold
    status, silver = await dashboard.get("/?tier=SILVER")
    assert _cards(silver)["questions answered / asked"] == "1 / 1"
    assert "No delivery failed in the last 30 days." in silver
    assert '<option value="silver" selected>silver</option>' in silver

    # A topic: Prices only (acme and birch), engaged by birch's question.
    status, pricing = await dashboard.get("/?topic=pricing")
    assert _cards(pricing)["announcements sent"] == "1"
    assert "1 of 2 delivered copies engaged" in pricing
    # A region: apac has cedar only, whose copy failed.
    status, apac = await dashboard.get("/?region=apac")
    assert _cards(apac)["channels reached"] == "0" and "channel_not_found" in apac

    status, failures = await dashboard.get("/overview/failures.csv?tier=gold")
    assert status == 200
    assert _csv(failures) == [["reason", "failed_deliveries"], ["channel_not_found", "1"]]
    status, none = await dashboard.get("/overview/failures.csv?tier=silver")
    assert _csv(none) == [["reason", "failed_deliveries"]]

    # 90 days: per week, and the same totals.
    status, quarter = await dashboard.get("/?days=90")
    assert "Proactive and reactive actions per week" in quarter
    assert "The last 90 days" in quarter
    assert _cards(quarter)["announcements sent"] == "2"
    assert _cards(quarter)["proactive actions"] == cards["proactive actions"]  # summed into weeks
    assert _cards(quarter)["reactive actions"] == "2"
    # A month later the window is empty.
    clock.advance(days=31)
    await dashboard.sign_in()  # sessions last 12 hours
    status, later = await dashboard.get("/")
    assert _cards(later)["announcements sent"] == "0"
    assert _cards((await dashboard.get("/?days=90"))[1])["announcements sent"] == "2"


async def test_unknown_filter_values_are_said_not_a_500(dashboard: Dashboard, clock: FakeClock) -> None:
    h = dashboard.harness
    await _a_month(h, clock)
    await dashboard.sign_in()
    status, text = await dashboard.get("/?tier=platinium&days=45&topic=nope&region=mars")
    assert status == 200
    assert "No partner has the tier “platinium” (known tiers: gold, silver): showing every tier." in text
    assert "No partner has the region “mars” (known regions: apac, emea, na): showing every region." in text
    assert "There is no topic “nope” (topics: pricing, security): showing every topic." in text
    assert "The overview covers the last 30 or 90 days, not “45”: showing the last 30 days." in text
    assert _cards(text)["announcements sent"] == "2"

    # An archived topic is not offered, but a link to it still filters, and says which topic it is.
    archived = await h.admin("topic archive pricing")
    assert not archived.is_error, archived.text
    status, text = await dashboard.get("/?topic=Pricing")
    assert '<option value="pricing" selected>pricing (archived)</option>' in text
    assert _cards(text)["announcements sent"] == "1"


async def test_partners_gone_quiet_link_to_their_page_and_export(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _a_month(h, clock)
    # Five weeks on, a new security announcement reaches acme and birch: neither has acted since.
    clock.advance(weeks=5)
    await broadcast_and_send(h, 'topic:security title:"Again"', "Patch again.")
    await h.deliver()
    clock.advance(minutes=5)  # gone-quiet counts what was sent before now
    acme = (await channel_row(h, "acme")).partner_id
    birch = (await channel_row(h, "birch")).partner_id
    await dashboard.sign_in()

    status, text = await dashboard.get("/?tier=gold")
    assert 'data-refresh="/dashboard/overview/quiet?fragment=1&amp;tier=gold"' in text
    status, fragment = await dashboard.get("/overview/quiet?fragment=1")
    assert status == 200
    assert f'<a href="/dashboard/partners/{acme}">Acme</a>' in fragment
    assert f'<a href="/dashboard/partners/{birch}">Birch</a>' in fragment
    assert "no action while still receiving" in fragment
    status, gold = await dashboard.get("/overview/quiet?tier=gold")  # a page of its own, shareable
    assert "<h1>Partners gone quiet</h1>" in gold
    assert f"/partners/{acme}" in gold and f"/partners/{birch}" not in gold

    status, exported = await dashboard.get("/overview/quiet.csv?tier=gold")
    assert status == 200
    rows = _csv(exported)
    assert rows[0] == ["partner_id", "name", "tier", "reason", "score", "previous_score", "last_action"]
    assert [(r[0], r[1], r[2], r[3]) for r in rows[1:]] == [(str(acme), "Acme", "gold", "no_action")]
    status, everyone = await dashboard.get("/overview/quiet.csv")
    assert [r[1] for r in _csv(everyone)[1:]] == ["Acme", "Birch"]


def test_durations_read_as_sentences() -> None:
    assert duration(None) == "—"
    assert duration(timedelta(seconds=30)) == "under a minute"
    assert duration(timedelta(minutes=1)) == "1 minute"
    assert duration(timedelta(hours=1, minutes=5)) == "1 hour 5 minutes"
    assert duration(timedelta(days=2)) == "2 days"
    assert duration(timedelta(days=1, hours=3, minutes=10)) == "1 day 3 hours"
