"""The Voila server of one page, with what plain Voila lacks in a room full of laptops.

``facilitation serve`` runs ``python .../facilitation/_voila.py NOTEBOOK [voila options]``
(as a script: the server never imports the ``facilitation`` package, whose
database layer only the kernels need). It is Voila, plus:

- **Compressed responses.** Voila's ``tornado_settings`` are applied after
  Tornado has built its list of output transforms, so ``compress_response``
  has no effect (``research/voila.md``); here the gzip transform is added to
  the application itself. Static files (Voila's front end, the widget
  extensions, the template's files) are not compressed per request: each is
  compressed once, at the best level, into a cache folder (see
  :mod:`facilitation._static_gzip`) and that copy is sent to every browser
  that accepts gzip. A cold page shrinks from about 5.4 MB to about 1.5 MB on the wire.
- **A pool that fits the room.** With ``--FacilitationVoila.room_size=N``
  the server keeps a preheated kernel ready for everyone of the room who is
  not here yet, and ``--pool_size`` spare ones once all have come: a room
  arriving at once is served from the pool, and memory does not double
  after it has arrived.
- **Kernels only for pages that connect.** A page's kernel whose websocket
  has not connected ``--FacilitationVoila.connect_grace`` seconds after it was
  handed out (a messenger's link preview, a browser's prefetch, a reload
  storm) is ended; a page that connected keeps its kernel as before.
- **A ceiling.** With ``--FacilitationVoila.max_pages=N`` at most N pages are
  open (handed out or being handed out) at a time; one more gets "The room is
  full" (status 503, in the words of ``FACILITATION_ROOM_FULL``), a page that
  tries again by itself.
- **What it holds.** Every few seconds the pages open, the kernels and their
  memory go to ``$FACILITATION_LOAD/load-NAME.json`` (for the facilitator's page).
- **SIGHUP** (the terminal closed) stops it like SIGTERM: its kernels end with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import html
import json
import mimetypes
import os
import signal
import sys
import time

import tornado.web
from traitlets import Float, Int, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

if __package__:
    from ._static_gzip import gzipped
else:  # run as a script: load the sibling module without importing the package
    import importlib.util

    _spec = importlib.util.spec_from_file_location(
        "facilitation_static_gzip", os.path.join(os.path.dirname(__file__), "_static_gzip.py")
    )
    assert _spec is not None and _spec.loader is not None
    _static_gzip = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_static_gzip)
    gzipped = _static_gzip.gzipped
    if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
        sys.path.pop(0)  # the package's folder must not make its modules top-level ones

__all__ = ["FacilitationVoila"]

STARTING = 2  # kernels started at the same time while the pool grows to the room's size


class _Precompressed:
    """Mix-in for Tornado's static file handlers: send the gzip copy to browsers that take it."""

    _plain_path: str | None = None
    _gzip = False

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        path = super().validate_absolute_path(root, absolute_path)  # type: ignore[misc]
        self._plain_path = path
        self._gzip = False
        accepts = self.request.headers.get("Accept-Encoding", "")  # type: ignore[attr-defined]
        if path and "gzip" in accepts and os.path.isfile(path):
            packed = gzipped(path)
            if packed is not None:
                self._gzip = True
                # Size and time must describe the file sent (Tornado keeps the stat).
                self._stat_result = os.stat(packed)
                return packed
        return path

    def get_content_type(self) -> str:
        if not self._gzip:
            return super().get_content_type()  # type: ignore[misc]
        mime, _encoding = mimetypes.guess_type(self._plain_path or "")
        if mime == "text/plain" or (mime or "").startswith("text/"):
            return f"{mime}; charset=UTF-8"
        return mime or "application/octet-stream"

    def set_extra_headers(self, path: str) -> None:
        super().set_extra_headers(path)  # type: ignore[misc]
        if self._gzip:  # (the gzip transform adds "Vary: Accept-Encoding")
            self.set_header("Content-Encoding", "gzip")  # type: ignore[attr-defined]


def _warming(pool_item: asyncio.Task) -> bool:
    """Whether a pool kernel is still starting or running its notebook."""
    if not pool_item.done():
        return True
    if pool_item.cancelled() or pool_item.exception() is not None:
        return False
    render = pool_item.result().get("task")
    return render is not None and not render.done()


def _kernel_of(pool_item: asyncio.Task) -> str | None:
    if not pool_item.done() or pool_item.cancelled() or pool_item.exception() is not None:
        return None
    return pool_item.result().get("kernel_id")


_wrapped: dict[type, type] = {}


def _precompressed(handler: type) -> type:
    if not (isinstance(handler, type) and issubclass(handler, tornado.web.StaticFileHandler)):
        return handler
    if handler not in _wrapped:
        _wrapped[handler] = type(f"Precompressed{handler.__name__}", (_Precompressed, handler), {})
    return _wrapped[handler]


