"""`partnerbot stats --csv FILE|-` as a user runs it: a real process on a SQLite file holding two sent
announcements, the CSV parsed back with the csv module, and the error paths (one line, non-zero exit)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.local.app import LocalAdapter
from bot.app import build_app
from bot.cli.render import STATS_CSV_COLUMNS
from bot.config import Settings
from bot.domain import Platform
from bot.services.roster import RosterPorts, RosterService

ROSTER = (
    "name,tier,type,region,language,timezone,platform,channel_id\n"
    '"Acme, Inc.",gold,reseller,emea,en,Europe/Berlin,local,acme\n'
    "Birch Cloud,silver,msp,na,en,America/New_York,local,birch\n"
)


async def seed(path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{path}",
        admin_channels=("local:admin",),
        admin_users=("local:alice",),
        progress_messages=False,
    )
    app = await build_app(settings)
    try:
        local = LocalAdapter(app.bot)
        app.worker.add_sender(Platform.LOCAL, local.sender)
        report = await RosterService(
            RosterPorts(directory=app.stores.directory, topics=app.stores.topics), app.clock
        ).import_csv(ROSTER)
        assert report.ok, report.errors
        await local.say("alice", "admin", '/partner-admin topic add pricing "Pricing" "Price lists"')
        await local.say("pat", "acme", "/partner subscribe pricing")
        await local.say("bo", "birch", "/partner subscribe pricing")
        for title in ('Price list, "2027" edition', "Second notice"):
            preview = await local.say(
                "alice", "admin", f"/partner-admin broadcast topic:pricing title:{title!r} Body."
            )
            assert preview is not None and preview.buttons, preview
            await local.press("alice", "admin", preview.buttons[0].action, preview.buttons[0].value)
        await app.worker.drain()
        first = [m for m in local.workspace.messages if m.key and m.key.startswith("d")][:2]
        for message in first:
            await local.react("reader", message, "tada")
        await local.react("other", first[0], "eyes")
    finally:
        await app.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stats_csv") / "cli.db"
    asyncio.run(seed(path))
    return path


def cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))
    }
    environment["PARTNERBOT_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=database.parent,
        env=environment,
    )


def test_stats_csv_to_stdout_parses_back(database: Path) -> None:
    result = cli(database, "stats", "--csv", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == STATS_CSV_COLUMNS
    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {'Price list, "2027" edition', "Second notice"}
    first = by_title['Price list, "2027" edition']
    assert first["status"] == "sent"
    assert (first["targeted"], first["delivered"], first["failed"], first["pending"]) == ("2", "2", "0", "0")
    assert first["reactions"] == "3" and first["reactions_by_emoji"] == "tada=2; eyes=1"
    assert first["reach_by_tier"] == "gold=1; silver=1"
    assert first["reach_by_region"] == "emea=1; na=1"
    assert first["failures_by_reason"] == ""
    assert (first["proactive"], first["reactive"]) == ("0", "3")  # three reactions, no question
    assert by_title["Second notice"]["reactions"] == "0"


def test_stats_csv_to_a_file_and_one_announcement(database: Path) -> None:
    target = database.parent / "stats.csv"
    result = cli(database, "stats", "--csv", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote 2 announcements to {target}."
    with target.open(newline="", encoding="utf-8") as stream:
        assert len(list(csv.DictReader(stream))) == 2
    one = cli(database, "stats", "1", "--csv", "-")
    assert one.returncode == 0, one.stderr
    assert [row["id"] for row in csv.DictReader(io.StringIO(one.stdout))] == ["1"]


def test_stats_csv_errors_are_one_line(database: Path) -> None:
    unwritable = cli(database, "stats", "--csv", str(database.parent / "no-such-dir" / "stats.csv"))
    assert unwritable.returncode == 1
    assert unwritable.stderr.startswith("partnerbot: cannot write ") and "Traceback" not in unwritable.stderr
    assert len(unwritable.stderr.strip().splitlines()) == 1
    both = cli(database, "stats", "--csv", "-", "--json")
    assert both.returncode == 2 and "cannot be combined" in both.stderr
