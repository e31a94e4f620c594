"""The Discord gateway edge without a gateway: what `guarded` lets through to discord.py's parsers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord import edge
from adapters.discord import translate as tr
from bot.safety import clean_text

USER = {"id": "20", "username": "ann", "discriminator": "0", "avatar": None}
MESSAGE = {"id": "10", "channel_id": "11", "guild_id": "12", "author": USER, "content": "hi"}
ON = MESSAGE | {"components": []}  # the message a component interaction is on


def interaction(kind: int, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "1",
        "application_id": "2",
        "type": kind,
        "token": "tok",
        "version": 1,
        "guild_id": "12",
        "channel_id": "11",
        "channel": {"id": "11", "type": 0},
        "member": {"user": USER, "roles": [], "permissions": "0"},
        "attachment_size_limit": 10_485_760,
        "data": data,
        **extra,
    }


def passed(event: str, data: Any, known: edge.Known | None = None) -> tuple[list[Any], list[str]]:
    """What reached the parser, and the warnings logged."""
    seen: list[Any] = []
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("adapters.discord.edge")
    logger.addHandler(handler)
    try:
        edge.guarded(event, seen.append, lambda: known or edge.Known(modals={"m1"}))(data)
    finally:
        logger.removeHandler(handler)
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in records)
    return seen, [r.getMessage() for r in records]


@given(st.text())
def test_clean_text_leaves_nothing_a_utf8_encoder_or_postgresql_refuses(value: str) -> None:
    cleaned = clean_text(value + "\ud800\x00")
    cleaned.encode("utf-8")
    assert "\x00" not in cleaned
    assert cleaned.endswith("\ufffd")


def test_valid_payloads_reach_the_parser_with_their_text_normalised() -> None:
    seen, warnings = passed("MESSAGE_CREATE", MESSAGE | {"content": "a\ud800b\x00c"})
    assert warnings == []
    assert seen[0]["content"] == "a\ufffdbc"
    button = interaction(3, {"custom_id": tr.HELPFUL_ID, "component_type": 2}, message=ON)
    assert passed("INTERACTION_CREATE", button) == ([button], [])
    other = {"id": "5", "name": "x\x00"}
    assert passed("CHANNEL_DELETE", other)[0] == [{"id": "5", "name": "x"}]


@pytest.mark.parametrize(
    ("event", "data", "why"),
    [
        ("MESSAGE_CREATE", None, "expected an object"),
        ("MESSAGE_CREATE", [1], "expected an object"),
        ("MESSAGE_CREATE", MESSAGE | {"id": 10}, "id"),
        ("MESSAGE_CREATE", MESSAGE | {"id": "99999999999999999999"}, "id"),
        ("MESSAGE_CREATE", MESSAGE | {"content": "x" * 7_000}, "content"),
        ("MESSAGE_CREATE", {k: v for k, v in MESSAGE.items() if k != "author"}, "author"),
        ("MESSAGE_REACTION_ADD", {"user_id": "1", "channel_id": "2", "message_id": "x"}, "message_id"),
        ("INTERACTION_CREATE", interaction(2, {"id": "3", "name": "partner", "options": 5}), "options"),
        (
            "INTERACTION_CREATE",
            interaction(
                2, {"id": "3", "name": "partner", "options": [{"name": "n", "type": 4, "value": "3"}]}
            ),
            "type 4",
        ),
        (
            "INTERACTION_CREATE",
            interaction(3, {"custom_id": "nope", "component_type": 2}, message=ON),
            "nope",
        ),
        (
            "INTERACTION_CREATE",
            interaction(3, {"custom_id": "pbx:topics:9999999999999999999", "component_type": 3}, message=ON),
            "unknown custom_id",
        ),
        ("INTERACTION_CREATE", interaction(5, {"custom_id": "m2", "components": []}), "expired modal"),
        (
            "INTERACTION_CREATE",
            interaction(5, {"custom_id": "m1", "components": [{"type": 18, "id": 1}]}),
            "label",
        ),
        ("INTERACTION_CREATE", interaction(3, {"custom_id": tr.ASK_ID, "component_type": 2}), "message"),
        (
            "INTERACTION_CREATE",
            interaction(3, {"custom_id": tr.ASK_ID, "component_type": 2}, message=MESSAGE),
            "message.components",
        ),
        ("INTERACTION_CREATE", interaction(2, {"id": "3", "name": "partner"}, channel=None), "its channel"),
        ("INTERACTION_CREATE", interaction(2, {"id": "3", "name": "partner"}, guild_id=None), "guild_id"),
    ],
)
def test_odd_shapes_are_one_warning_and_never_parsed(event: str, data: Any, why: str) -> None:
    seen, warnings = passed(event, data)
    assert seen == []
    assert len(warnings) == 1 and event in warnings[0] and why in warnings[0], warnings


def test_a_parser_that_still_fails_is_one_warning_not_a_traceback() -> None:
    def parse(data: Any) -> None:
        raise KeyError("avatar")

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("adapters.discord.edge").addHandler(handler)
    try:
        edge.guarded("GUILD_CREATE", parse, edge.Known)({"id": "1"})
    finally:
        logging.getLogger("adapters.discord.edge").removeHandler(handler)
    assert [(r.levelno, bool(r.exc_info)) for r in records] == [(logging.WARNING, False)]
    assert "GUILD_CREATE could not be parsed" in records[0].getMessage()


def test_ready_and_resumed_are_left_to_the_gateway() -> None:
    def ready(data: Any) -> None: ...

    def other(data: Any) -> None: ...

    parsers = {"READY": ready, "RESUMED": ready, "MESSAGE_CREATE": other}
    edge.guard_parsers(parsers, edge.Known)
    assert parsers["READY"] is ready and parsers["RESUMED"] is ready
    assert parsers["MESSAGE_CREATE"] is not other


def test_modals_are_left_to_discord_py_when_the_open_ones_are_not_known() -> None:
    submitted = interaction(5, {"custom_id": "any", "components": []})
    assert passed("INTERACTION_CREATE", submitted, edge.Known(modals=None))[0] == [submitted]
