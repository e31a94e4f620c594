"""`partnerbot partners show|set|remove` and the filters of `partners list`: the same use-cases and
words as the chat's `partner …` commands (bot/services/partner_admin.py), one-line errors."""

from __future__ import annotations

from typing import Annotated

import click
import typer

from bot import messages as m
from bot.app import App
from bot.cli import CliError, audit, load_settings, out, run_async, with_app
from bot.domain import PartnerFilter
from bot.lexer import as_slug, closest, comma_list
from bot.presenter import present
from bot.presenter.roster import card_text, changed_text, removed_text
from bot.results import PartnerUnchanged, Refused
from bot.vocabulary import UnknownValue

Values = list[str] | None


async def partner_filter(
    app: App, tier: Values, type_: Values, region: Values, topic: Values
) -> PartnerFilter:
    """The `partners list` filters, checked like every other input (an unknown value is an error)."""
    vocabulary = await app.bot.vocabulary()
    checked: dict[str, frozenset[str]] = {}
    try:
        for key, given in (("tier", tier), ("type", type_), ("region", region)):
            checked[key] = frozenset(vocabulary.check(key, v) for v in comma_list(given or []))
    except UnknownValue as unknown:
        raise CliError(unknown.message, 2) from unknown
    slugs: set[str] = set()
    for word in comma_list(topic or []):
        slug = as_slug(word)
        if slug is None:  # not dropped: the filter would silently list every partner
            raise CliError(
                f'"{word}" is not a topic slug: lower-case letters, digits and hyphens '
                "(`partnerbot topics list`)",
                2,
            )
        slugs.add(slug)
    known = [t.slug for t in await app.stores.topics.all(include_archived=True)]
    for slug in sorted(slugs - set(known)):
        suggestion = closest(slug, known)
        hint = f' — did you mean "{suggestion}"?' if suggestion else ""
        raise CliError(f'unknown topic "{slug}"{hint} (`partnerbot topics list`)', 2)
    return PartnerFilter(
        tiers=checked["tier"], types=checked["type"], regions=checked["region"], topics=frozenset(slugs)
    )


def show(
    name: Annotated[str, typer.Argument(help="The partner's name (quote it if it has spaces).")],
) -> None:
    """A partner's card: profile, channels (platform, name, active, mode, topics), last activity."""

    async def work(a: App) -> None:
        card = await a.bot.admin.roster.card(name)
        if isinstance(card, Refused):
            raise CliError(_plain(present(card).text))
        out.print(_plain(card_text(card)), markup=False, emoji=False, highlight=False)

    run_async(lambda: with_app(load_settings(), work))


def set_(
    name: Annotated[str, typer.Argument(help="The partner's name.")],
    tier: Annotated[str | None, typer.Option(help="A known tier (PARTNERBOT_TIERS).")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="A known type (PARTNERBOT_TYPES).")] = None,
    region: Annotated[str | None, typer.Option(help="A known region (PARTNERBOT_REGIONS).")] = None,
    language: Annotated[str | None, typer.Option(help="A BCP 47 language tag, e.g. en or pt-BR.")] = None,
    timezone: Annotated[str | None, typer.Option(help="An IANA time zone, e.g. Europe/Berlin.")] = None,
) -> None:
    """Change a partner's tier, type, region, language or time zone; prints what changed."""
    given = {"tier": tier, "type": type_, "region": region, "language": language, "timezone": timezone}
    values = {key: value for key, value in given.items() if value is not None}
    if not values:
        raise CliError("say what to change: --tier, --type, --region, --language or --timezone", 2)

    async def work(a: App) -> None:
        result = await a.bot.admin.roster.update(name, values)
        if isinstance(result, Refused | PartnerUnchanged):
            raise CliError(_plain(present(result).text))
        options = [part for key, value in values.items() for part in (f"--{key}", value)]
        await audit(a, "partnerset", "partners", "set", name, *options)
        out.print(_plain(changed_text(result)), markup=False, emoji=False, highlight=False)

    run_async(lambda: with_app(load_settings(), work))


def remove(name: Annotated[str, typer.Argument(help="The partner's name.")]) -> None:
    """Remove a partner: its channels are switched off and pending deliveries stopped; history is kept."""

    async def work(a: App) -> None:
        result = await a.bot.admin.roster.remove_partner(name)
        if isinstance(result, Refused):
            raise CliError(_plain(present(result).text))
        text = removed_text(result.partner.name, result.channels)
        await audit(a, "partnerremove", "partners", "remove", name)
        out.print(_plain(text), markup=False, emoji=False, highlight=False)

    run_async(lambda: with_app(load_settings(), work))


def forget(
    name: Annotated[
        str | None, typer.Argument(help='A person\'s name exactly as stored, e.g. "Ana Ruiz".')
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            help="A user id as <platform>:<user id>, e.g. slack:U0ANA (as in PARTNERBOT_ADMIN_USERS)."
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget a person: their name and user id read "a forgotten person" in every question, answer,
    reaction, acknowledgement, audit entry, announcement and join code; counts and history stay."""
    from bot.services.privacy import ForgetRefusal, PrivacyService, personal_data_text

    async def work(a: App) -> None:
        service = PrivacyService(a.stores.privacy)
        target = await service.find(name=name, user=user)
        if isinstance(target, ForgetRefusal):
            raise CliError(target.text, 2 if target.bad_input else 1)
        if not yes:
            question = m.FORGET_CONFIRM.format(who=target.label, what=personal_data_text(target.stored))
            try:
                confirmed = typer.confirm(question, default=False)
            except click.exceptions.Abort:
                confirmed = False
            if not confirmed:
                raise CliError(m.FORGET_NOT_CONFIRMED)
        done = await service.forget(target)
        # Who was forgotten is not written down again: the entry says only that someone was.
        await audit(a, "forget", "partners", "forget", outcome="a person's name and user id were forgotten")
        out.print(done, markup=False, emoji=False, highlight=False, soft_wrap=True)

    run_async(lambda: with_app(load_settings(), work))


def _plain(text: str) -> str:
    """Chat markup (`*bold*`, backticks) read as plain text in a terminal: only the asterisks go."""
    return text.replace("*", "")


def register(partners: typer.Typer) -> None:
    partners.command("show")(show)
    partners.command("set")(set_)
    partners.command("remove")(remove)
    partners.command("forget")(forget)
