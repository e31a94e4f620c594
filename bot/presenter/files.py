"""Announcements' files in words: the preview's list, what a platform refuses and why."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages as m
from bot.attachments import human_size
from bot.domain.conversation import Refusal, RefusalCode, Reply
from bot.domain.files import Attachment, FileProblem, FileProblemKind
from bot.domain.refs import Platform
from bot.results import FilesRefused

_PLATFORM_NAMES = {Platform.SLACK: "Slack", Platform.DISCORD: "Discord", Platform.LOCAL: "the console"}


def file_lines(files: Sequence[Attachment]) -> list[str]:
    """`📎 2 files attached:` and a line per file (name, human size, type)."""
    if not files:
        return []
    lines = [m.FILES_HEADING(len(files))]
    for f in files:
        kind = f"{m.FILE_IMAGE} ({f.media_type})" if f.inline_image else f.media_type
        lines.append(m.FILE_LINE.format(name=f.name, size=human_size(f.size), type=kind))
    return lines


def problem_lines(problems: Sequence[FileProblem]) -> list[str]:
    """One sentence per problem, naming the file, the platform and its limit."""
    return [_problem(p) for p in problems]


def _problem(p: FileProblem) -> str:
    platform = _PLATFORM_NAMES.get(p.platform, "") if p.platform else ""
    match p.kind:
        case FileProblemKind.EMPTY:
            return m.FILE_EMPTY.format(name=p.name)
        case FileProblemKind.TOO_LARGE:
            return m.FILE_TOO_LARGE.format(
                name=p.name, size=human_size(p.size), platform=platform, limit=human_size(p.limit)
            )
        case FileProblemKind.TOO_MANY:
            return m.FILE_TOO_MANY.format(count=p.size, platform=platform, limit=p.limit)
        case FileProblemKind.TOTAL_TOO_LARGE:
            return m.FILE_TOTAL_TOO_LARGE.format(
                size=human_size(p.size), platform=platform, limit=human_size(p.limit)
            )
        case FileProblemKind.UNREADABLE:
            return m.FILE_UNREADABLE.format(name=p.name, detail=p.detail)
        case FileProblemKind.LOCAL_ONLY:
            return m.FILE_LOCAL_ONLY.format(name=p.name)
    raise AssertionError(f"unworded file problem {p.kind}")


def files_refused_reply(refused: FilesRefused) -> Reply:
    problems = "\n".join(problem_lines(refused.problems))
    if refused.announcement_id is not None:
        template = m.TEST_FILES_REFUSED if refused.test else m.FILES_REFUSED
        text = template.format(id=refused.announcement_id, problems=problems)
    else:
        text = problems
    return Reply(text=text, is_error=True, refusal=Refusal(RefusalCode.FILES_REFUSED, "files"))
