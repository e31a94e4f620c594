"""Command latency under a burst: N partners run `/partner subscribe` through the real Slack adapter.

    uv run python bench/commands.py [--rate 100 --seconds 20 --partners 2000 --database sqlite|postgres|both]
    uv run python bench/commands.py --database sqlite --profile /tmp/run.prof   # cProfile the server

A `partnerbot run` subprocess (slack-bolt over HTTP on loopback, its worker and scheduler too) serves
the fake Slack (tests/fakes) running in this process. This process sends signed slash commands at a
fixed offered rate (open loop: a command is sent on its schedule whether or not earlier ones were
answered) and measures, per command, the ack latency (until the HTTP response to `/slack/events`) and
the time until the confirmation reached the command's `response_url` on the fake, both from the
moment the command was sent. Partners, their linked channels and the topics are bulk-inserted first
and not timed; each partner subscribes once (commands beyond N start again with the first partner).
PostgreSQL runs on a throwaway cluster as tests/pg.py starts it (skipped with a note without the
binaries), or on `--db postgresql://…`. Commands beyond the server's slots (bot/slots.py: on
PostgreSQL fewer than the pool's connections) wait their turn instead of failing on the pool
timeout; the wait shows in the confirmation times and in the server's last "waiting" report, printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bench.workers import OWN_PREFIXES, READY, Worker
from bot.app import build_app
from bot.config import Settings
from bot.slots import WAITING
from storage.tables import ChannelRow, PartnerRow, TopicRow
from tests.fakes.slack import JSON, FakeSlack, ResponseUrl
from tests.fakes.slack_events import SlackEventSender

TEAM = "T0BENCH"
SECRET = "bench-signing-secret"
TEXT = "subscribe security pricing"
CONFIRMED = "now gets announcements on"  # bot/messages.py SUBSCRIBED
ACK_DEADLINE = 3.0  # Slack gives up on an unanswered command after 3 s
CLIENT_TIMEOUT = 30.0  # measure slow acks too instead of cutting them off at Slack's deadline
DRAIN_TIMEOUT = 60.0  # after the last command, how long to wait for outstanding confirmations


class TimedSlack(FakeSlack):
    """The fake Slack, noting when each response_url first received a post and what it said."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: dict[str, tuple[float, str]] = {}

    def _apply_response(self, ru: ResponseUrl, body: JSON) -> None:
        self.answered.setdefault(ru.url, (time.perf_counter(), str(body.get("text", ""))))
        super()._apply_response(ru, body)


class Server(Worker):
    """The `partnerbot run` process; counts the errors it logged (each failed command logs one)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        super().__init__(process)
        self.errors: Counter[str] = Counter()
        self.waits: list[str] = []  # bot/slots.py's reports: commands waiting for a slot

    async def _read(self, ready: asyncio.Event) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            if READY in line:
                ready.set()
            if WAITING in line:
                self.waits.append(line.split(" INFO ", 1)[-1])
            if " ERROR " in line or line.startswith(("sqlalchemy.", "TimeoutError", "asyncio.")):
                self.errors[line.split(" ERROR ", 1)[-1][:120]] += 1


@dataclass
class Result:
    database: str
    commands: int
    seconds: float
    acks: list[float] = field(default_factory=list)  # seconds, successful (2xx) acks
    confirmations: list[float] = field(default_factory=list)
    failed_acks: int = 0  # not 2xx, or no answer within CLIENT_TIMEOUT
    unconfirmed: int = 0  # no confirmation (or not the expected one) within DRAIN_TIMEOUT
    cpu_seconds: float = 0.0  # the partnerbot process, while commands were coming in and answered
    max_lag: float = 0.0  # how late this process sent a command after its schedule
    span: float = 0.0  # first send → last confirmation
    errors: Counter[str] = field(default_factory=Counter)  # what the server logged as errors
    waits: list[str] = field(default_factory=list)  # the server's "commands waiting for a slot" lines


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _ms(values: list[float]) -> str:
    return "/".join(f"{1000 * percentile(values, q):.0f}" for q in (50, 99, 100))


def print_results(results: list[Result], rate: float) -> None:
    print(f"/partner {TEXT!r} at an offered {rate:g}/s (ms: p50/p99/max)")
    header = ("database", "commands", "ack", "confirmation", "confirmed/s", "CPU ms/cmd", "ack >3 s",
              "failed", "send lag ms")  # fmt: skip
    rows = [header]
    for r in results:
        slow = sum(1 for a in r.acks if a > ACK_DEADLINE)
        rows.append((
            r.database, str(r.commands), _ms(r.acks), _ms(r.confirmations),
            f"{len(r.confirmations) / r.span:.0f}" if r.span else "-",
            f"{1000 * r.cpu_seconds / max(r.commands, 1):.1f}", str(slow),
            str(r.failed_acks + r.unconfirmed), f"{1000 * r.max_lag:.0f}",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    print("targets: ack p99 < 100 ms, confirmation p99 < 1,000 ms")
    for r in results:
        if r.failed_acks or r.unconfirmed:
            print(f"{r.database}: {r.failed_acks} acks failed, {r.unconfirmed} confirmations missing")
        for line, count in r.errors.most_common(3):
            print(f"{r.database}: server logged {count} times: {line}")
        if r.waits:
            print(f"{r.database}: commands waited for a slot (bot/slots.py), last report: {r.waits[-1]}")


async def seed(url: str, n: int) -> None:
    """Migrate, then two topics and N partners, each with its Slack channel linked (so it may subscribe)."""
    app = await build_app(Settings(_env_file=None, database_url=url))
    now = datetime.now(UTC)
    try:
        async with app.engine.begin() as conn:
            await conn.execute(insert(TopicRow), [
                {"slug": slug, "title": slug.title(), "description": "", "archived": False, "created_at": now}
                for slug in ("security", "pricing", "roadmap")
            ])  # fmt: skip
            await conn.execute(insert(PartnerRow), [
                {"name": f"Partner {i}", "tier": "gold", "type": "reseller", "region": "emea",
                 "language": "en", "created_at": now}
                for i in range(1, n + 1)
            ])  # fmt: skip
            await conn.execute(insert(ChannelRow), [
                {"platform": "slack", "workspace_id": TEAM, "channel_id": _channel(i), "name": f"partner-{i}",
                 "partner_id": i, "mode": "immediate", "active": True, "deactivated_reason": "",
                 "created_at": now}
                for i in range(1, n + 1)
            ])  # fmt: skip
    finally:
        await app.close()


def _channel(i: int) -> str:
    return f"C{i:09d}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def running_server(env: dict[str, str], profile: str | None) -> AsyncIterator[Server]:
    """`partnerbot run` in an empty directory with only the given settings; stopped with SIGTERM."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    base["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    main = "from bot.cli import main; import sys; sys.argv = ['partnerbot', 'run']; "
    code = main + (f"import cProfile; cProfile.run('main()', {profile!r})" if profile else "main()")
    with tempfile.TemporaryDirectory() as cwd:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, cwd=cwd, env=base | env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        server = Server(process)
        try:
            await server.start()
            yield server
        finally:
            await server.stop()


