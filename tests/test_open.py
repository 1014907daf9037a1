"""Opening and creating workspaces: refusals that leave files untouched, and migrations."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import shutil
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import facilitation
from facilitation import (
    DatabaseUnavailable,
    InvalidInput,
    NotAWorkspace,
    Store,
    WorkspaceDamaged,
    WorkspaceError,
    WorkspaceExists,
    WorkspaceNotFound,
    WorkspaceTooNew,
)
from facilitation.i18n import language
from facilitation.models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Challenge,
    Consultation,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    DotAction,
    DotEvent,
    EntryKind,
    Group,
    Meeting,
    MeetingFormat,
    Municipality,
    Participant,
    RoleAssignment,
    TableAssignment,
    TableNote,
    TableRound,
    ThemedTable,
    Tie,
    TieType,
    Topic,
    Visibility,
    VoteRound,
    VoteState,
)
from facilitation.store import HEAD, REVISIONS
from facilitation.store._open import create
from facilitation.store._schema import metadata as schema_metadata

FIRST = "0001_initial"


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    """Messages in German, the default language, whatever the environment says."""
    with language("de"):
        yield


# --- helpers ----------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry of ``folder`` (one level down too) with the hash of its bytes."""
    found: dict[str, Any] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            found[entry.name] = snapshot(entry)
        else:
            found[entry.name] = sha256(entry)
    return found


def add_some_data(store: Store) -> None:
    place = store.add_municipality("Görlitz", ags="14626110", state="SN")
    meeting = store.add_meeting("Auftakt", date=dt.date(2026, 3, 12), place="Görlitz")
    for i in range(40):
        store.add_participant(
            f"Teilnehmerin {i} " + "x" * 150, municipality_id=place.id, meeting_id=meeting.id
        )
    store.add_challenge(meeting.id, "Fachkräfte halten", description="y" * 3000)


@pytest.fixture(scope="module")
def workspace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real, closed workspace with some data, to be copied by the tests."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    with facilitation.create_workspace(path, "Vorlage") as store:
        add_some_data(store)
    assert sorted(p.name for p in path.parent.iterdir()) == ["template.db"]
    return path


# --- files that are not workspaces -------------------------------------------------


def _missing(folder: Path, template: Path) -> Path:
    return folder / "nicht-da.db"


def _folder(folder: Path, template: Path) -> Path:
    target = folder / "ordner.db"
    target.mkdir()
    (target / "inhalt.txt").write_text("etwas")
    return target


def _write(name: str, content: bytes) -> Callable[[Path, Path], Path]:
    def make(folder: Path, template: Path) -> Path:
        target = folder / name
        target.write_bytes(content)
        return target

    return make


def _truncated(size: Callable[[int], int]) -> Callable[[Path, Path], Path]:
    def make(folder: Path, template: Path) -> Path:
        target = folder / "abgeschnitten.db"
        shutil.copyfile(template, target)
        with target.open("r+b") as f:
            f.truncate(size(template.stat().st_size))
        return target

    return make


def _foreign(folder: Path, template: Path) -> Path:
    target = folder / "kunden.db"
    with contextlib.closing(sqlite3.connect(target)) as connection:
        connection.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO customer (name) VALUES ('Müller GmbH')")
        connection.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        connection.commit()
    return target


