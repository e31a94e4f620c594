"""`partnerbot broadcast --variant LANG=FILE`: the file's first line is the title, the rest the body;
stored with the draft (the tag standardised), shown in the preview's languages; a wrong one is one
line and exit 2, with nothing created."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.test_cli_broadcast import BODY, run_main, seeded, table  # noqa: F401  (the fixture)


def test_variants_are_stored_with_the_announcement(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    (tmp_path / "de.txt").write_text("Neue Preise\n\nDie Listen\nsind da.\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text("Nouveaux prix\nVoilà.", encoding="utf-8")
    args = ["--topic", "pricing", *BODY, "--variant", "de_DE=de.txt", "--variant", "fr=fr.txt"]
    result = run_main(monkeypatch, capsys, args)
    assert result.returncode == 0, result.stderr
    assert table(seeded, "SELECT language, title, body, revision FROM announcement_variant ORDER BY 1") == [
        ("de-de", "Neue Preise", "Die Listen\nsind da.", 1),
        ("fr", "Nouveaux prix", "Voilà.", 1),
    ]


@pytest.mark.parametrize(
    ("variant", "content", "said"),
    [
        ("de", None, "--variant de: give a language and a file"),
        ("de=missing.txt", None, "cannot read missing.txt: there is no such file"),
        ("de=v.txt", "", "the file is empty"),
        ("de=v.txt", "Nur ein Titel\n", "the file has only a title"),
        ("en=v.txt", "Title\nBody", "is the language of the default text"),
        ("!!=v.txt", "Title\nBody", "!!"),
    ],
    ids=["no-file", "unreadable", "empty", "title-only", "default-language", "bad-tag"],
)
def test_a_wrong_variant_is_one_line_and_exit_2(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    variant: str,
    content: str | None,
    said: str,
) -> None:
    if content is not None:
        (tmp_path / "v.txt").write_text(content, encoding="utf-8")
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--variant", variant])
    assert result.returncode == 2, result
    assert said in result.said, result.said
    assert "Traceback" not in result.stderr
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]
    assert table(seeded, "SELECT count(*) FROM announcement_variant") == [(0,)]


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda path: path.mkdir(), "cannot read v.txt: it is a folder, not a file"),
        (lambda path: path.write_bytes("Prix\nVoilà".encode("latin-1")), "v.txt: it is not UTF-8 text"),
    ],
    ids=["folder", "latin-1"],
)
def test_a_variant_file_that_cannot_be_read_says_why_in_words(
    seeded: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: Callable[[Path], object],
    said: str,
) -> None:
    # As `--attach` says it: no "[Errno 21] Is a directory" or codec error text.
    make(tmp_path / "v.txt")
    result = run_main(monkeypatch, capsys, ["--topic", "pricing", *BODY, "--variant", "fr=v.txt"])
    assert result.returncode == 2 and said in result.said and "Errno" not in result.said, result.said
    assert table(seeded, "SELECT count(*) FROM announcement") == [(0,)]
