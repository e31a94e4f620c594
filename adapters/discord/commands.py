"""The application commands: `/partner …` (global), `/partner-admin …` and the message menu
"Broadcast to partners" (registered only in the guilds that hold an admin channel).

One subcommand per grammar verb; each builds a typed command from its options (or hands a topic list
to the grammar) and lets the handlers answer. Topic options autocomplete from the topic list.
https://discordpy.readthedocs.io/en/stable/interactions/api.html#application-commands
"""

from __future__ import annotations

import logging
from typing import Any, Literal, cast
from zoneinfo import available_timezones

import discord
from discord import app_commands

from adapters.discord import translate as tr
from adapters.discord.admin import DiscordHandlers
from adapters.discord.approval_commands import add_approval_commands
from adapters.discord.audience_commands import add_audience_commands, saved_audiences
from adapters.discord.edge import short, shown
from adapters.discord.i18n import described
from adapters.discord.series_commands import add_series_commands
from adapters.discord.translate import CTA_OPTION_LIMIT
from adapters.discord.translation_commands import add_translation_commands
from bot import commands as c
from bot import messages as m
from bot.commands import DEFAULT_NEWS, MAX_BODY, MAX_NEWS, MAX_TITLE
from bot.domain import DeliveryMode, Reply
from bot.domain.search import MAX_QUERY, QueryProblem, parse_query
from bot.grammar import parse_admin, search_problem
from bot.lexer import as_slug, comma_list
from bot.services.feedback import MAX_QUESTION
from bot.when import parse_at

log = logging.getLogger(__name__)
BROADCAST_MENU = "Broadcast to partners"
PartnerVerb = Literal["topics", "subscribe", "unsubscribe", "list", "news", "ask", "settings", "join"]
AdminVerb = Literal[
    "topic",
    "invite",
    "broadcast",
    "send",
    "cancel",
    "edit",
    "recall",
    "stats",
    "acks",
    "questions",
    "answer",
    "reschedule",
    "drafts",
    "engagement",
    "quiet",
    "dashboard",
    "audience",
    "test",
    "translate",
    "translations",
    "series",
    "approve",
    "reject",
]
Mode = Literal["immediate", "daily", "weekly"]
Tree = app_commands.CommandTree[Any]
# What discord.py raises for a command it cannot match to the registered ones: unknown name, missing or
# extra options, or an option value its type cannot hold.
_NOT_UNDERSTOOD = (
    app_commands.CommandNotFound,
    app_commands.CommandSignatureMismatch,
    app_commands.TransformerError,
)


def build_tree(
    client: discord.Client, h: DiscordHandlers
) -> tuple[Tree, list[app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu]]:
    """The tree with `/partner`, and the admin commands to add per admin guild once those are known."""
    tree: Tree = PartnerbotTree(client)
    tree.add_command(partner_group(h))

    @tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, _NOT_UNDERSTOOD):
            # A command or options partnerbot did not register (or no longer does): a payload of
            # unexpected shape, not a bug; nothing ran.
            name = interaction.data.get("name", "?") if interaction.data else "?"
            log.warning("Discord command %s not understood (%s); ignored", shown(str(name)), short(error))
            text = m.DISCORD_COMMAND_NOT_UNDERSTOOD
        else:
            log.error("application command failed", exc_info=error)
            text = m.INTERNAL_ERROR
        if not interaction.response.is_done():
            try:
                await interaction.response.send_message(text, ephemeral=True)
            except discord.HTTPException as failed:  # the interaction itself may be the odd part
                log.warning("answering a Discord command that failed did not work: %s", short(failed))

    menu = app_commands.ContextMenu(name=BROADCAST_MENU, callback=_broadcast_menu(h))
    return tree, [admin_group(h), menu]


