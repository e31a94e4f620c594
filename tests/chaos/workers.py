"""Real `partnerbot worker` processes for the chaos tests: start them, SIGKILL them, stop them.

Each worker is the installed console script (what `uv run partnerbot worker` runs), in its own
directory so no `.env` is read, with only the environment the test hands it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# What `partnerbot worker` logs (at INFO) once its delivery loop runs.
READY = "is running"


def worker_command() -> list[str]:
    """`partnerbot worker`: the console script next to this interpreter, else its entry point."""
    script = Path(sys.executable).with_name("partnerbot")
    if script.exists():
        return [str(script), "worker"]
    return [sys.executable, "-c", "from bot.cli import main; main()", "worker"]


def worker_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any partnerbot or platform setting, plus `settings`."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))
    }
    return inherited | dict(settings)


@dataclass
class Worker:
    number: int
    process: asyncio.subprocess.Process
    log: Path

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    @property
    def ready(self) -> bool:
        """Started up: connected, signal handlers installed, the delivery loop going."""
        return self.running and READY in self.log.read_text(errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class WorkerPool:
    """The worker processes of one test; every one still running is SIGKILLed on `close`."""

    def __init__(self, env: Mapping[str, str], directory: Path) -> None:
        self._env = worker_env(env)
        self._dir = directory
        self._dir.mkdir(parents=True, exist_ok=True)
        self.started: list[Worker] = []
        self.killed: list[Worker] = []
        self.stopped: list[Worker] = []

    @property
    def ready(self) -> list[Worker]:
        return [w for w in self.live if w.ready]

    @property
    def live(self) -> list[Worker]:
        return [w for w in self.started if w not in self.killed and w not in self.stopped and w.running]

    async def spawn(self) -> Worker:
        number = len(self.started) + 1
        log = self._dir / f"worker-{number}.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *worker_command(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                cwd=self._dir,
                env=self._env,
            )
        worker = Worker(number, process, log)
        self.started.append(worker)
        return worker

    async def kill(self, worker: Worker) -> None:
        """SIGKILL: no shutdown code runs, leases and in-flight requests are simply abandoned."""
        self.killed.append(worker)
        if worker.running:
            worker.process.send_signal(signal.SIGKILL)
        await worker.process.wait()

    async def terminate(self, timeout: float) -> dict[int, int]:
        """SIGTERM every live worker, as an operator or a supervisor would; their exit codes."""
        live = self.live
        for worker in live:
            self.stopped.append(worker)
            worker.process.send_signal(signal.SIGTERM)
        codes = await asyncio.wait_for(asyncio.gather(*(w.process.wait() for w in live)), timeout)
        return {w.number: code for w, code in zip(live, codes, strict=True)}

    def crashed(self) -> list[Worker]:
        """Workers that exited although nobody stopped them."""
        return [w for w in self.started if w not in self.killed + self.stopped and not w.running]

    async def close(self) -> None:
        for worker in self.started:
            if worker.running:
                await self.kill(worker)
