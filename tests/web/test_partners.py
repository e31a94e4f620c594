"""The dashboard's Partners pages (issue 15), on SQLite and PostgreSQL, with data made through the chat:
the table (scores as the chat's `engagement` computes them, sorting, filters, paging, sparklines), its
CSV, and one partner's page (profile, channels, subscriptions, trend chart, timeline, received)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from urllib.parse import unquote

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.directory import ImportRow, PartnerProfile
from bot.domain.engagement import ScoreFilter
from storage.tables import EngagementEventRow, TopicRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, channel_row, rebuild_rollups, rows, setup_topics
from tests.web.support import Dashboard

_SPARKLINE = re.compile(r'<svg [^>]*class="[^"]* sparkline" [^>]*role="img" aria-label="Weekly score of ')
_CHART = re.compile(r'<svg [^>]*class="[^"]* chart"')
_NAME_CELL = re.compile(r'<th scope="row"><a href="/dashboard/partners/(\d+)[^"]*">([^<]+)</a></th>')


async def _world(h: Harness, clock: FakeClock) -> None:
    """Acme (gold, emea) reacts to and marks Helpful the pricing announcement; Bolt (silver, na, msp,
    de) receives pricing and security and unsubscribes from security; Calm (gold, apac) receives security
    and does nothing."""
    await setup_topics(h, "pricing", "security")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("bolt", "Bolt", tier="silver", region="na", type="msp", language="de")
    await h.join("calm", "Calm", tier="gold", region="apac")
    assert not (await h.subscribe("acme", "pricing")).is_error
    assert not (await h.subscribe("bolt", "pricing security")).is_error
    assert not (await h.subscribe("calm", "security")).is_error
    clock.advance(days=8)
    await broadcast_and_send(h, 'topic:pricing title:"Price list"', "New prices.")
    await h.deliver()
    post = h.posts("acme")[-1]
    assert await h.local.react("ana", post, "thumbsup")
    assert not (await h.local.helpful("ana", post)).is_error
    clock.advance(days=1)
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert not (await h.partner("bolt", "unsubscribe security")).is_error
    clock.advance(hours=1)


def _names(text: str) -> list[str]:
    return [name for _, name in _NAME_CELL.findall(text)]


async def _chat_scores(h: Harness, topic: str | None = None) -> dict[str, float]:
    only = None
    if topic is not None:
        (found,) = await rows(h, TopicRow, slug=topic)
        only = ScoreFilter(topic_id=found.id)
    return {s.name: s.score for s in [s async for s in h.app.bot.engagement.scores(only)]}


async def test_every_partners_page_needs_a_session(dashboard: Dashboard) -> None:
    for path in ("/partners?tier=gold", "/partners.csv", "/partners/1", "/topics", "/topics.csv"):
        status, location = await dashboard.get(path)
        assert status == 302, path
        assert unquote(location) == f"/dashboard/signin?next=/dashboard{path}"


async def test_the_table_shows_the_chats_scores_sorted_with_trends(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _world(h, clock)
    await dashboard.sign_in()
    status, text = await dashboard.get("/partners")
    assert status == 200
    chat = await _chat_scores(h)
    assert _names(text) == sorted(chat, key=lambda name: (-chat[name], name))
    assert _names(text) == ["Bolt", "Acme", "Calm"]  # 100*3*4/7, 100*(3*2+2)/6, 100*3*2/6
    assert "Partners 1\u20133 of 3 partners." in text
    # The score column is the current sort, descending, and its link flips the direction.
    assert re.search(
        r'<th scope="col" class="num" aria-sort="descending">\s*'
        r'<a href="/dashboard/partners\?dir=asc">Score ↓</a>',
        text,
    )
    assert len(_SPARKLINE.findall(text)) == 3
    assert f">{chat['Acme']:.1f}<" in text
    assert "pressed Helpful, <time" in text  # Acme's last action
    assert "unsubscribed, <time" in text  # Bolt's
    assert "none in the window" not in text  # Calm joined and subscribed within 30 days

    status, text = await dashboard.get("/partners?sort=name&dir=desc")
    assert _names(text) == ["Calm", "Bolt", "Acme"]
    assert 'aria-sort="descending"' in text and "Partner ↓" in text
    status, text = await dashboard.get("/partners?sort=region&dir=asc")
    assert _names(text) == ["Calm", "Acme", "Bolt"]  # apac, emea, na
    status, text = await dashboard.get("/partners?sort=reactive")
    assert _names(text)[0] == "Acme"


async def test_filters_narrow_the_table_and_change_the_numbers(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _world(h, clock)
    await dashboard.sign_in()
    assert _names((await dashboard.get("/partners?tier=GOLD"))[1]) == ["Acme", "Calm"]
    assert _names((await dashboard.get("/partners?region=na"))[1]) == ["Bolt"]
    assert _names((await dashboard.get("/partners?type=msp&language=de"))[1]) == ["Bolt"]
    assert _names((await dashboard.get("/partners?q=CAL"))[1]) == ["Calm"]
    assert _names((await dashboard.get("/partners?q=%25"))[1]) == []  # a wildcard is searched for literally
    status, text = await dashboard.get("/partners?tier=platinum")
    assert status == 200 and "No partner matches these filters." in text

    # A topic counts only its announcements and actions, as `engagement topic:security` does.
    security = await _chat_scores(h, "security")
    status, text = await dashboard.get("/partners?topic=security")
    assert "counting only announcements and actions on the topic “security”" in text
    for name, score in security.items():
        assert f'>{name}</a></th>\n    <td class="num">{score:.1f}<' in text
    assert security["Acme"] != (await _chat_scores(h))["Acme"]

    # The 7-day window leaves out the joins and subscriptions of 9 days ago.
    status, text = await dashboard.get("/partners?days=7&sort=name&dir=asc")
    assert "Scores over the last 7 days" in text
    assert "none in the window" in text  # Calm did nothing in the last week
    assert 'href="/dashboard/partners?days=7&amp;sort=region&amp;dir=asc"' in text  # filters kept


async def test_the_table_pages_by_fifty_and_the_csv_has_every_row(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _world(h, clock)
    roster = [
        ImportRow(i, PartnerProfile(name=f"Zeta {i:02}", tier="silver", region="na"), None)
        for i in range(1, 53)
    ]
    await h.app.stores.directory.import_rows(roster, now=clock.now())
    await dashboard.sign_in()
    status, text = await dashboard.get("/partners?sort=name&dir=asc")
    assert status == 200
    assert len(_names(text)) == 50
    assert "Partners 1\u201350 of 55 partners." in text
    assert 'href="/dashboard/partners?sort=name&amp;dir=asc&amp;page=2">Next page</a>' in text
    text = (await dashboard.get("/partners?sort=name&dir=asc&page=2"))[1]
    assert _names(text) == ["Zeta 48", "Zeta 49", "Zeta 50", "Zeta 51", "Zeta 52"]
    assert "Partners 51\u201355 of 55 partners." in text
    assert (
        "Next page" not in text and 'href="/dashboard/partners?sort=name&amp;dir=asc">Previous page' in text
    )
    text = (await dashboard.get("/partners?page=9"))[1]
    assert "This page is past the last partner." in text
    # Nonsense in the address is a first page, never a database error.
    status, text = await dashboard.get("/partners?page=99999999999999999999999&days=x&sort=nope&dir=up")
    assert status == 200 and len(_names(text)) == 50

    response = await dashboard.response("GET", "/partners.csv?region=na")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(await response.text())))
    assert len(table) == 53  # Bolt and the 52 Zetas, not only the first page
    assert table[0]["name"] == "Bolt"
    assert table[0]["last_action_kind"] == "unsubscribed"
    assert float(table[0]["score"]) == (await _chat_scores(h))["Bolt"]
    assert {row["region"] for row in table} == {"na"}


async def test_the_csv_starts_a_formula_with_an_apostrophe(dashboard: Dashboard, clock: FakeClock) -> None:
    """OWASP's CSV injection: a partner named like a formula is text in a spreadsheet."""
    h = dashboard.harness
    await _world(h, clock)
    roster = [ImportRow(1, PartnerProfile(name="=1+2", tier="@gold", region="-na"), None)]
    await h.app.stores.directory.import_rows(roster, now=clock.now())
    await dashboard.sign_in()
    response = await dashboard.response("GET", "/partners.csv?sort=name&dir=asc")
    assert response.status == 200
    table = list(csv.DictReader(io.StringIO(await response.text())))
    assert (table[0]["name"], table[0]["tier"], table[0]["region"]) == ("'=1+2", "'@gold", "'-na")
    assert table[0]["score"] == "0.0" and table[1]["name"] == "Acme"


