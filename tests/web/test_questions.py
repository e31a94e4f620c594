"""The Questions page: open questions oldest first with their age, answering from the dashboard through
the chat's own relay (end to end to the partner's thread), refusals, filters, CSV (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from adapters.local.workspace import Message
from adapters.web.pages import questions as questions_page
from storage.tables import AnswerRow, AuditRow, QuestionRow
from tests.conftest import FakeClock
from tests.harness import Harness
from tests.integration.support import broadcast_and_send, replies_in_thread, rows, setup_topics
from tests.web.support import Dashboard


async def _asked(h: Harness, clock: FakeClock) -> tuple[Message, Message]:
    """Acme (gold) asked under announcement #1 three days ago, Birch (silver) five hours ago."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.join("birch", "Birch", tier="silver", region="apac")
    await h.subscribe("acme", "security")
    await h.subscribe("birch", "security")
    await broadcast_and_send(h, 'topic:security title:"Patch now"', "Please patch.")
    await h.deliver()
    acme, birch = h.posts("acme")[0], h.posts("birch")[0]
    asked = await h.local.say("pat", "acme", "Is v2 affected?", thread=acme.id)
    assert asked is not None and not asked.is_error
    clock.advance(days=3, hours=-5)
    asked = await h.local.say("kim", "birch", "Does it need a restart?", thread=birch.id)
    assert asked is not None and not asked.is_error
    clock.advance(hours=5)
    await h.deliver()
    return acme, birch


_CHART = re.compile(r'<svg[^>]*class="[^"]*\bchart\b')


