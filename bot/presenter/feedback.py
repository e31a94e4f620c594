"""Feedback: a Helpful press, a partner's question received, an admin's answer, the open questions."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Reply
from bot.results import CtaOpened, HelpfulCounted, OpenQuestions, QuestionAnswered, QuestionAsked
from bot.safety import neutralize_mentions


def helpful_reply(_: HelpfulCounted) -> Reply:
    return Reply(text=m.HELPFUL_THANKS)


def cta_opened_reply(opened: CtaOpened) -> Reply:
    return Reply(text=m.CTA_OPENED.format(label=opened.label, url=opened.url))


def asked_reply(asked: QuestionAsked) -> Reply:
    return Reply(text=m.QUESTION_RECEIVED.format(id=asked.question_id))


def answered_reply(answered: QuestionAnswered) -> Reply:
    """The admin's confirmation; names are shown without their mentions (a name never pings)."""
    partner = neutralize_mentions(answered.partner)
    if answered.recalled is not None:
        text = m.ANSWER_QUEUED_RECALLED.format(
            id=answered.question_id, partner=partner, announcement=answered.recalled
        )
        return Reply(text=text)
    return Reply(text=m.ANSWER_QUEUED.format(id=answered.question_id, partner=partner))


def open_questions_reply(listed: OpenQuestions) -> Reply:
    if not listed.questions:
        return Reply(text=m.NO_OPEN_QUESTIONS)
    lines = [
        m.OPEN_QUESTION_LINE.format(
            id=q.id,
            partner=neutralize_mentions(q.partner_name),
            tier=q.partner_tier,
            platform=q.channel.platform.value,
            about=f"#{q.announcement_id}" if q.announcement_id else m.DIRECT_QUESTION,
            text=one_line(neutralize_mentions(q.text)),
        )
        for q in listed.questions
    ]
    return Reply(text=m.OPEN_QUESTIONS(len(listed.questions)) + "\n" + "\n".join(lines))


def one_line(text: str, limit: int = 120) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