async def test_a_partners_own_page(dashboard: Dashboard, clock: FakeClock) -> None:
    h = dashboard.harness
    await _world(h, clock)
    bolt = await channel_row(h, "bolt")
    acme = await channel_row(h, "acme")
    await dashboard.sign_in()
    status, text = await dashboard.get(f"/partners/{bolt.partner_id}")
    assert status == 200
    assert "<title>Bolt · partnerbot</title>" in text
    for value in ("silver", "msp", "na", "de"):
        assert f'<dd class="value">{value}</dd>' in text
    assert _CHART.search(text.split("<h2>Channels")[0])
    assert f">{(await _chat_scores(h))['Bolt']:.1f}</div>" in text
    channels = text.split("<h2>Channels</h2>")[1].split("<h2>Timeline")[0]
    assert "<td>immediate</td>" in channels and "<td>pricing</td>" in channels  # security was dropped
    assert "vendor default" in channels and "active" in channels
    timeline = text.split("<h2>Timeline</h2>")[1].split("<h2>Announcements received")[0]
    kinds = re.findall(r"<td>(joined|subscribed|unsubscribed)</td>", timeline)
    assert kinds == ["unsubscribed", "subscribed", "subscribed", "joined"]  # newest first
    received = text.split("<h2>Announcements received</h2>")[1]
    assert received.index("Patch") < received.index("Price list")
    assert received.count('<span class="good">delivered</span>') == 2
    assert "nothing yet" in received

    status, text = await dashboard.get(f"/partners/{acme.partner_id}")
    received = text.split("<h2>Announcements received</h2>")[1]
    assert "pressed Helpful, reacted" in received

    status, text = await dashboard.get("/partners/99999")
    assert status == 404
    assert "There is no partner with the id <code>99999</code>" in text
    status, text = await dashboard.get("/partners/acme")
    assert status == 404 and "Partners page" in text


