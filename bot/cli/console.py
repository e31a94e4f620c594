"""`partnerbot console`: type as partners and admins in named local channels and watch what happens.

Lines look like `pat@acme: /partner subscribe security`; `:as` and `:in` set who and where so that
later lines can be just the text. Deliveries, relayed questions and answers appear as the worker
posts them, exactly as they would in Slack or Discord, and so do edits, deletions and the live
progress message. The console keeps its own SQLite file (not the `partnerbot run` database) and its
messages beside it, so a second session goes on where the first stopped.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlmodel import SQLModel

from adapters.local.app import LocalAdapter
from adapters.local.workspace import BOT, LocalWorkspace, Message, UnknownMessage
from bot.app import App, build_app
from bot.config import Settings
from bot.domain import Button, Platform

HELP = """\
[bold]partnerbot console[/bold] — you are everyone. Type [bold]who@channel: text[/bold], e.g.
  admin@admin: /partner-admin topic add security "Security advisories"
  pat@acme: /partner subscribe security
  admin@admin: /partner-admin broadcast topic:security title:"Patch" Update.
or set who/where once with [bold]:as pat[/bold] and [bold]:in acme[/bold] and type just the text.
Each message is shown with its id, and the buttons under it with numbers.
  :press <id> <button> \\[text]
                           press a button under a message, by number or name:
                           :press 2 send · :press 7 acknowledge · :press 7 1
                           :press 7 helpful · :press 7 ask When? (a question)
                           :press 7 register (a call to action: counted, its link shown)
  :reply <id> <text>       reply in a message's thread (question or answer)
  :react <id> <emoji>      react to a message · :unreact <id> <emoji>
  :log \\[channel]           a channel's messages with their ids and buttons
  :help   :quit"""
_ADDRESSED = re.compile(r"^(?P<who>[\w.-]+)@#?(?P<where>[\w-]+):\s?(?P<text>.*)$", re.DOTALL)
# Columns that hold a platform message id (the outboxes' `message_id`, threads, relayed copies).
_MESSAGE_COLUMNS = {"message_id", "thread", "admin_thread", "partner_thread", "admin_message"}
_LOCAL_ID_DIGITS = 12  # local ids are small numbers; Discord snowflakes (17+ digits) are not ours


async def run_console(settings: Settings, *, admin_channel: str, admin: str, db: Path) -> None:
    db = db.resolve()
    settings = settings.model_copy(
        update={
            "database_url": f"sqlite:///{db}",
            "admin_channels": (*settings.admin_channels, f"local:{admin_channel}"),
            "admin_users": (*settings.admin_users, f"local:{admin}"),
        }
    )
    out = Console()
    app = await build_app(settings)
    kept = db.with_name(db.name + ".messages.json")
    workspace = LocalWorkspace(kept, first_id=await _first_free_id(app))
    local = LocalAdapter(app.bot, workspace)
    app.worker.add_sender(Platform.LOCAL, local.sender)
    local.workspace.subscribe(ConsolePrinter(out), changes=True)
    app.start_background()
    out.print(HELP)
    out.print(f"[dim]database: {escape(str(db))}[/dim]", soft_wrap=True)
    out.print(f"[dim]messages: {escape(str(kept))}[/dim]", soft_wrap=True)
    out.print(f"[dim]admin channel: #{escape(admin_channel)} · admin: {escape(admin)}[/dim]", soft_wrap=True)
    state = {"who": admin, "where": admin_channel}
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, f"{state['who']}@{state['where']}> ")
            except EOFError:
                break
            if not await _handle(line.strip(), local, state, out):
                break
            await _settle(app)
    finally:
        await app.close()


async def _first_free_id(app: App) -> int:
    """One past the highest local message id the database refers to: if the kept messages were lost,
    new messages still never take an id that a delivery, thread or progress message points at."""
    highest = 0
    async with app.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in (c for c in table.columns if c.name in _MESSAGE_COLUMNS):
                found = await connection.execute(select(column).where(column.is_not(None)).distinct())
                for (value,) in found:
                    if value.isdigit() and len(value) <= _LOCAL_ID_DIGITS:
                        highest = max(highest, int(value))
    return highest + 1


async def _settle(app: App) -> None:
    """Deliver what the line set off and refresh the progress messages, so that its consequences are
    on screen before the next prompt (the background worker and jobs go on for what is due later)."""
    await app.worker.drain()
    if await app.bot.progress.refresh(app.worker.sender_for):
        await app.worker.drain()


class ConsolePrinter:
    """Prints each message with its id and buttons, and each edit and deletion as it happens."""

    def __init__(self, out: Console) -> None:
        self.out = out

    def __call__(self, m: Message) -> None:
        where = f"#{m.channel}" + (f" (thread of {m.thread})" if m.thread else "")
        who = "[green]partnerbot[/green]" if m.author == BOT else f"[bold]{escape(m.author)}[/bold]"
        only = f" [dim](only {escape(m.visible_to)} sees this)[/dim]" if m.visible_to else ""
        change = (
            " [yellow](deleted)[/yellow]" if m.deleted else " [yellow](edited)[/yellow]" if m.edited else ""
        )
        self.out.print(f"[dim]{m.id}[/dim] [cyan]{escape(where)}[/cyan] {who}{only}{change}: ", end="")
        if m.deleted:
            self.out.print("[dim]this message was deleted[/dim]")
            return
        self.out.print(m.text, markup=False, highlight=False, soft_wrap=True)
        if m.buttons:
            self.out.print(
                f"    [dim]buttons: {escape(_button_list(m))} (:press {m.id} …)[/dim]", soft_wrap=True
            )


def _button_list(message: Message) -> str:
    return " · ".join(f"{n} {b.label}" for n, b in enumerate(message.buttons, start=1))


async def _handle(line: str, local: LocalAdapter, state: dict[str, str], out: Console) -> bool:
    if not line:
        return True
    if line in (":quit", ":q", ":exit"):
        return False
    if line.startswith(":"):
        try:
            await _meta(line, local, state, out)
        except UnknownMessage as exc:
            out.print(
                f"[red]There is no message {escape(exc.message_id)}:[/red] "
                ":log \\[channel] lists messages with their ids."
            )
        except (ValueError, IndexError):
            out.print("[red]I didn't get that.[/red] :help shows the console commands.")
        return True
    addressed = _ADDRESSED.match(line)
    who, where, text = state["who"], state["where"], line
    if addressed:
        who, where, text = addressed["who"], addressed["where"], addressed["text"]
    await local.say(who, where, text)
    return True


async def _meta(line: str, local: LocalAdapter, state: dict[str, str], out: Console) -> None:
    verb, _, rest = line[1:].partition(" ")
    if verb == "help":
        out.print(HELP)
    elif verb in ("as", "in"):
        # Without a name nothing changes: say who and where you are, and how to change it.
        key, value = ("who", rest.strip()) if verb == "as" else ("where", rest.strip().lstrip("#"))
        if not value:
            out.print(
                f"You are {escape(state['who'])} in #{escape(state['where'])}; "
                f":{verb} <{'name' if verb == 'as' else 'channel'}> changes it."
            )
            return
        state[key] = value
    elif verb == "reply":
        message_id, _, text = rest.strip().partition(" ")
        message = local.workspace.get(message_id)
        if not text.strip():
            raise ValueError("no text")
        await local.say(state["who"], message.channel, text, thread=message.thread or message.id)
    elif verb in ("react", "unreact"):
        message_id, emoji = shlex.split(rest)
        added = await local.react(
            state["who"], local.workspace.get(message_id), emoji.strip(":"), added=verb == "react"
        )
        out.print("[dim]recorded[/dim]" if added else "[dim](not an announcement: nothing recorded)[/dim]")
    elif verb == "press":
        await _press(rest.strip(), local, state, out)
    elif verb == "log":
        channel = rest.strip().lstrip("#") or state["where"]
        messages = local.workspace.in_channel(channel)
        if not messages:  # an empty answer would look like the command did nothing
            out.print(f"No messages in #{escape(channel)} yet.")
        for m in messages:
            thread = f" (thread of {m.thread})" if m.thread else ""
            out.print(f"[dim]{m.id}[/dim] {escape(m.author)}{thread}: ", end="")
            out.print(m.text.splitlines()[0] if m.text else "", markup=False, soft_wrap=True)
            if m.buttons:
                out.print(f"    [dim]buttons: {escape(_button_list(m))}[/dim]")
    else:
        raise ValueError(verb)


async def _press(rest: str, local: LocalAdapter, state: dict[str, str], out: Console) -> None:
    """`:press <message-id> <button> [text]`, or the older `:press <action> <value>`."""
    first, _, after = rest.partition(" ")
    if not first.isdigit():
        action, value = shlex.split(rest)
        await local.press(state["who"], state["where"], action, value)
        return
    message = local.workspace.get(first)
    choice, _, text = after.strip().partition(" ")
    button = _button(message, choice)
    if isinstance(button, str):
        out.print(f"[red]{escape(button)}[/red]", soft_wrap=True)
        return
    await local.press_on(state["who"], message, button, text)


def _button(message: Message, choice: str) -> Button | str:
    """The button named (by number, label, or the start of its label), or why there is none."""
    if not message.buttons:
        return f"Message {message.id} has no buttons."
    listed = f"its buttons: {_button_list(message)}"
    if not choice:
        return f"Say which button to press under message {message.id}: {listed}."
    if choice.isdigit():
        number = int(choice)
        if 1 <= number <= len(message.buttons):
            return message.buttons[number - 1]
        return f"Message {message.id} has no button {number}; {listed}."
    word = choice.lower()
    exact = [b for b in message.buttons if b.label.lower() == word]
    found = exact or [b for b in message.buttons if b.label.lower().startswith(word)]
    if len(found) == 1:
        return found[0]
    if found:
        return f"Several buttons under message {message.id} match “{choice}”: press one by number; {listed}."
    return f"Message {message.id} has no “{choice}” button; {listed}."
