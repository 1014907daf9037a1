"""Every German municipality can be named (issue 19): the shipped official directory, a newer
extract loaded without a release, finding by name prefix, and one tie with several topics
counted once."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import facilitation
from facilitation import (
    MunicipalityNotFound,
    NotAMunicipalityDirectory,
    SeveralMunicipalities,
    network,
)
from facilitation.cli import main
from facilitation.directory import ATTRIBUTION, COLUMNS, read_extract, shipped_directory
from facilitation.models import TieType, relationships
from facilitation.shipped import load_municipalities

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXTRACT = SHARED / "data" / "destatis-gv-auszug-2020q4.csv"
SEEDS = SHARED / "context" / "seeds"

# The municipalities the seed documents name (the programmes' towns).
SEED_TOWNS = (
    "Bad Berleburg", "Bad Blankenburg", "Bad Liebenwerda", "Bautzen", "Boitzenburger Land",
    "Elsterwerda", "Gröditz", "Görlitz", "Hettstedt", "Hoyerswerda", "Lutherstadt Eisleben",
    "Rudolstadt", "Saalfeld", "Sangerhausen", "Syrgenstein", "Templin", "Weißwasser/O.L.",
)  # fmt: skip

CHECK = r"""
import csv, json, sys
from facilitation.directory import SHIPPED_FILE, shipped_directory

towns = shipped_directory()
names, rows = json.loads(sys.argv[1]), json.loads(sys.argv[2])
problems = []
for name in names:
    found = towns.named(name) or towns.search(name, limit=1)
    if not found or not found[0].ags or found[0].latitude is None:
        problems.append(name)
for ags, name in rows:
    place = towns.by_ags(ags)
    if place is None or place.latitude is None or place not in towns.search(name, limit=5):
        problems.append((ags, name))
