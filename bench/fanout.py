"""Fan-out benchmarks: broadcast to N partner channels through partnerbot's full path, print numbers.

    uv run python bench/fanout.py [--channels 10000]                        # local adapter, in-process
    uv run python bench/fanout.py --platform slack|discord|mixed [--channels 10000]
    uv run python bench/fanout.py --platform slack --mode limits [--channels 2000 --slack-rate 100]
    uv run python bench/fanout.py --platform slack --mode workers           # PostgreSQL, 1/2/4 workers
    uv run python bench/fanout.py --platform slack --mode rss               # 100,000 targets
    uv run python bench/fanout.py --platform mixed --mode all
    uv run python bench/fanout.py --platform slack --baseline-shared-session  # vs concurrency 16 and 64
    uv run python bench/fanout.py --platform discord --baseline-raw        # and vs aiohttp alone
    uv run python bench/fanout.py --platform slack --profile /tmp/prof        # py-spy each round
    uv run python bench/fanout.py --platform mixed --attach [--channels 200]  # a 1 MB file each
    uv run python bench/fanout.py --platform slack --workspaces 1000 [--channels 10000]  # OAuth installs

`--platform local`: targeting time, the same for a broadcast scheduled `at:"… local"`, deliveries/s
through the worker with the local sender, and this process's peak RSS.

Slack/Discord/mixed run against the fakes (tests/fakes) in this process; delivering processes are
subprocesses (`partnerbot worker`, and bench/baseline.py, a plain script with the same client
library and concurrency that persists nothing). Modes (see bench/delivery.py): `compare` (default;
limits off, baseline vs partnerbot, ratio), `limits` (limits on, time vs the floor they allow),
`workers` (PostgreSQL, 1/2/4 worker processes), `rss` (a worker's peak RSS), `all`. Setup (channels,
partners, subscriptions) is bulk-inserted and not timed. `--attach` (compare only, bench/attach.py):
the announcement carries a 1 MB file, uploaded to every channel by both sides. `--workspaces W`
(bench/workspaces.py): the channels spread over W Slack workspaces installed through OAuth, limits
on per workspace, against a plain slack_sdk loop with a client per token.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.local import run_local

# Default N per mode: 10,000 for throughput, a ~20 s floor with limits on, 100,000 for memory.
DEFAULT_CHANNELS = {"compare": 10_000, "workers": 10_000, "rss": 100_000}
LIMITS_CHANNELS = {"slack": 2_000, "discord": 1_000, "mixed": 2_000}


async def main(args: argparse.Namespace) -> None:
    if args.baseline_raw and (args.platform == "local" or args.attach or args.workspaces):
        raise SystemExit("--baseline-raw is for --platform slack, discord or mixed, without --attach or "
                         "--workspaces")  # fmt: skip
    if args.platform == "local":
        await run_local(args.channels or 10_000, args.db, batch=args.batch, concurrency=args.concurrency)
        return
    from bench import delivery  # the fakes and both client libraries: not loaded for `local`

    if args.attach:
        from bench.attach import DEFAULT_CHANNELS as ATTACH_CHANNELS
        from bench.attach import compare_attach

        opts = delivery.Options(
            args.platform, args.channels or ATTACH_CHANNELS, args.batch, args.concurrency, args.db
        )
        print("== compare, 1 MB attachment")
        await compare_attach(opts, rounds=args.rounds)
        return
    if args.workspaces:
        from bench.workspaces import DEFAULT_PER_WORKSPACE, workspaces

        if args.platform != "slack":
            raise SystemExit("--workspaces is for --platform slack (workspaces are Slack's)")
        channels = args.channels or DEFAULT_PER_WORKSPACE * args.workspaces
        opts = delivery.Options(
            args.platform, channels, args.batch, args.concurrency, args.db, profile=args.profile
        )
        print(f"== {args.workspaces:,} workspaces")
        await workspaces(opts, count=args.workspaces, rounds=args.rounds)
        return
    modes = ["compare", "limits", "workers", "rss"] if args.mode == "all" else [args.mode]
    for mode in modes:
        channels = args.channels or (
            LIMITS_CHANNELS[args.platform] if mode == "limits" else DEFAULT_CHANNELS[mode]
        )
        opts = delivery.Options(
            args.platform, channels, args.batch, args.concurrency, args.db, profile=args.profile
        )
        print(f"== {mode}")
        if mode == "compare":
            await delivery.compare(
                opts, rounds=args.rounds, shared_session=args.baseline_shared_session, raw=args.baseline_raw
            )
        elif mode == "limits":
            await delivery.limits(opts, slack_rate=args.slack_rate)
        elif mode == "workers":
            await delivery.workers(opts)
        else:
            await delivery.rss(opts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--platform", choices=["local", "slack", "discord", "mixed"], default="local")
    parser.add_argument("--mode", choices=["compare", "limits", "workers", "rss", "all"], default="compare")
    parser.add_argument("--channels", type=int, help="N (default 10,000; limits: ~20 s floor; rss: 100,000)")
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file; workers: a throwaway "
                        "PostgreSQL cluster)")  # fmt: skip
    # 1,000: a Slack fan-out of 20,000 channels ran at 2,648-3,084/s in batches of 500, 3,242-3,249/s in
    # 1,000, 2,981-3,201/s in 2,000 (two rounds each, limits off): the fixed cost of a claim, of a
    # batch's preparation and of its group commits is paid half as often.
    parser.add_argument("--batch", type=int, default=1000, help="PARTNERBOT_WORKER_BATCH (default 1000)")
    parser.add_argument("--concurrency", type=int, default=64, help="sends in flight, both sides")
    parser.add_argument("--rounds", type=int, default=3, help="compare: baseline/partnerbot pairs")
    parser.add_argument("--baseline-shared-session", action="store_true", help="compare: baselines with one "
                        "shared aiohttp session at concurrency 16 and 64, a ratio for each")  # fmt: skip
    parser.add_argument("--baseline-raw", action="store_true", help="compare: one more baseline, the same "
                        "posts with aiohttp alone (no client library): what the library costs")  # fmt: skip
    parser.add_argument("--profile", type=Path, help="compare, --workspaces: py-spy each partnerbot round "
                        "into this folder")  # fmt: skip
    parser.add_argument("--attach", action="store_true", help="compare with a 1 MB attachment per message")
    parser.add_argument("--workspaces", type=int, help="spread the channels over this many Slack workspaces "
                        "installed through OAuth, limits on (default 10 channels each)")  # fmt: skip
    parser.add_argument("--slack-rate", type=float, default=100.0, help="limits: Slack workspace cap /s")
    asyncio.run(main(parser.parse_args()))
