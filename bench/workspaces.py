"""`bench/fanout.py --workspaces W`: one broadcast to channels spread over W Slack workspaces that
installed partnerbot through OAuth, each with its own workspace bucket.

The fake Slack gets W workspaces (a bot token each) with its limits on: chat.postMessage 1/s per
channel (bursts of 3) and, per workspace (that is, per token), 4/s in bursts of 20, partnerbot's
default PARTNERBOT_SLACK_WORKSPACE_RATE. partnerbot's database gets one installation row per
workspace through slack_sdk's installation store (encrypted, as an OAuth install leaves it), and
one `partnerbot worker` in OAuth mode (SLACK_CLIENT_ID/SECRET, no bot token) with its limiter at
the same rates. Against it, the plain slack_sdk loop (bench/baseline.py): a client per token on
one shared aiohttp session, concurrency 64, slack_sdk's retry handler sleeping on a 429.

Printed: each run's time, the floor `max(channels per workspace) / rate` the issue names (and the
one the bursts allow), and partnerbot's time over the plain loop's (issue 20: within 1.2x).
"""

from __future__ import annotations

import statistics
from collections import Counter

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation

from bench.delivery import Options, Run, _core, _database, _db_name, print_runs, run_baseline, timed_broadcast
from bench.delivery import worker_env as base_env
from bench.fakes import SLACK_BURST, Fakes, Limits, running_fakes
from bench.profile import sampling
from bench.seed import Target
from bench.workers import running_workers
from bot.app import App
from bot.domain import Platform
from storage.slack_oauth import TokenCipher, slack_installation_store

WORKSPACE_RATE = 4.0  # partnerbot's default PARTNERBOT_SLACK_WORKSPACE_RATE, and the fake's limit
CLIENT_ID, CLIENT_SECRET, APP_ID = "1000.bench", "bench-client-secret", "A0BENCH"
DEFAULT_PER_WORKSPACE = 10


def spread(channels: int, workspaces: int) -> list[Target]:
    """`channels` channels over `workspaces` workspaces in turn (channel i in workspace i mod W)."""
    return [Target(Platform.SLACK, f"T{i % workspaces:08d}", f"C{i:09d}") for i in range(channels)]


def floors(targets: list[Target]) -> tuple[float, float]:
    """The issue's floor, max(channels per workspace) / rate, and the one the bursts allow."""
    most = max(Counter(t.workspace for t in targets).values())
    return most / WORKSPACE_RATE, max(0.0, most - SLACK_BURST) / WORKSPACE_RATE


async def install(app: App, fakes: Fakes, key: str) -> None:
    """One installation row per workspace, as the OAuth flow's `async_save` stores it."""
    store = slack_installation_store(app.engine, client_id=CLIENT_ID, cipher=TokenCipher(key))
    for n, (team, token) in enumerate(fakes.slack_tokens.items()):
        await store.async_save(
            Installation(
                app_id=APP_ID, team_id=team, team_name=f"Bench {team}", user_id=f"U{n:08d}",
                bot_token=token, bot_id=f"B{n:08d}", bot_user_id=f"UB{n:07d}", bot_scopes="chat:write",
            )
        )  # fmt: skip


def oauth_env(opts: Options, url: str, fakes: Fakes, key: str) -> dict[str, str]:
    """`partnerbot worker` in OAuth mode, limits on at the default workspace rate."""
    assert fakes.slack is not None
    env = base_env(opts, url, fakes) | {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "PARTNERBOT_SECRET_KEY": key,
        "PARTNERBOT_RATE_LIMITS": "process",
        "PARTNERBOT_SLACK_WORKSPACE_RATE": str(WORKSPACE_RATE),
    }
    env.pop("SLACK_BOT_TOKEN")
    return env


async def workspaces(opts: Options, *, count: int, rounds: int) -> None:
    targets = spread(opts.channels, count)
    key = Fernet.generate_key().decode()
    runs: list[Run] = []
    with _database(opts) as url:
        limits = Limits(WORKSPACE_RATE)
        async with running_fakes(targets, limits) as fakes, _core(url, targets) as (app, watcher):
            await install(app, fakes, key)
            for n in range(rounds):
                runs.append(await run_baseline(fakes, opts.concurrency, n, "plain loop, per token"))
                async with running_workers(1, oauth_env(opts, url, fakes, key)) as started:
                    out = opts.profile / f"workspaces-partnerbot-{n}.txt" if opts.profile else None
                    async with sampling(started[0].process.pid, out):
                        runs.append(await timed_broadcast(app, watcher, fakes, started, "partnerbot (OAuth)"))
            refused = _refused(fakes)
    print_runs(opts, _db_name(url), runs)
    floor, burst_floor = floors(targets)
    plain, ours = runs[0::2], runs[1::2]
    ratios = [o.seconds / p.seconds for p, o in zip(plain, ours, strict=True)]
    best = min(o.seconds for o in ours) / min(p.seconds for p in plain)
    print(f"{count:,} workspaces x {opts.channels // count:,} channels, {WORKSPACE_RATE:g}/s per workspace "
          f"(bursts of {SLACK_BURST}), 1/s per channel; 429s answered by the fake: {refused}")  # fmt: skip
    fastest = min(o.seconds for o in ours)
    print(f"floor max(channels per workspace) / {WORKSPACE_RATE:g}/s = {floor:.2f} s ({burst_floor:.2f} s "
          f"with the bursts); partnerbot best {fastest:.2f} s = {fastest / floor:.2f}x that")  # fmt: skip
    print(f"partnerbot time / plain loop time: median of {rounds} {statistics.median(ratios):.2f}, best of "
          f"each {best:.2f}  (issue 20 target <= 1.2)")  # fmt: skip


def _refused(fakes: Fakes) -> int:
    assert fakes.slack is not None
    posts = sum(1 for call in fakes.slack.requests if call.method == "chat.postMessage")
    return posts - sum(len(c.messages) for c in fakes.slack.channels.values())
