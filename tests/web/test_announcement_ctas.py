"""The announcement's page shows its calls to action with their clicks (every click), by tier and
region; the funnel's "Clicked" step counts the channels that clicked. Seeded through the chat."""

from __future__ import annotations

import re

from tests.integration.support import broadcast_and_send, setup_topics
from tests.web.support import Dashboard


def _rows(section: str) -> list[str]:
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " | ".join(
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        )
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


async def test_the_story_shows_clicks_per_cta(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "events")
    await h.join("acme", "Acme", tier="gold", region="emea")
    await h.join("birch", "Birch", tier="silver", region="na")
    await h.subscribe("acme", "events")
    await h.subscribe("birch", "events")
    ctas = 'cta:"Register now|https://example.com/webinar" cta:"Agenda|https://example.com/agenda"'
    announcement = await broadcast_and_send(h, f'topic:events {ctas} title:"Webinar"', "Join us.")
    await h.deliver()
    (acme,) = h.posts("acme")
    (birch,) = h.posts("birch")
    for _ in range(2):
        assert not (await h.local.cta("pat", acme, announcement, 1)).is_error
    assert not (await h.local.cta("bo", birch, announcement, 1)).is_error

    await dashboard.sign_in()
    status, text = await dashboard.get(f"/announcements/{announcement}")
    assert status == 200
    section = text.split("<h2>Calls to action</h2>", 1)[1].split("<h2>", 1)[0]
    assert _rows(section) == [
        "Register now | https://example.com/webinar | 3 | gold 2, silver 1 | emea 2, na 1",
        "Agenda | https://example.com/agenda | 0 | — | —",
    ]
    funnel = text.split("<h2>From targeted to engaged</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Clicked | 2" in _rows(funnel)


async def test_no_cta_no_section(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "events")
    await h.admin('broadcast topic:events title:"Plain" Nothing to click.')
    await dashboard.sign_in()
    status, text = await dashboard.get("/announcements/1")
    assert status == 200 and "Calls to action" not in text
