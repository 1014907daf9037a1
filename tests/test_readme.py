"""The README's examples run as written, against the demo workshop.

Each ```python block runs in one shared namespace, in order, in a folder that
holds the demo as ``workspace/demo.db`` (the examples that name a round, a
consultation or a table get the demo's first). The ``facilitation export``
lines of its shell blocks run through the real command line, and the table of
``--format`` values lists exactly what the command accepts.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import facilitation
from facilitation.export import FORMATS
from facilitation.shipped import load_demo

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", TEXT, re.S | re.M)


@pytest.fixture
def demo_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "workspace").mkdir()
    with facilitation.create_workspace(
        tmp_path / "workspace" / "demo.db", "Peer-Learning Ostsachsen 2026"
    ) as store:
        load_demo(store)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_python_examples_run(demo_folder: Path) -> None:
    blocks = _blocks("python")
    assert len(blocks) >= 3
    store = facilitation.open_workspace("workspace/demo.db")
    meeting_id = store.meetings()[1].id
    tables = [t for m in store.meetings() for t in store.tables(m.id)]
    consultations = store.consultations()
    assert tables and consultations and store.vote_rounds()
    namespace = {
        "store": store,
        "round_id": store.vote_rounds()[0].id,
        "t": dt.datetime.now(dt.UTC),
        "consultation_id": consultations[0].id,
        "meeting_id": meeting_id,
        "table_id": tables[0].id,
    }
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["files"] and all(Path(f).exists() for f in namespace["files"])
    assert "<html" in namespace["html"]
    store.close()
    namespace["ws"].close()


def test_the_export_commands_run(demo_folder: Path) -> None:
    (demo_folder / "workspace" / "demo.db").rename(demo_folder / "workspace" / "ostsachsen.db")
    commands = [
        line.split("#")[0].strip()
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith("facilitation export")
    ]
    assert len(commands) >= 3
    for command in commands:
        words = shlex.split(command)
        done = subprocess.run(
            [sys.executable, "-m", "facilitation.cli", *words[1:], "--quiet"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command  # the files written


def test_the_format_table_lists_every_format() -> None:
    table = TEXT.split("| `--format` | writes |", 1)[1].split("\n\n", 1)[0]
    named = {name for line in table.splitlines()[2:] for name in re.findall(r"`([a-z]+)`", line)}
    assert named == set(FORMATS)


def test_the_import_and_links_commands_run(demo_folder: Path) -> None:
    from openpyxl import Workbook

    from .test_roster import HEADER, TWELVE, write

    (demo_folder / "workspace" / "demo.db").rename(demo_folder / "workspace" / "ostsachsen.db")
    write(demo_folder / "Teilnehmerliste.csv", TWELVE)
    book = Workbook()
    book.active.append(HEADER.strip().split(";"))
    for row in TWELVE:
        book.active.append(list(row))
    book.save(demo_folder / "Teilnehmerliste.xlsx")
    commands = [
        line.split("#")[0].strip()
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.startswith(("facilitation import", "facilitation links"))
    ]
    assert len(commands) >= 4
    for command in commands:
        words = shlex.split(command)
        done = subprocess.run(
            [sys.executable, "-m", "facilitation.cli", *words[1:]],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (command, done.stderr)
    assert (demo_folder / "links.csv").read_text(encoding="utf-8-sig").count("?p=") >= 12


def test_the_layout_names_every_module() -> None:
    """The layout section names each module and package, and nothing that is gone."""
    layout = TEXT.split("## Layout", 1)[1].split("```", 2)[1]
    package = Path(facilitation.__file__).parent
    named = set(re.findall(r"\b_?[a-z][a-z0-9_]*(?:\.py|/)?", layout))
    missing = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if "migrations" in relative.parts or relative.name == "__init__.py":
            continue
        if len(relative.parts) == 1:
            wanted = relative.name
        else:
            wanted = relative.stem  # inside a package: named without .py
            if f"{relative.parts[0]}/" not in named:
                missing.append(f"{relative.parts[0]}/")
        if not {wanted, relative.stem, relative.name} & named:
            missing.append(str(relative))
    assert sorted(set(missing)) == []
    gone = [
        name
        for name in re.findall(r"\b(_?[a-z][a-z0-9_]*)\.py\b", layout.split("\nnotebooks/")[0])
        if not (package / f"{name}.py").exists() and not list(package.rglob(f"{name}.py"))
    ]
    assert gone == []
