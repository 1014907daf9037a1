"""A throw-away PostgreSQL server for the tests, started from the machine's installation."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


@dataclass
class PostgresServer:
    admin_url: str
    data_dir: Path | None = None
    bin_dir: Path | None = None
    run_as: list[str] = field(default_factory=list)

    def _admin(self) -> sa.Engine:
        return sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create_database(self, name: str) -> str:
        engine = self._admin()
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, name: str) -> None:
        engine = self._admin()
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()

    def stop(self) -> None:
        if self.data_dir is not None and self.bin_dir is not None:
            subprocess.run(
                [*self.run_as, str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir),
                 "-m", "immediate", "-w"],
                capture_output=True, check=False,
            )  # fmt: skip


def _bin_dir() -> Path:
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise RuntimeError("initdb and pg_ctl not found (install the Debian package 'postgresql')")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(base: Path) -> PostgresServer:
    """Start a server on a free loopback port with its data under ``base``."""
    bin_dir = _bin_dir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user") from None
        run_as = ["runuser", "-u", "postgres", "--"]
        os.chmod(base, 0o777)
        for parent in base.parents:
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o011)
    data_dir = base / "data"
    socket_dir = base / "socket"
    socket_dir.mkdir()
    os.chmod(socket_dir, 0o777)
    result = subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres",
         "--auth=trust", "--encoding=UTF8", "--no-locale"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed: {result.stderr.strip()[:500]}")
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    result = subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "start", "-D", str(data_dir), "-o", options,
         "-l", str(base / "server.log"), "-w", "-t", "60"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        log = (base / "server.log").read_text(errors="replace")[-1000:]
        raise RuntimeError(f"pg_ctl start failed: {result.stderr.strip()[:300]} {log}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    server = PostgresServer(admin_url=url, data_dir=data_dir, bin_dir=bin_dir, run_as=run_as)
    deadline = time.monotonic() + 30
    while True:
        try:
            engine = server._admin()
            with engine.connect():
                pass
            engine.dispose()
            return server
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.2)
