"""Reading the `at:"…"` of a broadcast: a wall-clock time, and whose clock it is on.

Accepted forms (any other is refused with a message naming them):
- `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`): the vendor's default time zone;
- `YYYY-MM-DD HH:MM local`: that time on each channel's own clock;
- `YYYY-MM-DD HH:MM <IANA zone>`: that time in the zone named, e.g. `Europe/Berlin`.
Whether the time is in the past or too far ahead needs the clock: bot/services/scheduling.py checks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import available_timezones

from bot import messages as msg
from bot.timezones import canonical_zone

LOCAL = "local"
_DATE_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{2}:[0-9]{2})")
# Day-month-year or month-day-year (01/12/2026, 1.12.26): which is which cannot be known.
_AMBIGUOUS = re.compile(r"(?<![0-9])[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{2,4}")
_SHOWN = 40


@dataclass(frozen=True, slots=True)
class At:
    wall: datetime  # naive
    zone: str | None  # IANA name, or None for the vendor default
    local: bool = False


def parse_at(value: str) -> At | str:
    """The time an admin typed after `at:`, or the error message to show them."""
    text = " ".join(value.split())
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    match = _DATE_TIME.match(text)
    if match is None:
        if _AMBIGUOUS.search(text):
            return msg.AT_AMBIGUOUS.format(value=shown, forms=msg.AT_FORMS)
        return msg.AT_INVALID.format(value=shown, forms=msg.AT_FORMS)
    try:
        wall = datetime.fromisoformat(f"{match.group(1)} {match.group(2)}")
    except ValueError:  # a well-formed but impossible date or time, e.g. 2025-02-30 or 24:10
        return msg.AT_INVALID.format(value=shown, forms=msg.AT_FORMS)
    rest = text[match.end() :].strip()
    if not rest:
        return At(wall, None)
    if rest.lower() == LOCAL:
        return At(wall, None, local=True)
    if " " in rest:
        return msg.AT_INVALID.format(value=shown, forms=msg.AT_FORMS)
    zone = canonical_zone(rest)
    if zone is None:
        return msg.AT_UNKNOWN_ZONE.format(
            zone=rest[:_SHOWN], did_you_mean=_zone_hint(rest), forms=msg.AT_FORMS
        )
    return At(wall, zone)


def _zone_hint(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
    return msg.DID_YOU_MEAN.format(suggestion=close[0]) if close else "."
