"""Shared fixtures: fresh workspaces on SQLite and on a real PostgreSQL server.

PostgreSQL: with ``FACILITATION_TEST_POSTGRES_URL`` (an admin URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) the tests use that
server; otherwise they start a throw-away server with the ``initdb`` of the
PostgreSQL installed on the machine. Without PostgreSQL those tests are
skipped, unless ``FACILITATION_REQUIRE_POSTGRES=1`` (as in CI) makes that an error.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import facilitation
from facilitation import Store

from ._postgres import PostgresServer, start_postgres

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get("FACILITATION_TEST_POSTGRES_URL")
    if url:
        yield PostgresServer(admin_url=url)
        return
    # Not under pytest's temporary folder: the server runs as another user, and any other
    # pytest session on the machine makes that folder private to root again.
    base = Path(tempfile.mkdtemp(prefix="facilitation-postgres-"))
    try:
        server = start_postgres(base)
    except RuntimeError as error:
        shutil.rmtree(base, ignore_errors=True)
        if os.environ.get("FACILITATION_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but could not be started: {error}")
        pytest.skip(f"no PostgreSQL server: {error}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database on the test server."""
    name = f"facilitation_test_{os.getpid()}_{next(_counter)}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new workspace goes: an SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "workspace.db")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def fresh_store(location: str) -> Iterator[Store]:
    """A new, empty workspace, on SQLite and on PostgreSQL."""
    store = facilitation.create_workspace(location, "Peer-Learning Test")
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A new, empty SQLite workspace."""
    store = facilitation.create_workspace(tmp_path / "workspace.db", "Peer-Learning Test")
    yield store
    store.close()


# Tests that serve pages (Voila servers, kernels, Chromium) run one after another in one
# worker: two at once would fight over the machine's two cores and their timeouts; the
# other worker meanwhile runs everything else, test by test (``-n 2`` in pyproject.toml).
SERVED = ("test_e2e_", "test_serve.py", "test_serve_restart.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """pytest-xdist's scheduling, with the served tests as one unit (its own
    ``xdist_group`` marks are lost under pytest 9, which no longer reads ``_nodeid``)."""
    from xdist.scheduler import LoadScopeScheduling

    class ServedTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if Path(nodeid.split("::", 1)[0]).name.startswith(SERVED):
                return "served"
            return nodeid

    return ServedTogether(config, log)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A real headless Chromium (Debian's), driven by Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required here: install the Debian package 'chromium'")
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def dump_tables(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table of a workspace, in a fixed order: compare two of them to
    show that a refused write changed nothing."""
    from sqlalchemy import select

    from facilitation.store import _schema

    with store.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in _schema.metadata.sorted_tables
        }
