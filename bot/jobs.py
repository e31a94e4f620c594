"""The periodic jobs, defined here and nowhere else: name, schedule, what each does, how it runs.

APScheduler 3 only *ticks*: every process adds each job with an interval trigger, and a persistent
job store cannot be shared between processes. Which runs actually happen is decided in the database:
a run first claims its period in `job_run` (unique (job, period)), so any number of `partnerbot run`
processes run each period once, and since periods are computed from the (injected) clock rather than
remembered by the scheduler, a restart neither skips nor repeats one. A run that fails, or whose
process dies (its claim's lease passes), is claimed again on a later tick; everything a run writes
is keyed (digests per channel and period, notices per key), so a second attempt adds nothing twice.

What "missed" means, per cadence:
- `Ticks` (every N minutes): the work is level-triggered ("whatever is due now"), so the next
  period's run does everything a missed one would have; missed ticks are not replayed.
- `Weekly` (the report): each week whose report moment passed while no process ran is reported on
  the next tick, oldest first, at most `catch_up` weeks back; a fresh database reports only the
  latest week.
- `EveryProcess`: process-local work (waking this process's worker), run on every tick, unclaimed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from bot import messages as m
from bot.attachments import human_size
from bot.cadence import Period, report_weeks, tick_period
from bot.core import PartnerBot
from bot.domain.engagement import SNAPSHOT_WINDOWS, quiet_pieces, score_pieces
from bot.ports.announcements import AnnouncementStore
from bot.ports.clock import Clock
from bot.ports.engagement import ScoreSnapshots
from bot.ports.files import FileBytes, FileUsageStore
from bot.ports.jobs import JobRunStore
from bot.ports.outbox import OutboxStore
from bot.ports.privacy import PrivacyStore
from bot.ports.sending import RateLimitRows
from bot.ports.similarity import VectorFiller
from bot.services.delivery import DeliveryWorker
from bot.services.digests import DigestService
from bot.services.file_gc import FileCollector
from bot.services.privacy import PrivacyService
from bot.settings import CoreSettings
from bot.timezones import zone_or

log = logging.getLogger(__name__)

# How long a claimed run may take before another process may take it over.
JOB_LEASE = timedelta(minutes=10)
# How often a broadcast's progress message may change: well inside Slack's chat.update budget (Tier
# 3, ~50/min per workspace) and Discord's per-channel edit bucket, and still feels live.
PROGRESS_EVERY = timedelta(seconds=10)
# Finished runs of jobs that never catch up are forgotten after this long.
KEEP_TICK_RUNS = timedelta(days=2)
# Vectors the `faq-vectors` job encodes per run, at most. all-MiniLM-L6-v2 on one CPU thread took
# 83-118 ms a text over bench/similarity.py's long answers (22 ms for short ones): 256 take about
# 25-35 s, inside the job's one-minute tick (a run still going when the next tick comes makes
# APScheduler skip it with a warning) and about half a core, leaving the rest to questions; 2,000
# FAQs are caught up in 8 runs, about 8 minutes (README "Semantic matching").
VECTORS_PER_RUN = 256
# A shared rate-limit bucket (`rate_limit` row) full again for this long is deleted: missing reads as
# full. The margin covers processes whose clocks run behind (the buckets use each one's wall clock).
RATE_LIMIT_IDLE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class JobPorts:
    """The ports the jobs use themselves: their claims (`job_runs`), finishing announcements
    (`announcements`, `outbox`), pruning rate-limit buckets, retention (`privacy`), collecting unused
    files (`file_usage`, `file_bytes`), the score snapshots (`score_snapshots`), and with
    PARTNERBOT_SIMILARITY=embeddings the embedding matcher's missing vectors (`vectors`; None
    otherwise, and then the `faq-vectors` job is not scheduled). Everything else goes through the
    core's services (`JobHost.bot`), the digests and the worker."""

    job_runs: JobRunStore
    announcements: AnnouncementStore
    outbox: OutboxStore
    rate_limits: RateLimitRows
    privacy: PrivacyStore
    file_usage: FileUsageStore
    file_bytes: FileBytes
    score_snapshots: ScoreSnapshots
    vectors: VectorFiller | None = None


