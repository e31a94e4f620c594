"""The replies of `news search` and of its "Show" button."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date

from bot import messages as m
from bot.domain.conversation import FileShown, LinkButton
from bot.domain.files import Attachment
from bot.domain.refs import ChannelRef, MessageRef, Platform
from bot.domain.sending import CtaButton
from bot.presenter import SHOW_ACTION, present
from bot.presenter.search import SHOW_LINK_ACTION, show_lines
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


def _shown(**extra: object) -> AnnouncementShown:
    values: dict[str, object] = {
        "announcement_id": 12,
        "title": "Rebates",
        "body": "They start in March.",
        "sent": SENT,
        "topics": ("pricing",),
        "ctas": (
            CtaButton(1, "Portal", "https://example.com/p", "https://bot.example/r/12.1.4.sig"),
            CtaButton(2, "Terms", "https://example.com/t"),
        ),
        "files": (FileShown(PDF), FileShown(PNG, image_url="https://bot.example/f/tok")),
    }
    return AnnouncementShown(**(values | extra))  # type: ignore[arg-type]


PDF = Attachment("a" * 64, "terms.pdf", "application/pdf", 10)
PNG = Attachment("b" * 64, "q.png", "image/png", 9)
COPY = MessageRef(ChannelRef(Platform.SLACK, "T1", "C1"), "1700000000.000100")


def test_show_has_the_text_and_typed_link_buttons_and_files() -> None:
    reply = present(_shown(delivered=COPY))
    assert reply.text == f"**Rebates** — {DAY} · `pricing`\nThey start in March."
    assert reply.links == (
        LinkButton(
            "Portal",
            "https://example.com/p",
            tracked="https://bot.example/r/12.1.4.sig",
            action=SHOW_LINK_ACTION,
            value="12:1",
        ),
        LinkButton("Terms", "https://example.com/t", action=SHOW_LINK_ACTION, value="12:2"),
    )
    assert reply.files == (FileShown(PDF), FileShown(PNG, image_url="https://bot.example/f/tok"))
    assert reply.delivered == COPY and reply.ephemeral and not reply.is_error
    gone = present(AnnouncementGone())
    assert gone.is_error and gone.text == m.SHOW_GONE


def test_show_lines_write_links_and_files_out_for_adapters_without_buttons() -> None:
    reply = present(_shown(files=(FileShown(PDF), FileShown(PNG, missing=True))))
    assert show_lines(reply) == [
        "🔗 Portal: https://bot.example/r/12.1.4.sig",  # the counted redirect, where there is one
        "🔗 Terms: https://example.com/t",
        "📎 1 file: terms.pdf",
        m.SHOW_FILE_GONE.format(name="q.png"),
    ]
    assert show_lines(present(_shown(ctas=(), files=()))) == []


def test_other_replies_carry_no_links_files_or_language() -> None:
    reply = present(NewsFound("deal", (_found(7),)))
    assert (reply.links, reply.files, reply.delivered, reply.language) == ((), (), None, "")
