"""`facilitation serve` for real: three Voila servers, their addresses, and a clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import facilitation
from facilitation.serve import PAGE_EXTENSIONS

from ._serving import free_base_port as _free_base_port
from ._serving import processes_serving as _processes_serving

pytestmark = pytest.mark.slow


def _listening(port: int) -> set[str]:
    """Addresses (hex, as in /proc/net/tcp) that listen on ``port``."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(address)
    return found


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def _shown(browser, url: str, wait_for: str) -> str:
    """The text a person sees on the page once ``wait_for`` has appeared."""
    page = browser.new_page()
    try:
        page.goto(url)
        page.get_by_text(wait_for).first.wait_for(timeout=60_000)
        return page.inner_text("body")
    finally:
        page.close()


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_three_pages_and_stops_everything(
    tmp_path: Path, stop_with: int, browser
) -> None:
    workspace = tmp_path / "werkstatt.db"
    with facilitation.create_workspace(workspace, "Werkstatt <b>Ostsachsen</b>") as store:
        key = store.facilitator_key()
    port = _free_base_port()
    lan = stop_with == signal.SIGTERM
    command = [
        sys.executable,
        "-m",
        "facilitation.cli",
        "serve",
        str(workspace),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command + (["--lan"] if lan else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FACILITATION_LANG": "de"},
    )
    try:
        urls: dict[str, str] = {}
        deadline = time.monotonic() + 180
        while len(urls) < 3 and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            name, _, url = line.strip().partition(": ")
            if name in ("participant", "facilitator", "projector"):
                urls[name] = url
        assert len(urls) == 3, server.stderr.read() if server.poll() is not None else urls
        assert urls["facilitator"] == f"http://127.0.0.1:{port + 1}/?key={key}"
        assert urls["projector"] == f"http://127.0.0.1:{port + 2}/?key={key}"
        assert key not in urls["participant"]

        # Only the participant page may be on the room network, and only with --lan.
        assert _listening(port) == ({"00000000"} if lan else {"0100007F"})
        assert _listening(port + 1) == {"0100007F"}
        assert _listening(port + 2) == {"0100007F"}

        if lan:  # what the pages show is checked once, in the browser
            shown = _shown(browser, urls["facilitator"], "Teilnehmende")
            assert "Werkstatt <b>Ostsachsen</b>" in shown  # markup shown as text
            shown = _shown(browser, f"http://127.0.0.1:{port + 1}/", "nur für die Moderation")
            assert "Ostsachsen" not in shown
            shown = _shown(
                browser, f"http://127.0.0.1:{port + 2}/?key=falsch", "nur für die Moderation"
            )
            assert "Ostsachsen" not in shown
            shown = _shown(browser, urls["projector"], "Mitmachen unter")
            assert f"127.0.0.1:{port}" in shown or "Mitmachen" in shown
            shown = _shown(browser, f"http://127.0.0.1:{port}/", "persönlichen Link")
            assert "Ostsachsen" in shown  # the workspace's title, and how to get in
        # Every page loads only the JupyterLab extensions it renders.
        status, page = _get(urls["participant"])
        assert status == 200
        config = json.loads(
            re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)
        )
        loaded = {extension["name"] for extension in config["federated_extensions"]}
        assert loaded == set(PAGE_EXTENSIONS)
        # No directory listing, no other notebook, no Jupyter server API.
        for path in ("tree", "voila/tree", "voila/render/facilitator.ipynb", "api/contents",
                     "notebooks/facilitator.ipynb", "api/kernels"):  # fmt: skip
            assert _get(f"http://127.0.0.1:{port}/{path}")[0] in (403, 404, 405), path
        assert _processes_serving(workspace)
    finally:
        server.send_signal(stop_with)
        try:
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
    assert server.returncode == 0, server.stderr.read()
    deadline = time.monotonic() + 15
    while _processes_serving(workspace) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_serving(workspace) == []


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    workspace = tmp_path / "w.db"
    facilitation.create_workspace(workspace, "W").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "facilitation.cli", "serve", str(workspace)]
        result = subprocess.run(
            [*command, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "FACILITATION_LANG": "de"},
        )
    assert result.returncode == 1
    assert f"Port {port}" in result.stderr and result.stderr.count("\n") == 1
