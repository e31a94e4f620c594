"""Recurring announcements: a rule (`every:"monday 09:00 local"`), and a series — a template the
rule drafts an announcement from, once per occurrence.

An occurrence is a *date* the rule matches, at the rule's wall-clock time: on each channel's own
clock (`local`) or in the series' zone. Pure date arithmetic here; no clock, no zones, no storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.announcements import Audience
from bot.domain.cta import CallToAction
from bot.domain.refs import ChannelRef, UserRef

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORKDAYS = frozenset(range(5))
LAST = -1  # `last monday`: the last such weekday of the month
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", LAST: "last"}


class Cadence(StrEnum):
    DAILY = "daily"  # `day`
    WEEKLY = "weekly"  # `monday`, `monday,thursday`, `weekdays`
    MONTHLY = "monthly"  # `1st monday` … `4th monday`, `last friday`


@dataclass(frozen=True, slots=True)
class Recurrence:
    """When a series' occurrences fall: every day, on some weekdays, or on the nth (or last) of a
    weekday each month; at `at` on each channel's clock when `local`, else in the series' zone."""

    cadence: Cadence
    at: time
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; WEEKLY: one or more, MONTHLY: exactly one
    nth: int = 0  # MONTHLY: 1..4 or LAST
    local: bool = False

    def matches(self, day: date) -> bool:
        if self.cadence is Cadence.DAILY:
            return True
        if day.weekday() not in self.weekdays:
            return False
        if self.cadence is Cadence.WEEKLY:
            return True
        if self.nth == LAST:
            return (day + timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.nth

    def dates(self, start: date, until: date | None = None) -> Iterator[date]:
        """The dates it matches from `start` on (through `until`, when given), in order."""
        day = start
        while until is None or day <= until:
            if self.matches(day):
                yield day
            if day == date.max:
                return
            day += timedelta(days=1)

    def wall(self, day: date) -> datetime:
        """The naive wall-clock moment of the occurrence on `day`."""
        return datetime.combine(day, self.at)

    def text(self) -> str:
        """The canonical `every:` value: parsing it gives this rule back (stored as is)."""
        if self.cadence is Cadence.DAILY:
            when = "day"
        elif self.cadence is Cadence.MONTHLY:
            when = f"{ORDINALS[self.nth]} {WEEKDAY_NAMES[min(self.weekdays)]}"
        elif self.weekdays == WORKDAYS:
            when = "weekdays"
        else:
            when = ",".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
        return f"{when} {self.at:%H:%M}" + (" local" if self.local else "")


class SeriesStatus(StrEnum):
    DRAFT = "draft"  # created by `broadcast … every:"…"`, not started yet
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"  # `series end`, or past its `until:` date


@dataclass(frozen=True, slots=True)
class SeriesTemplate:
    """What each occurrence is drafted from: a broadcast without a time."""

    title: str
    body: str
    topics: tuple[str, ...]  # slugs, checked again at each occurrence
    audience: Audience
    saved_audience: str | None = None  # resolved at each occurrence
    urgent: bool = False
    ack_required: bool = False
    ctas: tuple[CallToAction, ...] = ()


@dataclass(frozen=True, slots=True)
class Series:
    id: int
    template: SeriesTemplate
    rule: Recurrence
    zone: str | None  # the IANA zone of a rule that is not `local`
    until: date | None  # the last date it may fall on (inclusive)
    status: SeriesStatus
    author: UserRef
    origin: ChannelRef
    created_at: datetime
    # Occurrences before this moment are never drafted: set when started and when resumed.
    active_since: datetime | None = None
    revision: int = 0  # bumped by `series edit`
    last_occurrence: date | None = None  # the latest occurrence drafted
    last_announcement: int | None = None  # the announcement drafted for it
    last_note: str = ""  # what became of it ("#42 scheduled", or why nothing went out)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of a series, at its wall-clock time; `first` is the earliest UTC instant it
    happens (the series' zone, or the earliest zone among the channels it targets)."""

    series_id: int
    day: date
    wall: datetime
    first: datetime

    @property
    def key(self) -> str:
        """Its period in `job_run` (claimed once across processes)."""
        return f"{self.series_id}/{self.day.isoformat()}"
