"""`partnerbot run`/`worker` in OAuth mode need PARTNERBOT_SECRET_KEY; `partnerbot db rotate-key`
re-encrypts the stored Slack tokens. Real processes, real exit codes, a real SQLite file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot import messages as m
from bot.cli import CliError, _check_secret_key
from bot.config import Settings
from tests.e2e.test_cli import cli

OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}


@pytest.mark.parametrize("command", ["run", "worker"])
def test_oauth_mode_without_a_key_refuses_in_one_line_that_says_how_to_make_one(
    tmp_path: Path, command: str
) -> None:
    result = cli(tmp_path, command, env=OAUTH)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "PARTNERBOT_SECRET_KEY" in result.stderr and result.stdout == ""

    # The command in the message makes a key that works when copied.
    made = re.search(r'`(python -c "[^`]+")`', m.CLI_SECRET_KEY_MISSING)
    assert made is not None and made.group(1) in result.stderr
    script = made.group(1).removeprefix('python -c "').removesuffix('"')
    key = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    Fernet(key.stdout.strip())


def test_oauth_mode_with_a_malformed_key_refuses_in_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "run", env={**OAUTH, "PARTNERBOT_SECRET_KEY": "hunter2"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "key 1 of PARTNERBOT_SECRET_KEY is not a Fernet key" in result.stderr
    assert "hunter2" not in result.stderr  # a secret is never echoed


def test_single_workspace_mode_needs_no_key() -> None:
    single = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s")
    _check_secret_key(single)  # does not refuse
    with pytest.raises(CliError, match="PARTNERBOT_SECRET_KEY"):
        _check_secret_key(Settings(_env_file=None, slack_client_id="1.2"))


def test_db_rotate_key_re_encrypts_every_token_under_the_first_key(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert cli(tmp_path, "db", "upgrade").returncode == 0
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        store = SQLAlchemyInstallationStore(client_id="1.2", engine=engine)  # a plain row from before
        store.save(
            Installation(app_id="A1", team_id="T1", user_id="U1", bot_token="xoxb-1-plain", bot_id="B1")
        )

        result = cli(tmp_path, "db", "rotate-key", env={"PARTNERBOT_SECRET_KEY": f"{new},{old}"})
        assert result.returncode == 0, result.stderr
        assert result.stdout == m.CLI_KEY_ROTATED(2) + "\n"  # the installation row and the bot row
        with engine.connect() as conn:
            tokens = [row[0] for row in conn.execute(sa.text("SELECT bot_token FROM slack_bots"))]
        assert [Fernet(new).decrypt(t.encode()).decode() for t in tokens] == ["xoxb-1-plain"]

        missing = cli(tmp_path, "db", "rotate-key")
        assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    finally:
        engine.dispose()
