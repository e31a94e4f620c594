"""The local workspace as the console keeps it: messages survive a restart, ids never repeat, and an
unknown id is a `LookupError` (it was a StopIteration, which a coroutine turns into a RuntimeError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local.sender import LocalSender
from adapters.local.workspace import BOT, LocalWorkspace, UnknownMessage
from bot.domain import Button, ButtonStyle, ChannelRef, MessageRef, Outgoing, Platform, RelayKind, RelayPost
from bot.ports import PermanentSendError


def test_messages_reactions_and_buttons_are_kept_and_ids_go_on(tmp_path: Path) -> None:
    path = tmp_path / "messages.json"
    first = LocalWorkspace(path)
    send = Button("Send", "announcement_send", "1", ButtonStyle.PRIMARY)
    message = first.add("admin", BOT, "Preview", buttons=(send,))
    message.reactions["tada"] = {"pat"}
    first.save()
    first.edit(MessageRef(first.channel("admin"), message.id), "Preview (edited)")

    again = LocalWorkspace(path)
    kept = again.get(message.id)
    assert (kept.text, kept.edited, kept.buttons, kept.reactions) == (
        "Preview (edited)",
        True,
        (send,),
        {"tada": {"pat"}},
    )
    assert again.add("admin", "alice", "next").id == "2"
    assert LocalWorkspace(tmp_path / "other.json", first_id=40).add("x", "y", "z").id == "40"


def test_changes_reach_only_the_listeners_that_asked(tmp_path: Path) -> None:
    workspace = LocalWorkspace()
    news: list[str] = []
    everything: list[tuple[str, bool, bool]] = []
    workspace.subscribe(lambda m: news.append(m.id))
    workspace.subscribe(lambda m: everything.append((m.id, m.edited, m.deleted)), changes=True)
    ref = workspace.post_as_bot(workspace.channel("acme"), "hi", thread=None, key="d1")
    workspace.edit(ref, "hi again")
    workspace.delete(ref)
    assert news == ["1"]
    assert everything == [("1", False, False), ("1", True, False), ("1", True, True)]


async def test_an_unknown_message_is_a_lookup_error_and_the_sender_answers_like_slack() -> None:
    workspace = LocalWorkspace()
    with pytest.raises(UnknownMessage):
        workspace.get("99")
    sender = LocalSender(workspace)
    ref = MessageRef(ChannelRef(Platform.LOCAL, "local", "acme"), "99")
    out = Outgoing(channel=ref.channel, content=RelayPost(relay_id=1, kind=RelayKind.ANSWER, text="x"))
    with pytest.raises(PermanentSendError) as refused:
        await sender.edit(ref, out)
    assert str(refused.value) == "message_not_found" and not refused.value.deactivate
    await sender.delete(ref)  # already gone: nothing to do
