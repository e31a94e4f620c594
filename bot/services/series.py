"""Recurring announcements: `broadcast … every:"…"` makes a series; each occurrence is drafted from
its template at its time and sent on the path of a scheduled announcement.

When an occurrence happens: at the rule's wall-clock time on its date, in the series' zone, or for
`local` on each targeted channel's own clock — so one announcement per occurrence, drafted at the
*earliest* of those moments, its deliveries due per zone exactly as `at:"… local"` makes them
(bot/services/scheduling.py; DST as `to_utc` rules). Drafting then, not earlier, is what lets a
template edit reach every occurrence not drafted yet.

Exactly once: the `series` job (bot/jobs.py) claims each due occurrence in `job_run` (job
`series-occurrence`, period `<id>/<date>`), as periodic jobs claim their periods, so any number of
processes draft it once and a restart neither skips nor repeats it; the series row remembers the
announcement drafted for its latest occurrence, so a run taken over after a crash sends that draft
rather than making another. Occurrences before the series was started (or resumed), and those more
than `CATCH_UP` overdue after an outage, are not sent late.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import islice

from bot import messages as m
from bot.commands import Broadcast, Send, SeriesAction, SeriesEdit
from bot.domain.announcements import AnnouncementStatus
from bot.domain.conversation import Invocation, RefusalCode
from bot.domain.scheduling import Schedule
from bot.domain.series import Occurrence, Recurrence, Series, SeriesStatus, SeriesTemplate
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.jobs import JobRunStore
from bot.ports.scheduling import ScheduleStore
from bot.ports.series import SeriesStore
from bot.presenter import present
from bot.results import (
    ApprovalRequested,
    FilesRefused,
    Previewed,
    Refused,
    SeriesChanged,
    SeriesEdited,
    SeriesListed,
    SeriesPreviewed,
    SeriesResult,
)
from bot.services.admin import AdminService, CheckedBroadcast
from bot.services.approvals import ApprovalService
from bot.settings import CoreSettings
from bot.timezones import to_utc, zone_or

log = logging.getLogger(__name__)

OCCURRENCE_JOB = "series-occurrence"
# An occurrence overdue by more than this (the bot was down) is not sent late.
CATCH_UP = timedelta(hours=24)
# No clock on Earth is more than 14 hours ahead of UTC: an occurrence cannot begin earlier than its
# wall-clock time read as UTC minus this.
_EARLIEST_OFFSET = timedelta(hours=14)
UPCOMING = 3
_TRANSITIONS = {
    "start": ((SeriesStatus.DRAFT,), SeriesStatus.ACTIVE),
    "pause": ((SeriesStatus.ACTIVE,), SeriesStatus.PAUSED),
    "resume": ((SeriesStatus.PAUSED,), SeriesStatus.ACTIVE),
    "end": ((SeriesStatus.DRAFT, SeriesStatus.ACTIVE, SeriesStatus.PAUSED), SeriesStatus.ENDED),
}


@dataclass(frozen=True, slots=True)
class SeriesPorts:
    """The ports SeriesService uses (bot/core.py wires them)."""

    series: SeriesStore
    schedules: ScheduleStore
    announcements: AnnouncementStore
    job_runs: JobRunStore


class SeriesService:
    def __init__(
        self,
        ports: SeriesPorts,
        clock: Clock,
        settings: CoreSettings,
        *,
        admin: AdminService,
        approvals: ApprovalService | None = None,
    ) -> None:
        self._stores = ports
        self._clock = clock
        self._settings = settings
        self._admin = admin
        # Approval before send: an occurrence that needs it waits for another admin, as `send` does.
        self._approvals = approvals

    # --- making one ---------------------------------------------------------------------------

    async def create(self, inv: Invocation, cmd: Broadcast) -> SeriesResult:
        """A draft series from `broadcast … every:"…"`, with its reach and next occurrences."""
        assert cmd.every is not None
        checked = await self._admin.checked(cmd)
        if isinstance(checked, Refused):
            return checked
        zone = None if cmd.every.local else zone_or(self._settings.default_timezone, "UTC")[0]
        # A saved audience is resolved again at each occurrence; filters are kept as checked.
        template = SeriesTemplate(
            title=cmd.title,
            body=cmd.body,
            topics=cmd.topics if cmd.saved_audience else checked.command.topics,
            audience=cmd.audience if cmd.saved_audience else checked.command.audience,
            saved_audience=cmd.saved_audience,
            urgent=cmd.urgent,
            ack_required=cmd.ack_required,
            ctas=checked.command.ctas,
        )
        zones = await self._zones_of(checked)
        now = self._clock.now()
        first = next(self._upcoming(cmd.every, zone, None, zones, after=now), None)
        if cmd.until is not None and (first is None or first.day > cmd.until):
            day = first.day if first else cmd.until
            return Refused(RefusalCode.UNTIL_PAST, "until", value=cmd.until.isoformat(), suggestion=str(day))
        series = await self._stores.series.create(
            template=template,
            rule=cmd.every,
            zone=zone,
            until=cmd.until,
            author=inv.user,
            origin=inv.channel,
            now=now,
        )
        topic_ids = [t.id for t in checked.topics]
        reach = await self._stores.announcements.reach(topic_ids, checked.command.audience)
        upcoming = islice(self._upcoming(series.rule, zone, series.until, zones, after=now), UPCOMING)
        return SeriesPreviewed(series, reach, tuple(o.wall for o in upcoming))

    # --- `series`, start/pause/resume/end, edit -------------------------------------------------

    async def listing(self) -> SeriesListed:
        items = []
        for series in await self._stores.series.all():
            running = series.status in (SeriesStatus.ACTIVE, SeriesStatus.DRAFT)
            items.append((series, await self.next_wall(series) if running else None))
        return SeriesListed(tuple(items))

    async def change(self, cmd: SeriesAction) -> SeriesResult:
        series = await self._stores.series.get(cmd.series_id)
        if series is None:
            return Refused(RefusalCode.NO_SUCH_SERIES, value=str(cmd.series_id))
        expected, status = _TRANSITIONS[cmd.action]
        if series.status not in expected:
            return _wrong_state(series)
        now = self._clock.now()
        if status is SeriesStatus.ACTIVE:
            probe = replace(series, status=status, active_since=now)
            if await self.next_wall(probe) is None:  # its `until:` has passed
                until = series.until.isoformat() if series.until else ""
                return Refused(RefusalCode.UNTIL_PAST, "until", value=until, ids=(series.id,))
        since = now if status is SeriesStatus.ACTIVE else None
        changed = await self._stores.series.set_status(
            series.id, status, expected=expected, active_since=since
        )
        if changed is None:  # another admin changed it meanwhile
            return _wrong_state(await self._stores.series.get(series.id) or series)
        upcoming = await self.next_wall(changed) if status is SeriesStatus.ACTIVE else None
        was_draft = series.status is SeriesStatus.DRAFT
        return SeriesChanged(changed, cmd.action, upcoming, was_draft=was_draft)

    async def edit(self, cmd: SeriesEdit) -> SeriesResult:
        """New text for the occurrences not drafted yet; those drafted keep theirs."""
        series = await self._stores.series.get(cmd.series_id)
        if series is None:
            return Refused(RefusalCode.NO_SUCH_SERIES, value=str(cmd.series_id))
        edited = await self._stores.series.edit(
            series.id, title=cmd.title, body=cmd.body, now=self._clock.now()
        )
        if edited is None:
            return _wrong_state(series, action="edit")
        return SeriesEdited(edited, await self.next_wall(edited))

    # --- when ---------------------------------------------------------------------------------

    async def next_wall(self, series: Series) -> datetime | None:
        """The wall-clock moment of the next occurrence not drafted yet (None: none left)."""
        occurrence = await self.next_occurrence(series)
        return occurrence.wall if occurrence else None

    async def next_occurrence(self, series: Series, *, after: datetime | None = None) -> Occurrence | None:
        zones = await self._zones(series) if series.zone is None else ()
        now = after or self._clock.now()
        since = max(now, series.active_since) if series.active_since else now
        for occurrence in self._upcoming(series.rule, series.zone, series.until, zones, after=since):
            if series.last_occurrence is None or occurrence.day > series.last_occurrence:
                return Occurrence(series.id, occurrence.day, occurrence.wall, occurrence.first)
        return None

    def occurrences(
        self, series: Series, zones: Sequence[str], *, start: date, until: date
    ) -> Iterator[Occurrence]:
        """Every occurrence dated from `start` through `until` (and the series' own `until`)."""
        last = min(until, series.until) if series.until else until
        for day in series.rule.dates(start, last):
            yield self._occurrence(series.id, series.rule.wall(day), day, series.zone, zones)

    def _upcoming(
        self,
        rule: Recurrence,
        zone: str | None,
        until: date | None,
        zones: Sequence[str],
        *,
        after: datetime,
    ) -> Iterator[Occurrence]:
        """Occurrences that begin after `after`, in order (a `local` one begins in its earliest zone)."""
        start = (after - _EARLIEST_OFFSET).date() - timedelta(days=1)
        for day in rule.dates(start, until):
            occurrence = self._occurrence(0, rule.wall(day), day, zone, zones)
            if occurrence.first > after:
                yield occurrence

    def _occurrence(
        self, series_id: int, wall: datetime, day: date, zone: str | None, zones: Sequence[str]
    ) -> Occurrence:
        names = [zone] if zone is not None else list(zones) or [self._settings.default_timezone]
        first = min(to_utc(wall, zone_or(name, self._settings.default_timezone)[1]) for name in names)
        return Occurrence(series_id, day, wall, first)

    async def _zones(self, series: Series) -> tuple[str, ...]:
        """The zones of the channels a `local` series targets now (the vendor's when none)."""
        checked = await self._admin.checked(_broadcast(series.template))
        if isinstance(checked, Refused):
            return ()
        return await self._zones_of(checked)

    async def _zones_of(self, checked: CheckedBroadcast) -> tuple[str, ...]:
        topic_ids = [t.id for t in checked.topics]
        groups = await self._stores.schedules.target_groups(topic_ids, checked.command.audience)
        default = self._settings.default_timezone
        return tuple(sorted({zone_or(g.zone or None, default)[0] for g in groups}))

    # --- the job: draft what is due --------------------------------------------------------------

    async def draft_due(self, *, worker: str, lease: timedelta) -> int:
        """Draft and send every occurrence whose time has come, each claimed once across processes;
        end the series whose `until:` has passed. How many were drafted."""
        drafted = 0
        for series in await self._stores.series.all(statuses=(SeriesStatus.ACTIVE,)):
            try:
                drafted += await self._draft_series(series, worker=worker, lease=lease)
            except Exception:  # one series' trouble must not hold up the others
                log.exception("series %s: drafting an occurrence failed", series.id)
        return drafted

    async def _draft_series(self, series: Series, *, worker: str, lease: timedelta) -> int:
        now = self._clock.now()
        floor = max(now - CATCH_UP, series.active_since or now)
        start = (floor - _EARLIEST_OFFSET).date() - timedelta(days=1)
        drafted = 0
        zones: tuple[str, ...] | None = None
        for day in series.rule.dates(start, min(series.until or date.max, now.date() + timedelta(days=1))):
            wall = series.rule.wall(day)
            if wall - _EARLIEST_OFFSET > now.replace(tzinfo=None):
                break  # not begun anywhere yet
            if series.last_occurrence is not None and day < series.last_occurrence:
                continue
            if zones is None:
                zones = await self._zones(series) if series.zone is None else ()
            occurrence = self._occurrence(series.id, wall, day, series.zone, zones)
            if not floor <= occurrence.first <= now:
                continue
            runs = self._stores.job_runs
            if not await runs.claim(
                OCCURRENCE_JOB, occurrence.key, worker=worker, now=now, lease_until=now + lease
            ):
                continue
            try:
                note = await self._draft(series, occurrence)
            except Exception as exc:
                failed = f"failed: {type(exc).__name__}: {exc}"
                await runs.finish(
                    OCCURRENCE_JOB, occurrence.key, worker=worker, ok=False, detail=failed, now=now
                )
                raise
            await runs.finish(OCCURRENCE_JOB, occurrence.key, worker=worker, ok=True, detail=note, now=now)
            drafted += 1
            series = await self._stores.series.get(series.id) or series
        left = await self.next_occurrence(series, after=now - CATCH_UP) if series.until else True
        if not left:
            await self._stores.series.set_status(
                series.id, SeriesStatus.ENDED, expected=(SeriesStatus.ACTIVE,)
            )
        return drafted

    async def _draft(self, series: Series, occurrence: Occurrence) -> str:
        """Draft the occurrence from the template as it is now, schedule and send it; what became of
        it. A run taken over after a crash finds the draft it made (the series row holds it)."""
        announcement_id = series.last_announcement if series.last_occurrence == occurrence.day else None
        if announcement_id is not None:
            existing = await self._stores.announcements.get(announcement_id)
            if existing is not None and existing.status is not AnnouncementStatus.DRAFT:
                return m.SERIES_OCCURRENCE_SENT.format(id=existing.id)
        if announcement_id is None:
            inv = Invocation(channel=series.origin, user=series.author)
            result = await self._admin.draft(inv, _broadcast(series.template))
            if not isinstance(result, Previewed):
                return await self._note(series, occurrence, None, _refused_words(result))
            announcement_id = result.announcement.id
            await self._note(series, occurrence, announcement_id, "drafted")
        if self._approvals is not None:
            # Asked before it gets its time: approved later, it goes out then, like a draft without one.
            inv = Invocation(channel=series.origin, user=series.author)
            gated = await self._approvals.gate_send(inv, Send(announcement_id))
            if isinstance(gated, ApprovalRequested):
                await self._approvals.announce(inv, announcement_id)  # said in the admin channel
                words = m.SERIES_OCCURRENCE_AWAITS.format(id=announcement_id)
                return await self._note(series, occurrence, announcement_id, words)
        schedule = Schedule(occurrence.wall, series.zone, occurrence.first)
        await self._stores.schedules.reschedule(announcement_id, schedule=schedule, plan=None)
        sent = await self._admin.send_draft(Send(announcement_id), occurrence=True)
        if isinstance(sent, Refused | FilesRefused):
            await self._stores.schedules.cancel(announcement_id)  # e.g. nobody to reach today
            return await self._note(series, occurrence, announcement_id, _refused_words(sent))
        # Sent, scheduled, or whatever else the send path made of it (it is that path's to report).
        words = m.SERIES_OCCURRENCE_SENT.format(id=announcement_id)
        return await self._note(series, occurrence, announcement_id, words)

    async def _note(
        self, series: Series, occurrence: Occurrence, announcement_id: int | None, note: str
    ) -> str:
        await self._stores.series.record_occurrence(
            series.id, day=occurrence.day, announcement_id=announcement_id, note=note
        )
        return note


def _broadcast(template: SeriesTemplate) -> Broadcast:
    """The broadcast an occurrence is drafted from: the template, no time of its own."""
    return Broadcast(
        template.topics,
        template.audience,
        template.title,
        template.body,
        urgent=template.urgent,
        ack_required=template.ack_required,
        saved_audience=template.saved_audience,
        ctas=template.ctas,
    )


def _refused_words(result: Refused | FilesRefused) -> str:
    return m.SERIES_OCCURRENCE_REFUSED.format(reason=present(result).text.splitlines()[0])


def _wrong_state(series: Series, *, action: str = "") -> Refused:
    return Refused(RefusalCode.SERIES_STATE, action, value=str(series.id), status=series.status.value)
