"""How fast the live workshop reacts, with N participant pages open in real Chromium.

Measures, against the real ``facilitation serve`` and a fresh workspace:

- ``phase_switch_p95_ms``: the facilitator opens a vote round -> every participant
  page shows it (time of commit to the moment the page's DOM has it).
- ``live_p95_ms``: a challenge committed by a participant -> visible on the projector.

Each page records in the browser when the expected text appeared (a
MutationObserver with ``Date.now()``); the commit times are taken here, on the
same clock. Prints one JSON object per line. Usage:
``python benchmarks/live.py [--participants 30] [--samples 20]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

import facilitation
from facilitation import serve

ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage"]  # fmt: skip

# Installs an observer that notes (on the page's clock) when ``text`` first shows;
# returns at once, so every page can be armed before the change is committed.
WATCH = """(text) => {
  window.__seen = window.__seen || {};
  delete window.__seen[text];
  const seen = () => document.body && document.body.innerText.includes(text);
  if (seen()) { window.__seen[text] = Date.now(); return; }
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); window.__seen[text] = Date.now(); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def seen_at(page, text: str) -> float:
    """When ``text`` appeared on ``page`` (ms since the epoch), waiting for it."""
    found = page.wait_for_function(
        "(text) => window.__seen && window.__seen[text]", arg=text, timeout=60_000
    )
    return found.json_value()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def emit(metric: str, value: float, unit: str, goal: float, note: str) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 1), "unit": unit, "goal": goal,
                      "note": note}), flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--port", type=int, default=9866)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    workspace = folder / "live.db"
    with facilitation.create_workspace(workspace, "Messung") as store:
        meeting = store.add_meeting("Messung")
        store.set_current_meeting(meeting.id)
        people = [store.add_participant(f"Person {i}", meeting_id=meeting.id)
                  for i in range(args.participants)]  # fmt: skip
        links = [store.create_link(p.id) for p in people]
        topics = [store.add_topic(meeting.id, f"Thema {i}").id for i in range(6)]
        key = store.facilitator_key()

    with serve.start(str(workspace), key, port=args.port) as servers, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        # People arrive one after another (as in a room), each page in its own context.
        pages = []
        ready: list[float] = []
        for token in links:
            started = time.monotonic()
            page = browser.new_context().new_page()
            page.goto(f"{servers.urls['participant']}?p={token}", wait_until="commit")
            page.get_by_text("Die Moderation öffnet gleich").first.wait_for(timeout=120_000)
            ready.append(time.monotonic() - started)
            pages.append(page)
        projector = browser.new_page()
        projector.goto(servers.urls["projector"])
        projector.get_by_text("Mitmachen unter").first.wait_for(timeout=120_000)

        store = facilitation.open_workspace(workspace)
        # Phase switch: intake, then a vote round, each onto every page.
        switch: list[float] = []
        text = "Herausforderung einreichen"
        for page in pages:
            page.evaluate(WATCH, text)
        committed = time.time() * 1000
        store.show(meeting.id, "intake")
        switch += [seen_at(page, text) - committed for page in pages]
        vote_round = store.create_round(meeting.id, topics, title="Messrunde")
        store.open_round(vote_round.id)
        for page in pages:
            page.evaluate(WATCH, "Messrunde")
        committed = time.time() * 1000
        store.show(meeting.id, "vote", vote_round.id)
        switch += [seen_at(page, "Messrunde") - committed for page in pages]
        store.show(meeting.id, "intake")
        for page in pages:
            page.get_by_text("Herausforderung einreichen").first.wait_for(timeout=60_000)

        # A challenge committed -> on the projector.
        live: list[float] = []
        for i in range(args.samples):
            title = f"Messung {i} {time.time()}"
            projector.evaluate(WATCH, title)
            committed = time.time() * 1000
            store.submit_challenge(meeting.id, people[i % len(people)].id, title)
            live.append(seen_at(projector, title) - committed)
            time.sleep(0.1)
        store.close()
        browser.close()

    n = args.participants
    emit(
        "pages_ready_s",
        statistics.median(ready),
        "s",
        0,
        f"median of {n} participant pages opened one after another until usable; "
        f"slowest {max(ready):.1f} s",
    )
    emit(
        "phase_switch_p95_ms",
        p95(switch),
        "ms",
        1000,
        f"{n} pages, {len(switch)} page switches (intake, vote); "
        f"median {statistics.median(switch):.0f} ms",
    )
    emit("live_p95_ms", p95(live), "ms", 300,
         f"challenge commit -> projector DOM with {n} pages open, {len(live)} samples; "
         f"median {statistics.median(live):.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
