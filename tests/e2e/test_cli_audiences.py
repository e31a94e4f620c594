"""`partnerbot audiences list|show|save|delete` and `partnerbot broadcast --audience NAME` as a shell
runs them: the chat's words and checks, one-line errors with non-zero exits, audited as "cli"."""

from __future__ import annotations

import sys

import pytest

from bot.cli import main
from tests.e2e.test_cli_broadcast import BODY, Result, seeded, table

__all__ = ["seeded"]  # the fixture: a gold partner in emea following `pricing`


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    monkeypatch.setattr(sys, "argv", ["partnerbot", *args])
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def test_save_list_show_delete(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = run(monkeypatch, capsys, "audiences", "save", "emea-gold", "--tier", "gold", "--region", "emea")
    assert saved.returncode == 0, saved.stderr
    assert (
        "Saved audience “emea-gold” (tier: gold · region: emea) — reaches 1 channel of 1 partner now"
        in saved.stdout
    )
    replaced = run(
        monkeypatch, capsys, "audiences", "save", "emea-gold", "--tier", "gold,platinum", "--topic", "pricing"
    )
    assert "replaced: tier gold → gold, platinum; region emea → any; topic none → pricing" in replaced.stdout

    listed = run(monkeypatch, capsys, "audiences", "list")
    assert "1 saved audience" in listed.stdout and "emea-gold" in listed.stdout
    shown = run(monkeypatch, capsys, "audiences", "show", "emea-gold")
    assert "Audience “emea-gold” — tier: gold, platinum · topics: pricing" in shown.stdout
    deleted = run(monkeypatch, capsys, "audiences", "delete", "emea-gold")
    assert deleted.returncode == 0 and "deleted" in deleted.stdout
    assert table(seeded, "SELECT count(*) FROM saved_audience") == [(0,)]
    assert table(
        seeded, "SELECT action, channel_id FROM audit_log WHERE action LIKE 'audience%' ORDER BY id"
    ) == [
        ("audiencesave", "cli"),
        ("audiencesave", "cli"),
        ("audiencedelete", "cli"),
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["save", "Not a name", "--tier", "gold"], 2, "is not an audience name"),
        (["save", "golds"], 2, "at least one of --tier"),
        (["save", "golds", "--tier", "golf"], 2, 'unknown tier "golf" — did you mean "gold"?'),
        (["save", "golds", "--topic", "pricng"], 2, 'unknown topic "pricng" — did you mean "pricing"?'),
        (["show", "nobody"], 1, 'There\'s no saved audience "nobody".'),
        (["delete", "nobody"], 1, 'There\'s no saved audience "nobody".'),
    ],
)
def test_refusals_are_one_line(
    seeded: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    result = run(monkeypatch, capsys, "audiences", *args)
    assert result.returncode == code, result.stderr
    assert result.said.startswith("partnerbot: ") and message in result.said, result.said
    assert "Traceback" not in result.stderr
    assert table(seeded, "SELECT count(*) FROM saved_audience") == [(0,)]


def test_broadcast_with_a_saved_audience(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run(monkeypatch, capsys, "audiences", "save", "golds", "--tier", "gold", "--topic", "pricing")
    dry = run(monkeypatch, capsys, "broadcast", "--audience", "golds", *BODY, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "audience “golds” (tier: gold) — resolved when sent" in dry.stdout
    both = run(monkeypatch, capsys, "broadcast", "--audience", "golds", "--tier", "gold", *BODY)
    assert both.returncode == 2 and "--audience is the whole audience" in both.said
    unknown = run(monkeypatch, capsys, "broadcast", "--audience", "gold", *BODY)
    assert unknown.returncode == 2 and 'no saved audience "gold" — did you mean "golds"?' in unknown.said
    run(monkeypatch, capsys, "audiences", "save", "silvers", "--tier", "silver", "--topic", "pricing")
    nobody = run(monkeypatch, capsys, "broadcast", "--audience", "silvers", *BODY)
    assert nobody.returncode == 1 and "it would reach no channel" in nobody.said
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]

    sent = run(monkeypatch, capsys, "broadcast", "--audience", "golds", *BODY)
    assert sent.returncode == 0, sent.stderr
    assert table(seeded, "SELECT audience_name, status FROM announcement") == [("golds", "sending")]
    kept = run(monkeypatch, capsys, "audiences", "delete", "golds")
    assert kept.returncode == 0  # sent: it no longer needs the saved audience
