"""bot/presenter/feedback.py and the feedback refusals: typed results in the words the feedback
service wrote before it returned results (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import messages as m
from bot.domain import ChannelRef, Platform, Question, QuestionStatus, Refusal, RefusalCode
from bot.presenter import present
from bot.presenter.feedback import one_line
from bot.results import HelpfulCounted, OpenQuestions, QuestionAnswered, QuestionAsked, Refused


def _question(id: int, text: str, announcement_id: int | None, partner: str = "Acme") -> Question:
    return Question(
        id=id,
        channel=ChannelRef(Platform.SLACK, "T1", "C1"),
        channel_id=1,
        announcement_id=announcement_id,
        asker="pat",
        text=text,
        status=QuestionStatus.OPEN,
        partner_name=partner,
        partner_tier="gold",
        partner_thread=None,
        admin_thread=None,
        created_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )


def test_helpful_asked_and_answered_read_as_before() -> None:
    assert present(HelpfulCounted()).text == m.HELPFUL_THANKS
    assert present(QuestionAsked(12)).text == m.QUESTION_RECEIVED.format(id=12)
    assert present(QuestionAnswered(3, "Acme")).text == m.ANSWER_QUEUED.format(id=3, partner="Acme")
    recalled = present(QuestionAnswered(3, "Acme", recalled=7)).text
    assert recalled == m.ANSWER_QUEUED_RECALLED.format(id=3, partner="Acme", announcement=7)
    # A partner's name never pings the admin channel.
    assert "@here" not in present(QuestionAnswered(3, "Acme @here")).text


def test_open_questions_are_one_line_each_with_what_they_are_about() -> None:
    questions = (_question(1, "Is v2\naffected?", 7), _question(2, "x" * 200, None, "Birch"))
    reply = present(OpenQuestions(questions))
    assert reply.text == "\n".join(
        [
            "**2 open questions:**",
            "• #1 Acme (gold, slack) on #7: Is v2 affected?",
            f"• #2 Birch (gold, slack) on {m.DIRECT_QUESTION}: {'x' * 119}…",
        ]
    )
    assert present(OpenQuestions(questions[:1])).text.startswith("**1 open question:**\n")
    assert present(OpenQuestions(())).text == m.NO_OPEN_QUESTIONS
    assert one_line("a  b\nc", 3) == "a …"


@pytest.mark.parametrize(
    ("refused", "text"),
    [
        (Refused(RefusalCode.NOT_AN_ANNOUNCEMENT), m.NOT_AN_ANNOUNCEMENT),
        (Refused(RefusalCode.TOO_LONG, "question", limit=3000), m.QUESTION_TOO_LONG.format(max=3000)),
        (Refused(RefusalCode.MISSING, "answer"), m.ANSWER_EMPTY),
        (Refused(RefusalCode.NO_SUCH_QUESTION, question_id=9), m.NO_SUCH_QUESTION.format(id=9)),
        (
            Refused(RefusalCode.NO_SUCH_QUESTION, question_id=99, ids=(1, 2), suggestion="2"),
            m.NO_SUCH_QUESTION_HERE.format(id=99, ids="#1, #2", first=2),
        ),
        (
            Refused(RefusalCode.QUESTION_NOT_IN_THREAD, question_id=5, ids=(1,)),
            m.QUESTION_NOT_IN_THREAD.format(id=5, ids="#1"),
        ),
        (Refused(RefusalCode.WHICH_QUESTION, ids=(1, 2)), m.WHICH_QUESTION.format(ids="#1, #2")),
        (
            Refused(RefusalCode.QUESTION_RECALLED, question_id=1, announcement_id=4),
            m.ANSWER_ON_RECALLED.format(id=1, announcement=4),
        ),
        (Refused(RefusalCode.ALREADY_ANSWERED, question_id=3), m.ALREADY_ANSWERED.format(id=3)),
    ],
)
def test_feedback_refusals_read_as_their_sentence_and_keep_their_code(refused: Refused, text: str) -> None:
    reply = present(refused)
    assert reply.text == text and reply.is_error
    assert reply.refusal is not None and reply.refusal == refused.refusal
    assert reply.refusal == Refusal(reply.refusal.code, refused.field)


def test_a_too_long_refusal_about_another_field_needs_its_words() -> None:
    """TOO_LONG and MISSING are worded here only for a question and an answer; the grammar's own
    carry their words in `message`."""
    assert present(Refused(RefusalCode.TOO_LONG, "title", message="Too long.")).text == "Too long."
    with pytest.raises(ValueError, match="needs its words"):
        present(Refused(RefusalCode.TOO_LONG, "title"))
