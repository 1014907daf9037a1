"""The command line, run as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import facilitation

CLI = [sys.executable, "-m", "facilitation.cli"]


def run(*args: str, cwd: Path | None = None, lang: str = "de") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "FACILITATION_LANG": lang}
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=120
    )


def test_help_of_every_command() -> None:
    for command in ([], ["init"], ["demo"], ["serve"], ["export"]):
        result = run(*command, "--help")
        assert result.returncode == 0
        assert "usage: facilitation" in result.stdout
    assert "Arbeitsbereich" in run("init", "--help").stdout
    assert "workspace" in run("--lang", "en", "init", "--help").stdout


def test_init_creates_a_workspace_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "ostsachsen.db"
    result = run("init", str(target), "--title", "Peer-Learning Ostsachsen")
    assert result.returncode == 0, result.stderr
    assert "Peer-Learning Ostsachsen" in result.stdout
    with facilitation.open_workspace(target) as store:
        assert store.info().title == "Peer-Learning Ostsachsen"
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    again = run("init", str(target), "--title", "Noch einmal")
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "bereits" in again.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_init_without_title_is_a_usage_error(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "--title" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_init_demo_fills_the_workspace(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "demo.db"), "--demo")
    assert result.returncode == 0, result.stderr
    with facilitation.open_workspace(tmp_path / "demo.db") as store:
        assert len(store.participants()) == 12
        assert store.vote_rounds()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_errors_are_one_clear_line(tmp_path: Path, lang: str) -> None:
    not_a_workspace = tmp_path / "notizen.json"
    not_a_workspace.write_text('{"eine": "Notiz"}', encoding="utf-8")
    cases = [
        (["export", str(tmp_path / "fehlt.db"), "--format", "csv", "--out", str(tmp_path)], 1),
        (["export", str(not_a_workspace), "--format", "csv", "--out", str(tmp_path)], 1),
        (["serve", str(not_a_workspace)], 1),
        (["serve", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"], 1),
    ]
    for args, status in cases:
        result = run(*args, lang=lang)
        assert result.returncode == status, (args, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "secret" not in result.stderr
    assert not_a_workspace.read_text(encoding="utf-8") == '{"eine": "Notiz"}'


def test_serve_without_a_workspace_says_what_to_do(tmp_path: Path) -> None:
    result = run("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert "facilitation demo" in result.stderr


def test_export_csv_pseudonymises_and_keeps_confidential_notes_inside(tmp_path: Path) -> None:
    workspace = tmp_path / "demo.db"
    assert run("init", str(workspace), "--demo").returncode == 0
    out = tmp_path / "export"
    result = run("export", str(workspace), "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr

    def rows(name: str) -> list[dict[str, str]]:
        with (out / f"{name}.csv").open(encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))

    people = rows("participants")
    assert people and "name" not in people[0]
    assert people[0]["pseudonym"].startswith("P")
    with facilitation.open_workspace(workspace) as store:
        names = [p.name for p in store.participants()]
        included = [c.id for c in store.consultations() if c.include_in_export]
        dots = len(store.dot_events())
    everything = "".join(path.read_text(encoding="utf-8-sig") for path in out.glob("*.csv"))
    assert not any(name in everything for name in names)
    assert {int(r["consultation_id"]) for r in rows("consultation_entries")} == set(included)
    assert len(rows("dot_events")) == dots

    named = tmp_path / "named"
    run("export", str(workspace), "--format", "csv", "--out", str(named), "--names")
    with (named / "participants.csv").open(encoding="utf-8-sig") as f:
        shown = {row["name"] for row in csv.DictReader(f)} - {""}
    with facilitation.open_workspace(workspace) as store:
        assert shown == {p.name for p in store.participants() if p.consent_named}


def test_export_all_writes_protocol_and_data_with_progress(tmp_path: Path) -> None:
    workspace = tmp_path / "demo.db"
    assert run("init", str(workspace), "--demo").returncode == 0
    out = tmp_path / "export"
    result = run("export", str(workspace), "--format", "all", "--meeting", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert all(path.exists() for path in written)
    assert {path.suffix for path in written} >= {".html", ".docx", ".xlsx", ".csv", ".gexf"}
    assert written[0].name.startswith("Protokoll_2026-06-17_")
    progress = result.stderr.splitlines()
    assert progress[0].startswith("[1/10] ") and progress[-1].startswith("[10/10] ")
    assert "Netzwerk wird geschrieben (gexf)" in result.stderr
    page = written[0].read_text(encoding="utf-8")
    assert "<h2>Programm</h2>" in page and "Frank Scholze" not in page

    quiet = run(
        "export", str(workspace), "--format", "html", "--out", str(tmp_path / "en"),
        "--lang", "en", "--quiet",
    )  # fmt: skip
    assert quiet.returncode == 0 and quiet.stderr == ""
    [english] = [Path(line) for line in quiet.stdout.splitlines()]
    assert english.name.startswith("Protocol_2026-09-23_")  # the current meeting
    assert "<h2>Agenda</h2>" in english.read_text(encoding="utf-8")


def test_export_includes_a_confidential_consultation_only_when_named(tmp_path: Path) -> None:
    workspace = tmp_path / "demo.db"
    assert run("init", str(workspace), "--demo").returncode == 0
    with facilitation.open_workspace(workspace) as store:
        [kept] = [c for c in store.consultations() if not c.include_in_export]
    common = ["export", str(workspace), "--format", "html", "--meeting", str(kept.meeting_id)]
    plain = run(*common, "--out", str(tmp_path / "a"), "--quiet")
    assert kept.title not in Path(plain.stdout.strip()).read_text(encoding="utf-8")
    opened = run(
        *common, "--out", str(tmp_path / "b"), "--quiet", "--include-confidential", str(kept.id)
    )
    assert opened.returncode == 0, opened.stderr
    assert kept.title in Path(opened.stdout.strip()).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_export_errors_are_one_clear_line(tmp_path: Path, lang: str) -> None:
    workspace = tmp_path / "demo.db"
    assert run("init", str(workspace), "--demo").returncode == 0
    blocker = tmp_path / "datei.txt"
    blocker.write_text("im Weg", encoding="utf-8")
    cases = [
        (["--format", "html", "--meeting", "99", "--out", str(tmp_path / "out")], "99"),
        (["--format", "all", "--out", str(blocker)], "datei.txt"),
        (["--format", "csv", "--out", str(blocker / "unter")], "unter"),
    ]
    for args, named in cases:
        result = run("export", str(workspace), *args, lang=lang)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert named in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert run("export", str(workspace), "--format", "pdf", "--out", str(tmp_path)).returncode == 2
