"""The group commit's statements read the batch's copies by id on SQLite, never a scan of every sent
copy: the cost of recording a batch must not grow with the delivery history."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from storage.repositories import outbox, overview_rollup


def _plan(database: str, statement: Any, batch: int) -> list[str]:
    """SQLite's plan for `statement` with a batch of ids bound as the driver binds them."""
    compiled = statement.compile(dialect=sqlite.dialect())
    state = compiled.construct_expanded_state({"b_posted": list(range(1, batch + 1))})
    values = [state.parameters[name] for name in state.positiontup or ()]
    with sqlite3.connect(database) as db:
        plan = db.execute(f"EXPLAIN QUERY PLAN {state.statement}", values)
        return [row[3] for row in plan]


@pytest.mark.parametrize("batch", [1, 20, 250, 1000])
def test_the_look_up_of_copies_counted_before_reads_the_batch_by_id(sqlite_url: str, batch: int) -> None:
    # With `status IN ('sent', 'failed')` SQLite read ix_delivery_status_sent for a batch of 20 ids or more
    # (an IN list's estimated cost grows with its length, an index range's does not): every sent
    # copy in the table, on every group commit.
    database = sqlite_url.removeprefix("sqlite:///")
    plan = _plan(database, overview_rollup._counted_statement(outbox._POSTED), batch)
    assert plan == ["SEARCH delivery USING INTEGER PRIMARY KEY (rowid=?)"], plan
