"""A participant page against bare Voila: time to usable, bytes, kernel memory, a burst of 30.

Metrics: ``page_tti_s``, ``page_tti_ratio``, ``page_bytes_mb``, ``kernel_rss_ratio``,
``burst30_s``. Both servers run at the same time and pages are loaded in turns
(bare, ours, bare, ours, ...) so that the machine's noise hits both alike.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
import urllib.request
from collections.abc import Iterator

import facilitation

from ._common import (
    Result,
    browser,
    chromium_available,
    kernel_process,
    log,
    median,
    settle,
    shutdown_kernel,
    start_bare_voila,
    start_facilitation,
    temp_dir,
)

METRICS = ("page_tti_s", "page_tti_ratio", "page_bytes_mb", "kernel_rss_ratio", "burst30_s")
JOIN_FIELD = 'input[placeholder="ABC123"]'  # the join form's code field
BARE_FIELD = 'input[placeholder="name"]'

# Notes (on the page's own clock, ms since navigation start) when ``selector``
# is on the page, visible and enabled: the form can be used from then on.
READY_SCRIPT = """
(() => {
  const selector = %r;
  const check = () => {
    if (window.__ready !== undefined) return true;
    const el = document.querySelector(selector);
    if (el && el.offsetParent !== null && !el.disabled) {
      window.__ready = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


class Load:
    """One page load in a fresh browser context: time to usable and bytes on the wire."""

    def __init__(self, chromium, url: str, selector: str) -> None:
        self.context = chromium.new_context()
        self.context.add_init_script(READY_SCRIPT % selector)
        self.page = self.context.new_page()
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        self.http: dict[str, float] = {}
        self.ws = 0
        self.encodings: dict[str, int] = {}

        def finished(event: dict) -> None:
            self.http[event["requestId"]] = event["encodedDataLength"]

        def received(event: dict) -> None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            encoding = headers.get("content-encoding", "identity")
            self.encodings[encoding] = self.encodings.get(encoding, 0) + 1

        def frame(event: dict) -> None:
            self.ws += len(event["response"].get("payloadData", ""))

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.responseReceived", received)
        cdp.on("Network.webSocketFrameReceived", frame)
        self.page.goto(url, wait_until="commit", timeout=120_000)
        ready = self.page.wait_for_function(
            "() => window.__ready", timeout=120_000, polling=50
        ).json_value()
        self.tti_s = ready / 1000
        self.page.wait_for_load_state("load", timeout=60_000)
        time.sleep(0.5)  # requests the page makes right after it is usable
        self.bytes = sum(self.http.values())
        self.requests = len(self.http)

    def kernel_id(self) -> str:
        return self.page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()


def _workspace() -> tuple[str, str]:
    folder = temp_dir("pages")
    location = str(folder / "pages.db")
    with facilitation.create_workspace(location, "Peer-Learning Ostsachsen") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        code = store.open_join(meeting.id)
    return location, code


def _burst(url: str, n: int) -> tuple[float, int]:
    """Request ``n`` pages at once; seconds until every page has arrived, and failures."""

    def fetch(_i: int) -> str:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.read().decode("utf-8", "replace")

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(fetch, i) for i in range(n)]
        pages, failed = [], 0
        for future in futures:
            try:
                pages.append(future.result())
            except Exception:
                failed += 1
    took = time.monotonic() - started
    for page in pages:
        shutdown_kernel(url, page)
    return took, failed


def measure(quick: bool = False) -> Iterator[Result]:
    missing = chromium_available()
    if missing:
        yield from (Result(m, None, "", None, f"not measured: {missing}") for m in METRICS)
        return
    samples = 5
    location, code = _workspace()
    log("pages: starting facilitation serve and bare voila")
    ours = start_facilitation(location)
    bare = start_bare_voila()
    participant = ours.urls["participant"]
    settle(ours.process.pid, timeout=120)

    with browser() as chromium:
        # One load of each first: the browser and the disk cache warm up, not counted.
        for url, selector in ((bare.urls["bare"], BARE_FIELD), (participant, JOIN_FIELD)):
            Load(chromium, url, selector).close()
        settle(ours.process.pid, timeout=60, quiet=1.0)
        loads: dict[str, list[Load]] = {"ours": [], "bare": []}
        for i in range(samples):
            for name, url, selector, server in (
                ("bare", bare.urls["bare"], BARE_FIELD, bare),
                ("ours", participant, JOIN_FIELD, ours),
            ):
                load = Load(chromium, url, selector)
                loads[name].append(load)
                log(f"pages: {name} load {i + 1}: {load.tti_s:.2f} s, "
                    f"{load.bytes / 1e6:.2f} MB in {load.requests} requests")  # fmt: skip
                if i < samples - 1:
                    load.close()
                settle(server.process.pid, timeout=60, quiet=1.0)
        tti = {name: median([load.tti_s for load in found]) for name, found in loads.items()}
        size = {name: median([load.bytes for load in found]) for name, found in loads.items()}
        last_ours, last_bare = loads["ours"][-1], loads["bare"][-1]
        yield Result(
            "page_tti_s", tti["ours"], "s", 1.5,
            f"participant page, navigation -> join form usable, median of {samples} cold "
            f"browser contexts (all: {', '.join(f'{x.tti_s:.2f}' for x in loads['ours'])}); "
            f"bare Voila {tti['bare']:.2f} s",
        )  # fmt: skip
        yield Result(
            "page_tti_ratio", tti["ours"] / tti["bare"], "ratio", 0.7,
            f"ours {tti['ours']:.2f} s / bare Voila {tti['bare']:.2f} s, loaded in turns",
        )  # fmt: skip
        yield Result(
            "page_bytes_mb", size["ours"] / 1e6, "MB", 1.5,
            f"HTTP bytes on the wire for one cold participant page, {last_ours.requests} "
            f"requests, encodings {last_ours.encodings}; plus {last_ours.ws / 1e3:.0f} kB "
            f"widget messages; bare Voila {size['bare'] / 1e6:.2f} MB in "
            f"{last_bare.requests} requests",
        )  # fmt: skip

        # Kernel memory once the page is in use: join (ours) / click (bare).
        page = last_ours.page
        page.fill(JOIN_FIELD, code)
        page.get_by_role("textbox", name="Name").fill("Messperson")
        page.get_by_role("button", name="Teilnehmen").click()
        page.get_by_text("Willkommen").first.wait_for(timeout=60_000)
        last_bare.page.fill(BARE_FIELD, "Messung")
        last_bare.page.get_by_role("button", name="Go").click()
        last_bare.page.get_by_text("Messung", exact=True).first.wait_for(timeout=60_000)
        time.sleep(1.0)
        ours_kernel = kernel_process(ours.process.pid, last_ours.kernel_id())
        bare_kernel = kernel_process(bare.process.pid, last_bare.kernel_id())
        if ours_kernel is None or bare_kernel is None:
            yield Result("kernel_rss_ratio", None, "ratio", 1.2,
                                  "not measured: kernel process not found")  # fmt: skip
        else:
            rss_ours = ours_kernel.memory_info().rss
            rss_bare = bare_kernel.memory_info().rss
            yield Result(
                "kernel_rss_ratio", rss_ours / rss_bare, "ratio", 1.2,
                f"participant kernel after joining {rss_ours / 2**20:.0f} MiB / bare Voila "
                f"kernel after a click {rss_bare / 2**20:.0f} MiB (RSS)",
            )  # fmt: skip
        last_ours.close()
        last_bare.close()

    log("pages: burst of 30")
    settle(ours.process.pid, timeout=120)
    took, failed = _burst(participant, 30)
    note = (f"30 participant pages requested at once -> all HTML received"
            f"{f', {failed} FAILED' if failed else ''}")  # fmt: skip
    if not quick:
        settle(bare.process.pid, timeout=120)
        bare_took, bare_failed = _burst(bare.urls["bare"], 30)
        note += f"; bare Voila {bare_took:.1f} s" + (
            f" ({bare_failed} failed)" if bare_failed else ""
        )
    yield Result("burst30_s", took if not failed else None, "s", 3, note)
