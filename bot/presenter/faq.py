"""The admin's FAQ replies (issue 18): `faq`, `faqs`, and the Mark as FAQ button's outcome."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Reply
from bot.presenter.feedback import one_line
from bot.results import FaqChange, FaqChanged, FaqNotAnswered, FaqsListed
from bot.safety import neutralize_mentions


def faq_reply(result: FaqChanged | FaqNotAnswered | FaqsListed) -> Reply:
    match result:
        case FaqNotAnswered(exists=False):
            return Reply(text=m.NO_SUCH_QUESTION.format(id=result.question_id), is_error=True)
        case FaqNotAnswered():
            return Reply(text=m.FAQ_NOT_ANSWERED.format(id=result.question_id), is_error=True)
        case FaqsListed():
            return _listing(result)
    faq = result.faq
    question = one_line(neutralize_mentions(faq.question), 300)
    answer = neutralize_mentions(faq.answer)
    words = {
        FaqChange.MARKED: m.FAQ_MARKED,
        FaqChange.UNMARKED: m.FAQ_UNMARKED,
        FaqChange.ALREADY: m.FAQ_ALREADY,
        FaqChange.ALREADY_OFF: m.FAQ_ALREADY_OFF,
        FaqChange.REWORDED: m.FAQ_REWORDED,
    }[result.change]
    return Reply(text=words.format(id=faq.question_id, question=question, answer=answer))


def _listing(listed: FaqsListed) -> Reply:
    if not listed.faqs:
        return Reply(text=m.NO_FAQS)
    lines = [
        m.FAQ_LINE.format(
            id=faq.question_id,
            question=one_line(neutralize_mentions(faq.question), 120),
            served=m.FAQ_SERVED(faq.served),
        )
        for faq in listed.faqs
    ]
    return Reply(text=m.FAQS_HEADER(len(listed.faqs)) + "\n" + "\n".join(lines))
