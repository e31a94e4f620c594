"""The Translator port over a LibreTranslate-compatible API: one `POST /translate` per draft, JSON
`{"q": [title, run…], "source", "target", "format": "text", "api_key"}`, answered with
`{"translatedText": [...]}` in the same order. The body's Markdown is cut first (markdown.py): only
its prose runs are sent, so URLs and code come back exactly as written. Every failure (an HTTP
error, no answer within the timeout, an answer that is not the list asked for) is a
TranslatorFailure with one line for the admin; the key is never in it, nor in a log line.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from adapters.translator.markdown import pieces, rejoin, translatable
from bot import messages as m
from bot.domain.variants import MachineText, TranslatorFailure

log = logging.getLogger(__name__)


class LibreTranslator:
    def __init__(self, url: str, *, api_key: str = "", timeout: float = 20.0) -> None:
        self._endpoint = url.rstrip("/") + "/translate"
        self._api_key = api_key
        self._seconds = timeout
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def translate(
        self, *, title: str, body: str, source: str, target: str
    ) -> MachineText | TranslatorFailure:
        cut = pieces(body)
        asked = [title.strip(), *translatable(cut)]
        answer = await self._post(asked, source=source, target=target)
        if isinstance(answer, TranslatorFailure):
            return answer
        return MachineText(answer[0].strip(), rejoin(cut, answer[1:]))

    async def _post(self, texts: list[str], *, source: str, target: str) -> list[str] | TranslatorFailure:
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target, "format": "text"}
        if self._api_key:
            payload["api_key"] = self._api_key
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.post(self._endpoint, json=payload) as response,
            ):
                if response.status != 200:
                    log.warning("translator: HTTP %s from %s", response.status, self._endpoint)
                    return TranslatorFailure(m.TRANSLATOR_HTTP_ERROR.format(code=response.status))
                data = await response.json(content_type=None)
        except TimeoutError:
            log.warning("translator: no answer from %s in time", self._endpoint)
            return TranslatorFailure(m.TRANSLATOR_TIMEOUT.format(seconds=self._seconds))
        except aiohttp.ClientError as exc:
            log.warning("translator: %s unreachable (%s)", self._endpoint, type(exc).__name__)
            return TranslatorFailure(m.TRANSLATOR_UNREACHABLE)
        except ValueError:  # not JSON
            return TranslatorFailure(m.TRANSLATOR_BAD_ANSWER)
        return _texts(data, len(texts))


def _texts(data: Any, count: int) -> list[str] | TranslatorFailure:
    """The translated texts of the answer, one per text asked; a failure for any other shape."""
    found = data.get("translatedText") if isinstance(data, dict) else None
    if not isinstance(found, list) or len(found) != count or not all(isinstance(t, str) for t in found):
        return TranslatorFailure(m.TRANSLATOR_BAD_ANSWER)
    return list(found)


__all__ = ["LibreTranslator"]
