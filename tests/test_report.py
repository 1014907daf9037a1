"""The protocol and the data exports, read back with the libraries people open them with.

One workspace serves the module: the shipped demo plus a third meeting that
holds every difficulty at once: a participant who did not consent to be named
(author, host, owner, case giver), a confidential consultation, ties in a vote,
a further round, a secret round never revealed, and participant text with
markup and spreadsheet formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest

import facilitation
from facilitation import MeetingNotFound, NoMeetingToReport, Store, network, network_io, voting
from facilitation import actions as follow_up
from facilitation.export import (
    FORMATS,
    NETWORK_FORMATS,
    OutputNotWritable,
    UnknownFormat,
    export,
    tables,
    write_xlsx,
)
from facilitation.i18n import language
from facilitation.report import (
    BarChart,
    Figure,
    Table,
    build_protocol,
    chart_image,
    clean_text,
)
from facilitation.shipped import load_demo

TODAY = dt.date(2026, 11, 19)

# Who did not consent, and what must never leave the workspace unless released.
HIDDEN_NAME = "Verena Geheimrat"
HIDDEN_EMAIL = "verena.geheimrat@example.org"
SECRET_TITLE = "Geheimberatung Wasserturm"
SECRET_QUESTION = "GEHEIMFRAGE-7731: Wie retten wir den Wasserturm?"
SECRET_IDEA = "GEHEIMIDEE-4410 Förderverein gründen"
SECRETS = (SECRET_TITLE, "GEHEIMFRAGE-7731", "GEHEIMIDEE-4410")

# Participant text that must stay text everywhere.
SCRIPT = "<script>window.pwned = 1</script>Gefahr im Verzug"
IMG = '<img src=x onerror="window.pwned = 2">'
FORMULA = '=HYPERLINK("http://evil.example/","Klick mich")'
MARKUP = (SCRIPT, IMG, FORMULA)


class Workshop:
    """The module's workspace and the ids the tests need."""

    def __init__(self, store: Store, path: Path) -> None:
        self.store = store
        self.path = path
        self.meeting = store.add_meeting(
            "Drittes Treffen: Wasser & <Energie>",
            date=dt.date(2026, 11, 18),
            place="Görlitz, Rathaus",
            format="forum",
        )
        m = self.meeting.id
        town = store.municipality_by_ags("14626110")  # Görlitz: no demo participant lives there
        assert town is not None
        self.hidden = store.add_participant(
            HIDDEN_NAME, role="Bürgermeisterin", municipality_id=town.id, email=HIDDEN_EMAIL,
            consent_named=False, meeting_id=m,
        )  # fmt: skip
        self.marked = store.add_participant(
            "Eva <b>Fett</b>", role="Kämmerin", consent_named=True, meeting_id=m
        )
        people = [p for p in store.participants() if p.id not in (self.hidden.id, self.marked.id)]
        for person in people:
            store.register(m, person.id)
        self.named = [p for p in people if p.consent_named]
        self.unnamed_demo = [p for p in people if not p.consent_named]
        store.add_agenda_item(m, "Begrüßung", starts_at=dt.time(9, 30), minutes=15)
        store.add_agenda_item(m, "Punktabfrage", starts_at=dt.time(9, 45), minutes=30)

        hidden_challenge = store.add_challenge(
            m, "Wasserturm am Bahnhof sanieren", description="Seit 1998 leer.",
            participant_id=self.hidden.id, tags=["Denkmal"],
        )  # fmt: skip
        markup_challenge = store.add_challenge(
            m, SCRIPT, description=IMG, participant_id=self.marked.id, tags=[FORMULA]
        )
        formula_challenge = store.add_challenge(
            m, FORMULA, description="+49 351 1234\n@SUMME(A1:A9)\n-Minus\x07 mit Klingel",
            participant_id=self.named[0].id,
        )  # fmt: skip
        math_challenge = store.add_challenge(
            m, "Kosten $5 bis $10 je Einwohner", participant_id=self.named[1].id
        )
        self.challenges = store.challenges(m)
        add = store.add_topic
        self.topic_a = add(m, "Wasser & <Energie>", challenge_ids=[hidden_challenge.id]).id
        self.topic_b = add(m, "Haushalt $x$", challenge_ids=[formula_challenge.id]).id
        self.topic_c = add(m, IMG, challenge_ids=[markup_challenge.id]).id
        self.topic_d = add(m, "Kosten je Einwohner", challenge_ids=[math_challenge.id]).id
        topics = [self.topic_a, self.topic_b, self.topic_c, self.topic_d]

        voters = self.named[:7]
        first = store.create_round(m, topics, title="Was zuerst?", dots_per_person=1)
        store.open_round(first.id)
        for person, topic in zip(voters, [0, 0, 0, 1, 1, 1, 2], strict=True):
            store.place_dot(first.id, person.id, topics[topic])
        store.take_back_dot(first.id, voters[6].id, topics[2])
        store.place_dot(first.id, voters[6].id, topics[2])
        store.close_round(first.id)
        store.reveal_round(first.id)
        further = store.further_round(first.id, 1, title="Stichrunde", dots_per_person=1)
        store.open_round(further.id)
        for person, topic in zip(
            voters[:3], [self.topic_a, self.topic_a, self.topic_b], strict=True
        ):
            store.place_dot(further.id, person.id, topic)
        store.close_round(further.id)
        store.reveal_round(further.id)
        secret = store.create_round(m, topics, title="Geheime Runde", dots_per_person=1)
        store.open_round(secret.id)
        store.place_dot(secret.id, voters[0].id, self.topic_d)
        store.close_round(secret.id)  # closed, never revealed
        self.first, self.further, self.secret = first.id, further.id, secret.id

        released = store.add_consultation(
            m, "Beratung Marktplatz", key_question="Wie beleben wir den Markt?",
            method="resonanzrunde", include_in_export=True,
        )  # fmt: skip
        store.set_role(released.id, self.hidden.id, "case_giver")
        store.set_role(released.id, self.named[2].id, "moderator")
        store.set_role(released.id, self.named[3].id, "consultant")
        store.set_role(released.id, self.unnamed_demo[0].id, "consultant")
        idea = store.add_entry(released.id, SCRIPT, participant_id=self.named[3].id)
        store.mark_taken(idea.id)
        store.add_entry(released.id, FORMULA, kind="question", participant_id=self.hidden.id)
        self.released = released.id

        secret_consultation = store.add_consultation(
            m, SECRET_TITLE, key_question=SECRET_QUESTION, method="kopfstand"
        )
        store.set_role(secret_consultation.id, self.named[4].id, "case_giver")
        store.add_entry(secret_consultation.id, SECRET_IDEA, participant_id=self.named[5].id)
        self.secret_consultation = secret_consultation.id

        table = store.add_table(m, "Energie & Wasser", host_id=self.hidden.id)
        table_round = store.add_table_round(m, minutes=25)
        store.assign(table_round.id, table.id, [self.hidden.id, self.named[0].id])
        store.add_table_note(
            table.id, FORMULA, round_id=table_round.id, participant_id=self.hidden.id
        )
        store.add_table_note(table.id, IMG, round_id=table_round.id)
        store.add_table_note(table.id, "Zweite Runde folgt", round_id=None)
        self.table = table.id

        görlitz, zittau = town.id, store.municipality_by_ags("14626610")
        assert zittau is not None
        self.new_tie = store.add_tie(
            görlitz, zittau.id, type="learns_from", topic="Wasserturm & <Denkmal>",
            meeting_id=m, declared_by=self.hidden.id,
        )  # fmt: skip

        self.hidden_action = store.add_action(
            "Aufgabe-Verena: Gutachten zum Wasserturm einholen", meeting_id=m,
            owner_id=self.hidden.id, due=dt.date(2026, 12, 15),
        )  # fmt: skip
        self.secret_action = store.add_action(
            "Förderverein vorbereiten", meeting_id=m, owner_id=self.named[4].id,
            origin="consultation", origin_id=secret_consultation.id,
        )  # fmt: skip
        self.formula_action = store.add_action(FORMULA, meeting_id=m, owner_id=self.named[0].id)
        store.add_action("Wasserkarte zeichnen", meeting_id=m, origin="table", origin_id=table.id)
        done_before = next(a for a in store.actions() if a.status.value == "done")
        store.update_action(done_before.id, status="done", note="bestätigt", meeting_id=m)
        self.reviewed_action = done_before


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    path = tmp_path_factory.mktemp("report") / "workshop.db"
    store = facilitation.create_workspace(path, "Peer-Learning Ostsachsen")
    load_demo(store)
    yield Workshop(store, path)
    store.close()


