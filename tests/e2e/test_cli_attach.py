"""`partnerbot broadcast --attach FILE…`: the files go out with the announcement (a real process
delivering to the fake Slack), and a file that cannot be read or sent is one line and exit 2, with
nothing kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli_audiences import run
from tests.e2e.test_cli_broadcast import (
    Result,
    World,
    cli,
    run_main,
    seed,
    seeded,  # noqa: F401  (a fixture)
    table,
    world,  # noqa: F401  (a fixture)
)

PDF = b"%PDF-1.7\n" + b"prices " * 300
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


async def test_attached_files_reach_every_channel_with_the_announcement(world: World) -> None:  # noqa: F811
    await seed(world.url, {name: channel.id for name, channel in world.seats.items()})
    (world.tmp / "Price list.pdf").write_bytes(PDF)
    (world.tmp / "shot.png").write_bytes(PNG)
    args = ("--topic", "pricing", "--title", "Q3 prices", "--body", "See the files.",
            "--attach", "Price list.pdf", "--attach", "shot.png", "--wait", "--timeout", "30")  # fmt: skip
    result = await cli(world, *args, env=world.env())

    assert result.returncode == 0, result.stderr
    assert "sent 2 · pending 0 · failed 0 of 2 deliveries" in result.stdout
    for seat in world.seats.values():
        [post] = [msg for msg in world.fake.messages(seat.id) if msg.bot_id is not None]
        assert [f["name"] for f in post.files or []] == ["Price list.pdf", "shot.png"]
        assert [world.fake.files.files[f["id"]].data for f in post.files or []] == [PDF, PNG]
    assert table(world.url, "SELECT name FROM announcement_file ORDER BY position") == [
        ("Price list.pdf",), ("shot.png",)
    ]  # fmt: skip
    assert len(table(world.url, "SELECT sha256 FROM stored_file")) == 2
    assert [p.name for p in (world.tmp / "partnerbot-files").rglob("*") if p.is_file()] != []


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({}, ["--attach", "missing.pdf"], "--attach missing.pdf: there is no such file"),
        ({"empty.txt": b""}, ["--attach", "empty.txt"], "empty.txt is empty (0 bytes): no platform takes"),
        ({}, ["--attach", "."], "--attach .: it is a folder, not a file"),
        ({"a.pdf": PDF}, ["--attach", "a.pdf"] * 11, "11 files given with --attach; an announcement carries"),
    ],
    ids=["missing", "empty", "folder", "too many"],
)  # fmt: skip
def test_a_file_that_cannot_go_is_refused_and_nothing_is_kept(
    seeded: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, bytes],
    args: list[str],
    message: str,
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result: Result = run_main(
        monkeypatch, capsys, ["--topic", "pricing", "--title", "T", "--body", "B", *args]
    )
    assert result.returncode == 2, result.stderr
    assert message in result.said and "Traceback" not in result.stderr
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]


def test_attach_beside_a_saved_audience_and_a_cta(
    seeded: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "shot.png").write_bytes(PNG)
    saved = run(monkeypatch, capsys, "audiences", "save", "golds", "--tier", "gold", "--topic", "pricing")
    assert saved.returncode == 0, saved.stderr
    args = ("broadcast", "--audience", "golds", "--cta", "Order|https://example.com/o",
            "--attach", "shot.png", "--title", "Q3 prices", "--body", "Out now.")  # fmt: skip
    dry = run(monkeypatch, capsys, *args, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "audience “golds” (tier: gold) — resolved when sent" in dry.stdout
    assert "shot.png — 208 bytes" in dry.stdout and "Order" in dry.stdout
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]

    sent = run(monkeypatch, capsys, *args)
    assert sent.returncode == 0, sent.stderr
    assert table(seeded, "SELECT audience_name, status FROM announcement") == [("golds", "sending")]
    assert table(seeded, "SELECT name FROM announcement_file") == [("shot.png",)]
    assert table(seeded, "SELECT label FROM announcement_cta") == [("Order",)]
