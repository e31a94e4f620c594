"""The replies of `news search` and of its "Show" button."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date

from bot import messages as m
from bot.domain.cta import CallToAction
from bot.domain.files import Attachment
from bot.presenter import SHOW_ACTION, present
from bot.results import AnnouncementGone, AnnouncementShown, FoundAnnouncement, NewsFound

SENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DAY = format_date(SENT.date(), format="medium", locale="en")  # Babel's English: "Mar 2, 2026"


def _found(n: int) -> FoundAnnouncement:
    return FoundAnnouncement(n, f"Title {n}", SENT, ("pricing", "security"), f"… the **deal** {n} …")


def test_results_one_row_each_with_a_show_button() -> None:
    reply = present(NewsFound("deal", (_found(7), _found(3))))
    assert reply.text == m.NEWS_FOUND_HEADER(2, words="deal")
    assert [row.text for row in reply.rows] == [
        f"**Title 7** — {DAY} · `pricing`, `security`\n… the **deal** 7 …",
        f"**Title 3** — {DAY} · `pricing`, `security`\n… the **deal** 3 …",
    ]
    assert [(r.button.action, r.button.value) for r in reply.rows if r.button] == [
        (SHOW_ACTION, "7"),
        (SHOW_ACTION, "3"),
    ]
    assert reply.ephemeral and not reply.is_error


def test_one_result_more_results_and_none() -> None:
    assert present(NewsFound("deal", (_found(1),))).text == "**One announcement matches “deal”:**"
    more = present(NewsFound("deal", tuple(_found(n) for n in range(5)), more=True))
    assert more.text.endswith(m.NEWS_FOUND_MORE.format(n=5))
    none = present(NewsFound("zzz", ()))
    assert none.text == m.NO_SEARCH_RESULTS.format(words="zzz") and none.rows == ()


def test_show_has_the_text_links_and_file_names() -> None:
    shown = AnnouncementShown(
        title="Rebates",
        body="They start in March.",
        sent=SENT,
        topics=("pricing",),
        ctas=(CallToAction("Portal", "https://example.com/p"),),
        files=(
            Attachment("a" * 64, "terms.pdf", "application/pdf", 10),
            Attachment("b" * 64, "q.png", "image/png", 9),
        ),
    )
    reply = present(shown)
    assert reply.text == (
        f"**Rebates** — {DAY} · `pricing`\nThey start in March.\n"
        "🔗 Portal: https://example.com/p\n📎 2 files: terms.pdf, q.png"
    )
    gone = present(AnnouncementGone())
    assert gone.is_error and gone.text == m.SHOW_GONE
