"""`partnerbot series list|start|pause|resume|end|edit` and `partnerbot calendar` as a shell runs
them: the chat's words, one-line errors with non-zero exits, audited as "cli"."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli_audiences import run
from tests.e2e.test_cli_broadcast import seeded, table

__all__ = ["seeded"]  # the fixture: a gold partner in emea following `pricing`


def _series(url: str, *, status: str = "draft") -> None:
    """A weekly series as `broadcast … every:"monday 09:00"` in the chat makes one."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        db.execute(
            "INSERT INTO series (title, body, topics, audience, urgent, ack_required, ctas, rule, zone, "
            "status, author_platform, author_workspace, author_user, author_name, origin_workspace, "
            "origin_channel, created_at, revision, last_note) VALUES ('Weekly_tips', 'Body', "
            "'[\"pricing\"]', '{}', 0, 0, '[]', 'monday 09:00', 'UTC', ?, 'slack', 'T1', 'U1', 'Ann', "
            "'T1', 'C0ADMIN001', '2026-11-24 09:00:00', 0, '')",
            (status,),
        )


def test_list_start_pause_resume_edit_end_and_the_calendar(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _series(seeded)
    listed = run(monkeypatch, capsys, "series", "list")
    assert listed.returncode == 0, listed.stderr
    assert (
        "1 Weekly_tips — every Monday at 09:00 UTC · draft (`series start 1`) · next: Mon " in listed.stdout
    )
    for action, words in (
        ("start", "Series 1 “Weekly_tips” started: the first occurrence is Mon "),
        ("pause", "Series 1 “Weekly_tips” paused"),
        ("resume", "Series 1 “Weekly_tips” resumed: the next occurrence is Mon "),
    ):
        done = run(monkeypatch, capsys, "series", action, "1")
        assert done.returncode == 0 and words in " ".join(done.stdout.split()), done
    edited = run(monkeypatch, capsys, "series", "edit", "1", "--title", "Tips")
    assert edited.returncode == 0 and "Series 1 “Tips” has its new text" in " ".join(edited.stdout.split())
    shown = run(monkeypatch, capsys, "calendar", "--weeks", "1")
    assert shown.returncode == 0, shown.stderr
    assert "09:00 — series 1 Tips" in shown.stdout and "nothing planned" in shown.stdout
    assert "_" not in shown.stdout.replace("Weekly_tips", "")
    ended = run(monkeypatch, capsys, "series", "end", "1")
    assert ended.returncode == 0 and "ended: no more occurrences" in " ".join(ended.stdout.split())
    assert table(
        seeded, "SELECT action, channel_id FROM audit_log WHERE action LIKE 'series%' ORDER BY id"
    ) == [
        ("seriesaction", "cli"),
        ("seriesaction", "cli"),
        ("seriesaction", "cli"),
        ("seriesedit", "cli"),
        ("seriesaction", "cli"),
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["series", "start", "7"], 1, "There's no series 7. `series` lists them."),
        (["series", "resume", "1"], 1, "Series 1 is a draft, not started yet"),
        (["series", "edit", "1"], 2, "say what changes: --title and/or --body"),
        (["series", "edit", "1", "--title", " "], 2, "say what changes"),
        (
            ["calendar", "--weeks", "13"],
            2,
            "--weeks: Give the number of weeks as a whole number from 1 to 12",
        ),
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
    _series(seeded)
    result = run(monkeypatch, capsys, *args)
    assert result.returncode == code, result.stderr
    assert result.said.startswith("partnerbot: ") and message in result.said, result.said
    assert "Traceback" not in result.stderr
    assert table(seeded, "SELECT status FROM series") == [("draft",)]


BASE = ["broadcast", "--topic", "pricing", "--title", "Weekly tips", "--body", "One tip a week."]


def test_broadcast_every_makes_and_starts_a_series(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made = run(monkeypatch, capsys, *BASE, "--every", "monday 09:00", "--until", "2099-06-30")
    assert made.returncode == 0, made.stderr
    said = " ".join(made.stdout.split())
    assert "Weekly tips" in said and "every Monday at 09:00 UTC" in said, said
    assert "1 channel of 1 partner" in said, said  # the reach, as the chat's preview says it
    assert "Series 1 “Weekly tips” started: the first occurrence is Mon " in said, said
    assert "**" not in made.stdout and "`series start 1` starts it" not in said
    assert table(seeded, "SELECT title, rule, status, until FROM series") == [
        ("Weekly tips", "monday 09:00", "active", "2099-06-30")
    ]
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]  # drafted at each occurrence
    actions = table(seeded, "SELECT action, user_id LIKE 'cli:%' FROM audit_log ORDER BY id")
    assert actions == [("broadcast", 1), ("seriesaction", 1)], actions  # as the operator, like a one-off


def test_broadcast_every_dry_run_keeps_nothing(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = run(monkeypatch, capsys, *BASE, "--every", "1st monday 10:00 local", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert "Dry run: nothing was started and nothing was kept." in shown.stdout
    said = " ".join(shown.stdout.split())
    assert "Goes out on the first Monday of every month at 10:00 on each channel's own clock" in said
    assert "`series start" not in said  # the chat's buttons' words: this command started or kept nothing
    assert table(seeded, "SELECT count(*) FROM series") == [(0,)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--every", "someday"], "--every: "),
        (["--every", "monday 09:00", "--until", "30/06/2027"], "--until: "),
        (["--until", "2027-06-30"], "--until ends a recurring series, so it goes with --every"),
        (["--every", "monday 09:00", "--at", "2099-01-01 09:00"], "--every and --at don't go together"),
        (["--every", "monday 09:00", "--wait"], "--wait cannot follow a series"),
        (["--every", "monday 09:00", "--attach", "x.pdf"], "a recurring series can't carry files"),
        (["--every", "monday 09:00", "--variant", "de=x.txt"], "a recurring series has no translations"),
        (["--every", "monday 09:00", "--until", "2020-01-01"], "until"),
    ],
    ids=[
        "bad-rule",
        "bad-until",
        "until-alone",
        "with-at",
        "with-wait",
        "with-attach",
        "with-variant",
        "past",
    ],
)
def test_broadcast_every_refusals_are_one_line_and_create_nothing(
    seeded: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    result = run(monkeypatch, capsys, *BASE, *extra)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.said.startswith("partnerbot: ") and message in result.said, result.said
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) <= 3
    assert table(seeded, "SELECT count(*) FROM series") == [(0,)]
