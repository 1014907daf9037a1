"""The participant's page: what her role does now and the form it may use."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ... import consultation as rules
from ..._exceptions import NotInMeeting
from ...i18n import _
from ...models import (
    Consultation,
    ConsultationEntry,
    ConsultationRole,
    ConsultationVariant,
    EntryKind,
    LiveState,
    Participant,
    Screen,
)
from .._common import esc
from .._parts import ParticipantView, set_if_changed, short, show, show_own
from ._shared import (
    _SECTION_WORDS,
    READS,
    Phase,
    Role,
    _entry_cards,
    _key_question_html,
    _method_html,
    _steps_html,
    _t,
    phase_steps,
)

# --- the participant's page ------------------------------------------------------------


def _describe_method(method: widgets.Dropdown, text: widgets.HTML) -> None:
    """The chosen method's one-line description under its dropdown."""
    chosen = rules.METHODS.get(method.value or "")
    line = esc(_(chosen.description)) if chosen else ""
    set_if_changed(text, f'<div class="fac-muted">{line}</div>')


class ConsultationView(ParticipantView):
    """Her role and what it does now, the key question, the method, and the form she may use."""

    screens = (Screen.CONSULTATION,)
    reads = READS

    def build(self) -> None:
        self.consultation_id: int | None = None
        self.role: ConsultationRole | None = None
        self._entries: dict[int, ConsultationEntry] = {}
        self.head = widgets.HTML()
        self.context = widgets.HTML()
        # Questions, ideas, notes and observations.
        self.kind = widgets.ToggleButtons(options=[], style={"button_width": "auto"})
        self.text = widgets.Textarea(layout={"width": "100%", "height": "80px"})
        self.send = widgets.Button(button_style="primary", icon="paper-plane")
        self.send.on_click(lambda _b: self.submit())
        self.form = widgets.VBox([self.kind, self.text, self.send])
        self.form.add_class("fac-form")
        # The key question (case giver or moderator, in its phase).
        self.key_question = widgets.Textarea(
            placeholder=_("How can I ...? What do I need to ...?"),
            layout={"width": "100%", "height": "70px"},
        )
        self.save_question = widgets.Button(
            description=_("Write down the key question"), button_style="primary"
        )
        self.save_question.on_click(lambda _b: self.write_key_question())
        self.question_form = widgets.VBox([self.key_question, self.save_question])
        self.question_form.add_class("fac-form")
        # The method (case giver or moderator, in its phase).
        self.method = widgets.Dropdown(
            options=[(_(m.name), m.key) for m in rules.METHODS.values()],
            value=rules.DEFAULT_METHOD,
            layout={"width": "100%"},
        )
        self.method.add_class("fac-method-choice")
        self.method_text = widgets.HTML()
        self.method.observe(lambda _c: self._describe_method(), "value")
        self.save_method = widgets.Button(
            description=_("Choose this method"), button_style="primary"
        )
        self.save_method.on_click(lambda _b: self.choose_method())
        self.method_form = widgets.VBox([self.method, self.method_text, self.save_method])
        self.method_form.add_class("fac-form")
        self._describe_method()
        # The closing: ideas she takes, and next steps made of them.
        self.take_rows = widgets.VBox()
        self.take_buttons: dict[int, tuple[widgets.HTML, widgets.Button]] = {}
        self.take_lines: dict[int, widgets.HBox] = {}  # each idea's row, made once
        self.step_idea = widgets.Dropdown(options=[], layout={"width": "100%"})
        self.step_idea.add_class("fac-step-idea")
        self.step_idea.observe(self._prefill_step, "value")
        self.step_title = widgets.Text(
            placeholder=_("What will be done?"), layout={"width": "100%"}
        )
        self.step_owner = widgets.Dropdown(
            description=_("Who"), options=[], layout={"width": "min(100%, 420px)"}
        )
        self.step_due = widgets.DatePicker(description=_("By when"))
        self.add_step = widgets.Button(
            description=_("Keep as a next step"), button_style="success", icon="check"
        )
        self.add_step.on_click(lambda _b: self.make_step())
        self._prefilled = ""
        taking = esc(_("Ideas I take along"))
        making = esc(_("A next step"))
        self.closing = widgets.VBox(
            [
                widgets.HTML(f"<h2>{taking}</h2>"),
                self.take_rows,
                widgets.HTML(f"<h2>{making}</h2>"),
                self.step_idea,
                self.step_title,
                widgets.HBox([self.step_owner, self.step_due], layout={"flex_flow": "row wrap"}),
                self.add_step,
            ]
        )
        self.closing.add_class("fac-form")
        self.mine = widgets.VBox()
        self.mine_rows: dict[int, widgets.HBox] = {}
        self.listing = widgets.HTML()
        self.steps = widgets.HTML()
        self.widget.children = [
            self.head,
            self.context,
            self.question_form,
            self.method_form,
            self.closing,
            self.form,
            self.mine,
            self.steps,
            self.listing,
        ]

    # --- showing ----------------------------------------------------------------

    def update(self, live: LiveState) -> None:
        person = self.page.person
        mine = self.store.my_consultations(live.meeting_id, person.id)
        cid = rules.pick_consultation(live.subject_id, {c: p for c, (_r, p) in mine.items()})
        if cid is None:
            return
        current = self.store.consultation(cid)
        roles = self.store.roles(cid)
        try:
            entries = self.store.entries_for(cid, person.id)
        except NotInMeeting as error:  # not registered for this meeting: nothing to read
            set_if_changed(self.head, f'<div class="fac-error">{esc(str(error))}</div>')
            for each in (self.context, self.listing, self.steps):
                set_if_changed(each, "")
            self._show_forms(None, None)
            return
        self.consultation_id = cid
        role = rules.role_of(roles, person.id)
        self.role = role
        self._head(current, role)
        self._context(current)
        self._show_forms(current, role)
        self._entries = {e.id: e for e in entries}  # what she may read, for her own forms
        self._listing(current, role, entries)
        self._mine(current, entries)
        if rules.can_take(role, current.phase):
            self._closing(current, entries)
        steps = self.store.next_steps(cid) if current.phase in (Phase.CLOSING, Phase.DONE) else []
        names = {p.id: p.name for p in self._people(current.meeting_id)} if steps else {}
        set_if_changed(self.steps, _steps_html(steps, names))

    def _people(self, meeting_id: int) -> list[Participant]:
        return self.store.participants(meeting_id)

    def _head(self, current: Consultation, role: ConsultationRole | None) -> None:
        phase = current.phase
        role_word = _(rules.ROLE_WORDS[role]) if role else _("no role")
        said = _(rules.task(role, phase, current.variant, current.method))
        variant = ""
        if current.variant is ConsultationVariant.FLIEGENDE_WERKSTATT:
            flying = esc(_("Fliegende Werkstatt"))
            variant = f' <span class="fac-tag">{flying}</span>'
        ended = ""  # the bar of phases says where it stands; after the last, say it is over
        if phase is Phase.DONE:
            ended = f'<div class="fac-muted">{_t(rules.PHASE_WORDS[phase])}</div>'
        yours = esc(_("Your role"))
        html = (
            phase_steps(phase)
            + f"<h2>{esc(current.title)}{variant}</h2>"
            + ended
            + f'<div>{yours}: <span class="fac-role">{esc(role_word)}</span></div>'
            + f'<div class="fac-card fac-task">{esc(said)}</div>'
        )
        set_if_changed(self.head, html)

    def _context(self, current: Consultation) -> None:
        html = _key_question_html(current.key_question)
        if current.phase is Phase.CONSULTATION:
            html += _method_html(current.method)
        set_if_changed(self.context, html)

    def _show_forms(self, current: Consultation | None, role: ConsultationRole | None) -> None:
        phase = current.phase if current is not None else Phase.DONE
        method_key = current.method if current is not None else None
        kinds = sorted(rules.allowed_kinds(role, phase, method_key), key=list(EntryKind).index)
        show(self.form, bool(kinds))
        # A convenience only: the store refuses a forged click all the same.
        set_if_changed(self.send, not kinds, "disabled")
        if kinds:
            options = [(_(rules.contribution_word(k, method_key)), k.value) for k in kinds]
            if list(self.kind.options) != options:
                self.kind.options = options
                self.kind.value = options[0][1]
            show(self.kind, len(kinds) > 1)
            chosen = EntryKind(self.kind.value or kinds[0].value)
            what = _(rules.contribution_word(chosen, method_key))
            set_if_changed(self.send, _("Send {what}").format(what=what), "description")
            set_if_changed(
                self.text, _("Your {what}, in a sentence or two").format(what=what), "placeholder"
            )
        writing = rules.may_take_step("key_question", role, phase)
        show(self.question_form, writing)
        set_if_changed(self.save_question, not writing, "disabled")
        if writing and current is not None and not self.key_question.value and current.key_question:
            self.key_question.value = current.key_question
        choosing = rules.may_take_step("method", role, phase)
        show(self.method_form, choosing)
        set_if_changed(self.save_method, not choosing, "disabled")
        taking = rules.can_take(role, phase)
        show(self.closing, taking)
        set_if_changed(self.add_step, not taking, "disabled")
        for _label, button in self.take_buttons.values():
            set_if_changed(button, not taking, "disabled")

    def _listing(
        self,
        current: Consultation,
        role: ConsultationRole | None,
        entries: Sequence[ConsultationEntry],
    ) -> None:
        by_kind: dict[EntryKind, list[ConsultationEntry]] = {}
        for entry in entries:
            by_kind.setdefault(entry.kind, []).append(entry)
        order = [EntryKind.QUESTION, EntryKind.IDEA]
        if rules.phase_number(current.phase) >= rules.phase_number(Phase.CONSULTATION):
            order = [EntryKind.IDEA, EntryKind.QUESTION]
        order += [EntryKind.NOTE, EntryKind.OBSERVATION]
        if rules.can_take(role, current.phase):  # her closing form lists the ideas already
            order = [k for k in order if k is not EntryKind.IDEA]
        names = None
        if role in (Role.MODERATOR, Role.SECRETARY):
            names = {p.id: p.name for p in self._people(current.meeting_id)}
        html = ""
        for kind in order:
            found = by_kind.get(kind, [])
            if not found:
                continue
            heading = _("{what} ({n})").format(what=_(_SECTION_WORDS[kind]), n=len(found))
            notes = kind in (EntryKind.NOTE, EntryKind.OBSERVATION)
            html += f"<h2>{esc(heading)}</h2>" + _entry_cards(
                found, current.method, names=names if notes else None, numbered=not notes
            )
        set_if_changed(self.listing, html)

    def _mine(self, current: Consultation, entries: Sequence[ConsultationEntry]) -> None:
        """Her own entries of this phase, each with a button to withdraw it."""
        person = self.page.person.id
        own = [e for e in entries if rules.can_withdraw(current, e, person)]
        show_own(self.mine, self.mine_rows, own, self.withdraw)

    def _closing(self, current: Consultation, entries: Sequence[ConsultationEntry]) -> None:
        ideas = rules.contributions(entries, current)
        for number, idea in enumerate(ideas, start=1):
            if idea.id not in self.take_buttons:
                label = widgets.HTML(layout={"flex": "1 1 0", "min_width": "0"})
                button = widgets.Button(layout={"width": "auto", "flex": "0 0 auto"})
                button.on_click(lambda _b, e=idea.id: self.take(e))
                self.take_buttons[idea.id] = (label, button)
                line = widgets.HBox([label, button], layout={"align_items": "center"})
                line.add_class("fac-card")
                self.take_lines[idea.id] = line
            label, button = self.take_buttons[idea.id]
            tick = "✓ " if idea.taken else ""
            set_if_changed(label, f'<span class="fac-num">{number}</span>{tick}{esc(idea.text)}')
            set_if_changed(
                button,
                _("Leave it") if idea.taken else _("I take it along"),
                "description",
            )
            set_if_changed(button, "" if idea.taken else "info", "button_style")
        set_if_changed(self.take_rows, tuple(self.take_lines[i.id] for i in ideas), "children")
        numbered = sorted(enumerate(ideas, start=1), key=lambda pair: not pair[1].taken)
        taken_first = [
            (f"{n}. {('✓ ' if i.taken else '')}{short(i.text, 70)}", i.id) for n, i in numbered
        ]
        if list(self.step_idea.options) != taken_first:
            current_value = self.step_idea.value
            self.step_idea.options = taken_first
            ids = [value for _label, value in taken_first]
            self.step_idea.value = (
                current_value if current_value in ids else (ids[0] if ids else None)
            )
        people = self._people(current.meeting_id)
        owners = [(p.name, p.id) for p in people]
        if list(self.step_owner.options) != owners:
            self.step_owner.options = owners
            self.step_owner.value = self.page.person.id
        self._prefill_step(None)

    def _prefill_step(self, _change: Any) -> None:
        """Offer the chosen idea's text as the step, unless she has written her own."""
        chosen = self.step_idea.value
        if chosen is None or self.consultation_id is None:
            return
        if self.step_title.value and self.step_title.value != self._prefilled:
            return
        entry = self._entries.get(chosen)
        self._prefilled = short(entry.text if entry is not None else "", 200)
        set_if_changed(self.step_title, self._prefilled)

    def _describe_method(self) -> None:
        _describe_method(self.method, self.method_text)

    # --- acting -------------------------------------------------------------------

    def act(self, action: Callable[[], Any], done: str | None = None) -> bool:
        """As on every view, once a consultation is shown (its actions need its id)."""
        return self.consultation_id is not None and super().act(action, done)

    def submit(self) -> None:
        """Send the question, idea, note or observation typed (checked in the store)."""
        kind = self.kind.value or EntryKind.IDEA.value
        sent = self.act(
            lambda: self.store.submit_entry(
                self.consultation_id, self.page.person.id, self.text.value, kind=kind
            ),
            _("Thank you! It is on the wall now.")
            if kind in (EntryKind.QUESTION.value, EntryKind.IDEA.value)
            else _("Noted."),
        )
        if sent:
            self.text.value = ""

    def withdraw(self, entry_id: int) -> None:
        self.act(
            lambda: self.store.withdraw_entry(entry_id, participant_id=self.page.person.id),
            _("Withdrawn."),
        )

    def write_key_question(self) -> None:
        self.act(
            lambda: self.store.set_key_question(
                self.consultation_id, self.key_question.value, participant_id=self.page.person.id
            ),
            _("The key question is written down."),
        )

    def choose_method(self) -> None:
        self.act(
            lambda: self.store.choose_method(
                self.consultation_id, self.method.value, participant_id=self.page.person.id
            ),
            _("The method is chosen."),
        )

    def take(self, entry_id: int) -> None:
        """Mark an idea as taken along, or not (the case giver in the closing)."""
        entry = self._entries.get(entry_id)
        taken = entry.taken if entry is not None else False
        self.act(
            lambda: self.store.mark_taken(entry_id, not taken, participant_id=self.page.person.id)
        )

    def make_step(self) -> None:
        """Turn the chosen idea into a next step with who and by when (an action item)."""
        if self.step_idea.value is None:
            self.page.say_error(_("Choose the idea the step comes from."))
            return
        made = self.act(
            lambda: self.store.add_next_step(
                self.step_idea.value,
                self.step_title.value,
                participant_id=self.page.person.id,
                owner_id=self.step_owner.value,
                due=self.step_due.value,
            ),
            _("Kept as a next step."),
        )
        if made:
            self.step_title.value = self._prefilled = ""
            self.step_due.value = None
