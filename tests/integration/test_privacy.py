"""Personal data (issue 13): forgetting a person keeps every count and the announcement history;
the `retention` job blanks old question/answer text, reminders quoting a question and audit details.
"""

from __future__ import annotations

from datetime import timedelta

from bot import messages as m
from bot.domain import Platform, UserRef
from bot.jobs import run_job
from bot.ports import PersonalData, PersonRef
from bot.services.privacy import FORGOTTEN_PREFIX, ForgetRefusal, ForgetTarget, PrivacyService
from storage.tables import (
    AckRow,
    AnnouncementRow,
    AnswerRow,
    AuditRow,
    EngagementEventRow,
    InviteRow,
    JobRunRow,
    NoticeRow,
    QuestionRow,
    ReactionRow,
)
from tests.conftest import FakeClock
from tests.harness import ADMIN, Harness, make_harness
from tests.integration.support import broadcast_and_send, id_from, rows, setup_topics


async def conversation(h: Harness, ana: str = "ana") -> int:
    """acme gets an urgent ack announcement; ana asks, reacts twice and acknowledges, kim reacts;
    alice (the admin) answers. Returns the announcement id."""
    await setup_topics(h, "security")
    await h.join("acme", "Acme", tier="gold")
    await h.subscribe("acme", "security")
    announcement = await broadcast_and_send(h, 'topic:security urgent ack title:"Patch"', "Please patch.")
    await h.deliver()
    post = h.posts("acme")[0]
    asked = await h.local.say(ana, "acme", "Does it need a reboot?", thread=post.id)
    assert asked is not None and not asked.is_error, asked
    assert await h.local.react(ana, post, "thumbsup")
    assert await h.local.react(ana, post, "tada")
    assert await h.local.react("kim", post, "thumbsup")
    assert not (await h.local.acknowledge(ana, post)).is_error
    answered = await h.admin(f"answer {id_from(asked)} Yes, one reboot.")
    assert not answered.is_error, answered.text
    await h.deliver()
    return announcement


async def _find(h: Harness, **who: str) -> ForgetTarget:
    target = await PrivacyService(h.app.stores.privacy).find(**who)
    assert isinstance(target, ForgetTarget), target
    return target


async def _refused(h: Harness, **who: str) -> ForgetRefusal:
    refusal = await PrivacyService(h.app.stores.privacy).find(**who)
    assert isinstance(refusal, ForgetRefusal), refusal
    return refusal


async def test_forgetting_a_partner_person_keeps_counts_and_history(harness: Harness) -> None:
    h = harness
    announcement = await conversation(h)
    stats_before = (await h.admin(f"stats {announcement}")).text

    target = await _find(h, name="ana")
    assert target.person == PersonRef(Platform.LOCAL, "ana")
    # ana's engagement events: the question, two reactions, the acknowledgement, the answer received.
    assert target.stored == PersonalData(questions=1, reactions=2, acknowledgements=1, engagement_events=5)
    said = await PrivacyService(h.app.stores.privacy).forget(target)
    assert said == "Forgot ana: 1 question, 2 reactions, 1 acknowledgement, 5 engagement events."

    (question,) = await rows(h, QuestionRow)
    assert question.asker_id.startswith(FORGOTTEN_PREFIX) and question.asker_name == m.FORGOTTEN_PERSON
    assert question.text == "Does it need a reboot?"  # the words stay (retention blanks them)
    reactions = {(r.user_id, r.emoji) for r in await rows(h, ReactionRow)}
    assert reactions == {(question.asker_id, "thumbsup"), (question.asker_id, "tada"), ("kim", "thumbsup")}
    (ack,) = await rows(h, AckRow)
    assert (ack.user_id, ack.user_name) == (question.asker_id, m.FORGOTTEN_PERSON)
    # The events stay (counts and scores do not change), under the pseudonym.
    assert await rows(h, EngagementEventRow, user_id="ana") == []
    forgotten = await rows(h, EngagementEventRow, user_id=question.asker_id)
    assert sorted(e.kind for e in forgotten) == [
        "acknowledged",
        "answer_received",
        "question_asked",
        "reaction_added",
        "reaction_added",
    ]
    assert len(await rows(h, EngagementEventRow, user_id="kim")) == 1

    # Counts and history are what they were; who acknowledged now reads as a forgotten person.
    assert (await h.admin(f"stats {announcement}")).text == stats_before
    assert f"— {m.FORGOTTEN_PERSON}, " in (await h.admin(f"acks {announcement}")).text
    assert [a.status for a in await rows(h, AnnouncementRow)] == ["sent"]

    # Nobody is called "ana" any more; forgetting again says so, with how to forget by user id.
    again = await _refused(h, name="ana")
    assert again.text == (
        'nobody called "ana" is stored. Names match exactly as stored; '
        "`partnerbot partners forget --user slack:U0ANA` forgets by user id."
    )
    assert not again.bad_input
    assert (await _refused(h, user="local:ana")).text == m.FORGET_NO_USER.format(who="local:ana")


