"""Small widgets that run in the browser: who is this page, and a countdown.

Participant pages are preheated: their kernel runs before anyone asks, so it
cannot see the page's address. :class:`Identity` reads the personal link's
token from the address (``?p=…``) or from what this browser remembered, and
hands it to the kernel, which checks it against the store.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ..i18n import _

__all__ = ["Countdown", "Identity"]


class Identity(anywidget.AnyWidget):
    """The personal link token of this browser tab (``token``; ``ready`` once read)."""

    _esm = """
    const KEY = "facilitation-personal-link";
    function remember(token) {
      try { window.localStorage.setItem(KEY, token); } catch (e) {}
      const url = new URL(window.location.href);
      if (url.searchParams.get("p") !== token) {
        url.searchParams.set("p", token);
        window.history.replaceState(null, "", url.toString());
      }
    }
    function forget() {
      try { window.localStorage.removeItem(KEY); } catch (e) {}
      const url = new URL(window.location.href);
      url.searchParams.delete("p");
      window.history.replaceState(null, "", url.toString());
    }
    export default {
      render({ model, el }) {
        el.style.display = "none";
        const params = new URLSearchParams(window.location.search);
        let token = params.get("p") || "";
        if (!token) {
          try { token = window.localStorage.getItem(KEY) || ""; } catch (e) { token = ""; }
        }
        model.set("token", token);
        model.set("ready", true);
        model.save_changes();
        model.on("change:remember", () => {
          const wanted = model.get("remember");
          if (wanted === "-") { forget(); } else if (wanted) { remember(wanted); }
        });
      }
    };
    """
    token = traitlets.Unicode("").tag(sync=True)
    ready = traitlets.Bool(False).tag(sync=True)
    remember = traitlets.Unicode("").tag(sync=True)


class Countdown(anywidget.AnyWidget):
    """A countdown to ``ends_at`` (ms since 1970, UTC; 0: none), ticking in the browser;
    at 0:00 it says ``over_text`` ("Zeit ist um") until the timer is stopped or moved."""

    _esm = """
    export default {
      render({ model, el }) {
        el.classList.add("fac-countdown");
        let timer = null;
        function stop() { if (timer !== null) { clearInterval(timer); timer = null; } }
        function tick() {
          const ends = model.get("ends_at");
          if (!ends) { el.textContent = ""; el.style.display = "none"; stop(); return; }
          el.style.display = "";
          const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
          const m = Math.floor(left / 60), s = left % 60;
          const text = left === 0 ? (model.get("over_text") || "0:00")
                                  : m + ":" + String(s).padStart(2, "0");
          if (el.textContent !== text) { el.textContent = text; }
          el.classList.toggle("fac-countdown-over", left === 0);
          if (left === 0) { stop(); }
        }
        function start() {
          tick();
          if (model.get("ends_at") && timer === null) { timer = setInterval(tick, 250); }
        }
        start();
        model.on("change:ends_at", start);
        model.on("change:over_text", tick);
        return stop;
      }
    };
    """
    ends_at = traitlets.Float(0).tag(sync=True)
    over_text = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("over_text", _("Time is up"))
        super().__init__(**kwargs)
