"""Dashboard fixtures: partnerbot on SQLite and PostgreSQL (the `harness` fixture) with the dashboard
served on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness import Harness
from tests.web.support import Dashboard, close_dashboard, open_dashboard


@pytest.fixture
async def dashboard(harness: Harness) -> AsyncIterator[Dashboard]:
    d = await open_dashboard(harness)
    yield d
    await close_dashboard(d)


@pytest.fixture
async def sqlite_dashboard(sqlite_harness: Harness) -> AsyncIterator[Dashboard]:
    d = await open_dashboard(sqlite_harness)
    yield d
    await close_dashboard(d)
