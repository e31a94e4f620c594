"""`dashboard` in the admin chat (local adapter): a one-time sign-in link for that admin, shown only to
them, that signs in to the served dashboard once; refused for others; a clear answer when it is off."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot import messages as m
from storage.tables import AuditRow
from tests.conftest import FakeClock
from tests.harness import ADMIN, ADMIN_CHANNEL, make_harness
from tests.integration.support import rows
from tests.web.support import Dashboard

_LINK = re.compile(r"(http://\S+/dashboard/signin/link\?token=\S+)")


async def test_dashboard_in_the_admin_chat_gives_a_one_time_link_only_to_that_admin(
    dashboard: Dashboard,
) -> None:
    h = dashboard.harness
    reply = await h.admin("dashboard")
    assert not reply.is_error and reply.ephemeral and reply.private
    assert "it works once, within 15 minutes" in reply.text
    (shown,) = [msg for msg in h.workspace.in_channel(ADMIN_CHANNEL) if "signin/link" in msg.text]
    assert shown.visible_to == ADMIN  # only the admin who asked sees it
    link = _LINK.search(reply.text)
    assert link is not None, reply.text
    assert link.group(1).startswith("http://127.0.0.1:3000/dashboard/signin/link?token=")

    token = urlsplit(link.group(1)).query.removeprefix("token=")
    status, location = await dashboard.post("/signin/link", {"token": token}, csrf=False)
    assert (status, location) == (302, "/dashboard/")
    status, html = await dashboard.get("/questions")
    assert status == 200 and "alice" in html  # signed in as the admin who asked (the chat's name)
    assert (await dashboard.post("/signin/link", {"token": token}, csrf=False))[0] == 403  # once only

    audited = [(r.action, r.channel_id, r.user_id) for r in await rows(h, AuditRow)]
    assert ("dashboard", f"local:{ADMIN_CHANNEL}", ADMIN) in audited
    assert ("dashboard-link", f"local:{ADMIN_CHANNEL}", ADMIN) in audited
    assert ("dashboard-sign-in", "dashboard", ADMIN) in audited


async def test_dashboard_is_refused_to_non_admins_and_outside_the_admin_channel(dashboard: Dashboard) -> None:
    h = dashboard.harness
    refused = await h.admin("dashboard", user="bob")
    assert refused.is_error and refused.text == m.ADMIN_ONLY_FOR_ADMINS
    elsewhere = await h.admin("dashboard", channel="acme")
    assert elsewhere.is_error and elsewhere.text == m.ADMIN_ONLY_IN_ADMIN_CHANNEL
    assert not [r for r in await rows(h, AuditRow) if r.action == "dashboard-link"]
    assert "Usage: `dashboard`" in (await h.admin("dashboard now")).text


async def test_dashboard_says_so_when_the_dashboard_is_off(sqlite_url: str, clock: FakeClock) -> None:
    h = await make_harness(sqlite_url, clock, dashboard_enabled=False)
    try:
        reply = await h.admin("dashboard")
        assert reply.is_error and reply.text == m.DASHBOARD_OFF
    finally:
        await h.close()


async def test_the_link_is_built_on_the_public_url(sqlite_url: str, clock: FakeClock) -> None:
    h = await make_harness(sqlite_url, clock, public_url="https://partners.example.com/")
    try:
        reply = await h.admin("dashboard")
        assert "\nhttps://partners.example.com/dashboard/signin/link?token=" in reply.text
        about = (await h.admin("help dashboard")).text
        assert about.startswith("`dashboard`\nAnswers with a sign-in link to the web dashboard that only you")
        assert "• `dashboard` — a one-time sign-in link" in (await h.admin("help")).text
    finally:
        await h.close()