class JobHost(Protocol):
    """What a job needs from the running app (bot/app.py's `App` provides it): never the whole bag
    of stores, only `job_ports`."""

    @property
    def settings(self) -> CoreSettings: ...
    @property
    def job_ports(self) -> JobPorts: ...
    @property
    def bot(self) -> PartnerBot:
        """The core, whose services (reports, reminders, acknowledgements, progress) the jobs run."""
        ...

    @property
    def clock(self) -> Clock: ...
    @property
    def digests(self) -> DigestService: ...
    @property
    def worker(self) -> DeliveryWorker: ...


# --- cadences -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EveryProcess:
    """Unclaimed: every process runs it on every tick."""

    every: timedelta
    claims = False
    catches_up = False

    def describe(self, settings: CoreSettings) -> str:
        return f"every {_span(self.every)}, in every process"

    def due(self, now: datetime, settings: CoreSettings, last_done: str | None) -> list[Period]:
        return [tick_period(now, self.every)]


@dataclass(frozen=True, slots=True)
class Ticks:
    """One run per `every`-long slot across all processes; missed slots are not replayed."""

    every: timedelta
    claims = True
    catches_up = False

    def describe(self, settings: CoreSettings) -> str:
        return f"every {_span(self.every)}, once across processes"

    def due(self, now: datetime, settings: CoreSettings, last_done: str | None) -> list[Period]:
        return [tick_period(now, self.every)]


@dataclass(frozen=True, slots=True)
class Weekly:
    """The weekly report moment (PARTNERBOT_REPORT_WEEKDAY/_TIME in the vendor zone); one run per
    week, missed weeks caught up (at most `catch_up`)."""

    catch_up: int = 4
    claims = True
    catches_up = True

    def describe(self, settings: CoreSettings) -> str:
        zone, _ = zone_or(settings.default_timezone, "UTC")
        return f"{settings.report_weekday.title()}s {settings.report_time} {zone}, once across processes"

    def due(self, now: datetime, settings: CoreSettings, last_done: str | None) -> list[Period]:
        _, tz = zone_or(settings.default_timezone, "UTC")
        return report_weeks(now, settings.report_at(), tz, after=last_done, limit=self.catch_up)


Cadence = EveryProcess | Ticks | Weekly


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    description: str
    cadence: Cadence
    run: Callable[[JobHost, Period], Awaitable[str]]
    # How often APScheduler wakes the job in each process to see whether a period is due.
    tick: timedelta = timedelta(seconds=60)
    # Whether this process has what the job works on (e.g. an embedding matcher); if not, the job is
    # neither scheduled nor run here.
    applies: Callable[[JobPorts], bool] = lambda ports: True

    def schedule(self, settings: CoreSettings) -> str:
        return self.cadence.describe(settings)


# --- what the jobs do ------------------------------------------------------------------------------


async def finish_announcements(host: JobHost) -> None:
    """Mark scheduled announcements sending once a delivery went out, sending ones sent when done."""
    waiting = ("scheduled", "sending")
    ids = [a.id for a in await host.job_ports.announcements.recent(100) if a.status.value in waiting]
    if ids:
        await host.job_ports.outbox.finish_announcements(ids, now=host.clock.now())


async def make_digests(host: JobHost) -> int:
    """Make the digests that are due and wake the worker; how many were made."""
    made = await host.digests.create_due()
    if made:
        host.worker.wake()
    return made


async def _sweep(host: JobHost, period: Period) -> str:
    host.worker.wake()
    return "woke the worker"


async def _finish(host: JobHost, period: Period) -> str:
    await finish_announcements(host)
    return "checked"


async def _digests(host: JobHost, period: Period) -> str:
    return m.JOB_DIGESTS(await make_digests(host))


async def _report(host: JobHost, period: Period) -> str:
    queued = await host.bot.reports.queue(period, now=host.clock.now())
    if queued:
        host.worker.wake()
    return m.JOB_REPORTS(queued) if queued else m.JOB_NO_REPORT


