"""`partnerbot dashboard` and `partnerbot dashboard link` as an operator runs them: a real process
serving the dashboard on a SQLite file, a one-time link printed by another, a sign-in over HTTP."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.e2e.test_cli import cli
from tests.e2e.test_metrics_port import free_port, get


def test_link_refuses_a_malformed_admin_in_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "dashboard", "link", "--admin", "U0123")
    assert result.returncode == 2
    assert "--admin must look like slack:U0123ABCD" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_link_for_someone_not_listed_warns_but_works(tmp_path: Path) -> None:
    result = cli(
        tmp_path,
        "dashboard",
        "link",
        "--admin",
        "slack:U0BOB",
        env={"PARTNERBOT_PUBLIC_URL": "https://partners.example.com/"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("https://partners.example.com/dashboard/signin/link?token=")
    assert "slack:U0BOB is not in PARTNERBOT_ADMIN_USERS" in result.stderr
    assert "within 15 minutes" in result.stderr


async def test_the_dashboard_alone_signs_in_with_a_printed_link(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PARTNERBOT_HTTP_PORT": str(port),
        "PARTNERBOT_ADMIN_USERS": "slack:U0ALICE",
        "PARTNERBOT_SECRET_KEY": "x3ZkU7o0Jm2bq1nJ3fQd6yY3c0m8k1Qz4a9s7d2f5g8=",
    }
    made = await asyncio.to_thread(cli, tmp_path, "dashboard", "link", "--admin", "slack:U0ALICE", env=env)
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    assert link.startswith(f"http://127.0.0.1:{port}/dashboard/signin/link?token=")
    assert "is not in" not in made.stderr

    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "PARTNERBOT_"))
    }
    environment.update(env, PARTNERBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    server = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "dashboard"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, _ = await get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200
        token = link.split("token=")[1]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            signin = f"http://127.0.0.1:{port}/dashboard/signin/link"
            async with http.post(signin, data={"token": token}, allow_redirects=False) as r:
                assert (r.status, r.headers["Location"]) == (302, "/dashboard/")
            async with http.get(f"http://127.0.0.1:{port}/dashboard/audit") as r:
                text = await r.text()
                assert r.status == 200
                assert "dashboard-link" in text and "dashboard-sign-in" in text
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    assert "Traceback" not in stderr
