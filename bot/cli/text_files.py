"""Text files the CLI reads (`--body-file`, `--variant LANG=FILE`, `partners import`): why one cannot
be read, in the words `--attach` uses, rather than Python's "[Errno 2] No such file or directory"."""

from __future__ import annotations

import sys
from pathlib import Path

from bot import messages as m
from bot.cli import CliError


def read_text(file: str, *, code: int) -> str:
    """The UTF-8 text of `file` (`-`: standard input), or a CliError with exit `code` saying why not."""
    try:
        return sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        why = m.FILE_UNREADABLE_MISSING
    except IsADirectoryError:
        why = m.FILE_UNREADABLE_DIRECTORY
    except PermissionError:
        why = m.FILE_UNREADABLE_DENIED
    except UnicodeDecodeError:
        why = m.FILE_NOT_UTF8
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
    where = "standard input" if file == "-" else file
    raise CliError(f"cannot read {where}: {why}", code)
