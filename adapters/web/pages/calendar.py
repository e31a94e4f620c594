"""The Calendar page: per day, what is scheduled and what recurs over the next weeks (the chat's
`calendar`, the same typed result), and every recurring series with its next occurrence (`series`)."""

from __future__ import annotations

from aiohttp import web

from adapters.web.deps import deps
from adapters.web.render import page
from bot.commands import DEFAULT_CALENDAR_WEEKS, MAX_CALENDAR_WEEKS, Calendar
from bot.presenter.series import day_words, rule_words

WEEKS = (1, 2, 4, 8, 12)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/calendar", show, name="calendar")


def weeks_of(request: web.Request) -> int:
    """`?weeks=N` (1 to 12); anything else is the default, as a bookmark with an old value should open."""
    value = request.query.get("weeks", "")
    weeks = int(value) if value.isdigit() and len(value) <= 2 else DEFAULT_CALENDAR_WEEKS
    return weeks if 1 <= weeks <= MAX_CALENDAR_WEEKS else DEFAULT_CALENDAR_WEEKS


async def show(request: web.Request) -> web.StreamResponse:
    d = deps(request)
    weeks = weeks_of(request)
    shown = await d.bot.calendar.show(Calendar(weeks))
    listed = await d.bot.series.listing()
    series = [
        {
            "id": one.id,
            "title": one.template.title,
            "rule": rule_words(one),
            "status": one.status.value,
            "next": f"{day_words(upcoming.date())} {upcoming:%H:%M}" if upcoming else "",
            "local": one.zone is None,
            "last": f"{day_words(one.last_occurrence)}: {one.last_note}" if one.last_occurrence else "",
        }
        for one, upcoming in listed.items
    ]
    # A day with only paused series on it is shown with them, and marked as a day nothing goes out
    # (as `calendar` counts it in chat).
    days = [
        {
            "day": day_words(day),
            "weekend": day.weekday() >= 5,
            "entries": entries,
            "gap": all(entry.paused for entry in entries),
        }
        for day, entries in shown.days
    ]
    empty = sum(1 for day in days if day["gap"])
    return page(
        request,
        "calendar.html",
        title="Calendar",
        weeks=weeks,
        choices=WEEKS,
        shown=shown,
        first=day_words(shown.first),
        last=day_words(shown.last),
        days=days,
        empty=empty,
        series=series,
    )
