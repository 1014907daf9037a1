"""The facilitator's tab: cast the roles, set key question, method and minutes, move the phases."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from ... import consultation as rules
from ..._exceptions import NoConsultationChosen
from ...i18n import N_, _, ngettext
from ...models import (
    AtZero,
    Consultation,
    ConsultationVariant,
    EntryKind,
    LiveState,
    Participant,
    PreparedKind,
    RoleAssignment,
    Screen,
)
from .._common import at_zero_options, esc
from .._parts import FacilitatorTab, set_if_changed, set_options, short, show
from .._prepared import Corrections
from ._shared import Phase, _steps_html, _t, phase_steps
from ._view import _describe_method

# --- the facilitator's tab -------------------------------------------------------------------


class ConsultationTab(FacilitatorTab):
    """Prepare consultations, cast the roles, move the phases with their countdown."""

    title = N_("Collegial consultation")

    def build(self) -> None:
        self._question_of: int | None = None  # the consultation the key question field shows
        page = self.page
        wide = {"description_width": "initial"}
        row = {"flex_flow": "row wrap", "align_items": "center"}
        self._syncing = False
        # Choosing and preparing.
        self.choice = widgets.Dropdown(
            description=_("Consultation"),
            options=[],
            style=wide,
            layout={"width": "min(100%, 560px)"},
        )
        self.choice.observe(lambda _c: self.page.refresh(), "value")
        self.new_title = widgets.Text(
            placeholder=_("Title of the case, e.g. Vacant inn on the market square"),
            layout={"width": "min(100%, 560px)"},
        )
        self.new_variant = widgets.Dropdown(
            options=[(_(v.name), v.key.value) for v in rules.VARIANTS.values()],
            value=ConsultationVariant.STANDARD.value,
        )
        self.new_variant.observe(lambda _c: self._describe_variant(), "value")
        self.variant_text = widgets.HTML()
        self.create = page.wire(
            widgets.Button(description=_("Prepare consultation"), button_style="primary"),
            self.create_consultation,
        )
        self._describe_variant()
        # Its case title corrected; deleted while it never began, else hidden.
        self.corrections = Corrections(
            page, PreparedKind.CONSULTATION, lambda: self.consultation_id,
            rename=lambda cid, title: self.store.update_consultation(cid, title=title),
            delete=self.store.delete_consultation, what=_("consultation"),
        )  # fmt: skip
        # Where it stands, and moving on.
        self.state = widgets.HTML()
        self.back = page.wire(
            widgets.Button(description=_("Back"), icon="arrow-left"), lambda: self.step(-1)
        )
        self.forward = page.wire(
            widgets.Button(description=_("Next phase"), icon="arrow-right", button_style="success"),
            lambda: self.step(1),
        )
        self.restart = page.wire(
            widgets.Button(description=_("Restart the phase's time"), icon="clock-o"),
            self.restart_time,
        )
        self.with_timer = widgets.Checkbox(
            value=True, description=_("Countdown follows the phases"), indent=False
        )
        # At 0:00 a phase only signals (the default), or the next phase begins by itself.
        self.at_zero = widgets.Dropdown(
            description=_("At 0:00"), options=at_zero_options(AtZero.SIGNAL), style=wide
        )
        self.at_zero.observe(lambda change: self._flag("at_zero", change), "value")
        self.show = page.wire(
            widgets.Button(description=_("Show on the screens"), icon="television"),
            self.show_on_screens,
        )
        # Casting.
        self.case_giver = widgets.Dropdown(description=_("Case giver"), options=[], style=wide)
        self.suggest = page.wire(
            widgets.Button(description=_("Suggest a casting"), icon="magic"), self.suggest_casting
        )
        self.casting_state = widgets.HTML()
        self.casting = widgets.VBox()
        self.role_boxes: dict[int, widgets.Dropdown] = {}
        # Key question, method, minutes, confidentiality.
        self.key_question = widgets.Textarea(
            placeholder=_("The case giver's key question"),
            layout={"width": "100%", "height": "60px"},
        )
        self.save_question = page.wire(
            widgets.Button(
                description=_("Write down the key question"), layout={"align_self": "flex-start"}
            ),
            self.write_key_question,
        )
        self.method = widgets.Dropdown(
            description=_("Method"),
            options=[("", None)] + [(_(m.name), m.key) for m in rules.METHODS.values()],
            style=wide,
        )
        self.method.observe(lambda _c: self._describe_method(), "value")
        self.method_text = widgets.HTML()
        self.save_method = page.wire(
            widgets.Button(description=_("Choose method")), self.choose_method
        )
        self.minutes = {
            phase: widgets.BoundedIntText(
                min=0, max=240, description=_(rules.PHASE_WORDS[phase]), style=wide,
                layout={"width": "210px"},
            )
            for phase in rules.PHASES
        }  # fmt: skip
        self.save_minutes = page.wire(
            widgets.Button(
                description=_("Take these minutes"), layout={"align_self": "flex-start"}
            ),
            self.change_minutes,
        )
        self.confidential = widgets.Checkbox(description=_("Confidential"), indent=False)
        self.exported = widgets.Checkbox(
            description=_("Include its notes in exports and the protocol"), indent=False
        )
        for box, name in (
            (self.confidential, "confidential"),
            (self.exported, "include_in_export"),
        ):
            box.observe(lambda change, n=name: self._flag(n, change), "value")
        # Entries.
        self.entry_table = widgets.HTML()
        self.hide_choice = widgets.Dropdown(description=_("Entry"), options=[], style=wide)
        self.hide = page.wire(
            widgets.Button(description=_("Hide from the screens")), self.hide_entry
        )
        self.own_text = widgets.Text(
            placeholder=_("Something said aloud, to keep"), layout={"width": "min(100%, 560px)"}
        )
        self.own_kind = widgets.Dropdown(
            options=[(_(rules.contribution_word(k)), k.value) for k in EntryKind],
            value=EntryKind.IDEA.value,
            layout={"width": "160px"},
        )
        self.keep = page.wire(widgets.Button(description=_("Keep")), self.keep_entry)
        self.steps = widgets.HTML()
        h = lambda text: widgets.HTML(f"<h2>{esc(text)}</h2>")  # noqa: E731
        self.details = widgets.VBox(
            [
                self.state,
                widgets.HBox([self.back, self.forward, self.restart, self.show], layout=row),
                widgets.HBox([self.with_timer, self.at_zero], layout=row),
                h(_("Casting")),
                widgets.HBox([self.case_giver, self.suggest], layout=row),
                self.casting_state,
                self.casting,
                h(_("Key question and method")),
                self.key_question,
                self.save_question,
                widgets.HBox([self.method, self.save_method], layout=row),
                self.method_text,
                h(_("Minutes per phase")),
                widgets.HBox(list(self.minutes.values()), layout=row),
                self.save_minutes,
                h(_("Confidentiality")),
                self.confidential,
                self.exported,
                h(_("Questions, ideas and notes")),
                self.entry_table,
                widgets.HBox([self.hide_choice, self.hide], layout=row),
                widgets.HBox([self.own_kind, self.own_text, self.keep], layout=row),
                self.steps,
            ]
        )
        self.widget.children = [
            widgets.HBox([self.choice], layout=row),
            self.corrections.widget,
            widgets.HBox([self.new_title, self.new_variant, self.create], layout=row),
            self.variant_text,
            self.details,
        ]

    # --- helpers ---------------------------------------------------------------------

    @property
    def consultation_id(self) -> int | None:
        return self.choice.value

    def _need(self) -> int:
        if self.consultation_id is None:
            raise NoConsultationChosen()
        return self.consultation_id

    def _describe_variant(self) -> None:
        chosen = rules.VARIANTS[ConsultationVariant(self.new_variant.value)]
        minutes = sum(chosen.phase_minutes.values())
        text = (
            _(chosen.description)
            + " "
            + ngettext("{n} minute in all.", "{n} minutes in all.", minutes).format(n=minutes)
        )
        set_if_changed(self.variant_text, f'<div class="fac-muted">{esc(text)}</div>')

    def _describe_method(self) -> None:
        _describe_method(self.method, self.method_text)

    # --- actions -----------------------------------------------------------------------

    def create_consultation(self) -> None:
        made = self.store.add_consultation(
            self.page.need_meeting(), self.new_title.value, variant=self.new_variant.value
        )
        self.new_title.value = ""
        self._refresh_choice()
        self.choice.value = made.id

    def step(self, steps: int) -> None:
        self.store.step_phase(self._need(), steps, start_timer=self.with_timer.value)

    def restart_time(self) -> None:
        current = self.store.consultation(self._need())
        self.store.set_phase(current.id, current.phase, start_timer=True)

    def show_on_screens(self) -> None:
        self.store.show(self.page.need_meeting(), Screen.CONSULTATION, self._need())

    def suggest_casting(self) -> None:
        chosen = [self.case_giver.value] if self.case_giver.value else []
        self.store.suggest_casting(self._need(), case_giver_ids=chosen)  # those present only

    def _set_role(self, participant_id: int, change: dict) -> None:
        if self._syncing or self.consultation_id is None:
            return
        self.page.act(
            lambda: self.store.set_role(self.consultation_id, participant_id, change["new"])
        )

    def write_key_question(self) -> None:
        self.store.set_key_question(self._need(), self.key_question.value)

    def choose_method(self) -> None:
        if self.method.value is None:
            self.store.update_consultation(self._need(), method=None)
        else:
            self.store.choose_method(self._need(), self.method.value)

    def change_minutes(self) -> None:
        self.store.set_phase_minutes(
            self._need(), {phase: box.value for phase, box in self.minutes.items()}
        )

    def _flag(self, name: str, change: dict) -> None:
        if self._syncing or self.consultation_id is None:
            return
        self.page.act(
            lambda: self.store.update_consultation(self.consultation_id, **{name: change["new"]})
        )

    def hide_entry(self) -> None:
        if self.hide_choice.value is not None:
            self.store.withdraw_entry(self.hide_choice.value)

    def keep_entry(self) -> None:
        self.store.add_entry(self._need(), self.own_text.value, kind=self.own_kind.value)
        self.own_text.value = ""

    # --- showing -------------------------------------------------------------------------

    def _refresh_choice(self) -> None:
        meeting_id = self.page.meeting_id
        found = self.store.consultations(meeting_id) if meeting_id else []
        options = [(c.title + " · " + _(rules.PHASE_WORDS[c.phase]), c.id) for c in found]
        set_options(self.choice, options, fallback="last")

    def refresh(self, live: LiveState) -> None:
        self._refresh_choice()
        shown = self.consultation_id is not None
        show(self.details, shown)
        hidden = self.store.hidden(self.page.meeting_id)[PreparedKind.CONSULTATION]
        if not shown:
            self.corrections.update(None, hidden)
            return
        current = self.store.consultation(self.consultation_id)
        self.corrections.update(current.title, hidden)
        roles = self.store.roles(current.id)
        people = self.store.participants(current.meeting_id)
        names = {p.id: p.name for p in people}
        self._syncing = True
        try:
            self._state(current, roles, live)
            self._casting(current, roles, people)
            if self._question_of != current.id or not self.key_question.value:
                # Another consultation chosen: its own key question, never the last one's.
                set_if_changed(self.key_question, current.key_question)
                self._question_of = current.id
            set_if_changed(self.method, current.method)
            for phase, box in self.minutes.items():
                set_if_changed(box, current.phase_minutes.get(phase.value, 0))
            set_if_changed(self.confidential, current.confidential)
            set_if_changed(self.exported, current.include_in_export)
            set_if_changed(self.at_zero, current.at_zero.value)
        finally:
            self._syncing = False
        self._describe_method()
        self._entries(current, names)

    def _state(
        self, current: Consultation, roles: Sequence[RoleAssignment], live: LiveState
    ) -> None:
        phase = current.phase
        lines = [_("Phase: {phase}").format(phase=_(rules.PHASE_WORDS[phase]))]
        ends = rules.phase_ends_at(current)
        if ends is not None and phase is not Phase.DONE:
            lines.append(_("planned until {time}").format(time=ends.astimezone().strftime("%H:%M")))
        following = rules.next_phase(phase)
        if following is not None:
            missing = rules.missing_for(following, current, roles)
            if missing:
                lines.append(
                    _("Before “{phase}”: {what}").format(
                        phase=_(rules.PHASE_WORDS[following]),
                        what="; ".join(_(m) for m in missing),
                    )
                )
        on_screen = live.screen is Screen.CONSULTATION and live.subject_id == current.id
        lines.append(_("on the screens") if on_screen else _("not on the screens"))
        html = phase_steps(phase) + f'<div class="fac-card">{esc(" · ".join(lines))}</div>'
        set_if_changed(self.state, html)
        set_if_changed(self.back, phase is Phase.CASTING, "disabled")
        set_if_changed(self.forward, phase is Phase.DONE, "disabled")
        set_if_changed(
            self.forward,
            _("Next phase")
            if following is None
            else _("On to: {phase}").format(phase=_(rules.PHASE_WORDS[following])),
            "description",
        )

    def _casting(
        self, current: Consultation, roles: Sequence[RoleAssignment], people: Sequence[Participant]
    ) -> None:
        role_of = {r.participant_id: r.role.value for r in roles}
        towns = {m.id: m.name for m in self.store.municipalities()}
        options = [("–", None)] + [(_(w), r.value) for r, w in rules.ROLE_WORDS.items()]
        givers = [("", None)] + [(p.name, p.id) for p in people]
        if list(self.case_giver.options) != givers:
            self.case_giver.options = givers
        rows = []
        for person in people:
            box = self.role_boxes.get(person.id)
            if box is None:
                town = towns.get(person.municipality_id, "")
                label = person.name + (f" ({town})" if town else "")
                box = widgets.Dropdown(
                    description=label, options=options, style={"description_width": "300px"},
                    layout={"width": "min(100%, 540px)"},
                )  # fmt: skip
                box.observe(lambda change, p=person.id: self._set_role(p, change), "value")
                self.role_boxes[person.id] = box
            set_if_changed(box, role_of.get(person.id))
            rows.append(box)
        set_if_changed(self.casting, tuple(rows), "children")
        problems = rules.casting_problems(current, roles)
        counts = {
            w: sum(1 for r in roles if r.role is role) for role, w in rules.ROLE_WORDS.items()
        }
        summary = ", ".join(_(w) + f": {n}" for w, n in counts.items() if n)
        text = summary or _("No roles given yet.")
        html = f'<div class="fac-muted">{esc(text)}</div>'
        if problems:
            advice = "; ".join(_(p) for p in problems)
            html += f'<div class="fac-warn">{esc(advice)}</div>'
        set_if_changed(self.casting_state, html)

    def _entries(self, current: Consultation, names: dict[int, str]) -> None:
        entries = self.store.entries(current.id)
        rows = []
        for entry in entries:
            who = (
                names.get(entry.participant_id, _("facilitator"))
                if entry.participant_id
                else _("facilitator")
            )
            tick = "✓" if entry.taken else ""
            rows.append(
                f"<tr><td>{entry.id}</td>"
                f"<td>{_t(rules.contribution_word(entry.kind, current.method))}</td>"
                f"<td>{_t(rules.PHASE_WORDS[entry.phase])}</td><td>{esc(entry.text)}</td>"
                f"<td>{esc(who)}</td><td>{tick}</td></tr>"
            )
        head = "".join(
            f"<th>{esc(h)}</th>"
            for h in ("#", _("Kind"), _("Phase"), _("Text"), _("From"), _("Taken"))
        )
        html = f'<table class="fac-table"><tr>{head}</tr>{"".join(rows)}</table>' if rows else ""
        set_if_changed(self.entry_table, html)
        options = [(f"{e.id}: {short(e.text, 50)}", e.id) for e in entries]
        set_options(self.hide_choice, options)
        steps = self.store.next_steps(current.id)
        set_if_changed(self.steps, _steps_html(steps, names))
