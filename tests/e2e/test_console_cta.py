"""Calls to action in `partnerbot console`: the buttons shown under the delivered announcement, and
`:press <id> <label>` counting a click and showing the link to the one who pressed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.test_console import console, import_roster, shell  # noqa: F401  (the fixture)


def test_a_cta_press_counts_a_click_and_shows_the_link(
    shell: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(import_roster(shell / "partnerbot-console.db"))
    session = console(
        monkeypatch,
        capsys,
        [
            'admin@admin: /partner-admin topic add events "Events"',
            "pat@acme: /partner subscribe events",
            'admin@admin: /partner-admin broadcast topic:events cta:"Register now|https://example.com/w" '
            'title:"Webinar" Join us.',
            ":press 6 send",
        ],
    )
    assert session.returncode == 0, session.stderr
    assert "• **Register now** → https://example.com/w" in session.stdout  # the preview
    delivered = session.id_of("#acme partnerbot: \\*\\*Webinar")
    assert f"buttons: 1 Register now · 2 Ask a question · 3 Helpful (:press {delivered} …)" in session.stdout

    pressed = console(
        monkeypatch,
        capsys,
        [
            ":as pat",
            ":in acme",
            f":press {delivered} register",
            f":press {delivered} 1",
            "admin@admin: /partner-admin stats 1",
        ],
    )
    assert pressed.returncode == 0, pressed.stderr
    assert pressed.stdout.count("(only pat sees this): **Register now**") == 2
    assert "https://example.com/w" in pressed.stdout
    assert "**Register now**: 2 clicks (by tier: gold 2; by region: emea 2)" in pressed.stdout
