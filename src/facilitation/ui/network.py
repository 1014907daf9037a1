"""The cooperation network: participants enter their municipality's ties, the wall shows the
network as it grows, the facilitator chooses the picture, reads the metrics and loads CSV files.

The participant's screen imports nothing heavy: searching a municipality asks the store.
The wall and the facilitator's tab import networkx and matplotlib when they first draw.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .._exceptions import FacilitationError
from ..directory import Place
from ..i18n import N_, _, current_language, ngettext
from ..models import (
    STRENGTHS,
    LiveState,
    Meeting,
    NetworkDisplay,
    Relationship,
    Screen,
    TieType,
    relationships,
)
from ..store import Store
from ._common import esc
from ._parts import (
    FacilitatorTab,
    Part,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    show,
)

__all__ = ["PART", "network_picture"]

TIE_WORDS = {
    TieType.COOPERATES.value: N_("cooperates with"),
    TieType.LEARNS_FROM.value: N_("learns from"),
    TieType.PARTNER_NETWORK.value: N_("partner network"),
}
STRENGTH_WORDS = {1: N_("now and then"), 2: N_("regularly"), 3: N_("closely")}
LAYOUT_WORDS = {"geo": N_("Map"), "force": N_("Force layout")}
COLOUR_WORDS = {"state": N_("State"), "group": N_("City network"), "community": N_("Community")}
SCOPE_WORDS = {
    "series": N_("Up to this meeting"),
    "meeting": N_("This meeting only"),
    "all": N_("All meetings"),
}
SHOWN_FIGURES = ("municipalities", "ties", "density", "components", "cross_state_ties")
SEARCH_RESULTS = 6


def _label(text: str) -> widgets.HTML:
    """A field's label that wraps on a narrow phone (a Label would be cut off)."""
    return widgets.HTML(f'<div class="fac-muted">{esc(text)}</div>')


def _heading(text: str) -> str:
    return f"<h2>{esc(text)}</h2>"


# --- the picture, shared by the wall and the facilitator's preview -------------------------------


# The tables the part's pieces show (a page re-reads them when one changed).
NETWORK_READS = frozenset(
    {
        "tie",
        "municipality",
        "participant",
        "meeting_participant",
        "presence",
        "municipality_group",
        "group_member",
        "topic",
        "meeting",
    }
)


