"""The facilitator's participants tab: who is invited, how they join, their personal links."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .. import voting
from .._exceptions import NoParticipantChosen
from ..i18n import N_, _
from ..models import LiveState, Screen
from ._common import esc
from ._parts import FacilitatorTab, Part, set_if_changed, set_options, show
from ._views import qr_svg

__all__ = ["PART", "PeopleTab"]


class PeopleTab(FacilitatorTab):
    """Invite participants (personal links) or open the event (a join code)."""

    title = N_("Participants")

    def build(self) -> None:
        page = self.page
        label = {"description_width": "7.5em"}
        field = {"width": "min(100%, 420px)"}
        self.person_name = widgets.Text(description=_("Name"), style=label, layout=field)
        self.person_role = widgets.Text(
            description=_("Role"), placeholder=_("e.g. mayor"), style=label, layout=field
        )
        self.person_town = widgets.Dropdown(
            description=_("Municipality"), options=[("", None)], style=label, layout=field
        )
        self.person_email = widgets.Text(description=_("E-mail"), style=label, layout=field)
        self.person_consent = widgets.Checkbox(
            description=_("May be named in the protocol"), indent=False
        )
        self.add_person = page.wire(
            widgets.Button(description=_("Register and create link"), button_style="primary"),
            self.register_participant,
        )
        self.join_state = widgets.HTML()
        self.open_join = page.wire(
            widgets.Button(description=_("Open event: show a join code")),
            lambda: self.store.open_join(page.need_meeting()),
        )
        self.close_join = page.wire(
            widgets.Button(description=_("Close joining")),
            lambda: self.store.close_join(page.need_meeting()),
        )
        self.people_table = widgets.HTML()
        self.sheet = widgets.HTML()
        self.make_sheet = page.wire(
            widgets.Button(description=_("Sheet of personal links (print)"), icon="print"),
            self.link_sheet,
        )
        wide = {"description_width": "initial"}
        self.known = widgets.SelectMultiple(
            description=_("From earlier meetings"),
            rows=6,
            style=wide,
            layout={"width": "min(100%, 560px)"},
        )
        self.register_known = page.wire(
            widgets.Button(description=_("Register the selected for this meeting")),
            self.register_selected,
        )
        self.person_choice = widgets.Dropdown(
            description=_("Participant"), style=wide, layout={"width": "min(100%, 420px)"}
        )
        self.new_link = page.wire(
            widgets.Button(description=_("New personal link (the old one stops working)")),
            self.renew_link,
        )
        self.remove_person = page.wire(
            widgets.Button(description=_("Remove from this meeting"), button_style="warning"),
            lambda: self.store.unregister(page.need_meeting(), self._chosen_person()),
        )
        invite = esc(_("Invite a participant"))
        again = esc(_("Participants of earlier meetings"))
        manage = esc(_("Links and registration"))
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self.widget.children = [
            widgets.HTML(f"<h2>{invite}</h2>"),
            self.person_name,
            self.person_role,
            self.person_town,
            self.person_email,
            self.person_consent,
            self.add_person,
            widgets.HTML(f"<h2>{again}</h2>"),
            self.known,
            self.register_known,
            self.join_state,
            widgets.HBox([self.open_join, self.close_join], layout=row),
            self.people_table,
            widgets.HTML(f"<h2>{manage}</h2>"),
            widgets.HBox([self.person_choice, self.new_link, self.remove_person], layout=row),
            self.make_sheet,
            self.sheet,
        ]

    @staticmethod
    def _person_label(person: Any, towns: dict[int, str]) -> str:
        town = towns.get(person.municipality_id, "")
        return f"{person.name} ({town})" if town else person.name

    def register_selected(self) -> None:
        """Register participants of earlier meetings for this one (their links stay valid)."""
        meeting_id = self.page.need_meeting()
        for participant_id in self.known.value:
            self.store.register(meeting_id, participant_id)
        self.known.value = ()

    def _chosen_person(self) -> int:
        if self.person_choice.value is None:
            raise NoParticipantChosen()
        return self.person_choice.value

    def renew_link(self) -> str:
        """Revoke the chosen participant's links and make a new one (a lost or passed-on link)."""
        return self.store.renew_link(self._chosen_person())

    def register_participant(self) -> None:
        meeting_id = self.page.need_meeting()
        person = self.store.add_participant(
            self.person_name.value,
            role=self.person_role.value,
            municipality_id=self.person_town.value,
            email=self.person_email.value or None,
            consent_named=self.person_consent.value,
            meeting_id=meeting_id,
        )
        self.store.create_link(person.id)
        self.person_name.value = self.person_role.value = self.person_email.value = ""
        self.person_consent.value = False

    def personal_url(self, token: str) -> str:
        base = self.page.join_url or "/"
        return f"{base}?p={token}"

    def link_sheet(self) -> None:
        """A printable sheet: one personal link with its QR code per participant."""
        meeting_id = self.page.need_meeting()
        links = self.store.personal_links(meeting_id)
        cards = []
        for person in self.store.participants(meeting_id):
            url = self.personal_url(links[person.id])
            cards.append(
                f'<div class="fac-card fac-sheet fac-join">{qr_svg(url)}'
                f'<div><div class="fac-big">{esc(person.name)}</div>'
                f"<div>{esc(url)}</div></div></div>"
            )
        self.sheet.value = "".join(cards)

    def _round_in_play(self, live: LiveState) -> int | None:
        shown = live.subject_id if live.screen in (Screen.VOTE, Screen.RESULTS) else None
        return voting.round_in_play(self.store.vote_rounds(live.meeting_id), shown)

    def refresh(self, live: LiveState) -> None:
        round_id = self._round_in_play(live)
        towns = self.store.municipalities()
        set_options(self.person_town, [("", None)] + [(m.name, m.id) for m in towns])
        names = {m.id: m.name for m in towns}
        meeting_id = live.meeting_id
        if live.join_code:
            text = _("Open event: newcomers join with the code {code}").format(code=live.join_code)
        else:
            text = _("Joining with a code is closed: only personal links work.")
        set_if_changed(self.join_state, f'<div class="fac-card">{esc(text)}</div>')
        everyone = self.store.participants()
        here = self.store.participants(meeting_id)
        here_ids = {p.id for p in here}
        known = [(self._person_label(p, names), p.id) for p in everyone if p.id not in here_ids]
        if list(self.known.options) != known:
            self.known.options = known
        show(self.known, bool(known))
        show(self.register_known, bool(known))
        choices = [(self._person_label(p, names), p.id) for p in here]
        set_options(self.person_choice, choices)
        seen = self.store.seen(meeting_id)
        held = self.store.dots_per_participant(round_id) if round_id else {}
        total = self.store.vote_round(round_id).dots_per_person if round_id else 0
        links = self.store.personal_links(meeting_id)
        header = "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("Name"), _("Municipality"), _("Joined"), _("Dots left"), _("Personal link"))
        )
        rows = []
        for person in here:
            joined = "✓" if person.id in seen else "–"
            left = str(total - held.get(person.id, 0)) if round_id else ""
            url = self.personal_url(links[person.id])
            town = names.get(person.municipality_id, "")
            rows.append(
                f"<tr><td>{esc(person.name)}</td><td>{esc(town)}</td>"
                f"<td>{joined}</td><td>{left}</td><td><code>{esc(url)}</code></td></tr>"
            )
        set_if_changed(
            self.people_table, f'<table class="fac-table"><tr>{header}</tr>{"".join(rows)}</table>'
        )


PART = Part(facilitator=PeopleTab)
