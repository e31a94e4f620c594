"""Files for a new announcement: read (console paths), sniffed, named, stored once; and the check
of what each target platform can take (at draft time and at `send`, never at delivery)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot import attachments
from bot.commands import Broadcast
from bot.domain.conversation import Invocation
from bot.domain.files import Attachment, FileProblem, FileProblemKind, NewFile
from bot.domain.refs import Platform
from bot.ports.files import FileStore, FileUnreadable, LocalFiles

# Platforms a draft is checked against when it reaches no channel yet: every chat platform.
CHAT_PLATFORMS = (Platform.SLACK, Platform.DISCORD)


@dataclass(frozen=True, slots=True)
class FilePorts:
    """The ports FileService uses; `local` is None where no path may be read (the root decides).
    `discord_file` is Discord's limit per file here (PARTNERBOT_DISCORD_MAX_FILE_MB, read by the root)."""

    store: FileStore
    local: LocalFiles | None = None
    discord_file: int = attachments.DISCORD_FILE


@dataclass(frozen=True, slots=True)
class Gathered:
    """A broadcast's files, stored, or why some could not even be read (then nothing is created)."""

    files: tuple[Attachment, ...] = ()
    problems: tuple[FileProblem, ...] = ()


class FileService:
    def __init__(self, ports: FilePorts) -> None:
        self._ports = ports
        self._discord_file = ports.discord_file

    async def gather(self, inv: Invocation, cmd: Broadcast) -> Gathered:
        """Read `attach:` paths (the console only), then store every file once, each under a unique
        safe name and its sniffed type. A path that cannot be read is a problem, never skipped."""
        given: list[NewFile] = []
        problems: list[FileProblem] = []
        for path in cmd.attach:
            if inv.channel.platform is not Platform.LOCAL or self._ports.local is None:
                problems.append(FileProblem(FileProblemKind.LOCAL_ONLY, path))
                continue
            try:
                given.append(await self._ports.local.read(path=path))
            except FileUnreadable as exc:
                problems.append(FileProblem(FileProblemKind.UNREADABLE, path, detail=str(exc)))
        if problems:
            return Gathered(problems=tuple(problems))
        return Gathered(files=tuple(await self.store([*given, *cmd.files])))

    async def store(self, files: Sequence[NewFile]) -> list[Attachment]:
        stored: list[Attachment] = []
        for new in files:
            sha256 = await self._ports.store.put(data=new.data)
            name = attachments.attachment_name(new.name, (a.name for a in stored))
            media_type = attachments.sniff(new.data, name)
            stored.append(Attachment(sha256=sha256, name=name, media_type=media_type, size=len(new.data)))
        return stored

    def check(self, files: Sequence[Attachment], by_platform: Iterable[str]) -> tuple[FileProblem, ...]:
        """What the platforms the draft reaches (all chat platforms when it reaches none) refuse."""
        if not files:
            return ()
        known = {p.value: p for p in Platform}
        platforms = [known[name] for name in by_platform if name in known] or list(CHAT_PLATFORMS)
        return attachments.check(files, platforms, discord_file=self._discord_file)
