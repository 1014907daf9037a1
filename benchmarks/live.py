"""A live workshop room: 30 participant pages and the projector open in real Chromium.

Metrics, against the real ``facilitation serve`` and a fresh workspace:

- ``laptop_mem_30_gb``: the servers and all their kernels once 30 participants
  have their pages open (pool kernels included: they are on the laptop too).
- ``phase_switch_p95_ms``: the facilitator opens a vote round (committed to the
  store as her page does) -> every participant page shows it.
- ``live_p95_ms``: a dot committed by a participant process -> the projector's
  DOM shows it, while 30 writer processes vote at once.

Pages note in the browser when the expected text appeared (a MutationObserver
and ``Date.now()``); commit times are taken by the committing process, on the
same clock.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Iterator

import facilitation
from facilitation.models import Visibility

from ._common import (
    CLEANUP,
    CpuWindow,
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

# What the observers watch: screens are shown and hidden with style changes.
OPTIONS = "{subtree: true, childList: true, characterData: true, attributes: true}"
METRICS = ("laptop_mem_30_gb", "phase_switch_p95_ms", "live_p95_ms")
PARTICIPANTS = int(os.environ.get("FACILITATION_BENCH_PARTICIPANTS", "30"))  # 30; fewer to debug
PROBE_TOPIC = "Messpunkt"
WAITING = "Die Moderation öffnet gleich"
INTAKE = "Herausforderung einreichen"

# Notes (Date.now()) when ``text`` first shows on the page; returns at once.
WATCH_TEXT = """(text) => {
  window.__seen = window.__seen || {};
  delete window.__seen[text];
  const seen = () => document.body && document.body.innerText.includes(text);
  if (seen()) { window.__seen[text] = Date.now(); return; }
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); window.__seen[text] = Date.now(); }
  });
  observer.observe(document.body, OPTIONS);
}""".replace("OPTIONS", OPTIONS)

# On the projector: notes when the probe topic's count in the ranking becomes ``want``.
WATCH_PROBE = """([topic, want]) => {
  const count = () => {
    for (const row of document.querySelectorAll("table.fac-ranking tr")) {
      const cells = row.querySelectorAll("td");
      if (cells.length >= 3 && cells[1].textContent.trim().startsWith(topic)) {
        return parseInt(cells[2].textContent, 10);
      }
    }
    return null;
  };
  window.__probe = {want: want, at: null};
  if (window.__probeObserver) window.__probeObserver.disconnect();
  const check = () => {
    if (window.__probe.at === null && count() === window.__probe.want) {
      window.__probe.at = Date.now();
    }
  };
  window.__probeObserver = new MutationObserver(check);
  window.__probeObserver.observe(document.body, OPTIONS);
  check();
}""".replace("OPTIONS", OPTIONS)


def _seen_at(page, text: str, timeout: float = 60_000) -> float:
    return page.wait_for_function(
        "(text) => window.__seen && window.__seen[text]", arg=text, timeout=timeout, polling=50
    ).json_value()


def _voter(location, round_id, participant_id, topics, seed, stop) -> None:
    """A participant clicking at a brisk human pace (one click every 0.5-1.5 s) until stopped."""
    from facilitation import VotingError

    rng = random.Random(seed)
    store = facilitation.open_workspace(location)
    while not stop.is_set():
        topic = rng.choice(topics)
        try:
            if rng.random() < 0.6:
                store.place_dot(round_id, participant_id, topic)
            else:
                store.take_back_dot(round_id, participant_id, topic)
        except VotingError:
            pass
        stop.wait(rng.uniform(0.5, 1.5))
    store.close()


def _probe(location, round_id, participant_id, topic, orders, answers) -> None:
    """The measured participant: on each order, place or take back one dot; answer the time."""
    store = facilitation.open_workspace(location)
    while True:
        order = orders.get()
        if order is None:
            break
        if order == "place":
            store.place_dot(round_id, participant_id, topic)
        else:
            store.take_back_dot(round_id, participant_id, topic)
        answers.put(time.time() * 1000)
    store.close()


def measure(quick: bool = False) -> Iterator[Result]:
    missing = chromium_available()
    if missing:
        yield from (Result(m, None, "", None, f"not measured: {missing}") for m in METRICS)
        return
    switches = 3 if quick else 6
    samples = 20 if quick else 60

    location = str(temp_dir("live") / "live.db")
    with facilitation.create_workspace(location, "Peer-Learning Ostsachsen") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        people = [store.add_participant(f"Person {i}", meeting_id=meeting.id)
                  for i in range(PARTICIPANTS)]  # fmt: skip
        links = [store.create_link(p.id) for p in people]
        topics = [store.add_topic(meeting.id, f"Thema {i}").id for i in range(6)]
        probe_topic = store.add_topic(meeting.id, PROBE_TOPIC).id
    # Pages wait on the intake screen, or (proposal "prebuilt-vote") on the waiting
    # screen, where the participant page already builds a prepared round ahead.
    prebuilt = "prebuilt-vote" in os.environ.get("FACILITATION_BENCH_PROPOSAL", "")
    before, before_text = ("waiting", WAITING) if prebuilt else ("intake", INTAKE)

    log("live: starting facilitation serve")
    served = start_facilitation(location)
    settle(served.process.pid, timeout=120)
    with browser() as chromium:
        log(f"live: opening {PARTICIPANTS} participant pages")
        pages = []
        opened = time.monotonic()
        for batch in range(0, PARTICIPANTS, 6):
            new = []
            for token in links[batch : batch + 6]:
                page = chromium.new_context().new_page()
                page.goto(f"{served.urls['participant']}?p={token}", wait_until="commit")
                new.append(page)
            for page in new:
                page.get_by_text(WAITING).first.wait_for(timeout=180_000)
            pages += new
        log(f"live: {PARTICIPANTS} pages usable after {time.monotonic() - opened:.0f} s")
        projector = chromium.new_context().new_page()
        projector.goto(served.urls["projector"])
        projector.get_by_text("Mitmachen unter").first.wait_for(timeout=120_000)

        settle(served.process.pid, timeout=120, quiet=2.0)
        used = memory(served.process.pid)
        yield Result(
            "laptop_mem_30_gb", used.rss / 1e9, "GB", 2.5,
            f"RSS summed over 'facilitation serve', its 3 Voila servers "
            f"({used.other_rss / 1e6:.0f} MB) and all {used.kernels} kernels "
            f"({used.kernel_rss / used.kernels / 2**20:.0f} MiB each on average; ready ones "
            f"included) with {PARTICIPANTS} participants and the projector open; PSS (shared "
            f"pages counted once) {used.pss / 1e9:.2f} GB",
        )  # fmt: skip

        store = facilitation.open_workspace(location)
        log("live: phase switches")
        switch: list[float] = []
        cpu: list[str] = []
        for i in range(switches):
            store.show(meeting.id, before)
            for page in pages:
                page.get_by_text(before_text).first.wait_for(timeout=60_000)
            # The facilitator prepares the round while the pages show ``before``.
            vote_round = store.create_round(
                meeting.id, [*topics, probe_topic], title=f"Messrunde {i + 1}",
                dots_per_person=3, max_per_topic=2, visibility=Visibility.LIVE,
            )  # fmt: skip
            settle(served.process.pid, timeout=60, quiet=1.0)
            for page in pages:
                page.evaluate(WATCH_TEXT, vote_round.title)
            window = CpuWindow(served.process.pid)
            store.open_round(vote_round.id)
            store.show(meeting.id, "vote", vote_round.id)
            committed = time.time() * 1000
            for i, page in enumerate(pages):
                try:
                    switch.append(_seen_at(page, vote_round.title) - committed)
                except Exception:
                    log(
                        f"live: page {i} did not show {vote_round.title}: "
                        f"{page.inner_text('body')[:300]!r}"
                    )
                    raise
            cpu.append(window.summary())
        yield Result(
            "phase_switch_p95_ms", p95(switch), "ms", 1000,
            f"{PARTICIPANTS} pages x {switches} rounds opened ({before} -> vote); median "
            f"{median(switch):.0f} ms, max {max(switch):.0f} ms; last switch: {cpu[-1]}",
        )  # fmt: skip

        log("live: dots while 30 participants vote")
        projector.get_by_text(vote_round.title).first.wait_for(timeout=60_000)
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        orders, answers = context.Queue(), context.Queue()
        probe = context.Process(
            target=_probe,
            args=(location, vote_round.id, people[0].id, probe_topic, orders, answers),
            daemon=True,
        )
        voters = [
            context.Process(
                target=_voter,
                args=(location, vote_round.id, person.id, topics, 100 + i, stop),
                daemon=True,
            )
            for i, person in enumerate(people[1:])
        ]
        workers = [probe, *voters]

        def stop_workers() -> None:
            stop.set()
            orders.put(None)
            deadline = time.monotonic() + 10  # for all of them together
            for worker in workers:
                worker.join(timeout=max(0.1, deadline - time.monotonic()))
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
                    worker.join(timeout=5)

        callback = CLEANUP.add("live writer processes", stop_workers)
        for worker in workers:
            worker.start()
        time.sleep(3.0)  # every voter is clicking
        live: list[float] = []
        held = 0
        window = CpuWindow(served.process.pid)
        for _ in range(samples):
            order = "place" if held == 0 else "take_back"
            held = 1 - held
            projector.evaluate(WATCH_PROBE, [PROBE_TOPIC, held])
            orders.put(order)
            committed = answers.get(timeout=60)
            seen = projector.wait_for_function(
                "() => window.__probe.at", timeout=60_000, polling=20
            ).json_value()
            live.append(seen - committed)
            time.sleep(random.uniform(0.1, 0.4))
        used = window.summary()
        stop_workers()
        CLEANUP.remove(callback)
        events = len(store.dot_events(vote_round.id))
        store.close()
        yield Result(
            "live_p95_ms", p95(live), "ms", 300,
            f"probe dot commit -> projector DOM, {len(live)} samples while 29 other "
            f"participants click every 0.5-1.5 s ({events} dot events), {PARTICIPANTS} "
            f"participant pages open; median {median(live):.0f} ms, max {max(live):.0f} ms; "
            f"{used}",
        )  # fmt: skip
