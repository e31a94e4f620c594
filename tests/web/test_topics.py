"""The dashboard's Topics page (issue 15), on SQLite and PostgreSQL, with data made through the chat:
subscribers per topic over time (rebuilt from subscriptions and the subscribe/unsubscribe events),
deliveries against engagement per topic (the over-sending view), filters, the CSV, and empty pages."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import FakeClock
from tests.web.support import Dashboard
from tests.web.test_partners import _world

_CHART = re.compile(r'<svg [^>]*class="[^"]* chart"')


def _load_row(text: str, slug: str) -> list[str]:
    table = text.split("<h2>Deliveries against engagement</h2>")[1].split("<h2>Subscribers over time")[0]
    row = table.split(f'<th scope="row">{slug} ')[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', row)


def _history_row(text: str, slug: str) -> list[str]:
    table = text.split("<h2>Subscribers over time</h2>")[1]
    row = table.split(f'<th scope="row">{slug}</th>')[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', row)


async def test_topics_show_subscribers_over_time_and_the_over_sending_view(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    await _world(dashboard.harness, clock)
    await dashboard.sign_in()
    status, text = await dashboard.get("/topics")
    assert status == 200
    assert len(_CHART.findall(text)) == 2  # subscribers over time, deliveries against engagement
    # Pricing: Acme and Bolt received it, Acme reacted (and marked it Helpful: one engaged copy).
    assert _load_row(text, "pricing") == ["2", "1", "50.0%"]
    assert _load_row(text, "security") == ["2", "0", "0.0%"]
    assert "rebuilt from today's subscriptions by" in text
    # Five weeks back from now (30 days): nobody had subscribed 5 weeks ago; 9 days ago Bolt and Calm
    # subscribed to security and Bolt left it an hour ago.
    assert _history_row(text, "pricing") == ["0", "0", "0", "0", "2", "2"]
    assert _history_row(text, "security") == ["0", "0", "0", "0", "2", "1"]

    status, text = await dashboard.get("/topics?tier=gold")
    assert _load_row(text, "pricing") == ["1", "1", "100.0%"]
    assert _load_row(text, "security") == ["1", "0", "0.0%"]
    assert "to the partners that match the filters" in text
    status, text = await dashboard.get("/topics?topic=security&region=NA")
    assert _load_row(text, "security") == ["1", "0", "0.0%"]
    assert '<th scope="row">pricing' not in text

    response = await dashboard.response("GET", "/topics.csv?tier=gold")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["topic"], r["deliveries"], r["engaged"], r["engagement_rate"]) for r in table] == [
        ("pricing", "1", "1", "1.0000"),
        ("security", "1", "0", "0.0000"),
    ]


async def test_empty_pages_say_so(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, text = await dashboard.get("/topics")
    assert status == 200
    assert 'No topic yet. Create one in the admin chat with <code>topic add pricing "Pricing"</code>.' in text
    assert "No topic matches these filters." in text
    status, text = await dashboard.get("/partners")
    assert status == 200
    assert "No partner matches these filters." in text
    response = await dashboard.response("GET", "/partners.csv")
    assert (await response.text()).splitlines() == [
        "partner_id,name,tier,type,region,language,score,proactive,reactive,received,last_action_kind,"
        "last_action_at"
    ]
