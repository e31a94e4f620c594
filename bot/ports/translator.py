"""The optional machine translator (`translate <id> <lang> draft`): implemented by
`adapters.translator.LibreTranslator`; none when PARTNERBOT_TRANSLATOR_URL is unset."""

from __future__ import annotations

from typing import Protocol

from bot.domain.variants import MachineText, TranslatorFailure


class Translator(Protocol):
    async def translate(
        self, *, title: str, body: str, source: str, target: str
    ) -> MachineText | TranslatorFailure:
        """The title and body (Markdown: links' URLs and code kept as written) from language `source`
        into `target` (BCP 47 tags); a failure, never an exception, when the service cannot."""
        ...
