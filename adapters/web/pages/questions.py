"""Questions: partner questions still open (oldest first, with their age), the recently answered ones,
a chart of the open ones by age, CSV; an admin answers from here through the chat's own relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from adapters.web import charts
from adapters.web.deps import deps
from adapters.web.export import csv_response
from adapters.web.pages import faqs
from adapters.web.render import SIGNED_IN_KEY, page, url
from bot.domain.conversation import RefusalCode, Reply
from bot.domain.dashboard import Segment
from bot.i18n import Plural
from bot.results import QuestionAnswered, Refused

# Open questions per page (each with its answer form); the next ones by keyset (`after`).
OPEN_LIMIT = 50
ANSWERED_LIMIT = 20
MAX_ANSWER = 3000
CSV_HEADER = (
    "id",
    "asked_at",
    "status",
    "partner",
    "tier",
    "announcement_id",
    "announcement",
    "asker",
    "question",
    "answered_at",
    "answered_by",
    "answer",
    "faq",
    "self_served",
)
WINDOWS = (7, 30, 90, 365)

AGE_MINUTES = Plural("{n} minute", "{n} minutes")
AGE_HOURS = Plural("{n} hour", "{n} hours")
AGE_DAYS = Plural("{n} day", "{n} days")
OPEN_COUNT = Plural("{n} question is waiting for an answer.", "{n} questions are waiting for an answer.")
SHOWING_OLDEST = Plural("The oldest is shown here.", "The oldest {n} are shown here.")
SHOWING_AFTER = Plural(
    "Here is the one asked after question #{after}.", "Here are the {n} asked after question #{after}."
)
AGE_LABELS = ("under a day", "1 to 3 days", "3 to 7 days", "a week or more")

# The words for a refused answer (the form says what happened; the chat's sentences name chat commands).
_REFUSALS: dict[RefusalCode | None, tuple[int, str]] = {
    RefusalCode.MISSING: (400, "The answer is empty, so nothing was sent. Write the answer, then send it."),
    RefusalCode.NO_SUCH_QUESTION: (404, "There is no question #{id}, so nothing was sent."),
    RefusalCode.ALREADY_ANSWERED: (
        409,
        "Question #{id} was answered in the meantime (see “Recently answered”), so nothing was sent. "
        "Your text is below, to add it as a follow-up from the chat with `answer {id} <text>`.",
    ),
    RefusalCode.QUESTION_RECALLED: (
        409,
        "The announcement question #{id} was asked under has been recalled, so nothing was sent: its copy "
        "and the partner's thread are gone. To answer anyway, say `answer {id} <text>` in the admin "
        "channel; the answer then goes to the partner's channel as a message that quotes the question.",
    ),
}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/questions", show, name="questions")
    router.add_get("/questions.csv", export, name="questions-csv")
    router.add_post(r"/questions/{id:\d+}/answer", answer, name="question-answer")
    faqs.add_routes(router)


def segment_of(request: web.Request) -> Segment:
    """The filters from the address, so a filtered page is a link another admin can open."""
    q = request.query
    days = int(q["days"]) if q.get("days", "").isdigit() and int(q["days"]) in WINDOWS else 30
    return Segment(
        days=days,
        tier=q.get("tier") or None,
        region=q.get("region") or None,
        type=q.get("type") or None,
        language=q.get("language") or None,
        topic=q.get("topic") or None,
    )


def filters_of(segment: Segment) -> dict[str, Any]:
    return {
        "days": segment.days if segment.days != 30 else None,
        "tier": segment.tier,
        "region": segment.region,
        "type": segment.type,
        "language": segment.language,
        "topic": segment.topic,
    }


def age(asked: datetime, now: datetime) -> str:
    """How long a question has waited, in words: "45 minutes", "5 hours", "3 days"."""
    waited = max(now - asked, timedelta(0))
    if waited < timedelta(hours=1):
        return AGE_MINUTES(max(1, int(waited.total_seconds() // 60)))
    if waited < timedelta(days=1):
        return AGE_HOURS(int(waited.total_seconds() // 3600))
    return AGE_DAYS(waited.days)


async def show(request: web.Request) -> web.StreamResponse:
    if request.query.get("faq") == "1":  # the FAQs, with their wording (issue 18)
        return await faqs.show(request)
    return await _render(request, segment_of(request))


async def _render(
    request: web.Request,
    segment: Segment,
    *,
    status: int = 200,
    problem: str = "",
    kept: tuple[int, str] | None = None,
) -> web.StreamResponse:
    d = deps(request)
    now = d.clock.now()
    views = d.views.questions
    given = request.query.get("after", "")
    after = int(given) if given.isdigit() else None
    # Three independent reads: at once, each on its own connection.
    counts, open_questions, answered = await asyncio.gather(
        views.counts(segment, now=now),
        views.open(segment, limit=OPEN_LIMIT + 1, after=after),
        views.answered(segment, now=now, limit=ANSWERED_LIMIT),
    )
    more = len(open_questions) > OPEN_LIMIT
    open_questions = open_questions[:OPEN_LIMIT]
    notice = faqs.notice(request)
    done = request.query.get("answered", "")
    if done.isdigit():
        notice = (
            f"Your answer to question #{done} is on its way: it goes into the partner's thread in a "
            "moment, signed with your name."
        )
    chart = charts.bars("Open questions by age", AGE_LABELS, {"Open questions": counts.by_age})
    filters = filters_of(segment)
    return page(
        request,
        "questions.html",
        status=status,
        title="Questions",
        counts=counts,
        open_questions=open_questions,
        answered=answered,
        chart=chart,
        now=now,
        age=age,
        open_sentence=OPEN_COUNT(counts.open),
        showing=_showing(len(open_questions), counts.open, after),
        next_page=url("/questions", after=open_questions[-1].id, **filters) if more else "",
        first_page=url("/questions", **filters) if after is not None else "",
        notice=notice,
        problem=problem,
        kept=kept,
        filters=filters,
        windows=WINDOWS,
        back=url("/questions", **filters),
        max_answer=MAX_ANSWER,
        served=faqs.SERVED,
        faqs_page=url("/questions", faq=1),
    )


def _showing(shown: int, total: int, after: int | None) -> str:
    if after is not None:
        return SHOWING_AFTER(shown, after=after)
    return SHOWING_OLDEST(shown) if total > shown else ""


async def answer(request: web.Request) -> web.StreamResponse:
    """The answer form: the core's answer use-case for the signed-in admin, then back to the list."""
    d = deps(request)
    admin = request[SIGNED_IN_KEY].admin
    question_id = int(request.match_info["id"])
    form = await request.post()
    text = str(form.get("text", ""))
    segment = segment_of(request)
    if len(text) > MAX_ANSWER:
        problem = f"The answer is longer than {MAX_ANSWER:,} characters, so nothing was sent. Shorten it."
        return await _render(request, segment, status=400, problem=problem, kept=(question_id, text))
    result = await d.bot.dashboard_answer(admin, question_id, text)
    if isinstance(result, QuestionAnswered):
        raise web.HTTPSeeOther(url("/questions", answered=result.question_id, **filters_of(segment)))
    if isinstance(result, Refused):
        status, words = _REFUSALS.get(result.code, (409, "Question #{id} can't be answered now."))
        problem = words.format(id=question_id)
    else:  # a Reply: something broke inside (logged by the core); the text is kept
        assert isinstance(result, Reply)
        status, problem = 500, "Something went wrong and nothing was sent. Try again in a moment."
    return await _render(request, segment, status=status, problem=problem, kept=(question_id, text))


async def export(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    segment = segment_of(request)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for q in d.views.questions.export(segment, now=d.clock.now()):
            yield (
                q.id,
                q.asked_at.isoformat(),
                q.status,
                q.partner_name,
                q.partner_tier,
                q.announcement_id,
                q.announcement_title,
                q.asker,
                q.text,
                q.answered_at.isoformat() if q.answered_at else "",
                q.answered_by,
                q.answer,
                "yes" if q.faq else "no",
                q.served,
            )

    return await csv_response(request, "partnerbot-questions.csv", CSV_HEADER, rows())
