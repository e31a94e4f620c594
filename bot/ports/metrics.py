"""Operational metrics: what the core tells whoever watches the running bot (Prometheus, in the root).

The core only calls these methods; bot/metrics.py implements them with prometheus-client, and
`NoMetrics` (the default) drops everything. Labels are small fixed sets (platform, result, queue,
method, job): never a partner, channel or user id.
"""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """Counters and timings of the delivery worker, the platform calls and the periodic jobs."""

    def delivered(self, *, platform: str, queue: str, result: str, latency: float | None) -> None:
        """One attempt at an outbox row: `result` is sent, retry (a 429 included) or failed; `latency`
        (seconds from when the row was due to when it was posted) for sent rows whose due time is known."""
        ...

    def api_call(self, *, platform: str, method: str, throttled: bool) -> None:
        """One call to a platform's API (`method`: post, find_posted…); `throttled`: it answered 429."""
        ...

    def rate_wait(self, *, platform: str, seconds: float) -> None:
        """Time a send waited for the rate limiter before it could go out."""
        ...

    def relayed(self, *, latency: float | None) -> None:
        """A question or answer relayed; `latency` from when it was due to when it was posted."""
        ...

    def job_run(self, *, job: str, failed: bool) -> None:
        """One run of a periodic job (bot/jobs.py) finished, or failed."""
        ...


class NoMetrics:
    """The default: nothing is measured (tests, the console, the demo)."""

    def delivered(self, *, platform: str, queue: str, result: str, latency: float | None) -> None:
        pass

    def api_call(self, *, platform: str, method: str, throttled: bool) -> None:
        pass

    def rate_wait(self, *, platform: str, seconds: float) -> None:
        pass

    def relayed(self, *, latency: float | None) -> None:
        pass

    def job_run(self, *, job: str, failed: bool) -> None:
        pass
