"""`partnerbot console`: type as partners and admins in named local channels and watch what happens.

Lines look like `pat@acme: /partner subscribe security`; `:as` and `:in` set who and where so that
later lines can be just the text. Deliveries, relayed questions and answers appear as the background
worker posts them, exactly as they would in Slack or Discord.
"""

from __future__ import annotations

import asyncio
import re
import shlex

from rich.console import Console

from adapters.local.app import LocalAdapter
from bot.app import build_app
from bot.cli.demo import Printer
from bot.config import Settings
from bot.domain import Platform

HELP = """\
[bold]partnerbot console[/bold] — you are everyone. Type a line as [bold]who@channel: text[/bold], e.g.
  admin@admin: /partner-admin topic add security "Security advisories"
  pat@acme: /partner subscribe security
  admin@admin: /partner-admin broadcast topic:security title:"Patch now" Please update.
or set who/where once with [bold]:as pat[/bold] and [bold]:in acme[/bold] and type just the text.
  :reply <message-id> <text>   reply in the thread of a message (a question, or an admin's answer)
  :react <message-id> <emoji>  react to a message      :unreact <message-id> <emoji>
  :press <action> <value>      press a button (e.g. :press announcement_send 1)
  :log [channel]               show a channel's messages with their ids
  :help   :quit"""
_ADDRESSED = re.compile(r"^(?P<who>[\w.-]+)@#?(?P<where>[\w-]+):\s?(?P<text>.*)$", re.DOTALL)


async def run_console(settings: Settings, *, admin_channel: str, admin: str) -> None:
    settings = settings.model_copy(
        update={
            "admin_channels": (*settings.admin_channels, f"local:{admin_channel}"),
            "admin_users": (*settings.admin_users, f"local:{admin}"),
        }
    )
    out = Console()
    app = await build_app(settings)
    local = LocalAdapter(app.bot)
    app.worker.add_sender(Platform.LOCAL, local.sender)
    local.workspace.subscribe(Printer(out))
    app.start_background()
    out.print(HELP)
    out.print(
        f"[dim]database: {settings.database_url} · admin channel: #{admin_channel} · admin: {admin}[/dim]"
    )
    state = {"who": admin, "where": admin_channel}
    try:
        while True:
            try:
                line = await asyncio.to_thread(input, f"{state['who']}@{state['where']}> ")
            except EOFError:
                break
            if not await _handle(line.strip(), local, state, out):
                break
    finally:
        await app.close()


async def _handle(line: str, local: LocalAdapter, state: dict[str, str], out: Console) -> bool:
    if not line:
        return True
    if line in (":quit", ":q", ":exit"):
        return False
    if line.startswith(":"):
        try:
            await _meta(line, local, state, out)
        except (ValueError, StopIteration, IndexError):
            out.print("[red]I didn't get that.[/red] :help shows the console commands.")
        return True
    addressed = _ADDRESSED.match(line)
    who, where, text = state["who"], state["where"], line
    if addressed:
        who, where, text = addressed["who"], addressed["where"], addressed["text"]
    await local.say(who, where, text)
    await asyncio.sleep(0.05)  # let the worker print what it posts before the next prompt
    return True


async def _meta(line: str, local: LocalAdapter, state: dict[str, str], out: Console) -> None:
    verb, _, rest = line[1:].partition(" ")
    if verb == "help":
        out.print(HELP)
    elif verb == "as":
        state["who"] = rest.strip() or state["who"]
    elif verb == "in":
        state["where"] = rest.strip().lstrip("#") or state["where"]
    elif verb == "reply":
        message_id, _, text = rest.partition(" ")
        message = local.workspace.get(message_id)
        await local.say(state["who"], message.channel, text, thread=message.thread or message.id)
    elif verb in ("react", "unreact"):
        message_id, emoji = shlex.split(rest)
        added = await local.react(
            state["who"], local.workspace.get(message_id), emoji.strip(":"), added=verb == "react"
        )
        out.print("[dim]recorded[/dim]" if added else "[dim](not an announcement: nothing recorded)[/dim]")
    elif verb == "press":
        action, value = shlex.split(rest)
        await local.press(state["who"], state["where"], action, value)
    elif verb == "log":
        channel = rest.strip().lstrip("#") or state["where"]
        for m in local.workspace.in_channel(channel):
            thread = f" (thread of {m.thread})" if m.thread else ""
            out.print(f"[dim]{m.id}[/dim] {m.author}{thread}: ", end="")
            out.print(m.text.splitlines()[0] if m.text else "", markup=False)
    else:
        raise ValueError(verb)
