"""Bounds on what one action may send, and joining once: on SQLite and PostgreSQL.

Every write that takes a person's text refuses a megabyte in each of its text
fields with :class:`~facilitation.TextTooLong`; ten thousand ties or tags in
one call are refused with :class:`~facilitation.TooManyItems`; the message is
German and names the limit, and not one row of the workspace changes (the
tables are dumped before and after). A page joins once: a double click, the
same person again within the join window and thirty forged join messages are
one participant.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from facilitation import AlreadyJoined, TextTooLong, TooManyItems, limits
from facilitation.i18n import language
from facilitation.models import Screen
from facilitation.store import _schema as s

from .conftest import dump_tables

MEGABYTE = "Ä" * 1_000_000  # a million characters (two megabytes of UTF-8)


def refused(store: Any, call: Callable[[], Any], error: type[Exception]) -> str:
    """Call, expect ``error``, check that nothing was written; its German message."""
    before = dump_tables(store)
    started = time.perf_counter()
    with pytest.raises(error) as caught:
        call()
    assert time.perf_counter() - started < 1.0  # no click keeps a kernel busy for long
    assert dump_tables(store) == before
    with language("de"):
        return str(caught.value)


@pytest.fixture
def room(fresh_store) -> dict[str, Any]:
    """A meeting in full swing: a registered participant of a known town, the intake
    open, the network shown, a consultation with an entry, a running table round with
    her at a table, a finding in review and an action."""
    store = fresh_store
    home = store.add_municipality("Bautzen", ags="14625020")
    partner = store.add_municipality("Görlitz", ags="14626110")
    meeting = store.add_meeting("Auftakt")
    store.set_current_meeting(meeting.id)
    anna = store.add_participant("Anna Sommer", municipality_id=home.id, meeting_id=meeting.id)
    consultation = store.add_consultation(meeting.id, "Leerstand in der Innenstadt")
    entry = store.add_entry(consultation.id, "Was wurde schon versucht?")
    table = store.add_table(meeting.id, "Mobilität")
    table_round = store.add_table_round(meeting.id)
    store.assign(table_round.id, table.id, [anna.id])
    store.start_table_round(table_round.id)
    finding = store.add_finding("Gemeinsame Beschaffung spart Zeit")
    action = store.add_action("Ausschreibung teilen", meeting_id=meeting.id)
    topic = store.add_topic(meeting.id, "Mobilität")
    store.set_intake(meeting.id, True)
    return {
        "store": store, "meeting": meeting.id, "anna": anna.id, "home": home.id,
        "partner": partner.id, "consultation": consultation.id, "entry": entry.id,
        "table": table.id, "round": table_round.id, "finding": finding.id,
        "action": action.id, "topic": topic.id, "code": store.open_join(meeting.id),
    }  # fmt: skip


def _writes(r: dict[str, Any]) -> dict[str, Callable[[str], Any]]:
    """Every write that takes a person's text, one entry per text field, given the text."""
    st = r["store"]
    m, anna = r["meeting"], r["anna"]
    return {
        # What participants send from their pages.
        "join name": lambda x: st.join(r["code"], x, page="p"),
        "join role": lambda x: st.join(r["code"], "Dora Neu", role=x, page="p"),
        "challenge title": lambda x: st.submit_challenge(m, anna, x),
        "challenge description": lambda x: st.submit_challenge(m, anna, "T", description=x),
        "challenge keyword": lambda x: st.submit_challenge(m, anna, "T", tags=[x]),
        "tie topic": lambda x: st.declare_ties(m, anna, r["partner"], topics=[x]),
        "consultation entry": lambda x: st.submit_entry(r["consultation"], anna, x),
        "key question": lambda x: st.set_key_question(r["consultation"], x, participant_id=anna),
        "next step title": lambda x: st.add_next_step(r["entry"], x, participant_id=anna),
        "next step notes": lambda x: st.add_next_step(
            r["entry"], "Schritt", participant_id=anna, notes=x
        ),
        "table note": lambda x: st.submit_table_note(r["round"], anna, x),
        "review comment": lambda x: st.answer(m, r["finding"], anna, "comment", x),
        # What the facilitator types, often from what participants said.
        "participant name": lambda x: st.add_participant(x, meeting_id=m),
        "participant role": lambda x: st.add_participant("Eva", role=x),
        "corrected name": lambda x: st.update_participant(anna, name=x),
        "corrected role": lambda x: st.update_participant(anna, role=x),
        "challenge by facilitator": lambda x: st.add_challenge(m, x),
        "topic title": lambda x: st.add_topic(m, x),
        "topic description": lambda x: st.add_topic(m, "T", description=x),
        "entry by facilitator": lambda x: st.add_entry(r["consultation"], x),
        "consultation title": lambda x: st.add_consultation(m, x),
        "consultation key question": lambda x: st.add_consultation(m, "T", key_question=x),
        "table theme": lambda x: st.add_table(m, x),
        "table theme corrected": lambda x: st.update_table(r["table"], theme=x),
        "action title": lambda x: st.add_action(x, meeting_id=m),
        "action notes": lambda x: st.add_action("T", notes=x),
        "action note": lambda x: st.update_action(r["action"], note=x),
        "action title corrected": lambda x: st.update_action(r["action"], title=x),
        "finding title": lambda x: st.add_finding(x),
        "finding text": lambda x: st.add_finding("T", text=x),
        "finding addressee": lambda x: st.add_finding("T", addressee=x),
        "finding theme": lambda x: st.add_finding("T", theme=x),
        "finding corrected": lambda x: st.update_finding(r["finding"], text=x),
        "source note": lambda x: st.add_source(
            r["finding"], "consultation", r["consultation"], note=x
        ),
        "meeting title": lambda x: st.add_meeting(x),
        "meeting place": lambda x: st.add_meeting("T", place=x),
        "meeting corrected": lambda x: st.update_meeting(m, title=x),
        "agenda item": lambda x: st.add_agenda_item(m, x),
        "vote round title": lambda x: st.create_round(m, [r["topic"]], title=x),
        "workspace title": lambda x: st.update_info(title=x),
        "workspace description": lambda x: st.update_info(description=x),
        "municipality name": lambda x: st.add_municipality(x),
        "municipality source": lambda x: st.add_municipality("Zittau", source=x),
        "group name": lambda x: st.add_group("ost", x),
        "tie from data": lambda x: st.add_tie(r["home"], r["partner"], topic=x),
        "tie source": lambda x: st.add_tie(r["home"], r["partner"], source=x),
    }


