"""Hostile gateway dispatches against the real discord.py client (issue 13, "the same discipline on Discord").

MESSAGE_CREATE, MESSAGE_REACTION_ADD/REMOVE and INTERACTION_CREATE (slash commands, components, modal
submits) of unexpected shapes — fields missing or of any JSON type, ids that are not snowflakes,
unknown custom_ids, wrong option types, empty and huge values, lone surrogates and NUL bytes — go
through the fake gateway to partnerbot's client: never a traceback in the log, never a state change,
the connection stays up, and a valid command afterwards is still answered.

Hypothesis runs in a worker thread (it does not drive coroutines); each example is dispatched on the
test's own loop, where the client runs.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import discord.app_commands.tree
import discord.client
import discord.ui.modal
import discord.ui.view
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from adapters.discord import translate as tr
from bot import messages as m
from tests.e2e.discord_world import HANDLER_TASKS, WAIT, DiscordWorld, discord_world, handlers_settled
from tests.fakes.discord import Message

_T = TypeVar("_T")
Json = dict[str, Any]
# Everything a dispatch could change (audit entries of refusals aside).
TABLES = (
    "topic",
    "partner",
    "channel",
    "subscription",
    "invite",
    "announcement",
    "announcement_topic",
    "delivery",
    "reaction",
    "ack",
    "question",
    "answer",
    "relay",
    "notice",
)
ODD_TEXT = ("", "\ud800", "a\x00b", "\udc00\x00", "x" * 70_000, "-1", "12abc", "9" * 25)
HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    # Not a string of digits: that is a well-formed snowflake (of another channel, user, message).
    st.builds(lambda a, b: a + b, st.text(max_size=12), st.sampled_from(ODD_TEXT)).filter(
        lambda s: not s.isdigit() or len(s) > 20
    ),
    st.just([]),
    st.just({}),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers() | st.none(), max_size=2),
)


@pytest.fixture
async def world(sqlite_url: str) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url) as w:
        await w.add_topic("security", "Security")
        await w.subscribe(w.acme, "security")
        yield w


async def snapshot(world: DiscordWorld) -> tuple[Any, ...]:
    async with world.app.engine.connect() as conn:
        rows = {
            name: sorted(map(repr, (await conn.execute(text(f"SELECT * FROM {name}"))).all()))
            for name in TABLES
        }
    posts = [
        m.id
        for m in world.fake.messages.values()
        if m.author.id == world.fake.bot.id and m.interaction_metadata is None
    ]
    return rows, sorted(posts)


def unchanged(before: tuple[Any, ...], after: tuple[Any, ...]) -> None:
    (rows_before, posts_before), (rows_after, posts_after) = before, after
    changed = {
        name: (sorted(set(rows_before[name]) - set(rows)), sorted(set(rows) - set(rows_before[name])))
        for name, rows in rows_after.items()
        if rows != rows_before[name]
    }
    assert not changed, changed
    assert posts_after == posts_before


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not bad, sorted(
        {f"{r.getMessage()[:150]} {r.exc_info[1] if r.exc_info else ''}"[:300] for r in bad}
    )
    long = [r.getMessage()[:200] for r in caplog.records if len(r.getMessage()) > 500]
    assert not long, long


def _slots(value: Any, *, top: bool = True) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) in a JSON value; the interaction's own id and token stay (a wrong but
    well-formed token is Discord's 404 on the answer, not a payload shape)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not (top and key in ("id", "token")):
                yield value, key
            yield from _slots(item, top=False)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from _slots(item, top=False)


@st.composite
def mutated(draw: st.DrawFn, base: Json) -> Any:
    """`base` with one to three fields removed or replaced by hostile values (or, rarely, no object)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(HOSTILE)
    payload = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        slots = list(_slots(payload))
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        if isinstance(container, dict) and draw(st.booleans()):
            del container[key]
        else:
            container[key] = draw(HOSTILE)
    return payload


@dataclass(frozen=True)
class Base:
    """A valid INTERACTION_CREATE: registered with the fake as `kind` + `data`, sent as `payload`."""

    kind: int
    data: Json
    channel_id: int
    user_id: int
    message: Message | None
    payload: Json