@pytest.fixture(scope="module")
def everything(workshop: Workshop, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every format of the third meeting, with names in the data where consented."""
    out = tmp_path_factory.mktemp("all")
    written = export(
        workshop.store, "all", out, meeting_id=workshop.meeting.id, names=True, today=TODAY
    )
    return {_kind(path): path for path in written} | {
        "csv_dir": out / "csv",
        "network_dir": out / "network",
    }


def _kind(path: Path) -> str:
    return path.suffix.lstrip(".") if path.suffix != ".csv" else f"csv:{path.stem}"


def _zip_text(path: Path) -> str:
    """Every part of a DOCX or XLSX file (document, tables, properties, headers), as text."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


def _docx_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _all_text(files: dict[str, Path]) -> dict[str, str]:
    texts = {
        "html": files["html"].read_text(encoding="utf-8"),
        "docx": _zip_text(files["docx"]),
        "xlsx": _zip_text(files["xlsx"]),
    }
    for path in files["csv_dir"].glob("*.csv"):
        texts[f"csv:{path.name}"] = path.read_text(encoding="utf-8-sig")
    for path in files["network_dir"].iterdir():
        texts[f"network:{path.name}"] = path.read_text(encoding="utf-8-sig")
    assert len(texts) > 30
    return texts


# --- the protocol as data ---------------------------------------------------------------


def test_protocol_holds_every_part_of_the_meeting(workshop: Workshop) -> None:
    store = workshop.store
    protocol = build_protocol(store, workshop.meeting.id, today=TODAY)
    assert [s.key for s in protocol.sections] == [
        "agenda", "participants", "challenges", "topics", "tables", "consultations",
        "network", "actions", "earlier_actions",
    ]  # fmt: skip
    text = protocol.plain_text()
    for challenge in store.challenges(workshop.meeting.id):
        assert clean_text(challenge.title) in text
    for person in workshop.named:
        assert person.name in text
    assert "Eva <b>Fett</b>" in text
    assert "18.11.2026" not in text and "Mittwoch, 18. November 2026" in text
    assert "Görlitz, Rathaus" in text
    assert "Arbeitstreffen des Forums" in text  # the meeting's format, in German
    assert "Resonanzrunde" in text
    assert "19.11.2026" in protocol.footer


def test_every_round_result_is_a_chart_and_a_table_with_ties_shown(workshop: Workshop) -> None:
    store = workshop.store
    protocol = build_protocol(store, workshop.meeting.id, today=TODAY)
    charts = protocol.charts()
    shown_rounds = [workshop.first, workshop.further]
    assert len(charts) == len(shown_rounds)
    titles = {t.id: t.title for t in store.topics(workshop.meeting.id)}
    for chart, round_id in zip(charts, shown_rounds, strict=True):
        vote_round = store.vote_round(round_id)
        ranks = voting.ranking(store.tally(round_id), vote_round.topic_ids)
        assert chart.labels == tuple(titles[r.topic_id] for r in ranks)
        assert chart.values == tuple(r.dots for r in ranks)
        assert chart.positions == tuple(r.position for r in ranks)
        assert chart.tied == tuple(r.tied for r in ranks)
        section = protocol.section(f"vote_round_{round_id}")
        assert section is not None and chart in section.blocks
        [table] = [b for b in section.blocks if hasattr(b, "rows")]
        assert [(row[1].text, int(row[2].text)) for row in table.rows] == list(
            zip(chart.labels, chart.values, strict=True)
        )
    # Round 1: three dots each on A and B, a shared first place said in words and marks.
    first = protocol.section(f"vote_round_{workshop.first}")
    assert first is not None
    assert charts[0].positions[:2] == (1, 1) and all(charts[0].tied[:2])
    tie = [b.text for b in first.blocks if getattr(b, "text", "").startswith("Gleichstand")]
    assert tie == [
        "Gleichstand auf Platz 1 (je 3 Punkte): „Wasser & <Energie>“ und „Haushalt $x$“."
    ]
    [table] = [b for b in first.blocks if hasattr(b, "rows")]
    assert [row[0].detail for row in table.rows[:2]] == ["geteilter Platz"] * 2
    further = protocol.section(f"vote_round_{workshop.further}")
    assert further is not None
    assert any("Weitere Runde über die führenden Themen von „Was zuerst?“" in t
               for t in protocol.plain_text().splitlines())  # fmt: skip


def test_the_network_section_shows_the_network_at_the_end_of_the_meeting(
    workshop: Workshop,
) -> None:
    store = workshop.store
    protocol = build_protocol(store, workshop.meeting.id, today=TODAY)
    section = protocol.section("network")
    assert section is not None
    [picture] = [b for b in section.blocks if isinstance(b, Figure)]
    assert picture.png.startswith(b"\x89PNG") and b"<svg" in picture.svg
    graph = network.cooperation_graph(
        store.municipalities(), store.ties(), until_meeting=workshop.meeting.id,
        meetings=store.meetings(), groups=store.groups(), isolates=False,
    )  # fmt: skip
    figures = network.summary(graph)
    tables_ = [b for b in section.blocks if isinstance(b, Table)]
    key = {row[0].text: row[1].text for row in tables_[0].rows}
    assert key["Kommunen"] == str(figures["municipalities"])
    assert key["Beziehungen"] == str(figures["ties"])
    assert key["Dichte"] == f"{figures['density']:.2f}".replace(".", ",")
    assert key["Meiste Beziehungen"] == ", ".join(figures["top_degree"])
    [row] = tables_[1].rows  # the one tie named in this meeting, without who named it
    assert (row[0].text, row[1].text, row[2].text) == (
        "Görlitz → Zittau",
        "lernt von",
        "Wasserturm & <Denkmal>",
    )
    assert f"{figures['ties']} Beziehungen, davon 1 in diesem Treffen" in protocol.plain_text()
    assert NETWORK_FORMATS == network_io.FORMATS
    assert build_protocol(store, workshop.meeting.id, network=False).section("network") is None


def test_a_secret_round_never_revealed_shows_no_result(workshop: Workshop) -> None:
    protocol = build_protocol(workshop.store, workshop.meeting.id)
    section = protocol.section(f"vote_round_{workshop.secret}")
    assert section is not None
    assert not [b for b in section.blocks if isinstance(b, BarChart) or hasattr(b, "rows")]
    assert "nicht aufgedeckt" in " ".join(getattr(b, "text", "") for b in section.blocks)


def test_the_protocol_speaks_english_when_asked(workshop: Workshop) -> None:
    protocol = build_protocol(workshop.store, workshop.meeting.id, lang="en", today=TODAY)
    headings = [s.heading for s in protocol.sections]
    assert headings[:4] == ["Agenda", "Participants", "Challenges", "Topics and priorities"]
    assert protocol.facts[0] == ("Date", "Wednesday, 18 November 2026")
    assert "Tie for place 1 (3 dots each)" in protocol.plain_text()
    assert "not named" in protocol.plain_text()
    german = build_protocol(workshop.store, workshop.meeting.id, lang="de")
    assert [s.heading for s in german.sections][:3] == [
        "Programm",
        "Teilnehmende",
        "Herausforderungen",
    ]


def test_earlier_actions_still_open_or_reviewed_here(workshop: Workshop) -> None:
    store = workshop.store
    protocol = build_protocol(store, workshop.meeting.id, today=TODAY)
    section = protocol.section("earlier_actions")
    assert section is not None
    [table] = section.blocks
    listed = {row[0].text for row in table.rows}
    earlier = [a for a in store.actions() if a.meeting_id not in (None, workshop.meeting.id)]
    expected = {a.title for a in earlier if a.status.value not in ("done", "dropped")} | {
        workshop.reviewed_action.title
    }
    assert listed == expected
    overdue = [row for row in table.rows if "überfällig" in row[4].text]
    assert overdue, "open actions due before the meeting are marked overdue"
    agreed = protocol.section("actions")
    assert agreed is not None
    owners = {row[0].text: row[1].text for row in agreed.blocks[0].rows}
    assert owners[workshop.hidden_action.title] == "nicht namentlich genannt"
    assert (
        owners[FORMULA]
        == f"{workshop.named[0].name}, "
        + store.municipality(workshop.named[0].municipality_id).name
    )


def test_an_action_of_no_meeting_is_up_for_review_in_the_protocol_as_on_the_page(
    tmp_path: Path,
) -> None:
    with facilitation.create_workspace(tmp_path / "direkt.db", "Direkt") as store:
        first = store.add_meeting("Erstes Treffen", date=dt.date(2026, 3, 1))
        second = store.add_meeting("Zweites Treffen", date=dt.date(2026, 6, 1))
        store.add_action("Brief an den Landkreis", due=dt.date(2026, 4, 1))  # entered directly
        store.add_action("Im ersten Treffen vereinbart", meeting_id=first.id)
        store.add_action("Erledigt, ohne Treffen", status="done")
        for meeting in (first, second):
            page = follow_up.review(
                store.actions(), store.action_updates(), meeting, store.meetings(), TODAY
            )
            section = build_protocol(store, meeting.id, lang="en", today=TODAY).section(
                "earlier_actions"
            )
            assert section is not None
            [table] = section.blocks
            assert [row[0].text for row in table.rows] == [a.title for a in page.due]
            assert "Brief an den Landkreis" in [row[0].text for row in table.rows]
        # no meeting: no "Agreed at" date, no origin; overdue as of the meeting's date
        row = next(row for row in table.rows if row[0].text == "Brief an den Landkreis")
        assert (row[0].detail, row[1].text, row[4].text) == ("", "", "to do (overdue)")


def test_a_workspace_without_meetings_has_no_protocol(tmp_path: Path) -> None:
    with facilitation.create_workspace(tmp_path / "leer.db", "Leer") as store:
        with pytest.raises(NoMeetingToReport):
            build_protocol(store)
        with pytest.raises(NoMeetingToReport):
            export(store, "html", tmp_path / "out")
        written = export(store, "all", tmp_path / "out")  # the data still go out
        assert ".xlsx" in {p.suffix for p in written}
        assert not {".html", ".docx"} & {p.suffix for p in written}


def test_a_meeting_with_nothing_recorded_says_so(tmp_path: Path) -> None:
    with facilitation.create_workspace(tmp_path / "neu.db", "Neu") as store:
        meeting = store.add_meeting("Nur ein Titel")
        protocol = build_protocol(store, meeting.id, lang="en")
        assert [s.key for s in protocol.sections] == ["empty"]
        assert "Nothing has been recorded for this meeting yet." in protocol.plain_text()
        assert protocol.facts == (("Format", "Peer-learning meeting"),)


def test_charts_draw_any_title_as_plain_text() -> None:
    chart = BarChart(
        title="$\\frac{1}{0}$ Ergebnis", labels=("Kosten $5 bis $10", "$x^{$", "<b>" * 30),
        values=(3, 3, 0), positions=(1, 1, 3), tied=(True, True, False),
        value_label="Punkte", tie_label="geteilter Platz",
    )  # fmt: skip
    png = chart_image(chart, "png")
    svg = chart_image(chart, "svg")
    assert png.startswith(b"\x89PNG")
    assert b"<svg" in svg and b"<script" not in svg


# --- Word ---------------------------------------------------------------------------------


def test_docx_has_real_headings_tables_and_charts(workshop: Workshop, everything) -> None:
    store = workshop.store
    protocol = build_protocol(store, workshop.meeting.id, today=TODAY)
    document = docx.Document(str(everything["docx"]))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", protocol.title)
    assert [text for style, text in headings if style == "Heading 1"] == [
        s.heading for s in protocol.sections
    ]
    assert ("Heading 2", "Punktabfrage 1: Was zuerst?") in headings
    assert ("Heading 2", "Beratung Marktplatz") in headings
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)

    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    flat = "\n".join("\t".join(row) for row in cells)
    for challenge in store.challenges(workshop.meeting.id):
        assert any(challenge.title == row[1].split("\n")[0] for row in cells if len(row) == 4), (
            challenge.title
        )
    for round_id in (workshop.first, workshop.further):
        vote_round = store.vote_round(round_id)
        titles = {t.id: t.title for t in store.topics(workshop.meeting.id)}
        for rank in voting.ranking(store.tally(round_id), vote_round.topic_ids):
            assert [titles[rank.topic_id], str(rank.dots)] in [
                row[1:] for row in cells if len(row) == 3
            ]
    for action in store.actions(meeting_id=workshop.meeting.id):
        assert action.title in flat
    owners = {row[0].split("\n")[0]: row[1] for row in cells if len(row) == 4}
    assert owners[workshop.hidden_action.title] == "nicht namentlich genannt"
    # Header rows repeat on every page; rows never split.
    header = document.tables[1].rows[0]._tr
    assert header.find(docx.oxml.ns.qn("w:trPr")).find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert len(document.inline_shapes) == len(protocol.charts()) + 1  # and the network
    assert document.core_properties.language == "de-DE"


