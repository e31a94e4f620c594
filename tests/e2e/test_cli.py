"""The `partnerbot` command line as a user runs it: real processes, real exit codes, a real SQLite file."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot import messages as m
from storage import migrate

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id\n"


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))
    }
    environment["PARTNERBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=environment,
    )


def test_run_without_any_platform_says_how_to_configure_one(tmp_path: Path) -> None:
    result = cli(tmp_path, "run")
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "DISCORD_TOKEN" in result.stderr
    assert "partnerbot console" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_without_any_platform_has_nothing_to_send_with(tmp_path: Path) -> None:
    result = cli(tmp_path, "worker")
    assert result.returncode == 2
    assert "nothing to send with" in result.stderr and "Traceback" not in result.stderr


def test_worker_that_cannot_reach_discord_exits_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"DISCORD_TOKEN": "x", "PARTNERBOT_DISCORD_API_URL": f"http://127.0.0.1:{port}"}
    result = cli(tmp_path, "worker", env=env)
    assert result.returncode == 1
    assert "could not start — discord: " in result.stderr and "nothing is lost" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("admin_channels", "warning"),
    [
        ("", m.CLI_NO_ADMIN_CHANNELS.format(example="discord:112233")),
        (
            "slack:C0ADMIN",
            m.CLI_ADMIN_CHANNEL_UNREACHABLE.format(
                channel="slack:C0ADMIN", platform="Slack", setting="SLACK_BOT_TOKEN"
            ),
        ),
    ],
    ids=["no admin channel", "admin channel on an unconfigured platform"],
)
def test_run_warns_when_admins_have_no_channel(tmp_path: Path, admin_channels: str, warning: str) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on: `run` stops after the warning
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "DISCORD_TOKEN": "x",
        "PARTNERBOT_DISCORD_API_URL": f"http://127.0.0.1:{port}",
        "PARTNERBOT_ADMIN_CHANNELS": admin_channels,
    }
    result = cli(tmp_path, "run", env=env)
    assert f"partnerbot: warning: {warning}\n" in result.stderr
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_bad_configuration_is_one_friendly_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "topics", "list", env={"PARTNERBOT_ADMIN_CHANNELS": "C0ADMIN"})
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "slack:C0ADMIN" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_reported_not_raised(tmp_path: Path) -> None:
    result = cli(
        tmp_path, "topics", "list", env={"PARTNERBOT_DATABASE_URL": "sqlite:////nonexistent/dir/x.db"}
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "database" in result.stderr.lower()


def test_db_upgrade_and_topics(tmp_path: Path) -> None:
    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert f"revision {head}" in cli(tmp_path, "db", "upgrade").stdout
    added = cli(tmp_path, "topics", "add", "security", "Security advisories", "--description", "CVEs")
    assert added.returncode == 0, added.stderr
    assert cli(tmp_path, "topics", "add", "security", "Again").returncode == 1
    assert cli(tmp_path, "topics", "add", "Bad Slug", "x").returncode == 1
    listed = cli(tmp_path, "topics", "list")
    assert "security" in listed.stdout and "Security advisories" in listed.stdout

    archived = cli(tmp_path, "topics", "archive", "security")
    assert archived.returncode == 0 and "archived" in archived.stdout, archived.stderr
    back = cli(tmp_path, "topics", "unarchive", "security")
    assert back.returncode == 0 and "unarchived" in back.stdout, back.stderr
    unknown = cli(tmp_path, "topics", "unarchive", "secrity")
    assert unknown.returncode == 1 and "no topic 'secrity'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_partner_import_reports_every_bad_line_and_imports_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "partners.csv"
    roster.write_text(
        HEADER
        + "Acme,gold,reseller,emea,en,Europe/Berlin,slack,C0ACME0001,T0AAAA\n"
        + "Birch,gold,msp,emea,en,Europe/Berlinn,slack,C0BIRCH001,T0AAAA\n"
        + "Cedar,silver,isv,na,en,America/Chicago,teams,x,\n"
        + "Delta,gold,reseller,emea,en,UTC,slack,C0ACME0001,T0AAAA\n"
    )
    result = cli(tmp_path, "partners", "import", str(roster))
    assert result.returncode == 1
    assert "line 3: timezone 'Europe/Berlinn'" in result.stderr
    assert "line 4: platform 'teams'" in result.stderr
    assert "line 5: channel C0ACME0001 is already on line 2" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert "Acme" not in cli(tmp_path, "partners", "list").stdout


def test_partner_import_of_the_realistic_roster(tmp_path: Path) -> None:
    roster = tmp_path / "partners.csv"
    lines = [HEADER] + [
        f"Partner {i},{('gold', 'silver')[i % 2]},reseller,emea,en,Europe/Berlin,"
        f"{('slack', 'discord')[i % 2]},{f'C0P{i:07d}' if i % 2 == 0 else str(10**17 + i)},W1\n"
        for i in range(200)
    ]
    roster.write_text("".join(lines))
    result = cli(tmp_path, "partners", "import", str(roster))
    assert result.returncode == 0, result.stderr
    assert "Imported 200 new partners (200 channels)." in result.stdout
    again = cli(tmp_path, "partners", "import", str(roster))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_missing_file_and_missing_columns(tmp_path: Path) -> None:
    missing = cli(tmp_path, "partners", "import", str(tmp_path / "nope.csv")).stderr
    assert "nope.csv: there is no such file" in missing and "Errno" not in missing
    bad = tmp_path / "bad.csv"
    bad.write_text("name,tier\nAcme,gold\n")
    result = cli(tmp_path, "partners", "import", str(bad))
    assert result.returncode == 1 and "line 1: the header lacks" in result.stderr


def test_stats_json_and_unknown_announcement(tmp_path: Path) -> None:
    result = cli(tmp_path, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"announcements": [], "topics": []}
    empty = cli(tmp_path, "stats")
    assert empty.returncode == 0 and empty.stdout.startswith("No announcements yet."), empty.stdout
    missing = cli(tmp_path, "stats", "42")
    assert missing.returncode == 1 and "no announcement #42" in missing.stderr


@pytest.mark.parametrize("args", [["jobs"], ["--help"]])
def test_reference_commands(tmp_path: Path, args: list[str]) -> None:
    result = cli(tmp_path, *args)
    assert result.returncode == 0, result.stderr
