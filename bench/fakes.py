"""The fake Slack and Discord servers the delivery benchmarks post to, run in the bench process.

Delivering processes (partnerbot workers, the baseline script) are subprocesses pointed at them by
URL and token, so the fakes get a core of their own and never share an event loop with the code
being measured. `cpu_share()` reports how busy they were, to show they were not the bottleneck, and
`steady()` keeps the collector from pausing them while a run is timed.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from bench.seed import Target
from bot.domain import Platform
from tests.fakes.discord import FakeDiscord, RateLimitConfig
from tests.fakes.slack import FakeSlack, Limit, RateLimits

PlatformChoice = Literal["slack", "discord", "mixed"]
SLACK_TEAM = "T0BENCH"
SLACK_BURST = 20  # the workspace bucket's burst, as partnerbot's TEAM_RATE has it
DISCORD_GUILD_CHANNELS = 500  # Discord's cap on channels per server


@dataclass(frozen=True, slots=True)
class Limits:
    """The fakes' rate limits for a limits-on run (None: limits off)."""

    slack_workspace_rate: float  # chat.postMessage per second per workspace, bursts of SLACK_BURST


@dataclass
class Fakes:
    targets: list[Target]
    slack: FakeSlack | None
    discord: FakeDiscord | None
    slack_token: str = ""
    # Every Slack workspace's bot token (team id → token); `slack_token` is the first one's.
    slack_tokens: dict[str, str] = field(default_factory=dict)
    _cpu: tuple[float, float] = field(default=(0.0, 0.0))

    def worker_env(self) -> dict[str, str]:
        """What `partnerbot worker` needs to send to these fakes."""
        env: dict[str, str] = {}
        if self.slack is not None:
            env |= {"SLACK_BOT_TOKEN": self.slack_token, "PARTNERBOT_SLACK_API_URL": self.slack.base_url}
        if self.discord is not None:
            env |= {"DISCORD_TOKEN": self.discord.token, "PARTNERBOT_DISCORD_API_URL": self.discord.base_url}
        return env

    def baseline_spec(self, concurrency: int) -> dict[str, Any]:
        """What the baseline script needs: the same servers, tokens and channels, in the same order."""
        spec: dict[str, Any] = {
            "concurrency": concurrency,
            "targets": [[t.platform.value, t.channel, t.workspace] for t in self.targets],
        }
        if self.slack is not None:
            spec["slack"] = {"base_url": self.slack.base_url, "token": self.slack_token}
            if len(self.slack_tokens) > 1:  # --workspaces: a client per workspace's token
                spec["slack"]["tokens"] = self.slack_tokens
        if self.discord is not None:
            spec["discord"] = {"api_url": self.discord.base_url, "token": self.discord.token}
        return spec

    def stored(self) -> int:
        """Bot messages the fakes hold (all channels, every broadcast so far)."""
        total = 0
        if self.slack is not None:
            total += sum(len(c.messages) for c in self.slack.channels.values())
        if self.discord is not None:
            total += len(self.discord.messages)
        return total

    @contextlib.contextmanager
    def steady(self) -> Iterator[None]:
        """Around a timed run: no collector pauses in this process, which serves the fakes. They
        keep every message of every run, and a full collection walked them all (46 ms after
        seeding, 312 ms by the fourth run of a 10,000-channel compare; 70-110 ms even with the
        heap frozen before each run): a pause in which the fakes answer nobody, which stalls the
        client measured, longer for whichever run came later. Real platforms do not pause for the
        client's benchmark; a few seconds without collections costs the fakes a little memory."""
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            yield
        finally:
            gc.enable()

    def mark(self) -> None:
        """Start measuring this process's CPU share (the fakes' work, plus the bench's polling)."""
        self._cpu = (time.process_time(), time.perf_counter())

    def cpu_share(self) -> float:
        cpu, wall = self._cpu
        return (time.process_time() - cpu) / max(time.perf_counter() - wall, 1e-9)


def layout(platform: PlatformChoice, n: int) -> list[Target]:
    """N channels: all Slack (one workspace), all Discord (servers of 500 channels), or alternating."""
    targets = []
    for i in range(n):
        on_slack = platform == "slack" or (platform == "mixed" and i % 2 == 0)
        if on_slack:
            targets.append(Target(Platform.SLACK, SLACK_TEAM, f"C{i:09d}"))
        else:
            guild = 10**17 + i // DISCORD_GUILD_CHANNELS
            targets.append(Target(Platform.DISCORD, str(guild), str(2 * 10**17 + i)))
    return targets


@contextlib.asynccontextmanager
async def running_fakes(targets: list[Target], limits: Limits | None = None) -> AsyncIterator[Fakes]:
    """Start the fakes every target needs, with every channel created and the bot in it."""
    slack = discord = None
    tokens: dict[str, str] = {}
    async with contextlib.AsyncExitStack() as stack:
        if any(t.platform is Platform.SLACK for t in targets):
            rates = RateLimits(enabled=False)
            if limits is not None:
                rates = RateLimits(
                    enabled=True,
                    channel_post=Limit(1.0, 3),
                    workspace_post=Limit(limits.slack_workspace_rate, SLACK_BURST),
                )
            slack = await stack.enter_async_context(FakeSlack(rate_limits=rates))
            for team in dict.fromkeys(t.workspace for t in targets if t.platform is Platform.SLACK):
                tokens[team] = slack.add_workspace(team, name=f"Bench {team}").bot_token
            for t in targets:
                if t.platform is Platform.SLACK:
                    slack.add_channel(t.workspace, f"partner-{t.channel.lower()}", channel_id=t.channel)
        if any(t.platform is Platform.DISCORD for t in targets):
            # Discord's defaults when on: 50 requests/s global, 5 per 5 s per channel for creates.
            discord = await stack.enter_async_context(
                FakeDiscord(rate_limits=RateLimitConfig(enabled=limits is not None))
            )
            for t in targets:
                if t.platform is not Platform.DISCORD:
                    continue
                if int(t.workspace) not in discord.guilds:
                    discord.add_guild(f"Partners {t.workspace}", guild_id=int(t.workspace))
                discord.add_channel(int(t.workspace), f"partner-{t.channel}", channel_id=int(t.channel))
        yield Fakes(targets, slack, discord, next(iter(tokens.values()), ""), tokens)