# --- Excel --------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_record_kind_with_every_dot_and_tie(
    workshop: Workshop, tmp_path: Path
) -> None:
    store = workshop.store
    path = write_xlsx(store, tmp_path / "daten.xlsx")
    book = openpyxl.load_workbook(path)
    data = tables(store)
    assert book.sheetnames == ["info", *data]
    for name, rows in data.items():
        sheet = book[name]
        assert sheet.max_row == len(rows) + 1, name
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
    assert book["dot_events"].max_row - 1 == len(store.dot_events())
    assert book["ties"].max_row - 1 == len(store.ties())
    header = [c.value for c in book["dot_events"][1]]
    first = dict(zip(header, [c.value for c in book["dot_events"][2]], strict=True))
    event = store.dot_events()[0]
    assert (first["round_id"], first["participant_id"], first["action"], first["at"]) == (
        event.round_id,
        event.participant_id,
        event.action.value,
        event.at.isoformat(),
    )
    widths = [book["challenges"].column_dimensions[c].width for c in "ABCD"]
    assert all(8 <= w <= 62 for w in widths)
    results = book["vote_results"]
    rows = [
        dict(zip([c.value for c in results[1]], [c.value for c in r], strict=True))
        for r in results.iter_rows(min_row=2)
    ]
    ours = [r for r in rows if r["round_id"] == workshop.first]
    assert [(r["place"], r["tied"]) for r in ours[:2]] == [(1, True), (1, True)]


