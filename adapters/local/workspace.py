"""The in-process chat world of the local adapter: channels, people and the messages between them.

It plays the part Slack or Discord plays for the other adapters: it stores what was said and tells
listeners (the console, the demo, tests) when something appears.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import ChannelRef, MessageRef, Platform

WORKSPACE = "local"
BOT = "partnerbot"


@dataclass
class Message:
    id: str
    channel: str
    author: str
    text: str
    thread: str | None = None
    # Shown only to this person (a reply to their command), like a Slack ephemeral message.
    visible_to: str | None = None
    key: str | None = None
    edited: bool = False
    deleted: bool = False
    reactions: dict[str, set[str]] = field(default_factory=dict)


Listener = Callable[[Message], None]


class LocalWorkspace:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._ids = itertools.count(1)
        self._listeners: list[Listener] = []

    def channel(self, name: str) -> ChannelRef:
        return ChannelRef(Platform.LOCAL, WORKSPACE, name.lstrip("#"))

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def add(
        self,
        channel: str,
        author: str,
        text: str,
        *,
        thread: str | None = None,
        visible_to: str | None = None,
        key: str | None = None,
    ) -> Message:
        message = Message(str(next(self._ids)), channel, author, text, thread, visible_to, key)
        self.messages.append(message)
        for listener in self._listeners:
            listener(message)
        return message

    def post_as_bot(self, channel: ChannelRef, text: str, *, thread: str | None, key: str) -> MessageRef:
        message = self.add(channel.channel, BOT, text, thread=thread, key=key)
        return MessageRef(channel, message.id)

    def get(self, message_id: str) -> Message:
        return next(m for m in self.messages if m.id == message_id)

    def edit(self, ref: MessageRef, text: str) -> None:
        message = self.get(ref.message)
        message.text, message.edited = text, True

    def delete(self, ref: MessageRef) -> None:
        self.get(ref.message).deleted = True

    def in_channel(
        self, channel: str, *, author: str | None = None, thread: str | None = None
    ) -> list[Message]:
        """Messages in a channel (optionally by author, optionally in one thread), oldest first."""
        return [
            m
            for m in self.messages
            if m.channel == channel.lstrip("#")
            and not m.deleted
            and (author is None or m.author == author)
            and (thread is None or m.thread == thread)
        ]
