"""The demo scenario end to end through the local adapter, in-process and as the real command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from bot.cli.demo import run_demo


async def test_demo_plays_the_whole_partner_loop(tmp_path: Path) -> None:
    out = Console(record=True, width=200, color_system=None)
    await run_demo(tmp_path / "demo.db", out)
    text = out.export_text()

    assert 'unknown topic "secruity" — did you mean "security"?' in text
    assert "This channel is now linked to **Nimbus Cloud** (platinum)" in text
    assert "**Preview of announcement #1** (draft)" in text
    assert "Audience: tier: gold, platinum" in text
    assert "[Send]  [Edit]  [Cancel]" in text
    # Exactly the gold and platinum partners following `pricing` got it, and no one else.
    assert "delivered to 9 channels in all" in text
    assert "Partner questions on announcement #1" in text
    assert text.count("❓ **Question #") == 2
    assert "Will the new list be in the portal before 1 Feb? @\u200bchannel" in text  # cannot ping
    # Delta Networks reads German (the seeds' language): partnerbot answers it in German.
    assert "Antwort von dana" in text
    assert "Danke — Ihre Frage (#1) ging an das Hersteller-Team." in text
    assert "• #2" in text  # the unanswered question is still open
    assert "(edited): **2027 partner price list (v2)**" in text
    assert (
        "(live progress): ✅ **#1 “2027 partner price list (v2)”** — delivered to 9 of 9 channels; 0 failed."
        in text
    )
    assert "✏️ Edit: 9 of 9 copies updated" in text
    for row in (r"targeted +9\b", r"delivered +9\b", r"questions asked / answered +2 / 1\b", "reach by tier"):
        assert re.search(row, text), row


def test_demo_command_exits_zero_on_a_fresh_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "demo", "--db", str(tmp_path / "d.db")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Reach and engagement" in result.stdout
    # A second run refuses to reuse the file instead of mixing two demos.
    again = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "demo", "--db", str(tmp_path / "d.db")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert again.returncode == 1 and "already exists" in again.stderr
