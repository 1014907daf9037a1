"""Serving the workshop pages with Voila: one Voila server per page.

Each page is its own Voila server in single-notebook mode, so that each gets
the settings it needs and only the participant page can be put on the room's
network (``lan=True``): the facilitator's and the projector's pages stay on
this computer, there is no directory listing and no Jupyter server extension.

Settings (see ``shared/research/voila.md`` for the measurements behind them):
kernels over IPC (no port clashes when many start at once), a closed or
reloaded tab frees its kernel (the shutdown beacon is accepted), idle kernels
are culled, tracebacks and sources are never sent to a page, and participant
kernels are preheated (so identity never comes from the server-side query string):
as many as the room expects (``room``) before anyone comes, then a few spare.
Each server is :mod:`facilitation._voila`, Voila with gzip-compressed responses
(static files compressed once, into a cache, by :func:`start`), and its
kernels are :mod:`facilitation._kernel` (no debugger: Voila never lets a page use it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ._exceptions import PortInUse, ServerFailed
from ._paths import shared_folder
from .store._watch import FEED_ENV

__all__ = ["PAGES", "RELAY", "Page", "Servers", "notebooks_dir", "page_plan", "start"]


@dataclass(frozen=True)
class Page:
    name: str  # participant (participant-2, ... for more servers), facilitator, projector
    notebook: str
    offset: int  # port = base port + offset
    public: bool  # may be put on the room network
    preheat: int  # spare kernels kept ready once the room has arrived (0: none)
    path: str = "/"  # where a proxy puts it (``behind_proxy``): "/facilitator/", ...


# Participant kernels preheated before anyone comes (``--room``): a peer-learning
# group of municipal leaders is about twelve. Each ready kernel holds about 60 MB.
DEFAULT_ROOM = 12

PAGES = (
    Page("participant", "participant.ipynb", 0, public=True, preheat=2),
    Page("facilitator", "facilitator.ipynb", 1, public=False, preheat=0, path="/facilitator/"),
    Page("projector", "projector.ipynb", 2, public=False, preheat=0, path="/projector/"),
)


def page_plan(participant_servers: int = 1) -> tuple[Page, ...]:
    """The pages to serve: :data:`PAGES`, and more participant servers after them.

    >>> [(p.name, p.offset) for p in page_plan(2)]
    [('participant', 0), ('facilitator', 1), ('projector', 2), ('participant-2', 3)]
    """
    more = tuple(
        Page(f"participant-{n}", "participant.ipynb", 1 + n, public=True, preheat=2)
        for n in range(2, max(1, participant_servers) + 1)
    )
    return (*PAGES, *more)


def notebooks_dir() -> Path:
    """The folder of the page notebooks."""
    return shared_folder("notebooks", "participant.ipynb")


def lan_address() -> str:
    """This computer's address on the room network (loopback if it has none)."""
    addresses: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.append(str(info[4][0]))
    for address in addresses:
        if not address.startswith("127."):
            return address
    return "127.0.0.1"


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


#: The JupyterLab extensions a page loads: the widgets, their manager in Voila, anywidget.
PAGE_EXTENSIONS = (
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
    "anywidget",
)


