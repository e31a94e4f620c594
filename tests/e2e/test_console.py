"""`partnerbot console` as a person types into it: lines fed on stdin to the real command (`bot.cli.main`,
in this process), its own SQLite file, two sessions on the same file, every button a partner sees."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import build_app
from bot.cli import main
from bot.config import Settings
from bot.services.roster import RosterPorts, RosterService

ZWSP = "\u200b"
ROSTER = (
    "name,tier,type,region,language,timezone,platform,channel_id\nAcme,gold,reseller,emea,en,UTC,local,acme\n"
)
PROMPT = r"(?:[\w.-]+@[\w-]+> )*"  # input() prompts run into the next printed line


@dataclass(frozen=True)
class Session:
    returncode: int
    stdout: str
    stderr: str

    def ids(self) -> list[int]:
        """The id of every message shown, in order."""
        return [int(found) for found in re.findall(rf"^{PROMPT}(\d+) #", self.stdout, re.MULTILINE)]

    def id_of(self, pattern: str) -> int:
        found = re.search(rf"^{PROMPT}(\d+) {pattern}", self.stdout, re.MULTILINE)
        assert found, self.stdout
        return int(found.group(1))


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and the environment a shell would give, with a `run` database set."""
    monkeypatch.chdir(tmp_path)
    for key in os.environ:
        if key.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("COLUMNS", "80")
    return tmp_path


