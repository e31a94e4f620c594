"""`partnerbot run|worker` start-up choices: PARTNERBOT_EVENT_LOOP and PARTNERBOT_WORKER_PROCESSES,
refused in one line (exit 2) where they cannot work, before anything connects."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import messages as m
from tests.e2e.test_cli import cli

DISCORD = {"DISCORD_TOKEN": "x", "PARTNERBOT_DISCORD_API_URL": "http://127.0.0.1:9"}
# Never reached: the refusals come before the database is opened.
POSTGRES = "postgresql://partnerbot@127.0.0.1:9/partnerbot"


@pytest.mark.parametrize("command", ["worker", "run"])
def test_more_processes_on_sqlite_are_refused_in_one_line(tmp_path: Path, command: str) -> None:
    result = cli(tmp_path, command, env=DISCORD | {"PARTNERBOT_WORKER_PROCESSES": "3"})
    assert result.returncode == 2
    assert m.CLI_PROCESSES_NEED_POSTGRES.format(count=3) in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_more_processes_with_per_process_limits_are_refused(tmp_path: Path) -> None:
    env = DISCORD | {
        "PARTNERBOT_WORKER_PROCESSES": "2",
        "PARTNERBOT_DATABASE_URL": POSTGRES,
        "PARTNERBOT_RATE_LIMITS": "process",
    }
    result = cli(tmp_path, "worker", env=env)
    assert result.returncode == 2
    assert m.CLI_PROCESSES_OWN_LIMITS.format(count=2) in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [("PARTNERBOT_WORKER_PROCESSES", "0"), ("PARTNERBOT_WORKER_PROCESSES", "many"),
     ("PARTNERBOT_EVENT_LOOP", "trio")],
)  # fmt: skip
def test_bad_values_are_a_configuration_error(tmp_path: Path, setting: str, value: str) -> None:
    result = cli(tmp_path, "worker", env=DISCORD | {setting: value})
    assert result.returncode == 2
    assert "configuration error" in result.stderr and "Traceback" not in result.stderr


def test_uvloop_asked_for_but_missing_is_one_line(tmp_path: Path) -> None:
    # A `uvloop` module that fails to import stands in for one that is not installed.
    (tmp_path / "uvloop.py").write_text("raise ImportError('not installed')\n")
    env = DISCORD | {"PARTNERBOT_EVENT_LOOP": "uvloop", "PYTHONPATH": str(tmp_path)}
    result = cli(tmp_path, "worker", env=env)
    assert result.returncode == 2
    assert m.CLI_UVLOOP_MISSING in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
