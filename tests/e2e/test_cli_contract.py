"""What a black-box run of the README's CLI table found: people's text shown as written (tables,
one-line errors), filters and titles checked rather than dropped, and errors that name the real fix."""

# ruff: noqa: F811  (the tests take `seeded`, the fixture imported from test_cli_audit)

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import CliError
from tests.e2e.test_cli_audit import run as partnerbot
from tests.e2e.test_cli_audit import seeded  # noqa: F401  (the fixture: Acme following pricing)
from tests.e2e.test_cli_broadcast import table
from tests.e2e.test_discord_cli import cli as discord_app


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row a line, whatever the terminal


@pytest.mark.parametrize("title", ["[beta] Features", "Plans [/] and prices", "[bold]Q4[/bold]"])
def test_a_topic_title_with_brackets_is_listed_as_written(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    # Rich read table cells as markup: "[beta]" vanished and "[/]" stopped `topics list` with a
    # MarkupError traceback until the topic was renamed in the database.
    added = partnerbot(monkeypatch, capsys, "topics", "add", "news", title, "--description", "[x] y")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == f"Added topic news — {title}"
    listed = partnerbot(monkeypatch, capsys, "topics", "list")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    [row] = [line for line in listed.stdout.splitlines() if line.startswith("news ")]
    assert title in row and "[x] y" in row


def test_partner_and_announcement_names_with_brackets_are_shown_as_written(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,tier,type,region,language,timezone,platform,channel_id,workspace_id,topics\n"
        "[EMEA] Birch,gold,reseller,emea,en,Europe/Berlin,slack,C0BIRCH001,T0VENDOR01,pricing\n",
        encoding="utf-8",
    )
    assert partnerbot(monkeypatch, capsys, "partners", "import", str(roster)).returncode == 0
    listed = partnerbot(monkeypatch, capsys, "partners", "list")
    assert any(line.startswith("[EMEA] Birch ") for line in listed.stdout.splitlines()), listed.stdout
    shown = partnerbot(monkeypatch, capsys, "partners", "show", "[EMEA] Birch")
    assert shown.stdout.splitlines()[0] == "[EMEA] Birch"
    # One-line errors are printed without markup, so the input must not be escaped for Rich either:
    # it came out as "\[EMEA] Birc".
    typo = partnerbot(monkeypatch, capsys, "partners", "show", "[EMEA] Birc")
    assert typo.returncode == 1 and 'There\'s no partner "[EMEA] Birc"' in typo.said and "\\" not in typo.said
    missing = partnerbot(
        monkeypatch, capsys, "broadcast", "--topic", "pricing", "--title", "T", "--body", "B",
        "--attach", "[draft] shot.png", "--dry-run",
    )  # fmt: skip
    assert (
        missing.returncode == 2
        and missing.said == "partnerbot: --attach [draft] shot.png: there is no such file"
    )

    sent = partnerbot(
        monkeypatch, capsys, "broadcast", "--topic", "pricing", "--title", "[Q4] Prices", "--body", "B"
    )
    assert sent.returncode == 0, sent.stderr
    stats = partnerbot(monkeypatch, capsys, "stats", "1")
    assert stats.stdout.lstrip().startswith("#1 [Q4] Prices — "), stats.stdout


@pytest.mark.parametrize("word", ["Bad Slug", "pricing!", "[x]"])
def test_partners_list_refuses_a_topic_that_is_not_a_slug(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], word: str
) -> None:
    # It was dropped, so the filter was gone and every partner was listed.
    result = partnerbot(monkeypatch, capsys, "partners", "list", "--topic", word)
    assert result.returncode == 2 and result.stdout == ""
    assert result.said == (
        f'partnerbot: "{word}" is not a topic slug: lower-case letters, digits and hyphens '
        "(`partnerbot topics list`)"
    )


