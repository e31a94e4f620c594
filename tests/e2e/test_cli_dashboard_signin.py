"""`partnerbot dashboard` with a platform sign-in turned on but not configured: one line, exit 2."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import cli


def test_slack_sign_in_without_the_apps_credentials_stops_in_one_line(tmp_path: Path) -> None:
    result = cli(tmp_path, "dashboard", env={"PARTNERBOT_DASHBOARD_SLACK_SIGNIN": "true"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "configuration error" in line]
    assert lines == [
        "partnerbot: configuration error — PARTNERBOT_DASHBOARD_SLACK_SIGNIN=true needs SLACK_CLIENT_ID and "
        "SLACK_CLIENT_SECRET (the Slack app's Basic Information page)"
    ]
