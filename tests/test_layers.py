"""The house's layers: who may import whom, checked on every import, direct or not.

Every ``import`` counts, also those inside functions (a lazy import is still a
dependency) and those only for type checkers. From bottom to top:

0. leaves: ``_version``, ``i18n``, ``_paths``, ``_kernel``, ``_static_gzip``, ``limits``
1. ``_exceptions``
2. records: ``models``, ``privacy``
3. logic over records: ``voting``, ``consultation``, ``tables``, ``actions``, ``network``
4. ``store`` (the only code that talks to the database)
5. on top of the store: ``research``, ``report``, ``export``, ``network_io``, ``shipped``
6. the pages and the programs: ``ui``, ``serve``, ``_voila``, ``cli``, the package itself

A module imports only from its own layer or below, and the package has no
import cycle at all.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import facilitation

PACKAGE = Path(facilitation.__file__).parent
ROOT = "facilitation"
MAX_LINES = 900

LAYERS = {
    "_version": 0, "i18n": 0, "_paths": 0, "_kernel": 0, "_static_gzip": 0, "limits": 0,
    "_exceptions": 1,
    "models": 2, "privacy": 2, "tabular": 2,
    "voting": 3, "consultation": 3, "tables": 3, "actions": 3, "network": 3, "roster": 3,
    "templates": 3, "findings": 3, "attendance": 3, "clock": 3, "directory": 3,
    "store": 4,
    "research": 5, "report": 5, "export": 5, "network_io": 5, "shipped": 5, "links": 5,
    "ui": 6, "serve": 6, "_voila": 6, "cli": 6, "_relay": 6, "deploy": 6, "": 6,
}  # fmt: skip


def _sources() -> dict[str, Path]:
    """Module name to file, for every module of the package (migrations aside)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([ROOT, *parts])] = path
    return found


MODULES = _sources()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(module: str, level: int, target: str | None) -> str:
    """The absolute name of a relative import ``from <level dots><target>`` in ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _known(name: str) -> str | None:
    """``name`` if it is a module of the package, else the package module that holds it."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name if name.startswith(ROOT) else None


@cache
def imports_of(module: str) -> frozenset[str]:
    """The modules of the package that ``module`` imports, anywhere in its code."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (name := _known(alias.name)) is not None:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node.level, node.module)
            for alias in node.names:
                # ``from . import voting`` imports a module; ``from .models import Tie`` a name.
                name = _known(f"{base}.{alias.name}") if f"{base}.{alias.name}" in MODULES else None
                if name is None:
                    name = _known(base)
                if name is not None:
                    found.add(name)
    found.discard(module)
    return frozenset(found)


def reachable(module: str) -> set[str]:
    """Every module that importing ``module`` may import, directly or not."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in imports_of(todo.pop()):
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    return LAYERS[top]


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if ([*m.split("."), ""])[1] not in LAYERS] == []


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = sorted(
        f"{module} (layer {layer(module)}) imports {name} (layer {layer(name)})"
        for module in MODULES
        for name in imports_of(module)
        if layer(name) > layer(module)
    )
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    cycles = sorted(module for module in MODULES if module in reachable(module))
    assert cycles == []


def test_logic_and_records_never_reach_the_store_or_the_pages_even_indirectly() -> None:
    for module in MODULES:
        if layer(module) <= 3:
            assert not {
                m for m in reachable(module) if m.startswith((f"{ROOT}.store", f"{ROOT}.ui"))
            }, module


def test_the_store_reaches_no_export_report_research_or_page() -> None:
    above = (f"{ROOT}.research", f"{ROOT}.report", f"{ROOT}.export", f"{ROOT}.ui", f"{ROOT}.cli")
    for module in MODULES:
        if module.startswith(f"{ROOT}.store"):
            assert not {m for m in reachable(module) if m.startswith(above)}, module


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name: count
        for name, path in MODULES.items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checker_sees_direct_lazy_and_relative_imports() -> None:
    assert "facilitation.models" in imports_of("facilitation.voting")  # from .models import …
    assert "facilitation.store" in imports_of("facilitation.research")  # from .store import …
    # A lazy import inside a function counts: the export layer reaches the network files.
    assert "facilitation.network_io" in imports_of("facilitation.export")
    assert "facilitation.store._schema" in reachable("facilitation.store")
