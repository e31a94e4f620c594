"""`partnerbot broadcast --variant LANG=FILE`: the text in another language, read from a file whose
first line is the title and whose following lines are the body (as written, trimmed at both ends)."""

from __future__ import annotations

from collections.abc import Callable

from bot.cli import CliError
from bot.commands import MAX_BODY, MAX_TITLE
from bot.domain.variants import Variant

USAGE = 2  # the exit code of a wrong command line (bot/cli/broadcast.py)


def read_variants(values: list[str], read: Callable[[str], str]) -> tuple[Variant, ...]:
    """Every `--variant`, its file read now with `read` (a path, or - for standard input)."""
    return tuple(_variant(value, read) for value in values)


def _variant(value: str, read: Callable[[str], str]) -> Variant:
    language, sep, file = (part.strip() for part in value.partition("="))
    if not sep or not language or not file:
        example = "--variant de=news.de.txt"
        raise CliError(f"--variant {value}: give a language and a file, e.g. {example}", USAGE)
    first, _, rest = read(file).strip().partition("\n")
    title, body = first.strip(), rest.strip()
    where = f"--variant {language}"
    if not title:
        raise CliError(f"{where}: the file is empty; its first line is the title, the rest the body", USAGE)
    if len(title) > MAX_TITLE:
        too_long = f"the title (the first line) is {len(title)} characters long; keep it to {MAX_TITLE}"
        raise CliError(f"{where}: {too_long} or fewer", USAGE)
    if not body:
        raise CliError(f"{where}: the file has only a title; write the body on the lines after it", USAGE)
    if len(body) > MAX_BODY:
        raise CliError(f"{where}: the text is {len(body)} characters long; the limit is {MAX_BODY}", USAGE)
    return Variant(language, title, body)
