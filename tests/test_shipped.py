"""The data shipped in data/: municipalities, groups, ties and the demo workshop."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from facilitation import voting
from facilitation.models import VoteState
from facilitation.shipped import (
    data_dir,
    load_demo,
    load_groups,
    load_municipalities,
    load_ties,
)

SEED_TOWNS = {
    "Bautzen", "Görlitz", "Hoyerswerda", "Weißwasser/O.L.", "Gröditz", "Elsterwerda",
    "Bad Liebenwerda", "Hettstedt", "Lutherstadt Eisleben", "Sangerhausen", "Saalfeld/Saale",
    "Rudolstadt", "Bad Blankenburg",
}  # fmt: skip
STATE_PREFIX = {"SN": "14", "BB": "12", "ST": "15", "TH": "16", "BY": "09", "NW": "05"}


def _read(name: str) -> list[dict[str, str]]:
    with (data_dir() / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_shipped_municipalities_are_complete_and_plausible() -> None:
    rows = _read("municipalities.csv")
    names = {row["name"] for row in rows}
    assert names >= SEED_TOWNS
    keys = [row["ags"] for row in rows]
    assert len(keys) == len(set(keys))
    for row in rows:
        assert len(row["ags"]) == 8 and row["ags"].isdigit(), row
        assert row["ags"].startswith(STATE_PREFIX[row["state"]]), row
        assert 47.2 < float(row["latitude"]) < 55.1, row  # inside Germany
        assert 5.8 < float(row["longitude"]) < 15.1, row
        assert int(row["population"]) > 0
        assert row["source"].strip()
    assert {r["name"]: r["ags"] for r in rows}["Bautzen"] == "14625020"


def test_shipped_groups_and_ties_refer_to_shipped_municipalities() -> None:
    keys = {row["ags"] for row in _read("municipalities.csv")}
    for row in _read("groups.csv"):
        assert row["ags"] in keys, row
    for row in _read("ties.csv"):
        assert row["source_ags"] in keys and row["target_ags"] in keys, row
        assert row["source_ags"] != row["target_ags"]
        assert float(row["weight"]) > 0
    triangles = Counter(row["group_key"] for row in _read("groups.csv"))
    assert triangles["sv_bgh"] == triangles["sn_hes"] == triangles["sd_saalebogen"] == 3


def test_loading_the_shipped_data_twice_adds_nothing_twice(sqlite_store) -> None:
    first = load_municipalities(sqlite_store)
    assert first.refused == [] and first.added == len(_read("municipalities.csv"))
    again = load_municipalities(sqlite_store)
    assert again.added == 0 and again.skipped == first.added
    assert load_groups(sqlite_store).refused == []
    assert load_ties(sqlite_store).refused == []
    goerlitz = sqlite_store.find_municipalities("gorlitz")[0]
    assert goerlitz.name == "Görlitz" and goerlitz.state == "SN"


def test_a_csv_with_bad_rows_is_loaded_row_by_row_with_reasons(sqlite_store, tmp_path) -> None:
    path = tmp_path / "kommunen.csv"
    path.write_text(
        "name,ags,state,latitude,longitude,population\n"
        "Zittau,14626610,SN,50.8960,14.8072,25000\n"
        ",14626999,SN,50.9,14.8,100\n"  # no name
        "Irgendwo,123,SN,50.9,14.8,100\n"  # AGS too short
        "Nordpol,14626998,SN,95,14.8,100\n"  # latitude out of range
        "Löbau,14626285,SN,fünfzig,14.67,15000\n",  # not a number
        encoding="utf-8",
    )
    report = load_municipalities(sqlite_store, path)
    assert report.added == 1
    assert [line for line, _ in report.refused] == [3, 4, 5, 6]
    reasons = " ".join(reason for _, reason in report.refused)
    assert "Name" in reasons and "8 Ziffern" in reasons and "Breitengrad" in reasons
    assert [m.name for m in sqlite_store.municipalities()] == ["Zittau"]
    assert "1 hinzugefügt" in report.summary()


def test_demo_workshop_loads_completely(fresh_store) -> None:
    demo = json.loads((data_dir() / "demo_workshop.json").read_text(encoding="utf-8"))
    load_demo(fresh_store)
    store = fresh_store
    assert store.info().title == demo["workspace"]["title"]
    assert len(store.participants()) == len(demo["participants"])
    meetings = store.meetings()
    assert [m.title for m in meetings] == [m["title"] for m in demo["meetings"]]
    first = meetings[0]
    plan = demo["meetings"][0]
    assert len(store.challenges(first.id)) == len(plan["challenges"])
    assert len(store.agenda(first.id)) == len(plan["agenda"])
    # The demo's vote: every event replayed under the store's rules, the result as planned.
    (vote_round,) = store.vote_rounds(first.id)
    assert vote_round.state is VoteState.REVEALED
    planned = Counter()
    for event in plan["vote_rounds"][0]["events"]:
        planned[event["topic"]] += 1 if event["action"] == "place" else -1
    topic_ids = {
        t["key"]: t_id for t, t_id in zip(plan["topics"], vote_round.topic_ids, strict=True)
    }
    assert store.tally(vote_round.id) == {topic_ids[k]: planned[k] for k in topic_ids}
    ranks = voting.ranking(store.tally(vote_round.id), vote_round.topic_ids)
    assert ranks[0].position == 1 and not ranks[0].tied
    assert any(rank.tied for rank in ranks)  # the demo shows a tie
    assert store.consultations(first.id)[0].phase.value == plan["consultations"][0]["phase"]
    taken = [e for e in store.entries(store.consultations(first.id)[0].id) if e.taken]
    assert len(taken) == sum(e.get("taken", False) for e in plan["consultations"][0]["entries"])
    second = meetings[1]
    assert len(store.tables(second.id)) == len(demo["meetings"][1]["tables"])
    assert len(store.table_rounds(second.id)) == len(demo["meetings"][1]["table_rounds"])
    assert len(store.actions()) == sum(len(m["actions"]) for m in demo["meetings"])
    declared = sum(len(m["ties"]) for m in demo["meetings"])
    assert len([t for t in store.ties() if t.declared_by is not None]) == declared


def test_data_dir_is_the_source_tree_data_folder() -> None:
    assert data_dir() == Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize("bad", ["ags", "name"])
def test_a_csv_without_a_needed_column_is_refused_row_by_row(sqlite_store, tmp_path, bad) -> None:
    path = tmp_path / "ties.csv"
    load_municipalities(sqlite_store)
    columns = {"ags": "source_ags,weight\n14625020,1\n", "name": "ags,state\n14625020,SN\n"}
    path.write_text(columns[bad], encoding="utf-8")
    loader = load_ties if bad == "ags" else load_municipalities
    report = loader(sqlite_store, path)
    if bad == "ags":
        assert report.added == 0 and "target_ags" in report.refused[0][1]
    else:  # a known AGS is skipped before anything else is read
        assert report.skipped == 1
