"""Sampling profiles of a delivering process for the benchmarks (py-spy, a dev dependency).

    uv run python bench/fanout.py --platform slack --profile /tmp/prof   # one profile per round
    uv run python bench/profile.py /tmp/prof/slack-partnerbot-0.txt     # top frames by self time

py-spy attaches to the running worker (no code in the worker changes; root or ptrace rights needed),
samples it while the broadcast is timed, and writes collapsed stacks ("frame;frame;… count").
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

RATE = 250  # samples per second: enough for a 5-10 s run, cheap enough not to skew it


@contextlib.asynccontextmanager
async def sampling(pid: int, out: Path | None) -> AsyncIterator[None]:
    """Sample process `pid` into `out` (collapsed stacks) while the block runs; nothing if `out` is None."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if out is None:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        spy, "record", "--pid", str(pid), "--format", "raw", "--rate", str(RATE), "--nonblocking",
        "--output", str(out), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # attached before the clock starts
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()


def self_time(path: Path) -> tuple[Counter[str], int]:
    """Samples per leaf frame (self time) and the total, from a collapsed-stack file."""
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frame = stack.rsplit(";", 1)[-1]
        leaves[_short(frame)] += int(count)
        total += int(count)
    return leaves, total


def _short(frame: str) -> str:
    """`fn (path/to/site-packages/pkg/mod.py:12)` → `fn (pkg/mod.py)`: one row per function."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "lib/python3.11/", "wt-fanout/", "/work/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})" if where else name


def summary(path: Path, top: int = 25) -> str:
    leaves, total = self_time(path)
    lines = [f"{path.name}: {total} samples; top {top} functions by self time"]
    for frame, count in leaves.most_common(top):
        lines.append(f"{100 * count / max(total, 1):5.1f}%  {frame}")
    packages: Counter[str] = Counter()
    for frame, count in leaves.items():
        where = frame.partition(" (")[2]
        packages[where.split("/", 1)[0] if "/" in where else where.rstrip(")") or "?"] += count
    lines.append("self time by package: " + ", ".join(
        f"{name} {100 * count / max(total, 1):.0f}%" for name, count in packages.most_common(12)
    ))  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summary(Path(name)))