async def test_forgetting_an_admin_covers_answers_audit_announcements_and_join_codes(
    harness: Harness,
) -> None:
    h = harness
    await conversation(h)
    audited = len(await rows(h, AuditRow, user_id=ADMIN))
    assert audited > 0

    target = await _find(h, user=f"local:{ADMIN}")
    assert target.stored == PersonalData(answers=1, audit_entries=audited, announcements=1, join_codes=1)
    said = await PrivacyService(h.app.stores.privacy).forget(target)
    assert said == (
        f"Forgot local:{ADMIN}: 1 answer, {m.AUDIT_ENTRIES(audited)}, 1 announcement, 1 join code."
    )
    assert await rows(h, AuditRow, user_id=ADMIN) == []
    assert {r.user_name for r in await rows(h, AuditRow)} == {m.FORGOTTEN_PERSON}
    (answer,) = await rows(h, AnswerRow)
    assert answer.admin_name == m.FORGOTTEN_PERSON and answer.text == "Yes, one reboot."
    (announcement,) = await rows(h, AnnouncementRow)
    assert announcement.author_name == m.FORGOTTEN_PERSON and announcement.title == "Patch"
    (invite,) = await rows(h, InviteRow)
    assert invite.created_by.startswith(f"local:{FORGOTTEN_PREFIX}")
    # The admin keeps working: new entries carry their id again (forgetting is not a ban).
    assert not (await h.admin("questions")).is_error


async def test_names_as_stored_ambiguity_and_user_ids(harness: Harness, clock: FakeClock) -> None:
    h = harness
    audit = h.app.stores.audit
    for user in (
        UserRef(Platform.SLACK, "T1", "U0ANA", "Ana Ruiz"),
        UserRef(Platform.DISCORD, "G1", "80351110224678912", "Ana Ruiz"),
        UserRef(Platform.SLACK, "T1", "U0BEN", "Ben Okafor"),
    ):
        await audit.record(user=user, channel="C1", action="topics", detail="", allowed=True, now=clock.now())

    several = await _refused(h, name="Ana Ruiz")
    assert several.text == (
        '"Ana Ruiz" is the name of more than one person (discord:80351110224678912, slack:U0ANA); '
        "forget each by user id, e.g. `partnerbot partners forget --user discord:80351110224678912`"
    )
    close = await _refused(h, name="ben okafor")
    assert close.text.startswith('nobody called "ben okafor" is stored — did you mean "Ben Okafor"?')
    assert (await _refused(h, user="slack:T1:U0ANA")).bad_input
    assert (await _refused(h, user="U0ANA")).text == m.FORGET_BAD_USER.format(given="U0ANA")
    assert (await _refused(h)).text == m.FORGET_WHOM
    assert (await _refused(h, name="Ben Okafor", user="slack:U0BEN")).bad_input
    assert (await _refused(h, name="  ")).bad_input

    target = await _find(h, user="slack:U0ANA")
    assert target.stored == PersonalData(audit_entries=1)
    assert await PrivacyService(h.app.stores.privacy).forget(target) == "Forgot slack:U0ANA: 1 audit entry."
    # Now the name belongs to one person only.
    assert (await _find(h, name="Ana Ruiz")).person == PersonRef(Platform.DISCORD, "80351110224678912")
    assert {r.user_name for r in await rows(h, AuditRow)} == {m.FORGOTTEN_PERSON, "Ana Ruiz", "Ben Okafor"}


# --- retention ------------------------------------------------------------------------------------


async def _last_detail(h: Harness) -> str:
    return [r.detail for r in await rows(h, JobRunRow, job="retention")][-1]


