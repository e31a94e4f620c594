"""Attachments' rules, pure: a file's media type from its bytes, a safe display name, and what each
platform refuses (checked when the draft is made and again at `send`, never at delivery).

Limits, and where they come from:
- Discord: 10 MiB per file on a server without boosts, 25 MiB for one message's files together,
  10 files per message (https://discord.com/developers/docs/reference#uploading-files; discord.py
  refuses more than 10). Boosted servers take more: `PARTNERBOT_DISCORD_MAX_FILE_MB`.
- Slack: `files.getUploadURLExternal` takes a `length` per file; Slack's published cap is 1 GB per
  file, and a `length` of 0 is refused (`missing_argument`). Slack publishes no cap on the files of
  one `files.completeUploadExternal`; its own clients share 10 per message, so 10 here.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Sequence

from bot.domain.files import Attachment, FileLimits, FileProblem, FileProblemKind
from bot.domain.refs import Platform

MIB = 1024 * 1024
DISCORD_FILE = 10 * MIB
DISCORD_MESSAGE = 25 * MIB
SLACK_FILE = 1024 * MIB
MAX_FILES = 10
MAX_NAME = 200
FALLBACK_TYPE = "application/octet-stream"

# Magic numbers of the types whose extension alone must not decide (images are shown inline).
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
)
_IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
# Office documents and other zip containers keep the type their extension names.
_ZIP_FAMILY = ("application/vnd.", "application/epub", "application/java-archive")


def sniff(data: bytes, name: str) -> str:
    """The media type of `data`: the bytes decide for images, PDFs and zips; otherwise the name's
    extension (stdlib `mimetypes`), but never an image type the bytes do not bear out."""
    guessed = mimetypes.guess_type(name, strict=False)[0] or ""
    for magic, offset, media_type in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if media_type == "application/zip" and guessed.startswith(_ZIP_FAMILY):
                return guessed
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if guessed.startswith("image/") or _extension(name) in _IMAGE_EXTENSIONS:
        return FALLBACK_TYPE  # named like an image, but not one: never shown inline
    if guessed in ("application/pdf", "application/zip"):
        return FALLBACK_TYPE  # the bytes would have said so
    return guessed or FALLBACK_TYPE


def safe_name(name: str) -> str:
    """A file name fit to show and to upload: no directories, no control characters, not empty,
    at most MAX_NAME characters (the extension kept)."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".") or "file"
    if len(base) > MAX_NAME:
        _, dot, ext = base.rpartition(".")
        keep = ext if dot and len(ext) <= 16 else ""
        base = base[: MAX_NAME - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return base


def attachment_name(name: str, taken: Iterable[str]) -> str:
    """`safe_name`, made unique among `taken` (Discord's `attachment://name` needs it): `a (2).pdf`."""
    base = safe_name(name)
    used = {t.lower() for t in taken}
    if base.lower() not in used:
        return base
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    for n in range(2, 1000):
        candidate = f"{stem} ({n})" + (f".{ext}" if ext else "")
        if candidate.lower() not in used:
            return candidate
    return base


def limits(platform: Platform, *, discord_file: int = DISCORD_FILE) -> FileLimits:
    """What one message on `platform` may carry."""
    if platform is Platform.DISCORD:
        return FileLimits(platform, per_file=discord_file, per_message=max(discord_file, DISCORD_MESSAGE),
                          files=MAX_FILES)  # fmt: skip
    if platform is Platform.SLACK:
        return FileLimits(platform, per_file=SLACK_FILE, per_message=None, files=MAX_FILES)
    return FileLimits(platform, per_file=SLACK_FILE, per_message=None, files=MAX_FILES)


def check(files: Sequence[Attachment], platforms: Iterable[Platform], *, discord_file: int = DISCORD_FILE
          ) -> tuple[FileProblem, ...]:  # fmt: skip
    """Every reason `files` cannot go out to `platforms` as they are, in the order of the files."""
    problems: list[FileProblem] = [FileProblem(FileProblemKind.EMPTY, f.name) for f in files if f.size == 0]
    for platform in sorted(set(platforms), key=lambda p: p.value):
        limit = limits(platform, discord_file=discord_file)
        if len(files) > limit.files:
            problems.append(FileProblem(FileProblemKind.TOO_MANY, "", platform, len(files), limit.files))
        problems += [
            FileProblem(FileProblemKind.TOO_LARGE, f.name, platform, f.size, limit.per_file)
            for f in files
            if f.size > limit.per_file
        ]
        total = sum(f.size for f in files)
        if limit.per_message is not None and total > limit.per_message and len(files) > 1:
            problems.append(
                FileProblem(FileProblemKind.TOTAL_TOO_LARGE, "", platform, total, limit.per_message)
            )
    return tuple(problems)


def human_size(size: int) -> str:
    """`512 bytes`, `1.5 KB`, `10 MB`, `1 GB` (binary multiples, as the platforms count their limits)."""
    if size < 1024:
        return f"{size} byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            shown = f"{value:.1f}".removesuffix(".0")
            return f"{shown} {unit}"
    raise AssertionError("unreachable")


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
