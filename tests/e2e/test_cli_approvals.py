"""`partnerbot broadcast` with approval on (issue 19): nothing is sent; the request is recorded and
said in the admin channel, where another admin approves it; the command exits 0 and says so."""

from __future__ import annotations

import pytest

from bot import messages as m
from tests.e2e.test_cli_broadcast import BODY, run_main, seeded, table

__all__ = ["seeded"]  # the fixture, used by name


def test_a_broadcast_that_needs_approval_waits_for_it(
    seeded: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARTNERBOT_APPROVAL", "broadcasts")
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--wait"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == m.CLI_AWAITS_APPROVAL.format(id=1)
    assert table(seeded, "SELECT status FROM announcement") == [("draft",)]
    assert table(seeded, "SELECT count(*) FROM delivery") == [(0,)]
    assert table(seeded, "SELECT kind, state, revision FROM approval") == [("send", "pending", 0)]
    [(key, channel, text)] = table(seeded, "SELECT key, channel, text FROM notice")
    assert key == "approval:1" and channel == "C0ADMIN001"
    assert "awaits approval" in str(text) and "`approve 1`" in str(text)
