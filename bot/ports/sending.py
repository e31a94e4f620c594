"""Posting to a platform: the Sender each adapter supplies, what it raises, and rate limiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain.refs import ChannelRef, MessageRef, Platform
from bot.domain.sending import Outgoing


class SendError(Exception):
    """Base of what a Sender raises; the delivery worker decides what happens next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Try again later (5xx, timeout, rate limit). `retry_after` is the platform's own hint, if any.

    `maybe_posted` is true when the request may have reached the platform (a timeout or a dropped
    connection after sending), so the next attempt must look for the message before posting again.

    `rate_limited` says the platform throttled the request (HTTP 429): nothing was sent and nothing is
    wrong with the message, so the worker reschedules it without counting an attempt.
    """

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        maybe_posted: bool = False,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.maybe_posted = maybe_posted
        self.rate_limited = rate_limited


class PermanentSendError(SendError):
    """Retrying cannot help (channel gone, bot removed, archived, no access).

    `deactivate` says the channel itself is unusable, so it is switched off for future broadcasts.
    """

    def __init__(self, reason: str, *, deactivate: bool = True) -> None:
        super().__init__(reason)
        self.deactivate = deactivate


@dataclass(frozen=True, slots=True)
class RateKey:
    """A bucket the core's limiter paces: `rate` requests per `period` seconds for `key`."""

    key: str
    rate: float
    period: float


class RateLimiter(Protocol):
    """Paces sends: `acquire` returns once one request may go out under every bucket in `keys`.
    Implementations: bot.services.process_limiter (one process) and bot.services.ratelimits (the
    database-backed shared one, and none at all)."""

    def try_acquire(self, keys: list[RateKey]) -> bool:
        """Take one request's cells at once if every bucket in `keys` has room, without waiting:
        True if taken; False (nothing taken) means `acquire`. Lets a fan-out whose buckets have room
        skip the await, and the timeout around it, on every post."""
        ...

    async def acquire(self, keys: list[RateKey]) -> None: ...

    async def close(self) -> None: ...


class Sender(Protocol):
    """Posts core output to one platform. Implementations translate, never decide."""

    platform: Platform

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        """Post a message; `idempotency_key` is stable across retries of the same delivery or relay."""
        ...

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        """After an ambiguous attempt: the message an earlier attempt posted, if the platform has it."""
        ...

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        """Replace a posted message's content in place."""
        ...

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        """Remove a posted message; `out` is what it was posted as (a Sender whose platform keeps a
        message's files apart from it, Slack, deletes those too)."""
        ...

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        """The limiter buckets one post to `channel` draws from (workspace-wide, per channel…)."""
        ...


class RateLimitRows(Protocol):
    """Housekeeping of the shared rate-limit buckets. `storage.repositories.RateLimitRepository`."""

    async def prune(self, *, full_before: float) -> int:
        """Delete the buckets that were full again (their TAT, epoch seconds) before `full_before`:
        a missing bucket reads as a full one, so this changes no pacing. How many went."""
        ...