def console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: list[str], *args: str
) -> Session:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    monkeypatch.setattr(sys, "argv", ["partnerbot", "console", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Session(code, captured.out, captured.err)


async def import_roster(path: Path) -> None:
    app = await build_app(Settings(_env_file=None, database_url=f"sqlite:///{path}"))
    try:
        report = await RosterService(
            RosterPorts(directory=app.stores.directory, topics=app.stores.topics), app.clock
        ).import_csv(ROSTER)
        assert report.ok, report.errors
    finally:
        await app.close()


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


def test_the_console_keeps_a_database_of_its_own_and_says_which(
    shell: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = console(monkeypatch, capsys, ['/partner-admin topic add pricing "Pricing"', ":quit"])
    assert session.returncode == 0, session.stderr
    assert f"database: {shell / 'partnerbot-console.db'}\n" in session.stdout
    assert rows(shell / "partnerbot-console.db", "SELECT slug FROM topic") == [("pricing",)]
    assert not (shell / "run.db").exists()  # PARTNERBOT_DATABASE_URL is for `partnerbot run`

    other = console(monkeypatch, capsys, [":quit"], "--db", "elsewhere.db")
    assert f"database: {shell / 'elsewhere.db'}\n" in other.stdout
    assert rows(shell / "elsewhere.db", "SELECT count(*) FROM topic") == [(0,)]

    missing = console(monkeypatch, capsys, [], "--db", "no/such/dir/x.db")
    assert missing.returncode == 1 and "no/such/dir is not a directory" in missing.stderr


def test_an_unknown_message_id_is_a_friendly_error(
    shell: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [":reply 99 hello", ":react 99 tada", ":unreact 99 tada", ":press 99 helpful", ":press 99"]
    session = console(monkeypatch, capsys, lines)
    assert session.returncode == 0
    assert session.stdout.count("There is no message 99: :log [channel] lists messages with their ids.") == 5
    assert "Traceback" not in session.stdout + session.stderr


def test_meta_commands_without_their_argument_say_so(
    shell: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`:as`, `:in` without a name and `:log` of an empty channel printed nothing at all."""
    session = console(monkeypatch, capsys, [":as", ":in", ":log nowhere", ":as pat", ":in acme", ":as"])
    assert session.returncode == 0, session.stderr
    assert "You are admin in #admin; :as <name> changes it." in session.stdout
    assert "You are admin in #admin; :in <channel> changes it." in session.stdout
    assert "No messages in #nowhere yet." in session.stdout
    assert "You are pat in #acme; :as <name> changes it." in session.stdout


def test_every_button_edits_deletions_progress_and_mentions_across_a_restart(
    shell: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = shell / "partnerbot-console.db"
    asyncio.run(import_roster(db))
    first = console(
        monkeypatch,
        capsys,
        [
            'admin@admin: /partner-admin topic add pricing "Pricing"',
            "pat@acme: /partner subscribe pricing",
            "admin@admin: /partner-admin broadcast topic:pricing urgent ack "
            'title:"Q3 @here" New list @channel is out.',
            ":press 6 send",
        ],
    )
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "    buttons: 1 Send · 2 Edit · 3 Cancel · 4 Send test (:press 6 …)\n" in out
    delivered = first.id_of("#acme partnerbot: 🚨 URGENT")
    assert f"    buttons: 1 Ask a question · 2 Helpful · 3 Acknowledge (:press {delivered} …)\n" in out
    # Mentions in what the bot posts cannot ping, as Slack and Discord would show them.
    assert f"🚨 URGENT · **Q3 @{ZWSP}here**\nNew list @{ZWSP}channel is out." in out
    assert out.count("New list @channel") == 1  # only the admin's own line, as typed
    progress = first.id_of(r"#admin partnerbot \(edited\): ✅ \*\*#1")  # the live progress message, updated

    second = console(
        monkeypatch,
        capsys,
        [
            ":as pat",
            ":in acme",
            f":press {delivered} acknowledge",
            f":press {delivered} 2",
            f":press {delivered} ask",
            f":press {delivered} ask When exactly?",
            f":press {delivered} send",
            'admin@admin: /partner-admin edit 1 title:"Q3 v2"',
            "admin@admin: /partner-admin recall 1",
        ],
    )
    assert second.returncode == 0, second.stderr
    out = second.stdout
    # New ids follow the first session's: the edit and the delete land on the delivered message.
    assert all(i > progress for i in second.ids() if i not in (delivered, progress)), second.ids()
    assert "(only pat sees this): ✅ Thanks — acknowledged." in out
    assert "(only pat sees this): 👍 Thanks — marked as helpful." in out
    assert f"Write the question after the button, e.g. `:press {delivered} ask When does it apply?`" in out
    assert f"#acme (thread of {delivered}) pat: When exactly?" in out
    assert f"Message {delivered} has no “send” button; its buttons: 1 Ask a question · 2 Helpful" in out
    assert re.search(
        rf"^{PROMPT}{delivered} #acme partnerbot \(edited\): 🚨 URGENT · \*\*Q3 v2\*\*$", out, re.M
    )
    assert re.search(
        rf"^{PROMPT}{delivered} #acme partnerbot \(deleted\): this message was deleted$", out, re.M
    )
    assert re.search(
        rf"^{PROMPT}{progress} #admin partnerbot \(edited\): ↩️ \*\*#1 “Q3 v2”\*\* — recalled", out, re.M
    )
    assert rows(db, "SELECT count(*) FROM ack") == [(1,)]
    assert rows(db, "SELECT emoji FROM reaction") == [("helpful",)]
    assert rows(db, "SELECT text FROM question") == [("When exactly?",)]
    assert "Traceback" not in out + second.stderr


def test_message_ids_stay_unique_even_without_the_kept_messages(
    shell: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = shell / "partnerbot-console.db"
    asyncio.run(import_roster(db))
    lines = [
        'admin@admin: /partner-admin topic add pricing "Pricing"',
        "pat@acme: /partner subscribe pricing",
        'admin@admin: /partner-admin broadcast topic:pricing title:"Q3" New list.',
        ":press 6 send",
    ]
    first = console(monkeypatch, capsys, lines)
    delivered = first.id_of("#acme partnerbot: \\*\\*Q3\\*\\*")
    (shell / "partnerbot-console.db.messages.json").unlink()

    second = console(
        monkeypatch, capsys, ["pat@acme: hello", 'admin@admin: /partner-admin edit 1 title:"Q3 v2"']
    )
    assert second.returncode == 0, second.stderr
    assert second.ids()[0] > max(first.ids())  # seeded from the ids the database refers to
    assert delivered not in second.ids()  # nothing else was edited in its place
    assert "Traceback" not in second.stdout + second.stderr