def test_a_megabyte_in_any_text_field_is_refused_and_changes_nothing(room) -> None:
    store = room["store"]
    store.show_network(room["meeting"])
    store.show(room["meeting"], Screen.REVIEW)
    messages = {}
    for field, write in _writes(room).items():
        message = refused(store, lambda w=write: w(MEGABYTE), TextTooLong)
        assert "ist zu lang (1000000 Zeichen, höchstens" in message, (field, message)
        assert "nichts gespeichert" in message
        messages[field] = message
    assert len(messages) >= 40
    # Just within the bound is taken (the bound is the one of the limits module).
    store.submit_challenge(room["meeting"], room["anna"], "T" * limits.TITLE)


def test_ten_thousand_ties_in_one_click_are_refused(room) -> None:
    store = room["store"]
    store.show_network(room["meeting"])
    topics = [f"Thema {i}" for i in range(10_000)]
    message = refused(
        store,
        lambda: store.declare_ties(room["meeting"], room["anna"], room["partner"], topics=topics),
        TooManyItems,
    )
    assert message.startswith("Themen: 10000 auf einmal, höchstens 20.")
    # The bound itself is fine, and quick.
    started = time.perf_counter()
    ties = store.declare_ties(
        room["meeting"], room["anna"], room["partner"], topics=topics[: limits.TIES_PER_ACTION]
    )
    assert len(ties) == limits.TIES_PER_ACTION
    assert time.perf_counter() - started < 1.0


