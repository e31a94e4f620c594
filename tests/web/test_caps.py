"""The dashboard's announcement page counts the copies held by a channel's weekly cap (bot/caps.py)."""

from __future__ import annotations

import re

from tests.integration.support import broadcast_and_send, setup_topics
from tests.web.support import Dashboard


async def test_the_announcement_page_counts_copies_over_a_weekly_cap(dashboard: Dashboard) -> None:
    h = dashboard.harness
    await setup_topics(h, "security")
    for name in ("acme", "birch"):
        await h.subscribe(name, "security")
    assert not (await h.partner("acme", "settings cap 1")).is_error
    first = await broadcast_and_send(h, 'topic:security title:"One"', "Body.")
    second = await broadcast_and_send(h, 'topic:security title:"Two"', "Body.")
    await h.deliver()
    await dashboard.sign_in()

    fragment = await (await dashboard.response("GET", f"/announcements/{second}/progress")).text()
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))
    assert "1 over a weekly cap (sent in a digest instead)" in words
    assert "1 held for later" in words
    _, page = await dashboard.get(f"/announcements/{second}")
    assert "over a weekly cap" in page
    _, untouched = await dashboard.get(f"/announcements/{first}")
    assert "over a weekly cap" not in untouched
