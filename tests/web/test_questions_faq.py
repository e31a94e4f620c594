"""The Questions page's FAQs (issue 18): the FAQ checkbox on answered questions, the FAQ list with its
counts and wording form (`?faq=1`), the CSV columns, and the refusals (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AuditRow, FaqDocumentRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, rows, setup_topics
from tests.web.support import Dashboard


async def _answered(h: Harness, clock: FakeClock) -> None:
    """Acme asked question #1 (answered in the chat); Birch asked #2 (still open)."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, 'topic:security title:"Patch now"', "Please patch.")
    await h.deliver()
    for channel, text in (("acme", "Is v2 affected by the patch?"), ("birch", "Does it need a restart?")):
        asked = await h.local.say("pat", channel, text, thread=h.posts(channel)[0].id)
        assert asked is not None and not asked.is_error
    clock.advance(hours=1)
    assert not (await h.admin("answer 1 Yes: update to 2.3.")).is_error
    await h.deliver()


async def _served(h: Harness, question_id: int, served: int) -> None:
    """As if `served` partner questions had been closed by this answer ("This answers it")."""
    table = FaqDocumentRow.__table__  # type: ignore[attr-defined]
    async with AsyncSession(h.app.engine) as session:
        await session.exec(update(table).where(table.c.question_id == question_id).values(served=served))  # type: ignore[call-overload]
        await session.commit()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _checkbox(html: str, question_id: int) -> str:
    found = re.search(rf'<input type="checkbox" id="faq-{question_id}"[^>]*>', html)
    assert found, f"no FAQ checkbox for question #{question_id}"
    return found.group(0)


