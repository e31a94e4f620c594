"""Chaos for relays: partners' questions (under an announcement, and direct ones) and the admins'
answers are relayed by real `partnerbot worker` processes on the fake Slack, which are SIGKILLed
while relays are in flight and replaced. Every question must reach the admin channel once, every
answer its partner once, and the announcement's admin thread must be opened once.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot import messages as m
from bot.app import App, build_app
from bot.config import Settings
from bot.domain import ChannelRef, DeliveryStatus, Invocation, Platform, UserRef
from storage.tables import DeliveryRow, QuestionRow, RelayRow
from tests.chaos.test_chaos import _backends
from tests.chaos.workers import WorkerPool
from tests.chaos.world import TOPIC, Seat, _seed, until
from tests.fakes.slack import FakeSlack, Workspace
from tests.fakes.slack import Message as SlackMessage

PARTNERS = 24
KILLS = 4
LIMIT = 300.0  # generous: worker start-ups take seconds each on a busy machine
PROGRESS_WAIT = 40.0  # room for a worker's start-up (~3 s) and a 2 s lease

pytestmark = pytest.mark.timeout(LIMIT)


@dataclass
class RelayWorld:
    database_url: str
    slack: FakeSlack
    workspace: Workspace
    admin_channel: str
    seats: list[Seat]
    app: App

    @property
    def admin(self) -> Invocation:
        team = self.workspace.team_id
        return Invocation(
            channel=ChannelRef(Platform.SLACK, team, self.admin_channel),
            user=UserRef(Platform.SLACK, team, "UADMIN", "Alice"),
        )

    def partner(self, seat: Seat, number: int) -> Invocation:
        return Invocation(
            channel=ChannelRef(Platform.SLACK, seat.workspace, seat.channel),
            user=UserRef(Platform.SLACK, seat.workspace, f"UP{number}", f"Pat {number}"),
        )

    def worker_env(self) -> dict[str, str]:
        return {
            "PARTNERBOT_DATABASE_URL": self.database_url,
            "SLACK_BOT_TOKEN": self.workspace.bot_token,
            "PARTNERBOT_SLACK_API_URL": self.slack.base_url,
            "PARTNERBOT_ADMIN_CHANNELS": f"slack:{self.admin_channel}",
            "PARTNERBOT_ADMIN_USERS": "slack:UADMIN",
            "PARTNERBOT_LEASE_SECONDS": "2",
            "PARTNERBOT_POLL_SECONDS": "0.05",
            # Paced, so relays trickle out one by one and kills land among them.
            "PARTNERBOT_RATE_LIMITS": "process",
            "PARTNERBOT_SLACK_WORKSPACE_RATE": "8",
            "PARTNERBOT_MAX_ATTEMPTS": "50",
            "PARTNERBOT_LOG_LEVEL": "INFO",
        }

    def posts(self, channel: str) -> list[SlackMessage]:
        return [m for m in self.slack.messages(channel) if m.bot_id == self.workspace.bot_id]

    def requests(self) -> int:
        return self.slack.calls["chat.postMessage"] + self.slack.calls["conversations.history"]

    async def count(self, query: object) -> int:
        async with self.app.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())  # type: ignore[call-overload]

    async def open_relays(self) -> int:
        open_ = [DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]
        return await self.count(select(func.count()).where(col(RelayRow.status).in_(open_)))

    async def relay_states(self) -> list[tuple[str, str, int, int]]:
        query = select(col(RelayRow.status), col(RelayRow.last_error), col(RelayRow.kind), func.count())
        async with self.app.engine.connect() as conn:
            grouped = query.group_by(col(RelayRow.status), col(RelayRow.last_error), col(RelayRow.kind))
            return [tuple(row) for row in (await conn.execute(grouped)).all()]  # type: ignore[misc]

    async def open_deliveries(self) -> int:
        open_ = [DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]
        return await self.count(select(func.count()).where(col(DeliveryRow.status).in_(open_)))


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[RelayWorld]:
    async with FakeSlack() as slack:
        workspace = slack.add_workspace("T0RELAY", name="Vendor")
        admin = slack.add_channel(workspace.team_id, "vendor-admins")
        seats = [
            Seat(Platform.SLACK, workspace.team_id, slack.add_channel(workspace.team_id, f"p-{i}").id, True)
            for i in range(PARTNERS)
        ]
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            admin_channels=(f"slack:{admin.id}",),
            admin_users=("slack:UADMIN",),
        )
        app = await build_app(settings, run_migrations=False)
        try:
            await _seed(app, seats)
            yield RelayWorld(database_url, slack, workspace, admin.id, seats, app)
        finally:
            await app.close()


@pytest.mark.parametrize("database_url", _backends("sqlite"), indirect=True)
async def test_sigkilled_workers_relay_every_question_and_answer_exactly_once(
    world: RelayWorld, tmp_path: Path
) -> None:
    rng = random.Random(20261203)
    pool = WorkerPool(world.worker_env(), tmp_path / "workers")
    try:
        await pool.spawn()
        announcement_id = await _broadcast_and_deliver(world, pool)
        questions = await _ask_everyone(world)
        await _answer_all(world, questions)
        mid_relay = 0
        for kill in range(KILLS):
            await _progress(world, pool, rng.randint(1, 6), f"relays before kill {kill + 1}")
            mid_relay += await world.open_relays() > 0
            await pool.kill(rng.choice(pool.ready or pool.live))
            await pool.spawn()

        async def done() -> bool:
            _no_crash(pool)
            return len(pool.ready) == len(pool.live) and await world.open_relays() == 0

        try:
            await until(done, "every relay to finish", timeout=LIMIT / 3)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; relays: {await world.relay_states()}") from None
        codes = await pool.terminate(timeout=30)
    finally:
        await pool.close()

    admin_posts = world.posts(world.admin_channel)
    for number in questions:
        relayed = [msg.text for msg in admin_posts if f"Question {number:03d}?" in msg.text]
        assert len(relayed) == 1, (number, relayed)
    heading = m.ADMIN_THREAD_HEADING.format(id=announcement_id, title="Drill")
    assert [msg.thread_ts for msg in admin_posts if heading in msg.text] == [None]
    for number, seat in enumerate(world.seats):
        back = [msg.text for msg in world.posts(seat.channel) if f"Answer {number:03d}." in msg.text]
        assert len(back) == 1, (number, back)
    unsent = await world.count(select(func.count()).where(col(RelayRow.status) != "sent"))
    taken_over = await world.count(select(func.count()).where(col(RelayRow.attempts) > 1))
    print(
        f"\nrelay chaos [{world.app.engine.dialect.name}]: {len(questions)} questions, {len(questions)} "
        f"answers, kills {len(pool.killed)} ({mid_relay} with relays in flight), {taken_over} relays "
        f"claimed again, {world.slack.calls['conversations.history']} look-ups"
    )
    assert unsent == 0
    assert len(pool.killed) == KILLS and mid_relay == KILLS
    assert taken_over > 0  # some relay was left claimed by a killed worker and taken over
    assert set(codes.values()) == {0}, codes


async def _broadcast_and_deliver(world: RelayWorld, pool: WorkerPool) -> int:
    """An announcement from the Slack admin channel (its admin thread opens there), delivered."""
    preview = await world.app.bot.admin_command(
        world.admin, f'broadcast topic:{TOPIC} title:"Drill" Read me.'
    )
    assert not preview.is_error, preview.text
    announcement_id = int(preview.text.split("#", 1)[1].split("*", 1)[0])
    sent = await world.app.bot.admin_command(world.admin, f"send {announcement_id}")
    assert not sent.is_error, sent.text

    async def delivered() -> bool:
        _no_crash(pool)
        return await world.open_deliveries() == 0

    await until(delivered, "the announcement to be delivered", timeout=PROGRESS_WAIT)
    return announcement_id


async def _ask_everyone(world: RelayWorld) -> dict[int, int]:
    """Half the partners ask in the announcement's thread, half with `ask`: seat number → question id."""
    for number, seat in enumerate(world.seats):
        partner, text = world.partner(seat, number), f"Question {number:03d}?"
        if number % 2:
            reply = await world.app.bot.partner_command(partner, f"ask {text}")
        else:
            (post,) = world.posts(seat.channel)
            reply = await world.app.bot.thread_message(partner, thread=post.ts, text=text)
        assert reply is not None and not reply.is_error, reply
    async with world.app.engine.connect() as conn:
        rows = (await conn.execute(select(col(QuestionRow.id), col(QuestionRow.text)))).all()
    ids = {text: question_id for question_id, text in rows}
    return {number: ids[f"Question {number:03d}?"] for number in range(len(world.seats))}


async def _answer_all(world: RelayWorld, questions: dict[int, int]) -> None:
    """The admin answers every question (while the questions are still being relayed)."""
    for number, question_id in questions.items():
        reply = await world.app.bot.admin_command(world.admin, f"answer {question_id} Answer {number:03d}.")
        assert not reply.is_error, reply.text


async def _progress(world: RelayWorld, pool: WorkerPool, requests: int, what: str) -> None:
    goal = world.requests() + requests

    def probe() -> bool:
        _no_crash(pool)
        return world.requests() >= goal

    await until(probe, what, timeout=PROGRESS_WAIT)


def _no_crash(pool: WorkerPool) -> None:
    if crashed := pool.crashed():
        raise AssertionError(f"worker {crashed[0].number} exited by itself:\n{crashed[0].log_tail()}")