class PartnerbotTree(app_commands.CommandTree[Any]):
    """The command tree, checking first that every option has the type its parameter was registered
    with: discord.py hands a value of another type (a command Discord still shows in an older version,
    or a payload of another shape) to the callback as it is."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        problem = _option_mismatch(interaction)
        if problem is None:
            return True
        log.warning("Discord command %s not understood (%s); ignored", shown(problem[0]), shown(problem[1]))
        if interaction.type is discord.InteractionType.application_command:
            try:
                await interaction.response.send_message(m.DISCORD_COMMAND_NOT_UNDERSTOOD, ephemeral=True)
            except discord.HTTPException as failed:
                log.warning("answering a Discord command that failed did not work: %s", short(failed))
        return False  # autocomplete: no choices


def _option_mismatch(interaction: discord.Interaction) -> tuple[str, str] | None:
    """(command, problem) when an option's type is not its parameter's."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None  # context menus carry no options; an unknown command is CommandNotFound (on_error)
    data = cast(dict[str, Any], interaction.data or {})
    options = data.get("options") or []
    while options and options[0].get("type") in (1, 2):  # down the subcommand (group)
        options = options[0].get("options") or []
    registered = {p.display_name: p.type.value for p in command.parameters}
    for option in options:
        wanted = registered.get(option.get("name"))
        if wanted is not None and option.get("type") != wanted:
            return command.qualified_name, f"option {option.get('name')} of type {option.get('type')}"
        if option.get("focused") and wanted is None:  # discord.py would raise CommandSignatureMismatch
            return command.qualified_name, f"autocomplete for an unknown option {option.get('name')}"
    return None


def _broadcast_menu(h: DiscordHandlers) -> Any:
    async def broadcast(interaction: discord.Interaction, message: discord.Message) -> None:
        await h.broadcast_menu(interaction, message)

    return broadcast


def _topics(h: DiscordHandlers, *, allow_all: bool = False, several: bool = True) -> Any:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.topic_choices(current, allow_all=allow_all, several=several)

    return complete


def _vocabulary(h: DiscordHandlers, key: str) -> Any:
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        found = await h.vocabulary_choices(key, current)
        return [app_commands.Choice(name=name, value=value) for name, value in found]

    return complete


