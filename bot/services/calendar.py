"""`calendar [weeks]`: per day, what is scheduled and what recurs — the cadence and its gaps.

Days and times are the vendor's (PARTNERBOT_TIMEZONE); something on each channel's own clock
(`at:"… local"`, an `every:"… local"` series) is shown at its wall-clock time, marked local.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.commands import Calendar
from bot.domain.scheduling import Schedule
from bot.domain.series import Series, SeriesStatus
from bot.ports.clock import Clock
from bot.ports.scheduling import ScheduleStore
from bot.ports.series import SeriesStore
from bot.results import CalendarEntry, CalendarShown
from bot.services.series import SeriesService
from bot.settings import CoreSettings
from bot.timezones import local_wall, zone_or

# Enough for any real schedule; `scheduled` lists them all.
MAX_SCHEDULED = 1_000


@dataclass(frozen=True, slots=True)
class CalendarPorts:
    schedules: ScheduleStore
    series: SeriesStore


class CalendarService:
    def __init__(
        self, ports: CalendarPorts, clock: Clock, settings: CoreSettings, *, series: SeriesService
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._series = series

    async def show(self, cmd: Calendar) -> CalendarShown:
        zone, tz = zone_or(self._settings.default_timezone, "UTC")
        first = local_wall(self._clock.now(), tz).date()
        last = first + timedelta(days=7 * cmd.weeks - 1)
        days: dict[date, list[CalendarEntry]] = {first + timedelta(days=n): [] for n in range(7 * cmd.weeks)}
        for item in await self._stores.schedules.scheduled(limit=MAX_SCHEDULED):
            a = item.announcement
            if a.schedule is None:
                continue
            day, entry = self._placed(a.schedule, title=a.title, announcement_id=a.id)
            if day in days:
                days[day].append(entry)
        statuses = (SeriesStatus.ACTIVE, SeriesStatus.PAUSED)
        for series in await self._stores.series.all(statuses=statuses):
            for day, entry in self._recurring(series, first, last):
                days[day].append(entry)
        ordered = tuple((day, tuple(sorted(entries, key=_order))) for day, entries in days.items())
        return CalendarShown(first, last, zone, ordered)

    def _recurring(self, series: Series, first: date, last: date) -> list[tuple[date, CalendarEntry]]:
        start = first - timedelta(days=1)  # a zone ahead of the vendor's may fall on `first`
        if series.last_occurrence is not None:  # drafted ones are listed as announcements
            start = max(start, series.last_occurrence + timedelta(days=1))
        placed = []
        for occurrence in self._series.occurrences(series, (), start=start, until=last + timedelta(days=1)):
            schedule = Schedule(occurrence.wall, series.zone, occurrence.first)
            day, entry = self._placed(
                schedule,
                title=series.template.title,
                series_id=series.id,
                paused=series.status is SeriesStatus.PAUSED,
            )
            if first <= day <= last:
                placed.append((day, entry))
        return placed

    def _placed(
        self,
        schedule: Schedule,
        *,
        title: str,
        announcement_id: int | None = None,
        series_id: int | None = None,
        paused: bool = False,
    ) -> tuple[date, CalendarEntry]:
        """Where on the vendor's calendar a schedule falls: its own wall-clock day and time when
        `local`, else its instant on the vendor's clock."""
        if schedule.local:
            wall = schedule.wall
        else:
            wall = local_wall(schedule.first, zone_or(self._settings.default_timezone, "UTC")[1])
        entry = CalendarEntry(
            wall.time(),
            schedule.local,
            title,
            announcement_id=announcement_id,
            series_id=series_id,
            paused=paused,
        )
        return wall.date(), entry


def _order(entry: CalendarEntry) -> tuple[object, ...]:
    return (entry.at, entry.local, entry.series_id or 0, entry.announcement_id or 0)