def test_ten_thousand_tags_and_overlong_tags_are_refused(room) -> None:
    store, m, anna = room["store"], room["meeting"], room["anna"]
    tags = [f"tag{i}" for i in range(10_000)]
    message = refused(store, lambda: store.submit_challenge(m, anna, "T", tags=tags), TooManyItems)
    assert message.startswith("Schlagworte: 10000 auf einmal, höchstens 20.")
    message = refused(
        store, lambda: store.submit_challenge(m, anna, "T", tags=["x" * 61]), TextTooLong
    )
    assert message.startswith("Schlagwort: ist zu lang (61 Zeichen, höchstens 60).")
    # The same keyword twenty thousand times is one keyword.
    challenge = store.submit_challenge(m, anna, "T", tags=["Tourismus"] * 20_000)
    assert challenge.tags == ("Tourismus",)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r["store"].create_round(r["meeting"], list(range(1, 10_002))),
        lambda r: r["store"].add_topic(r["meeting"], "T", challenge_ids=range(1, 10_002)),
        lambda r: r["store"].assign(r["round"], r["table"], range(1, 10_002)),
        lambda r: r["store"].seat(r["round"], {r["table"]: list(range(1, 10_002))}),
        lambda r: r["store"].set_finding_status(list(range(1, 10_002)), "review"),
        lambda r: r["store"].open_review(r["meeting"], range(1, 10_002)),
        lambda r: r["store"].set_roles(r["consultation"], dict.fromkeys(range(1, 10_002))),
        lambda r: r["store"].add_group("g", "G", municipality_ids=range(1, 20_002)),
    ],
    ids=["vote round", "topic", "assign", "seat", "findings", "review", "roles", "group"],
)
def test_every_list_argument_is_bounded(room, call) -> None:
    message = refused(room["store"], lambda: call(room), TooManyItems)
    assert "auf einmal, höchstens" in message


def test_a_double_click_on_join_makes_one_participant(room) -> None:
    store, code, m = room["store"], room["code"], room["meeting"]
    first = store.join(code, "Dora Neu", municipality_id=room["home"], page="page-1")
    again = store.join(code, "Dora Neu", municipality_id=room["home"], page="page-1")
    assert again == first
    # The same person from another device a moment later: the same participant and link.
    other_device = store.join(code, "  dora   NEU ", municipality_id=room["home"], page="page-2")
    assert other_device == first
    # Someone else of the same name from another town is someone else.
    namesake = store.join(code, "Dora Neu", page="page-3")
    assert namesake[0].id != first[0].id
    assert [p.name for p in store.participants(m)].count("Dora Neu") == 2


def test_thirty_forged_join_messages_from_one_page_make_one_participant(room) -> None:
    store, code, m = room["store"], room["code"], room["meeting"]
    before = len(store.participants(m))
    person, _token = store.join(code, "Erik Graf", page="forged")
    for i in range(30):
        message = refused(store, lambda i=i: store.join(code, f"Mensch {i}", page="forged"),
                          AlreadyJoined)  # fmt: skip
    assert message.startswith("Über diese Seite ist bereits Erik Graf beigetreten.")
    for _ in range(30):
        assert store.join(code, "Erik Graf", page="forged")[0] == person
    assert len(store.participants(m)) == before + 1


def test_the_join_window_ends_and_a_revoked_link_is_not_handed_out(room) -> None:
    store, code = room["store"], room["code"]
    first, token = store.join(code, "Frieda Lang", page="f-1")
    # Long after her join, someone of her name is a new participant (and gets no link of hers).
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=limits.JOIN_WINDOW_SECONDS + 5)
    with store.engine.begin() as c:
        c.execute(
            update(s.participant_link)
            .where(s.participant_link.c.token == token)
            .values(created_at=past)
        )
    later, later_token = store.join(code, "Frieda Lang", page="f-2")
    assert later.id != first.id and later_token != token
    # The facilitator revoked the link that page got: joining again from it is refused.
    store.renew_link(later.id)
    refused(store, lambda: store.join(code, "Frieda Lang", page="f-2"), AlreadyJoined)


def test_an_overlong_link_or_code_is_refused_without_a_query(room) -> None:
    from facilitation import UnknownJoinCode, UnknownLink

    store = room["store"]
    refused(store, lambda: store.participant_for_link(MEGABYTE), UnknownLink)
    refused(store, lambda: store.join(MEGABYTE, "Gerd"), UnknownJoinCode)
