"""Measured speed, memory and scale of facilitation, side by side with bare Voila.

Usage: ``python benchmarks/run.py [--quick] [--only NAME]``. Sets up what it
needs (fresh workspaces, the real ``facilitation serve`` on free loopback
ports, a bare-Voila baseline, headless Chromium, writer processes, a
throw-away PostgreSQL server), prints one JSON object per line
(``metric``, ``value``, ``unit``, ``goal``, ``note``) on standard output,
progress on standard error, and stops everything it started, also on Ctrl-C.
A metric that cannot be measured here is printed with ``"value": null`` and
a note that says why. NAME is a group (pages, live, store, conference, network, protocol)
or a metric name; it may be given several times.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import CLEANUP, Result, log  # noqa: E402

# Groups in the order they run; each is a module with METRICS and measure(quick).
GROUPS = {
    "pages": "benchmarks.pages",
    "live": "benchmarks.live",
    "store": "benchmarks.store",
    "conference": "benchmarks.conference",
    "network": "benchmarks._external",
    "protocol": "benchmarks._external",
}


def _metrics(group: str) -> tuple[str, ...]:
    module = importlib.import_module(GROUPS[group])
    return module.METRICS if group not in ("network", "protocol") else module.GROUP_METRICS[group]


def _run_group(group: str, quick: bool) -> Iterable[Result]:
    module = importlib.import_module(GROUPS[group])
    if group in ("network", "protocol"):
        return module.measure(group, quick)
    return module.measure(quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under 10 minutes)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="a group or a metric; may be repeated")  # fmt: skip
    parser.add_argument(
        "--proposal",
        action="append",
        choices=["live-wait", "write-lock", "prebuilt-vote"],
        help="measure a proposal for code the benchmarks do not own, patched into the "
        "participant and projector kernels (see benchmarks/proposals/sitecustomize.py)",
    )
    args = parser.parse_args(argv)
    if args.proposal:
        os.environ["FACILITATION_BENCH_PROPOSAL"] = ",".join(args.proposal)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT / "benchmarks" / "proposals"), os.environ.get("PYTHONPATH")) if p
        )
        log(f"measuring with proposal(s) {', '.join(args.proposal)} patched into the kernels")

    wanted_groups: list[str] = []
    wanted_metrics: set[str] | None = None
    for name in args.only or list(GROUPS):
        if name in GROUPS:
            if name not in wanted_groups:
                wanted_groups.append(name)
            continue
        owner = next((g for g in GROUPS if name in _metrics(g)), None)
        if owner is None:
            known = sorted({*GROUPS, *(m for g in GROUPS for m in _metrics(g))})
            parser.error(f"unknown NAME {name!r}; known: {', '.join(known)}")
        wanted_metrics = (wanted_metrics or set()) | {name}
        if owner not in wanted_groups:
            wanted_groups.append(owner)
    if wanted_metrics is not None:  # a group named as a whole keeps all its metrics
        for name in args.only:
            if name in GROUPS:
                wanted_metrics |= set(_metrics(name))

    def _on_term(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_term)
    started = time.monotonic()
    status = 0
    try:
        for group in [g for g in GROUPS if g in wanted_groups]:
            group_started = time.monotonic()
            log(f"{group}: start")
            printed: set[str] = set()
            try:
                with CLEANUP.scope():
                    for result in _run_group(group, args.quick):
                        printed.add(result.metric)
                        if wanted_metrics is None or result.metric in wanted_metrics:
                            print(result.line(), flush=True)
            except KeyboardInterrupt:
                raise
            except Exception as error:
                traceback.print_exc(file=sys.stderr)
                status = 1
                first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                why = (
                    f"not measured: the {group} benchmark failed ({type(error).__name__}: {first})"
                )
                for metric in _metrics(group):
                    if metric not in printed and (
                        wanted_metrics is None or metric in wanted_metrics
                    ):
                        print(Result(metric, None, "", None, why).line(), flush=True)
            log(f"{group}: done in {time.monotonic() - group_started:.0f} s")
    except KeyboardInterrupt:
        log("interrupted: stopping everything that was started")
        status = 130
    finally:
        CLEANUP.run()
    log(f"all done in {time.monotonic() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
