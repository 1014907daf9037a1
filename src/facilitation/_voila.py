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
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
import sys

import tornado.web
from traitlets import Int
from voila.app import Voila

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


class FacilitationVoila(Voila):
    """Voila with compressed responses and a room-sized kernel pool."""

    name = "facilitation-voila"

    room_size = Int(
        0,
        config=True,
        help="Kernels preheated before anyone comes (0: the pool size); refills keep pool_size.",
    )

    def init_handlers(self) -> list:
        # Voila.start() calls this right after building the Tornado application:
        # the one moment to add the transform that compress_response would have added.
        if tornado.web.GZipContentEncoding not in self.app.transforms:
            self.app.transforms.append(tornado.web.GZipContentEncoding)
        handlers = []
        for rule in super().init_handlers():
            pattern, handler, *rest = rule
            handlers.append((pattern, _precompressed(handler), *rest))
        return handlers

    def init_settings(self) -> dict:
        settings = super().init_settings()
        self._resize_pool()
        return settings

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


def main(argv: list[str] | None = None) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        FacilitationVoila.launch_instance(argv=argv)


if __name__ == "__main__":
    main(sys.argv[1:])
