"""Attachments' pure rules: sniffing from the bytes, safe unique names, each platform's limits and
their sentences, and `attach:` in the grammar (Hypothesis: it never raises, paths are kept whole)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import attachments as at
from bot import messages as m
from bot.commands import Broadcast, CommandError
from bot.domain import Attachment, FileProblem, FileProblemKind, Platform, RefusalCode
from bot.grammar import parse_admin
from bot.presenter.files import file_lines, files_refused_reply, problem_lines
from bot.results import FilesRefused

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
ZIP = b"PK\x03\x04" + b"\x00" * 26


def _file(name: str, size: int, media_type: str = "application/pdf") -> Attachment:
    return Attachment(sha256="0" * 64, name=name, media_type=media_type, size=size)


# --- sniffing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PNG, "shot.png", "image/png"),
        (PNG, "shot.jpg", "image/png"),  # the bytes decide, not the extension
        (PNG, "no-extension", "image/png"),
        (JPEG, "photo.jpeg", "image/jpeg"),
        (b"GIF89a" + b"\x00" * 8, "anim.gif", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "pic.webp", "image/webp"),
        (PDF, "prices.pdf", "application/pdf"),
        (PDF, "prices.txt", "application/pdf"),
        (b"just text", "evil.png", "application/octet-stream"),  # named like an image, but is not
        (b"just text", "fake.pdf", "application/octet-stream"),
        (b"a,b\n1,2\n", "sheet.csv", "text/csv"),
        (ZIP, "deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (ZIP, "bundle.zip", "application/zip"),
        (b"\x00\x01", "blob", "application/octet-stream"),
    ],
)
def test_sniff_trusts_the_bytes_for_images_pdfs_and_zips(data: bytes, name: str, expected: str) -> None:
    assert at.sniff(data, name) == expected


def test_only_real_images_are_shown_inline() -> None:
    assert _file("a.png", 1, "image/png").inline_image
    assert not _file("a.png", 1, "application/octet-stream").inline_image


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Price list.pdf", "Price list.pdf"),
        ("bell\x07.txt", "bell.txt"),
        ("   ", "file"),
        ("...", "file"),
    ],
)
def test_safe_name_drops_folders_and_control_characters(given: str, expected: str) -> None:
    assert at.safe_name(given) == expected


def test_a_long_name_keeps_its_extension() -> None:
    name = at.safe_name("x" * 500 + ".pdf")
    assert len(name) <= at.MAX_NAME and name.endswith(".pdf")


def test_names_are_made_unique_case_insensitively() -> None:
    assert at.attachment_name("a.pdf", ["A.pdf"]) == "a (2).pdf"
    assert at.attachment_name("a.pdf", ["a.pdf", "a (2).pdf"]) == "a (3).pdf"
    assert at.attachment_name("README", ["readme"]) == "README (2)"


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_safe_name_is_never_empty_nor_a_path(name: str) -> None:
    safe = at.safe_name(name)
    assert safe and "/" not in safe and "\\" not in safe and len(safe) <= at.MAX_NAME


# --- limits -----------------------------------------------------------------------------------------


def test_discord_refuses_a_file_over_10_mib_and_slack_takes_it() -> None:
    big = _file("video.mp4", 11 * at.MIB, "video/mp4")
    assert at.check([big], [Platform.SLACK]) == ()
    assert at.check([big], [Platform.DISCORD]) == (
        FileProblem(FileProblemKind.TOO_LARGE, "video.mp4", Platform.DISCORD, 11 * at.MIB, at.DISCORD_FILE),
    )


def test_a_boosted_discord_limit_is_honoured() -> None:
    big = _file("video.mp4", 11 * at.MIB, "video/mp4")
    assert at.check([big], [Platform.DISCORD], discord_file=50 * at.MIB) == ()


def test_discord_refuses_more_than_25_mib_in_one_message() -> None:
    files = [_file(f"part{i}.pdf", 9 * at.MIB) for i in range(3)]
    [problem] = at.check(files, [Platform.DISCORD])
    assert problem.kind is FileProblemKind.TOTAL_TOO_LARGE and problem.limit == at.DISCORD_MESSAGE


def test_more_than_ten_files_and_empty_files_are_refused_everywhere() -> None:
    files = [_file(f"f{i}.pdf", 10) for i in range(11)] + [_file("empty.txt", 0, "text/plain")]
    problems = at.check(files, [Platform.SLACK, Platform.DISCORD])
    kinds = [(p.kind, p.platform) for p in problems]
    assert (FileProblemKind.EMPTY, None) in kinds
    assert (FileProblemKind.TOO_MANY, Platform.SLACK) in kinds
    assert (FileProblemKind.TOO_MANY, Platform.DISCORD) in kinds


def test_slack_refuses_a_file_over_1_gb() -> None:
    [problem] = at.check([_file("disk.img", at.SLACK_FILE + 1)], [Platform.SLACK])
    assert problem.kind is FileProblemKind.TOO_LARGE and problem.limit == at.SLACK_FILE


@pytest.mark.parametrize(
    ("size", "words"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1536, "1.5 KB"), (10 * at.MIB, "10 MB"),
     (at.SLACK_FILE, "1 GB")],
)  # fmt: skip
def test_human_size(size: int, words: str) -> None:
    assert at.human_size(size) == words


# --- words ------------------------------------------------------------------------------------------


def test_the_preview_lists_each_file_with_size_and_type() -> None:
    lines = file_lines([_file("prices.pdf", 2048), _file("shot.png", 1536, "image/png")])
    assert lines[0] == m.FILES_HEADING(2)
    assert lines[1:] == ["• prices.pdf — 2 KB, application/pdf", "• shot.png — 1.5 KB, image (image/png)"]


def test_a_refusal_names_the_file_the_platform_and_the_limit() -> None:
    problem = FileProblem(
        FileProblemKind.TOO_LARGE, "video.mp4", Platform.DISCORD, 11 * at.MIB, at.DISCORD_FILE
    )
    assert problem_lines([problem]) == ["• video.mp4 is 11 MB; Discord takes at most 10 MB per file."]
    reply = files_refused_reply(FilesRefused((problem,), 7))
    assert reply.is_error and reply.refusal is not None and reply.refusal.code is RefusalCode.FILES_REFUSED
    assert reply.text.startswith("Announcement 7 can't be sent")


def test_every_problem_kind_has_a_sentence() -> None:
    for kind in FileProblemKind:
        [line] = problem_lines([FileProblem(kind, "x.pdf", Platform.SLACK, 3, 2, detail="why")])
        assert line.startswith("• ") and "{" not in line


# --- grammar ----------------------------------------------------------------------------------------


def test_attach_may_repeat_and_keeps_quoted_paths_whole() -> None:
    parsed = parse_admin(
        'broadcast topic:pricing attach:./a.pdf attach:"My docs/Price list.pdf" title:"T" Body'
    )
    assert isinstance(parsed, Broadcast)
    assert parsed.attach == ("./a.pdf", "My docs/Price list.pdf") and parsed.body == "Body"


def test_attach_beside_a_saved_audience_and_calls_to_action() -> None:
    parsed = parse_admin(
        'broadcast attach:a.pdf audience:emea-gold cta:"Go|https://example.com" attach:b.png title:"T" Body'
    )
    assert isinstance(parsed, Broadcast)
    assert parsed.attach == ("a.pdf", "b.png") and parsed.saved_audience == "emea-gold"
    assert [c.label for c in parsed.ctas] == ["Go"] and parsed.body == "Body"


def test_attach_after_the_title_is_body() -> None:
    parsed = parse_admin('broadcast topic:pricing title:"T" see attach:x.pdf')
    assert isinstance(parsed, Broadcast) and parsed.attach == () and parsed.body == "see attach:x.pdf"


def test_an_empty_attach_is_refused() -> None:
    parsed = parse_admin('broadcast topic:pricing attach:"" title:"T" Body')
    assert isinstance(parsed, CommandError) and "attach:" in parsed.message


def test_edit_cannot_attach() -> None:
    assert isinstance(parse_admin('edit 3 attach:x.pdf title:"T" Body'), CommandError)


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\n'),
                        min_size=1, max_size=40).filter(str.strip), max_size=4))  # fmt: skip
@settings(max_examples=200, deadline=None)
def test_any_quoted_paths_come_back_as_given(paths: list[str]) -> None:
    options = " ".join(f'attach:"{p}"' for p in paths)
    parsed = parse_admin(f'broadcast topic:pricing {options} title:"T" Body')
    if isinstance(parsed, Broadcast):
        assert parsed.attach == tuple(p.strip() for p in paths)
    else:
        assert isinstance(parsed, CommandError)  # never raises
