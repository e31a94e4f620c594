"""`partnerbot partners forget` as a shell runs it, on data the local adapter wrote: a confirmation
unless --yes, one sentence with real counts, one-line errors with non-zero exits."""

from __future__ import annotations

import asyncio
import getpass
import io
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console

from bot import messages as m
from bot.cli import main
from tests.conftest import FakeClock
from tests.e2e.test_cli_broadcast import Result, table
from tests.harness import make_harness
from tests.integration.test_privacy import conversation

ANA = "Ana Ruiz"


async def _seed(url: str) -> None:
    h = await make_harness(url, FakeClock())
    try:
        await conversation(h, ana=ANA)
    finally:
        await h.close()


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Ana Ruiz asked a question, reacted twice and acknowledged an urgent announcement in #acme;
    alice (the admin) answered her."""
    asyncio.run(_seed(sqlite_url))
    monkeypatch.chdir(tmp_path)
    for key in os.environ:
        if key.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "250")
    # Rich reads COLUMNS when a Console is made: the CLI's was made at import (80 in an xdist worker).
    monkeypatch.setattr("bot.cli.out", Console())
    return sqlite_url


def forget(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str, answer: str = ""
) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "partners", "forget", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def _askers(url: str) -> list[tuple[object, ...]]:
    return table(url, "SELECT asker_name FROM question")


def test_forget_asks_first_then_says_what_was_forgotten(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Her engagement events: the question, two reactions, the acknowledgement, the answer she got.
    what = "1 question, 2 reactions, 1 acknowledgement, 5 engagement events"
    declined = forget(monkeypatch, capsys, ANA, answer="n\n")
    assert declined.returncode == 1
    assert f"Forget {ANA}? Their name and user id will read “a forgotten person” in {what};" in (
        " ".join(declined.stdout.split())
    )
    assert declined.said == f"partnerbot: {m.FORGET_NOT_CONFIRMED}"
    assert _askers(seeded) == [(ANA,)]
    # No answer at all (stdin closed, e.g. in a script) is a no as well.
    assert forget(monkeypatch, capsys, ANA).returncode == 1 and _askers(seeded) == [(ANA,)]

    done = forget(monkeypatch, capsys, ANA, answer="y\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"Forgot {ANA}: {what}.")
    assert _askers(seeded) == [(m.FORGOTTEN_PERSON,)]
    assert table(seeded, "SELECT count(*) FROM reaction WHERE user_id = 'Ana Ruiz'") == [(0,)]
    assert table(seeded, "SELECT count(*) FROM reaction") == [(3,)]
    assert table(seeded, "SELECT user_name FROM ack") == [(m.FORGOTTEN_PERSON,)]
    assert table(seeded, "SELECT status FROM announcement") == [("sent",)]

    admin = forget(monkeypatch, capsys, "--user", "local:alice", "--yes")
    assert admin.returncode == 0, admin.stderr
    assert admin.stdout.startswith("Forgot local:alice: 1 answer, ") and "audit entries" in admin.stdout
    assert table(seeded, "SELECT DISTINCT user_name FROM audit_log WHERE action != 'forget'") == [
        (m.FORGOTTEN_PERSON,)
    ]
    # Each forget is itself audited: by the operator, from the CLI, naming nobody.
    operator = f"{getpass.getuser()} (partnerbot CLI)"
    forgets = table(seeded, "SELECT user_name, channel_id, detail FROM audit_log WHERE action = 'forget'")
    assert (
        forgets
        == [(operator, "cli", "partnerbot partners forget: a person's name and user id were forgotten")] * 2
    )


def test_forget_errors_are_one_line_with_non_zero_exits(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = forget(monkeypatch, capsys, "ana ruiz", "--yes")
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert unknown.said == (
        'partnerbot: nobody called "ana ruiz" is stored — did you mean "Ana Ruiz"? Names match '
        "exactly as stored; `partnerbot partners forget --user slack:U0ANA` forgets by user id."
    )
    nobody = forget(monkeypatch, capsys, "--user", "slack:U0ANA", "--yes")
    assert nobody.returncode == 1 and nobody.said == "partnerbot: " + m.FORGET_NO_USER.format(
        who="slack:U0ANA"
    )
    malformed = forget(monkeypatch, capsys, "--user", "U0ANA", "--yes")
    assert malformed.returncode == 2 and "write <platform>:<user id>" in malformed.said
    neither = forget(monkeypatch, capsys, "--yes")
    assert neither.returncode == 2 and neither.said == f"partnerbot: {m.FORGET_WHOM}"
    both = forget(monkeypatch, capsys, ANA, "--user", "local:Ana Ruiz", "--yes")
    assert both.returncode == 2 and both.said == f"partnerbot: {m.FORGET_WHOM}"
    for result in (unknown, nobody, malformed, neither, both):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _askers(seeded) == [(ANA,)]  # nothing was changed by any of them


def test_partnerbot_jobs_lists_retention(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "jobs"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("retention ")]
    assert "every 60 min, once across" in row and "when PARTNERBOT_RETENTION_DAYS is set" in row
