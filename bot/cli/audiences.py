"""`partnerbot audiences list|show|save|delete`: the chat's saved audiences (`audience …`), with the
same use-cases, checks and words (bot/services/audiences.py); one-line errors, audited as "cli"."""

from __future__ import annotations

from typing import Annotated

import typer

from bot import commands as c
from bot.app import App
from bot.cli import CLI_WHERE, CliError, audit, load_settings, operator, out, run_async, with_app
from bot.domain import Audience, ChannelRef, Invocation
from bot.lexer import as_slug, comma_list
from bot.presenter.audiences import audience_reply
from bot.results import AudienceInUse, Refused

Values = list[str] | None
USAGE = 2
audiences_cli = typer.Typer(help="Saved audiences for broadcasts (`--audience NAME`).", no_args_is_help=True)


def audience_name(value: str, option: str = "NAME") -> str:
    """A saved audience's name as the chat reads it, or a one-line usage error."""
    name = as_slug(value)
    if name is None:
        raise CliError(
            f"{option}: {value!r} is not an audience name (one word of letters, digits and dashes, up to 40)",
            USAGE,
        )
    return name


def _print(text: str) -> None:
    out.print(text.replace("*", ""), markup=False, emoji=False, highlight=False, soft_wrap=True)


@audiences_cli.command("list")
def list_() -> None:
    """Every saved audience with its filters and how many channels and partners it reaches now."""

    async def work(a: App) -> None:
        _print(audience_reply(await a.bot.audiences.listing()).text)

    run_async(lambda: with_app(load_settings(), work))


@audiences_cli.command("show")
def show(name: Annotated[str, typer.Argument(help="The audience's name.")]) -> None:
    """One saved audience: its filters, topics and reach now."""
    checked = audience_name(name)

    async def work(a: App) -> None:
        result = await a.bot.audiences.show(checked)
        if isinstance(result, Refused):
            raise CliError(audience_reply(result).text.replace("*", ""))
        _print(audience_reply(result).text)

    run_async(lambda: with_app(load_settings(), work))


@audiences_cli.command("save")
def save(
    name: Annotated[str, typer.Argument(help="One word: letters, digits, dashes (e.g. emea-gold).")],
    tier: Annotated[Values, typer.Option(help="Partners in this tier (repeatable, or a,b).")] = None,
    type_: Annotated[Values, typer.Option("--type", help="Partners of this type (repeatable).")] = None,
    region: Annotated[Values, typer.Option(help="Partners in this region (repeatable).")] = None,
    language: Annotated[Values, typer.Option(help="Partners in this language (repeatable).")] = None,
    topic: Annotated[Values, typer.Option(help="What its broadcasts are about (repeatable).")] = None,
) -> None:
    """Save a named audience (replacing one of that name, and saying what changed)."""
    checked = audience_name(name)
    given = {"tier": tier, "type": type_, "region": region, "language": language}
    values = {key: [v.lower() for v in comma_list(vs or [])] for key, vs in given.items()}
    topics = []
    for word in comma_list(topic or []):
        slug = as_slug(word)
        if slug is None:
            raise CliError(f"--topic: {word!r} is not a topic slug", USAGE)
        topics.append(slug)
    if not any(values.values()) and not topics:
        raise CliError(
            "say who it is with at least one of --tier, --type, --region, --language or --topic", USAGE
        )
    command = c.AudienceSave(checked, Audience.of(values), tuple(dict.fromkeys(topics)))

    async def work(a: App) -> None:
        who = operator()
        inv = Invocation(channel=ChannelRef(who.platform, "", CLI_WHERE), user=who, platform_admin=True)
        result = await a.bot.audiences.save(inv, command)
        reply = audience_reply(result)
        if isinstance(result, Refused):
            raise CliError(reply.text.replace("*", ""), USAGE)
        given = (*values.items(), ("topic", topics))
        options = [part for key, vs in given for v in vs for part in (f"--{key}", v)]
        await audit(a, "audiencesave", "audiences", "save", checked, *options)
        _print(reply.text)

    run_async(lambda: with_app(load_settings(), work))


@audiences_cli.command("delete")
def delete(name: Annotated[str, typer.Argument(help="The audience's name.")]) -> None:
    """Delete a saved audience (refused while an open draft uses it)."""
    checked = audience_name(name)

    async def work(a: App) -> None:
        result = await a.bot.audiences.delete(checked)
        reply = audience_reply(result)
        if isinstance(result, Refused | AudienceInUse):
            raise CliError(reply.text.replace("*", ""))
        await audit(a, "audiencedelete", "audiences", "delete", checked)
        _print(reply.text)

    run_async(lambda: with_app(load_settings(), work))