async def test_an_answered_question_gets_an_faq_checkbox_that_marks_and_unmarks_it(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    await dashboard.sign_in()
    html = (await dashboard.get("/questions?tier=gold"))[1]
    assert "checked" not in _checkbox(html, 1)
    assert '<label for="faq-1">Offer the answer to question #1 to every partner (FAQ)</label>' in html
    assert 'action="/dashboard/questions/1/faq?tier=gold"' in html
    assert 'id="faq-2"' not in html  # an open question has no FAQ box

    status, location = await dashboard.post("/questions/1/faq?tier=gold", {"faq": "on"})
    assert (status, location) == (303, "/dashboard/questions?tier=gold&faqd=1&change=marked#answered")
    html = (await dashboard.get(location.removeprefix("/dashboard").split("#")[0]))[1]
    assert "Question #1 is an FAQ now" in _text(html)
    assert "checked" in _checkbox(html, 1)
    assert "answered 0 questions on its own" in _text(html)
    (audit,) = await rows(h, AuditRow, action="faqmark")
    assert (audit.channel_id, audit.user_id, audit.allowed, audit.detail) == (
        "dashboard",
        "alice",
        True,
        "faq 1",
    )
    assert "• #1 “Is v2 affected by the patch?”" in (await h.admin("faqs")).text  # the chat sees it

    # Sent again: nothing changes, said so, and not audited twice.
    status, location = await dashboard.post("/questions/1/faq", {"faq": "on"})
    assert (status, location) == (303, "/dashboard/questions?faqd=1&change=already#answered")
    assert len(await rows(h, AuditRow, action="faqmark")) == 1

    # Unticked: the form sends no `faq` field.
    status, location = await dashboard.post("/questions/1/faq", {})
    assert (status, location) == (303, "/dashboard/questions?faqd=1&change=unmarked#answered")
    html = (await dashboard.get("/questions?faqd=1&change=unmarked"))[1]
    assert "Question #1 is no longer an FAQ" in _text(html)
    assert "checked" not in _checkbox(html, 1)
    audits = await rows(h, AuditRow, action="faqmark", channel_id="dashboard")
    assert [a.detail for a in audits] == ["faq 1", "faq 1 off"]
    assert not (await rows(h, FaqDocumentRow, question_id=1))[0].faq


async def test_the_faq_list_shows_the_wording_and_counts_and_edits_the_wording(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    await dashboard.sign_in()
    words = _text((await dashboard.get("/questions?faq=1"))[1])
    assert "No FAQs yet." in words

    assert not (await h.admin("faq 1")).is_error
    await _served(h, 1, 3)
    html = (await dashboard.get("/questions?faq=1"))[1]
    words = _text(html)
    assert "There is 1 FAQ." in words and "answered 3 questions on its own" in words
    assert "checked" in _checkbox(html, 1)
    assert '<label for="faq-question-1">Question partners see for FAQ #1</label>' in html
    assert ">Is v2 affected by the patch?</textarea>" in html
    assert ">Yes: update to 2.3.</textarea>" in html
    assert "answered 3 questions on its own" in _text((await dashboard.get("/questions"))[1])

    status, location = await dashboard.post(
        "/questions/1/faq/wording?faq=1",
        {"question": " Is version 2 affected? ", "answer": "Yes. Update to 2.3 or later."},
    )
    assert (status, location) == (303, "/dashboard/questions?faq=1&faqd=1&change=reworded#faqs")
    html = (await dashboard.get("/questions?faq=1&faqd=1&change=reworded"))[1]
    assert "The wording of FAQ #1 is saved" in _text(html)
    assert ">Is version 2 affected?</textarea>" in html
    (document,) = await rows(h, FaqDocumentRow, question_id=1)
    assert (document.shown_question, document.shown_answer, document.edited) == (
        "Is version 2 affected?",
        "Yes. Update to 2.3 or later.",
        True,
    )
    (audit,) = await rows(h, AuditRow, action="faqedit")
    assert audit.channel_id == "dashboard" and audit.user_id == "alice"
    assert audit.detail == 'faq 1 question:"Is version 2 affected?" answer:"Yes. Update to 2.3 or later."'
    assert "Is version 2 affected?" in (await h.admin("faqs")).text

    # Unticked from the FAQ list: back to the list, where it is gone.
    status, location = await dashboard.post("/questions/1/faq?faq=1", {})
    assert (status, location) == (303, "/dashboard/questions?faq=1&faqd=1&change=unmarked#faqs")
    assert "No FAQs yet." in _text((await dashboard.get("/questions?faq=1"))[1])


async def test_the_wording_form_keeps_what_was_written_when_refused(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    assert not (await h.admin("faq 1")).is_error
    await dashboard.sign_in()
    status, html = await dashboard.post(
        "/questions/1/faq/wording?faq=1", {"question": "New words?", "answer": " "}
    )
    assert status == 400 and "The FAQ's answer is empty, so nothing was saved." in _text(html)
    assert ">New words?</textarea>" in html
    status, html = await dashboard.post(
        "/questions/1/faq/wording?faq=1", {"question": "x" * 3001, "answer": "Fine."}
    )
    assert status == 400 and "longer than 3,000 characters" in _text(html)
    (document,) = await rows(h, FaqDocumentRow, question_id=1)
    assert document.shown_question == "Is v2 affected by the patch?"
    assert await rows(h, AuditRow, action="faqedit") == []


async def test_unknown_and_unanswered_questions_get_a_friendly_page(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    await dashboard.sign_in()
    for path, form in (
        ("/questions/99/faq", {"faq": "on"}),
        ("/questions/2/faq", {"faq": "on"}),
        ("/questions/2/faq/wording?faq=1", {"question": "Restart?", "answer": "No."}),
    ):
        status, html = await dashboard.post(path, form)
        question_id = path.split("/")[2]
        assert status == 404, path
        if question_id == "99":  # none at all: not told to answer it first
            assert "There is no question #99, so nothing changed." in _text(html)
            assert "Answer it first" not in _text(html)
        else:
            assert f"There is no answered question #{question_id}, so nothing changed" in _text(html)
    assert "Restart?" in html  # what the admin wrote is shown, not dropped
    assert [a for a in await rows(h, AuditRow) if a.action.startswith("faq")] == []
    assert not [d for d in await rows(h, FaqDocumentRow) if d.faq]


async def test_without_a_session_or_a_csrf_token_nothing_changes(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    for path, form in (
        ("/questions/1/faq", {"faq": "on"}),
        ("/questions/1/faq/wording", {"question": "Q", "answer": "A"}),
    ):
        status, _ = await dashboard.post(path, form, csrf=False)
        assert status == 401  # no session: a non-admin never has one
    await dashboard.sign_in()
    for path, form in (
        ("/questions/1/faq", {"faq": "on"}),
        ("/questions/1/faq/wording", {"question": "Q", "answer": "A"}),
    ):
        status, html = await dashboard.post(path, form, csrf=False)
        assert status == 403 and "This form has expired" in html
        status, html = await dashboard.post(path, {**form, "csrf_token": "forged"}, csrf=False)
        assert status == 403
    (document,) = await rows(h, FaqDocumentRow, question_id=1)
    assert not document.faq and document.shown_question == "Is v2 affected by the patch?"
    assert len(await rows(h, AuditRow, action="dashboard-csrf", allowed=False)) == 4


async def test_the_csv_ends_with_the_faq_flag_and_count(dashboard: Dashboard, clock: FakeClock) -> None:
    h = dashboard.harness
    await _answered(h, clock)
    assert not (await h.admin("faq 1")).is_error
    await _served(h, 1, 2)
    await dashboard.sign_in()
    status, body = await dashboard.get("/questions.csv")
    assert status == 200
    header = next(csv.reader(io.StringIO(body)))
    assert header[-2:] == ["faq", "self_served"]
    parsed = list(csv.DictReader(io.StringIO(body)))
    assert [(r["id"], r["faq"], r["self_served"]) for r in parsed] == [("1", "yes", "2"), ("2", "no", "0")]
