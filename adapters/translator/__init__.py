"""The machine translator behind `translate <id> <lang> draft` (the core's Translator port): a
LibreTranslate-compatible HTTP API (`PARTNERBOT_TRANSLATOR_URL`, `PARTNERBOT_TRANSLATOR_KEY`)."""

from adapters.translator.libretranslate import LibreTranslator

__all__ = ["LibreTranslator"]
