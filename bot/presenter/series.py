"""Recurring series and the calendar in words: the series preview (rule in words, next occurrences),
`series`, its actions and edits, and `calendar`."""

from __future__ import annotations

from datetime import date, datetime

from bot import messages as m
from bot.domain.conversation import Button, ButtonStyle, RefusalCode, Reply
from bot.domain.series import WORKDAYS, Cadence, Series
from bot.presenter.refusals import refusal_reply
from bot.results import (
    CalendarEntry,
    CalendarShown,
    Refused,
    SeriesChanged,
    SeriesEdited,
    SeriesListed,
    SeriesPreviewed,
    SeriesResult,
)

# The preview's buttons: start the draft series, or discard it (`series start|end <id>`).
SERIES_START_ACTION = "series_start"
SERIES_END_ACTION = "series_end"


def series_reply(result: SeriesResult) -> Reply:
    """The reply for any result of the series use-cases."""
    match result:
        case SeriesPreviewed():
            return _preview(result)
        case SeriesListed():
            return _listing(result)
        case SeriesChanged():
            return Reply(text=_changed(result), ephemeral=False)
        case SeriesEdited():
            s = result.series
            upcoming = _occurrence(s, result.upcoming) if result.upcoming else m.SERIES_NO_NEXT
            return Reply(text=m.SERIES_EDITED.format(id=s.id, title=s.template.title, next=upcoming))
        case Refused():
            return series_refused(result)


def series_refused(refused: Refused) -> Reply:
    """A series refusal's sentence (other refusals: bot/presenter/refusals.py)."""
    match refused.code:
        case RefusalCode.NO_SUCH_SERIES:
            text = m.NO_SUCH_SERIES.format(id=refused.value)
        case RefusalCode.SERIES_STATE if refused.field == "edit":
            text = m.SERIES_EDIT_ENDED.format(id=refused.value)
        case RefusalCode.SERIES_STATE:
            text = m.SERIES_NOT_ALLOWED[refused.status].format(id=refused.value)
        case RefusalCode.UNTIL_PAST if refused.ids:
            text = m.UNTIL_NOTHING_LEFT.format(id=refused.ids[0], until=refused.value)
        case RefusalCode.UNTIL_PAST:
            text = m.UNTIL_BEFORE_FIRST.format(until=refused.value, first=refused.suggestion)
        case _:
            return refusal_reply(refused)
    return Reply(text=text, is_error=True, refusal=refused.refusal)


def rule_words(series: Series) -> str:
    """The rule in a sentence's words: "every Monday at 09:00 on each channel's own clock"."""
    rule = series.rule
    at = f"{rule.at:%H:%M}"
    if rule.cadence is Cadence.DAILY:
        text = m.RULE_DAILY.format(time=at)
    elif rule.cadence is Cadence.MONTHLY:
        day = m.DAY_NAMES[min(rule.weekdays)]
        text = m.RULE_MONTHLY.format(nth=m.NTH_WORDS[rule.nth], day=day, time=at)
    elif rule.weekdays == WORKDAYS:
        text = m.RULE_WEEKDAYS.format(time=at)
    else:
        names = [m.DAY_NAMES[d] for d in sorted(rule.weekdays)]
        days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + m.RULE_AND + names[-1]
        text = m.RULE_WEEKLY.format(days=days, time=at)
    text += m.RULE_LOCAL if rule.local else m.RULE_ZONE.format(zone=series.zone)
    if series.until is not None:
        text += m.RULE_UNTIL.format(until=series.until.isoformat())
    return text


def day_words(day: date) -> str:
    return f"{m.DAY_SHORT[day.weekday()]} {day.isoformat()}"


def _occurrence(series: Series, wall: datetime) -> str:
    day, at = day_words(wall.date()), f"{wall:%H:%M}"
    if series.zone is None:
        return m.OCCURRENCE_LOCAL.format(day=day, time=at)
    return m.OCCURRENCE_ZONED.format(day=day, time=at, zone=series.zone)