async def _reminders(host: JobHost, period: Period) -> str:
    queued = await host.bot.reminders.queue(now=host.clock.now())
    if queued:
        host.worker.wake()
    return m.JOB_REMINDERS(queued)


async def _ack_reminders(host: JobHost, period: Period) -> str:
    queued = await host.bot.acks.queue_reminders(now=host.clock.now())
    if queued:
        host.worker.wake()
    return m.JOB_ACK_REMINDERS(queued)


async def _progress(host: JobHost, period: Period) -> str:
    edited = await host.bot.progress.refresh(host.worker.sender_for)
    return m.JOB_PROGRESS(edited)


async def _series(host: JobHost, period: Period) -> str:
    drafted = await host.bot.series.draft_due(worker=host.worker.id, lease=JOB_LEASE)
    if drafted:
        host.worker.wake()
    return m.JOB_SERIES(drafted)


async def _prune_rate_limits(host: JobHost, period: Period) -> str:
    full_before = (host.clock.now() - RATE_LIMIT_IDLE).timestamp()
    return m.JOB_RATE_LIMITS_PRUNED(await host.job_ports.rate_limits.prune(full_before=full_before))


async def _retention(host: JobHost, period: Period) -> str:
    service = PrivacyService(host.job_ports.privacy)
    return await service.apply_retention(retention_days=host.settings.retention_days, now=host.clock.now())


async def _files_gc(host: JobHost, period: Period) -> str:
    ports = host.job_ports
    collected = await FileCollector(ports.file_usage, ports.file_bytes, host.clock).collect()
    return m.JOB_FILES_GC(len(collected.removed), size=human_size(collected.size))


def snapshot_pieces_for(settings: CoreSettings, today: date) -> list[tuple[date, date]]:
    """The spans of completed days the score and gone-quiet reads of `today` look for: the dashboard's
    windows, the engagement window (`engagement`), and the gone-quiet lists' pieces."""
    windows = {*SNAPSHOT_WINDOWS, settings.engagement_window_days}
    pieces = {piece for days in windows for piece in score_pieces(days, today)}
    window, quiet_for = timedelta(days=settings.engagement_window_days), timedelta(weeks=settings.quiet_weeks)
    return sorted(pieces | set(quiet_pieces(window, quiet_for, today)))


async def _score_snapshots(host: JobHost, period: Period) -> str:
    now = host.clock.now()
    pieces = snapshot_pieces_for(host.settings, now.astimezone(UTC).date())
    ports = host.job_ports
    built = await ports.score_snapshots.refresh(pieces, now=now, worker=host.worker.id, lease=JOB_LEASE)
    return m.JOB_SCORE_SNAPSHOTS(built)


async def _faq_vectors(host: JobHost, period: Period) -> str:
    filler = host.job_ports.vectors
    if filler is None:  # not scheduled without one (Job.applies); run_job skips it too
        return m.JOB_VECTORS(0)
    return m.JOB_VECTORS(await filler.fill(limit=VECTORS_PER_RUN))


def _has_vectors(ports: JobPorts) -> bool:
    return ports.vectors is not None


