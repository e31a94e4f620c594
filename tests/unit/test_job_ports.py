"""The periodic jobs get the ports they use, not the whole bag of stores (issue 12)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import bot.jobs
from bot.jobs import JobHost, JobPorts


def test_a_job_host_offers_narrow_ports_not_the_stores_bag() -> None:
    members = {name for name in vars(JobHost) if not name.startswith("_")}
    assert "stores" not in members
    assert {"settings", "job_ports", "bot", "clock", "digests", "worker"} <= members
    assert [f.name for f in dataclasses.fields(JobPorts)] == [
        "job_runs",
        "announcements",
        "outbox",
        "rate_limits",
        "privacy",
        "file_usage",
        "file_bytes",
        "score_snapshots",
        "vectors",
    ]


def test_the_jobs_module_does_not_import_the_stores_bag() -> None:
    tree = ast.parse(Path(bot.jobs.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "bot.ports.stores" not in imported
    assert ".stores." not in Path(bot.jobs.__file__).read_text(encoding="utf-8")
