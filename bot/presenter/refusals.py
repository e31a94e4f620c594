"""Every refusal's sentence: a `Refused` (bot/results.py) becomes an error `Reply` carrying its code."""

from __future__ import annotations

from bot import messages as m
from bot.domain.conversation import Refusal, RefusalCode, Reply
from bot.domain.cta import MAX_CTA_LABEL, MAX_CTA_URL, MAX_CTAS, CtaProblem, CtaRefused
from bot.formats import day
from bot.results import Refused


def error(text: str, refusal: Refusal | None = None) -> Reply:
    return Reply(text=text, is_error=True, refusal=refusal)


def refusal_reply(refused: Refused) -> Reply:
    """The sentence for a refusal's code, with its values; words made elsewhere are shown as they are."""
    return error(refused.message or _refusal_text(refused), refused.refusal)


def _refusal_text(r: Refused) -> str:
    match r.code:
        case RefusalCode.UNKNOWN_TOPIC:
            hint = m.DID_YOU_MEAN.format(suggestion=r.suggestion) if r.suggestion else "."
            return m.UNKNOWN_TOPIC.format(slug=r.value, did_you_mean=hint)
        case RefusalCode.TOPIC_ARCHIVED:
            return m.TOPIC_IS_ARCHIVED.format(slug=r.value)
        case RefusalCode.ACK_NEEDS_URGENT:
            return m.ACK_NEEDS_URGENT
        case RefusalCode.EMPTY_AUDIENCE:
            return m.EMPTY_AUDIENCE.format(id=r.announcement_id, audience=r.audience)
        case RefusalCode.NO_SUCH_ANNOUNCEMENT:
            return m.NO_SUCH_ANNOUNCEMENT.format(id=r.announcement_id)
        case RefusalCode.NOT_A_DRAFT:
            return m.NOT_A_DRAFT[r.status].format(id=r.announcement_id)
        case RefusalCode.NEEDS_LINK:
            return m.SUBSCRIBE_NEEDS_LINK
        case RefusalCode.UNKNOWN_TIMEZONE:
            hint = m.DID_YOU_MEAN.format(suggestion=r.suggestion) if r.suggestion else ""
            return m.BAD_TIMEZONE.format(value=r.value, did_you_mean=hint)
        case RefusalCode.INVITE_UNKNOWN:
            return m.JOIN_UNKNOWN
        case RefusalCode.INVITE_USED:
            return m.JOIN_USED
        case RefusalCode.INVITE_EXPIRED:
            return m.JOIN_EXPIRED
        case RefusalCode.NOT_AN_ANNOUNCEMENT:
            return m.NOT_AN_ANNOUNCEMENT
        case RefusalCode.TOO_LONG if r.field == "question":
            return m.QUESTION_TOO_LONG.format(max=r.limit)
        case RefusalCode.MISSING if r.field == "answer":
            return m.ANSWER_EMPTY
        case RefusalCode.MISSING if r.field == "tier":
            return m.TIER_MISSING
        case RefusalCode.NO_SUCH_QUESTION if r.ids:
            first = r.suggestion or str(r.ids[0])
            return m.NO_SUCH_QUESTION_HERE.format(id=r.question_id, ids=_ids(r.ids), first=first)
        case RefusalCode.NO_SUCH_QUESTION:
            return m.NO_SUCH_QUESTION.format(id=r.question_id)
        case RefusalCode.QUESTION_NOT_IN_THREAD:
            return m.QUESTION_NOT_IN_THREAD.format(id=r.question_id, ids=_ids(r.ids))
        case RefusalCode.WHICH_QUESTION:
            return m.WHICH_QUESTION.format(ids=_ids(r.ids))
        case RefusalCode.TOPIC_EXISTS:
            return m.TOPIC_EXISTS.format(slug=r.value)
        case RefusalCode.CANCEL_TOO_LATE:
            return m.CANCEL_TOO_LATE.format(id=r.announcement_id)
        case RefusalCode.NOT_CANCELLABLE:
            return m.CANNOT_CANCEL[r.status].format(id=r.announcement_id)
        case RefusalCode.ACK_NOT_REQUIRED:
            return m.ACK_NOT_REQUIRED.format(id=r.announcement_id)
        case RefusalCode.RESCHEDULE_TOO_LATE:
            return m.RESCHEDULE_TOO_LATE.format(id=r.announcement_id)
        case RefusalCode.NOT_RESCHEDULABLE:
            return m.RESCHEDULE_GONE[r.status].format(id=r.announcement_id)
        case RefusalCode.DEFAULT_LANGUAGE if r.announcement_id is None:
            return m.VARIANT_DEFAULT_LANGUAGE.format(language=r.value)
        case RefusalCode.DEFAULT_LANGUAGE:
            return m.TRANSLATE_DEFAULT_LANGUAGE.format(language=r.value, id=r.announcement_id)
        case RefusalCode.NOT_EDITABLE:
            return m.NOT_EDITABLE[r.status].format(id=r.announcement_id)
        case RefusalCode.NOT_RECALLABLE:
            return m.NOT_RECALLABLE[r.status].format(id=r.announcement_id)
        case RefusalCode.NO_SUCH_PARTNER:
            hint = m.DID_YOU_MEAN.format(suggestion=r.suggestion) + " " if r.suggestion else ". "
            return m.NO_SUCH_PARTNER.format(name=r.value, did_you_mean=hint)
        case RefusalCode.PARTNER_REMOVED:
            removed = day(r.removed_on) if r.removed_on else "?"
            return m.PARTNER_REMOVED_ALREADY.format(name=r.value, removed=removed)
        case RefusalCode.NOTHING_TO_CHANGE:
            return m.PARTNER_SET_NOTHING.format(name=r.value)
        case RefusalCode.QUESTION_RECALLED:
            return m.ANSWER_ON_RECALLED.format(id=r.question_id, announcement=r.announcement_id)
        case RefusalCode.ALREADY_ANSWERED:
            return m.ALREADY_ANSWERED.format(id=r.question_id)
        case RefusalCode.NO_SUCH_AUDIENCE:
            hint = m.DID_YOU_MEAN.format(suggestion=r.suggestion) if r.suggestion else "."
            return m.NO_SUCH_AUDIENCE.format(name=r.value, did_you_mean=hint)
        case RefusalCode.AUDIENCE_TOPIC_CONFLICT:
            return m.AUDIENCE_TOPIC_CONFLICT.format(name=r.value, saved=r.suggestion, given=r.audience)
        case RefusalCode.MISSING if r.field == "topics" and r.value:
            return m.AUDIENCE_NEEDS_TOPIC.format(name=r.value)
        case RefusalCode.NOT_TESTABLE:
            return m.TEST_NOT_AVAILABLE[r.status].format(id=r.announcement_id)
        case RefusalCode.CTA_FORM | RefusalCode.CTA_LABEL | RefusalCode.CTA_URL | RefusalCode.CTA_TOO_MANY:
            return _cta_text(r)
        case RefusalCode.TOO_LONG if r.field == "cta":
            return m.CTA_URL_TOO_LONG.format(length=r.limit, max=MAX_CTA_URL)
    raise ValueError(f"refusal {r.code} needs its words in `message`")


