"""The LibreTranslate adapter (adapters/translator/) against a fake server on loopback: success, an
HTTP error, a timeout, an unreadable answer, no server, and Markdown kept through translation."""

from __future__ import annotations

import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.translator import LibreTranslator
from adapters.translator.markdown import pieces, rejoin, translatable
from bot import messages as m
from bot.domain.variants import MachineText, TranslatorFailure
from tests.fakes.libretranslate import FakeLibreTranslate, libretranslate


async def test_title_and_body_are_translated_in_one_request_with_the_key() -> None:
    fake = FakeLibreTranslate(api_key="s3cret")
    async with libretranslate(fake) as url:
        got = await LibreTranslator(url, api_key="s3cret").translate(
            title="New prices", body="The lists are out.", source="en", target="de"
        )
    assert got == MachineText("de:NEW PRICES", "de:THE LISTS ARE OUT.")
    [request] = fake.requests
    assert request == {
        "q": ["New prices", "The lists are out."],
        "source": "en",
        "target": "de",
        "format": "text",
        "api_key": "s3cret",
    }


async def test_no_key_is_sent_when_none_is_set() -> None:
    fake = FakeLibreTranslate()
    async with libretranslate(fake) as url:
        await LibreTranslator(url + "/").translate(title="T", body="B", source="en", target="fr")
    assert "api_key" not in fake.requests[0]


async def test_an_http_error_is_a_one_line_failure_without_the_key() -> None:
    fake = FakeLibreTranslate(api_key="right")
    async with libretranslate(fake) as url:
        got = await LibreTranslator(url, api_key="wrong").translate(
            title="T", body="B", source="en", target="de"
        )
    assert got == TranslatorFailure(m.TRANSLATOR_HTTP_ERROR.format(code=403))
    fake = FakeLibreTranslate(status=429)
    async with libretranslate(fake) as url:
        got = await LibreTranslator(url).translate(title="T", body="B", source="en", target="de")
    assert got == TranslatorFailure(m.TRANSLATOR_HTTP_ERROR.format(code=429))


async def test_no_answer_in_time_is_a_failure() -> None:
    fake = FakeLibreTranslate(hang=True)
    async with libretranslate(fake) as url:
        got = await LibreTranslator(url, timeout=0.2).translate(title="T", body="B", source="en", target="de")
    assert got == TranslatorFailure("no answer within 0.2 s (PARTNERBOT_TRANSLATOR_TIMEOUT)")


async def test_an_answer_of_another_shape_is_a_failure() -> None:
    for raw in ("not json", '{"translatedText": "one string for two"}', '{"translatedText": [1, 2]}', "[]"):
        async with libretranslate(FakeLibreTranslate(raw=raw)) as url:
            got = await LibreTranslator(url).translate(title="T", body="B", source="en", target="de")
        assert got == TranslatorFailure(m.TRANSLATOR_BAD_ANSWER), raw


async def test_no_server_is_a_failure() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    got = await LibreTranslator(f"http://127.0.0.1:{port}").translate(
        title="T", body="B", source="en", target="de"
    )
    assert got == TranslatorFailure(m.TRANSLATOR_UNREACHABLE)


MARKDOWN = """Read [the price list](https://example.com/Prices?id=7) before *Monday*.

- Run `partnerbot --Check` first
- See <https://example.com/Docs|the docs> or https://example.com/FAQ
> Quoted line

```
Code Block stays
```
1. Last step"""


async def test_markdown_links_code_and_structure_survive() -> None:
    fake = FakeLibreTranslate()
    async with libretranslate(fake) as url:
        got = await LibreTranslator(url).translate(title="T", body=MARKDOWN, source="en", target="de")
    assert isinstance(got, MachineText)
    assert got.body == (
        "de:READ [de:THE PRICE LIST](https://example.com/Prices?id=7) de:BEFORE *MONDAY*.\n"
        "\n"
        "- de:RUN `partnerbot --Check` de:FIRST\n"
        "- de:SEE <https://example.com/Docs|the docs> de:OR https://example.com/FAQ\n"
        "> de:QUOTED LINE\n"
        "\n"
        "```\nCode Block stays\n```\n"
        "1. de:LAST STEP"
    )
    sent = fake.requests[0]["q"]
    assert not any("example.com" in text or "partnerbot --Check" in text for text in sent)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab `[]()<>|#-*>\n\t1.:/h"), max_size=60))
def test_pieces_join_back_to_the_text_exactly(text: str) -> None:
    cut = pieces(text)
    assert "".join(piece.text for piece in cut) == text
    assert rejoin(cut, translatable(cut)) == "".join(
        piece.text.strip() if piece.translate else piece.text for piece in cut
    )
    assert all(piece.text.strip() == piece.text for piece in cut if piece.translate)