def test_xlsx_for_one_meeting_holds_only_that_meeting(workshop: Workshop, everything) -> None:
    book = openpyxl.load_workbook(everything["xlsx"])
    header = [c.value for c in book["challenges"][1]]
    column = header.index("meeting_id")
    assert {row[column].value for row in book["challenges"].iter_rows(min_row=2)} == {
        workshop.meeting.id
    }
    assert book["challenges"].max_row - 1 == len(workshop.store.challenges(workshop.meeting.id))


# --- who is named, what stays confidential, markup stays text -------------------------------


def test_a_participant_without_consent_appears_nowhere(workshop: Workshop, everything) -> None:
    hidden = [HIDDEN_NAME, HIDDEN_EMAIL, "Geheimrat", *(p.name for p in workshop.unnamed_demo)]
    for kind, text in _all_text(everything).items():
        for name in hidden:
            assert name not in text, (kind, name)
    # Not by the back door either: her town is not given for her challenge.
    protocol = build_protocol(workshop.store, workshop.meeting.id)
    [row] = [
        r
        for r in protocol.section("challenges").blocks[1].rows
        if r[1].text.startswith("Wasserturm")
    ]
    assert (row[2].text, row[2].detail) == ("nicht namentlich genannt", "")
    # The data hold her as a pseudonym: her records are there, her name is not.
    with (everything["csv_dir"] / "participants.csv").open(encoding="utf-8-sig") as f:
        people = {int(r["id"]): r for r in csv.DictReader(f)}
    assert people[workshop.hidden.id]["name"] == "" and people[workshop.hidden.id]["pseudonym"]


