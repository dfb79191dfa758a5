"""Private PostgreSQL and Redis servers on loopback, started from the installed binaries.

One start-up for the test fixtures (tests/conftest.py) and the benchmarks that run the product
against them (bench/workers.py, bench/soak.py). Each server listens on a free loopback port,
keeps its files in a temporary directory and is removed on exit. PostgreSQL refuses to run as
root, so when we are root the cluster runs as the `postgres` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg


class NotInstalled(RuntimeError):
    """The server's binary is not on this machine (the message names it)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    host: str
    port: int
    user: str
    pid: int

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    async def fresh(self, database: str) -> str:
        """An empty database of this name (dropped first if it exists); its URL."""
        admin = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres"
        )
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{database}"')
        finally:
            await admin.close()
        return self.url(database)


def _postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    if not initdb:
        raise NotInstalled("PostgreSQL (initdb)")
    return Path(initdb).parent


@contextlib.contextmanager
def local_postgres(*, fsync: bool = False, max_connections: int = 200) -> Iterator[Postgres]:
    """A private PostgreSQL cluster. `fsync=False` (tests, most benchmarks) trades durability
    on power loss for speed; the cluster is thrown away on exit either way."""
    bindir = _postgres_bindir()
    base = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
    datadir, sockdir = base / "data", base / "sock"
    sockdir.mkdir()
    as_user: list[str] = []
    user = os.environ.get("USER") or "postgres"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockdir, "postgres")
        as_user, user = ["runuser", "-u", "postgres", "--"], "postgres"
    port = free_port()
    try:
        subprocess.run(
            [*as_user, str(bindir / "initdb"), "-D", str(datadir), "-U", user, "--auth=trust"]
            + ["-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {sockdir} -h 127.0.0.1 -c max_connections={max_connections}"
        if not fsync:
            options += " -c fsync=off -c full_page_writes=off"
        ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(datadir)]
        subprocess.run(
            [*ctl, "-o", options, "-l", str(base / "log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        pid = int((datadir / "postmaster.pid").read_text().split()[0])
        try:
            yield Postgres("127.0.0.1", port, user, pid)
        finally:
            subprocess.run([*ctl, "-m", "immediate", "stop"], capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def local_redis() -> Iterator[str]:
    """A private redis-server with no persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if not binary:
        raise NotInstalled("Redis (redis-server)")
    base = Path(tempfile.mkdtemp(prefix="tandem-redis-"))
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(base)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # wait on the server's own announcement, not on a timer
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError("redis-server exited before it was ready")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)
