"""The Announcements pages: the list, one announcement's story, its live progress and the CSVs, seeded
through the chat (local adapter) on SQLite and PostgreSQL, with numbers counted by hand."""

from __future__ import annotations

import csv
import io
import re

import pytest

from adapters.local.sender import Fault
from adapters.local.workspace import Message
from adapters.web.pages import announcements as pages
from bot.domain.refs import Platform
from bot.ports.announcement_story import ChannelActivity
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, setup_topics
from tests.web.support import Dashboard


def _titled(h: Harness, channel: str, title: str) -> Message:
    (post,) = [p for p in h.posts(channel) if p.text.startswith(f"**{title}**")]
    return post


async def _programme(h: Harness) -> tuple[int, int]:
    """acme (gold, emea, en) and birch (silver, na, de) follow security, cedar (gold, apac, en) pricing.
    "Patch" on security is delivered: acme reacts and presses Helpful, birch asks and is answered.
    "Prices" on pricing is sent but not delivered yet (its copy is pending)."""
    await setup_topics(h, "security", "pricing")
    await h.join("acme", "Acme", tier="gold", region="emea", language="en")
    await h.join("birch", "Birch", tier="silver", region="na", language="de")
    await h.join("cedar", "Cedar", tier="gold", region="apac", language="en")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await h.subscribe("cedar", "pricing")
    patch = await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert await h.local.react("pat", _titled(h, "acme", "Patch"), "thumbsup")
    await h.local.helpful("pat", _titled(h, "acme", "Patch"))
    await h.local.say("bo", "birch", "Does this cover 4.2?", thread=_titled(h, "birch", "Patch").id)
    await h.deliver()
    await h.admin("answer 1 Yes, 4.2 too.")
    await h.deliver()
    prices = await broadcast_and_send(h, 'topic:pricing title:"Prices"', "New prices.")
    return patch, prices


def _rows(text: str) -> list[str]:
    """The list's rows as "title | status | … " (cells stripped of markup)."""
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows.append(" | ".join(cells))
    return rows


async def test_signed_out_every_announcements_page_sends_to_sign_in(dashboard: Dashboard) -> None:
    for path in (
        "/announcements",
        "/announcements.csv",
        "/announcements/1",
        "/announcements/1/progress",
        "/announcements/1/channels.csv",
    ):
        status, location = await dashboard.get(path)
        assert status == 302 and location.startswith("/dashboard/signin?next="), (path, status, location)