_CTA_CODES = {
    CtaProblem.FORM: RefusalCode.CTA_FORM,
    CtaProblem.LABEL: RefusalCode.CTA_LABEL,
    CtaProblem.URL: RefusalCode.CTA_URL,
    CtaProblem.URL_TOO_LONG: RefusalCode.TOO_LONG,
    CtaProblem.TOO_MANY: RefusalCode.CTA_TOO_MANY,
}


def cta_refused(refused: CtaRefused, *, count: int = 0) -> Refused:
    """A call to action the rules refused (bot/domain/cta.py), as a refusal about the field `cta`;
    `count`: how many were given (for too many)."""
    written = refused.written
    url = written.partition("|")[2].strip()
    if refused.problem is CtaProblem.TOO_MANY:
        return Refused(RefusalCode.CTA_TOO_MANY, "cta", limit=count)
    if refused.problem is CtaProblem.URL_TOO_LONG:
        return Refused(RefusalCode.TOO_LONG, "cta", value=written, limit=len(url))
    value = url if refused.problem is CtaProblem.URL else written
    return Refused(_CTA_CODES[refused.problem], "cta", value=value)


def _cta_text(r: Refused) -> str:
    shown = r.value if len(r.value) <= 80 else r.value[:80] + "…"
    match r.code:
        case RefusalCode.CTA_FORM:
            return m.CTA_FORM.format(written=shown)
        case RefusalCode.CTA_LABEL:
            return m.CTA_LABEL.format(written=shown, max=MAX_CTA_LABEL)
        case RefusalCode.CTA_URL:
            return m.CTA_URL.format(url=shown)
    return m.CTA_TOO_MANY.format(max=MAX_CTAS, count=r.limit)


def _ids(ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{i}" for i in ids)
