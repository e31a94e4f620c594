"""`partnerbot demo`: a seeded, realistic scenario played through the local adapter on a fresh SQLite file.

Everything goes through the same entry points a Slack or Discord user would hit; the script only
decides who types what, and prints the conversation as it happens.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from adapters.local.app import LocalAdapter
from adapters.local.workspace import BOT, Message
from bot import messages as m
from bot.app import App, build_app
from bot.cli.render import stats_tables
from bot.config import Settings
from bot.domain import Platform
from bot.services.admin import SEND_ACTION
from bot.services.roster import RosterPorts, RosterService

SEED = 2026
ADMIN, ADMIN_CHANNEL = "dana", "partner-team"
TOPICS = [
    ("product-updates", "Product updates", "Releases, roadmap and deprecations"),
    ("pricing", "Pricing & licensing", "Price lists, discounts, licensing changes"),
    ("security", "Security advisories", "Vulnerabilities and patches"),
    ("training", "Training & certification", "Courses, exams, enablement sessions"),
    ("marketing", "Marketing programmes", "Co-marketing funds and campaign kits"),
    ("events", "Events", "Partner summits and webinars"),
]
TIERS = [("platinum", 4), ("gold", 8), ("silver", 12), ("registered", 16)]
REGIONS = {"na": ("en", "America/Chicago"), "emea": ("de", "Europe/Berlin"), "apac": ("en", "Asia/Singapore")}
TYPES = ["reseller", "msp", "integrator", "distributor", "isv"]
FIRST = [
    "Acme",
    "Birch",
    "Cedar",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Onyx",
    "Pioneer",
    "Quartz",
    "Ridge",
    "Summit",
    "Tidal",
    "Vertex",
    "Willow",
    "Zenith",
]
SECOND = [
    "Networks",
    "Systems",
    "Cloud",
    "Solutions",
    "Data",
    "Security",
    "Consulting",
    "Digital",
    "Labs",
    "IT",
]
BODY = """Our **2027 partner price list** takes effect on *1 February 2027*.

- Platinum and gold discounts rise by 2 points
- Deal registration now protects a deal for 120 days
- The old list stays valid for quotes issued before 31 January

Questions? Reply in this thread and the partner team will answer here."""


def _roster(rng: random.Random) -> str:
    names = rng.sample([f"{a} {b}" for a in FIRST for b in SECOND], sum(n for _, n in TIERS))
    lines = ["name,tier,type,region,language,timezone,platform,channel_id"]
    tiers = [tier for tier, count in TIERS for _ in range(count)]
    for name, tier in zip(names, tiers, strict=True):
        region = rng.choice(list(REGIONS))
        language, timezone = REGIONS[region]
        lines.append(f"{name},{tier},{rng.choice(TYPES)},{region},{language},{timezone},local,{_slug(name)}")
    return "\n".join(lines) + "\n"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


class Printer:
    """Prints each message the workspace sees: who, where, and (for replies) to whom only."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.quiet = False

    def __call__(self, m: Message) -> None:
        if self.quiet:
            return
        where = f"#{m.channel}" + (" (thread)" if m.thread else "")
        who = "[green]partnerbot[/green]" if m.author == BOT else f"[bold]{m.author}[/bold]"
        only = f" [dim](only {m.visible_to} sees this)[/dim]" if m.visible_to else ""
        self.out.print(f"[cyan]{where}[/cyan] {who}{only}: ", end="")
        self.out.print(m.text, markup=False, highlight=False)


async def run_demo(db: Path | None, out: Console) -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="partnerbot-demo-") as tmp:
        path = db or Path(tmp) / "demo.db"
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{path}",
            admin_channels=(f"local:{ADMIN_CHANNEL}",),
            admin_users=(f"local:{ADMIN}",),
        )
        app = await build_app(settings)
        try:
            await _play(app, out, rng)
        finally:
            await app.close()
        if db:
            out.print(f"\nThe demo database is kept at {db}.")


