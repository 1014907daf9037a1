"""Render the demo workshop's protocol as the README shows it.

Run from the repository root: ``python docs/protocol_screenshot.py`` (needs
Debian's Chromium and ``pdftoppm`` from poppler-utils). It loads the demo into
a fresh workspace, exports the protocol of the second meeting as HTML, prints
it to an A4 PDF in headless Chromium, and writes page 1 as
``docs/screenshots/protocol-page1.png`` (the PDF is kept beside it in the
temporary folder it names).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import facilitation
from facilitation.export import export
from facilitation.shipped import load_demo

OUT = Path(__file__).parent / "screenshots" / "protocol-page1.png"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    with facilitation.create_workspace(folder / "demo.db", "Demo") as store:
        load_demo(store)
        meeting = store.current_meeting()
        assert meeting is not None
        [page] = export(
            store, "html", folder, meeting_id=meeting.id, lang="de", today=dt.date(2026, 9, 24)
        )
    pdf = folder / "protocol.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        tab = browser.new_page()
        tab.goto(page.as_uri())
        tab.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        browser.close()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(OUT.with_suffix(""))],
        check=True,
    )  # fmt: skip
    print(OUT, pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
