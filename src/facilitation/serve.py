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

Kernels only for real visitors: a page whose websocket does not connect within
``connect_grace`` seconds (a link preview, a prefetch, a reload storm) has its
kernel ended, and each participant server opens at most :func:`max_pages`
pages at a time (then it answers "Der Raum ist voll" and the page tries again
by itself).

The servers are this process's own: each child dies with it, however it ends
(``PR_SET_PDEATHSIG``; the kernels watch their server, see
:mod:`facilitation._kernel`), and a record in :func:`runtime_folder` names them,
so that the next :func:`start` of the same workspace ends what an earlier one
left (:func:`end_leftovers`) and takes the same ports again at once (the
servers bind with address reuse, and so does the check that a port is free).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import re
import secrets
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

from ._exceptions import AlreadyServing, PortInUse, ServerFailed
from ._paths import shared_folder
from .i18n import _
from .store._watch import FEED_ENV

__all__ = [
    "PAGES",
    "RELAY",
    "Page",
    "ServerLoad",
    "Servers",
    "end_leftovers",
    "max_pages",
    "notebooks_dir",
    "page_plan",
    "runtime_folder",
    "server_load",
    "start",
]


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
RUN_ENV = "FACILITATION_SERVE_RUN"  # in the environment of every process of one start
LOAD_ENV = "FACILITATION_LOAD"  # the folder where each server notes what it holds
FULL_ENV = "FACILITATION_ROOM_FULL"  # the words of the "room is full" page
CONNECT_GRACE = 90.0  # seconds a page has to open its websocket before its kernel is ended
PRIVATE_PAGES = 10  # pages open at a time on the facilitator's and the projector's servers
KERNEL_MB = 80  # memory of a page's kernel, measured: 60 to 75 MB (see research/voila.md)

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
    """Whether a server could listen on ``port``: bound as the servers bind (Tornado sets
    ``SO_REUSEADDR``), so that connections of a server just stopped (TIME-WAIT) do not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
    pages_at_most: int = 0,
    connect_grace: float = CONNECT_GRACE,
) -> list[str]:
    """The command line of the Voila server of one page (``behind_proxy``: at its path;
    ``public_url``: the origin its pages are opened from is trusted, also where a proxy
    changes the ``Host`` header; ``pages_at_most``: pages open at a time, 0 for no limit;
    ``connect_grace``: seconds a page has to connect before its kernel is ended)."""
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
        f"--FacilitationVoila.page_name={page.name}",
        f"--FacilitationVoila.connect_grace={connect_grace:g}",
        f"--FacilitationVoila.max_pages={max(0, pages_at_most)}",
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
    run: str = ""  # marks every process of this run (servers, relay, kernels) in its environment
    record: Path | None = None  # names them for the next start (see end_leftovers)
    pages_at_most: dict[str, int] = field(default_factory=dict)  # per server (0: no limit)

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
        self._stop_processes(timeout)
        if self.feed_folder is not None:
            shutil.rmtree(self.feed_folder, ignore_errors=True)
        if self.record is not None:
            with contextlib.suppress(OSError):
                if json.loads(self.record.read_text()).get("run") == self.run:
                    self.record.unlink()

    def _stop_processes(self, timeout: float) -> None:
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
        # Kernels are in sessions of their own: any whose server could not end them.
        _end_processes(_processes_of_run(self.run), timeout=5.0)

    def load(self) -> list[ServerLoad]:
        """What each page server holds now (see :func:`server_load`)."""
        return server_load(self.feed_folder)


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
    pages_at_most: int | None = None,
    connect_grace: float = CONNECT_GRACE,
) -> Servers:
    """Start the page servers for ``workspace`` and wait until every page answers.

    What an earlier start of the same workspace left running is ended first
    (:func:`end_leftovers`; :class:`~facilitation.AlreadyServing` if that
    start still runs). Each participant server opens at most ``pages_at_most``
    pages at a time (default: :func:`max_pages`); a page that has not connected
    within ``connect_grace`` seconds loses its kernel. Call it from the main
    thread: the servers die with the thread that started them.

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
    if "://" not in workspace:  # the kernels run in the notebooks' folder
        workspace = str(Path(workspace).expanduser().resolve())
    end_leftovers(workspace)
    if pages_at_most is None:
        pages_at_most = max_pages(share, len(participants))
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
    run = secrets.token_hex(8)
    feed_folder = Path(tempfile.mkdtemp(prefix="facilitation-feed-"))
    feed = feed_folder / "changes.json"
    environment = {
        **os.environ,
        "FACILITATION_WORKSPACE": workspace,
        "FACILITATION_JOIN_URL": urls.get("participant", ""),
        FEED_ENV: str(feed),
        RUN_ENV: run,
        LOAD_ENV: str(feed_folder),
        FULL_ENV: json.dumps(
            {
                "title": _("The room is full"),
                "text": _(
                    "All places on this server are taken. Please close other tabs of this "
                    "page; this page tries again by itself every 30 seconds."
                ),
            }
        ),
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
    record = _record_file(workspace)
    servers = Servers(processes, urls, feed_folder, verbose=verbose, run=run, record=record)
    try:
        _write_record(record, workspace, run, [page_port for _p, _h, page_port, _u in plan])
        relay = [sys.executable, "-m", "facilitation._relay", workspace, str(feed)]
        servers.commands[RELAY] = (relay, environment)
        processes[RELAY] = _spawn(relay, environment, verbose)
        _wait_for_feed(processes[RELAY], feed, timeout)
        for page, host, page_port, _path in plan:
            at_most = pages_at_most if page.public else PRIVATE_PAGES
            command = voila_command(
                page, page_port, host, share if page.public else room,
                behind_proxy=behind_proxy, public_url=public,
                pages_at_most=at_most, connect_grace=connect_grace,
            )  # fmt: skip
            servers.commands[page.name] = (command, environment)
            servers.pages_at_most[page.name] = at_most
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


def max_pages(share: int, servers: int = 1, available: int | None = None) -> int:
    """Pages one participant server opens at a time (the ceiling of its kernels, spares aside).

    Twice the server's ``share`` of the room, at least ten more than it (people
    bring a second device, reload, open a second tab), as far as half of the
    memory ``available`` now (bytes; read from ``/proc/meminfo`` if not given)
    holds kernels of :data:`KERNEL_MB` over all ``servers``; never fewer than
    the share itself.

    >>> max_pages(12, available=8 * 2**30)
    24
    >>> max_pages(12, available=1 * 2**30)
    12
    >>> max_pages(4, servers=2, available=8 * 2**30)
    14
    """
    if available is None:
        available = _memory_available()
    fits = int(available // 2 // (KERNEL_MB * 2**20) // max(1, servers))
    return max(share, min(max(2 * share, share + 10), fits))


def _memory_available() -> int:
    """Bytes of memory available now (``MemAvailable``; 4 GB where it cannot be read)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 4 * 2**30


_PR_SET_PDEATHSIG = 1
_libc = None
with contextlib.suppress(OSError, AttributeError):
    _libc = ctypes.CDLL(None, use_errno=True)
    _libc.prctl  # noqa: B018  # Linux only


def _die_with(parent: int) -> None:
    """In a child before it runs its program: end when ``parent``'s starting thread ends."""
    if _libc is not None and hasattr(_libc, "prctl"):
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def _spawn(command: list[str], environment: dict[str, str], verbose: bool) -> subprocess.Popen:
    parent = os.getpid()
    return subprocess.Popen(
        command,
        env=environment,
        start_new_session=True,  # its own process group: stopped with its kernels
        preexec_fn=lambda: _die_with(parent),  # and it dies with us
        stdout=subprocess.DEVNULL,
        stderr=None if verbose else subprocess.DEVNULL,
    )


# --- what an earlier start left ------------------------------------------------------------


def runtime_folder() -> Path:
    """Where each running :func:`start` notes its processes (one file per workspace)."""
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and os.path.isdir(base) and os.access(base, os.W_OK):
        folder = Path(base) / "facilitation"
    else:
        folder = Path(tempfile.gettempdir()) / f"facilitation-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _record_file(workspace: str) -> Path:
    name = hashlib.sha256(workspace.encode()).hexdigest()[:20]
    return runtime_folder() / f"serve-{name}.json"


def _started(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot), None if there is none (or
    only its exit status is left, a zombie its parent has not collected yet)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return None if fields[0] in ("Z", "X") else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _write_record(record: Path, workspace: str, run: str, ports: list[int]) -> None:
    text = json.dumps(
        {"workspace": workspace, "pid": os.getpid(), "started": _started(os.getpid()),
         "run": run, "ports": ports}
    )  # fmt: skip
    aside = record.with_name(f"{record.name}.{os.getpid()}")
    aside.write_text(text)
    os.replace(aside, record)


def _processes_of_run(run: str) -> list[int]:
    """This user's processes started for ``run``: marked in their environment, and
    facilitation's servers, relay or kernels by their command line."""
    if not run:
        return []
    marker = f"{RUN_ENV}={run}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if b"facilitation" in command:
            found.append(int(entry.name))
    return found


def _end_processes(pids: list[int], timeout: float) -> None:
    """SIGTERM, and SIGKILL for what is left after ``timeout`` seconds."""
    started = {pid: _started(pid) for pid in pids}
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(_started(pid) != started[pid] for pid in pids):
            return
        time.sleep(0.1)
    for pid in pids:
        if _started(pid) == started[pid]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def end_leftovers(workspace: str, wait: float = 30.0) -> list[int]:
    """End what an earlier :func:`start` of ``workspace`` left running; the processes ended.

    The earlier start noted its process and the mark of its children in
    :func:`runtime_folder`; a process is ended only if it carries that mark and
    is one of facilitation's. If the earlier start itself still runs, it gets
    ``wait`` seconds to end (it may be stopping); if it does not, it is serving
    the workspace and :class:`~facilitation.AlreadyServing` says what to do.
    """
    record = _record_file(workspace)
    try:
        noted = json.loads(record.read_text())
        pid, started, run = int(noted["pid"]), noted["started"], str(noted["run"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if pid != os.getpid():
        deadline = time.monotonic() + wait
        while started is not None and _started(pid) == started:
            if time.monotonic() > deadline:
                raise AlreadyServing(pid=pid)
            time.sleep(0.1)
    left = _processes_of_run(run)
    _end_processes(left, timeout=5.0)
    with contextlib.suppress(OSError):
        record.unlink()
    return left


# --- what the servers hold -----------------------------------------------------------------


@dataclass(frozen=True)
class ServerLoad:
    """What one page server holds: pages open (connected), kernels (ready ones too), memory."""

    name: str
    pages: int
    kernels: int
    memory: int  # bytes, the kernels' resident memory
    at_most: int  # pages open at a time (0: no limit)


def server_load(folder: Path | str | None = None) -> list[ServerLoad]:
    """What each server of this :func:`start` noted last (every few seconds), by name.

    ``folder`` defaults to the one the servers' kernels are told (``FACILITATION_LOAD``).
    """
    folder = folder if folder is not None else os.environ.get(LOAD_ENV)
    if not folder:
        return []
    found = []
    for path in sorted(Path(folder).glob("load-*.json")):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            noted = json.loads(path.read_text())
            found.append(
                ServerLoad(
                    str(noted["name"]), int(noted["pages"]), int(noted["kernels"]),
                    int(noted["memory"]), int(noted["at_most"]),
                )
            )  # fmt: skip
    return found


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
