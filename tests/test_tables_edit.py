"""Themed tables as the facilitator corrects them: tables and rounds edited, moved and
deleted while they hold nothing participants contributed, renamed and hidden (never
destroyed) once they do, every deletion and hide an event; templates that ask for the
themes; a planner that seats nobody alone while others could sit with her."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator

import pytest

from facilitation import InvalidInput, Store, TableHoldsData, TableRoundHoldsData
from facilitation import tables as seating_rules
from facilitation.export import tables as export_tables
from facilitation.i18n import language
from facilitation.models import Participant, ThemedTable
from facilitation.report import build_protocol


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def _meeting(store: Store, people: int = 4) -> tuple[int, list[int]]:
    meeting = store.add_meeting("Transferwerkstatt")
    ids = [store.add_participant(f"Person {i}", meeting_id=meeting.id).id for i in range(people)]
    return meeting.id, ids


# --- tables ----------------------------------------------------------------------------


def test_a_table_without_data_is_renamed_moved_given_a_host_and_deleted(
    fresh_store: Store,
) -> None:
    store = fresh_store
    meeting, people = _meeting(store)
    a, b, c = (store.add_table(meeting, theme) for theme in ("Tisch 1", "Mobilität", "Wohnen"))
    store.update_table(a.id, theme="  Fachkräfte  ", host_id=people[0])
    assert [t.theme for t in store.move_table(c.id, -5)] == ["Wohnen", "Fachkräfte", "Mobilität"]
    assert [t.theme for t in store.move_table(c.id, 1)] == ["Fachkräfte", "Wohnen", "Mobilität"]
    # Seated in a round that has not started: the table still holds no data.
    table_round = store.add_table_round(meeting)
    store.seat(table_round.id, {b.id: people[1:3], c.id: people[3:]})
    assert not store.table_holds_data(b.id)
    store.delete_table(b.id)
    assert [(t.theme, t.position) for t in store.tables(meeting)] == [
        ("Fachkräfte", 0),
        ("Wohnen", 1),
    ]
    assert store.seatings(meeting)[table_round.id] == {c.id: (people[3],)}
    (change,) = store.table_changes(meeting)
    assert (change.kind, change.table_id, change.label) == ("table_deleted", b.id, "Mobilität")
    with pytest.raises(InvalidInput):
        store.update_table(a.id, theme="   ")
    assert store.tables(meeting)[0].theme == "Fachkräfte"


def test_a_table_with_notes_or_seats_of_a_round_that_ran_is_hidden_never_deleted(
    fresh_store: Store,
) -> None:
    store = fresh_store
    meeting, people = _meeting(store)
    used, noted, kept = (store.add_table(meeting, t) for t in ("Bildung", "Kultur", "Sport"))
    table_round = store.add_table_round(meeting)
    store.seat(table_round.id, {used.id: people[:2], kept.id: people[2:]})
    store.start_table_round(table_round.id)
    note = store.add_table_note(noted.id, "Eine Notiz")
    store.withdraw_table_note(note.id)  # withdrawn, still data
    for table in (used, noted):
        assert store.table_holds_data(table.id)
        with pytest.raises(TableHoldsData) as refused:
            store.delete_table(table.id)
        assert table.theme in str(refused.value)
    assert len(store.tables(meeting)) == 3
    renamed = store.update_table(used.id, theme="Bildung und Schule")
    assert renamed.theme == "Bildung und Schule"
    hidden = store.hide_table(used.id)
    assert hidden.hidden_at is not None
    assert store.hide_table(used.id).hidden_at == hidden.hidden_at  # again: nothing new
    assert store.hide_table(used.id, False).hidden_at is None
    store.hide_table(used.id)
    kinds = [(c.kind, c.label) for c in store.table_changes(meeting)]
    assert kinds == [
        ("table_hidden", "Bildung und Schule"),
        ("table_shown", "Bildung und Schule"),
        ("table_hidden", "Bildung und Schule"),
    ]
    # The research data sees the events and the hidden table, the protocol does not.
    data = export_tables(store, meeting_id=meeting)
    assert [row["kind"] for row in data["table_changes"]] == [k for k, _ in kinds]
    assert {row["theme"] for row in data["tables"]} == {"Bildung und Schule", "Kultur", "Sport"}
    text = build_protocol(store, meeting).plain_text()
    assert "Sport" in text
    assert "Bildung und Schule" not in text
    assert "Kultur" not in text  # its only note was withdrawn: nothing took place there


# --- rounds ----------------------------------------------------------------------------


def test_rounds_not_started_are_deleted_and_renumbered_those_that_ran_only_hidden(
    fresh_store: Store,
) -> None:
    store = fresh_store
    meeting, people = _meeting(store)
    table = store.add_table(meeting, "Digitalisierung")
    first, second, third = (store.add_table_round(meeting) for _ in range(3))
    store.seat(second.id, {table.id: people})
    store.delete_table_round(second.id)
    assert [(r.id, r.number) for r in store.table_rounds(meeting)] == [
        (first.id, 1),
        (third.id, 2),
    ]
    store.start_table_round(first.id)
    with pytest.raises(TableRoundHoldsData):
        store.delete_table_round(first.id)
    store.add_table_note(table.id, "Notiz", round_id=third.id)
    with pytest.raises(TableRoundHoldsData):
        store.delete_table_round(third.id)
    assert store.hide_table_round(first.id).hidden_at is not None
    changes = [(c.kind, c.round_id, c.label) for c in store.table_changes(meeting)]
    assert changes == [("round_deleted", second.id, "2"), ("round_hidden", first.id, "1")]


def test_planning_sets_the_number_of_rounds_and_never_deletes_one_that_ran(
    fresh_store: Store,
) -> None:
    store = fresh_store
    meeting, _people = _meeting(store, 7)
    for theme in ("A", "B", "C", "D"):
        store.add_table(meeting, theme)
    planned = store.plan_table_rounds(meeting, 4, minutes=20)
    assert [r.minutes for r in planned] == [20, 20, 20, 20]
    store.start_table_round(planned[0].id)
    again = store.plan_table_rounds(meeting, 2, minutes=25)
    assert [r.number for r in store.table_rounds(meeting)] == [1, 2]
    assert [r.minutes for r in again] == [25]
    with pytest.raises(TableRoundHoldsData):
        store.plan_table_rounds(meeting, 0)
    with pytest.raises(InvalidInput):
        store.plan_table_rounds(meeting, seating_rules.MAX_ROUNDS + 1)
    assert len(store.table_rounds(meeting)) == 2
    assert [c.kind for c in store.table_changes(meeting)] == ["round_deleted"] * 2


# --- the template asks -----------------------------------------------------------------


def test_the_transferwerkstatt_template_makes_only_the_tables_it_was_given(
    fresh_store: Store,
) -> None:
    store = fresh_store
    bare = store.prepare_meeting(template="transferwerkstatt", lang="de")
    assert store.tables(bare.id) == [] and store.table_rounds(bare.id) == []
    themed = store.prepare_meeting(
        template="transferwerkstatt", lang="de",
        table_themes=["Mobilität", " ", "", "Wohnen", "Fachkräfte"],
        table_rounds=2, round_minutes=25,
    )  # fmt: skip
    assert [t.theme for t in store.tables(themed.id)] == ["Mobilität", "Wohnen", "Fachkräfte"]
    assert [(r.number, r.minutes) for r in store.table_rounds(themed.id)] == [(1, 25), (2, 25)]
    default = store.prepare_meeting(template="transferwerkstatt", table_themes=["Kultur"])
    assert [r.minutes for r in store.table_rounds(default.id)] == [30, 30, 30]
    with pytest.raises(InvalidInput):
        store.prepare_meeting(template="transferwerkstatt", table_themes=["X"], table_rounds=-1)
    assert len(store.meetings()) == 3  # the refused one left nothing behind
    text = build_protocol(store, themed.id).plain_text()
    assert "Mobilität" not in text and "Runde 1" not in text  # prepared, not taken place


# --- the planner -----------------------------------------------------------------------


def _crowd(n: int, towns: int) -> list[Participant]:
    return [
        Participant(id=i, name=f"P{i}", municipality_id=i % towns + 1, created_at=NOW)
        for i in range(1, n + 1)
    ]


def _check_round(seating: dict[int, tuple[int, ...]], people: list[Participant]) -> None:
    n = len(people)
    seated = sorted(p for group in seating.values() for p in group)
    assert seated == sorted(p.id for p in people)  # everyone, once
    sizes = [len(group) for group in seating.values() if group]
    assert len(sizes) <= math.ceil(n / 3)
    assert max(sizes) - min(sizes) <= 1
    if n >= 2:
        assert min(sizes) >= 2  # nobody alone


@pytest.mark.parametrize("n", range(1, 41))
def test_nobody_sits_alone_at_any_size(n: int) -> None:
    # Every size of group 1..40 at 1..10 tables over 1..4 rounds (rounds vary with the pair).
    people = _crowd(n, max(1, n // 3))
    for count in range(1, 11) if n <= 20 else (1, 2, 4, 7, 10):  # (the large ones are slow)
        tables = [
            ThemedTable(id=100 + t, meeting_id=1, theme=f"T{t}", position=t) for t in range(count)
        ]
        rounds = 1 + (n + count) % 4
        plan = seating_rules.rotation(people, tables, rounds, seed=n)
        assert len(plan) == rounds
        for seating in plan:
            assert set(seating) == {t.id for t in tables}  # every table, empty ones too
            _check_round(seating, people)
        if n % 7 == 0:
            assert seating_rules.rotation(people, tables, rounds, seed=n) == plan  # repeatable


def test_seven_people_at_eight_tables_sit_in_three_groups_and_rotate_themes() -> None:
    people = _crowd(7, 7)
    tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}", position=t) for t in range(1, 9)]
    plan = seating_rules.rotation(people, tables, 3)
    for seating in plan:
        assert sorted(len(g) for g in seating.values() if g) == [2, 2, 3]
    used = [frozenset(t for t, g in seating.items() if g) for seating in plan]
    assert len(set().union(*used)) == 8  # 9 places over 3 rounds: every theme had its turn
    q = seating_rules.quality(plan[2], people, plan[:2])
    assert q.revisits == 0


def test_people_of_one_town_sit_apart_and_meet_new_people() -> None:
    # Twelve people from six towns, two each, at four tables over three rounds.
    people = _crowd(12, 6)
    tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}", position=t) for t in range(4)]
    plan = seating_rules.rotation(people, tables, 3, seed=3)
    met: Counter[frozenset[int]] = Counter()
    for number, seating in enumerate(plan):
        assert seating_rules.quality(seating, people, plan[:number]).same_town == 0
        for group in seating.values():
            met.update(frozenset((a, b)) for a in group for b in group if a < b)
    assert max(met.values()) <= 2  # nobody sits with the same person in every round


def test_a_host_whose_table_is_not_needed_sits_with_the_others() -> None:
    people = _crowd(5, 5)
    tables = [
        ThemedTable(id=t, meeting_id=1, theme=f"T{t}", host_id=t, position=t) for t in range(1, 5)
    ]
    seating = seating_rules.mix(people, tables)
    _check_round(seating, people)
    for table_id, group in seating.items():
        if group:
            assert table_id in group  # a table in use has its host
