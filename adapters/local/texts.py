"""What only the local adapter says: the labels of the buttons under a delivered announcement and the
answers to pressing them. Everything the core says lives in bot/messages.py; same rules here."""

from __future__ import annotations

from typing import Final

ASK_BUTTON: Final = "Ask a question"
HELPFUL_BUTTON: Final = "Helpful"
ASK_NEEDS_TEXT: Final = "Write the question after the button, e.g. `:press {message} ask When does it apply?`"
