"""Reading `every:"…"` and `until:"…"` of a recurring broadcast; refusals name the accepted forms.

The grammar (case and extra spaces do not matter):

    every   := days SP time [SP "local"]
    days    := "day" | "weekdays" | weekday ("," weekday)* | ordinal SP weekday
    weekday := monday … sunday, or mon … sun (a trailing "s" is allowed: `mondays`)
    ordinal := 1st | 2nd | 3rd | 4th | last   (also first, second, third, fourth)
    time    := H:MM or HH:MM, 24-hour clock
    until   := YYYY-MM-DD, the last date an occurrence may fall on

`local` puts the time on each channel's own clock; without it, the vendor's time zone.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, time

from bot import messages as msg
from bot.domain.series import LAST, WEEKDAY_NAMES, WORKDAYS, Cadence, Recurrence

LOCAL = "local"
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ORDINALS = {
    "1st": 1,
    "first": 1,
    "2nd": 2,
    "second": 2,
    "3rd": 3,
    "third": 3,
    "4th": 4,
    "fourth": 4,
    "last": LAST,
}
_DAY_WORDS = {name: n for n, name in enumerate(WEEKDAY_NAMES)} | {
    name[:3]: n for n, name in enumerate(WEEKDAY_NAMES)
}
_SHOWN = 40


def parse_every(value: str) -> Recurrence | str:
    """The rule an admin typed after `every:`, or the message to show them."""
    words = value.lower().split()
    shown = _shown(value)
    local = bool(words) and words[-1] == LOCAL
    if local:
        words = words[:-1]
    if len(words) < 2:
        return msg.EVERY_INVALID.format(value=shown)
    at = _time(words[-1])
    if at is None:
        return msg.EVERY_TIME_INVALID.format(value=_shown(words[-1]), every=shown)
    days = words[:-1]
    if days == ["day"] or days == ["daily"]:
        return Recurrence(Cadence.DAILY, at, local=local)
    if days == ["weekdays"]:
        return Recurrence(Cadence.WEEKLY, at, weekdays=WORKDAYS, local=local)
    if len(days) == 2 and days[0] in _ORDINALS:
        day = _weekday(days[1])
        if isinstance(day, str):
            return day
        return Recurrence(Cadence.MONTHLY, at, weekdays=frozenset({day}), nth=_ORDINALS[days[0]], local=local)
    weekdays: set[int] = set()
    for word in " ".join(days).replace(",", " ").split():
        day = _weekday(word)
        if isinstance(day, str):
            return day
        weekdays.add(day)
    if not weekdays:
        return msg.EVERY_INVALID.format(value=shown)
    return Recurrence(Cadence.WEEKLY, at, weekdays=frozenset(weekdays), local=local)


def parse_until(value: str) -> date | str:
    """The date an admin typed after `until:`, or the message to show them."""
    text = value.strip()
    if _DATE.fullmatch(text) is None:
        return msg.UNTIL_INVALID.format(value=_shown(text))
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2027-02-30
        return msg.UNTIL_INVALID.format(value=_shown(text))


def _time(word: str) -> time | None:
    match = _TIME.fullmatch(word)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _weekday(word: str) -> int | str:
    name = word[:-1] if word.endswith("s") and word[:-1] in _DAY_WORDS else word
    if name in _DAY_WORDS:
        return _DAY_WORDS[name]
    close = difflib.get_close_matches(name, WEEKDAY_NAMES, n=1, cutoff=0.6)
    hint = msg.DID_YOU_MEAN.format(suggestion=close[0]) if close else "."
    return msg.EVERY_UNKNOWN_DAY.format(word=_shown(word), did_you_mean=hint)


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
