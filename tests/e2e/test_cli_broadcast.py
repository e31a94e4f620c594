"""`partnerbot broadcast` as a script runs it: a real process on a SQLite file with partners imported,
delivering to the fake Slack with `--wait`; and every way its input can be wrong.

The flows run the CLI in a subprocess. The bad-input cases call the same entry point (`bot.cli.main`)
in this process instead: each refusal happens before any delivery, and a process start costs seconds
here; one of them also runs as a process, to show the exit code and the output a shell sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import messages as m
from bot.app import build_app
from bot.cli import main
from bot.config import Settings
from bot.domain import ChannelRef, Platform
from bot.services.roster import RosterPorts, RosterService
from tests.fakes.slack import Channel, FakeSlack

VENDOR = "T0VENDOR01"
HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id\n"
GONE = "C0GONE0001"  # a channel the fake Slack does not know: chat.postMessage says channel_not_found
ADMIN = "slack:C0ADMIN001"
PROCESS_TIMEOUT = 60


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        """stderr with Rich's line wrapping undone."""
        return " ".join(self.stderr.split())


@dataclass
class World:
    tmp: Path
    url: str
    fake: FakeSlack
    admin: Channel
    seats: dict[str, Channel]

    def env(self, *, slack: bool = True) -> dict[str, str]:
        env = {"PARTNERBOT_ADMIN_CHANNELS": f"slack:{self.admin.id}"}
        if slack:
            # Delivery only: no signing secret, as for `partnerbot worker`.
            token = self.fake.workspaces[VENDOR].bot_token
            env |= {"SLACK_BOT_TOKEN": token, "PARTNERBOT_SLACK_API_URL": self.fake.base_url}
        return env

    def posts(self, name: str) -> list[str]:
        """What partnerbot posted in a partner's channel: each message's text and blocks."""
        return [
            f"{m.text}\n{json.dumps(m.blocks, ensure_ascii=False)}"
            for m in self.fake.messages(self.seats[name].id)
            if m.bot_id is not None
        ]


async def seed(url: str, channels: dict[str, str], *, follows: str = "pricing") -> None:
    """Topics `pricing` and `events`, one gold partner per channel (imported as a roster), each
    channel following `follows`."""
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)
    try:
        for slug in ("pricing", "events"):
            await app.stores.topics.add(slug=slug, title=slug.title(), description="", now=app.clock.now())
        roster = HEADER + "".join(
            f"{name},gold,reseller,emea,en,Europe/Berlin,slack,{channel},{VENDOR}\n"
            for name, channel in channels.items()
        )
        report = await RosterService(
            RosterPorts(directory=app.stores.directory, topics=app.stores.topics), app.clock
        ).import_csv(roster)
        assert report.ok, report.errors
        [topic] = await app.stores.topics.by_slugs([follows])
        for channel in channels.values():
            found = await app.stores.directory.channel(ChannelRef(Platform.SLACK, VENDOR, channel))
            assert found is not None
            await app.stores.subscriptions.add(found.id, [topic.id], now=app.clock.now())
    finally:
        await app.close()


def cli_env(url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))}
    return env | {"PARTNERBOT_DATABASE_URL": url} | extra


async def cli(world: World, *args: str, env: dict[str, str], stdin: str | None = None) -> Result:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "broadcast",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=world.tmp,
        env=cli_env(world.url, env),
    )
    # The fake Slack answers from this event loop while the process runs.
    stdout, stderr = await asyncio.wait_for(
        process.communicate(stdin.encode() if stdin is not None else None), PROCESS_TIMEOUT
    )
    assert process.returncode is not None
    return Result(process.returncode, stdout.decode(), stderr.decode())


