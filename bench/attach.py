"""`bench/fanout.py --attach`: an announcement carrying a 1 MB file, fanned out to N channels through
partnerbot's full path (the outbox, one `partnerbot worker` uploading from the file store), against
the plain-client baseline doing the same uploads (bench/baseline.py with `attach`).

Slack: per channel `files.getUploadURLExternal`, the bytes, `files.completeUploadExternal`; Discord:
one multipart message per channel. The fakes keep each upload's bytes until the run is checked, then
drop them (1 MB for each of N channels per run would otherwise pile up over the rounds).
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.delivery import (
    Options,
    Run,
    _core,
    _database,
    _db_name,
    print_runs,
    run_baseline,
    timed_broadcast,
    worker_env,
)
from bench.fakes import Fakes, layout, running_fakes
from bench.seed import draft
from bench.workers import running_workers
from bot.domain import NewFile

SIZE = 1024 * 1024
NAME = "price-list.pdf"
DEFAULT_CHANNELS = 200


async def compare_attach(opts: Options, *, rounds: int) -> None:
    targets = layout(opts.platform, opts.channels)
    data = b"%PDF-1.7\n" + os.urandom(SIZE - 9)  # incompressible, like a real PDF's streams
    runs: list[Run] = []
    with _database(opts) as url, tempfile.TemporaryDirectory() as tmp:
        files_dir, source = Path(tmp) / "files", Path(tmp) / NAME
        source.write_bytes(data)
        async with (
            running_fakes(targets) as fakes,
            _core(url, targets, files_dir=str(files_dir)) as (app, watcher),
        ):
            spec = {"attach": {"name": NAME, "media_type": "application/pdf", "path": str(source)}}
            env = worker_env(opts, url, fakes, PARTNERBOT_FILES_DIR=str(files_dir))
            for n in range(rounds):
                runs.append(await run_baseline_attach(fakes, opts.concurrency, n, spec))
                _check_and_drop(fakes, data)
                async with running_workers(1, env) as started:
                    runs.append(
                        await timed_broadcast(
                            app, watcher, fakes, started, "partnerbot (1 worker)",
                            make_draft=lambda label: draft(app, label, files=(NewFile(NAME, data),)),
                        )
                    )  # fmt: skip
                _check_and_drop(fakes, data)
    print_runs(opts, _db_name(url), runs)
    pairs = list(zip(runs[::2], runs[1::2], strict=True))
    rate = statistics.median(ours.rate / base.rate for base, ours in pairs)
    cpu = statistics.median(base.cpu_ms / ours.cpu_ms for base, ours in pairs)
    mb = len(targets) * SIZE / 1024 / 1024
    print(f"each delivery uploads {SIZE // 1024} KB ({mb:,.0f} MB per run); ratio partnerbot / baseline "
          f"(median of {rounds}): {rate:.2f} in deliveries/s; {cpu:.2f} in CPU per delivery")  # fmt: skip


async def run_baseline_attach(fakes: Fakes, concurrency: int, run: int, extra: dict[str, Any]) -> Run:
    return await run_baseline(fakes, concurrency, run, extra=extra)


def _check_and_drop(fakes: Fakes, data: bytes) -> None:
    """Every upload arrived whole; then the fakes forget the bytes."""
    if fakes.slack is not None:
        uploads = [f for f in fakes.slack.files.files.values() if f.data is not None]
        assert all(f.data == data for f in uploads), "a Slack upload arrived altered"
        fakes.slack.files.files.clear()
    if fakes.discord is not None:
        assert all(v == data for v in fakes.discord.attachment_bytes.values()), (
            "a Discord upload arrived altered"
        )
        fakes.discord.attachment_bytes.clear()
