"""Compressed copies of the static files the page servers send, made once and kept.

Voila's front end and the widget extensions are about 5.4 MB of JavaScript and
CSS per cold page; gzip at the best level makes that about a quarter. Each
file is compressed once into a cache folder shared by all servers (and kept
across runs: the key is the file's path, size and modification time), so no
request pays for compression.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["cache_folder", "gzipped", "precompress", "static_folders"]

COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".map", ".txt", ".ttf", ".eot", ".otf")
MIN_SIZE = 1024  # smaller files are not worth a second request header


def cache_folder() -> Path:
    """Where compressed copies of static files are kept (shared by all servers)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "facilitation" / "static-gzip"


def _compressible(path: str) -> bool:
    return path.endswith(COMPRESSIBLE)


_known: dict[str, str | None] = {}  # this process's answers, by file key


def gzipped(path: str) -> str | None:
    """The compressed copy of the file ``path`` (made now if needed), or ``None``."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if stat.st_size < MIN_SIZE or not _compressible(path):
        return None
    key = hashlib.sha1(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    if key in _known:
        return _known[key]
    _known[key] = found = _compress(path, cache_folder() / key[:2] / f"{key}.gz")
    return found


def _compress(path: str, target: Path) -> str | None:
    if target.exists():
        return str(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        data = Path(path).read_bytes()
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) >= len(data):
            return None
        # Written aside and moved in place: several servers may do this at once.
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(packed)
        os.replace(temporary, target)
    except OSError:
        return None
    return str(target)


def precompress(folders: Iterable[str | Path]) -> int:
    """Make the compressed copies of every static file under ``folders``; how many exist."""
    count = 0
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if gzipped(os.path.join(root, name)) is not None:
                    count += 1
    return count


def static_folders() -> list[str]:
    """The folders Voila serves static files from (front end, templates, extensions)."""
    from jupyter_core.paths import jupyter_path

    folders = [p for p in jupyter_path("voila", "templates") if os.path.isdir(p)]
    folders += [p for p in jupyter_path("labextensions") if os.path.isdir(p)]
    return folders
