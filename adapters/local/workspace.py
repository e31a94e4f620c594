"""The in-process chat world of the local adapter: channels, people and the messages between them.

It plays the part Slack or Discord plays for the other adapters: it stores what was said and tells
listeners (the console, the demo, tests) when something appears, changes or goes away. Given a
`path` it keeps its messages in a JSON file, as a platform keeps them across the bot's restarts: the
console's second session then numbers new messages after the first session's, and an edit or a
delete the core asks for lands on the message it was meant for.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.domain import Button, ButtonStyle, ChannelRef, MessageRef, Platform

WORKSPACE = "local"
BOT = "partnerbot"


class UnknownMessage(LookupError):
    """No message has this id (a typo, or one from before the workspace was kept)."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


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
    # The buttons under the message, in the order they are shown (pressable with `LocalAdapter.press_on`).
    buttons: tuple[Button, ...] = ()


Listener = Callable[[Message], None]


class LocalWorkspace:
    def __init__(self, path: Path | None = None, *, first_id: int = 1) -> None:
        """`path`: keep the messages in this JSON file (loaded now if it exists). `first_id`: number new
        messages from here at least (ids already in use elsewhere, e.g. in the bot's database)."""
        self.path = path
        self.messages: list[Message] = _load(path) if path is not None and path.exists() else []
        highest = max((int(m.id) for m in self.messages if m.id.isdigit()), default=0)
        self._ids = itertools.count(max(first_id, highest + 1))
        self._listeners: list[Listener] = []
        self._change_listeners: list[Listener] = []

    def channel(self, name: str) -> ChannelRef:
        return ChannelRef(Platform.LOCAL, WORKSPACE, name.lstrip("#"))

    def subscribe(self, listener: Listener, *, changes: bool = False) -> None:
        """Call `listener` with every new message; with `changes`, also with every message edited or
        deleted (its `edited` / `deleted` flag says which)."""
        self._listeners.append(listener)
        if changes:
            self._change_listeners.append(listener)

    def add(
        self,
        channel: str,
        author: str,
        text: str,
        *,
        thread: str | None = None,
        visible_to: str | None = None,
        key: str | None = None,
        buttons: tuple[Button, ...] = (),
    ) -> Message:
        message = Message(
            str(next(self._ids)), channel, author, text, thread, visible_to, key, buttons=buttons
        )
        self.messages.append(message)
        self.save()
        for listener in self._listeners:
            listener(message)
        return message

    def post_as_bot(
        self,
        channel: ChannelRef,
        text: str,
        *,
        thread: str | None,
        key: str,
        buttons: tuple[Button, ...] = (),
    ) -> MessageRef:
        message = self.add(channel.channel, BOT, text, thread=thread, key=key, buttons=buttons)
        return MessageRef(channel, message.id)

    def get(self, message_id: str) -> Message:
        """The message with this id; `UnknownMessage` if there is none."""
        found = next((m for m in self.messages if m.id == message_id), None)
        if found is None:
            raise UnknownMessage(message_id)
        return found

    def edit(self, ref: MessageRef, text: str) -> None:
        message = self.get(ref.message)
        message.text, message.edited = text, True
        self._changed(message)

    def delete(self, ref: MessageRef) -> None:
        message = self.get(ref.message)
        message.deleted = True
        self._changed(message)

    def _changed(self, message: Message) -> None:
        self.save()
        for listener in self._change_listeners:
            listener(message)

    def save(self) -> None:
        """Write the messages to `path` (nothing without one). Called after every change."""
        if self.path is None:
            return
        rows = [_row(m) for m in self.messages]
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"messages": rows}, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)

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


def _row(message: Message) -> dict[str, Any]:
    row = asdict(message)
    row["reactions"] = {emoji: sorted(users) for emoji, users in message.reactions.items()}
    row["buttons"] = [[b.label, b.action, b.value, b.style.value] for b in message.buttons]
    return row


def _load(path: Path) -> list[Message]:
    data = json.loads(path.read_text(encoding="utf-8"))
    messages = []
    for row in data.get("messages", []):
        reactions = {emoji: set(users) for emoji, users in row.pop("reactions", {}).items()}
        buttons = tuple(
            Button(label, action, value, ButtonStyle(style))
            for label, action, value, style in row.pop("buttons", [])
        )
        messages.append(Message(**row, reactions=reactions, buttons=buttons))
    return messages
