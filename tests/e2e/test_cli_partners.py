"""`partnerbot partners show|set|remove|list|import --update` as a shell runs them: one-line errors,
non-zero exits, the same words and checks as the chat's `partner …` commands."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.test_cli_broadcast import ADMIN, Result, seed, table

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id"


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two gold partners (Acme, Birch) following `pricing`, imported as a roster."""
    asyncio.run(seed(sqlite_url, {"Acme": "C0ACME0001", "Birch": "C0BIRCH001"}))
    monkeypatch.chdir(tmp_path)
    for key in os.environ:
        if key.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PARTNERBOT_ADMIN_CHANNELS", ADMIN)
    return sqlite_url


def partners(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", "partners", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def test_show_set_remove(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = partners(monkeypatch, capsys, "show", "acme")
    assert shown.returncode == 0, shown.stderr
    assert "Acme" in shown.stdout and "tier: gold" in shown.stdout
    assert "slack #C0ACME0001 · active · immediate · topics: pricing" in shown.stdout

    changed = partners(monkeypatch, capsys, "set", "Acme", "--tier", "platinum", "--region", "apac")
    assert (
        changed.returncode == 0
        and "Acme updated: tier gold → platinum, region emea → apac." in changed.stdout
    )
    assert table(seeded, "SELECT tier, region FROM partner WHERE name = 'Acme'") == [("platinum", "apac")]

    typo = partners(monkeypatch, capsys, "set", "Acme", "--tier", "platnum")
    assert typo.returncode == 1 and typo.said.startswith("partnerbot: ")
    assert 'did you mean "platinum"?' in typo.said and "Traceback" not in typo.stderr
    unknown = partners(monkeypatch, capsys, "show", "Acmee")
    assert unknown.returncode == 1 and 'There\'s no partner "Acmee" — did you mean "Acme"?' in unknown.said
    nothing = partners(monkeypatch, capsys, "set", "Acme")
    assert nothing.returncode == 2 and "say what to change" in nothing.said

    removed = partners(monkeypatch, capsys, "remove", "Acme")
    assert removed.returncode == 0 and "Acme removed: 1 channel switched off" in removed.stdout
    assert table(seeded, "SELECT active FROM channel WHERE channel_id = 'C0ACME0001'") == [(0,)]
    listed = partners(monkeypatch, capsys, "list")
    assert "Birch" in listed.stdout and "Acme" not in listed.stdout


def test_list_filters(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    partners(monkeypatch, capsys, "set", "Birch", "--tier", "silver")
    gold = partners(monkeypatch, capsys, "list", "--tier", "gold", "--topic", "pricing")
    assert "Acme" in gold.stdout and "Birch" not in gold.stdout
    nobody = partners(monkeypatch, capsys, "list", "--topic", "events")
    assert "Acme" not in nobody.stdout and "Birch" not in nobody.stdout
    typo = partners(monkeypatch, capsys, "list", "--region", "emae")
    assert typo.returncode == 2 and 'unknown region "emae" — did you mean "emea"?' in typo.said
    bad_topic = partners(monkeypatch, capsys, "list", "--topic", "pricng")
    assert bad_topic.returncode == 2 and 'did you mean "pricing"?' in bad_topic.said


def test_import_update_and_delimiters(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER + ",topics", "Acme,silver,msp,na,en,UTC,slack,C0ACME0001,T0VENDOR01,events pricing"]
    file = tmp_path / "roster.csv"
    file.write_text("\n".join(row.replace(",", ";") for row in rows) + "\n", encoding="utf-8")
    refused = partners(monkeypatch, capsys, "import", str(file))
    assert refused.returncode == 1
    assert "a partner named 'Acme' already exists (add --update" in refused.said
    assert "Nothing was imported: fix the problem above" in refused.said

    updated = partners(monkeypatch, capsys, "import", str(file), "--update")
    assert updated.returncode == 0, updated.stderr
    assert "Updated 1 existing partner (1 channel)." in updated.stdout
    assert table(seeded, "SELECT tier, type, region FROM partner WHERE name = 'Acme'") == [
        ("silver", "msp", "na")
    ]
    assert table(seeded, "SELECT count(*) FROM subscription") == [(3,)]  # acme: pricing, events; birch