def voila_command(
    page: Page,
    port: int,
    host: str,
    room: int = DEFAULT_ROOM,
    *,
    behind_proxy: bool = False,
    public_url: str | None = None,
) -> list[str]:
    """The command line of the Voila server of one page (``behind_proxy``: at its path;
    ``public_url``: the origin its pages are opened from is trusted, also where a proxy
    changes the ``Host`` header)."""
    server = Path(__file__).with_name("_voila.py")  # run as a script: see its docstring
    command = [
        sys.executable, str(server), str(notebooks_dir() / page.notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        "--Voila.port_retries=0",
        "--Voila.tornado_settings=disable_check_xsrf=True",
        "--KernelManager.transport=ipc",
        "--MappingKernelManager.cull_idle_timeout=7200",
        "--MappingKernelManager.cull_interval=300",
        "--MappingKernelManager.cull_connected=False",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--Voila.log_level=WARN",
        "--template=facilitation",
        # Only what the pages render; other JupyterLab extensions in the environment
        # (syntax highlighting, a git panel, ...) would be loaded by every page.
        "--VoilaConfiguration.extension_allowlist=" + repr(list(PAGE_EXTENSIONS)),
    ]  # fmt: skip
    if behind_proxy and page.path != "/":
        command.append(f"--Voila.base_url={page.path}")
    if public_url:
        parts = urlsplit(public_url)
        command.append(f"--Voila.tornado_settings=allow_origin={parts.scheme}://{parts.netloc}")
    if page.preheat:
        command += [
            "--preheat_kernel=True",
            f"--pool_size={page.preheat}",
            f"--FacilitationVoila.room_size={max(room, page.preheat)}",
        ]
    return command


@dataclass
class Servers:
    """The running page servers; stop them with :meth:`stop` (or a ``with`` block)."""

    processes: dict[str, subprocess.Popen[bytes]]
    urls: dict[str, str]
    feed_folder: Path | None = None  # the relay's feed, removed when the servers stop
    commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)
    verbose: bool = False

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def alive(self) -> bool:
        """Whether every page server runs (the relay aside: without it pages watch alone)."""
        return all(p.poll() is None for name, p in self.processes.items() if name != RELAY)

    def revive(self) -> list[str]:
        """Start again each server (or the relay) that stopped; the names started.

        Its people reload their pages (a proxy sends them to another server
        meanwhile) and go on where they were: everything is in the store.
        """
        started = []
        for name, process in list(self.processes.items()):
            if process.poll() is not None and name in self.commands:
                command, environment = self.commands[name]
                self.processes[name] = _spawn(command, environment, self.verbose)
                started.append(name)
        return started

    def stop(self, timeout: float = 10.0) -> None:
        """Stop every server and its kernels."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.feed_folder is not None:
            shutil.rmtree(self.feed_folder, ignore_errors=True)


def start(
    workspace: str,
    facilitator_key: str,
    *,
    port: int = 8866,
    lan: bool = False,
    pages: Sequence[Page] | None = None,
    room: int = DEFAULT_ROOM,
    timeout: float = 120.0,
    verbose: bool = False,
    participant_servers: int = 1,
    behind_proxy: bool = False,
    public_url: str | None = None,
) -> Servers:
    """Start the page servers for ``workspace`` and wait until every page answers.

    ``room`` participant kernels are preheated (in the background, after the
    pages answer; shared out over ``participant_servers``) so that a room
    arriving at once is served from the pool. ``behind_proxy``: every server
    listens on this computer only, the facilitator's and the projector's
    pages at ``/facilitator/`` and ``/projector/``, for a reverse proxy (see
    :mod:`facilitation.deploy`) that serves them all at ``public_url``, the
    address the links, the QR code and the printed addresses then use.

    One relay (:mod:`facilitation._relay`) watches the workspace for all the
    servers; their kernels read its feed instead of each watching the database.
    """
    pages = tuple(pages) if pages is not None else page_plan(participant_servers)
    participants = [page for page in pages if page.public]
    share = -(-room // max(1, len(participants)))  # the room, shared out (rounded up)
    public = public_url.rstrip("/") + "/" if public_url else None
    plan = []
    urls: dict[str, str] = {}
    for page in pages:
        host = "0.0.0.0" if (lan and page.public) else "127.0.0.1"
        page_port = port + page.offset
        if not _port_free(host, page_port):
            raise PortInUse(port=page_port)
        path = page.path if behind_proxy else "/"
        plan.append((page, host, page_port, path))
        if public is not None:
            url = public + path.lstrip("/")
        else:
            url = f"http://{lan_address() if host != '127.0.0.1' else host}:{page_port}{path}"
        urls[page.name] = url if page.public else f"{url}?key={facilitator_key}"
    if "://" not in workspace:  # the kernels run in the notebooks' folder
        workspace = str(Path(workspace).expanduser().resolve())
    feed_folder = Path(tempfile.mkdtemp(prefix="facilitation-feed-"))
    feed = feed_folder / "changes.json"
    environment = {
        **os.environ,
        "FACILITATION_WORKSPACE": workspace,
        "FACILITATION_JOIN_URL": urls.get("participant", ""),
        FEED_ENV: str(feed),
    }
    environment.pop("QUERY_STRING", None)
    # Our Voila template (see share/voila/templates/facilitation) and our kernel spec
    # are found through JUPYTER_PATH.
    template_root = str(Path(__file__).parent / "share")
    environment["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (template_root, _kernel_spec_root(), environment.get("JUPYTER_PATH", "")) if p
    )
    # Fewer malloc arenas: a kernel's threads (shell, iopub, heartbeat, the page's
    # live loop) otherwise each get one, and 30 kernels pay for it.
    environment.setdefault("MALLOC_ARENA_MAX", "2")
    _precompress_static(environment["JUPYTER_PATH"])

    processes: dict[str, subprocess.Popen[bytes]] = {}
    servers = Servers(processes, urls, feed_folder, verbose=verbose)
    try:
        relay = [sys.executable, "-m", "facilitation._relay", workspace, str(feed)]
        servers.commands[RELAY] = (relay, environment)
        processes[RELAY] = _spawn(relay, environment, verbose)
        _wait_for_feed(processes[RELAY], feed, timeout)
        for page, host, page_port, _path in plan:
            command = voila_command(
                page, page_port, host, share if page.public else room,
                behind_proxy=behind_proxy, public_url=public,
            )  # fmt: skip
            servers.commands[page.name] = (command, environment)
            processes[page.name] = _spawn(command, environment, verbose)
        for page, _host, page_port, path in plan:
            _wait_until_answering(
                processes[page.name], page, f"http://127.0.0.1:{page_port}{path}", timeout
            )
    except BaseException:
        servers.stop()
        raise
    return servers


RELAY = "relay"  # the key of the relay among the processes of :class:`Servers`


def _spawn(command: list[str], environment: dict[str, str], verbose: bool) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        env=environment,
        start_new_session=True,  # its own process group: stopped with its kernels
        stdout=subprocess.DEVNULL,
        stderr=None if verbose else subprocess.DEVNULL,
    )


def _wait_for_feed(process: subprocess.Popen[bytes], feed: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not feed.exists():
        if process.poll() is not None:
            raise ServerFailed(page=RELAY, reason=f"exit status {process.returncode}")
        if time.monotonic() > deadline:
            raise ServerFailed(page=RELAY, reason=f"no feed within {timeout:.0f} s")
        time.sleep(0.1)


KERNEL_SPEC = {
    # "python" is replaced by the server's own interpreter (jupyter_client).
    "argv": ["python", "-m", "facilitation._kernel", "-f", "{connection_file}"],
    "display_name": "Python 3 (facilitation page)",
    "language": "python",
    "metadata": {"debugger": False},
}


def _kernel_spec_root() -> str:
    """A folder with the kernel spec ``python3`` of the pages (see ``facilitation._kernel``)."""
    from ._static_gzip import cache_folder

    root = cache_folder().parent / "jupyter"
    spec = root / "kernels" / "python3" / "kernel.json"
    text = json.dumps(KERNEL_SPEC, indent=1)
    try:
        if not spec.exists() or spec.read_text() != text:
            spec.parent.mkdir(parents=True, exist_ok=True)
            aside = spec.with_name(f"kernel.json.{os.getpid()}")
            aside.write_text(text)
            os.replace(aside, spec)  # other servers starting now never read half a file
    except OSError:
        return ""  # the standard kernel then
    return str(root)


def _precompress_static(jupyter_path: str) -> None:
    """Compress Voila's static files once, into the shared cache (quick when done before)."""
    from . import _static_gzip

    folders = [os.path.join(p, "voila", "templates") for p in jupyter_path.split(os.pathsep) if p]
    with contextlib.suppress(OSError):
        _static_gzip.precompress([*folders, *_static_gzip.static_folders()])


def _wait_until_answering(
    process: subprocess.Popen[bytes], page: Page, url: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerFailed(page=page.name, reason=f"exit status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    _shut_down_probe_kernel(url, response.read().decode("utf-8", "replace"))
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise ServerFailed(page=page.name, reason=f"no answer within {timeout:.0f} s")
        time.sleep(0.3)


def _shut_down_probe_kernel(url: str, page: str) -> None:
    """Free the kernel that answering the readiness probe started (as a closed tab does)."""
    found = re.search(r'kernelId"\s*:\s*"([0-9a-f-]{36})"', page)
    if found is None:
        return
    request = urllib.request.Request(
        f"{url.split('?')[0]}voila/api/shutdown/{found.group(1)}", data=b"", method="POST"
    )
    with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
        urllib.request.urlopen(request, timeout=10).close()
