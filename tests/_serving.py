"""Helpers for tests that run `facilitation serve` for real: ports, processes, a serve."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path


def stretched(seconds: float) -> float:
    """``seconds``, stretched by the machine's load: the goals (a page says it is offline
    within 5 s, is back within 10 s, a restart answers within 10 s) hold on an idle laptop,
    and the tests share two cores with the rest of the suite."""
    return seconds * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def within(seconds: float) -> int:
    """:func:`stretched` in milliseconds, as Playwright's timeouts take them."""
    return int(stretched(seconds) * 1000)


def free_base_port(count: int = 3) -> int:
    """A first port with ``count`` free ports from it."""
    for _ in range(50):
        base = random.randint(20000, 40000)
        try:
            for offset in range(count):
                with socket.socket() as s:
                    s.bind(("0.0.0.0", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError(f"no {count} free ports")


def processes_serving(workspace: Path) -> list[int]:
    """Processes whose environment names this workspace (servers, relay and kernels)."""
    marker = f"FACILITATION_WORKSPACE={workspace}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def started(pid: int) -> int | None:
    """When process ``pid`` started (to tell it from a later one with its number); None
    once it has ended, also while it is a zombie: the rule `serve` itself goes by."""
    from facilitation.serve import _started

    return _started(pid)


def start_serve(
    workspace: Path, port: int, *more: str, timeout: float = 300
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`facilitation serve` as a subprocess, once it has printed the three pages' addresses."""
    server = subprocess.Popen(
        [sys.executable, "-m", "facilitation.cli", "serve", str(workspace), "--port", str(port),
         *more],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FACILITATION_LANG": "de"},
    )  # fmt: skip
    urls: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(urls) < 3 and time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        name, _, url = line.strip().partition(": ")
        if name in ("participant", "facilitator", "projector"):
            urls[name] = url
    if len(urls) < 3:
        server.kill()
        raise AssertionError(f"serve did not answer: {server.stderr.read()}")
    return server, urls