class Dispatches:
    """Valid base payloads of each kind that, as they are, change nothing: a partner member (without
    Manage Channels) in acme's channel, on a member's plain message or on a bot message carrying
    partnerbot's components (not an announcement), and the admin's read-only commands and the Edit
    button and topic select of a draft that does not exist."""

    def __init__(self, world: DiscordWorld, plain: Message, buttons: Message, modal_id: str) -> None:
        self.world = world
        fake, space = world.fake, world.acme
        self.message = fake.message_payload(plain, gateway=True) | {"content": "hello there"}
        self.reaction = {
            "user_id": str(space.member.user.id),
            "channel_id": str(space.channel.id),
            "message_id": str(buttons.id),
            "guild_id": str(space.guild.id),
            "emoji": {"id": None, "name": "👍"},
            "burst": False,
            "type": 0,
            "message_author_id": str(fake.bot.id),
            "member": space.guild.members[space.member.user.id].to_payload(),
        }
        partner, admin = (
            (space.channel.id, space.member.user.id),
            (world.admin_channel.id, world.admin.user.id),
        )
        commands = [
            (partner, fake._command_data(name, options, partner[0], focused=None))
            for name, options in (
                ("partner news", {"count": 3}),
                ("partner topics", {}),
                ("partner help", {}),
            )
        ] + [
            (admin, fake._command_data(name, {}, admin[0], focused=None))
            for name in ("partner-admin stats", "partner-admin questions", "partner-admin drafts")
        ]
        complete = fake._command_data("partner subscribe", {"topics": "sec"}, partner[0], focused="topics")
        presses = [
            (who, {"custom_id": custom_id, "component_type": 2})
            for who, custom_id in (
                (partner, tr.HELPFUL_ID),
                (partner, tr.ACK_ID),
                (partner, tr.MUTE_ID),
                (partner, "pb:subscribe:security"),
                (admin, "pb:announcement_edit:abc"),
                (admin, "pb:announcement_send:1"),
            )
        ] + [(admin, {"custom_id": "pbx:topics:1", "component_type": 3, "values": ["security"]})]
        question = {"type": 4, "id": 2, "custom_id": "question", "value": "Why?"}
        modal = {"custom_id": modal_id, "components": [{"type": 18, "id": 1, "component": question}]}
        # Built once here, on the loop: the examples are drawn in Hypothesis's thread.
        self.bases = [
            self._base(kind, data, who, message)
            for kind, message, cases in (
                (2, None, commands),
                (4, None, [(partner, complete)]),
                (3, buttons, presses),
                (5, plain, [(partner, modal)]),
            )
            for who, data in cases
        ]

    def _base(self, kind: int, data: Json, who: tuple[int, int], message: Message | None) -> Base:
        """What `push_interaction` would send (the id and token are replaced when it is sent)."""
        fake = self.world.fake
        captured: list[Json] = []
        saved = fake._emit
        fake._emit = lambda event, build, **kw: captured.append(build(0))
        try:
            fake.push_interaction(kind, data, channel_id=who[0], user_id=who[1], message=message)
        finally:
            fake._emit = saved
        return Base(kind, data, who[0], who[1], message, captured[0])

    def strategy(self) -> st.SearchStrategy[Callable[[], None]]:
        fake, guild = self.world.fake, self.world.acme.guild.id

        def gateway(event: str, payload: Any) -> Callable[[], None]:
            return lambda: fake.dispatch(event, payload, guild_id=guild)

        def interaction(base: Base, payload: Any) -> Callable[[], None]:
            return lambda: fake.push_interaction(
                base.kind,
                base.data,
                channel_id=base.channel_id,
                user_id=base.user_id,
                message=base.message,
                shape=lambda sent: _with_identity(payload, sent),
            )

        return st.one_of(
            mutated(self.message).map(lambda p: gateway("MESSAGE_CREATE", p)),
            mutated(self.reaction).map(lambda p: gateway("MESSAGE_REACTION_ADD", p)),
            mutated(self.reaction).map(lambda p: gateway("MESSAGE_REACTION_REMOVE", p)),
            *(mutated(base.payload).map(lambda p, base=base: interaction(base, p)) for base in self.bases),
        )


def bot_message_with_components(world: DiscordWorld) -> Message:
    """A bot message in acme's channel carrying partnerbot's buttons and a preview's topic select
    (discord.py dispatches a press only for a component the message carries)."""
    fake = world.fake
    ids = (tr.ASK_ID, tr.HELPFUL_ID, tr.ACK_ID, tr.MUTE_ID, "pb:subscribe:security")
    more = ("pb:announcement_edit:abc", "pb:announcement_send:1")
    buttons = [{"type": 2, "style": 2, "label": str(n), "custom_id": c} for n, c in enumerate((*ids, *more))]
    option = {"label": "security", "value": "security"}
    select = {"type": 3, "custom_id": "pbx:topics:1", "options": [option], "min_values": 1, "max_values": 1}
    rows = [{"type": 1, "components": buttons[:5]}, {"type": 1, "components": buttons[5:]}]
    body = {"content": "not an announcement", "components": [*rows, {"type": 1, "components": [select]}]}
    return fake.create_message(fake.channels[world.acme.channel.id], fake.bot, body)


