"""Who gets into the dashboard: one-time links, sessions that expire, CSRF, tampered cookies, the
audit of it all (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from bot.domain.refs import Platform, UserRef
from tests.conftest import FakeClock
from tests.web.support import ADMIN_REF, Dashboard


async def test_without_a_session_every_page_sends_the_browser_to_sign_in(dashboard: Dashboard) -> None:
    status, location = await dashboard.get("/audit?action=broadcast")
    assert status == 302
    assert unquote(location) == "/dashboard/signin?next=/dashboard/audit?action=broadcast"
    status, text = await dashboard.get("/signin")
    assert status == 200
    assert "partnerbot dashboard link" in text
    # A script (or a form post) without a session gets a 401, not a page.
    response = await dashboard.response("POST", "/signout", data={"csrf_token": "x"})
    assert response.status == 401


async def test_a_one_time_link_signs_in_once_and_is_audited(dashboard: Dashboard) -> None:
    token = await dashboard.link()
    # Opening the link (as a link preview robot would) does not use it up: a button does.
    status, text = await dashboard.get(f"/signin/link?token={token}")
    assert status == 200
    assert f'value="{token}"' in text
    status, location = await dashboard.post("/signin/link", {"token": token}, csrf=False)
    assert (status, location) == (302, "/dashboard/")
    status, text = await dashboard.get("/audit")
    assert status == 200
    assert "dashboard-sign-in" in text and "via link" in text
    assert "Alice" in text

    again = await dashboard.post("/signin/link", {"token": token}, csrf=False)
    assert again[0] == 403
    assert "This sign-in link does not work" in again[1]


async def test_an_expired_link_is_refused(dashboard: Dashboard, clock: FakeClock) -> None:
    token = await dashboard.link()
    clock.advance(minutes=16)  # links work for 15 minutes by default
    status, text = await dashboard.post("/signin/link", {"token": token}, csrf=False)
    assert status == 403
    assert "has expired" in text
    assert (await dashboard.get("/audit"))[0] == 302


async def test_an_unknown_or_empty_token_is_refused(dashboard: Dashboard) -> None:
    assert (await dashboard.post("/signin/link", {"token": "nope"}, csrf=False))[0] == 403
    assert (await dashboard.post("/signin/link", {}, csrf=False))[0] == 403
    status, text = await dashboard.get("/signin/link")
    assert status == 200
    assert "has no sign-in token" in text


async def test_a_session_expires_on_the_server(dashboard: Dashboard, clock: FakeClock) -> None:
    await dashboard.sign_in()
    clock.advance(hours=12, seconds=1)
    status, location = await dashboard.get("/audit")
    assert status == 302
    assert "expired=1" in location
    status, text = await dashboard.get(location.removeprefix("/dashboard"))
    assert "Your session has expired" in text


async def test_a_tampered_cookie_is_a_signed_out_visitor(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    jar = dashboard.http.cookie_jar
    cookie = next(c for c in jar if c.key == "partnerbot_session")
    value = cookie.value
    forged = value[:-6] + ("AAAAAA" if not value.endswith("AAAAAA") else "BBBBBB")
    jar.update_cookies({"partnerbot_session": forged}, dashboard.server.make_url("/dashboard/"))
    status, location = await dashboard.get("/audit")
    assert status == 302
    assert location.startswith("/dashboard/signin")


async def test_a_forged_csrf_token_changes_nothing_and_is_audited(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, text = await dashboard.post("/signout", {"csrf_token": "forged"})
    assert status == 403
    assert "This form has expired" in text
    status, _ = await dashboard.post("/signout", {}, csrf=False)
    assert status == 403
    # Still signed in, and the refusals are in the audit log.
    status, text = await dashboard.get("/audit?refused=1")
    assert status == 200
    assert text.count("dashboard-csrf") == 2


async def test_sign_out_ends_the_session(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, text = await dashboard.post("/signout")
    assert status == 200
    assert "You have signed out" in text
    assert (await dashboard.get("/audit"))[0] == 302


async def test_pages_carry_security_headers_and_fetch_nothing_from_elsewhere(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    response = await dashboard.response("GET", "/audit")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.cookies.get("partnerbot_session") or next(
        c for c in dashboard.http.cookie_jar if c.key == "partnerbot_session"
    )
    assert cookie is not None
    text = await response.text()
    assert "https://" not in text and "http://" not in text.replace('xmlns="http://www.w3.org', "")
    static = await dashboard.response("GET", "/static/dashboard.js")
    assert static.status == 200


async def test_the_session_cookie_is_httponly_samesite_and_scoped(dashboard: Dashboard) -> None:
    token = await dashboard.link()
    response = await dashboard.response("POST", "/signin/link", data={"token": token})
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/dashboard" in header
    assert "Max-Age=43200" in header


async def test_next_only_leads_to_dashboard_pages() -> None:
    from adapters.web.pages.signin import safe_next

    assert safe_next("/dashboard/audit?x=1") == "/dashboard/audit?x=1"
    for bad in (
        "https://evil.example/",
        "//evil.example/dashboard/",
        "/elsewhere",
        "",
        None,
        "/dashboard\\x",
    ):
        assert safe_next(bad) == "/dashboard/"


async def test_the_audit_log_pages_filters_and_exports(dashboard: Dashboard, clock: FakeClock) -> None:
    audit = dashboard.harness.app.stores.audit
    bob = UserRef(Platform.SLACK, "T1", "U0BOB", "Bob")
    for i in range(60):
        await audit.record(
            user=bob,
            channel="slack:C0ADMIN",
            action="broadcast",
            detail=f"#{i}",
            allowed=i % 2 == 0,
            now=clock.now(),
        )
    await dashboard.sign_in()
    status, text = await dashboard.get("/audit?action=broadcast")
    assert status == 200
    assert text.count("<tr>") == 1 + 50  # the header row and a page of 50
    assert "Older entries" in text
    older = text.split('href="/dashboard/audit?')[1].split('"')[0].replace("&amp;", "&")
    status, text = await dashboard.get(f"/audit?{older}")
    assert text.count("<tr>") == 1 + 10
    assert "Older entries" not in text

    status, body = await dashboard.get("/audit.csv?action=broadcast&refused=1")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 30
    assert {r["allowed"] for r in rows} == {"no"}
    assert rows[0]["user_name"] == "Bob" and rows[0]["platform"] == "slack"
    assert rows[0]["detail"] == "#59"


async def test_the_dashboard_is_mounted_at_its_address(dashboard: Dashboard) -> None:
    response = await dashboard.http.get(dashboard.server.make_url("/dashboard"), allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/dashboard/"
    assert ADMIN_REF.user == "alice"
