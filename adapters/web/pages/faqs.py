"""The Questions page's FAQs (issue 18): an answered question marked as FAQ or not (a checkbox in the
"Recently answered" list and in the FAQ list), the FAQ list itself (`/questions?faq=1`) with how many
questions each answered on its own, and its wording — the chat's own `faq <id> …` use-cases, run for
the signed-in admin through the core (`PartnerBot.dashboard_faq`)."""

from __future__ import annotations

from aiohttp import web

from adapters.web.deps import deps
from adapters.web.render import SIGNED_IN_KEY, page, url
from bot import commands as c
from bot.domain.conversation import Reply
from bot.domain.faq import Faq
from bot.grammar import MAX_FAQ_TEXT
from bot.i18n import Plural
from bot.results import FaqChange, FaqChanged, FaqNotAnswered

# The query a FAQ form came from (the list's filters, or the FAQ view) is where it sends the browser back.
KEPT_QUERY = ("days", "tier", "region", "type", "language", "topic", "faq")
FAQ_COUNT = Plural("There is {n} FAQ.", "There are {n} FAQs.")
SERVED = Plural("answered {n} question on its own", "answered {n} questions on its own")

NOTICES = {
    FaqChange.MARKED: "Question #{id} is an FAQ now: partners whose question resembles it are offered its "
    "answer first.",
    FaqChange.UNMARKED: "Question #{id} is no longer an FAQ; its answer is still offered under its own "
    "announcement.",
    FaqChange.ALREADY: "Question #{id} was already an FAQ, so nothing changed.",
    FaqChange.ALREADY_OFF: "Question #{id} wasn't an FAQ, so nothing changed.",
    FaqChange.REWORDED: "The wording of FAQ #{id} is saved: partners are offered it from now on.",
}
NOT_ANSWERED = (
    "There is no answered question #{id}, so nothing changed: only a question with an answer can be an "
    "FAQ. Answer it first (in the list of questions waiting for an answer)."
)
NO_SUCH_QUESTION = "There is no question #{id}, so nothing changed."
BROKEN = "Something went wrong and nothing changed. Try again in a moment."
EMPTY = "The FAQ's {key} is empty, so nothing was saved. Write it, then save."
TOO_LONG = "The FAQ's {key} is longer than {max:,} characters, so nothing was saved. Shorten it."


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(r"/questions/{id:\d+}/faq", mark, name="question-faq")
    router.add_post(r"/questions/{id:\d+}/faq/wording", reword, name="question-faq-wording")


def back_query(request: web.Request) -> dict[str, str]:
    return {key: request.query[key] for key in KEPT_QUERY if request.query.get(key)}


def notice(request: web.Request) -> str:
    """The sentence for a FAQ form just sent (`?faqd=<id>&change=<what changed>`), else ""."""
    done, change = request.query.get("faqd", ""), request.query.get("change", "")
    if not done.isdigit() or change not in NOTICES:
        return ""
    return NOTICES[FaqChange(change)].format(id=done)


async def show(
    request: web.Request,
    *,
    status: int = 200,
    problem: str = "",
    kept: tuple[int, str, str] | None = None,
) -> web.StreamResponse:
    """`/questions?faq=1`: every FAQ, the most used first, each with its wording form."""
    listed = await deps(request).bot.dashboard_faqs()
    faqs: tuple[Faq, ...] = ()
    if isinstance(listed, Reply):  # something broke inside (logged by the core)
        status, problem = 500, problem or "Something went wrong reading the FAQs. Try again in a moment."
    else:
        faqs = listed.faqs
    return page(
        request,
        "questions_faqs.html",
        status=status,
        title="FAQs",
        faqs=faqs,
        count_sentence=FAQ_COUNT(len(faqs)),
        served=SERVED,
        notice=notice(request),
        problem=problem,
        kept=kept,
        max_text=MAX_FAQ_TEXT,
        back=back_query(request),
        all_questions=url("/questions", **{k: v for k, v in back_query(request).items() if k != "faq"}),
    )


async def mark(request: web.Request) -> web.StreamResponse:
    """The FAQ checkbox: ticked marks the answered question as FAQ, unticked unmarks it."""
    question_id = int(request.match_info["id"])
    form = await request.post()
    return await _run(request, c.FaqMark(question_id, on=bool(form.get("faq"))))


async def reword(request: web.Request) -> web.StreamResponse:
    """The FAQ's wording form: both the question and the answer partners are shown (and marked FAQ)."""
    question_id = int(request.match_info["id"])
    form = await request.post()
    question, answer = str(form.get("question", "")).strip(), str(form.get("answer", "")).strip()
    kept = (question_id, question, answer)
    for key, value in (("question", question), ("answer", answer)):
        if not value:
            return await show(request, status=400, problem=EMPTY.format(key=key), kept=kept)
        if len(value) > MAX_FAQ_TEXT:
            return await show(
                request, status=400, problem=TOO_LONG.format(key=key, max=MAX_FAQ_TEXT), kept=kept
            )
    return await _run(request, c.FaqEdit(question_id, question=question, answer=answer), kept=kept)


async def _run(
    request: web.Request, command: c.FaqMark | c.FaqEdit, *, kept: tuple[int, str, str] | None = None
) -> web.StreamResponse:
    admin = request[SIGNED_IN_KEY].admin
    result = await deps(request).bot.dashboard_faq(admin, command)
    if isinstance(result, FaqChanged):
        where = back_query(request)
        anchor = "#faqs" if where.get("faq") else "#answered"
        done = url("/questions", **where, faqd=command.question_id, change=result.change.value)
        raise web.HTTPSeeOther(done + anchor)
    if isinstance(result, FaqNotAnswered):
        problem = (NOT_ANSWERED if result.exists else NO_SUCH_QUESTION).format(id=command.question_id)
        return await show(request, status=404, problem=problem, kept=kept)
    return await show(request, status=500, problem=BROKEN, kept=kept)
