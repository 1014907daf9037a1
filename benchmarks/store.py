"""Thirty processes placing and taking back dots on one workspace, as thirty browser tabs do.

Metrics: ``store_dots_per_s``, ``store_lost``, ``store_violations`` (SQLite) and
``store_pg_dots_per_s`` (PostgreSQL, a throw-away server started with the
machine's ``initdb``). Each process is a real OS process with its own
connection; 20 people vote from 30 tabs, so 10 vote from two tabs at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import facilitation
from facilitation import VotingError

from ._common import CLEANUP, ROOT, Result, log, temp_dir

METRICS = ("store_dots_per_s", "store_lost", "store_violations", "store_pg_dots_per_s")
PROCESSES = 30
PEOPLE = 20
TOPICS = 7
DOTS = 3
CAP = 2


def _voter(location, round_id, participant_id, seed, attempts, start, results) -> None:
    """One tab: ``attempts`` random clicks on "place" and "take back", as fast as it can."""
    rng = random.Random(seed)
    accepted: list[tuple[int, str, int]] = []
    refused = 0
    failures: list[str] = []
    began = ended = 0.0
    try:
        if "write-lock" in os.environ.get("FACILITATION_BENCH_PROPOSAL", ""):
            from benchmarks.proposals.sitecustomize import write_lock

            write_lock()
        store = facilitation.open_workspace(location)
        vote_round = store.vote_round(round_id)
        start.wait(timeout=120)
        began = time.time()
        for _ in range(attempts):
            topic = rng.choice(vote_round.topic_ids)
            try:
                if rng.random() < 0.65:
                    event = store.place_dot(round_id, participant_id, topic)
                else:
                    event = store.take_back_dot(round_id, participant_id, topic)
                accepted.append((event.id, event.action.value, topic))
            except VotingError:
                refused += 1
        ended = time.time()
        store.close()
    except Exception:
        failures.append(traceback.format_exc())
    results.put((participant_id, accepted, refused, failures, began, ended))


def run_voters(location: str, attempts: int) -> dict:
    """Let ``PROCESSES`` tabs vote at once; what they did and what the store kept."""
    store = facilitation.create_workspace(location, "Gleichzeitig abstimmen")
    meeting = store.add_meeting("Auftakt")
    people = [store.add_participant(f"Person {i}", meeting_id=meeting.id).id for i in range(PEOPLE)]
    topics = [store.add_topic(meeting.id, f"Thema {i}").id for i in range(TOPICS)]
    vote_round = store.create_round(meeting.id, topics, dots_per_person=DOTS, max_per_topic=CAP)
    store.open_round(vote_round.id)

    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    tabs = [
        context.Process(
            target=_voter,
            args=(location, vote_round.id, people[i % PEOPLE], 1000 + i, attempts, start, results),
            daemon=True,
        )
        for i in range(PROCESSES)
    ]

    def stop_tabs() -> None:
        for tab in tabs:
            if tab.is_alive():
                tab.terminate()
        deadline = time.monotonic() + 10  # for all of them together
        for tab in tabs:
            tab.join(timeout=max(0.1, deadline - time.monotonic()))

    callback = CLEANUP.add("voter processes", stop_tabs)
    for tab in tabs:
        tab.start()
    time.sleep(1.0)
    start.set()
    reports = [results.get(timeout=600) for _ in tabs]
    stop_tabs()
    CLEANUP.remove(callback)

    failures = [failure for report in reports for failure in report[3]]
    accepted = {event_id: (person, action, topic) for person, events, *_ in reports
                for event_id, action, topic in events}  # fmt: skip
    calls = sum(len(r[1]) + r[2] for r in reports)
    # No process that started (all failed): no rate; _line reports the failures instead.
    began = min((r[4] for r in reports if r[4]), default=0.0)
    ended = max((r[5] for r in reports if r[5]), default=0.0)
    events = store.dot_events(vote_round.id)
    kept = {e.id: (e.participant_id, e.action.value, e.topic_id) for e in events}
    lost = len(set(accepted) - set(kept)) + len(set(kept) - set(accepted))
    lost += sum(1 for i in set(kept) & set(accepted) if kept[i] != accepted[i])
    violations = 0
    held: dict[int, Counter[int]] = {}
    for event in events:  # in commit order
        mine = held.setdefault(event.participant_id, Counter())
        mine[event.topic_id] += event.delta
        if mine[event.topic_id] < 0 or mine[event.topic_id] > CAP or sum(mine.values()) > DOTS:
            violations += 1
    expected = Counter({topic: 0 for topic in topics})
    for _, action, topic in accepted.values():
        expected[topic] += 1 if action == "place" else -1
    if store.tally(vote_round.id) != dict(expected):
        violations += 1
    store.close()
    return {
        "seconds": ended - began,
        "calls": calls,
        "accepted": len(accepted),
        "lost": lost,
        "violations": violations,
        "failures": failures,
    }


def _line(metric: str, found: dict, where: str) -> Result:
    if found["failures"]:
        first = found["failures"][0].strip().splitlines()[-1]
        return Result(metric, None, "dots/s", 2000,
                      f"{len(found['failures'])} processes failed: {first}")  # fmt: skip
    rate = found["calls"] / found["seconds"]
    proposal = os.environ.get("FACILITATION_BENCH_PROPOSAL", "")
    where += f" WITH PROPOSAL {proposal}" if "write-lock" in proposal else ""
    return Result(
        metric, rate, "dots/s", 2000,
        f"{where}: {PROCESSES} processes, {found['calls']} place/take-back calls (each a "
        f"transaction that checks the limits) in {found['seconds']:.2f} s; "
        f"{found['accepted']} accepted ({found['accepted'] / found['seconds']:.0f}/s), "
        "the rest refused by the limits",
    )  # fmt: skip


def measure(quick: bool = False) -> Iterator[Result]:
    # The same length in --quick: with fewer calls per process the figure measures
    # how the 30 processes start (one stuck in SQLite's busy handler for a second
    # halves it), not how fast the store takes dots. It runs in about 15 s either way.
    attempts = 150
    log("store: 30 processes on SQLite")
    folder = temp_dir("store")
    found = run_voters(str(folder / "store.db"), attempts)
    yield _line("store_dots_per_s", found, "SQLite (WAL)")
    failed = bool(found["failures"])
    yield Result("store_lost", None if failed else found["lost"], "dots", 0,
                          "accepted calls missing from the store plus stored events nobody "
                          "was told about")  # fmt: skip
    yield Result("store_violations", None if failed else found["violations"], "dots", 0,
                          "moments someone held more than allowed (replayed in commit order), "
                          "plus 1 if the tally differs from the accepted calls")  # fmt: skip
    yield _postgres(attempts)


def _postgres(attempts: int) -> Result:
    import sys

    sys.path.insert(0, str(ROOT))
    try:
        from tests._postgres import start_postgres
    except ImportError as error:
        return Result("store_pg_dots_per_s", None, "dots/s", 2000,
                      f"skipped: tests/_postgres.py not importable ({error})")  # fmt: skip
    log("store: starting a throw-away PostgreSQL server")
    try:
        server = start_postgres(temp_dir("postgres"))
    except Exception as error:
        return Result("store_pg_dots_per_s", None, "dots/s", 2000,
                      f"skipped: no PostgreSQL server could be started ({error})")  # fmt: skip
    CLEANUP.add("postgresql", server.stop)
    url = server.create_database("facilitation_bench")
    log(f"store: 30 processes on PostgreSQL, {PAGES} pages watching through a relay")
    with _watching(url, "relay"):
        found = run_voters(url, attempts)
    result = _line("store_pg_dots_per_s", found, "PostgreSQL (local, fsync off)")
    result.note += (
        f"; meanwhile {PAGES} pages watch as under 'serve' (one relay LISTENs, the pages "
        "read its feed)"
    )
    if not found["failures"] and (found["lost"] or found["violations"]):
        result.note += f"; LOST {found['lost']}, VIOLATIONS {found['violations']}"
    if not found["failures"]:
        log(f"store: the same with {PAGES} pages each LISTENing (as before the relay)")
        url = server.create_database("facilitation_bench_listen")
        with _watching(url, "listen"):
            before = run_voters(url, attempts)
        if not before["failures"]:
            rate = before["calls"] / before["seconds"]
            now = found["calls"] / found["seconds"]
            result.note += (
                f"; with {PAGES} LISTENing pages instead: {rate:.0f} dots/s "
                f"(the relay: {now / rate:.2f}x)"
            )
    return result


PAGES = 100  # pages that watch the workspace while the voters vote


def _watch(location: str, how: str, count: int, ready, stop) -> None:
    """``count`` pages that follow the workspace as kernels do, in threads of one process."""
    import tempfile
    import threading

    from facilitation.store._engine import make_engine
    from facilitation.store._watch import ChangeWatcher, relay

    engine = make_engine(location)
    threads = []
    if how == "relay":
        feed = Path(tempfile.mkdtemp(prefix="bench-feed-")) / "changes.json"
        halt = threading.Event()
        threads.append(threading.Thread(target=relay, args=(location, feed),
                                        kwargs={"stop": halt}, daemon=True))  # fmt: skip
        threads[0].start()
        while not feed.exists():
            time.sleep(0.05)
        watchers = [ChangeWatcher(engine, feed=feed) for _ in range(count)]
    else:
        watchers = [ChangeWatcher(engine) for _ in range(count)]

    def follow(watcher) -> None:
        while not stop.is_set():
            if how == "relay":
                watcher.changes()
            else:
                watcher.changed()  # drain the notifications, as a listening kernel must
            time.sleep(0.15)

    for watcher in watchers:
        thread = threading.Thread(target=follow, args=(watcher,), daemon=True)
        thread.start()
    ready.set()
    stop.wait()
    if how == "relay":
        halt.set()
    for watcher in watchers:
        watcher.close()


@contextlib.contextmanager
def _watching(location: str, how: str) -> Iterator[None]:
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    process = context.Process(target=_watch, args=(location, how, PAGES, ready, stop),
                              daemon=True)  # fmt: skip
    process.start()
    callback = CLEANUP.add("watching pages", process.terminate)
    try:
        ready.wait(timeout=120)
        yield
    finally:
        stop.set()
        process.join(timeout=15)
        if process.is_alive():
            process.terminate()
        CLEANUP.remove(callback)
