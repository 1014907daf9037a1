"""The facilitator loads municipalities and ties from CSV: as spreadsheets save them."""

from __future__ import annotations

from pathlib import Path

import pytest

import facilitation
from facilitation._exceptions import UnreadableFile
from facilitation.i18n import language
from facilitation.models import TieType
from facilitation.shipped import load_municipalities, load_ties


@pytest.fixture
def store(tmp_path: Path):
    with facilitation.create_workspace(tmp_path / "ws.db", "Import") as ws:
        yield ws


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_german_excel_file_is_read(store, tmp_path) -> None:
    path = _write(
        tmp_path / "kommunen.csv",
        "Gemeinde;Gemeindeschlüssel;Bundesland;Landkreis;Breitengrad;Längengrad;Einwohner\r\n"
        "Löbau;14626285;SN;Görlitz;51,0942;14,6667;15.012\r\n"
        ";;;;;;\r\n"
        "Großschönau;14626140;SN;Görlitz;50,8978;14,6833;5.536\r\n",
        encoding="cp1252",
    )
    report = load_municipalities(store, path)
    assert (report.added, report.refused) == (2, [])
    loebau = store.municipality_by_ags("14626285")
    assert loebau.name == "Löbau" and loebau.district == "Görlitz"
    assert loebau.latitude == pytest.approx(51.0942) and loebau.population == 15012
    assert loebau.source == "kommunen.csv"


def test_ties_by_name_or_key_in_words_and_twice_loaded_once(store, tmp_path) -> None:
    load_municipalities(store)
    path = _write(
        tmp_path / "beziehungen.csv",
        "von,nach,Art,Thema,Stärke\n"
        "Bautzen,Görlitz,kooperiert mit,Tourismus,3\n"
        "14625240,bautzen,lernt von,Fördermittel,2\n"
        "Görlitz,Bautzen,Kooperation,tourismus,1\n"  # the first tie again, other way round
        "Zittau,Görlitz,Partnernetzwerk,,\n",
    )
    report = load_ties(store, path)
    assert (report.added, report.skipped, report.refused) == (3, 1, [])
    ties = store.ties()
    learns = next(t for t in ties if t.type is TieType.LEARNS_FROM)
    assert learns.directed and store.municipality(learns.source_id).name == "Hoyerswerda"
    assert {t.source for t in ties} == {"beziehungen.csv"}
    again = load_ties(store, path)
    assert (again.added, again.skipped) == (0, 4)
    assert len(store.ties()) == 3


def test_refused_rows_say_why_in_the_users_language(store, tmp_path) -> None:
    load_municipalities(store)
    store.add_municipality("Neustadt", ags="07137068", state="RP")
    store.add_municipality("Neustadt", ags="03354017", state="NI")
    path = _write(
        tmp_path / "ties.csv",
        "source_ags,target_ags,type,weight,directed\n"
        "Bautzen,Atlantis,cooperates,1,\n"  # 2: unknown town
        "Neustadt,Bautzen,cooperates,1,\n"  # 3: two towns of that name
        "Bautzen,Görlitz,befreundet,1,\n"  # 4: unknown type
        "Bautzen,Görlitz,cooperates,-1,\n"  # 5: strength not positive
        "Bautzen,Bautzen,cooperates,1,\n"  # 6: a tie with itself
        "Bautzen,Görlitz,cooperates,1,vielleicht\n"  # 7: neither yes nor no
        "Bautzen,Görlitz,cooperates,drei,\n"  # 8: not a number
        "07137068,Bautzen,cooperates,1,ja\n",  # 9: fine, by key
    )
    report = load_ties(store, path)
    assert report.added == 1
    assert [line for line, _ in report.refused] == [2, 3, 4, 5, 6, 7, 8]
    with language("de"):
        german = report.lines()
    with language("en"):
        english = report.lines()
    assert german[0].startswith("Zeile 2: ") and "Atlantis" in german[0]
    assert english[0].startswith("Line 2: ") and "Atlantis" in english[0]
    assert "07137068" in english[1] and "03354017" in english[1]
    assert "befreundet" in english[2] and "learns_from" in english[2]
    assert "Stärke" in german[3]
    assert "selbst" in german[4]
    assert "vielleicht" in english[5]
    assert report.lines("en") == english and report.lines("de") == german
    assert "1 hinzugefügt" in report.summary("de") and "7 refused" in report.summary("en")


def test_ties_can_belong_to_a_meeting(store, tmp_path) -> None:
    load_municipalities(store)
    meeting = store.add_meeting("Auftakt")
    path = _write(tmp_path / "t.csv", "von;nach\nBautzen;Görlitz\n")
    load_ties(store, path, meeting_id=meeting.id)
    assert [t.meeting_id for t in store.ties()] == [meeting.id]
    assert load_ties(store, path).added == 1  # not the same tie: no meeting


def test_a_missing_column_is_named(store, tmp_path) -> None:
    load_municipalities(store)
    path = _write(tmp_path / "t.csv", "von,Thema\nBautzen,Tourismus\n")
    report = load_ties(store, path)
    assert report.added == 0 and "target_ags" in report.refused[0][1]


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_an_empty_file_is_refused_as_a_whole(store, tmp_path, content: bytes) -> None:
    path = tmp_path / "leer.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught, language("de"):
        load_municipalities(store, path)
    with language("de"):
        assert "leer.csv" in str(caught.value) and "CSV" in str(caught.value)


def test_a_missing_file_is_refused(store, tmp_path) -> None:
    with pytest.raises(UnreadableFile, match=r"fehlt\.csv"):
        load_ties(store, tmp_path / "fehlt.csv")