async def test_the_list_when_there_is_nothing_yet(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, text = await dashboard.get("/announcements")
    assert status == 200
    assert "No announcement matches these filters." in text
    status, text = await dashboard.get("/announcements.csv")
    assert status == 200
    assert list(csv.reader(io.StringIO(text))) == [list(pages.LIST_HEADER)]


async def test_the_list_shows_reach_delivery_and_engagement(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await _programme(h)
    await h.admin('broadcast topic:security tier:gold title:"Draft for gold" Soon.')
    await dashboard.sign_in()
    status, text = await dashboard.get("/announcements")
    assert status == 200
    assert "3 announcements, newest first" in text
    # Newest first. Patch: 2 targeted, 2 delivered, 2 engaged (acme reacted, birch asked).
    assert [re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "T", row) for row in _rows(text)] == [
        "#3 Draft for gold | draft | security | tier: gold | T | 0 | 0 | 0 | —",
        "#2 Prices | sending | pricing | all partners | T | 1 | 0 | 0 | —",
        "#1 Patch | sent | security | all partners | T | 2 | 2 | 2 | 100.0%",
    ]
    assert 'href="/dashboard/announcements/1"' in text


async def test_filters_change_the_rows_and_bad_ones_are_explained(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _programme(h)
    clock.advance(days=10)
    await h.admin('broadcast topic:security title:"Later" Soon.')
    await dashboard.sign_in()

    async def titles(query: str) -> list[str]:
        status, text = await dashboard.get(f"/announcements?{query}")
        assert status == 200, text
        return [row.split(" | ")[0] for row in _rows(text)] if "<tbody>" in text else []

    assert await titles("status=sent") == ["#1 Patch"]
    assert await titles("topic=security") == ["#3 Later", "#1 Patch"]
    assert await titles("topic=Pricing&status=sending") == ["#2 Prices"]
    assert await titles("days=7") == ["#3 Later"]
    assert await titles("days=30&status=draft") == ["#3 Later"]
    assert await titles("topic=nothing") == []
    # The filters stay in the form and in the CSV link, so the filtered page can be shared.
    status, text = await dashboard.get("/announcements?status=sent&topic=security")
    assert '<option value="sent" selected>' in text and 'value="security"' in text
    assert 'href="/dashboard/announcements.csv?status=sent&amp;topic=security"' in text

    status, text = await dashboard.get("/announcements?status=done")
    assert status == 400
    assert (
        "“done” is not a status. Pick one of: draft, scheduled, sending, sent, cancelled, recalled." in text
    )
    status, text = await dashboard.get("/announcements?days=soon")
    assert status == 400
    assert "“soon” is not a number of days. Use a whole number from 1 to 36500, such as 30." in text
    status, text = await dashboard.get("/announcements?days=99999999999")
    assert status == 400 and "“99999999999” is not a number of days." in text
    # An id too large for the database is no id: the first page, not an error.
    status, text = await dashboard.get("/announcements?before=99999999999999999999")
    assert status == 200 and _rows(text)
    assert (await dashboard.get("/announcements/1?after=99999999999999999999"))[0] == 200


async def test_the_list_pages_by_keyset(dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch) -> None:
    h = dashboard.harness
    await _programme(h)
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    await dashboard.sign_in()
    _, first = await dashboard.get("/announcements")
    assert [r.split(" | ")[0] for r in _rows(first)] == ["#2 Prices"]
    assert 'href="/dashboard/announcements?before=2">Older announcements' in first
    _, second = await dashboard.get("/announcements?before=2")
    assert [r.split(" | ")[0] for r in _rows(second)] == ["#1 Patch"]
    assert "1 announcement (older page)" in second


async def test_the_list_exports_to_csv(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await _programme(h)
    await dashboard.sign_in()
    response = await dashboard.response("GET", "/announcements.csv?topic=security")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["title"], row["status"], row["topics"], row["audience"]) == (
        "1",
        "Patch",
        "sent",
        "security",
        "all partners",
    )
    assert (row["targeted"], row["delivered"], row["engaged"], row["engagement_rate"]) == (
        "2",
        "2",
        "2",
        "1.0000",
    )


async def test_an_announcement_tells_its_story(dashboard: Dashboard) -> None:
    h = dashboard.harness
    patch, _ = await _programme(h)
    await dashboard.sign_in()
    status, text = await dashboard.get(f"/announcements/{patch}")
    assert status == 200
    assert "<h1>Patch</h1>" in text
    # Five charts: the funnel, by tier, region and language, and deliveries over time.
    assert len(re.findall(r'<svg [^>]*class="[^"]*\bchart\b', text)) == 5
    funnel = text.split("<h2>From targeted to engaged</h2>", 1)[1].split("<h2>", 1)[0]
    assert [row for row in _rows(funnel)] == [
        "Targeted | 2",
        "Delivered | 2",
        "Engaged | 2",
        "Reacted | 1",
        "Helpful | 1",
        "Asked | 1",
        "Acknowledged | 0",
        "Clicked | 0",
    ]
    assert "Engagement rate: 100.0% of the delivered channels." in funnel
    segments = text.split("<h2>Reach and engagement by segment</h2>", 1)[1].split("<h2>", 1)[0]
    tables = segments.split("</table>")
    assert _rows(tables[0]) == ["gold | 1 | 1 | 1", "silver | 1 | 1 | 1"]
    assert _rows(tables[1]) == ["emea | 1 | 1 | 1", "na | 1 | 1 | 1"]
    assert _rows(tables[2]) == ["de | 1 | 1 | 1", "en | 1 | 1 | 1"]
    # Nothing is pending: no live refresh.
    assert "data-refresh" not in text
    channels = text.split('<h2 id="channels">', 1)[1].split("<h2>", 1)[0]
    assert "2 channels, in the order they were queued." in channels
    acme, birch = _rows(channels)
    assert acme.startswith("Acme | acme | local | sent | ")
    assert acme.endswith(" | helpful (1), thumbsup (1) | ")  # most given first, then by name
    assert birch.startswith("Birch | birch | local | sent | ")
    assert "Does this cover 4.2?" in birch and "Yes, 4.2 too." in birch


async def test_a_draft_has_a_story_with_nothing_in_it_yet(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "security")
    await h.admin('broadcast topic:security region:emea title:"Draft" Soon.')
    await dashboard.sign_in()
    status, text = await dashboard.get("/announcements/1")
    assert status == 200
    assert "Topics: security. Audience: region: emea." in text
    assert "It has not been sent to any channel." in text
    assert "Nothing has been delivered yet." in text
    assert "It has not been queued for any channel." in text
    assert "data-refresh" not in text
    # The funnel is drawn (all zero); there is nothing to draw by segment or over time.
    assert len(re.findall(r'<svg [^>]*class="[^"]*\bchart\b', text)) == 1


async def test_edits_and_the_recall_are_in_the_history(dashboard: Dashboard) -> None:
    h = dashboard.harness
    patch, _ = await _programme(h)
    assert not (await h.admin(f"edit {patch} Please patch today.")).is_error
    await h.deliver()
    assert not (await h.admin(f"recall {patch}")).is_error
    await h.deliver()
    await dashboard.sign_in()
    _, text = await dashboard.get(f"/announcements/{patch}")
    history = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text.split("<h2>Revisions</h2>", 1)[1]))
    assert re.search(r"Edit 1 \S+ \S+ UTC: 2 copies to update, 2 done\.", history), history
    assert re.search(r"Recalled \S+ \S+ UTC: 2 copies to delete, 2 done\.", history), history
    assert "#1 · recalled" in text


