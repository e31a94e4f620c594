"""The small pure parts of personal data: the `--user` form, the sentence with its counts, and
PARTNERBOT_RETENTION_DAYS (off unless set)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.domain import Platform
from bot.ports import Blanked, PersonalData, PersonRef
from bot.services.privacy import blanked_text, parse_person, personal_data_text


def test_a_user_is_platform_and_user_id_as_in_admin_users() -> None:
    assert parse_person("slack:U0ANA") == PersonRef(Platform.SLACK, "U0ANA")
    assert parse_person(" discord:80351110224678912 ") == PersonRef(Platform.DISCORD, "80351110224678912")
    assert parse_person("local:Ana Ruiz") == PersonRef(Platform.LOCAL, "Ana Ruiz")
    for wrong in ("U0ANA", "slack:", "teams:U0ANA", "slack:T0ACME:U0ANA", ""):
        assert parse_person(wrong) is None, wrong


def test_what_was_forgotten_reads_as_a_sentence_with_real_plurals() -> None:
    data = PersonalData(questions=3, answers=1, reactions=12, audit_entries=2)
    assert personal_data_text(data) == "3 questions, 1 answer, 12 reactions, 2 audit entries"
    one_each = PersonalData(1, 1, 1, 1, 1, 1, 1, 1)
    assert personal_data_text(one_each) == (
        "1 question, 1 answer, 1 reaction, 1 acknowledgement, 1 audit entry, 1 announcement, 1 join code,"
        " 1 engagement event"
    )
    assert personal_data_text(PersonalData(engagement_events=2)) == "2 engagement events"
    assert blanked_text(Blanked(questions=2, reminders=1)) == "2 questions, 1 reminder"


@pytest.mark.parametrize(("given", "expected"), [("", None), ("off", None), (" OFF ", None), ("90", 90)])
def test_retention_is_off_unless_set(given: str, expected: int | None) -> None:
    assert Settings(_env_file=None).retention_days is None
    assert Settings(_env_file=None, retention_days=given).retention_days == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["0", "-5", "soon"])
def test_a_retention_that_would_blank_everything_or_means_nothing_is_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, retention_days=given)  # type: ignore[arg-type]