def _with_identity(payload: Any, sent: Json) -> Any:
    """The mutated payload, answering as the interaction the fake registered (same id and token)."""
    if isinstance(payload, dict):
        return payload | {k: sent[k] for k in ("id", "token") if k in payload}
    return payload


def on_loop(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, _T]) -> _T:
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)


async def open_ask_modal(world: DiscordWorld, target: Message) -> str:
    """Press "Ask a question" (a forged press on a plain message): the custom_id of the modal opened."""
    press = world.fake.push_interaction(
        3,
        {"custom_id": tr.ASK_ID, "component_type": 2},
        channel_id=world.acme.channel.id,
        user_id=world.acme.member.user.id,
        message=target,
    )
    response = await world.fake.interaction_response(press.id, WAIT)
    assert response["type"] == 9, response
    return str(response["data"]["custom_id"])


async def still_answers(world: DiscordWorld) -> None:
    reply = await world.slash("partner topics", channel=world.acme.channel, user=world.acme.member)
    assert "security" in reply["data"]["content"], reply


async def test_fuzzed_dispatches_never_traceback_never_change_state_and_keep_the_client(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    plain = world.fake.push_message(
        world.acme.channel.id, "a plain message", author_id=world.acme.member.user.id
    )
    buttons = bot_message_with_components(world)
    modal_id = await open_ask_modal(world, plain)
    await still_answers(world)  # the message and the form are read: their handlers started
    await handlers_settled()
    before = await snapshot(world)
    identifies, resumes = len(world.fake.identifies), len(world.fake.resumes)
    dispatches = Dispatches(world, plain, buttons, modal_id)

    async def run(send: Callable[[], None]) -> None:
        send()
        await asyncio.sleep(0.005)

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(send=dispatches.strategy())
    def property_(send: Callable[[], None]) -> None:
        on_loop(loop, run(send))

    await asyncio.to_thread(property_)
    await still_answers(world)  # every dispatch before it is read: its handler started
    await handlers_settled()
    no_tracebacks(caplog)
    unchanged(before, await snapshot(world))
    assert (len(world.fake.identifies), len(world.fake.resumes)) == (identifies, resumes)
    assert not world.adapter.client.is_closed()
    # Not everything was refused at the edge: commands, autocompletes and presses reached the handlers.
    answered = [i.type for i in world.fake.interactions.values() if i.callbacks]
    assert len(answered) >= 5, answered


# --- the cases by name ---------------------------------------------------------------------------


def edge_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "adapters.discord.edge"]


