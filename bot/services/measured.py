"""A Sender that counts its calls to the platform for the metrics port (bot/ports/metrics.py)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from bot.domain.refs import ChannelRef, MessageRef, Platform
from bot.domain.sending import Outgoing
from bot.ports.metrics import Metrics
from bot.ports.sending import RateKey, Sender, TransientSendError

T = TypeVar("T")


class MeasuredSender:
    """Wraps a platform's Sender: every post, look-up, edit and delete is one API call, and a
    TransientSendError with `rate_limited` is a 429 (the Senders classify it, bot/ports/sending.py)."""

    def __init__(self, sender: Sender, metrics: Metrics) -> None:
        self.platform: Platform = sender.platform
        self._sender = sender
        self._metrics = metrics

    async def _measured(self, method: str, call: Awaitable[T]) -> T:
        throttled = False
        try:
            return await call
        except TransientSendError as exc:
            throttled = exc.rate_limited
            raise
        finally:
            self._metrics.api_call(platform=self.platform.value, method=method, throttled=throttled)

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        # `_measured` written out: one coroutine fewer for every post of a fan-out.
        throttled = False
        try:
            return await self._sender.post(out, idempotency_key=idempotency_key)
        except TransientSendError as exc:
            throttled = exc.rate_limited
            raise
        finally:
            self._metrics.api_call(platform=self.platform.value, method="post", throttled=throttled)

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        return await self._measured(
            "find_posted", self._sender.find_posted(out, idempotency_key=idempotency_key)
        )

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        await self._measured("edit", self._sender.edit(ref, out))

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        await self._measured("delete", self._sender.delete(ref, out=out))

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return self._sender.rate_keys(channel)
