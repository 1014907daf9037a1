"""Importing a list of participants as a town hall keeps it: reading, checking, importing.

Every bad file gives row-level messages in German and changes nothing.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import facilitation
from facilitation import (
    RecordNotFound,
    RosterHasRefusals,
    RosterWithoutNames,
    TooManyRows,
    UnreadableFile,
)
from facilitation.i18n import language
from facilitation.roster import MAX_ROWS, RowStatus
from facilitation.shipped import read_participants, shipped_municipalities

HEADER = "Anrede;Titel;Vorname;Nachname;Funktion;Kommune;E-Mail;Einwilligung\n"
TWELVE = [
    ("Frau", "", "Anna", "Beispiel", "Bürgermeisterin", "Görlitz", "anna@goerlitz.de", "ja"),
    ("Herr", "Dr.", "Bernd", "Muster", "Hauptamtsleiter", "Bautzen", "b.muster@bautzen.de", "nein"),
    ("Frau", "", "Clara", "Schulz", "Bürgermeisterin", "Stadt Hoyerswerda", "", "ja"),
    ("Herr", "", "Dieter", "Lange", "Bürgermeister", "Weißwasser", "d.lange@weisswasser.de", "x"),
    ("Frau", "", "Elke", "Richter", "Amtsleiterin", "14627050", "", ""),  # Gröditz by its AGS
    ("Herr", "", "Frank", "Wolf", "Bürgermeister", "Elsterwerda", "f.wolf@elsterwerda.de", "ja"),
    ("Frau", "", "Gisela", "Hahn", "Bürgermeisterin", "Bad Liebenwerda", "", "ja"),
    ("Herr", "", "Hans", "Koch", "Bürgermeister", "Hettstedt", "h.koch@hettstedt.de", "nein"),
    ("Frau", "", "Ina", "Vogel", "Kämmerin", "Lutherstadt Eisleben", "", "ja"),
    ("Herr", "", "Jan", "Fuchs", "Bürgermeister", "Sangerhausen", "j.fuchs@sangerhausen.de", "ja"),
    ("Frau", "", "Katrin", "Berger", "Bürgermeisterin", "Saalfeld", "", "ja"),
    ("Herr", "", "Lars", "Krüger", "Bürgermeister", "Rudolstadt", "l.krueger@rudolstadt.de", "ja"),
]


def write(path: Path, rows: list[tuple[str, ...]], *, encoding: str = "utf-8-sig",
          header: str = HEADER, delimiter: str = ";") -> Path:  # fmt: skip
    lines = [header.replace(";", delimiter)] + [delimiter.join(r) + "\n" for r in rows]
    path.write_bytes("".join(lines).encode(encoding))
    return path


def german(error: Exception) -> str:
    with language("de"):
        return str(error)


@pytest.fixture
def empty(location):
    """A workspace as `facilitation init` makes it: no meeting, no people, no municipalities."""
    store = facilitation.create_workspace(location, "Peer-Learning Ostsachsen")
    yield store
    store.close()


def snapshot(store) -> tuple:
    return (store.participants(), store.municipalities(), store.meetings())


def test_a_town_hall_list_is_imported_into_an_empty_workspace(empty, tmp_path) -> None:
    meeting = empty.prepare_meeting(template="kickoff", lang="de")
    table = read_participants(write(tmp_path / "liste.csv", TWELVE, encoding="cp1252"))
    plan = empty.plan_participants(table, shipped=shipped_municipalities())
    assert [r.status for r in plan.rows] == [RowStatus.NEW] * 12
    assert empty.participants() == []  # a preview writes nothing

    done = empty.import_participants(table, meeting_id=meeting.id, shipped=shipped_municipalities())
    people = {p.name: p for p in empty.participants(meeting.id)}
    assert len(people) == 12 and len(done.new) == 12
    bernd = people["Dr. Bernd Muster"]
    assert (bernd.role, bernd.email, bernd.consent_named) == (
        "Hauptamtsleiter", "b.muster@bautzen.de", False,
    )  # fmt: skip
    assert people["Dieter Lange"].consent_named  # "x" is a yes
    towns = {m.id: m for m in empty.municipalities()}
    assert towns[people["Elke Richter"].municipality_id].name == "Gröditz"
    assert towns[people["Clara Schulz"].municipality_id].name == "Hoyerswerda"
    assert towns[people["Katrin Berger"].municipality_id].name == "Saalfeld/Saale"
    assert towns[people["Dieter Lange"].municipality_id].name == "Weißwasser/O.L."
    assert len(towns) == 12 and all(m.ags and m.state for m in towns.values())
    assert set(empty.personal_links(meeting.id)) == {p.id for p in people.values()}

    # The same list again (for the next meeting): nobody twice, everyone registered.
    second = empty.prepare_meeting("Zweites Treffen")
    again = empty.import_participants(table, meeting_id=second.id, shipped=shipped_municipalities())
    assert (len(again.new), len(again.known)) == (0, 12)
    assert len(empty.participants()) == 12 and len(empty.participants(second.id)) == 12


def test_an_excel_list_with_separate_columns_and_a_new_town(empty, tmp_path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([])  # a blank first row, as people leave them
    sheet.append(["Name", "Funktion", "Gemeinde", "AGS", "E-Mail-Adresse", "Namensnennung"])
    sheet.append(["Maria Neumann", "Bürgermeisterin", "Kleinstadt am See", 14521999, "", True])
    sheet.append(["Otto Alt", "Ortsvorsteher", "Zittau", None, "otto@zittau.de", "nein"])
    sheet.append([None, None, None, None, None, None])
    book.save(tmp_path / "liste.xlsx")
    table = read_participants(tmp_path / "liste.xlsx")
    plan = empty.plan_participants(table, shipped=shipped_municipalities())
    assert [(r.line, r.status) for r in plan.rows] == [(3, RowStatus.NEW), (4, RowStatus.NEW)]
    empty.import_participants(table, shipped=shipped_municipalities())
    made = {m.name: m for m in empty.municipalities()}
    assert made["Kleinstadt am See"].ags == "14521999" and made["Kleinstadt am See"].state == "SN"
    assert made["Zittau"].ags  # from the shipped data
    maria = next(p for p in empty.participants() if p.name == "Maria Neumann")
    assert maria.consent_named and maria.email is None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unknown town", "Zeile 4: Kommune: Keine Kommune namens Atlantis"),
        ("duplicate person", "Zeile 14: dieselbe Person wie in Zeile 3"),
        ("bad e-mail", "Zeile 5: E-Mail: clara-at-hoyerswerda ist keine E-Mail-Adresse"),
        ("mixed encoding", "Zeile 6: enthält Zeichen einer anderen Kodierung"),
        ("a separator inside a value", "Zeile 8: hat 9 Felder"),
        ("no name", "Zeile 8: Name: darf nicht leer sein"),
        ("consent", "Zeile 9: Einwilligung zur Namensnennung: 'vielleicht' ist weder ja noch nein"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_in_german_and_nothing_changes(
    empty, tmp_path, case, expected
) -> None:
    rows = [list(r) for r in TWELVE]
    if case == "unknown town":
        rows[2][5] = "Atlantis"
    elif case == "duplicate person":
        rows.append(TWELVE[1])
    elif case == "bad e-mail":
        rows[3][6] = "clara-at-hoyerswerda"
    elif case == "no name":
        rows[6][2] = rows[6][3] = ""
    elif case == "consent":
        rows[7][7] = "vielleicht"
    path = write(tmp_path / "liste.csv", [tuple(r) for r in rows], encoding="cp1252")
    if case == "mixed encoding":  # one row written as UTF-8 into a Windows-1252 file
        data = HEADER.encode("cp1252")
        for number, row in enumerate(rows):
            encoding = "utf-8" if number == 4 else "cp1252"
            data += (";".join([*row[:4], "Bürgermeisterin", *row[5:]]) + "\n").encode(encoding)
        path.write_bytes(data)
    if case == "a separator inside a value":
        path.write_bytes(path.read_bytes().replace(b"Gisela;Hahn;", b"Gisela;Hahn;Amt;"))
    meeting = empty.prepare_meeting("Auftakt")
    before = snapshot(empty)
    table = read_participants(path)
    plan = empty.plan_participants(table, shipped=shipped_municipalities())
    with language("de"):
        lines = plan.lines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines
    with pytest.raises(RosterHasRefusals) as refused:
        empty.import_participants(table, meeting_id=meeting.id, shipped=shipped_municipalities())
    assert "nichts importiert" in german(refused.value)
    assert snapshot(empty) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "die Datei ist leer"),
        (b"%PDF-1.7 ...", "keine Tabelle"),
        (b"Name|Kommune\nAnna|G\xc3\xb6rlitz\n", None),  # a vertical bar is a separator too
        (
            "Name Kommune\nAnna Görlitz\nBernd Bautzen\n".encode(),
            "Spalten lassen sich nicht unterscheiden",
        ),
        ("Kommune;E-Mail\nGörlitz;a@b.de\n".encode(), "keine Spalte mit den Namen"),
    ],
)
def test_a_file_that_is_no_list_is_refused_whole(empty, tmp_path, content, expected) -> None:
    path = tmp_path / "liste.csv"
    path.write_bytes(content)
    before = snapshot(empty)
    if expected is None:
        table = read_participants(path)
        assert empty.plan_participants(table, shipped=shipped_municipalities()).new
        return
    with pytest.raises((UnreadableFile, RosterWithoutNames)) as error:
        empty.plan_participants(read_participants(path), shipped=shipped_municipalities())
    assert expected in german(error.value)
    assert snapshot(empty) == before


def test_utf16_from_excel_unicode_text_is_read(tmp_path) -> None:
    path = write(tmp_path / "liste.txt", TWELVE[:2], encoding="utf-16", delimiter="\t")
    table = read_participants(path)
    assert [r.values["last_name"] for r in table.rows] == ["Beispiel", "Muster"]


def test_ten_thousand_rows_are_refused_quickly_and_change_nothing(sqlite_store, tmp_path) -> None:
    rows = [("", "", f"Vorname{i}", f"Nachname{i}", "", "Görlitz", f"p{i}@x.de", "")
            for i in range(10_000)]  # fmt: skip
    path = write(tmp_path / "adressen.csv", rows)
    started = time.perf_counter()
    table = read_participants(path)
    with pytest.raises(TooManyRows) as error:
        sqlite_store.plan_participants(table, shipped=shipped_municipalities())
    assert time.perf_counter() - started < 30  # not a benchmark: only that it ends
    assert f"höchstens {MAX_ROWS}" in german(error.value).replace(".", "")
    assert sqlite_store.participants() == [] and sqlite_store.municipalities() == []


def test_the_valid_rows_only_when_asked(empty, tmp_path) -> None:
    rows = [list(r) for r in TWELVE]
    rows[2][5] = "Atlantis"
    table = read_participants(write(tmp_path / "liste.csv", [tuple(r) for r in rows]))
    done = empty.import_participants(table, shipped=shipped_municipalities(), skip_refused=True)
    assert len(done.new) == 11 and len(empty.participants()) == 11
    with pytest.raises(RecordNotFound):  # a wrong meeting: nothing written
        empty.import_participants(table, meeting_id=999, shipped=shipped_municipalities(),
                                  skip_refused=True)  # fmt: skip
    assert len(empty.participants()) == 11


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "facilitation.cli", "--lang", "de", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_command_line_imports_a_list_and_writes_a_mail_merge_file(tmp_path) -> None:
    workspace = str(tmp_path / "programm.db")
    assert run("init", workspace, "--title", "Ostsachsen").returncode == 0
    with facilitation.open_workspace(workspace) as store:
        meeting = store.prepare_meeting(template="kickoff", lang="de")
        store.set_current_meeting(meeting.id)
    bad = [list(r) for r in TWELVE]
    bad[0][6] = "keine-adresse"
    path = write(tmp_path / "liste.csv", [tuple(r) for r in bad])
    refused = run("import", workspace, str(path), "--meeting", str(meeting.id))
    assert refused.returncode == 1
    assert "Zeile 2: E-Mail: keine-adresse ist keine E-Mail-Adresse" in refused.stderr
    assert "nichts importiert" in refused.stderr
    dry = run("import", workspace, str(write(path, TWELVE)), "--dry-run")
    assert dry.returncode == 0 and "12 neu" in dry.stdout
    with facilitation.open_workspace(workspace) as store:
        assert store.participants() == []
    done = run("import", workspace, str(path), "--meeting", str(meeting.id))
    assert done.returncode == 0, done.stderr
    assert "12 Personen importiert" in done.stdout
    out = tmp_path / "links.csv"
    linked = run("links", workspace, "--url", "http://192.168.0.5:8866/", "--out", str(out))
    assert linked.returncode == 0, linked.stderr
    text = out.read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "Name;Funktion;Kommune;E-Mail;Persönlicher Link"
    assert len(text) == 13 and all("http://192.168.0.5:8866/?p=" in line for line in text[1:])
    assert "Anna Beispiel;Bürgermeisterin;Görlitz;anna@goerlitz.de;" in "\n".join(text)
    wrong = run("links", workspace, "--url", "192.168.0.5", "--out", str(out))
    assert wrong.returncode == 1 and "http://" in wrong.stderr
