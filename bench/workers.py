"""`partnerbot worker` processes for the benchmarks: started with an environment pointing at the fakes,
awaited until they serve, measured (peak RSS from /proc), and stopped with SIGTERM.

Each runs in an empty directory with only the PARTNERBOT_/SLACK_/DISCORD_ variables given here, so
neither a `.env` file nor the caller's environment can change what is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

READY = "is running"  # bot/app.py serve(): "partnerbot worker <id> is running"
START_TIMEOUT = 180.0  # a busy shared machine can take a minute to import everything
STOP_TIMEOUT = 15.0
OWN_PREFIXES = ("PARTNERBOT_", "SLACK_", "DISCORD_")


@dataclass
class Worker:
    process: asyncio.subprocess.Process
    processes: int = 1  # PARTNERBOT_WORKER_PROCESSES: ready once each has said so
    log: deque[str] = field(default_factory=lambda: deque(maxlen=40))
    _reader: asyncio.Task[None] | None = None

    def cpu_seconds(self) -> float:
        """User + system CPU this process (all its threads) and its child processes (the delivery
        processes PARTNERBOT_WORKER_PROCESSES starts) have used so far (Linux)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return sum(_cpu_of(p) for p in [str(pid), *children])

    def peak_rss_mb(self) -> float:
        """VmHWM: the most resident memory this process has used (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    async def _read(self, ready: asyncio.Event) -> None:
        assert self.process.stderr is not None
        running = 0
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            running += READY in line
            if running == self.processes:
                ready.set()

    async def start(self) -> None:
        ready = asyncio.Event()
        self._reader = asyncio.create_task(self._read(ready))
        exited = asyncio.create_task(self.process.wait())
        waiting = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait({exited, waiting}, timeout=START_TIMEOUT, return_when="FIRST_COMPLETED")
        waiting.cancel()
        if waiting not in done:
            exited.cancel()
            raise RuntimeError("partnerbot worker did not start:\n" + "\n".join(self.log))
        exited.cancel()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await self._reader


def _cpu_of(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a child that has just exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_command() -> list[str]:
    script = Path(sys.executable).with_name("partnerbot")
    if script.exists():
        return [str(script), "worker"]
    return [sys.executable, "-c", "from bot.cli import main; main()", "worker"]


@contextlib.asynccontextmanager
async def running_workers(count: int, env: Mapping[str, str]) -> AsyncIterator[list[Worker]]:
    """`count` workers sharing `env`, each serving before this yields; all stopped on exit."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    base["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    workers: list[Worker] = []
    with tempfile.TemporaryDirectory() as cwd:
        try:
            for _ in range(count):
                process = await asyncio.create_subprocess_exec(
                    *worker_command(),
                    cwd=cwd,
                    env=base | dict(env),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )
                workers.append(Worker(process, int(env.get("PARTNERBOT_WORKER_PROCESSES", "1"))))
            await asyncio.gather(*(w.start() for w in workers))
            yield workers
        finally:
            await asyncio.gather(*(w.stop() for w in workers))