_JOBS = (
    Job(
        "broadcast-progress",
        "update each sending broadcast's progress message in its admin channel (sent / to go / "
        "failed), then its summary; every process may, a compare-and-set keeps it to one edit",
        EveryProcess(PROGRESS_EVERY),
        _progress,
        tick=PROGRESS_EVERY,
    ),
    Job(
        "outbox-sweep",
        "wake the delivery worker for rows whose retry time has come",
        EveryProcess(timedelta(seconds=30)),
        _sweep,
        tick=timedelta(seconds=30),
    ),
    Job(
        "finish-announcements",
        "mark scheduled announcements sending once a delivery went out, and sending ones sent once "
        "nothing is queued",
        Ticks(timedelta(minutes=1)),
        _finish,
    ),
    Job(
        "digests",
        "make the daily/weekly digests whose local time has come (one per channel and period) and "
        "wake the worker to post them",
        Ticks(timedelta(minutes=1)),
        _digests,
    ),
    Job(
        "series",
        "draft each recurring series' occurrences whose time has come (the earliest targeted zone's, "
        "for `local`) and send them as scheduled announcements; each occurrence is claimed once "
        "(job `series-occurrence`), so a restart never skips or repeats one",
        Ticks(timedelta(minutes=1)),
        _series,
    ),
    Job(
        "weekly-report",
        "post last week's engagement per topic and tier (reach, reactions, questions, unanswered "
        "for over a day) to each admin channel; nothing when nothing happened",
        Weekly(),
        _report,
    ),
    Job(
        "question-reminders",
        "remind the admin channel, once per question, of partner questions unanswered for "
        "PARTNERBOT_QUESTION_REMINDER_HOURS (in the announcement's admin thread)",
        Ticks(timedelta(minutes=5)),
        _reminders,
    ),
    Job(
        "ack-reminders",
        "remind partners, once per delivery and in the announcement's thread, of urgent announcements "
        "they have not acknowledged after PARTNERBOT_ACK_REMINDER_HOURS",
        Ticks(timedelta(minutes=5)),
        _ack_reminders,
    ),
    Job(
        "rate-limit-pruning",
        "delete the shared rate-limit buckets (PARTNERBOT_RATE_LIMITS=shared) idle for longer than "
        "they take to refill, plus 5 min; a missing bucket reads as a full one",
        Ticks(timedelta(minutes=10)),
        _prune_rate_limits,
    ),
    Job(
        "retention",
        "when PARTNERBOT_RETENTION_DAYS is set, blank question and answer text, question reminders "
        "and audit details older than that (rows and counts stay); off by default",
        Ticks(timedelta(hours=1)),
        _retention,
    ),
    Job(
        "files-gc",
        "delete the stored bytes of files no live announcement carries (only cancelled or recalled "
        "ones did, their drafts were discarded, or a draft never saved); never a live one's",
        Ticks(timedelta(hours=6)),
        _files_gc,
    ),
    Job(
        "score-snapshots",
        "sum each partner's engagement and deliveries over the completed days of the dashboard's score "
        "windows and the gone-quiet lists (today's are counted live), so those pages read one row per "
        "partner; built once a day after midnight UTC, and again when a past day's counts change",
        Ticks(timedelta(minutes=5)),
        _score_snapshots,
    ),
    Job(
        "faq-vectors",
        "with PARTNERBOT_SIMILARITY=embeddings only: encode the answered questions and FAQs that have "
        "no vector for PARTNERBOT_SIMILARITY_MODEL yet (new, reworded, or every one after a model "
        f"change), in batches, at most {VECTORS_PER_RUN} a run, so partners' questions never wait for them",
        Ticks(timedelta(minutes=1)),
        _faq_vectors,
        applies=_has_vectors,
    ),
)
JOBS: dict[str, Job] = {job.name: job for job in _JOBS}


# --- running them ------------------------------------------------------------------------------


async def run_job(host: JobHost, name: str) -> list[str]:
    """One scheduler tick of job `name`: run each due period this process can claim. Returns the
    periods it ran. A failing run is recorded as failed (claimable again) and the error re-raised."""
    job = JOBS[name]
    if not job.applies(host.job_ports):
        return []
    now = host.clock.now()
    runs = host.job_ports.job_runs
    last = await runs.last_done(name) if job.cadence.catches_up else None
    ran: list[str] = []
    for period in job.cadence.due(now, host.settings, last):
        if job.cadence.claims and not await runs.claim(
            name, period.key, worker=host.worker.id, now=now, lease_until=now + JOB_LEASE
        ):
            continue
        try:
            detail = await job.run(host, period)
        except Exception as exc:
            if job.cadence.claims:
                failed = f"failed: {type(exc).__name__}: {exc}"
                await runs.finish(name, period.key, worker=host.worker.id, ok=False, detail=failed, now=now)
            raise
        if job.cadence.claims:
            await runs.finish(name, period.key, worker=host.worker.id, ok=True, detail=detail, now=now)
        ran.append(period.key)
    if job.cadence.claims and not job.cadence.catches_up:
        await runs.prune(name, before=now - KEEP_TICK_RUNS)
    return ran


def _span(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    if seconds % 60:
        return f"{seconds} s"
    return "minute" if seconds == 60 else f"{seconds // 60} min"