@pytest.mark.parametrize("title", ["", "   "])
def test_topics_add_refuses_an_empty_title(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    result = partnerbot(monkeypatch, capsys, "topics", "add", "news", title)
    assert result.returncode == 1 and result.stdout == ""
    assert (
        result.said == 'partnerbot: the topic needs a title, e.g. partnerbot topics add news "Release notes"'
    )
    assert table(seeded, "SELECT count(*) FROM topic WHERE slug = 'news'") == [(0,)]


def test_demo_in_a_missing_directory_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # It said "cannot use the database … Check PARTNERBOT_DATABASE_URL", which the demo does not use.
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nowhere"
    result = partnerbot(monkeypatch, capsys, "demo", "--db", str(missing / "demo.db"))
    assert result.returncode == 1 and result.stdout == ""
    assert (
        result.said == f"partnerbot: {missing} is not a directory: give --db a file in an existing directory"
    )
    assert not missing.exists()


@pytest.mark.parametrize("client_id", ["0", "-5", str(2**64), "9" * 25])  # snowflakes: 64 bits
def test_invite_url_refuses_an_id_that_is_not_positive(client_id: str) -> None:
    result = CliRunner().invoke(
        discord_app(), ["discord", "invite-url", "--client-id", client_id], env={"DISCORD_TOKEN": ""}
    )
    assert isinstance(result.exception, CliError) and result.exception.code == 2 and result.stdout == ""
    assert f"--client-id {client_id} is not an application id" in str(result.exception)


def test_invite_url_with_a_token_that_carries_no_id_does_not_ask_to_set_the_token() -> None:
    # DISCORD_TOKEN was set: "give --client-id … or set DISCORD_TOKEN" sent people the wrong way.
    result = CliRunner().invoke(
        discord_app(), ["discord", "invite-url"], env={"DISCORD_TOKEN": "not-a-token"}
    )
    assert isinstance(result.exception, CliError) and result.exception.code == 2 and result.stdout == ""
    message = str(result.exception)
    assert message.startswith("DISCORD_TOKEN does not start with an application id, so give --client-id")
    assert "set DISCORD_TOKEN" not in message
    good = base64.b64encode(b"112233445566778899").decode().rstrip("=") + ".GxYz12.secret"
    fine = CliRunner().invoke(discord_app(), ["discord", "invite-url"], env={"DISCORD_TOKEN": good})
    assert fine.exit_code == 0 and "client_id=112233445566778899&" in fine.stdout


def test_archiving_twice_or_unarchiving_a_live_topic_says_nothing_changed(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both said "Topic pricing unarchived." / "archived." as if something had changed.
    live = partnerbot(monkeypatch, capsys, "topics", "unarchive", "pricing")
    assert live.returncode == 0 and live.stdout == "Topic pricing isn't archived; nothing changed.\n"
    first = partnerbot(monkeypatch, capsys, "topics", "archive", "pricing")
    assert first.returncode == 0 and first.stdout == "Topic pricing archived.\n"
    again = partnerbot(monkeypatch, capsys, "topics", "archive", "pricing")
    assert again.returncode == 0 and again.stdout == "Topic pricing is already archived; nothing changed.\n"
    back = partnerbot(monkeypatch, capsys, "topics", "unarchive", "pricing")
    assert back.returncode == 0 and back.stdout == "Topic pricing unarchived.\n"
    assert table(seeded, "SELECT archived FROM topic WHERE slug = 'pricing'") == [(0,)]


@pytest.mark.parametrize(
    ("args", "readers"),
    [
        (["--body-file", "-", "--variant", "fr=-"], "--body-file - and --variant fr=-"),
        (["--body", "B", "--variant", "fr=-", "--variant", "de = -"], "--variant fr=- and --variant de = -"),
    ],
)
def test_standard_input_is_given_to_one_option_at_most(
    seeded: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    readers: str,
) -> None:
    # The second reader got nothing and was refused as "the file is empty".
    monkeypatch.setattr(sys, "stdin", io.StringIO("Titre\nCorps\n"))
    result = partnerbot(monkeypatch, capsys, "broadcast", "--topic", "pricing", "--title", "T", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.said == (
        f"partnerbot: {readers} all read standard input, which can be read only once: "
        "give the others as files"
    )
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


def test_standard_input_read_by_one_variant_is_its_text(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Titre\nCorps\n"))
    args = ["--topic", "pricing", "--title", "T", "--body", "B", "--variant", "fr=-"]
    assert partnerbot(monkeypatch, capsys, "broadcast", *args).returncode == 0
    assert table(seeded, "SELECT language, title, body FROM announcement_variant") == [
        ("fr", "Titre", "Corps")
    ]


def test_db_upgrade_on_a_database_it_cannot_open_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # SQLAlchemy's message ran onto a second line: "(Background on this error at: https://sqlalche.me/…)".
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARTNERBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}")
    result = partnerbot(monkeypatch, capsys, "db", "upgrade")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "partnerbot: cannot migrate the database: unable to open database file. "
        "Check PARTNERBOT_DATABASE_URL.\n"
    )


def test_an_id_too_large_for_the_database_is_not_a_traceback(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = str(2**64)  # SQLite's driver raised OverflowError for it
    stats = partnerbot(monkeypatch, capsys, "stats", huge)
    assert stats.returncode == 1 and stats.said == f"partnerbot: there is no announcement #{huge}"
    for action in ("start", "pause", "resume", "end"):
        series = partnerbot(monkeypatch, capsys, "series", action, huge)
        assert series.returncode == 2 and "Traceback" not in series.stderr
        assert "Invalid value for 'series_id'" in series.said
    edit = partnerbot(monkeypatch, capsys, "series", "edit", huge, "--title", "T")
    assert edit.returncode == 2 and "Invalid value for 'series_id'" in edit.said


@pytest.mark.parametrize("timeout", ["nan", "-1", "0"])
def test_wait_refuses_a_timeout_that_is_no_number_of_seconds(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], timeout: str
) -> None:
    # "nan" was taken: no deadline compares as reached, so `--wait` never stopped.
    args = ["--topic", "pricing", "--title", "T", "--body", "B", "--wait", "--timeout", timeout]
    result = partnerbot(monkeypatch, capsys, "broadcast", *args)
    assert (
        result.returncode == 2 and result.said == "partnerbot: --timeout must be a positive number of seconds"
    )
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


@pytest.mark.parametrize("command", [["engagement"], ["stats"]])
def test_an_empty_csv_file_name_is_refused_in_words(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # `--csv ''` said "cannot write : Is a directory" (the current directory, opened as the file).
    result = partnerbot(monkeypatch, capsys, *command, "--csv", "")
    assert result.returncode == 2 and result.stdout == "", result
    assert result.said == "partnerbot: --csv needs a file name, or - for standard output"