class _Request:
    """One request for the page, from admission until it has been answered."""

    kernel_id: str | None = None


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "facilitation_request", default=None
)

LOAD_S = 5.0  # how often the server notes what it holds
ROOM_FULL_RETRY_S = 30  # the "room is full" page tries again after this long


def _room_full_page() -> tuple[str, str]:
    words = {"title": "The room is full", "text": "All places on this server are taken."}
    with contextlib.suppress(ValueError, TypeError):
        words.update(json.loads(os.environ.get("FACILITATION_ROOM_FULL", "{}")))
    title, text = html.escape(str(words["title"])), html.escape(str(words["text"]))
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='{ROOM_FULL_RETRY_S}'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;background:#f6f8fa;"
        "margin:0;padding:2em}main{max-width:36em;margin:auto;background:#fff;padding:1.5em;"
        "border-radius:8px}</style></head>"
        f"<body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    )
    return title, page


class _AdmittingHandler(TornadoVoilaHandler):
    """The page, or "the room is full" once ``max_pages`` pages are open."""

    async def get(self, path: str | None = None) -> None:
        app: FacilitationVoila = self.settings["facilitation_voila"]
        if app.max_pages and app.pages_open() >= app.max_pages:
            self.set_status(503)
            self.set_header("Retry-After", str(ROOM_FULL_RETRY_S))
            self.set_header("Cache-Control", "no-store")
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(_room_full_page()[1])
            return
        request = _Request()
        app.admitted.add(request)
        token = _request.set(request)
        try:
            await super().get(path)
        finally:
            _request.reset(token)
            app.admitted.discard(request)
            if request.kernel_id in app.handed:  # the page has it all: its time starts now
                app.handed[request.kernel_id] = time.monotonic()


