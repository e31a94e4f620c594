"""The import contracts (pyproject.toml, checked by `lint-imports` in .ci/run) cover every core module."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The composition root, the CLI that calls it and the root's settings (which compose the adapters'
# own): the only parts of bot/ that may know every part.
OUTSIDE_THE_CORE = {"bot.app", "bot.cli", "bot.config"}


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_every_core_module_is_held_to_the_core_contract() -> None:
    """A new module in bot/ is core unless it is the root or the CLI: the contract must name it."""
    (core,) = [c for c in _contracts() if str(c["name"]).startswith("The core imports no adapter")]
    listed = set(core["source_modules"])  # type: ignore[call-overload]
    present = {
        f"bot.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "bot").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert present - OUTSIDE_THE_CORE - listed == set(), "add it to source_modules in pyproject.toml"
    assert listed - present == set(), "a listed module no longer exists"


def test_the_core_contract_forbids_the_outer_parts_and_their_libraries() -> None:
    (core,) = [c for c in _contracts() if str(c["name"]).startswith("The core imports no adapter")]
    forbidden = set(core["forbidden_modules"])  # type: ignore[call-overload]
    wanted = {"adapters", "storage", "bot.app", "bot.cli", "sqlalchemy", "slack_bolt", "slack_sdk"}
    wanted |= {"discord", "typer", "rich", "apscheduler", "aiolimiter"}
    assert wanted <= forbidden


def test_the_core_may_not_import_the_settings_that_hold_platform_secrets() -> None:
    """Every core module is held to it, and it names the root's settings and the adapters' own."""
    contracts = _contracts()
    (core,) = [c for c in contracts if str(c["name"]).startswith("The core imports no adapter")]
    (secrets,) = [c for c in contracts if "settings object that holds platform secrets" in str(c["name"])]
    assert secrets["type"] == "forbidden"
    assert set(secrets["source_modules"]) == set(core["source_modules"])  # type: ignore[call-overload]
    forbidden = set(secrets["forbidden_modules"])  # type: ignore[call-overload]
    assert {"bot.config", "adapters.slack.settings", "adapters.discord.settings"} <= forbidden
    (adapters,) = [c for c in contracts if str(c["name"]).startswith("Adapters import the core only")]
    assert "bot.config" in adapters["forbidden_modules"]  # type: ignore[operator]
