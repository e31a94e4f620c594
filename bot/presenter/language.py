"""A reply's words made plain text in the reader's language (bot/i18n.py), inside the core's turn.

Presenters may put a `Message` as it is into a reply (`Reply(text=m.QUIET_OFF)`, a button label); an
adapter renders the reply after the core's turn, outside the reader's `reading`, and JSON encoders
read a `str` subclass's English value. So the core hands adapters plain strings, already translated.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from bot.domain.conversation import Button, Reply, Row
from bot.i18n import reader, text

_R = TypeVar("_R")


def localized(result: _R) -> _R:
    """`result` with its words in the reader's language when it is a Reply; anything else as it is."""
    if not isinstance(result, Reply):
        return result
    reply: Reply = replace(
        result,
        text=text(result.text),
        rows=tuple(_row(row) for row in result.rows),
        buttons=tuple(_button(b) for b in result.buttons),
        # Adapters word the files of a shown announcement themselves (bot/domain/conversation.py).
        language=reader() if result.links or result.files else result.language,
    )
    return reply  # type: ignore[return-value]


def _row(row: Row) -> Row:
    return replace(row, text=text(row.text), button=_button(row.button) if row.button else None)


def _button(button: Button) -> Button:
    return replace(button, label=text(button.label))