def _preview(result: SeriesPreviewed) -> Reply:
    series, t = result.series, result.series.template
    lines = [m.SERIES_PREVIEW.format(id=series.id, title=t.title, rule=rule_words(series))]
    lines.extend(f"> {line}" if line.strip() else ">" for line in t.body.splitlines())
    audience = (
        m.SERIES_REACH_SAVED.format(name=t.saved_audience) if t.saved_audience else t.audience.describe()
    )
    lines.append(
        m.SERIES_REACH.format(
            channels=m.CHANNELS(result.reach.channels),
            partners=m.PARTNERS(result.reach.partners),
            topics=", ".join(t.topics) or "—",
            audience=audience,
        )
    )
    if t.urgent:
        lines.append(m.SERIES_URGENT)
    if result.upcoming:
        shown = " · ".join(_occurrence(series, wall) for wall in result.upcoming)
        lines.append(m.SERIES_NEXT(len(result.upcoming), list=shown))
    lines.append(m.SERIES_HOW.format(id=series.id))
    buttons = (
        Button(m.SERIES_START_BUTTON, SERIES_START_ACTION, str(series.id), ButtonStyle.PRIMARY),
        Button(m.SERIES_DISCARD_BUTTON, SERIES_END_ACTION, str(series.id), ButtonStyle.DANGER),
    )
    return Reply(text="\n".join(lines), ephemeral=False, buttons=buttons)


def _listing(result: SeriesListed) -> Reply:
    if not result.items:
        return Reply(text=m.SERIES_NONE)
    lines = [m.SERIES_HEADER(len(result.items))]
    for series, upcoming in result.items:
        line = m.SERIES_LINE.format(
            id=series.id,
            title=series.template.title,
            rule=rule_words(series),
            state=m.SERIES_STATUS[series.status.value].format(id=series.id),
            next=_occurrence(series, upcoming) if upcoming else m.SERIES_NO_NEXT,
        )
        if series.last_occurrence is not None:
            line += m.SERIES_LAST.format(day=day_words(series.last_occurrence), note=series.last_note)
        lines.append(line)
    return Reply(text="\n".join(lines))


def _changed(result: SeriesChanged) -> str:
    s = result.series
    upcoming = _occurrence(s, result.upcoming) if result.upcoming else m.SERIES_NO_NEXT
    values = {"id": s.id, "title": s.template.title, "next": upcoming}
    if result.action == "end":
        return (m.SERIES_DISCARDED if result.was_draft else m.SERIES_ENDED).format(**values)
    texts = {"start": m.SERIES_STARTED, "pause": m.SERIES_PAUSED, "resume": m.SERIES_RESUMED}
    return texts[result.action].format(**values)


# --- `calendar` ----------------------------------------------------------------------------------


def calendar_reply(shown: CalendarShown) -> Reply:
    """Each day with what is planned, runs of empty days as one gap line, then the count (of what will
    go out: a day with only paused series on it counts as a day with nothing planned)."""
    lines = [
        m.CALENDAR_HEADER.format(first=day_words(shown.first), last=day_words(shown.last), zone=shown.zone)
    ]
    gap: list[date] = []
    planned = 0
    empty = 0
    for day, entries in shown.days:
        if not entries:
            gap.append(day)
            empty += 1
            continue
        lines.extend(_gap(gap))
        gap = []
        lines.append(m.CALENDAR_DAY.format(day=day_words(day)))
        lines.extend(_entry(entry) for entry in entries)
        # A paused series' occurrences are shown (to be resumed) but will not go out: not planned.
        going_out = sum(1 for entry in entries if not entry.paused)
        planned += going_out
        empty += 0 if going_out else 1
    lines.extend(_gap(gap))
    lines.append(m.CALENDAR_SUMMARY(empty, planned=m.CALENDAR_ITEMS(planned)))
    return Reply(text="\n".join(lines))


def _gap(days: list[date]) -> list[str]:
    if not days:
        return []
    if len(days) == 1:
        return [m.CALENDAR_GAP_DAY.format(day=day_words(days[0]))]
    return [m.CALENDAR_GAP.format(first=day_words(days[0]), last=day_words(days[-1]))]


def _entry(entry: CalendarEntry) -> str:
    at = f"{entry.at:%H:%M}"
    if entry.local:
        at = m.CALENDAR_LOCAL.format(time=at)
    if entry.series_id is not None:
        paused = m.CALENDAR_PAUSED if entry.paused else ""
        return m.CALENDAR_SERIES.format(time=at, id=entry.series_id, title=entry.title, paused=paused)
    return m.CALENDAR_SCHEDULED.format(time=at, id=entry.announcement_id, title=entry.title)
