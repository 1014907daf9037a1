"""The workspace on a server: PostgreSQL, nginx with TLS and two participant servers.

Everything real: a throw-away PostgreSQL server, Debian's nginx with a
self-signed certificate written by ``facilitation deploy``, ``facilitation
serve --behind-proxy`` with two participant servers, and twelve Chromium
pages joining through https. They split over both servers (the proxy's
cookie), vote, and the projector (through the proxy, with the key) shows
every dot. Then one participant server is killed: its people reload, land
on the other one and finish voting, with nothing lost. The database has one
listener for all the pages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

import facilitation
from facilitation import serve
from facilitation.deploy import Site, write_deployment
from facilitation.models import Visibility

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PEOPLE = [f"Person {chr(65 + i)}" for i in range(12)]
TOPICS = ["Ortskerne", "Mobilität", "Fachkräfte"]


def _nginx() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is required here: install the Debian package 'nginx'")
        pytest.skip("no nginx (Debian package 'nginx')")
    if shutil.which("openssl") is None:
        pytest.skip("no openssl")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listeners(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as c:
        return c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'"
        ).fetchone()[0]


def test_twelve_pages_over_two_servers_behind_nginx(tmp_path: Path, browser, postgres_url):
    from .test_serve import _free_base_port

    nginx = _nginx()
    done = subprocess.run(
        ["facilitation", "init", postgres_url, "--title", "Digitaltreffen"],
        capture_output=True, text=True, env={**os.environ, "PATH": _bin_path()},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with facilitation.open_workspace(postgres_url) as store:
        meeting = store.add_meeting("Digitaltreffen im März")
        store.set_current_meeting(meeting.id)
        links = {}
        for name in PEOPLE:
            links[name] = store.create_link(store.add_participant(name, meeting_id=meeting.id).id)
        topics = [store.add_topic(meeting.id, title) for title in TOPICS]
        vote_round = store.create_round(
            meeting.id, [t.id for t in topics], title="Was zuerst?", dots_per_person=3,
            max_per_topic=3, visibility=Visibility.LIVE,
        )  # fmt: skip
        key = store.facilitator_key()

    port, public_port = _free_base_port(), _free_port()
    public = f"https://127.0.0.1:{public_port}/"
    site = Site(public_url=public, participant_servers=2, port=port)
    write_deployment(tmp_path / "deploy", site, postgres_url, self_signed=True)
    prefix = tmp_path / "deploy" / "nginx"
    user = " user root;" if os.geteuid() == 0 else ""
    proxy = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", "nginx.conf", "-g", f"daemon off;{user}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        with serve.start(
            postgres_url, key, port=port, participant_servers=2, behind_proxy=True,
            public_url=public, room=4,
        ) as servers:  # fmt: skip
            assert servers.urls["participant"] == public
            assert servers.urls["projector"] == f"{public}projector/?key={key}"

            def page(url: str):
                context = browser.new_context(ignore_https_errors=True)
                tab = context.new_page()
                tab.goto(url)
                return tab

            facilitator = page(servers.urls["facilitator"])
            facilitator.get_by_role("tab", name="Punktabfrage").wait_for(timeout=120_000)
            stranger = page(f"{public}facilitator/")
            stranger.get_by_text("nur für die Moderation").first.wait_for(timeout=120_000)
            stranger.context.close()
            projector = page(servers.urls["projector"])
            tabs = {name: page(f"{public}?p={links[name]}") for name in PEOPLE}
            for name, tab in tabs.items():
                tab.get_by_text(name).first.wait_for(timeout=120_000)
            where = {
                name: next(c["value"] for c in tab.context.cookies()
                           if c["name"] == "facilitation_server")
                for name, tab in tabs.items()
            }  # fmt: skip
            assert set(where.values()) == {"p1", "p2"}, where  # split over both servers
            assert _listeners(postgres_url) <= 1  # one relay listens, not twelve kernels

            with facilitation.open_workspace(postgres_url) as store:
                store.open_round(vote_round.id, show=True)
            for tab in tabs.values():
                tab.get_by_text("Sie haben noch 3 von 3 Punkten.").first.wait_for(timeout=60_000)

            def plus(tab, topic: str):
                row = tab.locator(".fac-card", has_text=topic).first
                return row.get_by_role("button", name="+ Punkt")

            for i, tab in enumerate(tabs.values()):
                for j in range(2):
                    plus(tab, TOPICS[(i + j) % 3]).click()
            for tab in tabs.values():
                tab.get_by_text("Sie haben noch 1 von 3 Punkten.").first.wait_for(timeout=60_000)
            _wait_for_total(projector, 24)

            # One participant server dies; its people reload and go on, on the other one.
            first = servers.processes["participant"]
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            for i, (name, tab) in enumerate(tabs.items()):
                if where[name] == "p1":
                    tab.reload()
                    tab.get_by_text(name).first.wait_for(timeout=120_000)
                tab.get_by_text("Sie haben noch 1 von 3 Punkten.").first.wait_for(timeout=60_000)
                plus(tab, TOPICS[(i + 2) % 3]).click()
            for tab in tabs.values():
                tab.get_by_text("Sie haben noch 0 von 3 Punkten.").first.wait_for(timeout=60_000)
            _wait_for_total(projector, 36)
            projector.screenshot(path=str(tmp_path / "projector.png"))
    finally:
        proxy.send_signal(signal.SIGQUIT)
        try:
            proxy.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proxy.kill()
    with facilitation.open_workspace(postgres_url) as store:
        assert store.tally(vote_round.id) == {t.id: 12 for t in topics}


def _wait_for_total(projector, total: int, timeout: float = 60.0) -> None:
    """Until the wall's ranking adds up to ``total`` dots."""
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        cells = projector.locator("table.fac-ranking tr td:nth-child(3)").all_inner_texts()
        seen = sum(int(text) for text in cells if text.strip().isdigit())
        if seen == total:
            return
        time.sleep(0.2)
    raise AssertionError(f"the wall shows {seen} dots, not {total}")


def _bin_path() -> str:
    import sys

    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
