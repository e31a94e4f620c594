"""The CLI read in an 80-column terminal: every table wraps or folds instead of cutting headers and cells
to "tit… stat…", and no line is wider than the terminal. Real processes with COLUMNS=80, on a SQLite
file holding long titles, names, descriptions and time zones."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.local.app import LocalAdapter
from bot.app import build_app
from bot.config import Settings
from bot.domain import Platform
from bot.services.roster import RosterPorts, RosterService

HEADER = "name,tier,type,region,language,timezone,platform,channel_id\n"
ROSTER = HEADER + "".join(
    f"{name},{tier},distributor,latam,pt-BR,America/Argentina/Buenos_Aires,local,{channel}\n"
    for name, tier, channel in (
        ("Consolidated Intercontinental Networking Solutions Incorporated", "platinum", "consolidated"),
        ("Birch Cloud", "registered", "birch"),
    )
)
LONG_BODY = (
    "Our partner price list for the next fiscal year takes effect on the first of February and replaces "
    "every earlier list, including the regional supplements that were published for distributors."
)


async def seed(path: Path) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{path}",
        admin_channels=("local:admin",),
        admin_users=("local:alice",),
        progress_messages=False,
    )
    app = await build_app(settings)
    try:
        local = LocalAdapter(app.bot)
        app.worker.add_sender(Platform.LOCAL, local.sender)
        report = await RosterService(
            RosterPorts(directory=app.stores.directory, topics=app.stores.topics), app.clock
        ).import_csv(ROSTER)
        assert report.ok, report.errors
        for slug in ("pricing-and-licensing-updates", "security-advisories"):
            description = "Price lists, discounts, licensing changes and everything that comes with them"
            await local.say(
                "alice", "admin", f'/partner-admin topic add {slug} "{slug.title()}" "{description}"'
            )
        for channel in ("consolidated", "birch"):
            await local.say(
                "pat", channel, "/partner subscribe pricing-and-licensing-updates security-advisories"
            )
        for topic, title in (
            ("pricing-and-licensing-updates", "The complete partner price list for the next fiscal year"),
            ("security-advisories", "Critical security advisory for every on-premises installation"),
        ):
            preview = await local.say(
                "alice", "admin", f'/partner-admin broadcast topic:{topic} title:"{title}" Body.'
            )
            assert preview is not None and preview.buttons, preview
            await local.press("alice", "admin", preview.buttons[0].action, preview.buttons[0].value)
        await app.worker.drain()
        for message in local.workspace.messages:
            if message.key and message.key.startswith("d"):
                await local.react("reader", message, "tada")
    finally:
        await app.close()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "cli.db"
    asyncio.run(seed(path))
    return path


def cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))
    }
    environment |= {"PARTNERBOT_DATABASE_URL": f"sqlite:///{database}", "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=database.parent,
        env=environment,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["topics", "list"], ["archived", "pricing-and-licensing-updates"]),
        (["partners", "list"], ["timezone", "channels", "registered", "distributor"]),
        (["stats"], ["announcement", "delivered", "feedback", "security-advisories"]),
        (["stats", "1"], ["questions asked / answered", "reach by region"]),
        (["jobs"], ["what it does", "last run", "finish-announcements"]),
        (
            [
                "broadcast",
                "--topic",
                "pricing-and-licensing-updates",
                "--title",
                "Price list",
                "--body",
                LONG_BODY,
                "--admin-channel",
                "slack:C0ADMIN",
                "--dry-run",
            ],
            ["Preview of announcement #3", "Reach:"],
        ),
    ],
    ids=["topics list", "partners list", "stats", "stats ID", "jobs", "broadcast preview"],
)
def test_readable_at_80_columns(database: Path, args: list[str], expected: list[str]) -> None:
    result = cli(database, *args)
    assert result.returncode == 0, result.stderr
    wide = [line for line in result.stdout.splitlines() if len(line) > 80]
    assert not wide, "\n".join(wide)
    assert "…" not in result.stdout, result.stdout
    for text in expected:  # whole headers, and the short words and slugs kept on one line
        assert text in result.stdout, result.stdout