def _too_new(folder: Path, template: Path) -> Path:
    target = folder / "zukunft.db"
    shutil.copyfile(template, target)
    with contextlib.closing(sqlite3.connect(target)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
        connection.commit()
    return target


def _two_versions(folder: Path, template: Path) -> Path:
    target = folder / "zwei.db"
    shutil.copyfile(template, target)
    with contextlib.closing(sqlite3.connect(target)) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0001_initial')")
        connection.commit()
    return target


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"\x00" * 500
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + os.urandom(2000)

# (id, how to make it, error class, words of the reason in German and in English)
BAD_FILES = [
    ("missing", _missing, WorkspaceNotFound, "keinen Arbeitsbereich", "no workspace"),
    ("folder", _folder, NotAWorkspace, "es ist ein Ordner", "it is a folder"),
    ("empty", _write("leer.db", b""), NotAWorkspace, "die Datei ist leer", "the file is empty"),
    ("random", _write("zufall.db", b"\x00\xff" + os.urandom(9_998)), NotAWorkspace,
     "ihr Inhalt ist keine SQLite-Datenbank", "its content is not an SQLite database"),
    ("json", _write("daten.json", json.dumps({"Kommune": "Görlitz", "Punkte": [1, 2]}).encode()),
     NotAWorkspace, "sie enthält JSON-Text", "it contains JSON text"),
    ("json-list", _write("liste.db", b'  [{"a": 1}]'), NotAWorkspace, "JSON-Text", "JSON text"),
    ("text", _write("notizen.txt", "Protokoll: Treffen in Görlitz\nÄußerungen …\n".encode()),
     NotAWorkspace, "es ist eine Textdatei", "it is a text file"),
    ("pdf", _write("bericht.pdf", PDF), NotAWorkspace, "PDF-Dokument", "PDF document"),
    ("zip", _write("tabelle.xlsx", ZIP), NotAWorkspace, "ZIP-Archiv", "ZIP archive"),
    ("sqlite-header-only", _write("kopf.db", b"SQLite format"), WorkspaceDamaged,
     "die Datei endet nach 13 Bytes", "the file ends after 13 bytes"),
    ("truncated-half", _truncated(lambda size: size // 2), WorkspaceDamaged,
     "die Datei ist abgeschnitten", "the file is cut short"),
    ("truncated-page", _truncated(lambda size: 4096), WorkspaceDamaged,
     "die Datei ist abgeschnitten", "the file is cut short"),
    ("truncated-odd", _truncated(lambda size: size - 1000), WorkspaceDamaged,
     "die Datei ist abgeschnitten", "the file is cut short"),
    ("truncated-50", _truncated(lambda size: 50), WorkspaceDamaged,
     "die Datei endet nach 50 Bytes", "the file ends after 50 bytes"),
    ("foreign-sqlite", _foreign, NotAWorkspace,
     "SQLite-Datenbank eines anderen Programms", "SQLite database of another program"),
    ("too-new", _too_new, WorkspaceTooNew, "neueren Version", "newer version"),
    ("two-versions", _two_versions, WorkspaceDamaged,
     "Schemaversion ist unklar", "schema version is unclear"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "error_class", "reason_de", "reason_en"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_file_that_is_no_workspace_is_refused_and_left_untouched(
    tmp_path, workspace_file, make, error_class, reason_de, reason_en
):
    folder = tmp_path / "ablage"
    folder.mkdir()
    target = make(folder, workspace_file)
    before = snapshot(folder)

    with pytest.raises(error_class) as caught:
        facilitation.open_workspace(target)

    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, WorkspaceError)
    shown = str(target.resolve())
    german, english = str(error), error.message("en")
    assert shown in german and shown in english
    assert reason_de in german
    assert reason_en in english
    assert german != english
    assert snapshot(folder) == before  # same bytes, no -wal, -shm or backup files


def test_too_new_names_both_revisions(tmp_path, workspace_file):
    target = _too_new(tmp_path, workspace_file)
    with pytest.raises(WorkspaceTooNew) as caught:
        facilitation.open_workspace(target)
    assert "0099_future" in str(caught.value)
    assert HEAD in str(caught.value)
    assert caught.value.details["found"] == "0099_future"
    assert caught.value.details["known"] == HEAD


def test_a_file_given_as_sqlite_url_is_examined_the_same_way(tmp_path):
    target = tmp_path / "notizen.db"
    target.write_text("nur Text\n")
    before = snapshot(tmp_path)
    with pytest.raises(NotAWorkspace):
        facilitation.open_workspace(f"sqlite:///{target}")
    assert snapshot(tmp_path) == before


def test_a_workspace_that_was_not_closed_cleanly_still_opens(tmp_path, workspace_file):
    # A -wal file next to the workspace (another process has it open): examined read-only.
    target = tmp_path / "offen.db"
    shutil.copyfile(workspace_file, target)
    with facilitation.open_workspace(target) as first:
        first.add_meeting("Zweites Treffen")
        assert target.with_name("offen.db-wal").exists()
        with facilitation.open_workspace(target) as second:
            assert "Zweites Treffen" in [m.title for m in second.meetings()]


# --- creating -----------------------------------------------------------------------


@pytest.mark.parametrize("existing", ["text", "workspace"])
def test_create_workspace_on_an_existing_file_is_refused(tmp_path, workspace_file, existing):
    target = tmp_path / "vorhanden.db"
    if existing == "text":
        target.write_text("Bitte nicht überschreiben\n")
    else:
        shutil.copyfile(workspace_file, target)
    before = snapshot(tmp_path)
    with pytest.raises(WorkspaceExists) as caught:
        facilitation.create_workspace(target, "Neu")
    assert str(target.resolve()) in str(caught.value)
    assert str(target.resolve()) in caught.value.message("en")
    assert "bereits eine Datei" in str(caught.value)
    assert snapshot(tmp_path) == before  # no temporary files left either


@pytest.mark.parametrize("title", ["", "   ", None])
def test_create_workspace_needs_a_title(tmp_path, title):
    with pytest.raises(InvalidInput) as caught:
        facilitation.create_workspace(tmp_path / "neu.db", title)
    assert str(caught.value) == "Titel: darf nicht leer sein"
    assert caught.value.message("en") == "Title: must not be empty"
    assert list(tmp_path.iterdir()) == []


def test_create_workspace_makes_missing_folders_and_leaves_one_file(tmp_path):
    target = tmp_path / "neu" / "unter" / "ostsachsen.db"
    with facilitation.create_workspace(target, "Ostsachsen", "Peer-Learning") as store:
        info = store.info()
        assert (info.title, info.description) == ("Ostsachsen", "Peer-Learning")
        assert info.created_at.tzinfo is dt.UTC
        assert len(store.facilitator_key()) >= 20
        assert store.location == str(target.resolve())
    assert sorted(p.name for p in target.parent.iterdir()) == ["ostsachsen.db"]
    with facilitation.open_workspace(target) as store:
        assert store.info() == info


def test_sqlite_workspace_is_in_wal_mode_with_foreign_keys(tmp_path):
    target = tmp_path / "wal.db"
    facilitation.create_workspace(target, "WAL").close()
    with contextlib.closing(sqlite3.connect(target)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # kept in the file
    for store in (facilitation.create_workspace(tmp_path / "wal2.db", "WAL"),
                  facilitation.open_workspace(target)):  # fmt: skip
        with store:
            with store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO participant (name, role, municipality_id, consent_named, "
                        "created_at) VALUES ('X', '', 999, 0, '2026-01-01 00:00:00')"
                    )
                )
            assert store.participants() == []


def test_one_workspace_opened_twice_at_the_same_time(location):
    facilitation.create_workspace(location, "Zweimal").close()
    with facilitation.open_workspace(location) as one, facilitation.open_workspace(location) as two:
        meeting = one.add_meeting("Auftakt")
        person = two.add_participant("Anna", meeting_id=meeting.id)
        assert two.meetings() == [meeting]
        assert one.participants(meeting.id) == [person]
        assert one.info() == two.info()


# --- PostgreSQL ---------------------------------------------------------------------


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_empty_database_is_not_found(postgres_url):
    with pytest.raises(WorkspaceNotFound) as caught:
        facilitation.open_workspace(postgres_url)
    database = sa.engine.make_url(postgres_url).database
    assert database in str(caught.value)
    assert database in caught.value.message("en")
    assert "keinen Arbeitsbereich" in str(caught.value)
    assert _tables(postgres_url) == set()  # nothing was created


@pytest.mark.postgres
def test_postgres_database_of_another_program_is_refused(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customer (id SERIAL PRIMARY KEY, name TEXT)")
        connection.exec_driver_sql("INSERT INTO customer (name) VALUES ('Müller GmbH')")
    engine.dispose()
    with pytest.raises(NotAWorkspace) as caught:
        facilitation.open_workspace(postgres_url)
    database = sa.engine.make_url(postgres_url).database
    assert database in str(caught.value)
    assert "Tabellen eines anderen Programms" in str(caught.value)
    assert "tables of another program" in caught.value.message("en")
    assert _tables(postgres_url) == {"customer"}
    with pytest.raises(NotAWorkspace):
        facilitation.create_workspace(postgres_url, "Trotzdem")
    assert _tables(postgres_url) == {"customer"}


@pytest.mark.postgres
def test_postgres_workspace_exists_and_one_from_a_newer_version_is_refused(postgres_url):
    facilitation.create_workspace(postgres_url, "Zukunft").close()
    with pytest.raises(WorkspaceExists) as caught:
        facilitation.create_workspace(postgres_url, "Noch einmal")
    assert sa.engine.make_url(postgres_url).database in str(caught.value)
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_future'")
    engine.dispose()
    with pytest.raises(WorkspaceTooNew) as caught:
        facilitation.open_workspace(postgres_url)
    assert "0099_future" in str(caught.value)
    assert "0099_future" in caught.value.message("en")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg"])
def test_unreachable_database_hides_the_password(scheme):
    url = f"{scheme}://facilitator:Geheim-Passwort-42@127.0.0.1:{_closed_port()}/ostsachsen"
    with pytest.raises(DatabaseUnavailable) as caught:
        facilitation.open_workspace(url)
    error = caught.value
    texts = [str(error), error.message("en"), error.message("de"), repr(error), *error.args]
    for text in texts:
        assert "Geheim-Passwort-42" not in text
    assert "facilitator:***@127.0.0.1" in str(error)
    assert "ostsachsen" in error.message("en")
    assert "nicht erreichbar" in str(error)
    assert "cannot be reached" in error.message("en")
    assert error.details["reason"]  # the server's own words
    with pytest.raises(DatabaseUnavailable) as caught:
        facilitation.create_workspace(url, "Neu")
    assert "Geheim-Passwort-42" not in str(caught.value)


# --- migrations ----------------------------------------------------------------------


def test_revisions_are_the_alembic_chain():
    config = Config()
    config.set_main_option("script_location", "facilitation.store:migrations")
    script = ScriptDirectory.from_config(config)
    chain = [revision.revision for revision in script.walk_revisions()][::-1]
    assert tuple(chain) == REVISIONS
    assert script.get_heads() == [HEAD]
    assert REVISIONS[0] == FIRST
    assert script.get_revision(FIRST).down_revision is None
    for older, newer in itertools.pairwise(REVISIONS):
        assert script.get_revision(newer).down_revision == older


def _schema_diff(engine: sa.Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, schema_metadata)


def test_a_new_workspace_has_exactly_the_schema_of_the_code(fresh_store):
    assert _schema_diff(fresh_store.engine) == []
    with fresh_store.engine.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    assert versions == [(HEAD,)]


T = dt.datetime(2025, 5, 6, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T + dt.timedelta(minutes=minutes)


def fill_first_revision(engine: sa.Engine) -> dict[str, Any]:
    """Rows of every table the first revision has, written as that version wrote them."""
    tables = sa.MetaData()
    tables.reflect(engine)
    filled: set[str] = set()

    def add(connection: sa.Connection, table_name: str, /, **values: Any) -> int | None:
        filled.add(table_name)
        table = tables.tables[table_name]
        result = connection.execute(table.insert().values(**values))
        return result.inserted_primary_key[0] if "id" in table.c else None

    with engine.begin() as c:
        m1 = add(
            c,
            "municipality",
            name="Görlitz",
            ags="14626110",
            state="SN",
            district="Görlitz",
            latitude=51.1528,
            longitude=14.9872,
            population=55784,
            population_date=dt.date(2023, 12, 31),
            source="Destatis",
        )
        m2 = add(
            c,
            "municipality",
            name="Weißwasser/O.L.",
            ags="14626610",
            state="SN",
            district="Görlitz",
            latitude=51.5,
            longitude=14.63,
            population=15800,
            source="",
        )
        group = add(c, "municipality_group", key="ostsachsen", name="Ostsachsen", kind="region")
        add(c, "group_member", group_id=group, municipality_id=m1)
        add(c, "group_member", group_id=group, municipality_id=m2)
        meeting = add(
            c,
            "meeting",
            title="Auftakt",
            date=dt.date(2025, 5, 6),
            place="Görlitz",
            format="forum",
            host_municipality_id=m1,
            created_at=_at(0),
        )
        a1 = add(
            c,
            "agenda_item",
            meeting_id=meeting,
            position=1,
            title="Begrüßung",
            starts_at=dt.time(9, 30),
            minutes=15,
            kind="talk",
        )
        a2 = add(
            c,
            "agenda_item",
            meeting_id=meeting,
            position=2,
            title="Punktabfrage",
            starts_at=None,
            minutes=None,
            kind="vote",
        )
        anna = add(
            c,
            "participant",
            name="Anna Schmidt",
            role="Bürgermeisterin",
            municipality_id=m1,
            email="anna@goerlitz.example",
            consent_named=True,
            created_at=_at(1),
        )
        bernd = add(
            c,
            "participant",
            name="Bernd <b>Müller</b>",
            role="",
            municipality_id=m2,
            email=None,
            consent_named=False,
            created_at=_at(2),
        )
        add(c, "meeting_participant", meeting_id=meeting, participant_id=anna)
        add(c, "meeting_participant", meeting_id=meeting, participant_id=bernd)
        challenge = add(
            c,
            "challenge",
            meeting_id=meeting,
            title="Leerstand in der Innenstadt",
            description="Läden stehen leer.",
            participant_id=anna,
            municipality_id=m1,
            created_at=_at(3),
        )
        add(c, "challenge_tag", challenge_id=challenge, tag="Innenstadt")
        add(c, "challenge_tag", challenge_id=challenge, tag="Demografie")
        t1 = add(
            c,
            "topic",
            meeting_id=meeting,
            title="Innenstädte beleben",
            description="",
            created_at=_at(4),
        )
        t2 = add(
            c,
            "topic",
            meeting_id=meeting,
            title="Fachkräfte",
            description="Verwaltung",
            created_at=_at(5),
        )
        add(c, "topic_challenge", topic_id=t1, challenge_id=challenge)
        vote = add(
            c,
            "vote_round",
            meeting_id=meeting,
            title="1",
            dots_per_person=2,
            max_per_topic=2,
            visibility="live",
            state="closed",
            parent_round_id=None,
            timer_seconds=300,
            created_at=_at(6),
            opened_at=_at(7),
            closed_at=_at(12),
            revealed_at=None,
        )
        add(c, "round_topic", round_id=vote, topic_id=t1, position=0)
        add(c, "round_topic", round_id=vote, topic_id=t2, position=1)
        dots = [
            (anna, t1, "place", 8),
            (anna, t2, "place", 9),
            (anna, t2, "take_back", 10),
            (bernd, t1, "place", 11),
        ]
        dot_ids = [
            add(
                c,
                "dot_event",
                round_id=vote,
                participant_id=p,
                topic_id=t,
                action=a,
                at=_at(minute),
            )
            for p, t, a, minute in dots
        ]
        consultation = add(
            c,
            "consultation",
            meeting_id=meeting,
            title="Fall Görlitz",
            variant="fliegende_werkstatt",
            key_question="Wie halten wir Läden?",
            method="kopfstand",
            phase="consultation",
            phase_started_at=_at(20),
            confidential=True,
            include_in_export=False,
            created_at=_at(13),
        )
        for phase, minutes in (
            ("casting", 5),
            ("case_account", 12),
            ("key_question", 5),
            ("method_choice", 5),
            ("consultation", 20),
            ("closing", 5),
        ):
            add(
                c,
                "consultation_phase_plan",
                consultation_id=consultation,
                phase=phase,
                minutes=minutes,
            )
        add(
            c,
            "consultation_role",
            consultation_id=consultation,
            participant_id=anna,
            role="case_giver",
        )
        add(
            c,
            "consultation_role",
            consultation_id=consultation,
            participant_id=bernd,
            role="consultant",
        )
        entry = add(
            c,
            "consultation_entry",
            consultation_id=consultation,
            participant_id=bernd,
            phase="consultation",
            kind="idea",
            text="Zwischennutzung <i>anbieten</i>",
            taken=True,
            created_at=_at(21),
        )
        tie = add(
            c,
            "tie",
            source_id=m2,
            target_id=m1,
            type="learns_from",
            topic="Demografie",
            weight=2.5,
            directed=True,
            meeting_id=meeting,
            declared_by=bernd,
            source="Erhebung 2025",
            created_at=_at(22),
        )
        action = add(
            c,
            "action_item",
            title="Leerstandskataster anlegen",
            meeting_id=meeting,
            owner_id=anna,
            due=dt.date(2025, 9, 30),
            status="in_progress",
            origin="consultation",
            origin_id=consultation,
            notes="mit IHK",
            created_at=_at(23),
            updated_at=_at(24),
        )
        update = add(
            c,
            "action_update",
            action_id=action,
            status="in_progress",
            note="begonnen",
            meeting_id=meeting,
            at=_at(24),
        )
        table1 = add(
            c, "themed_table", meeting_id=meeting, theme="Wohnen", host_id=anna, position=0
        )
        table2 = add(
            c, "themed_table", meeting_id=meeting, theme="Mobilität", host_id=None, position=1
        )
        table_round = add(
            c,
            "table_round",
            meeting_id=meeting,
            number=1,
            minutes=30,
            started_at=_at(30),
            ended_at=_at(60),
        )
        add(c, "table_assignment", round_id=table_round, table_id=table2, participant_id=bernd)
        note = add(c, "table_note", table_id=table2, round_id=table_round,
                   participant_id=bernd, text="Rufbus ausbauen", created_at=_at(40))  # fmt: skip

    every_table = set(tables.tables) - {"alembic_version", "workspace"}
    assert filled == every_table, "fill every table of the first revision"

    return {
        "municipalities": [
            Municipality(id=m1, name="Görlitz", ags="14626110", state="SN", district="Görlitz",
                         latitude=51.1528, longitude=14.9872, population=55784,
                         population_date=dt.date(2023, 12, 31), source="Destatis"),
            Municipality(id=m2, name="Weißwasser/O.L.", ags="14626610", state="SN",
                         district="Görlitz", latitude=51.5, longitude=14.63, population=15800),
        ],
        "groups": [Group(id=group, key="ostsachsen", name="Ostsachsen", kind="region",
                         municipality_ids=(m1, m2))],
        "meetings": [Meeting(id=meeting, title="Auftakt", date=dt.date(2025, 5, 6),
                             place="Görlitz", format=MeetingFormat.FORUM,
                             host_municipality_id=m1, created_at=_at(0))],
        "agenda": [
            AgendaItem(id=a1, meeting_id=meeting, position=1, title="Begrüßung",
                       starts_at=dt.time(9, 30), minutes=15, kind="talk"),
            AgendaItem(id=a2, meeting_id=meeting, position=2, title="Punktabfrage", kind="vote"),
        ],
        "participants": [
            Participant(id=anna, name="Anna Schmidt", role="Bürgermeisterin", municipality_id=m1,
                        email="anna@goerlitz.example", consent_named=True, created_at=_at(1)),
            Participant(id=bernd, name="Bernd <b>Müller</b>", municipality_id=m2,
                        created_at=_at(2)),
        ],
        "challenges": [Challenge(id=challenge, meeting_id=meeting,
                                 title="Leerstand in der Innenstadt",
                                 description="Läden stehen leer.", participant_id=anna,
                                 municipality_id=m1, tags=("Demografie", "Innenstadt"),
                                 created_at=_at(3))],
        "topics": [
            Topic(id=t1, meeting_id=meeting, title="Innenstädte beleben",
                  challenge_ids=(challenge,), created_at=_at(4)),
            Topic(id=t2, meeting_id=meeting, title="Fachkräfte", description="Verwaltung",
                  created_at=_at(5)),
        ],
        "vote_rounds": [VoteRound(id=vote, meeting_id=meeting, title="1", topic_ids=(t1, t2),
                                  dots_per_person=2, max_per_topic=2, visibility=Visibility.LIVE,
                                  state=VoteState.CLOSED, timer_seconds=300, created_at=_at(6),
                                  opened_at=_at(7), closed_at=_at(12))],
        "dot_events": [
            DotEvent(id=i, round_id=vote, participant_id=p, topic_id=t, action=DotAction(a),
                     at=_at(minute))
            for i, (p, t, a, minute) in zip(dot_ids, dots, strict=True)
        ],
        "tally": {t1: 2, t2: 0},
        "consultations": [Consultation(
            id=consultation, meeting_id=meeting, title="Fall Görlitz",
            variant="fliegende_werkstatt", key_question="Wie halten wir Läden?",
            method="kopfstand", phase=ConsultationPhase.CONSULTATION,
            phase_started_at=_at(20),
            phase_minutes={"casting": 5, "case_account": 12, "key_question": 5,
                           "method_choice": 5, "consultation": 20, "closing": 5},
            confidential=True, include_in_export=False, created_at=_at(13),
        )],
        "roles": [
            RoleAssignment(consultation_id=consultation, participant_id=anna,
                           role=ConsultationRole.CASE_GIVER),
            RoleAssignment(consultation_id=consultation, participant_id=bernd,
                           role=ConsultationRole.CONSULTANT),
        ],
        "entries": [ConsultationEntry(id=entry, consultation_id=consultation,
                                      participant_id=bernd, phase=ConsultationPhase.CONSULTATION,
                                      kind=EntryKind.IDEA, text="Zwischennutzung <i>anbieten</i>",
                                      taken=True, created_at=_at(21))],
        "ties": [Tie(id=tie, source_id=m2, target_id=m1, type=TieType.LEARNS_FROM,
                     topic="Demografie", weight=2.5, directed=True, meeting_id=meeting,
                     declared_by=bernd, source="Erhebung 2025", created_at=_at(22))],
        "actions": [ActionItem(id=action, title="Leerstandskataster anlegen", meeting_id=meeting,
                               owner_id=anna, due=dt.date(2025, 9, 30),
                               status=ActionStatus.IN_PROGRESS, origin="consultation",
                               origin_id=consultation, notes="mit IHK", created_at=_at(23),
                               updated_at=_at(24))],
        "action_updates": [ActionUpdate(id=update, action_id=action,
                                        status=ActionStatus.IN_PROGRESS, note="begonnen",
                                        meeting_id=meeting, at=_at(24))],
        "tables": [
            ThemedTable(id=table1, meeting_id=meeting, theme="Wohnen", host_id=anna, position=0),
            ThemedTable(id=table2, meeting_id=meeting, theme="Mobilität", position=1),
        ],
        "table_rounds": [TableRound(id=table_round, meeting_id=meeting, number=1, minutes=30,
                                    started_at=_at(30), ended_at=_at(60))],
        "assignments": [TableAssignment(round_id=table_round, table_id=table2,
                                        participant_id=bernd)],
        "table_notes": [TableNote(id=note, table_id=table2, round_id=table_round,
                                  participant_id=bernd, text="Rufbus ausbauen",
                                  created_at=_at(40))],
    }  # fmt: skip


def read_back(store: Store) -> dict[str, Any]:
    """The same records as :func:`fill_first_revision` returns, read through the store."""
    (meeting,) = store.meetings()
    (vote,) = store.vote_rounds()
    (consultation,) = store.consultations()
    (table_round,) = store.table_rounds(meeting.id)
    return {
        "municipalities": store.municipalities(),
        "groups": store.groups(),
        "meetings": [meeting],
        "agenda": store.agenda(meeting.id),
        "participants": store.participants(meeting.id),
        "challenges": store.challenges(),
        "topics": store.topics(),
        "vote_rounds": [vote],
        "dot_events": store.dot_events(),
        "tally": store.tally(vote.id),
        "consultations": [consultation],
        "roles": store.roles(consultation.id),
        "entries": store.entries(consultation.id),
        "ties": store.ties(),
        "actions": store.actions(),
        "action_updates": store.action_updates(),
        "tables": store.tables(meeting.id),
        "table_rounds": [table_round],
        "assignments": store.assignments(table_round.id),
        "table_notes": [n for t in store.tables(meeting.id) for n in store.table_notes(t.id)],
    }


def dump(
    engine: sa.Engine, columns: dict[str, list[str]] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the database gives it (workspace and version aside).

    With ``columns``, only those tables and columns (later revisions add columns).
    """
    tables = sa.MetaData()
    tables.reflect(engine)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name, table in tables.tables.items():
            if name in ("alembic_version", "workspace"):
                continue
            if columns is not None and name not in columns:
                continue
            chosen = [table.c[c] for c in columns[name]] if columns is not None else [table]
            rows[name] = sorted(
                (tuple(row) for row in connection.execute(sa.select(*chosen))), key=repr
            )
    return rows


def _reflected(engine: sa.Engine) -> sa.MetaData:
    tables = sa.MetaData()
    tables.reflect(engine)
    return tables


def test_upgrade_from_the_first_revision_keeps_every_record(location):
    engine = create(location, "Ostsachsen", "Peer-Learning 2025", revision=FIRST)
    try:
        with engine.connect() as connection:
            assert sa.inspect(connection).get_table_names().count("participant_link") == 0
            assert "facilitator_key" not in {
                column["name"] for column in sa.inspect(connection).get_columns("workspace")
            }
        expected = fill_first_revision(engine)
        before = dump(engine)
        first_columns = {
            name: [c.name for c in table.columns]
            for name, table in _reflected(engine).tables.items()
            if name in before
        }
    finally:
        engine.dispose()

    with facilitation.open_workspace(location) as store:
        assert read_back(store) == expected
        info = store.info()
        assert (info.title, info.description) == ("Ostsachsen", "Peer-Learning 2025")
        key = store.facilitator_key()
        assert isinstance(key, str) and len(key) >= 20
        after = dump(store.engine, columns=first_columns)
        assert after == before
        assert _schema_diff(store.engine) == []
        # the upgraded workspace takes new records, including those of the new revision
        (meeting,) = store.meetings()
        newcomer = store.add_participant("Clara Neu", meeting_id=meeting.id)
        assert store.participant_for_link(store.create_link(newcomer.id)) == newcomer
        (note,) = expected["table_notes"]
        assert note.withdrawn_at is None
        assert store.withdraw_table_note(note.id).withdrawn_at is not None  # revision 0005

    with facilitation.open_workspace(location) as again:  # at the head: nothing more to do
        assert again.facilitator_key() == key
        assert len(again.participants()) == 3


def test_upgrade_of_a_file_leaves_a_backup_that_opens_as_a_workspace(tmp_path):
    path = tmp_path / "ostsachsen.db"
    engine = create(path, "Ostsachsen", revision=FIRST)
    try:
        expected = fill_first_revision(engine)
    finally:
        engine.dispose()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ostsachsen.db"]
    original = sha256(path)

    facilitation.open_workspace(path).close()

    backups = sorted(tmp_path.glob("ostsachsen.before-upgrade-0001_initial-*.db"))
    assert len(backups) == 1
    (backup,) = backups
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ostsachsen.db", backup.name])
    assert sha256(path) != original  # the workspace itself was upgraded
    with contextlib.closing(sqlite3.connect(f"file:{backup}?immutable=1", uri=True)) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(FIRST,)]
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("SELECT count(*) FROM dot_event").fetchone() == (4,)

    # opening again does not make another backup
    facilitation.open_workspace(path).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ostsachsen.db", backup.name])

    # the backup is a workspace of its own (opening it upgrades that copy)
    copy = tmp_path / "kopie" / "backup.db"
    copy.parent.mkdir()
    shutil.copyfile(backup, copy)
    with facilitation.open_workspace(copy) as store:
        assert read_back(store) == expected
        assert store.info().title == "Ostsachsen"


def test_a_new_workspace_does_not_take_in_the_journal_of_a_deleted_one(tmp_path: Path) -> None:
    """A facilitator deletes ``w.db`` but not ``w.db-wal`` (a file manager shows it apart)
    and makes a new workspace of the same name: the old journal must not come back in it."""
    path = tmp_path / "w.db"
    old = facilitation.create_workspace(path, "Alte Reihe")
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the changes stay in the journal
    old.add_meeting("Altes Treffen")
    journal = Path(f"{path}-wal").read_bytes()
    assert journal  # what the old workspace still held in its journal
    old.close()
    writer.close()
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        name.unlink(missing_ok=True)
    Path(f"{path}-wal").write_bytes(journal)  # left behind

    with facilitation.create_workspace(path, "Neue Reihe") as new:
        assert new.meetings() == []
    with facilitation.open_workspace(path) as again:
        assert again.meetings() == []
