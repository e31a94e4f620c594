"""Markdown cut into what a machine translator may see and what it must not touch.

Fenced code blocks, `code` spans, links' URLs (`[label](url)`: the label is translated), Slack's
`<url|label>` and bare URLs are kept exactly; so are line breaks, blank lines, list and quote markers
and the spaces around each piece. Each line's remaining text runs are translated on their own, so
nothing the translator returns can move or break the parts kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_KEPT = re.compile(
    r"(?P<code>(`+)[^`].*?\2)"  # a code span (``a ` b`` too)
    r"|(?P<open>\[)(?=[^\]\n]+\]\([^)\s]+\))"  # the `[` of a link whose label follows
    r"|(?P<close>\]\([^)\s]+\))"  # a link's `](url)`
    r"|(?P<angle><[^>\n]+>)"  # Slack's <url|label>, <@U123>, <#C123>
    r"|(?P<url>https?://\S+)"  # a bare URL
)
_MARKER = re.compile(r"^[ \t]*(?:[-*+>]|#{1,6}|\d{1,3}[.)])?[ \t]*")


@dataclass(frozen=True, slots=True)
class Piece:
    """Part of the text: `text` to translate (`translate`), or to keep as it is."""

    text: str
    translate: bool


def pieces(markdown: str) -> list[Piece]:
    """The text cut into pieces; joined, they give back `markdown` exactly."""
    found: list[Piece] = []
    pos = 0
    for fence in _FENCE.finditer(markdown):
        found += _prose(markdown[pos : fence.start()])
        found.append(Piece(fence.group(0), translate=False))
        pos = fence.end()
    found += _prose(markdown[pos:])
    return found


def _prose(text: str) -> list[Piece]:
    found: list[Piece] = []
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        marker = _MARKER.match(content)
        start = marker.end() if marker else 0
        found.append(Piece(content[:start], translate=False))
        pos = start
        for kept in _KEPT.finditer(content, start):
            found += _run(content[pos : kept.start()])
            found.append(Piece(kept.group(0), translate=False))
            pos = kept.end()
        found += _run(content[pos:])
        found.append(Piece(line[len(content) :], translate=False))
    return [piece for piece in found if piece.text]


def _run(text: str) -> list[Piece]:
    """A run of prose: its spaces kept, its words translated (punctuation alone is kept as it is)."""
    words = text.strip()
    if not any(char.isalnum() for char in words):  # spaces or punctuation alone: nothing to translate
        return [Piece(text, translate=False)]
    lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return [Piece(lead, translate=False), Piece(words, translate=True), Piece(tail, translate=False)]


def translatable(cut: Sequence[Piece]) -> list[str]:
    return [piece.text for piece in cut if piece.translate]


def rejoin(cut: Sequence[Piece], translated: Sequence[str]) -> str:
    """The pieces joined again, the translated runs (in order) in place of the originals."""
    answers = iter(translated)
    return "".join(next(answers).strip() if piece.translate else piece.text for piece in cut)