async def _play(app: App, out: Console, rng: random.Random) -> None:
    local = LocalAdapter(app.bot)
    app.worker.add_sender(Platform.LOCAL, local.sender)
    printer = Printer(out)
    local.workspace.subscribe(printer)
    say = local.say

    out.print(Rule("1 · The partner team sets up topics"))
    for slug, title, description in TOPICS:
        await say(ADMIN, ADMIN_CHANNEL, f'/partner-admin topic add {slug} "{title}" "{description}"')

    out.print(Rule("2 · The partner roster is imported (partnerbot partners import)"))
    roster = RosterService(RosterPorts(directory=app.stores.directory, topics=app.stores.topics), app.clock)
    report = await roster.import_csv(_roster(rng))
    imported = m.PARTNERS(report.partners)
    out.print(f"Imported {imported} across 4 tiers and 3 regions, each with its own channel.")
    partners = [(p, n) for p, n in await app.stores.directory.partners()]
    channels = {p.name: _slug(p.name) for p, _ in partners}
    by_tier = {tier: [p for p, _ in partners if p.tier == tier] for tier, _ in TIERS}

    out.print(Rule("3 · A new partner is invited and links its channel"))
    reply = await say(
        ADMIN, ADMIN_CHANNEL, '/partner-admin invite "Nimbus Cloud" tier:platinum type:msp region:emea'
    )
    code = (reply.join_code or "") if reply else ""
    await say("noor", "nimbus-cloud", f"/partner join {code}")

    out.print(Rule("4 · Partners choose their topics in their own channels"))
    await say("noor", "nimbus-cloud", "/partner topics")
    await say("noor", "nimbus-cloud", "/partner subscribe pricing secruity")
    await say("noor", "nimbus-cloud", "/partner subscribe pricing security product-updates")
    first = by_tier["platinum"][0]
    await say("ravi", channels[first.name], "/partner subscribe all")
    second = by_tier["gold"][0]
    await say("mei", channels[second.name], "/partner subscribe pricing,training")
    await say("mei", channels[second.name], "/partner settings timezone asia/singapore")
    printer.quiet = True
    quiet = 0
    for partner, _ in partners:
        if partner.name in (first.name, second.name):
            continue
        wanted = rng.sample([t[0] for t in TOPICS], rng.randint(1, 4))
        await say("someone", channels[partner.name], "/partner subscribe " + " ".join(wanted))
        quiet += 1
    printer.quiet = False
    out.print(f"[dim]…and the other {m.CHANNELS(quiet)} subscribed the same way.[/dim]")

    out.print(Rule("5 · The partner team broadcasts to gold and platinum partners"))
    preview = await say(
        ADMIN,
        ADMIN_CHANNEL,
        f'/partner-admin broadcast topic:pricing tier:gold,platinum title:"2027 partner price list" {BODY}',
    )
    announcement_id = str(preview.draft.announcement_id) if preview and preview.draft else "1"
    out.print(f"[dim]{ADMIN} presses [Send][/dim]")
    await local.press(ADMIN, ADMIN_CHANNEL, SEND_ACTION, announcement_id)
    printer.quiet = True
    await app.worker.drain()
    printer.quiet = False
    posts = [m for m in local.workspace.messages if m.author == BOT and m.key and m.key.startswith("d")]
    delivered = len(posts)
    printer(posts[0])
    for message in posts[1:4]:
        out.print(f"[cyan]#{message.channel}[/cyan] [green]partnerbot[/green]: 📣 2027 partner price list …")
    reached = m.CHANNELS(delivered)
    out.print(f"[dim]…delivered to {reached} in all; silver and registered partners got nothing.[/dim]")

    out.print(Rule("6 · Feedback flows back"))
    for message, emoji in zip(posts, ["tada", "+1", "+1", "eyes", "tada", "+1"], strict=False):
        await local.react("reader", message, emoji)
        out.print(f"[cyan]#{message.channel}[/cyan] reader reacted :{emoji}:")
    await say(
        "ravi",
        posts[0].channel,
        "Does the 2-point uplift apply to renewals signed in January?",
        thread=posts[0].id,
    )
    await say(
        "lena",
        posts[1].channel,
        "Will the new list be in the portal before 1 Feb? @channel",
        thread=posts[1].id,
    )
    await app.worker.drain()
    heading = next(
        m for m in local.workspace.in_channel(ADMIN_CHANNEL, author=BOT) if m.key and m.key.startswith("h")
    )
    await say(
        ADMIN,
        ADMIN_CHANNEL,
        f"#{1} Yes — renewals signed from 1 January get the new discount.",
        thread=heading.id,
    )
    await app.worker.drain()
    await say(ADMIN, ADMIN_CHANNEL, "/partner-admin questions")

    out.print(Rule("7 · A correction: every delivered copy is edited in place, threads and all"))
    await say(
        ADMIN, ADMIN_CHANNEL, f'/partner-admin edit {announcement_id} title:"2027 partner price list (v2)"'
    )
    await app.worker.drain()
    edited = local.workspace.get(posts[0].id)
    out.print(f"[cyan]#{edited.channel}[/cyan] [green]partnerbot[/green] (edited): ", end="")
    out.print(edited.text.splitlines()[0], markup=False, highlight=False)
    # The admin channel's live progress message, as the `broadcast-progress` job keeps it.
    await app.bot.progress.refresh(app.worker.sender_for)
    progress = next(m for m in local.workspace.in_channel(ADMIN_CHANNEL, author=BOT) if m.edited)
    out.print(f"[cyan]#{ADMIN_CHANNEL}[/cyan] [green]partnerbot[/green] (live progress): ", end="")
    out.print(progress.text, markup=False, highlight=False)

    out.print(Rule("8 · Reach and engagement"))
    found = await app.bot.analytics.recent()
    for table in stats_tables(found, await app.bot.analytics.topics()):
        out.print(table)
