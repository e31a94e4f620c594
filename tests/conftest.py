"""Shared fixtures: network guard, injected clock, SQLite and PostgreSQL databases, the local harness."""

from __future__ import annotations

import gc
import ipaddress
import itertools
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import migrate
from tests import pg

IN_CI = os.environ.get("CI", "").lower() == "true"


# --- no internet ---------------------------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) else str(address)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise RuntimeError(f"test tried to reach the network: {address!r} (only loopback is allowed)")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(self, address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def no_internet() -> Iterator[None]:
    """Fail any test that opens a connection to anything but loopback."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# --- the collector's pauses ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def settled_heap() -> None:
    """Each test starts on a collected heap, and what is alive then is frozen out of the collector's way.

    An xdist worker runs ~1,800 tests and keeps a little of each (SQLAlchemy's and discord.py's caches,
    about 2,000 objects a test). Unfrozen, a full collection late in a run walked 1.2 million objects and
    held the test's event loop for up to 4 s: past Discord's 3 s to answer an interaction, so the fake
    answered `10062 Unknown interaction`. Now a pause during a test walks only that test's own objects.
    (`partnerbot run` / `worker` freeze their start-up objects the same way, bot/app.py `serve`.)"""
    gc.collect()
    gc.freeze()


# --- time ----------------------------------------------------------------------------------------


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        self._now += timedelta(seconds=seconds, **kwargs)
        return self._now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# --- databases -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test copies it instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    try:
        cluster = pg.start_cluster()
    except (FileNotFoundError, OSError) as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but could not start: {exc}")
        pytest.skip(f"no PostgreSQL here ({exc}); set PARTNERBOT_PG_BINDIR or install postgresql")
    except Exception as exc:  # initdb/pg_ctl failed: say why, never silently skip in CI
        detail = getattr(exc, "stderr", "") or exc
        if IN_CI:
            pytest.fail(f"PostgreSQL failed to start: {detail}")
        pytest.skip(f"PostgreSQL failed to start: {detail}")
    cluster.psql("CREATE DATABASE template_pb")
    migrate.upgrade(cluster.url("template_pb"))
    yield cluster
    cluster.stop()


_db_numbers = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated database for one test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "partnerbot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    name = f"t{os.getpid()}_{next(_db_numbers)}"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_pb")
    return cluster.url(name)


@pytest.fixture
def postgres_database_url(pg_cluster: pg.Cluster) -> str:
    """A fresh, migrated PostgreSQL database, for a test of something only PostgreSQL has (mark the
    test `postgres`)."""
    name = f"t{os.getpid()}_{next(_db_numbers)}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_pb")
    return pg_cluster.url(name)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "partnerbot.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


# --- the local harness ---------------------------------------------------------------------------

from tests.harness import Harness, make_harness  # noqa: E402


@pytest.fixture
async def harness(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    """partnerbot on a real database with the local adapter: admin channel #admin, admin alice."""
    h = await make_harness(database_url, clock)
    yield h
    await h.close()


@pytest.fixture
async def sqlite_harness(sqlite_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    h = await make_harness(sqlite_url, clock)
    yield h
    await h.close()