def _text(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


async def test_signed_out_the_page_and_the_csv_send_the_browser_to_sign_in(dashboard: Dashboard) -> None:
    for path in ("/questions", "/questions.csv"):
        status, location = await dashboard.get(path)
        assert status == 302 and "/dashboard/signin" in location
    status, _ = await dashboard.post("/questions/1/answer", {"text": "x"}, csrf=False)
    assert status == 401


async def test_the_page_renders_empty(dashboard: Dashboard) -> None:
    await dashboard.sign_in()
    status, html = await dashboard.get("/questions")
    assert status == 200
    assert _CHART.search(html)
    words = _text(html)
    assert "No question is waiting for an answer." in words
    assert "No question was answered in the last 30 days." in words


async def test_open_questions_oldest_first_with_age_partner_and_announcement(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    await _asked(dashboard.harness, clock)
    await dashboard.sign_in()
    status, html = await dashboard.get("/questions")
    assert status == 200
    words = _text(html)
    assert "2 questions are waiting for an answer." in words
    assert words.index("Is v2 affected?") < words.index("Does it need a restart?")
    assert "3 days" in words and "5 hours" in words
    assert re.search(r'href="/dashboard/partners/\d+">Acme</a>', html)
    assert 'href="/dashboard/announcements/1">#1 Patch now</a>' in html
    assert '<label for="answer-1">Your answer to question #1</label>' in html
    assert '<textarea id="answer-1" name="text"' in html
    assert "Send answer" in html
    assert _CHART.search(html)


async def test_an_answer_from_the_dashboard_reaches_the_partners_thread_signed_by_the_admin(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    acme, _ = await _asked(h, clock)
    await dashboard.sign_in()
    await dashboard.get("/questions")
    status, location = await dashboard.post("/questions/1/answer", {"text": "Yes: update to 2.3."})
    assert (status, location) == (303, "/dashboard/questions?answered=1")
    status, html = await dashboard.get(location.removeprefix("/dashboard"))
    assert "Your answer to question #1 is on its way" in _text(html)

    await h.deliver()
    (relayed,) = replies_in_thread(h, "acme", acme.id)
    assert "Answer from Alice" in relayed.text and "Yes: update to 2.3." in relayed.text
    assert "Is v2 affected?" in relayed.text
    (answer,) = await rows(h, AnswerRow)
    assert (answer.admin_platform, answer.admin_id, answer.admin_name) == ("local", "alice", "Alice")

    (audit,) = await rows(h, AuditRow, action="answer")
    assert (audit.channel_id, audit.user_id, audit.allowed) == ("dashboard", "alice", True)
    assert audit.detail == "answer 1 Yes: update to 2.3."

    # It moved to "Recently answered", with who answered; the other question still waits.
    words = _text((await dashboard.get("/questions"))[1])
    assert "1 question is waiting for an answer." in words
    recent = words.split("Recently answered", 1)[1]
    assert "Is v2 affected?" in recent and "Yes: update to 2.3. by Alice" in recent


async def test_a_stale_form_for_an_answered_question_sends_nothing_and_keeps_the_text(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    acme, _ = await _asked(h, clock)
    await dashboard.sign_in()
    await dashboard.get("/questions")
    assert not (await h.admin("answer 1 Answered in the chat.")).is_error
    status, html = await dashboard.post("/questions/1/answer", {"text": "Mine from the page."})
    assert status == 409
    assert "answered in the meantime" in _text(html)
    assert "Mine from the page." in html  # what the admin wrote is shown, not dropped
    await h.deliver()
    assert len(replies_in_thread(h, "acme", acme.id)) == 1
    assert len(await rows(h, AnswerRow)) == 1


async def test_empty_unknown_and_recalled_are_refused_with_nothing_sent(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _asked(h, clock)
    await dashboard.sign_in()
    await dashboard.get("/questions")

    status, html = await dashboard.post("/questions/1/answer", {"text": "  \n "})
    assert status == 400 and "The answer is empty, so nothing was sent." in _text(html)
    status, html = await dashboard.post("/questions/99/answer", {"text": "Hello"})
    assert status == 404 and "There is no question #99, so nothing was sent." in _text(html)
    assert "Hello" in html

    assert not (await h.admin("recall 1")).is_error
    await h.deliver()
    status, html = await dashboard.post("/questions/2/answer", {"text": "No restart."})
    assert status == 409
    assert "has been recalled, so nothing was sent" in _text(html)
    assert "No restart." in html
    assert await rows(h, AnswerRow) == []
    assert [q.status for q in await rows(h, QuestionRow)] == ["open", "open"]
    assert await rows(h, AuditRow, action="answer") == []


async def test_a_form_without_the_csrf_token_is_refused(dashboard: Dashboard, clock: FakeClock) -> None:
    h = dashboard.harness
    await _asked(h, clock)
    await dashboard.sign_in()
    status, html = await dashboard.post("/questions/1/answer", {"text": "Yes."}, csrf=False)
    assert status == 403 and "This form has expired" in html
    assert await rows(h, AnswerRow) == []


async def test_filters_change_the_numbers_and_the_csv_follows_them(
    dashboard: Dashboard, clock: FakeClock
) -> None:
    h = dashboard.harness
    await _asked(h, clock)
    await h.admin("answer 1 Yes.")
    await dashboard.sign_in()

    words = _text((await dashboard.get("/questions?tier=silver"))[1])
    assert "1 question is waiting for an answer." in words and "Is v2 affected?" not in words
    assert "No question was answered in the last 30 days." in words
    words = _text((await dashboard.get("/questions?tier=GOLD"))[1])
    assert "No question is waiting for an answer among these partners." in words
    assert "Is v2 affected?" in words.split("Recently answered", 1)[1]
    words = _text((await dashboard.get("/questions?topic=pricing"))[1])
    assert "No question is waiting" in words
    clock.advance(days=8)
    await dashboard.sign_in()  # the session of 8 days ago has expired
    words = _text((await dashboard.get("/questions?days=7"))[1])
    assert "No question was answered in the last 7 days." in words

    status, body = await dashboard.get("/questions.csv?days=30")
    assert status == 200
    parsed = list(csv.DictReader(io.StringIO(body)))
    assert [(r["id"], r["status"], r["partner"]) for r in parsed] == [
        ("1", "answered", "Acme"),
        ("2", "open", "Birch"),
    ]
    assert parsed[0]["answer"] == "Yes." and parsed[0]["answered_by"] == "alice"
    assert parsed[1]["question"] == "Does it need a restart?" and parsed[1]["announcement"] == "Patch now"
    parsed = list(csv.DictReader(io.StringIO((await dashboard.get("/questions.csv?region=apac"))[1])))
    assert [r["id"] for r in parsed] == ["2"]


async def test_open_questions_page_by_keyset_oldest_first(
    dashboard: Dashboard, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(questions_page, "OPEN_LIMIT", 1)
    await _asked(dashboard.harness, clock)
    await dashboard.sign_in()
    html = (await dashboard.get("/questions?tier="))[1]
    words = _text(html)
    assert "2 questions are waiting for an answer. The oldest is shown here." in words
    assert "Is v2 affected?" in words and "Does it need a restart?" not in words
    assert '<a href="/dashboard/questions?after=1">The next questions</a>' in html
    html = (await dashboard.get("/questions?after=1"))[1]
    words = _text(html)
    assert "Here is the one asked after question #1." in words
    assert "Does it need a restart?" in words and "Is v2 affected?" not in words
    assert "The next questions" not in html
    assert '<a href="/dashboard/questions">The oldest questions</a>' in html
