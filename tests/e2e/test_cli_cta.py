"""`partnerbot broadcast --cta "Label|URL"`: stored with the announcement in the order given, shown in
the preview; a wrong one is one line and exit 2, with nothing created."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from bot.cli import main
from tests.e2e.test_cli_broadcast import BODY, run_main, seeded, table  # noqa: F401  (the fixture)

WEBINAR = "Register now|https://example.com/webinar"
AGENDA = "Agenda|https://example.com/agenda?day=1,2"


def test_ctas_are_stored_in_order_and_shown_in_the_preview(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--topic", "pricing", *BODY, "--cta", WEBINAR, "--cta", AGENDA]
    result = run_main(monkeypatch, capsys, args)
    assert result.returncode == 0, result.stderr
    assert table(seeded, "SELECT number, label, url FROM announcement_cta ORDER BY number") == [
        (1, "Register now", "https://example.com/webinar"),
        (2, "Agenda", "https://example.com/agenda?day=1,2"),
    ]


def test_a_dry_run_shows_the_ctas_and_keeps_nothing(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--cta", WEBINAR, "--dry-run"])
    assert result.returncode == 0, result.stderr
    assert "Register now" in result.stdout and "https://example.com/webinar" in result.stdout
    assert table(seeded, "SELECT count(*) FROM announcement_cta") == [(0,)]
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


@pytest.mark.parametrize(
    ("ctas", "said"),
    [
        (["Register now"], "has no `|`"),
        (["Go|ftp://example.com/x"], "is not a web address partners can open"),
        (["|https://example.com"], "button label needs 1 to 75 characters"),
        ([WEBINAR, AGENDA, WEBINAR, AGENDA], "up to 3 calls to action"),
    ],
    ids=["no-bar", "not-web", "no-label", "too-many"],
)
def test_a_wrong_cta_is_one_line_and_exit_2(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ctas: list[str],
    said: str,
) -> None:
    args = ["--topic", "pricing", *BODY]
    for cta in ctas:
        args += ["--cta", cta]
    result = run_main(monkeypatch, capsys, args)
    assert result.returncode == 2
    assert result.said.startswith("partnerbot: --cta: ") and said in result.said, result.said
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


def test_partnerbot_stats_shows_each_ctas_clicks(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--cta", WEBINAR, "--cta", AGENDA])
    assert sent.returncode == 0, sent.stderr
    monkeypatch.setattr(sys, "argv", ["partnerbot", "stats", "1"])
    with pytest.raises(SystemExit) as exited:
        main()
    shown = capsys.readouterr().out
    assert exited.value.code in (0, None)
    assert "clicks: Register now" in shown and "0 clicks" in shown
    monkeypatch.setattr(sys, "argv", ["partnerbot", "stats", "--csv", "-"])
    with pytest.raises(SystemExit):
        main()
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["clicks_by_cta"] == "Register now=0; Agenda=0"
