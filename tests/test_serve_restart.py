"""`serve` owns its processes: however it ends, the next `serve` is back at once.

And kernels only for real visitors: plain page loads (link previews, prefetches,
reload storms) cost no kernel for long, and a server opens no more pages than
its ceiling (then "Der Raum ist voll").
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import facilitation
from facilitation import serve
from facilitation._voila import LOAD_S
from facilitation.serve import PAGES

from ._serving import free_base_port, processes_serving, start_serve, started, stretched

pytestmark = pytest.mark.slow

RESTART_S = 10.0  # the goal: a restarted serve answers within this, on an idle laptop


def _restart_limit(first_start: float) -> float:
    """:data:`RESTART_S`, stretched by the machine's load (tests share two cores with others):
    a restart waits for nothing a first start does not (leftovers, ports in TIME-WAIT), so
    it takes no longer than the first start took, give or take :data:`RESTART_S`."""
    return max(stretched(RESTART_S), first_start + RESTART_S)


def _dots(workspace: Path, round_id: int) -> int:
    with facilitation.open_workspace(workspace) as store:
        return sum(store.dots_per_participant(round_id).values())


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_serve_ends_with_all_its_processes_and_comes_back_at_once(tmp_path: Path) -> None:
    workspace = tmp_path / "werkstatt.db"
    with facilitation.create_workspace(workspace, "Werkstatt") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        people = [store.add_participant(f"Person {i}", meeting_id=meeting.id) for i in range(3)]
        topics = [store.add_topic(meeting.id, f"Thema {i}") for i in range(3)]
        vote = store.create_round(meeting.id, [t.id for t in topics])
        store.open_round(vote.id, show=True)
    port = free_base_port()
    began = time.monotonic()
    server, urls = start_serve(workspace, port)
    first_start = time.monotonic() - began
    try:
        # Another serve of the same workspace while this one runs: one sentence, what to do.
        second = ["serve", str(workspace), "--port", str(free_base_port())]
        for lang, words in (("de", "wird schon von 'facilitation serve' bereitgestellt"),
                            ("en", "is already being served by 'facilitation serve'")):  # fmt: skip
            result = subprocess.run(
                [sys.executable, "-m", "facilitation.cli", "--lang", lang, *second],
                capture_output=True, text=True, timeout=180,
                env={**os.environ, "FACILITATION_LANG": "de"},
            )  # fmt: skip
            assert result.returncode == 1, result.stderr
            assert words in result.stderr, result.stderr
            assert f"kill {server.pid}" in result.stderr and result.stderr.count("\n") == 1
        assert _answers(urls["participant"])  # and the first one was left alone

        for number, ending in enumerate((signal.SIGHUP, signal.SIGKILL, signal.SIGTERM)):
            with facilitation.open_workspace(workspace) as store:  # committed while served
                store.place_dot(vote.id, people[number].id, topics[number].id)
            old = {pid: started(pid) for pid in processes_serving(workspace)}
            assert len(old) >= 5, old  # relay, three servers, kernels
            server.send_signal(ending)
            began = time.monotonic()
            server, again = start_serve(workspace, port)
            took = time.monotonic() - began
            assert again == urls  # the same addresses
            assert all(_answers(url) for url in urls.values())
            assert took < _restart_limit(first_start), (ending, took, first_start)
            left = [pid for pid, when in old.items() if started(pid) == when]
            assert left == [], (ending, left)
            assert _dots(workspace, vote.id) == number + 1
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    deadline = time.monotonic() + 15
    while processes_serving(workspace) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_serving(workspace) == []
    assert _dots(workspace, vote.id) == 3


def _kernels(run: str) -> int:
    """Kernels of one start of the servers (by the mark in their environment)."""
    marker = f"{serve.RUN_ENV}={run}".encode()
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if b"facilitation._kernel" in (entry / "cmdline").read_bytes() and marker in (
                entry / "environ"
            ).read_bytes().split(b"\0"):
                count += 1
        except OSError:
            continue
    return count


def _get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.status, response.read().decode("utf-8", "replace"), {}
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


async def _while_connected(url: str, seconds: float, check) -> None:
    """Open a page's websocket to its kernel, as the page's JavaScript does, keep it open
    for ``seconds`` and ``check()`` before closing it."""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(url)
    try:
        await asyncio.sleep(seconds)
        check()
    finally:
        connection.close()


def test_plain_page_loads_cost_no_kernel_for_long_and_a_full_room_says_so(tmp_path: Path) -> None:
    workspace = tmp_path / "w.db"
    with facilitation.create_workspace(workspace, "W") as store:
        key = store.facilitator_key()
    port = free_base_port(1)
    room, at_most, grace = 2, 4, 8.0
    pool = max(room, PAGES[0].preheat)
    with serve.start(
        str(workspace), key, port=port, pages=(PAGES[0],), room=room,
        pages_at_most=at_most, connect_grace=grace,
    ) as servers:  # fmt: skip
        url = servers.urls["participant"]
        most = 0
        done = threading.Event()

        def count() -> None:
            nonlocal most
            while not done.wait(0.2):
                most = max(most, _kernels(servers.run))

        counter = threading.Thread(target=count, daemon=True)
        counter.start()
        try:
            with ThreadPoolExecutor(8) as pool_of_clients:
                answers = list(pool_of_clients.map(lambda _i: _get(url), range(200)))
            statuses = [status for status, _page, _headers in answers]
            assert set(statuses) <= {200, 503}, statuses
            assert statuses.count(200) >= at_most
            full = [(page, headers) for status, page, headers in answers if status == 503]
            assert full, "the ceiling was never reached"
            page, headers = full[0]
            assert "Der Raum ist voll" in page and headers.get("Retry-After") == "30"
            # Back to the room's ready kernels once the pages' grace is over.
            deadline = time.monotonic() + 120
            while _kernels(servers.run) != pool and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _kernels(servers.run) == pool
        finally:
            done.set()
            counter.join()
        assert most <= at_most + pool, most

        # A page that connects is a real visitor: it keeps its kernel, and the load says so.
        status, page, _headers = _get(url)
        assert status == 200
        kernel = re.search(r'kernelId"\s*:\s*"([0-9a-f-]{36})"', page).group(1)
        channels = f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?session_id=test"

        def connected() -> None:
            assert _kernels(servers.run) == pool + 1
            load = servers.load()
            assert [entry.name for entry in load] == ["participant"]
            assert (load[0].pages, load[0].kernels) == (1, pool + 1)
            assert load[0].at_most == at_most and load[0].memory > 20 * 2**20

        # In a thread of its own: the browser tests' Playwright may run a loop in this one.
        with ThreadPoolExecutor(1) as aside:
            held = _while_connected(channels, grace + 2 * LOAD_S, connected)
            aside.submit(asyncio.run, held).result()

        # A server killed outright takes its kernels with it (they are in sessions of their own).
        server = servers.processes["participant"]
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 30
        while _kernels(servers.run) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _kernels(servers.run) == 0


def test_the_facilitator_page_shows_the_open_pages_and_their_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitation.ui.facilitator import FacilitatorApp

    for name, pages, at_most in (("participant", 5, 24), ("participant-2", 2, 24),
                                 ("facilitator", 1, 10), ("projector", 1, 10)):  # fmt: skip
        noted = {"name": name, "pages": pages, "kernels": pages + 2, "memory": 100 * 2**20,
                 "at_most": at_most}  # fmt: skip
        (tmp_path / f"load-{name}.json").write_text(json.dumps(noted))
    (tmp_path / "load-broken.json").write_text("{")  # half written: left out
    monkeypatch.setenv(serve.LOAD_ENV, str(tmp_path))
    with facilitation.create_workspace(tmp_path / "w.db", "W") as store:
        store.add_meeting("Auftakt")
        page = FacilitatorApp(store, live=False)
    assert "Teilnehmende 7 (höchstens 48), Moderation 1, Beamer 1" in page.load.value
    assert "400 MB" in page.load.value
    monkeypatch.delenv(serve.LOAD_ENV)
    with facilitation.open_workspace(tmp_path / "w.db") as store:
        assert FacilitatorApp(store, live=False).load.value == ""  # not served: no line