async def test_retention_is_off_by_default(harness: Harness, clock: FakeClock) -> None:
    h = harness
    await conversation(h)
    clock.advance(days=3650)
    assert await run_job(h.app, "retention") != []
    assert await _last_detail(h) == m.JOB_RETENTION_OFF
    assert [q.text for q in await rows(h, QuestionRow)] == ["Does it need a reboot?"]
    assert all(a.detail for a in await rows(h, AuditRow))


async def test_retention_blanks_old_text_and_keeps_rows_and_counts(
    database_url: str, clock: FakeClock
) -> None:
    h = await make_harness(database_url, clock, retention_days=30)
    try:
        await setup_topics(h, "security")
        await h.join("acme", "Acme", tier="gold")
        await h.subscribe("acme", "security")
        announcement = await broadcast_and_send(h, 'topic:security title:"Patch"', "Please patch.")
        await h.deliver()
        post = h.posts("acme")[0]
        old = await h.local.say("pat", "acme", "Old question?", thread=post.id)
        assert old is not None and not old.is_error
        clock.advance(hours=25)
        assert await run_job(h.app, "question-reminders") != []
        await h.deliver()  # the reminder (quoting the question) is posted
        (reminder,) = await rows(h, NoticeRow)
        assert reminder.status == "sent" and "Old question?" in reminder.text
        assert not (await h.admin(f"answer {id_from(old)} Old answer.")).is_error
        await h.deliver()

        clock.advance(days=31)  # everything above is now older than 30 days…
        new = await h.local.say("pat", "acme", "New question?", thread=post.id)  # …but not this
        assert new is not None and not new.is_error
        stats_before = (await h.admin(f"stats {announcement}")).text
        old_audit = [a.id for a in await rows(h, AuditRow) if a.at < clock.now() - timedelta(days=30)]

        assert await run_job(h.app, "retention") != []
        assert await _last_detail(h) == (
            f"blanked 1 question, 1 answer, 1 reminder, {m.AUDIT_ENTRIES(len(old_audit))}"
        )
        assert [q.text for q in await rows(h, QuestionRow)] == [m.TEXT_REMOVED, "New question?"]
        assert [a.text for a in await rows(h, AnswerRow)] == [m.TEXT_REMOVED]
        assert [n.text for n in await rows(h, NoticeRow)] == [m.TEXT_REMOVED]
        for entry in await rows(h, AuditRow):
            assert (entry.detail == m.TEXT_REMOVED) == (entry.id in old_audit), entry
        assert (await rows(h, QuestionRow))[0].asker_name == "pat"  # names go only with `forget`
        assert (await h.admin(f"stats {announcement}")).text == stats_before

        clock.advance(hours=1)  # the next hourly period: nothing left that is old enough
        assert await run_job(h.app, "retention") != []
        assert await _last_detail(h) == m.JOB_RETENTION_NOTHING
    finally:
        await h.close()


async def test_a_name_finds_the_persons_reactions_which_store_only_the_user_id(
    harness: Harness, clock: FakeClock
) -> None:
    h = harness
    await conversation(h)
    (delivery_id,) = {r.delivery_id for r in await rows(h, ReactionRow)}
    # A person whose id and display name differ, as on Slack and Discord: the name is stored with
    # the audit entry, only the id with the reaction.
    ana = UserRef(Platform.LOCAL, "W1", "U0ANA", "Ana Ruiz")
    await h.app.stores.audit.record(
        user=ana, channel="admin", action="stats", detail="", allowed=True, now=clock.now()
    )
    await h.app.stores.feedback.record_reaction(
        delivery_id, user="U0ANA", emoji="eyes", added=True, now=clock.now()
    )

    target = await _find(h, name="Ana Ruiz")
    assert target.stored == PersonalData(reactions=1, audit_entries=1, engagement_events=1)
    said = await PrivacyService(h.app.stores.privacy).forget(target)
    assert said == "Forgot Ana Ruiz: 1 reaction, 1 audit entry, 1 engagement event."
    (eyes,) = await rows(h, ReactionRow, emoji="eyes")
    assert eyes.user_id.startswith(FORGOTTEN_PREFIX)
    assert len(await rows(h, ReactionRow, user_id="ana")) == 2  # someone else's rows are untouched
