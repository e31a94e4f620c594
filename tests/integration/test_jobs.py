"""Periodic jobs run once per period across processes: each run claims its period in `job_run`.

Every job is driven by calling `run_job` (what the scheduler calls on each tick) on the fake clock;
a restart is a new App on the same database. The clock starts on Tuesday 2026-11-24 09:00 UTC.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bot.app import build_scheduler, last_job_runs
from bot.cadence import Period
from bot.config import Settings
from bot.jobs import JOB_LEASE, JOBS, JobHost, run_job
from storage.tables import JobRunRow
from tests.conftest import FakeClock
from tests.harness import Harness, make_harness
from tests.integration.support import rows


def move_to(clock: FakeClock, when: datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_jobs_are_defined_in_one_place_with_a_schedule_and_a_description(
    sqlite_harness: Harness,
) -> None:
    assert set(JOBS) == {
        "series",
        "outbox-sweep",
        "finish-announcements",
        "digests",
        "weekly-report",
        "question-reminders",
        "ack-reminders",
        "broadcast-progress",
        "rate-limit-pruning",
        "retention",
        "files-gc",
        "score-snapshots",
        "faq-vectors",
    }
    settings = Settings(_env_file=None, default_timezone="Europe/Berlin", report_time="08:30")
    assert JOBS["weekly-report"].schedule(settings) == "Mondays 08:30 Europe/Berlin, once across processes"
    assert JOBS["question-reminders"].schedule(settings) == "every 5 min, once across processes"
    assert JOBS["broadcast-progress"].schedule(settings) == "every 10 s, in every process"
    assert all(job.description for job in JOBS.values())
    scheduler = build_scheduler(sqlite_harness.app)
    # `faq-vectors` only with PARTNERBOT_SIMILARITY=embeddings (tests/integration/test_faq_vector_job.py).
    assert {job.id for job in scheduler.get_jobs()} == set(JOBS) - {"faq-vectors"}


async def test_a_tick_job_runs_once_per_period_across_processes(
    harness: Harness, database_url: str, clock: FakeClock
) -> None:
    other = await make_harness(database_url, clock)
    try:
        ran = await asyncio.gather(*(run_job(app, "digests") for app in (harness.app, other.app) * 2))
        assert sorted(key for keys in ran for key in keys) == ["2026-11-24T09:00Z"]
        clock.advance(seconds=30)  # same minute: nothing more
        assert await run_job(other.app, "digests") == []
        clock.advance(seconds=30)
        assert await run_job(other.app, "digests") == ["2026-11-24T09:01Z"]
        runs = await rows(harness, JobRunRow, job="digests")
        assert [(r.period, r.status, r.detail) for r in runs] == [
            ("2026-11-24T09:00Z", "done", "0 digests made"),
            ("2026-11-24T09:01Z", "done", "0 digests made"),
        ]
        # Ticks are never replayed: after a day's outage only the current minute runs, and old
        # finished runs are forgotten.
        clock.advance(days=3)
        assert await run_job(harness.app, "digests") == ["2026-11-27T09:01Z"]
        assert [r.period for r in await rows(harness, JobRunRow, job="digests")] == ["2026-11-27T09:01Z"]
        # The process-local sweep claims nothing: every process runs it.
        assert await run_job(harness.app, "outbox-sweep") == await run_job(other.app, "outbox-sweep")
        assert await rows(harness, JobRunRow, job="outbox-sweep") == []
    finally:
        await other.close()


async def test_weekly_periods_survive_restarts_without_skipping_or_repeating(
    database_url: str, clock: FakeClock
) -> None:
    h = await make_harness(database_url, clock)
    try:
        # A fresh database reports only the latest finished week (16 to 23 Nov), once.
        assert await run_job(h.app, "weekly-report") == ["2026-W47"]
        assert await run_job(h.app, "weekly-report") == []
        move_to(clock, utc(2026, 11, 30, 8, 59))
        assert await run_job(h.app, "weekly-report") == []
        move_to(clock, utc(2026, 11, 30, 9, 0))
        assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    finally:
        await h.close()
    # Down for two report moments (7 and 14 December): the restarted process runs both, in order.
    move_to(clock, utc(2026, 12, 15, 10, 0))
    restarted = await make_harness(database_url, clock)
    try:
        assert await run_job(restarted.app, "weekly-report") == ["2026-W49", "2026-W50"]
        assert await run_job(restarted.app, "weekly-report") == []
        done = await rows(restarted, JobRunRow, job="weekly-report")
        assert [(r.period, r.status) for r in done] == [
            (f"2026-W{week}", "done") for week in (47, 48, 49, 50)
        ]
    finally:
        await restarted.close()


async def test_two_processes_claiming_the_same_week_run_it_once(
    harness: Harness, database_url: str, clock: FakeClock
) -> None:
    other = await make_harness(database_url, clock)
    try:
        move_to(clock, utc(2026, 11, 30, 9, 0, 30))
        ran = await asyncio.gather(
            run_job(harness.app, "weekly-report"),
            run_job(other.app, "weekly-report"),
            run_job(harness.app, "question-reminders"),
            run_job(other.app, "question-reminders"),
        )
        assert sorted(key for keys in ran[:2] for key in keys) == ["2026-W48"]
        assert sorted(key for keys in ran[2:] for key in keys) == ["2026-11-30T09:00Z"]
    finally:
        await other.close()


async def test_a_dead_or_failed_run_is_taken_over(
    harness: Harness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    now = clock.now()
    # Another process claimed the week and died without finishing.
    assert await h.app.stores.job_runs.claim(
        "weekly-report", "2026-W47", worker="dead:1", now=now, lease_until=now + JOB_LEASE
    )
    assert await run_job(h.app, "weekly-report") == []
    clock.advance(JOB_LEASE.total_seconds() + 1)
    assert await run_job(h.app, "weekly-report") == ["2026-W47"]
    (run,) = await rows(h, JobRunRow, job="weekly-report")
    assert (run.status, run.attempts, run.worker) == ("done", 2, h.app.worker.id)

    # A run that raises is recorded as failed and runs again on the next tick.
    calls: list[str] = []

    async def flaky(host: JobHost, period: Period) -> str:
        calls.append(period.key)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return "ok"

    monkeypatch.setitem(JOBS, "weekly-report", replace(JOBS["weekly-report"], run=flaky))
    move_to(clock, utc(2026, 11, 30, 9, 0))
    with pytest.raises(RuntimeError):
        await run_job(h.app, "weekly-report")
    failed = (await rows(h, JobRunRow, period="2026-W48"))[0]
    assert (failed.status, failed.detail) == ("failed", "failed: RuntimeError: database hiccup")
    clock.advance(seconds=60)
    assert await run_job(h.app, "weekly-report") == ["2026-W48"]
    assert calls == ["2026-W48", "2026-W48"]


async def test_last_runs_are_listed(sqlite_harness: Harness, clock: FakeClock) -> None:
    await run_job(sqlite_harness.app, "digests")
    clock.advance(minutes=1)
    await run_job(sqlite_harness.app, "digests")
    await run_job(sqlite_harness.app, "weekly-report")
    runs = {run.job: run for run in await last_job_runs(sqlite_harness.app.settings) or []}
    assert set(runs) == {"digests", "weekly-report"}
    assert (runs["digests"].period, runs["digests"].status) == ("2026-11-24T09:01Z", "done")
    assert runs["weekly-report"].detail == "nothing happened: no report"


def test_partnerbot_jobs_lists_schedules_and_last_runs(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import app as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "250")
    # Rich reads COLUMNS when a Console is made: the CLI's was made at import (80 in an xdist worker).
    monkeypatch.setattr("bot.cli.out", Console())

    async def one_report() -> None:
        h = await make_harness(sqlite_url, FakeClock())
        try:
            await run_job(h.app, "weekly-report")
        finally:
            await h.close()

    asyncio.run(one_report())
    result = CliRunner().invoke(cli, ["jobs"])
    assert result.exit_code == 0, result.output
    assert "weekly-report" in result.output and "Mondays 09:00 UTC" in result.output
    assert "2026-W47 · done" in result.output
    # No database yet: the listing still works, without last runs (and creates no file).
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    result = CliRunner().invoke(cli, ["jobs"])
    assert result.exit_code == 0 and "question-reminders" in result.output
    assert not (tmp_path / "none.db").exists()


def test_tick_periods_are_aligned_slots() -> None:
    from bot.cadence import tick_period

    period = tick_period(utc(2026, 11, 24, 9, 7, 59), timedelta(minutes=5))
    assert (period.key, period.start, period.end) == (
        "2026-11-24T09:05Z",
        utc(2026, 11, 24, 9, 5),
        utc(2026, 11, 24, 9, 10),
    )
