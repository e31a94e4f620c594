"""The partner catalogs: extraction of bot/messages.py, compilation, and the completeness check.

`pybabel extract -F babel.cfg` calls `extract` below (bot/messages.py builds some texts by
concatenation, which Babel's Python extractor cannot read, so the messages are collected from the
imported module): every `Message` and every partner `Plural`, named by its constant. The same module
runs without pybabel:

    uv run python -m bot.i18n_catalog extract   # bot/locale/messages.pot
    uv run python -m bot.i18n_catalog update    # merge the .pot into every <lang>/LC_MESSAGES/messages.po
    uv run python -m bot.i18n_catalog compile   # .po → .mo (committed; a test keeps them equal)
    uv run python -m bot.i18n_catalog check     # every message translated, placeholders kept
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import IO, Any

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot import i18n, messages

POT = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
_CONSTANT = re.compile(r"^([A-Z][A-Z0-9_]*)\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Entry:
    """One partner-facing message: the constant (and key) it is defined under, and its id."""

    name: str
    msgid: str | tuple[str, str]


def partner_messages() -> list[Entry]:
    """Every partner-facing message of bot/messages.py, in the order of the module, each once."""
    seen: set[str | tuple[str, str]] = set()
    entries: list[Entry] = []
    for name, value in vars(messages).items():
        for label, msgid in _ids(name, value):
            if msgid not in seen:
                seen.add(msgid)
                entries.append(Entry(label, msgid))
    return entries


def _ids(name: str, value: object) -> Iterator[tuple[str, str | tuple[str, str]]]:
    if isinstance(value, i18n.Message):
        yield name, str.__str__(value)
    elif isinstance(value, i18n.Plural) and value.partner:
        yield name, (value.singular, value.plural)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _ids(f"{name}[{key}]", item)


def extract(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Iterable[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """Babel's extraction method for bot/messages.py (babel.cfg): the messages of the imported
    module, each at the line of its constant, with the constant's name as the translator comment."""
    source = fileobj.read().decode("utf-8")
    lines = {m.group(1): source.count("\n", 0, m.start()) + 1 for m in _CONSTANT.finditer(source)}
    for entry in partner_messages():
        line = lines.get(entry.name.split("[", 1)[0], 0)
        function = "ngettext" if isinstance(entry.msgid, tuple) else "gettext"
        yield line, function, entry.msgid, [entry.name]


def template() -> Catalog:
    """The .pot: every partner-facing message, untranslated."""
    pot = Catalog(project="partnerbot", domain=i18n.DOMAIN, fuzzy=False)
    for entry in partner_messages():
        pot.add(entry.msgid, auto_comments=[entry.name])
    return pot


def po_paths() -> list[Path]:
    return sorted(i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))


def load_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name, domain=i18n.DOMAIN)


def placeholders(text: str) -> set[str]:
    """The `{name}` fields of a `str.format` template (`{time:%H:%M}` counts as `time`)."""
    try:
        return {field.split(".")[0].split("[")[0] for _, field, _, _ in Formatter().parse(text) if field}
    except ValueError:
        return {"<unbalanced braces>"}


def problems(catalog: Catalog, expected: Iterable[str | tuple[str, str]] | None = None) -> list[str]:
    """What keeps `catalog` from being complete: a message of the template missing or untranslated,
    a fuzzy one, or a translation whose placeholders differ from its message id's."""
    found: list[str] = []
    language = catalog.locale_identifier or "?"
    ids = {_key(msg.id) for msg in catalog if msg.id}
    for msgid in expected or ():
        if _key(msgid) not in ids:
            found.append(f"{language}: missing {_key(msgid)!r}")
    for msg in catalog:
        if not msg.id:
            continue
        found.extend(
            f"{language}: {_key(msg.id)!r}: {p}" for p in _message_problems(msg, catalog.num_plurals)
        )
    return found


def _key(msgid: str | tuple[str, str] | Any) -> str:
    return msgid if isinstance(msgid, str) else str(msgid[0])


def _message_problems(msg: Message, num_plurals: int) -> Iterator[str]:
    if msg.fuzzy:
        yield "marked fuzzy"
    ids = (msg.id,) if isinstance(msg.id, str) else tuple(msg.id)
    strings = (msg.string,) if isinstance(msg.string, str) else tuple(msg.string or ())
    if isinstance(msg.id, tuple | list) and len(strings) != num_plurals:
        yield f"{len(strings)} plural forms, the language has {num_plurals}"
    if not strings or not all(strings):
        yield "not translated"
        return
    allowed = set().union(*(placeholders(i) for i in ids))
    # A plural form may spell its count out ("the latest announcement"): `{n}` alone is optional.
    required = allowed - {"n"} if len(ids) > 1 else allowed
    for string in strings:
        got = placeholders(string)
        if not required <= got <= allowed:
            yield f"placeholders {sorted(got)} where the message has {sorted(allowed)}"


def compile_all() -> list[Path]:
    written = []
    for path in po_paths():
        catalog = load_po(path)
        mo = path.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        with POT.open("wb") as f:
            write_po(f, template(), width=100, omit_header=False)
        print(f"wrote {POT}")
    elif command == "update":
        pot = template()
        for path in po_paths():
            catalog = load_po(path)
            catalog.update(pot, no_fuzzy_matching=True)
            with path.open("wb") as f:
                write_po(f, catalog, width=0, ignore_obsolete=True)
            print(f"updated {path}")
    elif command == "compile":
        for mo in compile_all():
            print(f"wrote {mo}")
    elif command == "check":
        expected = [e.msgid for e in partner_messages()]
        found = [p for path in po_paths() for p in problems(load_po(path), expected)]
        print("\n".join(found) or "every catalog is complete")
        return 1 if found else 0
    else:
        print("usage: python -m bot.i18n_catalog extract|update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