class NetworkPicture:
    """Draws the network of a meeting as the display asks, again only when something changed.

    It keeps the last positions of the force layout, so a new tie moves the
    picture a little instead of redrawing it from scratch.
    """

    def __init__(self, store: Store, *, size: tuple[float, float] = (16, 9)) -> None:
        self.store = store
        self.size = size
        self.svg = ""
        self.figures: dict[str, Any] = {}
        self.metrics: dict[Any, Any] = {}
        self.graph: Any = None
        self._key: tuple[Any, ...] | None = None
        self._positions: dict[str, dict[Any, tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def update(self, meeting_id: int, display: NetworkDisplay) -> bool:
        """Redraw if the ties, the municipalities, the display or the language changed."""
        key = (meeting_id, display, self.store.network_version(), current_language(), self.size)
        with self._lock:
            if key == self._key:
                return False
            from .. import network

            graph = network_graph(self.store, meeting_id, display)
            present = {
                p.municipality_id
                for p in self.store.participants(meeting_id)
                if p.municipality_id is not None
            }
            kind = display.layout
            positions = network.layout(graph, kind, previous=self._positions.get(kind))
            self._positions[kind] = positions
            panel = network.metrics(graph)
            self.graph, self.metrics = graph, panel
            self.figures = network.summary(graph, node_metrics=panel)
            self.svg = _inline_svg(
                network.draw(
                    graph,
                    positions=positions,
                    kind=kind,
                    colour_by=display.colour_by,
                    node_metrics=panel,
                    size=self.size,
                    named_first=present,
                )
            )
            self._key = key
            return True


def network_graph(store: Store, meeting_id: int, display: NetworkDisplay) -> Any:
    """The cooperation network the display asks for; the towns of the people present are shown
    even before they have ties."""
    from .. import network

    present = {
        p.municipality_id for p in store.participants(meeting_id) if p.municipality_id is not None
    }
    groups = store.groups()
    names = {g.key: g.name for g in groups}
    graph = network.cooperation_graph(
        store.municipalities(),
        store.ties(),
        meeting_id=meeting_id if display.scope == "meeting" else None,
        until_meeting=meeting_id if display.scope == "series" else None,
        meetings=store.meetings(),
        groups=groups,
        isolates=present,
    )
    for _node, data in graph.nodes(data=True):
        if data.get("group") in names:
            data["group_name"] = names[data["group"]]
    return graph


def network_picture(store: Store, meeting_id: int, display: NetworkDisplay | None = None) -> str:
    """The wall's picture of the network as inline SVG (for pages and reports)."""
    picture = NetworkPicture(store)
    picture.update(meeting_id, display or NetworkDisplay())
    return picture.svg


def _inline_svg(svg: bytes) -> str:
    """Matplotlib's SVG made to fit its box in a page."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    return text.replace("<svg ", '<svg style="width:100%;height:auto" ', 1)


def _figures_html(figures: dict[str, Any]) -> str:
    from ..network import SUMMARY_LABELS

    cells = []
    for key in SHOWN_FIGURES:
        value = figures.get(key, 0)
        shown = f"{value:.2f}".replace(".", ",") if isinstance(value, float) else str(value)
        if current_language() == "en":
            shown = shown.replace(",", ".")
        label = _(SUMMARY_LABELS[key])
        cells.append(
            f'<div class="fac-figure"><div class="fac-big">{esc(shown)}</div>'
            f'<div class="fac-muted">{esc(label)}</div></div>'
        )
    return f'<div class="fac-figures">{"".join(cells)}</div>'


NETWORK_CSS = """
<style>
.fac-figures { display: flex; flex-wrap: wrap; gap: 0.4em 1.6em; margin: 0.2em 0 0.4em; }
.fac-figure { min-width: 6em; }
.fac-network { width: 100%; background: #fff; border-radius: 10px; }
.fac-network svg { display: block; max-height: 78vh; }
.fac-root .jupyter-widget-tagsinput { min-height: 38px; border: 1px solid #b9c4d0;
  border-radius: 4px; box-sizing: border-box; padding: 2px 4px; margin: 2px 0; max-width: 100%; }
.fac-root .jupyter-widget-tagsinput input.jupyter-widget-tag { min-width: 12em; font-size: 16px; }
.fac-nowrap .jupyter-button, .fac-root .fac-nowrap { white-space: nowrap; }
.fac-question { font-size: 1.15em; font-weight: 700; }
.fac-preview { max-width: 720px; border: 1px solid #dfe6ee; border-radius: 10px; }
.fac-results .jupyter-button, .fac-results .widget-button { width: 100%;
  justify-content: flex-start; text-align: left; background: #eef3f8; }
.fac-chosen { font-size: 1.15em; font-weight: 700; color: #1e4620; }
.fac-scroll { max-height: 420px; overflow: auto; }
.fac-mine .widget-html { flex: 1 1 auto; }
</style>
"""


# --- participants ------------------------------------------------------------------------------


class TieEntry(ParticipantView):
    """ "My municipality cooperates with / learns from …": type, partner, topics, strength."""

    screens = (Screen.NETWORK,)
    reads = NETWORK_READS

    def build(self) -> None:
        self._mine: tuple[int, ...] | None = None
        self._warm = False
        self._topics: tuple[str, ...] | None = None
        self.intro = widgets.HTML()
        # Choosing one's own municipality, when the facilitator has not given it.
        self.home_search = widgets.Text(
            placeholder=_("Type the name of your municipality ..."),
            continuous_update=True,
            layout={"width": "100%"},
        )
        self.home_results = self._result_buttons(self._choose_home)
        self.home_search.observe(
            lambda _c: self._search(self.home_search, self.home_results, exclude=None), "value"
        )
        _on_enter(self.home_search, self._home_entered)
        self.home_box = widgets.VBox(
            [
                widgets.HTML(_heading(_("Your municipality"))),
                self.home_search,
                self.home_results[0],
            ]
        )
        # The tie.
        self.kind = widgets.ToggleButtons(
            options=[(_(word), kind) for kind, word in TIE_WORDS.items()],
            value=TieType.COOPERATES.value,
            style={"button_width": "auto"},
        )
        self.search = widgets.Text(
            placeholder=_("Type a municipality's name ..."),
            continuous_update=True,
            layout={"width": "100%"},
        )
        self.results = self._result_buttons(self._choose_partner)
        self.search.observe(lambda _c: self._search_partner(), "value")
        _on_enter(self.search, self._partner_entered)
        self.partner: Place | None = None
        self.chosen = widgets.HTML()
        self.topics = widgets.TagsInput(
            value=[],
            allow_duplicates=False,
            placeholder=_("e.g. tourism"),
            layout={"width": "auto"},
        )
        self.suggestions = widgets.HBox(layout={"flex_flow": "row wrap"})
        self.strength = widgets.ToggleButtons(
            options=[(" · ".join((str(n), _(STRENGTH_WORDS[n]))), n) for n in STRENGTHS],
            value=2,
            style={"button_width": "auto"},
        )
        self.submit_button = widgets.Button(
            description=_("Enter tie"), button_style="primary", icon="plus"
        )
        self.submit_button.on_click(lambda _b: self.submit())
        self.mine = widgets.VBox()
        self.mine.add_class("fac-mine")
        self.form = widgets.VBox(
            [
                _label(_("Kind of tie")),
                self.kind,
                _label(_("With which municipality?")),
                self.search,
                self.results[0],
                self.chosen,
                _label(_("Topics (optional): type one and press Enter")),
                self.topics,
                self.suggestions,
                _label(_("Strength")),
                self.strength,
                self.submit_button,
            ]
        )
        self.widget.children = [
            widgets.HTML(NETWORK_CSS),
            self.intro,
            self.home_box,
            self.form,
            self.mine,
        ]

    # --- searching as she types ------------------------------------------------------

    @staticmethod
    def _result_buttons(
        choose: Callable[[Place], None],
    ) -> tuple[widgets.VBox, list[widgets.Button], dict[int, Place]]:
        """A fixed set of buttons that show the towns found (reused, never rebuilt)."""
        box = widgets.VBox()
        box.add_class("fac-results")
        buttons = []
        found: dict[int, Place] = {}
        for index in range(SEARCH_RESULTS):
            button = widgets.Button(layout={"display": "none", "width": "100%"})
            button.on_click(lambda _b, i=index: choose(found[i]) if i in found else None)
            buttons.append(button)
        box.children = buttons
        return box, buttons, found

    def _search(
        self,
        field: widgets.Text,
        results: tuple[widgets.VBox, list[widgets.Button], dict[int, Place]],
        exclude: int | None,
    ) -> None:
        """Every German municipality whose name begins so (the workspace's first)."""
        _box, buttons, found = results
        towns = [p for p in self.store.find_places(field.value, limit=SEARCH_RESULTS + 1)
                 if exclude is None or p.municipality_id != exclude][:SEARCH_RESULTS]  # fmt: skip
        found.clear()
        for index, button in enumerate(buttons):
            if index < len(towns):
                found[index] = towns[index]
                set_if_changed(button, towns[index].label, "description")
                show(button)
            else:
                show(button, False)

    def _search_partner(self) -> None:
        home = self.page.person.municipality_id if self.page.person else None
        self._search(self.search, self.results, exclude=home)

    def _choose_home(self, place: Place) -> None:
        """Her own municipality (added to the workspace from the directory if need be)."""
        try:
            town = self.store.municipality_for(place)
            self.page.person = self.store.set_own_municipality(self.page.person.id, town.id)
        except FacilitationError as error:
            self.page.say_error(str(error))
            return
        self.home_search.value = ""
        self.page.clear_message()
        self.page.refresh()  # whatever the screens show now

    def _home_entered(self) -> None:
        """Enter in her own municipality's field: the municipality of that name."""
        self._choose_named(self.home_search.value, self._choose_home)

    def _choose_partner(self, place: Place) -> None:
        self.partner = place
        self.chosen.value = f'<div class="fac-card fac-chosen">✓ {esc(place.label)}</div>'
        self.search.value = ""
        self.page.clear_message()

    def _partner_entered(self) -> None:
        """Enter in the partner's field: the municipality of that name is chosen."""
        self._choose_named(self.search.value, self._choose_partner)

    def _choose_named(self, text: str, choose: Callable[[Place], None]) -> bool:
        if not text.strip():
            return False
        try:
            place = self.store.named_place(text)
        except FacilitationError as error:
            self.page.say_error(str(error))
            return False
        choose(place)
        return True

    def _warm_up(self) -> None:
        # Only a head start: the first search reads it anyway.
        with contextlib.suppress(Exception):
            self.store.directory()

    def _add_topic(self, title: str) -> None:
        if title not in self.topics.value:
            self.topics.value = [*self.topics.value, title]

    # --- the page ---------------------------------------------------------------------------

    def update(self, live: LiveState) -> None:
        if not self._warm:  # the directory's index, before she types her first letters
            self._warm = True
            threading.Thread(target=self._warm_up, name="facilitation-towns", daemon=True).start()
        person = self.page.person
        home = self.store.municipality(person.municipality_id) if person.municipality_id else None
        show(self.home_box, not home)
        show(self.form, bool(home))
        if home is None:
            text = _("Which municipality do you come from? Search it and choose it.")
        else:
            text = _("Which municipalities does {town} work with or learn from?").format(
                town=home.name
            )
        set_if_changed(self.intro, f'<div class="fac-card fac-question">{esc(text)}</div>')
        titles = tuple(t.title for t in self.store.topics(live.meeting_id))
        if titles != self._topics:
            self._topics = titles
            buttons = []
            for title in titles:
                button = widgets.Button(description=f"+ {title}", layout={"width": "auto"})
                button.on_click(lambda _b, t=title: self._add_topic(t))
                buttons.append(button)
            self.suggestions.children = buttons
        self._show_mine(live.meeting_id)

    def _show_mine(self, meeting_id: int) -> None:
        """Her ties, one for each partner and kind with all its topics."""
        ties = self.store.ties_declared_by(self.page.person.id, meeting_id)
        ids = tuple(t.id for t in ties)
        if ids == self._mine:
            return
        self._mine = ids
        names = {m.id: m.name for m in self.store.municipalities()}
        rows: list[widgets.Widget] = []
        if ties:
            rows.append(widgets.HTML(_heading(_("Your ties"))))
        for tie in relationships(ties):
            label = widgets.HTML(_tie_html(tie, names))
            back = widgets.Button(
                description=_("take back"),
                icon="undo",
                layout={"width": "auto", "flex": "0 0 auto"},
            )
            back.add_class("fac-nowrap")
            back.on_click(lambda _b, t=tie.tie_ids: self.withdraw(*t))
            row = widgets.HBox([label, back], layout={"align_items": "center"})
            row.add_class("fac-card")
            rows.append(row)
        self.mine.children = rows

    def submit(self) -> None:
        """Enter the tie with its topics (checked again in the store). A name typed but not
        picked from the list counts if it names one municipality."""
        if self.partner is None and not self._choose_named(self.search.value, self._choose_partner):
            if not self.search.value.strip():
                self.page.say_error(_("Choose the municipality first: type its name and pick it."))
            return
        assert self.partner is not None
        try:
            partner = self.store.municipality_for(self.partner)
            added = self.store.declare_ties(
                self.page.meeting_id,
                self.page.person.id,
                partner.id,
                type=self.kind.value,
                topics=list(self.topics.value),
                weight=self.strength.value,
            )
        except FacilitationError as error:
            self.page.say_error(str(error))
            return
        self.page.say_ok(
            _("Entered: {kind} {town}. It is on the wall.").format(
                kind=_(TIE_WORDS[added[0].type.value]), town=partner.name
            )
        )
        self.partner = None
        self.chosen.value = ""
        self.topics.value = []
        self._show_mine(self.page.meeting_id)

    def withdraw(self, *tie_ids: int) -> None:
        """Take back a tie she entered, with all its topics."""
        try:
            with self.store.atomic():
                for tie_id in tie_ids:
                    self.store.withdraw_tie(tie_id, self.page.person.id)
        except FacilitationError as error:
            self.page.say_error(str(error))
            return
        self.page.clear_message()
        self._show_mine(self.page.meeting_id)


def _on_enter(field: widgets.Text, action: Callable[[], None]) -> None:
    """Call ``action`` when Enter is pressed in ``field`` (its value is already synced)."""
    with warnings.catch_warnings():  # on_submit is the one way to hear Enter while typing
        warnings.simplefilter("ignore", DeprecationWarning)
        field.on_submit(lambda _field: action())


def _tie_html(relationship: Relationship, names: dict[int, str]) -> str:
    tie = relationship
    dots = "●" * int(tie.weight) + "○" * (3 - int(tie.weight))
    topic = "".join(f' · <span class="fac-tag">{esc(t)}</span>' for t in tie.topics)
    kind = _(TIE_WORDS[tie.tie.type.value])
    return (
        f"<b>{esc(kind)} {esc(names.get(tie.tie.target_id, '?'))}</b>"
        f'{topic} <span class="fac-dot">{dots}</span>'
    )


# --- the wall ----------------------------------------------------------------------------------


class NetworkWall(ProjectorView):
    """The network as it grows: a map or a force layout, and a few key figures."""

    screens = (Screen.NETWORK,)
    reads = NETWORK_READS
    show_join = False

    def build(self) -> None:
        self.picture = NetworkPicture(self.store, size=(12, 6.75))
        self.widget = widgets.HTML()
        self.widget.add_class("fac-network")
        # Import and warm the drawing libraries now, so the first picture comes quickly.
        threading.Thread(target=_warm_up, name="facilitation-network-warm", daemon=True).start()

    def update(self, meeting: Meeting, live: LiveState) -> None:
        display = self.store.network_display(live)
        heading = " · ".join((_("Cooperation network"), _(SCOPE_WORDS[display.scope])))
        self.picture.update(meeting.id, display)
        set_if_changed(
            self.widget,
            NETWORK_CSS
            + f"<h2>{esc(heading)}</h2>"
            + _figures_html(self.picture.figures)
            + self.picture.svg,
        )


def _warm_up() -> None:
    try:
        from .. import network

        towns, ties = network.example_records()
        network.draw(network.cooperation_graph(towns, ties))
    except Exception:  # only a head start: the real picture is drawn anyway
        pass


# --- the facilitator ---------------------------------------------------------------------------


class NetworkTab(FacilitatorTab):
    """Put the network on the wall, read its metrics, load municipalities and ties from CSV."""

    title = N_("Cooperation network")

    def build(self) -> None:
        page = self.page
        self.picture = NetworkPicture(self.store, size=(12, 6.75))
        self.layout_choice = widgets.ToggleButtons(
            options=[(_(w), k) for k, w in LAYOUT_WORDS.items()], style={"button_width": "auto"}
        )
        wide = {"description_width": "initial"}
        self.colour_choice = widgets.Dropdown(
            description=_("Colour by"),
            options=[(_(w), k) for k, w in COLOUR_WORDS.items()],
            style=wide,
        )
        self.scope_choice = widgets.Dropdown(
            description=_("Ties"), options=[(_(w), k) for k, w in SCOPE_WORDS.items()], style=wide
        )
        self._syncing = False
        for choice in (self.layout_choice, self.colour_choice, self.scope_choice):
            choice.observe(lambda _c: None if self._syncing else page.act(self._display_changed),
                           "value")  # fmt: skip
        self.show_button = page.wire(
            widgets.Button(
                description=_("Show the network"), button_style="success", icon="share-alt"
            ),
            lambda: self.store.show_network(page.need_meeting(), self.display),
        )
        self.state = widgets.HTML()
        self.figures = widgets.HTML()
        self.preview = widgets.HTML()
        self.preview.add_class("fac-preview")
        self.table = widgets.HTML()
        self.table.add_class("fac-scroll")
        # Loading CSV files.
        self.town_upload = widgets.FileUpload(
            accept=".csv,.txt", multiple=False, description=_("Municipalities (CSV)")
        )
        self.tie_upload = widgets.FileUpload(
            accept=".csv,.txt", multiple=False, description=_("Ties (CSV)")
        )
        self.ties_in_meeting = widgets.Checkbox(
            value=False, description=_("Loaded ties belong to this meeting"), indent=False
        )
        self.directory_upload = widgets.FileUpload(
            accept=".xlsx,.csv", multiple=False, description=_("Newer extract (Excel)")
        )
        self.directory_upload.observe(lambda _c: self._load("directory"), "value")
        self.directory_state = widgets.HTML()
        self.town_upload.observe(lambda _c: self._load("municipalities"), "value")
        self.tie_upload.observe(lambda _c: self._load("ties"), "value")
        self.report = widgets.HTML()
        # Correcting a tie.
        self.tie_choice = widgets.Dropdown(
            description=_("Tie"), options=[("", None)], layout={"width": "min(100%, 720px)"}
        )
        self.remove_button = page.wire(
            widgets.Button(description=_("Remove tie"), icon="trash"), self._remove
        )
        help_text = esc(
            _(
                "CSV columns: municipalities name, ags, state, district, latitude, longitude, "
                "population; ties from, to (name or AGS), type, topic, strength."
            )
        )
        self.widget.children = [
            widgets.HTML(NETWORK_CSS),
            self.state,
            widgets.HBox(
                [self.show_button, self.layout_choice, self.colour_choice, self.scope_choice],
                layout={"flex_flow": "row wrap", "align_items": "center"},
            ),
            self.figures,
            self.preview,
            widgets.HTML(_heading(_("Metrics"))),
            self.table,
            widgets.HTML(_heading(_("Load from CSV"))),
            widgets.HTML(f'<div class="fac-muted">{help_text}</div>'),
            widgets.HBox([self.town_upload, self.tie_upload, self.ties_in_meeting],
                         layout={"flex_flow": "row wrap", "align_items": "center"}),
            self.report,
            widgets.HTML(_heading(_("Municipality directory"))),
            self.directory_state,
            self.directory_upload,
            widgets.HTML(_heading(_("Correct a tie"))),
            widgets.HBox([self.tie_choice, self.remove_button],
                         layout={"flex_flow": "row wrap", "align_items": "center"}),
        ]  # fmt: skip
        self._show_directory()

    def _show_directory(self) -> None:
        from ..directory import ATTRIBUTION, LICENCE

        info = self.store.directory_info()
        text = ngettext(
            "Participants find every German municipality: {places} municipality of the "
            "official directory, Gebietsstand {stand} ({source}). To use a newer one, load "
            "Destatis' extract 'AuszugGV…xlsx' (destatis.de, Gemeindeverzeichnis).",
            "Participants find every German municipality: {places} municipalities of the "
            "official directory, Gebietsstand {stand} ({source}). To use a newer one, load "
            "Destatis' extract 'AuszugGV…xlsx' (destatis.de, Gemeindeverzeichnis).",
            info.places,
        ).format(places=info.places, stand=info.stand or "?", source=info.source)
        set_if_changed(
            self.directory_state,
            f'<div class="fac-muted">{esc(text)}<br>{esc(ATTRIBUTION)}, {esc(LICENCE)}</div>',
        )

    @property
    def display(self) -> NetworkDisplay:
        return NetworkDisplay(
            self.layout_choice.value, self.colour_choice.value, self.scope_choice.value
        )

    def _display_changed(self) -> None:
        """A new choice reaches the wall at once when the network is on it."""
        meeting_id = self.page.meeting_id
        if meeting_id is not None and self.store.live(meeting_id).screen is Screen.NETWORK:
            self.store.show_network(meeting_id, self.display)

    def refresh(self, live: LiveState) -> None:
        meeting_id = self.page.meeting_id
        on_wall = live.screen is Screen.NETWORK
        if on_wall:  # what the wall shows, also when another page changed it
            shown = self.store.network_display(live)
            self._syncing = True
            try:
                for choice, value in (
                    (self.layout_choice, shown.layout),
                    (self.colour_choice, shown.colour_by),
                    (self.scope_choice, shown.scope),
                ):
                    set_if_changed(choice, value)
            finally:
                self._syncing = False
        text = (
            _("The network is on the wall; participants can enter ties.")
            if on_wall
            else _("The network is not shown. Participants enter ties while it is.")
        )
        set_if_changed(self.state, f'<div class="fac-card">{esc(text)}</div>')
        if self.picture.update(meeting_id, self.display):
            set_if_changed(self.figures, _figures_html(self.picture.figures))
            set_if_changed(self.preview, self.picture.svg)
            set_if_changed(self.table, self._metrics_html())
            self._refresh_ties(meeting_id)

    def _metrics_html(self) -> str:
        from ..network import STATES

        labels = [_("Municipality"), _("State"), _("Partners"), _("Ties"), _("Strength"),
                  _("Betweenness"), _("Closeness"), _("Community"), _("Brokerage"),
                  _("coordinator"), _("itinerant (consultant)"), _("representative"),
                  _("gatekeeper"), _("liaison")]  # fmt: skip
        head = "".join(f"<th>{esc(label)}</th>" for label in labels)
        rows = []
        ranked = sorted(self.picture.metrics.values(), key=lambda m: (-m.degree, m.name))
        for m in ranked:
            state = STATES[m.state][0] if m.state in STATES else (m.state or "")
            cells = [
                m.name, state, m.degree, m.ties, f"{m.weighted_degree:g}", f"{m.betweenness:.3f}",
                f"{m.closeness:.3f}", m.community + 1, m.brokerage, m.coordinator, m.itinerant,
                m.representative, m.gatekeeper, m.liaison,
            ]  # fmt: skip
            rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
        return f'<table class="fac-table"><tr>{head}</tr>{"".join(rows)}</table>'

    def _refresh_ties(self, meeting_id: int | None) -> None:
        names = {m.id: m.name for m in self.store.municipalities()}
        ties = self.store.ties(meeting_id) if meeting_id is not None else []
        options = [("", None)] + [
            (
                " – ".join(
                    (names.get(t.source_id, "?"), _(TIE_WORDS[t.type.value]),
                     names.get(t.target_id, "?"))
                ) + (f" · {t.topic}" if t.topic else ""),
                t.id,
            )
            for t in ties
        ]  # fmt: skip
        set_options(self.tie_choice, options)

    def _remove(self) -> None:
        if self.tie_choice.value is not None:
            self.store.remove_tie(self.tie_choice.value)

    def _load(self, kind: str) -> None:
        """Load an uploaded CSV file and show what was added and which rows were refused."""
        from ..shipped import load_municipalities, load_ties

        upload = {"municipalities": self.town_upload, "ties": self.tie_upload,
                  "directory": self.directory_upload}[kind]  # fmt: skip
        if not upload.value:
            return
        item = upload.value[0]
        name = Path(str(item["name"])).name or f"{kind}.csv"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(bytes(item["content"]))
            try:
                if kind == "directory":
                    self._load_directory(path, name)
                    upload.value = ()
                    return
                if kind == "municipalities":
                    report = load_municipalities(self.store, path)
                else:
                    meeting = self.page.meeting_id if self.ties_in_meeting.value else None
                    report = load_ties(self.store, path, meeting_id=meeting)
            except FacilitationError as error:
                self.report.value = f'<div class="fac-error">{esc(str(error))}</div>'
                upload.value = ()
                return
        upload.value = ()
        lines = "".join(f"<li>{esc(line)}</li>" for line in report.lines())
        style = "fac-ok" if not report.refusals else "fac-error"
        heading = f"{esc(name)}: {esc(report.summary())}"
        self.report.value = f'<div class="{style}"><b>{heading}</b><ul>{lines}</ul></div>'
        self.page.refresh()

    def _load_directory(self, path: Path, name: str) -> None:
        """Use a newer official extract instead of the shipped directory."""
        from ..directory import read_extract

        info = self.store.load_directory(read_extract(path, name=name))
        text = ngettext(
            "{file}: {places} municipality, Gebietsstand {stand}, is used now.",
            "{file}: {places} municipalities, Gebietsstand {stand}, are used now.",
            info.places,
        ).format(file=name, places=info.places, stand=info.stand or "?")
        self.report.value = f'<div class="fac-ok"><b>{esc(text)}</b></div>'
        self._show_directory()


PART = Part(participant=TieEntry, projector=NetworkWall, facilitator=NetworkTab)
