"""Reading the `at:"…"` of a broadcast: a wall-clock time, and whose clock it is on.

Accepted forms (any other is refused with a message naming them):
- `YYYY-MM-DD HH:MM` (or `YYYY-MM-DDTHH:MM`): the vendor's default time zone;
- `YYYY-MM-DD HH:MM local`: that time on each channel's own clock;
- `YYYY-MM-DD HH:MM <IANA zone>`: that time in the zone named, e.g. `Europe/Berlin`.
Whether the time is in the past or too far ahead needs the clock: bot/services/scheduling.py checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot import messages as msg
from bot.timezones import canonical_zone, closest_zone, local_wall, zone_or

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


def today_in(now: datetime, zone_name: str) -> date:
    """The date clocks show at `now` in `zone_name` (the vendor's "today" for examples)."""
    return local_wall(now, zone_or(zone_name, "UTC")[1]).date()


def at_example(today: date | None) -> str:
    """An `at:` value that works when copied: tomorrow at 09:00 (vendor time zone), quoted.

    `today` is the vendor's date by the injected clock; None (adapters and the CLI, which run on
    real time) takes the system clock's UTC date, one day later still, so it is never in the past.
    """
    if today is None:
        today = datetime.now(UTC).date() + timedelta(days=1)
    return msg.AT_EXAMPLE.format(day=f"{today + timedelta(days=1):%Y-%m-%d}")


def with_examples(text: str, today: date | None) -> str:
    """`text` with its `{at_example}` slots filled (help texts, the accepted forms)."""
    return text.replace(msg.AT_EXAMPLE_SLOT, at_example(today)) if msg.AT_EXAMPLE_SLOT in text else text


def forms(today: date | None) -> str:
    """The accepted forms of `at:`, with an example dated after `today`."""
    return with_examples(msg.AT_FORMS, today)


def parse_at(value: str, *, today: date | None = None) -> At | str:
    """The time an admin typed after `at:`, or the error message to show them (its example is
    dated after `today`, see `at_example`)."""
    text = " ".join(value.split())
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    match = _DATE_TIME.match(text)
    if match is None:
        if _AMBIGUOUS.search(text):
            return msg.AT_AMBIGUOUS.format(value=shown, forms=forms(today))
        return msg.AT_INVALID.format(value=shown, forms=forms(today))
    try:
        wall = datetime.fromisoformat(f"{match.group(1)} {match.group(2)}")
    except ValueError:  # a well-formed but impossible date or time, e.g. 2025-02-30 or 24:10
        return msg.AT_INVALID.format(value=shown, forms=forms(today))
    rest = text[match.end() :].strip()
    if not rest:
        return At(wall, None)
    if rest.lower() == LOCAL:
        return At(wall, None, local=True)
    if " " in rest:
        return msg.AT_INVALID.format(value=shown, forms=forms(today))
    zone = canonical_zone(rest)
    if zone is None:
        return msg.AT_UNKNOWN_ZONE.format(
            zone=rest[:_SHOWN], did_you_mean=_zone_hint(rest), forms=forms(today)
        )
    return At(wall, zone)


def _zone_hint(name: str) -> str:
    close = closest_zone(name)
    return msg.DID_YOU_MEAN.format(suggestion=close) if close else "."