saxony = [p for p in towns.places if p.ags.startswith("14")]
print(json.dumps({
    "problems": problems,
    "saxony": len(saxony),
    "saxony_complete": all(len(p.ags) == 8 and p.state == "SN" and p.district
                           and p.latitude and p.longitude and p.population for p in saxony),
    "total": len(towns),
    "bytes": SHIPPED_FILE.stat().st_size,
    "stand": towns.stand,
}))
"""


def test_the_package_data_names_every_seed_municipality_and_all_of_saxony() -> None:
    if SEEDS.is_dir():  # the names are those the documents use
        text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
        assert [name for name in SEED_TOWNS if name not in text] == []
    with (ROOT / "data" / "municipalities.csv").open(encoding="utf-8") as f:
        rows = [(row["ags"], row["name"]) for row in csv.DictReader(f)]
    assert len(rows) == 34
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(SEED_TOWNS), json.dumps(rows)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT.parent,  # not the checkout: the installed package's data
    )
    found = json.loads(done.stdout)
    assert found["problems"] == []
    assert found["saxony"] == 419 and found["saxony_complete"]
    assert found["total"] == 11004 and found["stand"] == "31.12.2020"
    assert found["bytes"] < 400_000


def test_the_attribution_is_next_to_the_data_and_in_the_readme() -> None:
    notice = (ROOT / "src" / "facilitation" / "data" / "README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in (notice, readme):
        assert ATTRIBUTION in text
        assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in text
        assert "31.12.2020" in text


@pytest.mark.skipif(not EXTRACT.exists(), reason="Destatis' extract is not here")
def test_the_converter_regenerates_the_shipped_file(tmp_path: Path) -> None:
    from facilitation.directory import SHIPPED_FILE
    from facilitation.directory import main as convert

    target = tmp_path / "gv.json.gz"
    assert convert([str(EXTRACT), "--output", str(target)]) == 0
    assert target.read_bytes() == SHIPPED_FILE.read_bytes()


def test_finding_is_by_prefix_case_and_umlauts_ignored() -> None:
    towns = shipped_directory()
    assert [p.name for p in towns.search("herrnh")] == ["Herrnhut"]
    for text in ("Görl", "goerl", "GORL", "görlitz"):
        assert towns.search(text)[0].ags == "14626110", text
    assert towns.search("gör")[0].name == "Görlitz"
    assert towns.search("weissw")[0].name == "Weißwasser/O.L."
    assert towns.search("Wittenberg")[0].name == "Lutherstadt Wittenberg"
    assert towns.search("Bela Woda")[0].name == "Weißwasser/O.L."  # its Sorbian name
    assert towns.search("14612000")[0].name == "Dresden"
    assert towns.search("") == [] and towns.search("Xyzzy") == []
    # Exact names first, then the bigger towns.
    assert towns.search("Neustadt", limit=2)[0].population > 40_000
    assert [p.name for p in towns.named("zittau")] == ["Zittau"]


def _write_xlsx(path: Path, rows: list[list[object]], *, title: str | None = None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Onlineprodukt_Gemeinden"
    if title:  # as Destatis' file begins: a title, a header of several rows, then the data
        sheet.append([title])
        sheet.append(["Satz-art", "Text-kenn-zeichen", "Amtlicher Regionalschlüssel (ARS)"])
        sheet.append([None, None, "Land", "RB", "Kreis", "VB", "Gem"])
    for row in rows:
        sheet.append(row)
    book.save(path)


def _extract_rows(kreis: str, *, rename: dict[str, str] | None = None) -> list[list[object]]:
    """Rows of the 2020 extract for one district, with numbers as Excel keeps them."""
    rows = []
    with EXTRACT.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["land"] + row["rb"] + row["kreis"] != kreis or row["satzart"] not in (
                "40",
                "60",
            ):
                continue
            values: list[object] = [row[c] for c in COLUMNS]
            values[0] = int(row["satzart"])
            values[7] = (rename or {}).get(row["gemeindename"], row["gemeindename"])
            values[9] = int(row["bevoelkerung"].replace(" ", "")) if row["bevoelkerung"] else None
            for index, column in ((14, "laengengrad"), (15, "breitengrad")):
                values[index] = float(row[column].replace(",", ".")) if row[column] else None
            rows.append(values)
    return rows


@pytest.mark.skipif(not EXTRACT.exists(), reason="Destatis' extract is not here")
def test_a_newer_extract_is_loaded_from_excel_and_used_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _extract_rows("14626", rename={"Herrnhut, Stadt": "Herrnhut-Berthelsdorf, Stadt"})
    newer = tmp_path / "AuszugGV4QAktuell.xlsx"
    _write_xlsx(newer, rows, title="Gemeindeverzeichnis, Gebietsstand: 31.12.2024 (4. Quartal)")
    workspace = tmp_path / "w.db"
    facilitation.create_workspace(workspace, "Test").close()

    assert main(["municipalities", "show", str(workspace)]) == 0
    assert "11004" in capsys.readouterr().out
    assert main(["municipalities", "load", str(workspace), str(newer)]) == 0
    said = capsys.readouterr().out
    assert "53" in said and "31.12.2024" in said and newer.name in said

    with facilitation.open_workspace(workspace) as store:
        info = store.directory_info()
        assert (info.places, info.stand, info.source) == (53, "31.12.2024", newer.name)
        assert info.loaded_at is not None
        assert store.find_places("Dresden") == []  # only the loaded extract is searched
        place = store.named_place("herrnhut-berth")
        assert (place.name, place.ags, place.district, place.state) == (
            "Herrnhut-Berthelsdorf",
            "14626180",
            "Görlitz",
            "SN",
        )
        town = store.municipality_for(place)
        assert town.population == 5837 and town.latitude == pytest.approx(51.01549, abs=1e-4)
        assert "31.12.2024" in town.source and ATTRIBUTION in town.source

    # A CSV with the columns named, as Destatis' file saved from a spreadsheet.
    named = tmp_path / "auszug.csv"
    with named.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(COLUMNS)
        writer.writerows(_extract_rows("14625"))
    assert len(read_extract(named, stand="30.06.2025")) == 57


def test_a_file_that_is_no_extract_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    roster = tmp_path / "teilnehmende.xlsx"
    _write_xlsx(roster, [["Name", "Kommune"], ["Anna Beispiel", "Görlitz"]])
    pdf = tmp_path / "AuszugGV.csv"
    pdf.write_bytes(b"%PDF-1.7\n...")
    workspace = tmp_path / "w.db"
    facilitation.create_workspace(workspace, "Test").close()
    for path in (roster, pdf):
        with pytest.raises(NotAMunicipalityDirectory) as caught:
            read_extract(path)
        assert path.name in caught.value.message("de") and "Satzart 60" in str(caught.value)
        with pytest.raises(SystemExit) as exited:
            main(["municipalities", "load", str(workspace), str(path)])
        assert exited.value.code == 1
    with facilitation.open_workspace(workspace) as store:
        assert store.directory_info().places == 11004


def test_the_workspace_finds_every_municipality_and_adds_one_when_named(fresh_store) -> None:
    store = fresh_store
    load_municipalities(store)  # the seed towns with their Zensus 2022 figures
    before = len(store.municipalities())
    found = store.find_places("Görl")
    assert found[0].name == "Görlitz" and found[0].municipality_id is not None
    assert len({p.ags for p in found}) == len(found)  # the workspace's Görlitz only once
    assert store.find_places("Dresden")[0].municipality_id is None
    # Enter: the whole name, or the only one beginning so.
    assert store.named_place("zittau").municipality_id is not None
    assert store.named_place("Herrnhut").population == 5776  # the workspace's figure
    with pytest.raises(MunicipalityNotFound):
        store.named_place("Atlantis")
    with pytest.raises(SeveralMunicipalities) as caught:
        store.named_place("Neustadt")
    assert "Neustadt an der Weinstraße" in str(caught.value)
    dresden = store.municipality_for(store.named_place("Dresden"))
    assert (dresden.ags, dresden.state, dresden.district) == ("14612000", "SN", "Dresden")
    assert dresden.latitude == pytest.approx(51.0517, abs=1e-3) and dresden.population > 500_000
    again = store.municipality_for(store.find_places("Dresden")[0])
    assert again.id == dresden.id and len(store.municipalities()) == before + 1


def _network_meeting(store):
    load_municipalities(store)
    meeting = store.add_meeting("Netzwerktreffen")
    bautzen = store.municipality_by_ags("14625020")
    anna = store.add_participant("Anna", municipality_id=bautzen.id)
    store.register(meeting.id, anna.id)
    store.show_network(meeting.id)
    return meeting, anna


def test_one_partner_with_two_topics_is_one_tie(fresh_store) -> None:
    store = fresh_store
    meeting, anna = _network_meeting(store)
    goerlitz = store.municipality_by_ags("14626110")
    zittau = store.municipality_by_ags("14626610")
    store.declare_ties(meeting.id, anna.id, goerlitz.id, topics=["Tourismus", "Verkehr"], weight=3)
    store.declare_ties(meeting.id, anna.id, goerlitz.id, topics=["Kita"], weight=2)
    store.declare_ties(meeting.id, anna.id, zittau.id, type=TieType.LEARNS_FROM)
    ties = store.ties(meeting.id)
    assert len(ties) == 4  # one stored row per topic
    found = relationships(ties)
    assert [(r.tie.target_id, r.topics, r.weight) for r in found] == [
        (goerlitz.id, ("Tourismus", "Verkehr", "Kita"), 3.0),
        (zittau.id, (), 2.0),
    ]
    graph = network.cooperation_graph(store.municipalities(), ties, isolates=False)
    assert graph.number_of_edges() == 2
    edge = graph.edges[found[0].tie.source_id, goerlitz.id, found[0].tie.id]
    assert edge["topic"] == "Tourismus; Verkehr; Kita" and edge["weight"] == 3.0
    figures = network.summary(graph)
    assert figures["ties"] == 2
    assert network.metrics(graph)[goerlitz.id].ties == 1
    simple = network.simple_graph(graph)
    assert simple.edges[found[0].tie.source_id, goerlitz.id]["topics"] == "Kita;Tourismus;Verkehr"
    growth = network.growth(store.municipalities(), ties, store.meetings())
    assert growth[-1]["new_ties"] == 2 and growth[-1]["ties"] == 2
    # Two people naming the same pair are two ties; so is another kind of tie.
    bernd = store.add_participant("Bernd", municipality_id=goerlitz.id)
    store.register(meeting.id, bernd.id)
    store.declare_ties(meeting.id, bernd.id, anna.municipality_id, topics=["Tourismus"])
    store.declare_ties(meeting.id, anna.id, goerlitz.id, type=TieType.PARTNER_NETWORK)
    assert len(relationships(store.ties(meeting.id))) == 4


@pytest.mark.skipif(not EXTRACT.exists(), reason="Destatis' extract is not here")
def test_the_facilitator_loads_a_newer_extract_on_the_network_tab(tmp_path: Path) -> None:
    import datetime as dt

    from facilitation.ui.facilitator import FacilitatorApp

    def upload(tab, path: Path) -> None:
        data = path.read_bytes()
        tab.directory_upload.value = (
            {"name": path.name, "type": "application/octet-stream", "size": len(data),
             "content": memoryview(data), "last_modified": dt.datetime.now(dt.UTC)},
        )  # fmt: skip

    with facilitation.create_workspace(tmp_path / "w.db", "Test") as store:
        store.add_meeting("Netzwerktreffen")
        page = FacilitatorApp(store, live=False)
        tab = page.tab("network")
        assert "11004" in tab.directory_state.value and "31.12.2020" in tab.directory_state.value
        assert ATTRIBUTION in tab.directory_state.value
        roster = tmp_path / "liste.xlsx"
        _write_xlsx(roster, [["Name", "Kommune"], ["Anna Beispiel", "Görlitz"]])
        upload(tab, roster)
        assert "kein Auszug" in tab.report.value and store.directory_info().places == 11004
        newer = tmp_path / "AuszugGV1QAktuell.xlsx"
        _write_xlsx(newer, _extract_rows("14626"), title="Gebietsstand: 31.03.2025")
        upload(tab, newer)
        assert "53" in tab.report.value and "31.03.2025" in tab.directory_state.value
        assert store.directory_info().places == 53 and store.find_places("Dresden") == []


def test_a_list_of_participants_names_any_german_municipality(tmp_path: Path) -> None:
    from facilitation.shipped import read_participants, shipped_municipalities

    listing = tmp_path / "liste.csv"
    listing.write_text(
        "Name;Kommune\nAnna Beispiel;Dresden\nBernd Muster;Görlitz\nCarla Kunz;Atlantis\n",
        encoding="utf-8",
    )
    with facilitation.create_workspace(tmp_path / "w.db", "Test") as store:
        table = read_participants(listing)
        plan = store.plan_participants(table, shipped=shipped_municipalities(store))
        assert [row.status for row in plan.rows][2].value == "refused"  # Atlantis
        done = store.import_participants(
            table, shipped=shipped_municipalities(store), skip_refused=True
        )
        assert len(done.new) == 2
        dresden = store.municipality_by_ags("14612000")
        goerlitz = store.municipality_by_ags("14626110")
        assert dresden.name == "Dresden" and dresden.latitude and dresden.population > 500_000
        assert goerlitz.population == 54664  # the seed towns keep their Zensus 2022 figures
