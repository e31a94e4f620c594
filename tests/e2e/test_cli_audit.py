"""Every admin action from the command line lands in the audit log: who (the operator's login),
what (the chat's action name and the command as typed), when, where ("cli"). Read-only commands and
refused input change nothing and are not audited."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import messages as m
from bot.app import build_app
from bot.cli import main
from bot.config import Settings
from bot.domain.refs import Platform, UserRef
from tests.e2e.test_cli_broadcast import ADMIN, Result, seed, table

HEADER = "name,tier,type,region,language,timezone,platform,channel_id,workspace_id"


@pytest.fixture
def seeded(tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(seed(sqlite_url, {"Acme": "C0ACME0001"}))
    monkeypatch.chdir(tmp_path)
    for key in os.environ:
        if key.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PARTNERBOT_ADMIN_CHANNELS", ADMIN)
    return sqlite_url


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


async def _ana_ran_stats(url: str) -> None:
    app = await build_app(Settings(_env_file=None, database_url=url), run_migrations=False)
    try:
        ana = UserRef(Platform.SLACK, "T0VENDOR", "U0ANA", "Ana Ruiz")
        await app.stores.audit.record(
            user=ana,
            channel="slack:C0ADMIN001",
            action="stats",
            detail="stats",
            allowed=True,
            now=app.clock.now(),
        )
    finally:
        await app.close()


def audited(url: str) -> list[tuple[object, ...]]:
    return table(
        url,
        "SELECT platform, user_id, user_name, channel_id, action, detail, allowed FROM audit_log ORDER BY id",
    )


def test_cli_admin_actions_are_audited_with_the_operator_and_where_cli(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    login = getpass.getuser()
    roster = tmp_path / "more.csv"
    roster.write_text(
        HEADER + "\nBirch,silver,reseller,apac,en,UTC,slack,C0BIRCH001,T0VENDOR\n", encoding="utf-8"
    )
    steps = [
        ("topics", "add", "security", "Security news", "--description", "Patches and advisories"),
        ("topics", "archive", "events"),
        ("topics", "unarchive", "events"),
        ("partners", "import", str(roster)),
        ("partners", "set", "Acme", "--tier", "platinum", "--region", "apac"),
        ("partners", "remove", "Birch"),
    ]
    for step in steps:
        result = run(monkeypatch, capsys, *step)
        assert result.returncode == 0, (step, result.stderr)

    monkeypatch.setenv("PARTNERBOT_SECRET_KEY", Fernet.generate_key().decode())
    rotated = run(monkeypatch, capsys, "db", "rotate-key")
    assert rotated.returncode == 0, rotated.stderr

    # Read-only commands and refused input are not actions.
    assert run(monkeypatch, capsys, "topics", "list").returncode == 0
    assert run(monkeypatch, capsys, "partners", "show", "Acme").returncode == 0
    assert run(monkeypatch, capsys, "topics", "archive", "nope").returncode == 1

    entries = audited(seeded)
    assert {(e[0], e[1], e[2], e[3], e[6]) for e in entries} == {
        ("local", f"cli:{login}", f"{login} (partnerbot CLI)", "cli", 1)
    }
    assert [(e[4], e[5]) for e in entries] == [
        ("topicadd", "partnerbot topics add security 'Security news' --description 'Patches and advisories'"),
        ("topicarchive", "partnerbot topics archive events"),
        ("topicunarchive", "partnerbot topics unarchive events"),
        ("partnersimport", f"partnerbot partners import {roster}: Imported 1 new partner (1 channel)."),
        ("partnerset", "partnerbot partners set Acme --tier platinum --region apac"),
        ("partnerremove", "partnerbot partners remove Birch"),
        ("rotatekey", f"partnerbot db rotate-key: {m.CLI_KEY_ROTATED(0)}"),
    ]


def test_forget_is_audited_without_naming_the_person_forgotten(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_ana_ran_stats(seeded))
    result = run(monkeypatch, capsys, "partners", "forget", "--user", "slack:U0ANA", "--yes")
    assert result.returncode == 0, result.stderr
    (last,) = [e for e in audited(seeded) if e[4] == "forget"]
    assert (
        last[3] == "cli"
        and last[5] == "partnerbot partners forget: a person's name and user id were forgotten"
    )
    assert "Ana" not in str(audited(seeded)) and "U0ANA" not in str(audited(seeded))
