"""A real PostgreSQL server for the tests: a throwaway cluster from Debian's binaries, on 127.0.0.1 and a
socket in its own temp folder, with one role that needs a password (to test PGPASSWORD and URLs with one)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "install Debian's PostgreSQL as root: apt-get install -y postgresql (`make test` does it)"
SUPERUSER = "postgres"
PASSWORD_ROLE, PASSWORD = "director", "night-ferry-7"
HBA = f"""# throwaway test cluster: trust on the socket and 127.0.0.1, except one role that must give its password
local all all trust
host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    socket_dir: Path

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@{self.host}:{self.port}/{database}"

    def new_database(self, owner: str = SUPERUSER) -> str:
        """A new empty database; its postgresql:// URL, as its owner."""
        name = f"drama_{uuid.uuid4().hex[:12]}"
        self.sql(f'CREATE DATABASE "{name}" OWNER "{owner}"')
        return self.url(name, owner)

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []


def binaries() -> Path:
    """The newest PostgreSQL's bin folder; a failure saying how to install it when there is none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail(f"the PostgreSQL tests need initdb and pg_ctl under /usr/lib/postgresql/*/bin: {INSTALL}",
                    pytrace=False)
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb and pg_ctl start in a temp folder (as the postgres user when this is root, since PostgreSQL
    refuses to run as root); stopped and removed on the way out."""
    bin_dir = binaries()
    as_root = os.geteuid() == 0
    owner = pwd.getpwnam("postgres") if as_root else None
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    home = Path(tempfile.mkdtemp(prefix="mangaline-pg-"))  # short: the socket's path must fit in 107 bytes
    data, log = home / "data", home / "server.log"
    if owner is not None:
        os.chown(home, owner.pw_uid, owner.pw_gid)

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=home, check=False)

    started = False
    try:
        made = run(str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                   "--locale=C", "--no-sync")
        if made.returncode != 0:
            pytest.fail(f"initdb failed: {made.stderr.strip()}", pytrace=False)
        (data / "pg_hba.conf").write_text(HBA, encoding="utf-8")
        for attempt in range(3):
            port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={home} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            start = run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
            if start.returncode == 0:
                started = True
                break
        if not started:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            pytest.fail(f"pg_ctl start failed: {start.stderr.strip()}\n{tail}", pytrace=False)
        server = PostgresServer("127.0.0.1", port, home)
        server.sql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
        yield server
    finally:
        if started:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)
