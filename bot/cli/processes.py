"""PARTNERBOT_WORKER_PROCESSES: one `partnerbot worker` (or `run`) that delivers from N processes.

The process started delivers as before and starts N - 1 more delivery processes beside it
(multiprocessing's `spawn`: fresh interpreters, each with its own database engine, HTTP sessions and
event loop). They share the outbox exactly as workers on several machines do: claims with leases
(`FOR UPDATE SKIP LOCKED`) and the platforms' limits in the database's shared buckets.

- PostgreSQL only. On SQLite every claim and record waits for the file's one write lock, so more
  processes add waiting rather than deliveries; and `PARTNERBOT_RATE_LIMITS=process` paces each
  process on its own, which N processes would overrun N times. Both are refused in one line.
- SIGTERM or SIGINT stops them all: the extra processes get SIGTERM, finish what they are sending,
  record it and exit; the first waits for them.
- One that exits while the others run (a crash, an out-of-memory kill, a signal sent to it alone)
  stops the group, and the command exits 1 saying which: the service manager (systemd, Kubernetes)
  restarts partnerbot whole. Restarting it here would hide a crash loop; its claimed rows are
  taken over by the others once their leases run out either way.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import signal
import sys
from collections.abc import Callable
from multiprocessing.process import BaseProcess

from sqlalchemy.exc import SQLAlchemyError

from bot import messages as m
from bot.app import StartupError, serve
from bot.cli.loops import loop_factory
from bot.config import Settings
from storage import migrate

log = logging.getLogger(__name__)

STOP_SECONDS = 30.0
POLL_SECONDS = 0.5  # how long a stopped delivery process may take to finish its sends


class ProcessesRefused(Exception):
    """PARTNERBOT_WORKER_PROCESSES > 1 where it cannot work: the reason, in one line."""


def check_processes(settings: Settings) -> None:
    """Refuse more than one delivery process where they would step on each other (module docstring)."""
    count = settings.worker_processes
    if count == 1:
        return
    if not settings.database_url.startswith(("postgresql", "postgres")):
        raise ProcessesRefused(m.CLI_PROCESSES_NEED_POSTGRES.format(count=count))
    if settings.rate_limits == "process":
        raise ProcessesRefused(m.CLI_PROCESSES_OWN_LIMITS.format(count=count))


class DeliveryProcesses:
    """The extra delivery processes (numbered 2…N in their names and logs; this one is the first)."""

    def __init__(self, settings: Settings, *, setup_logging: Callable[[str], None]) -> None:
        self._settings = settings
        self._setup = setup_logging
        self._count = settings.worker_processes - 1
        self._processes: list[BaseProcess] = []
        self._stopping = False
        self.failure: str | None = None

    async def start(self) -> None:
        """Migrate first (the extra processes do not), then start them."""
        if not self._count:
            return
        settings = self._settings
        await asyncio.to_thread(migrate.upgrade, settings.database_url, secret_key=settings.secret_key)
        context = multiprocessing.get_context("spawn")
        for number in range(2, self._count + 2):
            process = context.Process(
                target=deliver,
                args=(_numbered(settings, number), number, self._setup),
                name=f"partnerbot-worker-{number}",
            )
            process.start()
            self._processes.append(process)
        log.info("started %d more delivery processes", self._count)

    async def watch(self, stop: asyncio.Event) -> None:
        """Return once one of them exits; if nobody asked them to, note it and stop the group."""
        if not self._processes:
            return
        sentinels = [p.sentinel for p in self._processes]
        try:
            await asyncio.to_thread(multiprocessing.connection.wait, sentinels)
        except OSError:  # the sentinels are unusable: watch by polling instead
            log.warning("cannot wait on the delivery processes' sentinels; polling them", exc_info=True)
            while all(p.is_alive() for p in self._processes):
                await asyncio.sleep(POLL_SECONDS)
        if self._stopping or stop.is_set():
            return
        gone = next(p for p in self._processes if not p.is_alive())
        log.info("delivery process %s (pid %s) exited with code %s", gone.name, gone.pid, gone.exitcode)
        self.failure = m.CLI_PROCESS_EXITED.format(name=gone.name, code=gone.exitcode)
        log.error("%s", self.failure)
        stop.set()

    async def stop(self) -> None:
        """SIGTERM each that still runs; wait for them (then SIGKILL any still not done)."""
        self._stopping = True
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            await asyncio.to_thread(process.join, STOP_SECONDS)
            if process.is_alive():
                log.warning("%s did not stop within %.0f s: killed", process.name, STOP_SECONDS)
                process.kill()
                await asyncio.to_thread(process.join)


async def serve_processes(settings: Settings, *, deliver_only: bool, extra: DeliveryProcesses) -> None:
    """`serve` in this process, beside the extra delivery processes, until a signal or one of them ends."""
    stop = _stop_on_signals()
    await extra.start()
    watching = asyncio.create_task(extra.watch(stop))
    try:
        await serve(settings, stop=stop, deliver_only=deliver_only)
    finally:
        await extra.stop()
        await watching


def deliver(settings: Settings, number: int, setup_logging: Callable[[str], None]) -> None:
    """An extra delivery process: `partnerbot worker`'s loop, without migrating (the first did)."""
    setup_logging(settings.log_format)
    runner = asyncio.Runner(loop_factory=loop_factory(settings.event_loop))
    try:
        with runner:
            runner.run(serve(settings, deliver_only=True, run_migrations=False))
    except KeyboardInterrupt:  # Ctrl-C reached it before its loop took over the signal
        return
    except (StartupError, ValueError, SQLAlchemyError) as exc:  # its one line; the first stops the rest
        log.error("delivery process %d stopped — %s", number, exc)
        sys.exit(1)


def _numbered(settings: Settings, number: int) -> Settings:
    """Process `number`'s settings: its own metrics port (the first's + number - 1), if any."""
    if settings.metrics_port is None:
        return settings
    return settings.model_copy(update={"metrics_port": settings.metrics_port + number - 1})


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
