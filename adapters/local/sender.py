"""A Sender that posts into the in-process workspace and can be told to fail, for tests and demos."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from adapters.local.translate import outgoing_buttons, render_outgoing
from adapters.local.workspace import LocalWorkspace, UnknownMessage
from bot.domain import ChannelRef, MessageRef, Outgoing, Platform
from bot.ports import PermanentSendError, RateKey, TransientSendError


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure. `after_post` posts the message and then fails as a timeout would."""

    kind: str  # "transient" | "ratelimited" | "permanent" | "after_post"
    reason: str = "injected"
    retry_after: float | None = None


class LocalSender:
    platform = Platform.LOCAL

    def __init__(self, workspace: LocalWorkspace) -> None:
        self._workspace = workspace
        self._faults: deque[Fault] = deque()
        self._posted: dict[str, MessageRef] = {}
        self.calls = {"post": 0, "find_posted": 0, "edit": 0, "delete": 0}

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    async def post(self, out: Outgoing, *, idempotency_key: str) -> MessageRef:
        self.calls["post"] += 1
        fault = self._faults.popleft() if self._faults else None
        if fault and fault.kind == "permanent":
            raise PermanentSendError(fault.reason)
        if fault and fault.kind in ("transient", "ratelimited"):
            limited = fault.kind == "ratelimited"
            raise TransientSendError(fault.reason, retry_after=fault.retry_after, rate_limited=limited)
        thread = out.thread.message if out.thread else None
        ref = self._workspace.post_as_bot(
            out.channel,
            render_outgoing(out),
            thread=thread,
            key=idempotency_key,
            buttons=outgoing_buttons(out),
        )
        self._posted[idempotency_key] = ref
        if fault and fault.kind == "after_post":
            raise TransientSendError("timeout after the request was sent", maybe_posted=True)
        return ref

    async def find_posted(self, out: Outgoing, *, idempotency_key: str) -> MessageRef | None:
        self.calls["find_posted"] += 1
        return self._posted.get(idempotency_key)

    async def edit(self, ref: MessageRef, out: Outgoing) -> None:
        self.calls["edit"] += 1
        try:
            self._workspace.edit(ref, render_outgoing(out))
        except UnknownMessage as exc:  # as Slack's chat.update answers message_not_found
            raise PermanentSendError("message_not_found", deactivate=False) from exc

    async def delete(self, ref: MessageRef, *, out: Outgoing | None = None) -> None:
        self.calls["delete"] += 1
        try:
            self._workspace.delete(ref)
        except UnknownMessage:
            return  # already gone: what we wanted

    def rate_keys(self, channel: ChannelRef) -> list[RateKey]:
        return []  # nothing to protect in-process