def test_an_anonymous_protocol_names_nobody(workshop: Workshop, tmp_path: Path) -> None:
    written = export(
        workshop.store, "html", tmp_path, meeting_id=workshop.meeting.id, anonymous=True
    )
    text = written[0].read_text(encoding="utf-8")
    for person in workshop.store.participants():
        assert person.name not in text and html.escape(person.name) not in text
    assert "nicht namentlich genannt" in text


def test_a_confidential_consultation_stays_inside_unless_included(
    workshop: Workshop, tmp_path: Path
) -> None:
    for kind, text in _all_text_of(workshop, tmp_path / "default").items():
        for secret in SECRETS:
            assert secret not in text, (kind, secret)
        if kind in ("html", "docx"):
            assert "Beratung Marktplatz" in text  # the released one is there
    assert (
        "1 kollegiale Beratung bleibt vertraulich"
        in build_protocol(workshop.store, workshop.meeting.id).plain_text()
    )
    # Its action is listed as an agreement, without the consultation's title.
    protocol = build_protocol(workshop.store, workshop.meeting.id)
    origins = {r[0].text: r[0].detail for r in protocol.section("actions").blocks[0].rows}
    assert origins["Förderverein vorbereiten"] == "Kollegiale Beratung"
    assert origins["Wasserkarte zeichnen"] == "Thementisch: Energie & Wasser"
    assert origins["Aufgabe-Verena: Gutachten zum Wasserturm einholen"] == ""

    included = _all_text_of(
        workshop, tmp_path / "included", include_confidential=[workshop.secret_consultation]
    )
    for kind, text in included.items():
        if kind in ("html", "docx", "xlsx", "csv:consultations.csv"):
            assert SECRET_TITLE in text, kind
    assert "GEHEIMIDEE-4410" in included["csv:consultation_entries.csv"]
    assert "GEHEIMFRAGE-7731" in included["html"]


