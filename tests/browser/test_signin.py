"""Signing in with a one-time link and out again, in a real browser; the keyboard; times in the viewer's
zone."""

from __future__ import annotations

import pytest

from adapters.web.render import NAVIGATION
from tests.browser.conftest import NewPage, Programme

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_printed_link_signs_in_with_the_button_and_sign_out_ends_it(
    programme: Programme, new_page: NewPage
) -> None:
    tab = await new_page()
    page = tab.page
    await page.goto(programme.url("/audit"))
    assert page.url.startswith(programme.url("/signin?next="))  # no session: the sign-in page
    await tab.shot("signin")

    link = await programme.link()
    assert "/dashboard/signin/link?token=" in link
    await page.goto(link)
    assert await page.get_by_text("This link signs you in to the partnerbot dashboard once.").is_visible()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(programme.url("/"))

    await page.goto(programme.url("/audit"))
    assert await page.get_by_role("heading", level=1).inner_text() == "Audit log"
    assert await page.get_by_role("cell", name="dashboard-sign-in").count() == 1
    await tab.shot("signed-in")

    await page.get_by_role("button", name="Sign out").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Signed out"
    await page.goto(programme.url("/audit"))
    assert page.url.startswith(programme.url("/signin?next="))

    # The link was used up: opening it again and pressing the button is refused.
    await page.goto(link)
    await page.get_by_role("button", name="Sign in").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "This sign-in link does not work"
    assert tab.errors == []


async def test_tab_reaches_the_skip_link_first_then_the_navigation_with_a_visible_focus(
    programme: Programme, new_page: NewPage
) -> None:
    tab = await new_page()
    await programme.sign_in(tab)
    page = tab.page
    await page.goto(programme.url("/audit"))

    async def tab_to() -> dict[str, str]:
        await page.keyboard.press("Tab")
        return await page.evaluate(
            """() => {
                const el = document.activeElement, style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {text: el.textContent.trim(), href: el.getAttribute("href") || "",
                        outline: style.outlineStyle + " " + style.outlineWidth,
                        visible: String(box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0)};
            }"""
        )

    skip = await tab_to()
    assert (skip["text"], skip["href"]) == ("Skip to content", "#main")
    assert skip["visible"] == "true" and skip["outline"] == "solid 3px"
    await tab.shot("focus-skip-link")
    brand = await tab_to()
    assert (brand["text"], brand["href"]) == ("partnerbot", "/dashboard/")
    for path, label in NAVIGATION:
        focused = await tab_to()
        assert (focused["text"], focused["href"]) == (label, f"/dashboard{path}")
        assert focused["visible"] == "true" and focused["outline"] == "solid 3px"
    assert (await tab_to())["text"] == "Sign out"

    # The skip link moves the focus to the page's content.
    await page.reload()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_times_show_in_the_viewers_zone(programme: Programme, new_page: NewPage) -> None:
    # The seeded programme starts at 2026-11-24 09:00 UTC, the first admin action of the audit log.
    # (ICU puts a narrow no-break space before PM in some versions, a space in others.)
    for zone, shown in (
        ("Asia/Tokyo", "Nov 24, 2026, 6:00 PM"),
        ("America/New_York", "Nov 24, 2026, 4:00 AM"),
    ):
        tab = await new_page(timezone_id=zone)
        await programme.sign_in(tab)
        await tab.page.goto(programme.url("/audit"))
        first = tab.page.locator("time").last  # newest first: the last row is the oldest action
        assert await first.get_attribute("datetime") == "2026-11-24T09:00:00+00:00"
        assert await first.get_attribute("title") == "2026-11-24 09:00 UTC"  # the server's fallback
        text = await first.text_content() or ""
        assert text.replace("\u202f", " ").replace("\xa0", " ") == shown
