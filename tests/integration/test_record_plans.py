"""The group commit's statements read the batch's copies by id on SQLite, never a scan of every sent
copy: the cost of recording a batch must not grow with the delivery history."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite

from storage.repositories import outbox, overview_rollup
from storage.repositories.id_lists import bound_ids


def _plan(database: str, statement: Any, batch: int) -> list[str]:
    """SQLite's plan for `statement` with a batch of ids bound as the outbox binds them."""
    compiled = statement.compile(dialect=sqlite.dialect())
    ids = bound_ids(range(1, batch + 1), "sqlite")
    state = compiled.construct_expanded_state({"b_posted": ids})
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
    plan = _plan(database, overview_rollup._counted_statement(outbox._posted("sqlite")), batch)
    # The ids come as one JSON parameter (storage/repositories/id_lists.py): SQLite reads them with
    # json_each, then each copy by its rowid.
    assert plan == [
        "SEARCH delivery USING INTEGER PRIMARY KEY (rowid=?)",
        "LIST SUBQUERY 1",
        "SCAN anon_1 VIRTUAL TABLE INDEX 1:",
    ], plan


def _one_step_plan(database: str, statement: Any, values: list[Any]) -> list[str]:
    compiled = statement.compile(dialect=sqlite.dialect())
    with sqlite3.connect(database) as db:
        return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {compiled.string}", values)]


def test_the_sent_update_and_the_claims_channels_read_their_rows_by_id(sqlite_url: str) -> None:
    # One statement each for a whole batch (id_lists.py): it must look each row up by its rowid
    # from the JSON list, not scan the table.
    database = sqlite_url.removeprefix("sqlite:///")
    update = outbox._sent_in_one_step(outbox._DELIVERY)
    compiled = update.compile(dialect=sqlite.dialect())
    params = compiled.construct_params({"b_sent": '[[1,"1.0"]]', "b_now": None})
    values = [params[name] for name in compiled.positiontup or ()]
    assert _one_step_plan(database, update, values) == [
        "SCAN sent_pairs VIRTUAL TABLE INDEX 1:",
        "SEARCH delivery USING INTEGER PRIMARY KEY (rowid=?)",
    ]
    located = _one_step_plan(database, outbox._located("sqlite"), ["[1, 2]"])
    assert located[0] == "SEARCH channel USING INTEGER PRIMARY KEY (rowid=?)", located