async def test_the_timeline_and_received_announcements_page_by_keyset(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await h.join("acme", "Acme", tier="gold")
    acme = await channel_row(h, "acme")
    async with AsyncSession(h.app.engine) as session:  # thirty news pulls, a minute apart
        for minute in range(1, 31):
            session.add(
                EngagementEventRow(
                    at=clock.now() + timedelta(minutes=minute), kind="news_pulled", proactive=True,
                    partner_id=acme.partner_id, channel_id=acme.id, platform="local", user_id="pat",
                )
            )  # fmt: skip
        await session.commit()
    await rebuild_rollups(h)
    clock.advance(hours=1)
    await dashboard.sign_in()
    status, text = await dashboard.get(f"/partners/{acme.partner_id}?days=90")
    assert status == 200
    timeline = text.split("<h2>Timeline</h2>")[1].split("<h2>Announcements received")[0]
    assert timeline.count("<td>pulled news</td>") == 25
    older = re.search(r'href="(/dashboard/partners/\d+\?days=90&amp;events_before=\d+)">Older actions', text)
    assert older is not None
    assert "No announcement was sent to this partner." in text
    status, text = await dashboard.get(older.group(1).replace("&amp;", "&").removeprefix("/dashboard"))
    timeline = text.split("<h2>Timeline</h2>")[1].split("<h2>Announcements received")[0]
    assert timeline.count("<td>pulled news</td>") == 5
    assert timeline.count("<td>joined</td>") == 1
    assert "Older actions" not in text
    assert f'href="/dashboard/partners/{acme.partner_id}?days=90">Newest</a>' in text