def _all_text_of(workshop: Workshop, out: Path, **options) -> dict[str, str]:
    written = export(workshop.store, "all", out, meeting_id=workshop.meeting.id, **options)
    files = {_kind(path): path for path in written}
    files |= {"csv_dir": out / "csv", "network_dir": out / "network"}
    return _all_text(files)


def test_markup_and_formulas_are_text_in_the_html(everything) -> None:
    page = everything["html"].read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;Gefahr im Verzug" in page
    assert "&lt;img src=x onerror=&quot;window.pwned = 2&quot;&gt;" in page
    assert "Eva &lt;b&gt;Fett&lt;/b&gt;" in page
    assert "Content-Security-Policy" in page


def test_markup_and_formulas_are_text_in_word(everything) -> None:
    text = _docx_text(docx.Document(str(everything["docx"])))
    for piece in (*MARKUP, "Eva <b>Fett</b>", "+49 351 1234", "@SUMME(A1:A9)"):
        assert piece in text
    assert "\x07" not in text and "-Minus mit Klingel" in text


def test_markup_and_formulas_are_text_in_excel(everything) -> None:
    book = openpyxl.load_workbook(everything["xlsx"])
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    values = {
        cell.value: cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    for piece in (*MARKUP, "Eva <b>Fett</b>"):
        assert piece in values, piece
    assert values[FORMULA].quotePrefix  # Excel keeps it text even when the cell is edited
    assert values["+49 351 1234\n@SUMME(A1:A9)\n-Minus mit Klingel"].quotePrefix


def test_markup_and_formulas_are_kept_exactly_in_csv(workshop: Workshop, everything) -> None:
    with (everything["csv_dir"] / "challenges.csv").open(encoding="utf-8-sig") as f:
        rows = {int(r["id"]): r for r in csv.DictReader(f)}
    for challenge in workshop.store.challenges(workshop.meeting.id):
        assert rows[challenge.id]["title"] == challenge.title
        assert rows[challenge.id]["description"] == challenge.description


# --- the HTML in a real browser ---------------------------------------------------------------


def test_html_is_self_contained_runs_nothing_and_prints_on_a4(
    everything, browser, tmp_path: Path
) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(everything["html"].as_uri())
    assert requests == [everything["html"].as_uri()]  # no file, font or picture from outside
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.scripts.length") == 0
    sources = page.evaluate("[...document.images].map(i => i.src.slice(0, 15))")
    assert sources and all(s.startswith("data:image/") for s in sources)
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert SCRIPT in page.inner_text("body")
    assert page.locator("h2").all_inner_texts()[:3] == [
        "Programm",
        "Teilnehmende",
        "Herausforderungen",
    ]
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.close()
    assert pdf.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert boxes and all(
        abs(float(w) - 595.9) < 1.5 and abs(float(h) - 842.9) < 1.5 for w, h in boxes
    )
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 3
    (tmp_path / "protocol.pdf").write_bytes(pdf)


# --- the export entry point ---------------------------------------------------------------------


def test_export_reports_progress_and_returns_what_it_wrote(
    workshop: Workshop, tmp_path: Path
) -> None:
    steps: list[tuple[int, int, str]] = []
    written = export(
        workshop.store, "all", tmp_path, meeting_id=1, lang="en",
        progress=lambda *step: steps.append(step),
    )  # fmt: skip
    assert [s[0] for s in steps] == list(range(1, len(steps) + 1))
    assert {s[1] for s in steps} == {len(steps)} and len(steps) == 5 + len(NETWORK_FORMATS)
    assert steps[1][2] == "Writing the protocol (HTML)"
    assert steps[-1][2] == "Writing the network (kumu)"
    assert all(path.exists() for path in written)
    assert [p.suffix for p in written[:3]] == [".html", ".docx", ".xlsx"]
    assert written[0].name.startswith("Protocol_2026-06-17_")
    assert {p.parent for p in written[3:]} == {tmp_path / "csv", tmp_path / "network"}
    assert {p.suffix for p in written if p.parent.name == "network"} >= {
        ".graphml",
        ".gexf",
        ".net",
        ".dl",
        ".csv",
    }
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_export_all_reads_the_data_once_for_excel_and_csv(
    workshop: Workshop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facilitation.export as export_module

    calls: list[int | None] = []

    def counted(
        store: Store, *, names: bool, confidential: bool, meeting_id: int | None
    ) -> dict[str, list[dict[str, object]]]:
        calls.append(meeting_id)
        return tables(store, names=names, confidential=confidential, meeting_id=meeting_id)

    monkeypatch.setattr(export_module, "tables", counted)
    written = export(workshop.store, "all", tmp_path, meeting_id=1)
    assert calls == [1]
    assert {".xlsx", ".csv"} <= {p.suffix for p in written}


def test_export_errors_say_what_to_do(workshop: Workshop, tmp_path: Path) -> None:
    store = workshop.store
    with pytest.raises(MeetingNotFound) as missing:
        export(store, "html", tmp_path, meeting_id=99)
    with language("de"):
        assert "kein Treffen mit der Nummer 99" in str(missing.value)
        assert "Auftaktveranstaltung" in str(missing.value)
    with language("en"):
        assert str(missing.value).startswith("There is no meeting with the number 99")
    with pytest.raises(MeetingNotFound):
        tables(store, meeting_id=99)
    blocker = tmp_path / "datei.txt"
    blocker.write_text("im Weg", encoding="utf-8")
    with pytest.raises(OutputNotWritable) as blocked:
        export(store, "html", blocker)
    with language("de"):
        assert "datei.txt" in str(blocked.value) and "Datei gleichen Namens" in str(blocked.value)
    with pytest.raises(OutputNotWritable):
        export(store, "csv", blocker / "unter")
    with pytest.raises(UnknownFormat) as unknown:
        export(store, "pdf", tmp_path)
    with language("en"):
        assert ", ".join(FORMATS) in str(unknown.value)
    assert list(tmp_path.iterdir()) == [blocker]  # a failed export writes nothing
