"""The dashboard's Calendar page (issue 19), on SQLite and PostgreSQL, with data made through the
chat: each day's scheduled and recurring announcements, the days with nothing, and the series."""

from __future__ import annotations

import re

from tests.integration.support import setup_topics
from tests.web.support import Dashboard


async def test_calendar_shows_days_gaps_and_series(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "pricing")
    await h.subscribe("acme", "pricing")
    assert not (
        await h.admin('broadcast topic:pricing at:"2026-11-27 14:00" title:"Price <list>" P.')
    ).is_error
    await h.admin("send 1")
    await h.admin('broadcast topic:pricing every:"monday,thursday 09:00 local" title:"Tips" T.')
    await h.admin("series start 1")
    await h.admin('broadcast topic:pricing every:"day 07:00" title:"Draft one" D.')

    assert (await dashboard.get("/calendar"))[0] == 302  # signed-in admins only
    await dashboard.sign_in()
    status, text = await dashboard.get("/calendar")
    assert status == 200
    assert '<a href="/dashboard/calendar" aria-current="page">Calendar</a>' in text
    assert "<h2>Tue 2026-11-24 to Mon 2026-12-07</h2>" in text
    assert "9 of 14 days have nothing planned." in text
    row = text.split('<th scope="row">Fri 2026-11-27</th>')[1].split("</tr>")[0]
    assert '<a href="/dashboard/announcements/1">#1 Price &lt;list&gt;</a>' in row  # escaped
    row = text.split('<th scope="row">Thu 2026-11-26</th>')[1].split("</tr>")[0]
    assert "09:00 local —" in row and "series 1 Tips" in row
    assert len(re.findall(r'<tr class="gap">', text)) == 9
    series = text.split("<h2>Recurring series</h2>")[1]
    assert "every Monday and Thursday at 09:00 on each channel&#39;s own clock" in series
    assert "<td>draft</td>" in series and "<td>active</td>" in series
    assert "Thu 2026-11-26 09:00 local" in series

    status, text = await dashboard.get("/calendar?weeks=1")
    assert "<h2>Tue 2026-11-24 to Mon 2026-11-30</h2>" in text
    for bad in ("0", "13", "x", "999999999999"):
        status, text = await dashboard.get(f"/calendar?weeks={bad}")
        assert status == 200 and "<h2>Tue 2026-11-24 to Mon 2026-12-07</h2>" in text

    # A paused daily series is listed on every day, but nothing of it goes out: the days it alone
    # fills still count, and show, as days with nothing planned.
    await h.admin("series start 2")
    await h.admin("series pause 2")
    status, text = await dashboard.get("/calendar")
    assert text.count('<span class="muted">(paused)</span>') == 14
    assert "9 of 14 days have nothing planned." in text
    assert len(re.findall(r'<tr class="gap">', text)) == 9


async def test_an_empty_calendar_says_how_to_start(sqlite_dashboard: Dashboard) -> None:
    await sqlite_dashboard.sign_in()
    status, text = await sqlite_dashboard.get("/calendar?weeks=2")
    assert status == 200
    assert "14 of 14 days have nothing planned." in text
    assert "No recurring series yet." in text
