"""PARTNERBOT_METRICS_PORT: `partnerbot worker` (no Slack server of its own) and a Discord-only
`partnerbot run` serve /metrics, /readyz and /healthz on it, through bot.app.serve as the CLI runs it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from pathlib import Path

import aiohttp

from bot.app import serve
from bot.config import Settings
from tests.chaos.workers import worker_command, worker_env
from tests.e2e.test_cli import cli
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, ManualClock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def get(url: str, *, wait: float = 10.0) -> tuple[int, str]:
    """GET `url`, waiting for the server to come up."""
    deadline = asyncio.get_running_loop().time() + wait
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as resp:
                    return resp.status, await resp.text()
            except aiohttp.ClientConnectionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def test_a_slack_worker_serves_metrics_and_readiness_on_its_port(sqlite_url: str) -> None:
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            metrics_port=port,
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, deliver_only=True))
        try:
            status, body = await get(f"http://127.0.0.1:{port}/readyz")
            assert (status, body) == (200, '{"ready": true}')
            status, text = await get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200
            assert "partnerbot_process_start_time_seconds " in text
            assert "# TYPE partnerbot_outbox_oldest_pending_seconds gauge" in text
            assert (await get(f"http://127.0.0.1:{port}/healthz"))[0] == 200
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)


async def test_a_discord_run_is_ready_once_its_gateway_is_connected(sqlite_url: str) -> None:
    async with FakeDiscord(heartbeat_interval_ms=500) as fake:
        fake.add_guild("Partner")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            discord_token=fake.token,
            discord_api_url=fake.base_url,
            discord_gateway_url=fake.gateway_url,
            http_host="127.0.0.1",
            metrics_port=port,
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            # 503 while the gateway session is being opened (the server starts first), then 200.
            answers = []
            deadline = asyncio.get_running_loop().time() + 15
            while not answers or answers[-1][0] != 200:
                assert asyncio.get_running_loop().time() < deadline, answers[-3:]
                answers.append(await get(f"http://127.0.0.1:{port}/readyz"))
                await asyncio.sleep(0.05)
            assert answers[-1] == (200, '{"ready": true}')
            assert {body for status, body in answers if status != 200} <= {
                '{"ready": false, "reason": "discord: gateway not connected"}'
            }
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)


async def test_partnerbot_run_serves_metrics_and_readyz_next_to_the_slack_events(sqlite_url: str) -> None:
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        settings = Settings(
            _env_file=None,
            database_url=sqlite_url,
            slack_bot_token=vendor.bot_token,
            slack_signing_secret="run-secret",
            slack_api_url=fake.base_url,
            http_host="127.0.0.1",
            http_port=port,  # no PARTNERBOT_METRICS_PORT: the Slack server has them
            poll_seconds=0.05,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        try:
            assert (await get(f"http://127.0.0.1:{port}/readyz")) == (200, '{"ready": true}')
            status, text = await get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200 and "# TYPE partnerbot_deliveries_total counter" in text
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)


async def test_the_worker_command_logs_json_lines_and_answers_on_its_metrics_port(
    sqlite_url: str, tmp_path: Path
) -> None:
    """`PARTNERBOT_LOG_FORMAT=json partnerbot worker` as an operator starts it, in a process of its own."""
    async with FakeSlack(clock=ManualClock()) as fake:
        vendor = fake.add_workspace("T0VENDOR", name="Vendor")
        port = free_port()
        env = worker_env(
            {
                "PARTNERBOT_DATABASE_URL": sqlite_url,
                "SLACK_BOT_TOKEN": vendor.bot_token,
                "PARTNERBOT_SLACK_API_URL": fake.base_url,
                "PARTNERBOT_HTTP_HOST": "127.0.0.1",
                "PARTNERBOT_METRICS_PORT": str(port),
                "PARTNERBOT_LOG_FORMAT": "json",
            }
        )
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                *worker_command(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                cwd=tmp_path,
                env=env,
            )
        try:
            status, _ = await get(f"http://127.0.0.1:{port}/readyz", wait=60)
            assert status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line one JSON object
    messages = [r["message"] for r in records]
    assert any(m.startswith("partnerbot worker ") and m.endswith(" is running") for m in messages), messages
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert vendor.bot_token not in log.read_text()


def test_an_unknown_log_format_or_port_is_one_configuration_line(tmp_path: Path) -> None:
    for key, value in (("PARTNERBOT_LOG_FORMAT", "yaml"), ("PARTNERBOT_METRICS_PORT", "ninety")):
        result = cli(tmp_path, "worker", env={"SLACK_BOT_TOKEN": "xoxb-1", key: value})
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("partnerbot: configuration error — ") and key in line, line
