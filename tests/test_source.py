"""Rules of the house that a linter does not check."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import facilitation

PACKAGE = Path(facilitation.__file__).parent
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def test_no_translation_inside_an_f_string() -> None:
    """Babel does not see _("...") inside an f-string: such a message would stay English."""
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                for value in ast.walk(node):
                    if (
                        isinstance(value, ast.Call)
                        and isinstance(value.func, ast.Name)
                        and value.func.id in ("_", "N_")
                    ):
                        offenders.append(f"{path.name}:{value.lineno}")
    assert offenders == []


def test_only_the_store_talks_to_the_database() -> None:
    outside = [
        path.relative_to(PACKAGE).as_posix()
        for path in SOURCES
        if "store" not in path.parts
        and re.search(
            r"^\s*(from|import) (sqlalchemy|sqlite3|psycopg|alembic)", path.read_text(), re.M
        )
    ]
    assert outside == []


def test_logic_modules_do_no_io() -> None:
    for name in ("voting.py", "models.py", "consultation", "tables.py", "actions.py"):
        path = PACKAGE / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        source = "\n".join(file.read_text() for file in files)
        assert not re.search(
            r"^\s*(from|import) (\.store|\.ui|ipywidgets|os|pathlib)\b", source, re.M
        )


def test_private_modules_publish_a_sorted_all() -> None:
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                names = ast.literal_eval(node.value)
                assert names == sorted(names, key=_isort_style), path.name


def _isort_style(name: str) -> tuple[int, str]:
    """Ruff's order for ``__all__`` (RUF022): CONSTANTS, then Classes, then the rest."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    return (1 if name[:1].isupper() else 2, name)
