"""What every benchmark needs: result lines, processes it must stop, servers, a browser.

Everything started here is registered with :data:`CLEANUP` and stopped by
``run.py`` on the way out, also after an exception or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
]  # fmt: skip

# The bare-Voila baseline of research/voila.md: a Text, a Button and a Label.
BARE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "import ipywidgets as widgets\n",
                "text = widgets.Text(placeholder='name')\n",
                "button = widgets.Button(description='Go')\n",
                "label = widgets.Label('')\n",
                "button.on_click(lambda _b: setattr(label, 'value', text.value))\n",
                "widgets.VBox([text, button, label])",
            ],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


# --- results ---------------------------------------------------------------------------


def _rounded(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if abs(value) >= 100:
        return round(value, 0)
    if abs(value) >= 1:
        return round(value, 2)
    return round(value, 3)


@dataclass
class Result:
    metric: str
    value: float | None
    unit: str
    goal: float | str | None
    note: str

    def line(self) -> str:
        return json.dumps(
            {
                "metric": self.metric,
                "value": _rounded(self.value),
                "unit": self.unit,
                "goal": self.goal,
                "note": self.note,
            },
            ensure_ascii=False,
        )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def log(text: str) -> None:
    """Progress for the person watching (standard error; standard output is the results)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- cleaning up -----------------------------------------------------------------------


class Cleanup:
    """Callbacks run last-in first-out by :meth:`run`; each failure is reported, not raised."""

    def __init__(self) -> None:
        self._callbacks: list[tuple[str, Callable[[], None]]] = []

    def add(self, name: str, callback: Callable[[], None]) -> Callable[[], None]:
        self._callbacks.append((name, callback))
        return callback

    def remove(self, callback: Callable[[], None]) -> None:
        self._callbacks = [(n, c) for n, c in self._callbacks if c is not callback]

    def run(self) -> None:
        while self._callbacks:
            name, callback = self._callbacks.pop()
            try:
                callback()
            except Exception as error:  # keep cleaning up the rest
                log(f"cleanup of {name} failed: {error!r}")

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Run what was added inside the block when it ends."""
        mark = len(self._callbacks)
        try:
            yield
        finally:
            while len(self._callbacks) > mark:
                name, callback = self._callbacks.pop()
                try:
                    callback()
                except Exception as error:
                    log(f"cleanup of {name} failed: {error!r}")


CLEANUP = Cleanup()


def temp_dir(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"facilitation-bench-{prefix}-"))
    CLEANUP.add(f"temp dir {folder}", lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def stop_group(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a process started in its own session, and everything in its process group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels left behind in the group
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def spawn(command: list[str], *, name: str, env: dict[str, str] | None = None,
          stdout=subprocess.DEVNULL, cwd: Path | None = None) -> subprocess.Popen:  # fmt: skip
    """Start ``command`` in its own process group; it is stopped with its group at cleanup."""
    process = subprocess.Popen(
        command,
        env=env,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        text=stdout is subprocess.PIPE,
    )
    CLEANUP.add(name, lambda: stop_group(process))
    return process


# --- ports and servers -----------------------------------------------------------------


def free_ports(count: int) -> int:
    """A base port with ``count`` free consecutive loopback ports after it."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65000:
            continue
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError(f"no {count} free consecutive ports")


def wait_answering(url: str, process: subprocess.Popen, timeout: float = 180.0) -> str:
    """Wait until ``url`` answers 200; returns the page (a kernel it started is shut down)."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                body = response.read().decode("utf-8", "replace")
                shutdown_kernel(url, body)
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def kernel_id_of(page_html: str) -> str | None:
    found = re.search(r'kernelId"\s*:\s*"([0-9a-f-]{36})"', page_html)
    return found.group(1) if found else None


def shutdown_kernel(url: str, page_html: str) -> None:
    """Shut down the kernel a fetched page started (as the page's closing beacon does)."""
    kernel = kernel_id_of(page_html)
    if kernel is None:
        return
    request = urllib.request.Request(
        f"{url.split('?')[0].rstrip('/')}/voila/api/shutdown/{kernel}", data=b"", method="POST"
    )
    with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
        urllib.request.urlopen(request, timeout=10).close()


@dataclass
class Served:
    process: subprocess.Popen
    urls: dict[str, str]
    port: int


def start_facilitation(
    workspace: str,
    *,
    extra: list[str] | None = None,
    room: int = 30,
    participant_servers: int = 1,
    env: dict[str, str] | None = None,
) -> Served:
    """The real ``facilitation serve`` for a room of ``room`` on free loopback ports; returns
    once every page answers."""
    port = free_ports(2 + participant_servers)
    command = [sys.executable, "-m", "facilitation.cli", "serve", workspace, "--port", str(port),
               "--room", str(room), "--participant-servers", str(participant_servers)]  # fmt: skip
    env = {**os.environ, "FACILITATION_LANG": "de", **(env or {})}
    process = spawn(command + (extra or []), name="facilitation serve", env=env,
                    stdout=subprocess.PIPE)  # fmt: skip
    urls: dict[str, str] = {}
    names = {"participant", "facilitator", "projector"}
    names |= {f"participant-{n}" for n in range(2, participant_servers + 1)}
    deadline = time.monotonic() + 300
    while len(urls) < len(names):
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"facilitation serve stopped (status {process.poll()})")
        name, _, url = line.strip().partition(": ")
        if name in names:
            urls[name] = url
        if time.monotonic() > deadline:
            raise RuntimeError("facilitation serve did not print its pages")
    # Keep reading its output so that it never blocks on a full pipe.
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return Served(process, urls, port)


