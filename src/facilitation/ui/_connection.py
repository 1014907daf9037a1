"""Whether a page reaches the server: said at once, controls held while it does not.

A page is a Voila notebook: every click travels over the kernel's websocket.
When that connection fails (the room's Wi-Fi drops, a laptop sleeps, the
server stops), the widget manager would queue clicks and send them later, or
write them into a socket that is already dead, and the page would go on
looking alive. :class:`Connection` sits on every page and, in the browser:

- watches the browser's ``online``/``offline`` events, the kernel connection
  of Voila's widget manager (``connectionStatus``, ``status``) and a heartbeat
  through the kernel (a ping every three seconds that the kernel answers: a dead
  server or a half-open socket is noticed too); when a heartbeat is late it
  asks the server directly (``api/kernels/<id>``) whether it is reachable,
  whether the kernel is merely busy, and whether the kernel still exists;
- while the connection is lost, says so (``role="alert"``) and disables every
  control of the page, so that nothing is queued silently; what the page's
  own code sets meanwhile is kept and applied when the connection is back;
- connects again as soon as the server answers (Voila's own retries can wait
  half a minute), asks the kernel to read everything from the store again and
  to send the page its whole state (:meth:`Connection.resync`), and then gives
  the controls back and says so;
- counts what the page sent the kernel and what the kernel received
  (widget messages are handled in order), so that a click lost in a dead
  socket is said, not silently dropped;
- when the kernel is gone (the server restarted, the kernel was culled after
  a long sleep) offers one button, "Verbindung verloren — neu laden": the
  address keeps who she is (``?p=…``). The wall (``reload=True``) reloads by
  itself once the server answers again: nobody stands at the projector.

The wall shows a small mark instead of a bar (``compact``), so that the
facilitator notices a frozen wall.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ..i18n import _

__all__ = ["Connection", "connection_texts", "received_messages", "resend_state"]

log = logging.getLogger(__name__)

RESYNC_EVERY_S = 1.0  # a page asks at most this often to be sent everything again

_received = [0]  # widget messages this kernel received from its page (see _count_messages)


def connection_texts() -> dict[str, str]:
    """What the connection mark says, in the page's language."""
    return {
        "lost": _(
            "No connection to the server. Nothing you click now is sent; the page connects "
            "again as soon as it can."
        ),
        "lost_short": _("No connection"),
        "back": _("Connected again. The page shows the current state."),
        "unsent": _(
            "What you clicked or typed last did not reach the server and was not counted. "
            "Please do it again."
        ),
        "gone": _(
            "The connection to the server was lost. Reload the page: you stay signed in, and "
            "nothing saved is lost."
        ),
        "gone_unsent": _(
            "What you clicked in the last seconds may not have arrived: please check it after "
            "reloading."
        ),
        "reload": _("Connection lost — reload"),
    }


def received_messages() -> int:
    """How many widget messages this kernel has received from its page so far."""
    return _received[0]