async def test_an_unknown_announcement_is_a_friendly_404(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    for path in (
        "/announcements/99",
        "/announcements/abc",
        "/announcements/99/progress",
        "/announcements/99/channels.csv",
    ):
        status, text = await dashboard.get(path)
        assert status == 404, path
        assert "No such announcement" in text and "The Announcements page lists every one there is." in text


async def test_progress_refreshes_while_sending_and_then_stops(dashboard: Dashboard) -> None:
    h = dashboard.harness
    _, prices = await _programme(h)
    await dashboard.sign_in()
    _, text = await dashboard.get(f"/announcements/{prices}")
    assert f'data-refresh="/dashboard/announcements/{prices}/progress"' in text
    response = await dashboard.response("GET", f"/announcements/{prices}/progress")
    assert response.status == 200
    assert "X-Refresh" not in response.headers
    fragment = await response.text()
    assert "<html" not in fragment  # a fragment, not a page
    assert "Delivery (sending now)" in fragment
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).split("Delivery (sending now)")[
        1
    ].split() == [
        "0",
        "delivered",
        "1",
        "pending",
        "0",
        "failed",
    ]

    await h.deliver()
    response = await dashboard.response("GET", f"/announcements/{prices}/progress")
    assert response.headers["X-Refresh"] == "stop"
    fragment = await response.text()
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).split()[1:7] == [
        "1",
        "delivered",
        "0",
        "pending",
        "0",
        "failed",
    ]
    _, text = await dashboard.get(f"/announcements/{prices}")
    assert "data-refresh" not in text


async def test_the_channels_page_and_export_to_csv(
    dashboard: Dashboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = dashboard.harness
    patch, _ = await _programme(h)
    await dashboard.sign_in()
    monkeypatch.setattr(pages, "CHANNELS_PAGE_SIZE", 1)
    _, first = await dashboard.get(f"/announcements/{patch}")
    channels = first.split('<h2 id="channels">', 1)[1]
    assert [r.split(" | ")[0] for r in _rows(channels)] == ["Acme"]
    found = re.search(rf'href="/dashboard/announcements/{patch}\?after=(\d+)#channels">More channels', first)
    assert found
    _, second = await dashboard.get(f"/announcements/{patch}?after={found.group(1)}")
    assert [r.split(" | ")[0] for r in _rows(second.split('<h2 id="channels">', 1)[1])] == ["Birch"]
    assert "1 channel (a later page)" in second

    response = await dashboard.response("GET", f"/announcements/{patch}/channels.csv")
    assert response.status == 200
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["partner"], r["channel"], r["platform"], r["status"]) for r in rows] == [
        ("Acme", "acme", "local", "sent"),
        ("Birch", "birch", "local", "sent"),
    ]
    assert rows[0]["reactions"] == "helpful:1 thumbsup:1"
    assert rows[1]["questions"] == "bo: Does this cover 4.2? → alice: Yes, 4.2 too."
    assert all(r["delivered_at"] for r in rows)
    assert all(r["message_link"] == "" for r in rows)  # the local adapter has no links


def _activity(platform: Platform, workspace: str, message: str | None) -> ChannelActivity:
    return ChannelActivity(
        delivery_id=1,
        partner="Acme",
        channel_name="news",
        platform=platform,
        workspace=workspace,
        channel="C42",
        status="sent",
        sent_at=None,
        message_id=message,
        failure="",
        reactions=(),
        questions=(),
    )


def test_message_links_only_where_the_platform_has_one() -> None:
    discord = _activity(Platform.DISCORD, "111", "333")
    assert pages.message_link(discord) == "https://discord.com/channels/111/C42/333"
    # Slack's permalink needs the workspace's domain, which is not stored: the channel opens instead.
    assert pages.message_link(_activity(Platform.SLACK, "T1", "1700000000.000100")) == (
        "slack://channel?team=T1&id=C42"
    )
    assert pages.message_link(_activity(Platform.LOCAL, "local", "m1")) is None
    assert pages.message_link(_activity(Platform.DISCORD, "111", None)) is None  # never posted


async def test_a_failed_copy_shows_its_reason(dashboard: Dashboard) -> None:
    h = dashboard.harness
    _, prices = await _programme(h)
    h.local.sender.fail_next(Fault("permanent", "channel_not_found"))
    await h.deliver()
    await dashboard.sign_in()
    _, text = await dashboard.get(f"/announcements/{prices}")
    (cedar,) = _rows(text.split('<h2 id="channels">', 1)[1])
    assert cedar.startswith("Cedar | cedar | local | failed | — |  | channel_not_found | ")
    progress = text.split('id="progress-heading"', 1)[1].split("<h2>", 1)[0]
    assert _rows(progress) == ["channel_not_found | 1"]
    response = await dashboard.response("GET", f"/announcements/{prices}/progress")
    assert response.headers["X-Refresh"] == "stop"  # failed for good: nothing pending
    rows = list(
        csv.DictReader(
            io.StringIO(
                await (await dashboard.response("GET", f"/announcements/{prices}/channels.csv")).text()
            )
        )
    )
    assert [(r["status"], r["failure_reason"], r["delivered_at"]) for r in rows] == [
        ("failed", "channel_not_found", "")
    ]
