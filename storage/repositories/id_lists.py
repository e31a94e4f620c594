"""Many ids (or id/value pairs) bound as one parameter, so that SQLite runs the work in one step.

Python's sqlite3 lets go of the GIL only while SQLite steps a statement: an `executemany` binds
and steps row by row, and a statement that returns rows steps once per row, taking the GIL back
each time. In a worker whose event loop is busy posting, every take-back waits for that thread,
so a fan-out's group commit ran ten times slower there than alone (its 400-row `executemany` 31 ms
against 4 ms; `bench/record.py`, and a trace of the worker during `bench/fanout.py`). A JSON array
read with `json_each` (https://www.sqlite.org/json1.html#jeach) makes the same work one statement
that SQLite finishes in one step, and an aggregate brings many rows back as one.

PostgreSQL keeps what its driver already pipelines (an expanding IN, `executemany`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import String, bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement


def one_step(dialect: str) -> bool:
    """Whether lists go to this database as one JSON parameter."""
    return dialect == "sqlite"


def ids_in(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN (the ids bound as `name`)`; bind them with `bound_ids`."""
    if one_step(dialect):
        listed = func.json_each(bindparam(name, type_=String())).table_valued("value")
        return column.in_(select(listed.c.value).scalar_subquery())  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def bound_ids(ids: Iterable[int], dialect: str) -> Any:
    """The value of an `ids_in` parameter."""
    return json.dumps(list(ids)) if one_step(dialect) else list(ids)


def json_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows of values as one JSON parameter, each row an array (read with `json_each` and `json_extract`)."""
    return json.dumps(rows, separators=(",", ":"))