def table(url: str, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        return db.execute(query).fetchall()


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[World]:
    async with FakeSlack() as fake:
        fake.add_workspace(VENDOR, name="Vendor")
        admin = fake.add_channel(VENDOR, "partner-team")
        seats = {name: fake.add_channel(VENDOR, f"partner-{name}") for name in ("acme", "birch")}
        yield World(tmp_path, sqlite_url, fake, admin, seats)


# --- the flows, in a subprocess -----------------------------------------------------------------


async def test_wait_delivers_to_every_channel_and_exits_0(world: World) -> None:
    await seed(world.url, {name: channel.id for name, channel in world.seats.items()})
    body = "New price lists are out.\nDetails in the portal."
    args = ("--topic", "pricing", "--title", "Q3 prices", "--body-file", "-", "--wait", "--timeout", "30")
    result = await cli(world, *args, env=world.env(), stdin=body)

    assert result.returncode == 0, result.stderr
    assert "Sending announcement #1 “Q3 prices” to 2 channels" in result.stdout
    assert "Announcement #1: sent 2 · pending 0 · failed 0 of 2 deliveries." in result.stdout
    assert "Traceback" not in result.stderr and "only waits" not in result.stderr
    for name in world.seats:
        [text] = world.posts(name)
        assert "Q3 prices" in text and "New price lists are out." in text
    assert table(world.url, "SELECT status FROM announcement") == [("sent",)]
    # Sent by the CLI user on behalf of the admin channel it names (questions are relayed there).
    assert table(world.url, "SELECT origin_channel, author_user LIKE 'cli:%' FROM announcement") == [
        (world.admin.id, 1)
    ]


async def test_a_permanent_failure_is_reported_by_reason_with_exit_1(world: World) -> None:
    channels = {name: channel.id for name, channel in world.seats.items()} | {"gone": GONE}
    await seed(world.url, channels)
    args = ("--topic", "pricing", "--title", "Q3 prices", "--body", "Out now.", "--wait")
    result = await cli(world, *args, env=world.env())

    assert result.returncode == 1, result.stderr
    assert "sent 2 · pending 0 · failed 1 of 3 deliveries" in result.stdout
    assert "Failed for good, by reason:" in result.stdout
    assert "1  channel_not_found" in result.stdout
    assert "1 of 3 deliveries failed for good" in result.said and "Traceback" not in result.stderr
    assert [len(world.posts(name)) for name in world.seats] == [1, 1]


async def test_dry_run_shows_the_preview_and_reach_and_sends_nothing(world: World) -> None:
    await seed(world.url, {name: channel.id for name, channel in world.seats.items()})
    args = ("--topic", "pricing", "--tier", "gold", "--title", "Q3 prices", "--body", "Out now.", "--dry-run")
    result = await cli(world, *args, env=world.env())

    assert result.returncode == 0, result.stderr
    assert "Preview of announcement #1" in result.stdout and "Out now." in result.stdout
    assert "Reach:** 2 channels of 2 partners" in result.stdout
    assert "Dry run: nothing was sent and nothing was kept." in result.stdout
    assert world.fake.calls["chat.postMessage"] == 0
    # No cancelled draft left behind for `stats` to list: the preview's draft is gone entirely.
    assert table(world.url, "SELECT count(*) FROM announcement") == [(0,)]
    assert table(world.url, "SELECT count(*) FROM announcement_topic") == [(0,)]
    assert table(world.url, "SELECT count(*) FROM delivery") == [(0,)]


async def test_without_credentials_it_only_waits_and_a_timeout_exits_3(world: World) -> None:
    await seed(world.url, {name: channel.id for name, channel in world.seats.items()})
    args = ("--topic", "pricing", "--title", "Q3", "--body", "Out now.", "--wait", "--timeout", "0.5")
    result = await cli(world, *args, env=world.env(slack=False))

    assert result.returncode == 3, result.stderr
    # One line on stderr saying who will deliver instead (before: nothing unless --wait).
    assert f"partnerbot: warning: {m.CLI_NO_CREDENTIALS}\n" in result.stderr
    assert "only waits" not in result.said
    assert "stopped waiting after 0.5 s with 2 deliveries pending" in result.said
    assert world.fake.calls["chat.postMessage"] == 0
    assert table(world.url, "SELECT status, count(*) FROM delivery GROUP BY status") == [("pending", 2)]


async def test_bad_input_in_a_process_is_one_message_with_exit_2(world: World) -> None:
    await seed(world.url, {"acme": world.seats["acme"].id})
    result = await cli(world, "--topic", "pricng", "--title", "T", "--body", "B", env=world.env())
    assert result.returncode == 2
    assert result.said == (
        'partnerbot: unknown topic "pricng" — did you mean "pricing"? Type `topics` to see them all.'
    )
    assert result.stdout == ""
    assert table(world.url, "SELECT count(*) FROM announcement") == [(0,)]


# --- bad input: one friendly message, exit 2 (1 when nobody would get it), nothing created --------


BODY = ("--title", "Q3 prices", "--body", "Out now.")
GOOD = ("--topic", "pricing", *BODY)  # what most cases below spoil
TOPIC_TITLE = ("--topic", "pricing", "--title", "T")
BAD_INPUT: Sequence[tuple[str, list[str], int, str]] = [
    ("no topic", [*BODY], 2, "say which topics it is about with --topic <slug>"),
    ("bad slug", ["--topic", "Price List", *BODY], 2, "'Price List' is not a topic slug"),
    ("unknown topic", ["--topic", "pricng", *BODY], 2, 'unknown topic "pricng" — did you mean "pricing"?'),
    (
        "bad tier",
        [*GOOD, "--tier", "gld"],
        2,
        'unknown tier "gld" — did you mean "gold"? Accepted tiers: registered, silver, gold, platinum.',
    ),
    ("bad region", [*GOOD, "--region", "EMAE"], 2, 'unknown region "emae" — did you mean "emea"?'),
    ("no title", ["--topic", "pricing", "--body", "B"], 2, "give the announcement a headline with --title"),
    ("empty body", [*TOPIC_TITLE, "--body", "  \n "], 2, "the announcement has no text"),
    ("both bodies", [*GOOD, "--body-file", "b.txt"], 2, "--body or --body-file, not both"),
    (
        "unreadable file",
        [*TOPIC_TITLE, "--body-file", "missing.txt"],
        2,
        "cannot read missing.txt: there is no such file",
    ),
    ("bad --at", [*GOOD, "--at", "31/12/2026 09:00"], 2, '--at: The date in "31/12/2026 09:00" is ambiguous'),
    ("unknown zone", [*GOOD, "--at", "2030-01-01 09:00 Europe/Berln"], 2, 'did you mean "Europe/Berlin"?'),
    ("past --at", [*GOOD, "--at", "2020-01-01 09:00"], 2, "2020-01-01 09:00 UTC has already passed"),
    (
        "--wait with --at",
        [*GOOD, "--at", "2030-01-01 09:00", "--wait"],
        2,
        "--wait cannot follow a scheduled",
    ),
    ("--dry-run with --wait", [*GOOD, "--dry-run", "--wait"], 2, "nothing to --wait for"),
    ("--ack without --urgent", [*GOOD, "--ack"], 2, "add --urgent"),
    ("--timeout alone", [*GOOD, "--timeout", "5"], 2, "--timeout only applies with --wait"),
    ("--timeout of 0", [*GOOD, "--wait", "--timeout", "0"], 2, "--timeout must be a positive number"),
    (
        "not an admin channel",
        [*GOOD, "--admin-channel", "slack:C0NOTADMIN"],
        2,
        f"slack:C0NOTADMIN is not an admin channel (PARTNERBOT_ADMIN_CHANNELS: {ADMIN})",
    ),
    (
        "reaches nobody",
        ["--topic", "events", *BODY],
        1,
        "it would reach no channel: no active channel following events is within “all partners”",
    ),
]


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with one gold partner following `pricing`; the environment a shell would give."""
    asyncio.run(seed(sqlite_url, {"acme": "C0ACME0001"}))
    monkeypatch.chdir(tmp_path)
    for key in os.environ:
        if key.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PARTNERBOT_ADMIN_CHANNELS", ADMIN)
    return sqlite_url


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "broadcast", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return Result(int(exited.value.code or 0), captured.out, captured.err)


@pytest.mark.parametrize(
    ("args", "code", "message"), [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT]
)
def test_bad_input_is_refused_before_anything_is_created(
    seeded: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    result = run_main(monkeypatch, capsys, args)
    assert result.returncode == code
    assert result.said.startswith("partnerbot: ") and message in result.said, result.said
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


def test_a_scheduled_broadcast_is_queued_for_then(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    when = f"{datetime.now(UTC) + timedelta(days=2):%Y-%m-%d} 09:00"
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--at", f"{when} Europe/Berlin"])
    assert result.returncode == 0, result.stderr
    assert f"Announcement #1 “Q3 prices” is scheduled for 1 channel: {when} Europe/Berlin" in result.stdout
    assert table(seeded, "SELECT status, send_zone FROM announcement") == [("scheduled", "Europe/Berlin")]


def test_no_admin_channel_configured(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PARTNERBOT_ADMIN_CHANNELS")
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY])
    assert result.returncode == 2
    assert "no admin channel to broadcast from: pass --admin-channel slack:C…" in result.said
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


def test_a_broadcast_nobody_here_can_deliver_warns_in_one_line(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY])
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"partnerbot: warning: {m.CLI_NO_CREDENTIALS}\n"
    assert table(seeded, "SELECT status FROM announcement") == [("sending",)]


def test_targeted_channels_on_a_platform_without_credentials_are_named(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "x")  # Discord could deliver, but acme's channel is on Slack
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--dry-run"])
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "partnerbot: warning: 1 targeted channel is on Slack, but SLACK_BOT_TOKEN is not set here: its "
        "delivery waits in the outbox until `partnerbot run` or `partnerbot worker` runs with "
        "SLACK_BOT_TOKEN on this database.\n"
    )


def test_admin_channel_option_works_without_the_setting(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to be refused as "not an admin channel (PARTNERBOT_ADMIN_CHANNELS: none)", though the
    error for a missing admin channel itself suggested --admin-channel."""
    monkeypatch.delenv("PARTNERBOT_ADMIN_CHANNELS")
    result = run_main(
        monkeypatch, capsys, ["--topic", "pricing", *BODY, "--admin-channel", "slack:C0OPS0001"]
    )
    assert result.returncode == 0, result.stderr
    assert "Sending announcement #1" in result.stdout
    warning = m.CLI_ADMIN_CHANNEL_ON_TRUST.format(channel="slack:C0OPS0001")
    assert f"partnerbot: warning: {warning}\n" in result.stderr
    assert table(seeded, "SELECT status, origin_channel FROM announcement") == [("sending", "C0OPS0001")]


@pytest.mark.parametrize("value", ["C0ADMIN", "teams:C0ADMIN", "slack:", "local:admin"])
def test_admin_channel_option_must_name_a_platform(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.delenv("PARTNERBOT_ADMIN_CHANNELS")
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--admin-channel", value])
    assert result.returncode == 2
    assert f"--admin-channel {value}: name it as platform:id, e.g. slack:C0ADMIN" in result.said
    assert "Traceback" not in result.stderr
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]
