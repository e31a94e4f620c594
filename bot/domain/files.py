"""Files attached to announcements: what is stored (content-addressed), what arrives, what a
platform refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.refs import Platform

# Images every platform shows inline (Slack's image blocks take png/jpg/gif; Discord embeds also webp).
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file an announcement carries: its content's SHA-256 (the key it is stored under once), the
    name the admin gave it, its media type (sniffed from the bytes) and its size in bytes."""

    sha256: str
    name: str
    media_type: str
    size: int

    @property
    def inline_image(self) -> bool:
        return self.media_type in INLINE_IMAGES


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file handed in for a new announcement (downloaded by an adapter, read by the console or the
    CLI), not stored yet."""

    name: str
    data: bytes = field(repr=False)


class FileProblemKind(StrEnum):
    EMPTY = "empty"  # no platform takes a file of 0 bytes
    TOO_LARGE = "too_large"  # over the platform's limit per file
    TOO_MANY = "too_many"  # more files than one message may carry
    TOTAL_TOO_LARGE = "total_too_large"  # all files together over the limit per message
    UNREADABLE = "unreadable"  # a local path that cannot be read (the console, the CLI)
    LOCAL_ONLY = "local_only"  # `attach:` a path from a chat platform: only the console reads paths


@dataclass(frozen=True, slots=True)
class FileProblem:
    """Why an announcement's files cannot go out as they are. `platform` is None for a problem on
    every platform; `limit` (bytes or files) and `size` (bytes or files) are what the sentence names."""

    kind: FileProblemKind
    name: str = ""
    platform: Platform | None = None
    size: int = 0
    limit: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FileLimits:
    """What one message on a platform may carry (bot/attachments.py has each platform's numbers)."""

    platform: Platform
    per_file: int
    per_message: int | None
    files: int


class UnusedWhy(StrEnum):
    """Why stored bytes are no announcement's any more (`partnerbot files gc`, the files-gc job)."""

    CLOSED = "closed"  # only cancelled or recalled announcements carried it
    UNLINKED = "unlinked"  # its drafts were discarded: no announcement carries it
    UNTRACKED = "untracked"  # stored, but no announcement was ever saved with it (a refused draft)
    INCOMPLETE = "incomplete"  # a temporary file left by an interrupted write


@dataclass(frozen=True, slots=True)
class UnusedFile:
    """Stored bytes that may be removed: their key (a SHA-256, or a temporary file's name), size,
    why, and — for CLOSED — the names they were attached under and the announcements (id, status)."""

    key: str
    size: int
    why: UnusedWhy
    names: tuple[str, ...] = ()
    announcements: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class StoredBytes:
    """What the FileStore holds under a key (a SHA-256, or a temporary file's name when `partial`):
    its size and when it was last written or stored again (a re-attached content is touched)."""

    key: str
    size: int
    modified: datetime
    partial: bool = False


@dataclass(frozen=True, slots=True)
class FileUsage:
    """The database's side of a collection: the recorded contents no live announcement (draft,
    scheduled, sending, sent) carries, and every content recorded at all."""

    unused: tuple[UnusedFile, ...]
    known: frozenset[str]


@dataclass(frozen=True, slots=True)
class FilesCollected:
    """A collection's outcome: what was removed (or, in a dry run, would be)."""

    removed: tuple[UnusedFile, ...]
    dry_run: bool

    @property
    def size(self) -> int:
        return sum(f.size for f in self.removed)
