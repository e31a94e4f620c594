"""Feedback: a Helpful press, a partner's question received, an admin's answer, the open questions."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Button, ButtonStyle, Reply, Row
from bot.domain.faq import OfferState
from bot.results import (
    CtaOpened,
    HelpfulCounted,
    OfferSettled,
    OpenQuestions,
    QuestionAnswered,
    QuestionAsked,
    QuestionOffered,
)
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
    mark = Button(m.MARK_FAQ_BUTTON, FAQ_MARK_ACTION, str(answered.question_id))
    return Reply(text=m.ANSWER_QUEUED.format(id=answered.question_id, partner=partner), buttons=(mark,))


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


# --- answers that already exist (issue 18) ---------------------------------------------------------

FAQ_MARK_ACTION = "faq_mark"  # value `<question id>`: runs `faq <id>` for the admin who pressed
FAQ_USED_ACTION = "faq_used"  # value `<question id>-<answered question id>`
FAQ_ASK_ACTION = "faq_ask"  # value `<question id>`
_OFFER_TEXT = 600  # characters of an offered answer shown (a Slack section holds 3,000)


def offered_reply(offered: QuestionOffered) -> Reply:
    """The private offer: each answer with its "This answers it" button, then "Ask the team anyway"."""
    rows = []
    for answer in offered.answers:
        shown = one_line(neutralize_mentions(answer.answer), _OFFER_TEXT)
        if answer.question:
            text = m.FAQ_OFFER_QUESTION.format(
                question=one_line(neutralize_mentions(answer.question), 200), answer=shown
            )
        else:
            text = m.FAQ_OFFER_ANSWER.format(answer=shown)
        value = f"{offered.question_id}-{answer.question_id}"
        rows.append(Row(text, Button(m.FAQ_ANSWERED_BUTTON, FAQ_USED_ACTION, value, ButtonStyle.PRIMARY)))
    head = m.FAQ_OFFER_HEADER.format(id=offered.question_id)
    wait = m.FAQ_OFFER_WAIT(offered.minutes)
    return Reply(
        text=f"{head}\n{wait}",
        rows=tuple(rows),
        buttons=(Button(m.FAQ_ASK_BUTTON, FAQ_ASK_ACTION, str(offered.question_id)),),
    )


def settled_reply(settled: OfferSettled) -> Reply:
    words = {
        OfferState.SELF_SERVED: m.FAQ_SELF_SERVED,
        OfferState.RELAYED: m.FAQ_RELAYED,
        OfferState.ALREADY_SELF_SERVED: m.FAQ_ALREADY_SELF_SERVED,
        OfferState.ALREADY_RELAYED: m.FAQ_ALREADY_RELAYED,
    }
    if settled.state is OfferState.UNKNOWN:
        return Reply(text=m.FAQ_OFFER_GONE, is_error=True)
    return Reply(text=words[settled.state].format(id=settled.question_id))
