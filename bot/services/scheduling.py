"""When a broadcast's deliveries go out: scheduled times, quiet hours and digest holds.

A broadcast's targets come grouped by what decides their timing (zone, quiet hours, mode); each
group gets one `GroupTiming`, and the store writes every row of a group with it in one statement.
The same plan feeds the admin's preview, so what the preview says is what the rows hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot import messages as m
from bot.commands import Broadcast, Reschedule
from bot.domain.announcements import AnnouncementStatus
from bot.domain.conversation import Refusal, RefusalCode, Reply
from bot.domain.directory import DeliveryMode
from bot.domain.scheduling import Schedule
from bot.ports.clock import Clock
from bot.ports.scheduling import ScheduleStore
from bot.presenter.scheduling import span, utc  # moments in UTC, in words, as replies say them
from bot.results import ScheduledListed
from bot.settings import CoreSettings
from bot.timezones import dst_shift, local_wall, next_digest, stored_quiet, to_utc, zone, zone_or
from bot.timing import DeliveryPlan, GroupTiming, TargetGroup
from bot.when import forms, today_in

MAX_AHEAD = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class SchedulingPorts:
    """The ports SchedulingService uses (bot/core.py wires them)."""

    schedules: ScheduleStore


class SchedulingService:
    def __init__(self, ports: SchedulingPorts, clock: Clock, settings: CoreSettings) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings

    # --- reading and checking a schedule --------------------------------------------------------

    def resolve(self, cmd: Broadcast | Reschedule, groups: Sequence[TargetGroup]) -> Schedule | Reply:
        """The schedule `cmd.send_at` asks for, checked against the clock; or the refusal to show."""
        assert cmd.send_at is not None
        wall = cmd.send_at
        if wall.tzinfo is not None:  # an instant from a platform's date-time picker
            instant = wall.astimezone(UTC)
            return self.check(Schedule(instant.replace(tzinfo=None), "UTC", instant), groups)
        if cmd.send_local:
            return self.check(Schedule(wall, None, wall.replace(tzinfo=UTC)), groups)
        name = cmd.send_zone or self._settings.default_timezone
        try:
            instant = to_utc(wall, zone(name))
        except KeyError:
            text = m.AT_UNKNOWN_ZONE.format(zone=name, did_you_mean=".", forms=self._forms())
            return _refused(text, RefusalCode.AT_UNKNOWN_ZONE)
        return self.check(Schedule(wall, name, instant), groups)

    def _forms(self) -> str:
        return forms(today_in(self._clock.now(), self._settings.default_timezone))

    def check(self, schedule: Schedule, groups: Sequence[TargetGroup]) -> Schedule | Reply:
        """Refuse a time already past (anywhere it applies) or more than a year ahead; for a
        `local` schedule, recompute its earliest instant over the targets."""
        now = self._clock.now()
        moments = self._moments(schedule, groups)
        first_zone, first, count = min(moments, key=lambda moment: moment[1])
        last = max(moment[1] for moment in moments)
        wall = f"{schedule.wall:%Y-%m-%d %H:%M}"
        if first <= now:
            _, tz = zone_or(first_zone, self._settings.default_timezone)
            here = m.TIME_IN_ZONE.format(time=local_wall(now, tz), zone=first_zone)
            if schedule.local and groups:
                text = m.AT_PAST_LOCAL(count, wall=wall, zone=first_zone, now=here, forms=self._forms())
                return _refused(text, RefusalCode.AT_PAST)
            when = m.TIME_IN_ZONE.format(time=schedule.wall, zone=first_zone)
            return _refused(m.AT_PAST.format(when=when, now=here, forms=self._forms()), RefusalCode.AT_PAST)
        if last > now + MAX_AHEAD:
            when = m.TIME_IN_ZONE.format(time=schedule.wall, zone=schedule.zone or "local")
            return _refused(m.AT_TOO_FAR.format(when=when, forms=self._forms()), RefusalCode.AT_TOO_FAR)
        return replace(schedule, first=first)

    def _moments(self, schedule: Schedule, groups: Sequence[TargetGroup]) -> list[tuple[str, datetime, int]]:
        """(zone, UTC instant, channels) for each zone the schedule applies in."""
        if not schedule.local:
            return [(schedule.zone or "UTC", schedule.first, sum(g.channels for g in groups))]
        counts: dict[str, int] = {}
        for group in groups or [TargetGroup("", "", DeliveryMode.IMMEDIATE, 0)]:
            name, _ = zone_or(group.zone or None, self._settings.default_timezone)
            counts[name] = counts.get(name, 0) + group.channels
        return [(name, to_utc(schedule.wall, zone_or(name, "UTC")[1]), n) for name, n in counts.items()]

    # --- timing every target group ------------------------------------------------------------

    def plan(
        self, groups: Sequence[TargetGroup], *, schedule: Schedule | None, urgent: bool, hold_digests: bool
    ) -> DeliveryPlan:
        """Each group's release time (now or the scheduled time in its zone), then its quiet-hours
        deferral or digest hold. Urgent announcements bypass both."""
        now = self._clock.now()
        default_quiet = self._settings.default_quiet()
        when = self._settings.digest_at()
        timings = []
        for group in groups:
            name, tz = zone_or(group.zone or None, self._settings.default_timezone)
            release = now
            if schedule is not None:
                release = to_utc(schedule.wall, tz) if schedule.local else schedule.first
            if hold_digests and not urgent and group.mode is not DeliveryMode.IMMEDIATE:
                digest_at = next_digest(release, group.mode, when, tz)
                timings.append(GroupTiming(group, name, release, release, held=True, digest_at=digest_at))
                continue
            quiet = None if urgent else stored_quiet(group.quiet, default_quiet)
            not_before = (quiet.until(release, tz) if quiet else None) or release
            timings.append(GroupTiming(group, name, release, not_before))
        status = AnnouncementStatus.SCHEDULED if schedule is not None else AnnouncementStatus.SENDING
        return DeliveryPlan(status, tuple(timings), schedule.first if schedule is not None else now)

    def describe(self, plan: DeliveryPlan, schedule: Schedule | None) -> list[str]:
        """Preview lines: when it goes out, and how many deliveries wait for quiet hours or digests."""
        lines = []
        if schedule is not None:
            lines.append(m.SCHEDULE_LINE.format(when=self.when(schedule, plan)))
            lines.extend(self.dst_notes(schedule, plan))
        quiet = [t for t in plan.timings if t.quiet_deferred]
        if quiet:
            until = span(min(t.not_before for t in quiet), max(t.not_before for t in quiet))
            lines.append(m.WAIT_QUIET(sum(t.group.channels for t in quiet), until=until))
        held = [t for t in plan.timings if t.held and t.digest_at is not None]
        if held:
            times = [t.digest_at for t in held if t.digest_at is not None]
            until = span(min(times), max(times))
            lines.append(m.WAIT_DIGEST(sum(t.group.channels for t in held), until=until))
        return lines

    def dst_notes(self, schedule: Schedule, plan: DeliveryPlan) -> list[str]:
        """When the wall-clock time falls in a DST gap or overlap, when it really goes out: in the
        schedule's zone, or for `local`, in each targeted zone with its number of channels."""
        time = f"{schedule.wall:%H:%M}"
        if not schedule.local:
            if schedule.zone is None or schedule.zone == "UTC":
                return []
            shift = dst_shift(schedule.wall, zone_or(schedule.zone, "UTC")[1])
            if shift is None:
                return []
            text = m.AT_DST_GAP if shift.gap else m.AT_DST_OVERLAP
            return [text.format(time=time, zone=schedule.zone, actual=shift.shown)]
        channels: dict[str, int] = {}
        for timing in plan.timings:
            channels[timing.zone] = channels.get(timing.zone, 0) + timing.group.channels
        notes = []
        for name, count in sorted(channels.items()):
            shift = dst_shift(schedule.wall, zone_or(name, "UTC")[1])
            if shift is not None:
                plural = m.AT_DST_GAP_LOCAL if shift.gap else m.AT_DST_OVERLAP_LOCAL
                notes.append(plural(count, time=time, zone=name, actual=shift.shown))
        return notes

    def when(self, schedule: Schedule, plan: DeliveryPlan | None = None) -> str:
        """When a schedule goes out, in its own zone and in UTC (first and last for `local`)."""
        wall = f"{schedule.wall:%Y-%m-%d %H:%M}"
        if not schedule.local:
            at_utc = utc(schedule.first)
            # In UTC the zone's time is the UTC time: once ("09:00 UTC"), not "09:00 UTC (09:00 UTC)".
            if at_utc == f"{wall} {schedule.zone}":
                return at_utc
            return m.SCHEDULE_AT.format(wall=wall, zone=schedule.zone, utc=at_utc)
        releases = [t.release for t in plan.timings] if plan and plan.timings else [schedule.first]
        first, last = utc(min(releases)), utc(max(releases))
        if first == last:  # every channel on one clock: "the first at X, the last at X" says X twice
            return m.SCHEDULE_LOCAL_ONCE.format(wall=wall, first=first)
        return m.SCHEDULE_LOCAL.format(wall=wall, first=first, last=last)

    # --- `scheduled` ---------------------------------------------------------------------------

    async def listing(self) -> ScheduledListed:
        """`scheduled`: what is queued for later, soonest first."""
        return ScheduledListed(tuple(await self._stores.schedules.scheduled()))


def _refused(text: str, code: RefusalCode) -> Reply:
    """A refused time: its words name the accepted forms; its refusal points at the `at` field."""
    return Reply(text=text, is_error=True, refusal=Refusal(code, "at"))