def start_bare_voila() -> Served:
    """Plain ``voila`` with default settings serving the baseline notebook."""
    folder = temp_dir("bare")
    notebook = folder / "bare.ipynb"
    notebook.write_text(json.dumps(BARE_NOTEBOOK))
    port = free_ports(1)
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
               "--Voila.port_retries=0"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITATION_")}
    env.pop("JUPYTER_PATH", None)
    process = spawn(command, name="bare voila", env=env, cwd=folder)
    url = f"http://127.0.0.1:{port}/"
    wait_answering(url, process)  # (its beacon is refused by default: that kernel stays)
    return Served(process, {"bare": url}, port)


def wait_for_pool(served: Served, page: str = "participant", timeout: float = 120.0) -> None:
    """Wait until the server's kernels have settled (pool filled, nothing starting)."""
    settle(served.process.pid, timeout=timeout)


def tree(pid: int) -> list[psutil.Process]:
    """A process and all its descendants."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def settle(pid: int, *, timeout: float = 120.0, quiet: float = 2.0, busy: float = 0.25) -> float:
    """Wait until the process tree of ``pid`` uses less than ``busy`` of one core for ``quiet``."""
    started = time.monotonic()
    calm_since = None
    last = _cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = _cpu_seconds(pid)
        if now - last < busy * 0.5:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                break
        else:
            calm_since = None
        last = now
    return time.monotonic() - started


def _cpu_seconds(pid: int) -> float:
    total = 0.0
    for process in tree(pid):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


class CpuWindow:
    """CPU seconds used during a stretch of time: by our servers and kernels, by the
    browser, and by the whole machine (others' work included), with the wall time."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        browser = 0.0
        for process in tree(os.getpid()):
            with contextlib.suppress(psutil.Error):
                if "chrom" in process.name():
                    times = process.cpu_times()
                    browser += times.user + times.system
        machine = psutil.cpu_times()
        busy = machine.user + machine.system + getattr(machine, "nice", 0.0)
        return time.monotonic(), _cpu_seconds(self.server_pid), browser, busy

    def summary(self) -> str:
        end = self._sample()
        wall, ours, browser, machine = (b - a for a, b in zip(self._start, end, strict=True))
        cores = psutil.cpu_count() or 1
        return (
            f"CPU in {wall:.1f} s wall: servers+kernels {ours:.1f} s, Chromium {browser:.1f} s, "
            f"whole machine {machine:.1f} s of {wall * cores:.1f}"
        )


def kernel_process(root_pid: int, kernel_id: str) -> psutil.Process | None:
    """The kernel process of ``kernel_id`` under a Voila server."""
    for process in tree(root_pid):
        with contextlib.suppress(psutil.Error):
            if any(kernel_id in part for part in process.cmdline()):
                return process
    return None


@dataclass
class Memory:
    """Memory of a process tree (bytes): RSS and PSS of its kernels and of the rest."""

    kernels: int = 0
    kernel_rss: float = 0.0
    other_rss: float = 0.0
    pss: float = 0.0

    @property
    def rss(self) -> float:
        return self.kernel_rss + self.other_rss


def memory(pid: int) -> Memory:
    found = Memory()
    for process in tree(pid):
        with contextlib.suppress(psutil.Error):
            info = process.memory_full_info()
            found.pss += getattr(info, "pss", info.rss)
            if any("kernel" in part for part in process.cmdline()[1:3]):
                found.kernels += 1
                found.kernel_rss += info.rss
            else:
                found.other_rss += info.rss
    return found


# --- the browser -----------------------------------------------------------------------


def chromium_available() -> str | None:
    """Why a real browser cannot be used here, or ``None``."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian package 'chromium')"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


@contextlib.contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        callback = CLEANUP.add("chromium", instance.close)
        try:
            yield instance
        finally:
            CLEANUP.remove(callback)
            with contextlib.suppress(Exception):
                instance.close()