async def _timezones(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    wanted = current.strip().lower()
    found = sorted(zone for zone in available_timezones() if wanted in zone.lower())
    return [app_commands.Choice(name=zone, value=zone) for zone in found[: tr.CHOICES_LIMIT]]


def partner_group(h: DiscordHandlers) -> app_commands.Group:
    group = app_commands.Group(
        name="partner",
        description=described("partner"),
        guild_only=True,
    )
    many, one = _topics(h, allow_all=True), _topics(h, several=False)

    @group.command(name="subscribe", description=described("subscribe"))
    @app_commands.describe(topics=described("topics_option"))
    @app_commands.autocomplete(topics=many)
    async def subscribe(interaction: discord.Interaction, topics: str) -> None:
        await h.partner(interaction, f"subscribe {topics}", changes_channel=True)

    @group.command(name="unsubscribe", description=described("unsubscribe"))
    @app_commands.describe(topics=described("topics_option"))
    @app_commands.autocomplete(topics=many)
    async def unsubscribe(interaction: discord.Interaction, topics: str) -> None:
        await h.partner(interaction, f"unsubscribe {topics}", changes_channel=True)

    @group.command(name="topics", description=described("topics"))
    async def topics(interaction: discord.Interaction) -> None:
        await h.partner(interaction, c.ListTopics())

    @group.command(name="list", description=described("list"))
    async def list_(interaction: discord.Interaction) -> None:
        await h.partner(interaction, c.ListSubscriptions())

    @group.command(name="news", description=described("news"))
    @app_commands.describe(
        topic=described("topic_option"),
        count=described("count_option", max=MAX_NEWS),
        search=described("search_option"),
    )
    @app_commands.autocomplete(topic=one)
    async def news(
        interaction: discord.Interaction,
        topic: str | None = None,
        count: app_commands.Range[int, 1, MAX_NEWS] = DEFAULT_NEWS,
        search: app_commands.Range[str, 1, MAX_QUERY] | None = None,
    ) -> None:
        slug = topic.strip().lower() if topic else None
        if search is None:
            await h.partner(interaction, c.News(slug, count))
            return
        parsed = parse_query(search)
        if isinstance(parsed, QueryProblem):
            await h.reply_now(interaction, Reply(text=search_problem(parsed), is_error=True))
            return
        await h.partner(interaction, c.SearchNews(" ".join(search.split()), parsed, topic=slug))

    @group.command(name="ask", description=described("ask"))
    @app_commands.describe(question=described("question_option"))
    async def ask(
        interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION]
    ) -> None:
        await h.partner(interaction, c.Ask(question.strip()))

    @group.command(name="settings", description=described("settings"))
    @app_commands.describe(
        mode=described("mode_option"),
        timezone=described("timezone_option"),
        language=described("language_option"),
        quiet=described("quiet_option"),
        cap=described("cap_option"),
    )
    @app_commands.autocomplete(timezone=_timezones)
    async def settings(
        interaction: discord.Interaction,
        mode: Mode | None = None,
        timezone: str | None = None,
        language: app_commands.Range[str, 1, 40] | None = None,
        quiet: app_commands.Range[str, 1, 40] | None = None,
        cap: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        changes: list[c.PartnerCommand | str] = []
        if mode:
            changes.append(c.SetMode(DeliveryMode(mode)))
        if timezone:
            changes.append(c.SetTimezone(timezone.strip()))
        # These three go through the chat grammar, which checks them and words its refusals.
        if language:
            changes.append(f"settings language {language.strip()}")
        if quiet:
            changes.append(f"settings quiet {quiet.strip()}")
        if cap:
            changes.append(f"settings cap {cap.strip()}")
        if changes:
            await h.partner(interaction, *changes, changes_channel=True)
        else:
            await h.partner(interaction, c.ShowSettings())

    @group.command(name="join", description=described("join"))
    @app_commands.describe(code=described("code_option"))
    async def join(interaction: discord.Interaction, code: app_commands.Range[str, 1, 40]) -> None:
        await h.partner(interaction, c.Join(code.strip()), changes_channel=True)

    @group.command(name="help", description=described("help"))
    @app_commands.describe(command=described("command_option"))
    async def help_(interaction: discord.Interaction, command: PartnerVerb | None = None) -> None:
        await h.partner(interaction, c.Help(command or ""))

    return group


def admin_group(h: DiscordHandlers) -> app_commands.Group:
    group = app_commands.Group(
        name="partner-admin",
        description="partnerbot for the vendor team (admin channel only)",
        guild_only=True,
    )
    topic = app_commands.Group(name="topic", description="Add or archive a topic", parent=group)

    @topic.command(name="add", description="Add a topic partners can follow")
    async def topic_add(
        interaction: discord.Interaction,
        slug: app_commands.Range[str, 1, 40],
        title: app_commands.Range[str, 1, 100],
        description: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        valid = as_slug(slug)
        if valid is None:
            await h.admin(interaction, m.BAD_SLUG.format(slug=slug), detail=f"topic add {slug}")
            return
        await h.admin(interaction, c.TopicAdd(valid, title.strip(), (description or "").strip()))

    @topic.command(name="archive", description="Archive a topic: no more broadcasts to it")
    @app_commands.autocomplete(slug=_topics(h, several=False))
    async def topic_archive(interaction: discord.Interaction, slug: str) -> None:
        await h.admin(interaction, c.TopicArchive(slug.strip().lower()))

    @topic.command(
        name="require-approval", description="Announcements about it need another admin's approval"
    )
    @app_commands.describe(off="Turn it off again")
    @app_commands.autocomplete(slug=_topics(h, several=False))
    async def topic_approval(interaction: discord.Interaction, slug: str, off: bool = False) -> None:
        valid = as_slug(slug.strip().lower())
        if valid is None:
            await h.admin(interaction, m.BAD_SLUG.format(slug=slug), detail=f"topic require-approval {slug}")
            return
        await h.admin(interaction, c.TopicApproval(valid, required=not off))

    @group.command(name="invite", description="A one-time join code for a partner organisation")
    @app_commands.autocomplete(
        tier=_vocabulary(h, "tier"), type=_vocabulary(h, "type"), region=_vocabulary(h, "region")
    )
    async def invite(
        interaction: discord.Interaction,
        partner: app_commands.Range[str, 1, 200],
        tier: app_commands.Range[str, 1, 40],
        type: app_commands.Range[str, 1, 40] | None = None,
        region: app_commands.Range[str, 1, 40] | None = None,
        language: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        values = [(v or "").strip().lower() for v in (tier, type, region, language)]
        await h.admin(interaction, c.Invite(partner.strip(), *values))

    @group.command(name="broadcast", description="Draft an announcement and preview its reach")
    @app_commands.describe(
        topics="Topic names separated by commas (a saved audience may name them)",
        audience="A saved audience (`audience save`), resolved when sent",
        tier="Only these tiers, e.g. gold,platinum",
        at=m.DISCORD_SEND_AT_OPTION,
        ack=m.DISCORD_ACK_OPTION,
        cta1=m.DISCORD_CTA_OPTION,
        cta2=m.DISCORD_CTA_OPTION,
        cta3=m.DISCORD_CTA_OPTION,
    )
    @app_commands.autocomplete(topics=_topics(h), audience=saved_audiences(h))
    async def broadcast(
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, MAX_TITLE],
        body: app_commands.Range[str, 1, MAX_BODY],
        topics: str | None = None,
        audience: app_commands.Range[str, 1, 40] | None = None,
        tier: str | None = None,
        type: str | None = None,
        region: str | None = None,
        language: str | None = None,
        urgent: bool = False,
        at: app_commands.Range[str, 1, 100] | None = None,
        ack: bool = False,
        cta1: app_commands.Range[str, 1, CTA_OPTION_LIMIT] | None = None,
        cta2: app_commands.Range[str, 1, CTA_OPTION_LIMIT] | None = None,
        cta3: app_commands.Range[str, 1, CTA_OPTION_LIMIT] | None = None,
    ) -> None:
        ctas = tr.parse_cta_options(cta1, cta2, cta3)
        if isinstance(ctas, str):
            await h.admin(interaction, ctas, detail="broadcast")
            return
        slugs, problem = tr.parse_topics(topics or "")
        if not slugs and not problem and not audience:
            problem = m.BROADCAST_TOPIC_MISSING
        if ack and not urgent:
            problem = problem or m.ACK_NEEDS_URGENT
        if problem:
            await h.admin(interaction, problem, detail="broadcast")
            return
        lists = {
            k: [v.lower() for v in comma_list([x or ""])]
            for k, x in zip(tr.AUDIENCE_KEYS, (tier, type, region, language), strict=True)
        }
        command = tr.scheduled(
            c.Broadcast(
                slugs,
                tr.audience_of(lists),
                title.strip(),
                body.strip(),
                urgent=urgent,
                ack_required=ack,
                saved_audience=audience.strip().lower() if audience else None,
                ctas=ctas,
            ),
            at,
        )
        if isinstance(command, str):  # the same words as for `at:"…"`
            await h.admin(interaction, command, detail="broadcast")
            return
        await h.admin(interaction, command)

    @group.command(name="send", description="Send a draft announcement")
    async def send(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.Send(announcement))

    @group.command(name="cancel", description="Cancel a draft or scheduled announcement")
    async def cancel(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.Cancel(announcement))

    @group.command(name="edit", description="Change an announcement, also every copy already delivered")
    @app_commands.describe(title="The new title", body="The new text; leave both out to edit in a form")
    async def edit(
        interaction: discord.Interaction,
        announcement: app_commands.Range[int, 1],
        title: app_commands.Range[str, 1, MAX_TITLE] | None = None,
        body: app_commands.Range[str, 1, MAX_BODY] | None = None,
    ) -> None:
        if title is None and body is None:
            await h.edit_form(interaction, str(announcement))
            return
        new_title, new_body = (title or "").strip() or None, (body or "").strip() or None
        if new_title is None and new_body is None:
            await h.admin(interaction, m.EDIT_NOTHING, detail=f"edit {announcement}")
            return
        await h.admin(interaction, c.Edit(announcement, title=new_title, body=new_body))

    @group.command(name="recall", description="Delete every delivered copy of an announcement")
    async def recall(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.Recall(announcement))

    @group.command(name="stats", description="Reach and engagement")
    async def stats(
        interaction: discord.Interaction, announcement: app_commands.Range[int, 1] | None = None
    ) -> None:
        await h.admin(interaction, c.Stats(announcement))

    @group.command(name="acks", description="Who has and hasn't acknowledged an urgent announcement")
    async def acks(interaction: discord.Interaction, announcement: app_commands.Range[int, 1]) -> None:
        await h.admin(interaction, c.Acks(announcement))

    @group.command(name="questions", description="Partner questions waiting for an answer")
    async def questions(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.Questions())

    @group.command(name="answer", description="Answer a partner question (relayed to their thread)")
    async def answer(
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        text: app_commands.Range[str, 1, 4000],
    ) -> None:
        await h.admin(interaction, c.Answer(question, text.strip()))

    @group.command(name="reschedule", description="A new time for a scheduled announcement or a draft")
    @app_commands.describe(at=m.DISCORD_SEND_AT_OPTION)
    async def reschedule(
        interaction: discord.Interaction,
        announcement: app_commands.Range[int, 1],
        at: app_commands.Range[str, 1, 100],
    ) -> None:
        when = parse_at(at)
        if isinstance(when, str):  # the same words as for `at:"…"`
            await h.admin(interaction, when, detail=f"reschedule {announcement}")
            return
        await h.admin(
            interaction, c.Reschedule(announcement, when.wall, send_zone=when.zone, send_local=when.local)
        )

    @group.command(name="drafts", description="Open drafts, each with a Cancel button")
    async def drafts(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.Drafts())

    @group.command(name="engagement", description="Partner engagement scores, tier and region averages")
    async def engagement(
        interaction: discord.Interaction,
        tier: app_commands.Range[str, 1, 40] | None = None,
        region: app_commands.Range[str, 1, 40] | None = None,
        topic: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        # The same checks as the text form (one value each, a topic slug): parsed from the options.
        given = (("tier", tier), ("region", region), ("topic", topic))
        options = " ".join(f'{key}:"{value}"' for key, value in given if value)
        parsed = parse_admin(f"engagement {options}")
        if isinstance(parsed, c.CommandError):
            await h.admin(interaction, parsed.message, detail=f"engagement {options}")
            return
        await h.admin(interaction, parsed)

    @group.command(name="quiet", description="Partners who have gone quiet")
    async def quiet(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.Quiet())

    @group.command(name="dashboard", description="A one-time sign-in link to the web dashboard, only for you")
    async def dashboard(interaction: discord.Interaction) -> None:
        await h.admin(interaction, c.Dashboard())

    add_audience_commands(group, h)
    add_translation_commands(group, h)
    add_series_commands(group, h)
    add_approval_commands(group, h)

    @group.command(name="help", description="The admin commands")
    async def help_(interaction: discord.Interaction, command: AdminVerb | None = None) -> None:
        await h.admin(interaction, c.AdminHelp(command or ""))

    return group