async def run(url: str, database: str, *, rate: float, seconds: float, partners: int,
              profile: str | None) -> Result:  # fmt: skip
    await seed(url, partners)
    total = round(rate * seconds)
    result = Result(database, total, seconds)
    async with TimedSlack() as fake:
        workspace = fake.add_workspace(TEAM, name="Bench")
        users = [fake.add_user(TEAM, f"partner-{i}") for i in range(1, partners + 1)]
        for i, user in enumerate(users, start=1):
            fake.add_channel(TEAM, f"partner-{i}", channel_id=_channel(i), members={user.id})
        port = _free_port()
        env = {
            "PARTNERBOT_DATABASE_URL": url,
            "SLACK_BOT_TOKEN": workspace.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "PARTNERBOT_SLACK_API_URL": fake.base_url,
            "PARTNERBOT_HTTP_HOST": "127.0.0.1",
            "PARTNERBOT_HTTP_PORT": str(port),
            "PARTNERBOT_LOG_LEVEL": "INFO",
        }
        async with running_server(env, profile) as server:
            events = SlackEventSender(
                fake, f"http://127.0.0.1:{port}/slack/events", SECRET, ack_timeout=CLIENT_TIMEOUT
            )
            try:
                await _load(events, fake, server, [u.id for u in users], result, rate)
                result.errors = server.errors
                result.waits = server.waits
            finally:
                await events.close()
    return result


async def _load(
    events: SlackEventSender, fake: TimedSlack, server: Server, users: list[str], result: Result, rate: float
) -> None:
    sent: list[tuple[float, str]] = []  # (sent at, response_url) per command that was acknowledged

    async def one(i: int) -> None:
        channel = _channel(i % len(users) + 1)
        started = time.perf_counter()
        answer = await events.slash_command(
            "/partner", TEXT, channel_id=channel, user_id=users[i % len(users)]
        )
        if 200 <= answer.status < 300:
            result.acks.append(answer.elapsed)
            sent.append((started, str(answer.payload["response_url"])))
        else:
            result.failed_acks += 1

    cpu_before = server.cpu_seconds()
    tasks = []
    start = time.perf_counter() + 0.2
    for i in range(result.commands):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        result.max_lag = max(result.max_lag, time.perf_counter() - due)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    deadline = time.perf_counter() + DRAIN_TIMEOUT
    while time.perf_counter() < deadline and any(url not in fake.answered for _, url in sent):
        await asyncio.sleep(0.05)
    result.cpu_seconds = server.cpu_seconds() - cpu_before
    last = start
    for started, url in sent:
        answered = fake.answered.get(url)
        if answered is None or CONFIRMED not in answered[1]:
            result.unconfirmed += 1
            continue
        result.confirmations.append(answered[0] - started)
        last = max(last, answered[0])
    result.span = last - start


async def main(args: argparse.Namespace) -> None:
    from tests.pg import find_bindir, start_cluster

    results = []
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    for database in databases:
        kwargs = {
            "rate": args.rate,
            "seconds": args.seconds,
            "partners": args.partners,
            "profile": args.profile,
        }
        if database == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results.append(await run(f"sqlite:///{tmp}/bench.db", database, **kwargs))  # type: ignore[arg-type]
            continue
        if args.db:
            results.append(await run(args.db, database, **kwargs))  # type: ignore[arg-type]
            continue
        if find_bindir() is None:
            print("postgres: skipped — no PostgreSQL binaries (initdb, pg_ctl) found; install PostgreSQL 15 "
                  "or set PARTNERBOT_PG_BINDIR, or pass --db postgresql://…")  # fmt: skip
            continue
        cluster = await asyncio.to_thread(start_cluster)
        try:
            await asyncio.to_thread(cluster.psql, "CREATE DATABASE bench")
            results.append(await run(cluster.url("bench"), database, **kwargs))  # type: ignore[arg-type]
        finally:
            await asyncio.to_thread(cluster.stop)
    print_results(results, args.rate)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="commands offered per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long commands are offered")
    parser.add_argument("--partners", type=int, default=2_000, help="N partners (each with its channel)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--db", help="postgres: this database URL instead of a throwaway cluster")
    parser.add_argument("--profile", help="write the server's cProfile stats here (one database only)")
    asyncio.run(main(parser.parse_args()))
