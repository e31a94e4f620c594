"""Wall-clock time in IANA zones: DST-safe conversion, quiet hours and digest boundaries.

Pure functions over `zoneinfo`; no clock, no storage. Two DST rules apply everywhere a wall-clock
time becomes an instant:
- a time that does not exist (clocks jump forward over it) moves to the first valid instant after
  it — the moment the clocks jump, e.g. Europe/Berlin 2027-03-28 02:30 → 03:00 CEST;
- a time that happens twice (clocks fall back) takes its first occurrence (PEP 495 `fold=0`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.domain.directory import DeliveryMode

_QUIET = re.compile(r"([0-9]{1,2}):([0-9]{2})-([0-9]{1,2}):([0-9]{2})")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@lru_cache(maxsize=1)
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def canonical_zone(name: str) -> str | None:
    """The IANA spelling of `name` (any case), or None when no such zone exists."""
    return _zones_by_folded_name().get(name.strip().lower())


def closest_zone(name: str) -> str | None:
    """The IANA zone a mistyped `name` most likely meant (for a did-you-mean), or None."""
    close = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
    return close[0] if close else None


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The zone called `name`; raises KeyError for an unknown or malformed name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise KeyError(name) from None


def channel_clock(own: str | None, partner: str | None, default: str) -> str:
    """The zone a channel's clock follows: its own, else its partner's, else the vendor's."""
    return own or partner or default


def zone_or(name: str | None, fallback: str) -> tuple[str, ZoneInfo]:
    """`name` if it is a zone we know, else `fallback` (a stored name may predate a tzdata update)."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return candidate, zone(candidate)
            except KeyError:
                continue
    return "UTC", ZoneInfo("UTC")


def to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant at which clocks in `tz` show the naive `wall` time (DST rules above)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # `wall` falls in a gap. With fold=1 it maps before the jump, with fold=0 after it; the jump
    # itself — the first valid instant after `wall` — lies between, found to the second.
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class DstShift:
    """A wall-clock time that a DST change makes special: `gap` (it does not exist: clocks go
    forward over it) or not (`overlap`: it happens twice); `actual` is the instant `to_utc` picks."""

    gap: bool
    actual: datetime  # UTC
    shown: str  # `actual` on the zone's clock with its abbreviation, e.g. "03:00 CEST"


def dst_shift(wall: datetime, tz: ZoneInfo) -> DstShift | None:
    """Whether `wall` falls in a DST gap or overlap in `tz`, and when it really happens; else None."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    actual = to_utc(wall, tz)
    local = actual.astimezone(tz)
    gap = local.replace(tzinfo=None) != wall
    return DstShift(gap, actual, f"{local:%H:%M} {local.tzname()}")


def local_wall(instant: datetime, tz: ZoneInfo) -> datetime:
    """What clocks in `tz` show at `instant`, as a naive datetime."""
    return instant.astimezone(tz).replace(tzinfo=None)


# --- quiet hours ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily local-time window in which normal announcements wait; `start > end` spans midnight."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, clock: time) -> bool:
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def until(self, instant: datetime, tz: ZoneInfo) -> datetime | None:
        """When the quiet period `instant` falls in ends (UTC), or None when it is not quiet then."""
        wall = local_wall(instant, tz)
        if not self.contains(wall.time()):
            return None
        day = wall.date() if wall.time() < self.end else wall.date() + timedelta(days=1)
        return to_utc(datetime.combine(day, self.end), tz)


def parse_quiet(text: str) -> QuietHours | None:
    """`HH:MM-HH:MM` (24-hour clock, start ≠ end) as QuietHours; None when it isn't one."""
    match = _QUIET.fullmatch(text.strip().replace("\u2013", "-"))  # an en dash typed by a phone
    if match is None:
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if max(h1, h2) > 23 or max(m1, m2) > 59 or (h1, m1) == (h2, m2):
        return None
    return QuietHours(time(h1, m1), time(h2, m2))


def stored_quiet(value: str | None, default: QuietHours | None) -> QuietHours | None:
    """A channel's stored setting: "" or None → the vendor default, "off" → none, else its window."""
    if not value:
        return default
    if value == "off":
        return None
    return parse_quiet(value) or default


# --- digests ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestTime:
    """When a channel's digests go out: at `hour:minute` local time, weekly ones on `weekday` (0 = Mon)."""

    hour: int = 9
    minute: int = 0
    weekday: int = 0


def _boundary(day: date, when: DigestTime, tz: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, time(when.hour, when.minute)), tz)


def last_digest(now: datetime, mode: DeliveryMode, when: DigestTime, tz: ZoneInfo) -> tuple[datetime, date]:
    """The latest digest moment at or before `now` for a daily/weekly channel: (UTC instant, local date)."""
    day = local_wall(now, tz).date()
    step = 1
    if mode is DeliveryMode.WEEKLY:
        day -= timedelta(days=(day.weekday() - when.weekday) % 7)
        step = 7
    while _boundary(day, when, tz) > now:
        day -= timedelta(days=step)
    return _boundary(day, when, tz), day


def next_digest(after: datetime, mode: DeliveryMode, when: DigestTime, tz: ZoneInfo) -> datetime:
    """The first digest moment at or after `after`: the digest that carries what is held at `after`."""
    day = local_wall(after, tz).date()
    step = 1
    if mode is DeliveryMode.WEEKLY:
        day += timedelta(days=(when.weekday - day.weekday()) % 7)
        step = 7
    while _boundary(day, when, tz) < after:
        day += timedelta(days=step)
    return _boundary(day, when, tz)


def period_key(mode: DeliveryMode, day: date) -> str:
    """The unique name of one channel's digest period: `daily:2026-11-25`, `weekly:2026-11-23`."""
    return f"{mode.value}:{day.isoformat()}"


def parse_period_key(key: str) -> tuple[str, date | None]:
    kind, _, day = key.partition(":")
    try:
        return kind, date.fromisoformat(day[:10])
    except ValueError:
        return kind, None
