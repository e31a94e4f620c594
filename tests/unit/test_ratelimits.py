"""The GCRA arithmetic behind the shared limiter, and which limiter the settings pick."""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import ProcessLimiter, build_limiter
from bot.config import Settings
from bot.ports import RateKey
from bot.services.ratelimits import Bucket, Decision, NoLimiter, SharedLimiter, decide
from storage.engine import make_engine

SLACK_CHANNEL = Bucket.of(RateKey("chan", 3, 3.0))  # a burst of 3, then 1/s
WORKSPACE = Bucket.of(RateKey("team", 20, 5.0))  # a burst of 20, then 4/s


def conforms(times: list[float], bucket: Bucket) -> bool:
    """GCRA's own test (virtual scheduling) over a bucket's grant times, in time order."""
    tat = float("-inf")
    for at in sorted(times):
        if at < tat - bucket.tolerance - 1e-9:
            return False
        tat = max(tat, at) + bucket.interval
    return True


def test_a_rate_key_becomes_an_interval_and_a_burst_tolerance() -> None:
    assert Bucket.of(RateKey("chan", 3, 3.0)) == Bucket("chan", 1.0, 2.0)
    assert Bucket.of(RateKey("discord:global", 50, 1.0)) == Bucket("discord:global", 0.02, 0.98)
    assert Bucket.of(RateKey("one", 1, 0.025)).tolerance == 0.0  # 40/s, no burst


def test_a_fresh_bucket_bursts_rate_then_queues_the_rest_one_interval_apart() -> None:
    decisions, tats = decide([[SLACK_CHANNEL]] * 6, {}, 100.0)
    assert decisions == [
        Decision(True, 100.0),
        Decision(True, 100.0),
        Decision(True, 100.0),
        Decision(False, 101.0),
        Decision(False, 102.0),
        Decision(False, 103.0),
    ]
    # Only the grants moved the bucket: the refused took nothing.
    assert tats == {"chan": 103.0}


def test_an_idle_bucket_forgets_its_past() -> None:
    decisions, tats = decide([[SLACK_CHANNEL]], {"chan": 50.0}, 100.0)
    assert decisions == [Decision(True, 100.0)] and tats == {"chan": 101.0}


def test_steady_state_is_one_per_interval() -> None:
    tats: dict[str, float] = {"chan": 103.0}  # the burst is spent
    decisions, _ = decide([[SLACK_CHANNEL]], tats, 100.5)
    assert decisions == [Decision(False, 101.0)]
    decisions, tats = decide([[SLACK_CHANNEL]], tats, 101.0)
    assert decisions == [Decision(True, 101.0)] and tats == {"chan": 104.0}


def test_lookahead_grants_a_slot_due_very_soon_and_retries_come_that_much_early() -> None:
    decisions, tats = decide([[SLACK_CHANNEL]] * 2, {"chan": 103.0}, 100.995, lookahead=0.01)
    assert decisions == [Decision(True, 101.0), Decision(False, 101.99)]
    assert tats == {"chan": 104.0}


def test_a_post_on_two_buckets_waits_for_the_slower_and_takes_nothing_while_waiting() -> None:
    busy = {"chan": 110.0}  # this channel's next slot is at 108
    decisions, tats = decide(
        [[SLACK_CHANNEL, WORKSPACE], [Bucket("other", 1.0, 2.0), WORKSPACE]], busy, 100.0
    )
    assert decisions == [Decision(False, 108.0), Decision(True, 100.0)]
    # The workspace lost one cell, to the post that went, not one to the post that waits.
    assert tats == {"other": 101.0, "team": 100.25}

    decisions, tats = decide([[SLACK_CHANNEL, WORKSPACE]], {**busy, **tats}, 108.0)
    assert decisions == [Decision(True, 108.0)]
    assert tats == {"chan": 111.0, "team": 108.25}


def test_refused_requests_queue_in_order_for_their_retry_estimates() -> None:
    exhausted = {"chan": 103.0, "team": 105.0}  # channel free at 101, workspace at 100.25
    decisions, tats = decide([[SLACK_CHANNEL, WORKSPACE], [WORKSPACE]], exhausted, 100.0)
    # The second's estimate counts the workspace cell of the one refused before it: an estimate
    # only (both took nothing), erring late, so a queue on one bucket wakes one by one.
    assert decisions == [Decision(False, 101.0), Decision(False, 100.5)]
    assert tats == {}


Arrivals = list[tuple[float, list[int]]]

BUCKETS = [SLACK_CHANNEL, Bucket("c2", 1.0, 2.0), WORKSPACE, Bucket("tight", 0.5, 0.0)]


@settings(max_examples=150, deadline=None)
@given(
    arrivals=st.lists(
        st.tuples(
            st.floats(0, 20, allow_nan=False),
            st.lists(st.integers(0, len(BUCKETS) - 1), min_size=1, max_size=3, unique=True),
        ),
        max_size=60,
    ),
    lookahead=st.sampled_from([0.0, 0.01, 0.3]),
)
def test_every_request_is_granted_once_and_every_bucket_conforms(
    arrivals: Arrivals, lookahead: float
) -> None:
    """Drive `decide` as the limiter does: a flush per instant, the refused come back when told."""
    numbers = itertools.count()
    pending = [(at, next(numbers), keys) for at, keys in arrivals]
    heapq.heapify(pending)
    tats: dict[str, float] = {}
    grants: dict[str, list[float]] = defaultdict(list)
    granted = 0
    while pending:
        now = pending[0][0]
        batch = []
        while pending and pending[0][0] == now:
            batch.append(heapq.heappop(pending))
        batch.sort(key=lambda item: item[1])  # oldest first, as the limiter orders a flush
        decisions, changed = decide(
            [[BUCKETS[i] for i in keys] for _, _, keys in batch], tats, now, lookahead=lookahead
        )
        tats.update(changed)
        for (_, number, keys), decision in zip(batch, decisions, strict=True):
            if decision.granted:
                assert now <= decision.at <= now + lookahead
                granted += 1
                for i in keys:
                    grants[BUCKETS[i].key].append(decision.at)
            else:
                assert decision.at > now  # always progress
                heapq.heappush(pending, (decision.at, number, keys))
    assert granted == len(arrivals)
    for bucket in BUCKETS:
        assert conforms(grants[bucket.key], bucket), bucket


# --- which limiter the settings pick -----------------------------------------------------------

PG = "postgresql://partnerbot@127.0.0.1:1/partnerbot"


@pytest.mark.parametrize(
    ("url", "mode", "expected"),
    [
        (PG, "auto", SharedLimiter),
        ("sqlite:///x.db", "auto", ProcessLimiter),
        ("sqlite:///x.db", "shared", SharedLimiter),
        (PG, "process", ProcessLimiter),
        (PG, "off", NoLimiter),
        ("sqlite:///x.db", "off", NoLimiter),
    ],
)
async def test_settings_pick_the_limiter(url: str, mode: str, expected: type) -> None:
    settings = Settings(_env_file=None, database_url=url, rate_limits=mode)  # type: ignore[arg-type]
    engine = make_engine(url)  # lazy: nothing connects
    try:
        assert type(build_limiter(settings, engine)) is expected
    finally:
        await engine.dispose()


async def test_off_never_waits() -> None:
    limiter = NoLimiter()
    stingy = [RateKey("hourly", 1, 3600.0)]
    for _ in range(1000):
        await limiter.acquire(stingy)  # would take 1000 hours if it paced anything
    await limiter.close()