async def test_unknown_custom_ids_are_ignored_with_one_warning_each(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    target = world.fake.push_message(world.acme.channel.id, "hi", author_id=world.acme.member.user.id)
    await still_answers(world)  # the message is read: its handler started
    await handlers_settled()
    before = await snapshot(world)
    odd = (
        "nope",
        "pbx:topics:abc",
        "pbx:topics:9999999999999999999",
        "pbx:colour:1",
        "partnerbot:",
        "x" * 101,
    )
    presses = [
        world.fake.push_interaction(
            3,
            {"custom_id": custom_id, "component_type": 3 if custom_id.startswith("pbx") else 2, "values": []},
            channel_id=world.acme.channel.id,
            user_id=world.acme.member.user.id,
            message=target,
        )
        for custom_id in odd
    ]
    await still_answers(world)
    warnings = edge_warnings(caplog)
    assert len(warnings) == len(odd), warnings
    assert all("INTERACTION_CREATE not understood" in w for w in warnings), warnings
    assert [p.callbacks for p in presses] == [[] for _ in odd]  # nothing answered, nothing ran
    no_tracebacks(caplog)
    unchanged(before, await snapshot(world))


async def test_a_core_button_with_a_non_numeric_id_says_it_expired(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py dispatches a press only for a component the message carries.
    button = {"type": 2, "style": 2, "label": "Edit", "custom_id": "pb:announcement_edit:abc"}
    fake = world.fake
    target = fake.create_message(
        fake.channels[world.admin_channel.id],
        fake.bot,
        {"content": "a preview", "components": [{"type": 1, "components": [button]}]},
    )
    press = fake.push_interaction(
        3,
        {"custom_id": button["custom_id"], "component_type": 2},
        channel_id=world.admin_channel.id,
        user_id=world.admin.user.id,
        message=target,
    )
    answer = await world.answer(press)
    assert answer["data"]["content"] == m.BUTTON_EXPIRED
    no_tracebacks(caplog)


def _without_question(sub: Json) -> None:
    sub["options"] = [o for o in sub["options"] if o["name"] != "question"]


def _renamed(sub: Json) -> None:
    sub["name"] = "nonsense"


def _count_as_text(sub: Json) -> None:
    sub["options"] = [{"name": "count", "type": 3, "value": "three"}]


@pytest.mark.parametrize(
    ("command", "options", "change"),
    [
        ("partner ask", {"question": "When?"}, _without_question),
        ("partner news", {}, _renamed),
        ("partner news", {"count": 3}, _count_as_text),
        ("partner-admin topic archive", {"slug": "security"}, _count_as_text),
    ],
    ids=["required option missing", "unknown subcommand", "option of another type", "unknown option"],
)
async def test_a_command_that_does_not_match_is_answered_and_logged_once(
    world: DiscordWorld,
    caplog: pytest.LogCaptureFixture,
    command: str,
    options: Json,
    change: Callable[[Json], None],
) -> None:
    caplog.set_level(logging.INFO)
    admin = command.startswith("partner-admin")
    channel, user = (world.admin_channel, world.admin) if admin else (world.acme.channel, world.acme.member)
    data = world.fake._command_data(command, options, channel.id, focused=None)

    def odd(payload: Json) -> Json:
        sub = payload["data"]["options"][0]
        while sub["options"] and sub["options"][0]["type"] in (1, 2):
            sub = sub["options"][0]
        change(sub)
        return payload

    before = await snapshot(world)
    call = world.fake.push_interaction(2, data, channel_id=channel.id, user_id=user.user.id, shape=odd)
    answer = await world.answer(call)
    assert answer["data"]["content"] == m.DISCORD_COMMAND_NOT_UNDERSTOOD
    assert answer["data"]["flags"] & 64  # ephemeral
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "not understood" in warnings[0], warnings
    no_tracebacks(caplog)
    unchanged(before, await snapshot(world))


async def test_a_modal_submission_of_odd_shape_changes_nothing_and_the_modal_still_works(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    target = world.fake.push_message(world.acme.channel.id, "hi", author_id=world.acme.member.user.id)
    modal_id = await open_ask_modal(world, target)
    space = world.acme

    def submit(component: Json) -> Any:
        data = {"custom_id": modal_id, "components": [component]}
        return world.fake.push_interaction(
            5, data, channel_id=space.channel.id, user_id=space.member.user.id, message=target
        )

    text_input = {"type": 4, "id": 2, "custom_id": "question"}
    odd = [
        {"type": 18, "id": 1},  # a label without its input
        {"type": 18, "id": 1, "component": text_input},  # an input without its value
        {"type": 18, "id": 1, "component": text_input | {"value": 5}},
        {"type": 18, "id": 1, "component": text_input | {"value": "x" * 70_000}},
        {"type": 1},  # an action row without components
    ]
    ignored = [submit(component) for component in odd]
    valid = submit({"type": 18, "id": 1, "component": text_input | {"value": "Why?"}})
    answer = await world.answer(valid)
    assert answer["data"]["content"] == m.NOT_AN_ANNOUNCEMENT  # the modal was still open for it
    assert [i.callbacks for i in ignored] == [[] for _ in odd]
    assert len(edge_warnings(caplog)) == len(odd), edge_warnings(caplog)
    no_tracebacks(caplog)


async def test_text_from_discord_is_normalised_before_the_database(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A lone surrogate (not encodable as UTF-8) and a NUL (refused by PostgreSQL) in a question."""
    async with discord_world(database_url) as world:
        await world.add_topic("security", "Security")
        await world.subscribe(world.acme, "security")
        asked = await world.slash(
            "partner ask",
            {"question": "Is \ud800 the date\x00 final?"},
            channel=world.acme.channel,
            user=world.acme.member,
        )
        assert "error" not in asked["data"]["content"].lower(), asked
        async with world.app.engine.connect() as conn:
            stored = (await conn.execute(text("SELECT text FROM question"))).scalars().all()
        assert stored == ["Is \ufffd the date final?"]
        posts = await world.wait_posts(world.admin_channel)
        assert any("Is \ufffd the date final?" in str(p.content) + str(p.embeds) for p in posts)
    no_tracebacks(caplog)


def test_discord_py_still_names_its_handler_tasks_as_handlers_settled_expects() -> None:
    """`handlers_settled` finds discord.py's handler tasks by name; a discord.py that renamed them
    would make it wait for nothing, so the names are checked against its source."""
    source = "".join(
        inspect.getsource(module)
        for module in (discord.client, discord.app_commands.tree, discord.ui.view, discord.ui.modal)
    )
    for prefix in HANDLER_TASKS:
        assert f"name='{prefix}" in source or f"name=f'{prefix}" in source, prefix
