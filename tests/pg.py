"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a free loopback port.

`initdb` refuses to run as root, so as root the cluster runs as the `postgres` system user.
Where no PostgreSQL binaries exist the tests that need it are skipped, except under CI=true.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SEARCH = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def find_bindir() -> Path | None:
    override = os.environ.get("PARTNERBOT_PG_BINDIR")
    candidates = [Path(override)] if override else SEARCH
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(
            self._cmd(
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                sql,
            ),
            check=True,
            capture_output=True,
            text=True,
        )

    def stop(self) -> None:
        subprocess.run(
            self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"),
            capture_output=True,
        )
        # Removed by a detached `rm -rf`: after a full run the cluster holds one database per
        # PostgreSQL test, and deleting those files inline once took longer than the test timeout on a
        # busy disk (the teardown of the session's last test failed at 120 s).
        subprocess.Popen(
            ["rm", "-rf", str(self.datadir.parent)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


def start_cluster() -> Cluster:
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL binaries (initdb, pg_ctl) found")
    run_as = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="partnerbot-pg-"))
    datadir = base / "data"
    if run_as:
        shutil.chown(base, user=run_as)
    cluster = Cluster(bindir, datadir, _free_port(), run_as)
    subprocess.run(
        cluster._cmd(
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    # fsync off and a socket dir we own: a test cluster, never a production setting.
    options = f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off -c max_connections=200"
    subprocess.run(
        cluster._cmd(
            str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-w", "-l", str(base / "log"), "start"
        ),
        check=True,
        capture_output=True,
        text=True,
    )
    return cluster
