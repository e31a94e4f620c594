"""`partnerbot engagement [--csv FILE | --json]` as a shell runs it: the CSV parsed back, JSON lines,
one-line errors with a non-zero exit."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.cli import main
from bot.cli.engagement import COLUMNS
from storage.repositories import rollups
from tests.e2e.test_cli_broadcast import Result
from tests.e2e.test_cli_partners import seeded as seeded


@pytest.fixture
def pulled(seeded: str) -> str:
    """Acme pulled news yesterday (one proactive action, nothing received): 100 * 3 / (0 + 5) = 60."""
    at = (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    with sqlite3.connect(seeded.removeprefix("sqlite:///")) as db:
        partner, channel = db.execute(
            "SELECT p.id, c.id FROM partner p JOIN channel c ON c.partner_id = p.id WHERE p.name = 'Acme'"
        ).fetchone()
        db.execute(
            "INSERT INTO engagement_event (at, kind, proactive, partner_id, channel_id, platform) "
            "VALUES (?, 'news_pulled', 1, ?, ?, 'slack')",
            (at.isoformat(sep=" "), partner, channel),
        )
        rebuild_rollups(db)
        subscribed = db.execute(
            "SELECT p.name, e.at FROM engagement_event e JOIN partner p ON p.id = e.partner_id "
            "WHERE e.kind = 'subscribed'"
        ).fetchall()
    return {name: datetime.fromisoformat(when).replace(tzinfo=UTC).isoformat() for name, when in subscribed}


def rebuild_rollups(db: sqlite3.Connection) -> None:
    """The events were written as rows here, not by partnerbot (which keeps the daily roll-ups)."""
    db.commit()
    engine = create_engine(f"sqlite:///{db.execute('PRAGMA database_list').fetchone()[2]}")
    with engine.begin() as conn:
        rollups.rebuild_sync(conn)
    engine.dispose()


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "engagement", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


EXPECTED = [
    {"name": "Acme", "tier": "gold", "type": "reseller", "region": "emea", "language": "en", "score": "120.0",
     "proactive": "2", "reactive": "0", "received": "0"},
    {"name": "Birch", "tier": "gold", "type": "reseller", "region": "emea", "language": "en", "score": "60.0",
     "proactive": "1", "reactive": "0", "received": "0"},
]  # fmt: skip


def test_csv_file_parses_back(
    pulled: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "scores.csv"
    result = run(monkeypatch, capsys, "--csv", str(target))
    assert result.returncode == 0, result.stderr
    with target.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        parsed = list(reader)
    assert parsed == [
        EXPECTED[0] | {"last_action": pulled["Acme"], "last_action_kind": "subscribed"},
        EXPECTED[1] | {"last_action": pulled["Birch"], "last_action_kind": "subscribed"},
    ]

    # Without options, the same CSV on stdout.
    plain = run(monkeypatch, capsys)
    assert plain.returncode == 0
    assert list(csv.DictReader(io.StringIO(plain.stdout))) == parsed


def test_json_lines(
    pulled: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run(monkeypatch, capsys, "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["name"], r["score"], r["proactive"], r["last_action"]) for r in lines] == [
        ("Acme", 120.0, 2, pulled["Acme"]),
        ("Birch", 60.0, 1, pulled["Birch"]),
    ]
    assert [r["last_action_kind"] for r in lines] == ["subscribed", "subscribed"]


def test_the_new_column_comes_last() -> None:
    """Spreadsheets and PRM imports read the columns by position: what was there stays there."""
    assert COLUMNS == (
        "name", "tier", "type", "region", "language", "score", "proactive", "reactive", "received",
        "last_action", "last_action_kind",
    )  # fmt: skip


def test_a_partner_without_action_has_empty_last_action_columns(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(seeded.removeprefix("sqlite:///")) as db:
        db.execute("DELETE FROM engagement_event")
        rebuild_rollups(db)
    result = run(monkeypatch, capsys)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["last_action"] == "" and r["last_action_kind"] == "" for r in rows)


def test_errors_are_one_line(
    seeded: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    both = run(monkeypatch, capsys, "--csv", "-", "--json")
    assert both.returncode == 2 and both.said == "partnerbot: choose one of --csv FILE and --json"
    nowhere = run(monkeypatch, capsys, "--csv", str(tmp_path / "missing" / "scores.csv"))
    assert nowhere.returncode == 1 and nowhere.said.startswith("partnerbot: cannot write ")
    assert len(nowhere.stderr.strip().splitlines()) == 1 and "Traceback" not in nowhere.stderr


def test_a_partner_name_that_is_a_formula_is_not_run_by_a_spreadsheet(
    seeded: str,
    pulled: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with sqlite3.connect(seeded.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE partner SET name = '=HYPERLINK(\"http://evil.example\")' WHERE name = 'Acme'")
        db.execute("UPDATE partner SET region = '@emea' WHERE name = 'Birch'")
    result = run(monkeypatch, capsys, "--csv", "-")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1]["region"] == "'@emea" and rows[1]["score"] == "60.0"