def _count_messages() -> None:
    """Count the widget messages (``comm_msg``) the kernel receives, once per kernel.

    The page counts what it sends; a heartbeat compares both, so that a click
    written into a dead socket is noticed. Outside a kernel nothing is counted.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    handlers = getattr(getattr(shell, "kernel", None), "shell_handlers", None)
    if not isinstance(handlers, dict):
        return
    handler = handlers.get("comm_msg")
    if handler is None or getattr(handler, "_facilitation_counts", False):
        return

    def counting(*args: Any, **kwargs: Any) -> Any:
        _received[0] += 1
        return handler(*args, **kwargs)

    counting._facilitation_counts = True  # type: ignore[attr-defined]
    handlers["comm_msg"] = counting


# What resending a widget's state leaves out: the front-end code does not change.
_UNCHANGING = frozenset({"_esm", "_css", "_anywidget_id"})


def resend_state() -> int:
    """Send the page the whole state of every widget of this kernel; how many widgets.

    After a connection failure the browser may have missed updates (written into
    a socket that was already dead): the widgets' state in the kernel is what
    the page must show.
    """
    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # pragma: no cover - ipywidgets < 8.1
        instances = getattr(widget_module.Widget, "widgets", {})
    sent = 0
    for each in list(instances.values()):
        if getattr(each, "comm", None) is None:
            continue
        each.send_state([key for key in each.keys if key not in _UNCHANGING])
        sent += 1
    return sent


class Connection(anywidget.AnyWidget):
    """The connection mark of a page (see the module's docstring).

    ``on_resync`` is called when the page is back after a failure: the page
    reads everything from the store again. ``compact``: a small mark (the
    wall); ``reload``: reload by itself when the kernel is gone and the server
    answers again (the wall, where nothing typed can be lost).
    """

    _esm = """
    const PING_EVERY = 3000;  // ms between heartbeats
    const LATE = 6000;        // a heartbeat unanswered this long: ask the server directly
    const PROBE_TIMEOUT = 6000;
    const CHECK_EVERY = 400;
    const CONTROLS = "button, input, select, textarea";
    const CLICKABLE = CONTROLS + ", [role=tab], .lm-TabBar-tab, .jupyter-widget-Collapse-header";

    function nativeDisabled(control) {
      for (let p = Object.getPrototypeOf(control); p; p = Object.getPrototypeOf(p)) {
        const d = Object.getOwnPropertyDescriptor(p, "disabled");
        if (d && d.set) { return d; }
      }
      return null;
    }

    export default {
      render({ model, el }) {
        const compact = model.get("compact");
        el.classList.add("fac-connection");
        if (compact) { el.classList.add("fac-connection-compact"); }
        const box = document.createElement("div");
        box.className = "fac-connection-box";
        const alert = document.createElement("div");
        alert.setAttribute("role", "alert");
        alert.setAttribute("aria-live", "assertive");
        alert.className = "fac-connection-text";
        const status = document.createElement("div");
        status.setAttribute("role", "status");
        status.setAttribute("aria-live", "polite");
        status.className = "fac-connection-text";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "fac-connection-reload";
        button.hidden = true;
        button.addEventListener("click", () => window.location.reload());
        box.append(alert, status, button);
        el.append(box);

        let state = "ok";          // ok | lost | gone
        let kernel = null;         // Voila's KernelConnection, once the app is up
        let sent = 0, own = 0;     // widget messages sent to the kernel; of them our own
        let base = null;           // received - sent at the first answer (sent before we counted)
        let missing = 0;           // messages known not to have arrived
        let serial = 0, outstanding = null, lastPing = 0;
        let probing = false, lastProbe = 0, lastReconnect = 0;
        let resyncing = null, unsentAtLoss = false, backTimer = null;
        let confirmed = 0;         // user messages the kernel confirmed (in our count)
        let unsaid = false;        // a lost click noticed by the heartbeat that brought us back
        const held = new Map();    // control -> restore()

        function text(key) { return (model.get("texts") || {})[key] || ""; }
        function show(kind, alertText, statusText, withButton) {
          box.className = "fac-connection-box" + (kind ? " fac-connection-" + kind : "");
          if (alert.textContent !== alertText) { alert.textContent = alertText; }
          if (status.textContent !== statusText) { status.textContent = statusText; }
          button.textContent = text("reload");
          button.hidden = !withButton;
          el.title = compact ? (alertText || "") : "";
        }
        function render() {
          clearTimeout(backTimer);
          if (state === "gone") {
            const more = unsentAtLoss ? " " + text("gone_unsent") : "";
            show("lost", compact ? text("lost_short") : text("gone") + more, "", !compact);
          } else if (state === "lost" || resyncing) {
            show("lost", compact ? text("lost_short") : text("lost"), "", false);
          } else {
            show("", "", "", false);
          }
        }

        // --- controls: held while the connection is lost, nothing queued -----------------
        function hold(control) {
          if (held.has(control) || el.contains(control) || !("disabled" in control)) { return; }
          const d = nativeDisabled(control);
          if (!d) { return; }
          let wanted = d.get.call(control);
          Object.defineProperty(control, "disabled", {
            configurable: true,
            get() { return d.get.call(control); },
            set(value) { wanted = !!value; },   // the page's own code: applied when back
          });
          d.set.call(control, true);
          control.classList.add("fac-held");
          held.set(control, () => {
            delete control.disabled;
            d.set.call(control, wanted);
            control.classList.remove("fac-held");
          });
        }
        function holdAll() {
          document.body.classList.add("fac-offline");
          for (const control of document.querySelectorAll(CONTROLS)) { hold(control); }
        }
        function releaseAll() {
          document.body.classList.remove("fac-offline");
          for (const restore of held.values()) { restore(); }
          held.clear();
        }
        const observer = new MutationObserver(() => {
          if (state !== "ok" || resyncing) { holdAll(); }  // controls shown meanwhile
        });
        observer.observe(document.body, { childList: true, subtree: true });
        function block(event) {
          if (state === "ok" && !resyncing) { return; }
          const target = event.target;
          if (!(target instanceof Element) || el.contains(target)) { return; }
          if (target.closest(CLICKABLE)) {
            event.preventDefault();
            event.stopImmediatePropagation();
          }
        }
        const blocked = ["pointerdown", "mousedown", "click", "keydown", "input", "change"];
        for (const name of blocked) { document.addEventListener(name, block, true); }

        // --- counting: what reached the kernel ---------------------------------------------
        function userSent() { return sent - own; }
        function heard(received, atSent) {
          // ``received``: user messages the kernel got; ``atSent``: ours, sent before the ask.
          if (typeof received !== "number") { return; }
          if (base === null) { base = received - atSent; }
          const lost = atSent + base - received;
          confirmed = atSent;
          if (lost > missing) {
            missing = lost;
            return true;
          }
          return false;
        }

        function sendOwn(content) {
          own += 1;
          try { model.send(content); return true; } catch (e) { own -= 1; return false; }
        }
        function ping() {
          serial += 1;
          const at = userSent();
          if (sendOwn({ ping: serial })) {
            outstanding = { n: serial, at: Date.now(), sent: at };
            lastPing = Date.now();
          }
        }

        // --- the state --------------------------------------------------------------------
        function transport() {
          if (!navigator.onLine) { return "lost"; }
          if (kernel) {
            if (kernel.isDisposed || kernel.status === "dead") { return "gone"; }
            if (kernel.connectionStatus !== "connected") { return "lost"; }
          }
          return "ok";
        }
        function become(next) {
          if (next === state) { return; }
          const before = state;
          state = next;
          if (next !== "ok") {
            unsentAtLoss = unsentAtLoss || userSent() > confirmed;
            outstanding = null;  // a heartbeat on the broken socket: a new one asks again
            resyncing = null;
            holdAll();
          }
          if (next === "gone" && model.get("reload")) { reloadWhenAnswering(); }
          if (next === "ok" && before === "lost") { resync(); return; }
          render();
        }
        function resync() {
          serial += 1;
          resyncing = { n: serial, at: Date.now(), sent: userSent() };
          outstanding = null;
          holdAll();
          if (!sendOwn({ resync: serial })) { resyncing = null; become("lost"); }
          render();
        }
        function back(lostClicks) {
          resyncing = null;
          unsentAtLoss = false;
          releaseAll();
          const said = text("back") + (lostClicks ? " " + text("unsent") : "");
          show("back", lostClicks ? said : "", lostClicks ? "" : said, false);
          backTimer = setTimeout(() => {
            if (state === "ok" && !resyncing) { show("", "", "", false); }
          }, lostClicks ? 20000 : 5000);
        }

        model.on("msg:custom", (content) => {
          if (!content || typeof content !== "object") { return; }
          if ("pong" in content) {
            if (!outstanding || content.pong !== outstanding.n) { return; }
            const lostNow = heard(content.received, outstanding.sent);
            outstanding = null;
            if (state === "lost" && transport() === "ok") {
              unsaid = unsaid || lostNow;  // said once the page has the server's state again
              become("ok");
            } else if (lostNow && state === "ok") { back(true); }
          } else if ("resynced" in content) {
            if (!resyncing || content.resynced !== resyncing.n) { return; }
            const lost = heard(content.received, resyncing.sent) || unsaid;
            unsaid = false;
            back(lost);
          }
        });

        async function probe() {
          if (probing || Date.now() - lastProbe < 1500) { return; }
          probing = true;
          lastProbe = Date.now();
          let answer = "unreachable";
          try {
            const url = kernelUrl();
            if (url) {
              const control = new AbortController();
              const timer = setTimeout(() => control.abort(), PROBE_TIMEOUT);
              const token = kernel.serverSettings.token;
              const response = await fetch(url + "?t=" + Date.now(), {
                cache: "no-store", credentials: "same-origin", signal: control.signal,
                headers: token ? { Authorization: "token " + token } : {},
              });
              clearTimeout(timer);
              if (response.status === 404) { answer = "gone"; }
              else if (response.ok) { answer = await response.json(); }
            }
          } catch (e) { answer = "unreachable"; }
          probing = false;
          answered(answer);
        }
        function kernelUrl() {
          if (!kernel || !kernel.serverSettings) { return null; }
          const root = kernel.serverSettings.baseUrl.replace(/\\/?$/, "/");
          return root + "api/kernels/" + encodeURIComponent(kernel.id);
        }
        function answered(answer) {
          if (state === "gone") { return; }
          if (answer === "gone") { become("gone"); return; }
          const late = outstanding && Date.now() - outstanding.at > LATE;
          if (answer === "unreachable") {
            if (late || transport() !== "ok") { become("lost"); }
            return;
          }
          // The server answers and the kernel exists.
          if (transport() === "ok" && late && answer.execution_state === "busy") { return; }
          if (late || (state === "lost" && navigator.onLine)) {
            if (late) { become("lost"); }
            reconnect();
          }
        }
        function reconnect() {
          if (!kernel || Date.now() - lastReconnect < 3000) { return; }
          lastReconnect = Date.now();
          outstanding = null;  // written into the old socket: it does not count
          try {
            const done = kernel.reconnect();
            if (done && done.catch) { done.catch(() => {}); }
          } catch (e) {}
        }
        function reloadWhenAnswering() {
          const again = async () => {
            try {
              const response = await fetch(window.location.href,
                                           { cache: "no-store", method: "HEAD" });
              if (response.status < 500) { window.location.reload(); return; }
            } catch (e) {}
            setTimeout(again, 3000);
          };
          again();
        }

        function check() {
          if (!kernel) {
            const app = window.jupyterapp;
            const found = app && app.widgetManager && app.widgetManager.kernel;
            if (found) {
              kernel = found;
              kernel.anyMessage.connect((_k, args) => {
                const kind = args.msg.header.msg_type;
                if (args.direction === "send" && kind === "comm_msg") { sent += 1; }
              });
              kernel.connectionStatusChanged.connect(() => check());
              kernel.statusChanged.connect(() => check());
            }
          }
          if (state === "gone") { return; }
          const seen = transport();
          const now = Date.now();
          if (seen === "gone") { become("gone"); return; }
          if (seen === "lost") {
            become("lost");
            if (navigator.onLine) { probe(); }
            return;
          }
          // The transport looks fine: the heartbeat has the last word.
          if (resyncing) {
            if (now - resyncing.at > LATE) { probe(); }
            if (now - resyncing.at > 3 * LATE) { become("lost"); }
            return;
          }
          if (outstanding) {
            if (now - outstanding.at > LATE) { probe(); }
          } else if (state === "lost" || now - lastPing >= PING_EVERY) {
            ping();
          }
        }

        const onNet = () => {
          lastReconnect = 0;
          const down = kernel && kernel.connectionStatus !== "connected";
          if (navigator.onLine && down) { reconnect(); }
          check();
        };
        window.addEventListener("online", onNet);
        window.addEventListener("offline", onNet);
        const timer = setInterval(check, CHECK_EVERY);
        model.on("change:texts", render);
        check();
        return () => {
          clearInterval(timer);
          observer.disconnect();
          window.removeEventListener("online", onNet);
          window.removeEventListener("offline", onNet);
          for (const name of blocked) { document.removeEventListener(name, block, true); }
          releaseAll();
        };
      }
    };
    """
    _css = """
    .fac-connection { position: fixed; top: 0; left: 0; right: 0; z-index: 10000;
                      pointer-events: none; font-family: system-ui, sans-serif; }
    .fac-connection-box { max-width: 760px; margin: 0 auto; border-radius: 0 0 10px 10px;
                          font-size: 17px; line-height: 1.35; pointer-events: auto; }
    .fac-connection-box.fac-connection-lost, .fac-connection-box.fac-connection-back {
                          padding: 10px 16px; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
    .fac-connection-lost { background: #8f1d15; color: #fff; }
    .fac-connection-back { background: #1e4620; color: #fff; }
    .fac-connection-reload { margin-top: 8px; font-size: 17px; padding: 6px 16px;
                             border-radius: 6px; border: 0; background: #fff; color: #8f1d15;
                             font-weight: 700; cursor: pointer; min-height: 40px; }
    .fac-connection-compact { left: auto; right: 8px; top: 8px; }
    .fac-connection-compact .fac-connection-box { border-radius: 8px; font-size: 14px; }
    .fac-connection-compact .fac-connection-box.fac-connection-lost,
    .fac-connection-compact .fac-connection-box.fac-connection-back { padding: 4px 10px; }
    .fac-connection-compact .fac-connection-lost .fac-connection-text::before { content: "● "; }
    body.fac-offline .fac-countdown { opacity: 0.35; }
    body.fac-offline .fac-held { cursor: not-allowed; }
    """
    texts = traitlets.Dict().tag(sync=True)
    compact = traitlets.Bool(False).tag(sync=True)
    reload = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        on_resync: Callable[[], None] | None = None,
        *,
        compact: bool = False,
        reload: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(compact=compact, reload=reload, **kwargs)
        self._on_resync = on_resync
        self._own = 0  # messages of the heartbeat this kernel received
        self._resynced_at = 0.0
        self.label()
        self.on_msg(self._on_message)
        _count_messages()

    def label(self) -> None:
        """Say it in the page's language (again after a change of language)."""
        self.texts = connection_texts()

    def user_messages(self) -> int:
        """Widget messages received from the page, the heartbeat's own not counted."""
        return received_messages() - self._own

    def resync(self) -> None:
        """Read everything from the store again and send the page its whole state."""
        now = time.monotonic()
        if now - self._resynced_at >= RESYNC_EVERY_S:  # a forged flood costs one refresh
            self._resynced_at = now
            if self._on_resync is not None:
                try:
                    self._on_resync()
                except Exception:  # the page must come back even if one view fails
                    log.exception("refreshing the page after a lost connection failed")
            resend_state()

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        for key, answer in (("ping", "pong"), ("resync", "resynced")):
            serial = content.get(key)
            if isinstance(serial, int) and not isinstance(serial, bool):
                self._own += 1
                if key == "resync":
                    self.resync()
                self.send({answer: serial, "received": self.user_messages()})
                return
