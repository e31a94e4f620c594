"""The weekly report names the partners gone quiet (issue 14): at most ten, with tier and last action,
then how many more and `quiet`; still one message per admin channel. On SQLite and PostgreSQL.

The clock starts on Tuesday 2026-11-24 09:00 UTC: twelve partners join and subscribe, five weeks pass,
an announcement reaches them all in week 53 and only P05 reacts: the other eleven still receive with no
action in the last 4 weeks.
"""

from __future__ import annotations

from datetime import date

from bot import messages as m
from bot.formats import day
from bot.jobs import run_job
from tests.conftest import FakeClock
from tests.harness import ADMIN_CHANNEL, Harness
from tests.integration.support import broadcast_and_send, setup_topics
from tests.integration.test_reports import _titled, move_to, notices_in, utc


async def _quiet_partners(h: Harness, clock: FakeClock) -> None:
    await setup_topics(h, "security")
    for number in range(1, 13):
        name = f"p{number:02d}"
        await h.join(name, name.upper(), tier="gold" if number % 2 else "silver")
        await h.subscribe(name, "security")
    move_to(clock, utc(2026, 12, 29, 10, 0))
    await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
    await h.deliver()
    assert await h.local.react("pat", _titled(h, "p05", "Patch"), "thumbsup")


async def test_the_report_lists_ten_quiet_partners_then_says_quiet(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await _quiet_partners(h, clock)
    move_to(clock, utc(2027, 1, 4, 9, 0))
    assert await run_job(h.app, "weekly-report") == ["2026-W53"]
    await h.deliver()
    (report,) = [n for n in notices_in(h, ADMIN_CHANNEL) if "to Mon 4 Jan" in n.text]
    lines = report.text.splitlines()
    start = lines.index("**11 partners have gone quiet**")
    joined = day(date(2026, 11, 24))
    # By name, as `quiet` lists them; each one's last action was subscribing (after joining).
    assert lines[start + 1 :] == [
        *(
            f"• P{n:02d} ({'gold' if n % 2 else 'silver'}) — last action: subscribed on {joined}"
            for n in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11)
        ),
        "…and 1 more — say `quiet`",
        "",
        m.REPORT_FOOTER,
    ]
    assert lines[start - 1] == ""
    # `quiet` has the one the report left out, and says what its last action was.
    quiet = (await h.admin("quiet")).text
    assert (
        "• P12 (silver) — no action in the last 4 weeks while still receiving; "
        f"last action: subscribed on {joined}" in quiet
    )


async def test_no_quiet_partner_no_section(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    move_to(clock, utc(2026, 11, 30, 9, 0))
    assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    await h.deliver()
    (report,) = notices_in(h, ADMIN_CHANNEL)
    assert "gone quiet" not in report.text
    assert report.text.splitlines()[-2:] == ["", m.REPORT_FOOTER]
