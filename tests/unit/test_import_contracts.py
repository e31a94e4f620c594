"""The import contracts (pyproject.toml, checked by `lint-imports` in .ci/run) cover every core module."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The composition root, the CLI that calls it and the root's settings (which compose the adapters'
# own), and the root's Prometheus side (bot/metrics.py): the only parts of bot/ that may know every part.
OUTSIDE_THE_CORE = {"bot.app", "bot.cli", "bot.config", "bot.metrics"}


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


# Declared dependencies the core may import: languages, time zones and its own settings' validation.
CORE_MAY_USE = {"babel", "langcodes", "pydantic", "pydantic_settings", "tzdata"}
# Distributions whose import name is not their name, lower-cased with "-" as "_".
IMPORT_NAMES = {
    "discord.py": "discord", "python_json_logger": "pythonjsonlogger", "markdown_it_py": "markdown_it",
    "prometheus_client": "prometheus_client", "psycopg": "psycopg",
}  # fmt: skip


def _declared_imports() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = set()
    for requirement in config["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
        if name in IMPORT_NAMES:
            names.add(IMPORT_NAMES[name])
            continue
        name = name.lower().replace("-", "_")
        names.add(IMPORT_NAMES.get(name, name))
    return names


def test_every_declared_library_is_forbidden_to_the_core_unless_it_may_use_it() -> None:
    """A dependency added for an adapter, storage or the root is forbidden to the core at once: the
    contract cannot fall behind pyproject.toml (it had: cryptography, orjson, yarl… were allowed)."""
    (core,) = [c for c in _contracts() if str(c["name"]).startswith("The core imports no adapter")]
    forbidden = set(core["forbidden_modules"])  # type: ignore[call-overload]
    unruled = _declared_imports() - forbidden - CORE_MAY_USE
    assert unruled == set(), "forbid it to the core in pyproject.toml, or add it to CORE_MAY_USE"
    assert _declared_imports() >= CORE_MAY_USE, "CORE_MAY_USE names a library no longer declared"


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


# Modules of the core that still import from the package roots `bot.domain` / `bot.ports` (which
# re-export every name for adapters, storage and tests): none any more, and it should stay so.
_ON_THE_PACKAGE_ROOTS: set[str] = set()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_core_imports_ports_and_domain_types_from_their_capability_modules() -> None:
    """`from bot.ports.topics import TopicStore`, not `from bot.ports import TopicStore`: a module's
    imports say which capabilities it depends on."""
    core = [
        path
        for path in (ROOT / "bot").rglob("*.py")
        if path.relative_to(ROOT).parts[1] not in {"app.py", "cli"} and path.name != "__init__.py"
    ]
    offenders = {
        str(path.relative_to(ROOT)) for path in core if _imported_modules(path) & {"bot.domain", "bot.ports"}
    }
    assert offenders - _ON_THE_PACKAGE_ROOTS == set()


def test_no_service_receives_the_bag_of_every_store() -> None:
    """Each service declares the ports it uses (its `…Ports`); only PartnerBot and the root see `Stores`."""
    services = list((ROOT / "bot" / "services").glob("*.py"))
    assert services
    for path in services:
        assert re.search(r"\bStores\b", path.read_text(encoding="utf-8")) is None, path.name
        assert "bot.ports.stores" not in _imported_modules(path), path.name
