"""The transient faults the chaos test injects, through the fakes' own fault APIs.

Each is something the platforms document or are known to do: 429 storms with Retry-After, 5xx
answers, answers that never come (before or after the request was applied), connections dropped
before or after the request was applied, and failing history look-ups.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack

SLACK_POST, SLACK_LOOKUP = "chat.postMessage", "conversations.history"
DISCORD_POST, DISCORD_LOOKUP = "create_message", "get_channel_messages"
SLACK_HOLD = 20.0  # longer than the Slack Sender's 15 s client timeout
DISCORD_HOLD = 5.0  # longer than the 2 s PARTNERBOT_DISCORD_SEND_TIMEOUT the test sets


@dataclass(frozen=True)
class Fault:
    name: str
    times: int  # requests it affects
    lookup: bool  # met only if a worker looks for an earlier attempt's message
    inject: Callable[[], None]


@dataclass
class FaultPlan:
    slack: FakeSlack
    discord: FakeDiscord
    faults: list[Fault]
    injected: int = 0

    @classmethod
    def shuffled(cls, slack: FakeSlack, discord: FakeDiscord, rng: random.Random) -> FaultPlan:
        plan = cls(slack, discord, [])
        storm = rng.randint(10, 30)
        plan._add("Slack 429 storm", storm, lambda: slack.ratelimit_next(SLACK_POST, storm, retry_after=1))
        plan._add("Slack 500", 2, lambda: slack.fail_next(SLACK_POST, status=500, times=2))
        plan._add("Slack 503", 1, lambda: slack.fail_next(SLACK_POST, status=503))
        plan._add("Slack fatal_error", 1, lambda: slack.fail_next(SLACK_POST, error="fatal_error"))
        plan._add("Slack drop", 1, lambda: slack.fail_next(SLACK_POST, kind="drop"))
        plan._add(
            "Slack drop after commit",
            2,
            lambda: slack.fail_next(SLACK_POST, kind="drop_after_commit", times=2),
        )
        plan._add("Slack timeout", 1, lambda: slack.fail_next(SLACK_POST, kind="timeout", delay=SLACK_HOLD))
        plan._add(
            "Slack timeout after commit",
            1,
            lambda: slack.fail_next(SLACK_POST, kind="timeout_after_commit", delay=SLACK_HOLD),
        )
        plan._add("Slack history 500", 1, lambda: slack.fail_next(SLACK_LOOKUP, status=500), lookup=True)
        burst = rng.randint(10, 30)
        plan._add("Discord 429 storm", burst, lambda: discord.storm_429(burst, route=DISCORD_POST))
        plan._add(
            # On posts only: five on the login of a worker starting up make `partnerbot worker`
            # exit (discord.py gives up after five tries and the start-up does not retry).
            "Discord global 429",
            5,
            lambda: discord.storm_429(5, route=DISCORD_POST, is_global=True),
        )
        plan._add("Discord 500", 2, lambda: discord.fail_next(DISCORD_POST, status=500, times=2))
        plan._add("Discord 503", 1, lambda: discord.fail_next(DISCORD_POST, status=503))
        plan._add("Discord drop", 1, lambda: discord.drop_next(DISCORD_POST))
        plan._add("Discord drop after commit", 2, lambda: discord.drop_after_commit(DISCORD_POST, times=2))
        plan._add("Discord timeout", 1, lambda: discord.delay_next(DISCORD_POST, seconds=DISCORD_HOLD))
        plan._add(
            "Discord timeout after commit",
            1,
            lambda: discord.delay_next(DISCORD_POST, seconds=DISCORD_HOLD, commit_first=True),
        )
        plan._add(
            "Discord history 503", 1, lambda: discord.fail_next(DISCORD_LOOKUP, status=503), lookup=True
        )
        rng.shuffle(plan.faults)
        return plan

    def _add(self, name: str, times: int, inject: Callable[[], None], *, lookup: bool = False) -> None:
        def counted() -> None:
            self.injected += times
            inject()

        self.faults.append(Fault(name, times, lookup, counted))

    def storm(self) -> None:
        """429s for the very first posts on both platforms, before the plan proper."""
        self.injected += 40
        self.slack.ratelimit_next(SLACK_POST, 20, retry_after=1)
        self.discord.storm_429(20, route=DISCORD_POST)

    @property
    def lookups(self) -> int:
        return sum(f.times for f in self.faults if f.lookup)

    def unserved(self) -> dict[str, int]:
        """Fault occurrences still waiting for a request, by route."""
        waiting = {m: self.slack.faults_left(m) for m in (SLACK_POST, SLACK_LOOKUP)}
        for fault in self.discord.faults:
            key = f"discord {fault.route or 'any route'}"
            waiting[key] = waiting.get(key, 0) + fault.times
        return {k: n for k, n in waiting.items() if n}

    def served(self) -> int:
        return self.injected - sum(self.unserved().values())
