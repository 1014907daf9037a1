"""A conference: 100 participant pages over two participant servers, on PostgreSQL.

Metrics, against the real ``facilitation serve --participant-servers 2`` on a
throw-away PostgreSQL server and real Chromium pages (half on each server):

- ``conference_live_p95_ms``: a probe dot committed -> the projector's DOM
  shows it, while the other participants vote (writer processes, a click
  every 2-4 s each) and every page follows the live tally.
- ``conference_queries_per_change``: database statements the page kernels
  ran per dot, per page (each kernel counts its own, ``FACILITATION_QUERY_COUNT``),
  over a series of single dots on a round whose tally is live: the costly case.
- ``conference_mem_per_page_mb``: RSS of the servers, the relay and every kernel
  (ready ones included), divided by the pages open.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import facilitation
from facilitation.models import Visibility

from ._common import (
    CLEANUP,
    ROOT,
    Result,
    browser,
    chromium_available,
    log,
    median,
    memory,
    p95,
    settle,
    start_facilitation,
    temp_dir,
)
from .live import PROBE_TOPIC, WAITING, WATCH_PROBE

METRICS = ("conference_live_p95_ms", "conference_queries_per_change", "conference_mem_per_page_mb")


def _voters(location, round_id, people, topics, seed, stop) -> None:
    """Several participants from one process, each clicking every 2-4 s."""
    from facilitation import VotingError

    rng = random.Random(seed)
    store = facilitation.open_workspace(location)
    due = {person: time.monotonic() + rng.uniform(0, 3) for person in people}
    while not stop.is_set():
        person = min(due, key=due.get)
        stop.wait(max(0.0, due[person] - time.monotonic()))
        try:
            if rng.random() < 0.6:
                store.place_dot(round_id, person, rng.choice(topics))
            else:
                store.take_back_dot(round_id, person, rng.choice(topics))
        except VotingError:
            pass
        due[person] = time.monotonic() + rng.uniform(2.0, 4.0)
    store.close()


def _queries(folder: Path) -> tuple[int, int]:
    """Statements counted by the page kernels so far, and how many kernels count."""
    total = kernels = 0
    for path in folder.glob("*.txt"):
        try:
            total += int(path.read_text() or 0)
            kernels += 1
        except (OSError, ValueError):
            pass
    return total, kernels


def measure(quick: bool = False) -> Iterator[Result]:
    missing = chromium_available()
    if missing:
        yield from (Result(m, None, "", None, f"not measured: {missing}") for m in METRICS)
        return
    sys.path.insert(0, str(ROOT))
    try:
        from tests._postgres import start_postgres

        server = start_postgres(temp_dir("conference-postgres"))
    except Exception as error:
        yield from (Result(m, None, "", None, f"no PostgreSQL server: {error}") for m in METRICS)
        return
    CLEANUP.add("postgresql", server.stop)
    pages_wanted = int(os.environ.get("FACILITATION_BENCH_CONFERENCE", "40" if quick else "100"))
    samples = 15 if quick else 40
    changes = 10 if quick else 20
    location = server.create_database("facilitation_conference")
    with facilitation.create_workspace(location, "Landeskonferenz") as store:
        meeting = store.add_meeting("Konferenz")
        store.set_current_meeting(meeting.id)
        people = [store.add_participant(f"Person {i}", meeting_id=meeting.id)
                  for i in range(pages_wanted)]  # fmt: skip
        links = [store.create_link(p.id) for p in people]
        topics = [store.add_topic(meeting.id, f"Thema {i}").id for i in range(6)]
        probe_topic = store.add_topic(meeting.id, PROBE_TOPIC).id
        vote_round = store.create_round(
            meeting.id, [*topics, probe_topic], title="Konferenzrunde", dots_per_person=3,
            max_per_topic=2, visibility=Visibility.LIVE,
        )  # fmt: skip
    counts = temp_dir("conference-queries")
    log(f"conference: facilitation serve, 2 participant servers, room of {pages_wanted}")
    served = start_facilitation(
        location, room=pages_wanted, participant_servers=2,
        env={"FACILITATION_QUERY_COUNT": str(counts)},
    )  # fmt: skip
    settle(served.process.pid, timeout=300)
    entries = [served.urls["participant"], served.urls["participant-2"]]
    with browser() as chromium:
        log(f"conference: opening {pages_wanted} participant pages")
        pages = []
        opened = time.monotonic()
        for batch in range(0, pages_wanted, 10):
            new = []
            for i, token in enumerate(links[batch : batch + 10], start=batch):
                page = chromium.new_context().new_page()
                page.goto(f"{entries[i % 2]}?p={token}", wait_until="commit")
                new.append(page)
            for page in new:
                page.get_by_text(WAITING).first.wait_for(timeout=300_000)
            pages += new
        log(f"conference: {len(pages)} pages usable after {time.monotonic() - opened:.0f} s")
        projector = chromium.new_context().new_page()
        projector.goto(served.urls["projector"])
        projector.get_by_text("Mitmachen unter").first.wait_for(timeout=120_000)
        store = facilitation.open_workspace(location)
        store.open_round(vote_round.id, show=True)
        for page in pages:
            page.get_by_text("Konferenzrunde").first.wait_for(timeout=120_000)
        projector.get_by_text("Konferenzrunde").first.wait_for(timeout=60_000)
        settle(served.process.pid, timeout=120, quiet=2.0)

        used = memory(served.process.pid)
        yield Result(
            "conference_mem_per_page_mb", used.rss / len(pages) / 1e6, "MB", None,
            f"RSS of 'facilitation serve', its relay, 4 Voila servers and {used.kernels} "
            f"kernels ({used.rss / 1e9:.2f} GB, PSS {used.pss / 1e9:.2f} GB) over "
            f"{len(pages)} participant pages on 2 servers and the projector",
        )  # fmt: skip

        log("conference: queries per change")
        time.sleep(2.0)
        before, kernels = _queries(counts)
        probe = people[0].id
        for i in range(changes):
            if i % 2 == 0:
                store.place_dot(vote_round.id, probe, probe_topic)
            else:
                store.take_back_dot(vote_round.id, probe, probe_topic)
            time.sleep(0.6)
        time.sleep(2.0)
        settle(served.process.pid, timeout=60, quiet=1.0)
        after, kernels = _queries(counts)
        per = (after - before) / changes / max(1, kernels)
        yield Result(
            "conference_queries_per_change", per, "queries/page", 2,
            f"{after - before} statements by {kernels} page kernels for {changes} single dots "
            f"(a live tally: every page shows it); read from each kernel's own count",
        )  # fmt: skip

        log("conference: dots while everyone votes")
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        others = [p.id for p in people[1:]]
        groups = [others[i::8] for i in range(8)]
        workers = [
            context.Process(target=_voters, daemon=True,
                            args=(location, vote_round.id, group, topics, 50 + n, stop))
            for n, group in enumerate(groups) if group
        ]  # fmt: skip

        def stop_workers() -> None:
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
                if worker.is_alive():
                    worker.terminate()

        callback = CLEANUP.add("conference writers", stop_workers)
        for worker in workers:
            worker.start()
        time.sleep(4.0)
        live: list[float] = []
        held = 0
        events_before = len(store.dot_events(vote_round.id))
        started = time.monotonic()
        for _ in range(samples):
            order = "place" if held == 0 else "take_back"
            held = 1 - held
            projector.evaluate(WATCH_PROBE, [PROBE_TOPIC, held])
            if order == "place":
                store.place_dot(vote_round.id, probe, probe_topic)
            else:
                store.take_back_dot(vote_round.id, probe, probe_topic)
            committed = time.time() * 1000
            seen = projector.wait_for_function(
                "() => window.__probe.at", timeout=60_000, polling=20
            ).json_value()
            live.append(seen - committed)
            time.sleep(random.uniform(0.2, 0.5))
        rate = (len(store.dot_events(vote_round.id)) - events_before) / (time.monotonic() - started)
        stop_workers()
        CLEANUP.remove(callback)
        store.close()
        yield Result(
            "conference_live_p95_ms", p95(live), "ms", 500,
            f"probe dot commit -> projector DOM, {len(live)} samples while {len(others)} "
            f"others vote ({rate:.0f} dots/s), {len(pages)} pages over 2 servers on "
            f"PostgreSQL; median {median(live):.0f} ms, max {max(live):.0f} ms",
        )  # fmt: skip