class FacilitationVoila(Voila):
    """Voila with compressed responses, a room-sized kernel pool and kernels only for
    pages that connect, at most ``max_pages`` at a time."""

    name = "facilitation-voila"

    room_size = Int(
        0,
        config=True,
        help="Kernels preheated before anyone comes (0: the pool size); refills keep pool_size.",
    )
    page_name = Unicode("page", config=True, help="The page's name, for its load file.")
    connect_grace = Float(
        90.0, config=True, help="Seconds a page has to connect before its kernel is ended."
    )
    max_pages = Int(0, config=True, help="Pages open at a time (0: no limit).")

    def initialize(self, argv: list[str] | None = None) -> None:
        super().initialize(argv)
        signal.signal(signal.SIGHUP, self._handle_signal_stop)  # as Voila does for SIGTERM
        self.admitted: set[_Request] = set()  # requests admitted that have no kernel yet
        # Kernels of pages not connected yet: since when the page has been sent (None: not yet).
        self.handed: dict[str, float | None] = {}
        self.pages: set[str] = set()  # kernels handed out to pages (not the ready ones)
        self._ending: set[asyncio.Task] = set()

    def pages_open(self) -> int:
        """Pages open or being opened: kernels handed out that still run, and requests
        admitted that have no kernel yet."""
        return len(self.pages) + len(self.admitted)

    def init_handlers(self) -> list:
        # Voila.start() calls this right after building the Tornado application:
        # the one moment to add the transform that compress_response would have added.
        if tornado.web.GZipContentEncoding not in self.app.transforms:
            self.app.transforms.append(tornado.web.GZipContentEncoding)
        handlers = []
        for rule in super().init_handlers():
            pattern, handler, *rest = rule
            if handler is TornadoVoilaHandler:
                handler = _AdmittingHandler
            handlers.append((pattern, _precompressed(handler), *rest))
        return handlers

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["facilitation_voila"] = self
        self._note_hand_outs()
        self._resize_pool()
        self._watching = asyncio.get_event_loop().create_task(self._watch_pages())
        return settings

    def _note_hand_outs(self) -> None:
        """Note each kernel the page handler takes: from the pool, or started for it."""
        manager = self.kernel_manager

        def handed_out(kernel_id: str) -> None:
            request = _request.get()
            if request is not None:
                self.admitted.discard(request)
                request.kernel_id = kernel_id
            self.pages.add(kernel_id)
            self.handed[kernel_id] = None if request is not None else time.monotonic()

        if hasattr(manager, "get_rendered_notebook"):
            from_pool = manager.get_rendered_notebook

            async def get_rendered_notebook(*args: object, **kwargs: object) -> tuple:
                result = await from_pool(*args, **kwargs)
                handed_out(result[2])
                return result

            manager.get_rendered_notebook = get_rendered_notebook
        started = manager.start_kernel

        async def start_kernel(*args: object, **kwargs: object) -> str:
            kernel_id = await started(*args, **kwargs)
            if _request.get() is not None:  # for a page (the pool starts its own otherwise)
                handed_out(kernel_id)
            return kernel_id

        manager.start_kernel = start_kernel
        shut_down = manager.shutdown_kernel

        async def shutdown_kernel(kernel_id: str, *args: object, **kwargs: object) -> object:
            # A page closed (or the start's readiness probe): its place is free at once,
            # not only when the watcher next sees the kernel gone.
            self.pages.discard(kernel_id)
            self.handed.pop(kernel_id, None)
            return await shut_down(kernel_id, *args, **kwargs)

        manager.shutdown_kernel = shutdown_kernel

    async def _watch_pages(self) -> None:
        """End the kernels of pages that never connected; note what this server holds."""
        noted = 0.0
        while True:
            await asyncio.sleep(1.0)
            try:
                manager = self.kernel_manager
                running = set(manager.list_kernel_ids())
                self.pages &= running
                now = time.monotonic()
                for kernel_id, since in list(self.handed.items()):
                    if kernel_id not in running:
                        del self.handed[kernel_id]
                    elif manager._kernel_connections.get(kernel_id, 0) > 0:
                        del self.handed[kernel_id]  # a real visitor: culled as before
                    elif since is not None and now - since > self.connect_grace:
                        del self.handed[kernel_id]
                        self.log.warning("ending kernel %s: its page never connected", kernel_id)
                        ending = asyncio.get_event_loop().create_task(self._end(kernel_id))
                        self._ending.add(ending)
                        ending.add_done_callback(self._ending.discard)
                if now - noted >= LOAD_S:
                    noted = now
                    self._note_load(running)
            except Exception:  # watching must never stop the server
                self.log.exception("watching the pages failed")
                await asyncio.sleep(5)

    async def _end(self, kernel_id: str) -> None:
        with contextlib.suppress(Exception):
            await self.kernel_manager.shutdown_kernel(kernel_id, now=True)

    def _note_load(self, running: set[str]) -> None:
        folder = os.environ.get("FACILITATION_LOAD")
        if not folder or not os.path.isdir(folder):
            return
        manager = self.kernel_manager
        connected = sum(1 for k in running if manager._kernel_connections.get(k, 0) > 0)
        memory = 0
        for kernel_id in running:
            with contextlib.suppress(Exception):
                pid = manager.get_kernel(kernel_id).provisioner.pid
                memory += _resident(int(pid))
        noted = {"name": self.page_name, "pages": connected, "kernels": len(running),
                 "memory": memory, "at_most": self.max_pages}  # fmt: skip
        path = os.path.join(folder, f"load-{self.page_name}.json")
        with contextlib.suppress(OSError):
            with open(f"{path}.{os.getpid()}", "w") as aside:
                json.dump(noted, aside)
            os.replace(f"{path}.{os.getpid()}", path)

    def _resize_pool(self) -> None:
        """Keep a kernel ready for everyone of the room not here yet (see :meth:`_keep_room`)."""
        manager = self.kernel_manager
        spare = self.voila_configuration.default_pool_size
        if not self.voila_configuration.preheat_kernel or self.room_size <= spare:
            return
        if not hasattr(manager, "_pools") or self.notebook_path is None:
            return
        asyncio.get_event_loop().create_task(self._keep_room(spare))

    async def _keep_room(self, spare: int) -> None:
        """Hold ``max(pool_size, room_size - pages in use)`` kernels ready, for as long as we run.

        Voila itself refills the pool to ``pool_size`` whenever a kernel is taken;
        this adds the rest, at most ``STARTING`` kernels warming at a time:
        thirty kernels started at once on two cores would make the first one
        ready only when all are. Memory stays bounded: kernels in use plus
        ready ones are ``max(room_size, in use + pool_size)``.
        """
        manager = self.kernel_manager
        name = manager.notebook_path
        config = dict(manager.kernel_pools_config.get("default", {}))
        while True:
            await asyncio.sleep(0.25)
            try:
                pool = manager._pools.get(name, [])
                ready = {_kernel_of(item) for item in pool} - {None}
                in_use = len(set(manager.list_kernel_ids()) - ready)
                wanted = max(spare, self.room_size - in_use)
                if len(pool) >= wanted or sum(map(_warming, pool)) >= STARTING:
                    continue
                manager.kernel_pools_config = {"default": {**config, "pool_size": len(pool) + 1}}
                try:
                    manager.fill_if_needed(delay=0, notebook_name=name)
                finally:
                    manager.kernel_pools_config = {"default": {**config, "pool_size": spare}}
            except Exception:  # the pool must never stop the server
                self.log.exception("keeping kernels ready for the room failed")
                await asyncio.sleep(5)


def _resident(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        FacilitationVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main(sys.argv[1:])
