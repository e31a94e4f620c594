"""PARTNERBOT_EVENT_LOOP (bot/cli/loops.py): which loop factory each choice gives."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot.cli.loops import EventLoopUnavailable, loop_factory, loop_name


def test_asyncio_is_the_standard_loop() -> None:
    assert loop_factory("asyncio") is None
    assert loop_name(None) == "asyncio"


def test_without_uvloop_auto_falls_back_and_uvloop_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError
    assert loop_factory("auto") is None
    with pytest.raises(EventLoopUnavailable, match=r"partnerbot\[fast\]"):
        loop_factory("uvloop")


def test_with_uvloop_installed_auto_takes_it() -> None:
    uvloop = pytest.importorskip("uvloop")
    factory = loop_factory("auto")
    assert factory is uvloop.new_event_loop and loop_factory("uvloop") is factory
    assert loop_name(factory) == "uvloop"
    with asyncio.Runner(loop_factory=factory) as runner:
        assert runner.run(asyncio.sleep(0, "ran")) == "ran"
