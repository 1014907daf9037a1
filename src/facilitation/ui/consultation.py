"""Collegial consultation (kollegiale Beratung): each participant's page shows what her role
does in the current phase and the form her role may use now; the wall shows the phase, the
key question, the method and the questions and ideas as they come in; the facilitator casts
the roles, sets key question, method and minutes, and moves the phases with their countdown.

Every rule is the store's (``facilitation.consultation`` decides, inside the transaction that
writes): a button is only disabled for convenience, a forged click gets the same refusal.
Participant text is always shown escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from .. import consultation as rules
from .._exceptions import NoConsultationChosen, NotInMeeting
from ..i18n import N_, _
from ..models import (
    ActionItem,
    Consultation,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    ConsultationVariant,
    EntryKind,
    LiveState,
    Meeting,
    Participant,
    RoleAssignment,
    Screen,
)
from ._common import esc
from ._parts import (
    FacilitatorTab,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    short,
    show_own,
)

__all__ = ["FACILITATOR", "PARTICIPANT", "PROJECTOR", "phase_steps"]

Phase = ConsultationPhase
Role = ConsultationRole

_SECTION_WORDS = {
    EntryKind.QUESTION: N_("Questions"),
    EntryKind.IDEA: N_("Ideas"),
    EntryKind.NOTE: N_("Notes"),
    EntryKind.OBSERVATION: N_("Observations"),
}


# --- shared pieces ----------------------------------------------------------------------


def phase_steps(phase: ConsultationPhase) -> str:
    """The six phases as a bar, the current one highlighted."""
    now = rules.phase_number(phase)
    items = []
    for number, each in enumerate(rules.PHASES, start=1):
        state = "fac-now" if number == now else ("fac-past" if number < now else "")
        items.append(
            f'<li class="{state}"><span class="fac-step-no">{number}.</span> '
            f'<span class="fac-step-name">{_t(rules.PHASE_WORDS[each])}</span></li>'
        )
    return f'<ol class="fac-steps">{"".join(items)}</ol>'


def _key_question_html(text: str) -> str:
    if not text.strip():
        return ""
    label = esc(_("Key question"))
    return f'<div class="fac-keyq"><span class="fac-label">{label}</span>{esc(text)}</div>'


def _method_html(key: str | None) -> str:
    chosen = rules.METHODS.get(key or "")
    if chosen is None:
        return ""
    label = esc(_("Method"))
    return (
        f'<div class="fac-card"><span class="fac-label">{label}</span> '
        f"<b>{_t(chosen.name)}</b> – {_t(chosen.description)}</div>"
    )


def _entry_cards(
    entries: Sequence[ConsultationEntry],
    method_key: str | None,
    *,
    names: dict[int, str] | None = None,
    numbered: bool = True,
) -> str:
    cards = []
    for number, entry in enumerate(entries, start=1):
        taken = " fac-taken" if entry.taken else ""
        mark = f'<span class="fac-num">{number}</span>' if numbered else ""
        who = ""
        if names is not None and entry.participant_id in names:
            who = f'<div class="fac-muted">{esc(names[entry.participant_id])}</div>'
        tick = ' <span class="fac-tick">✓</span>' if entry.taken else ""
        cards.append(
            f'<div class="fac-card fac-entry{taken}">{mark}{esc(entry.text)}{tick}{who}</div>'
        )
    return '<div class="fac-columns">' + "".join(cards) + "</div>"


def _steps_html(steps: Sequence[ActionItem], names: dict[int, str]) -> str:
    if not steps:
        return ""
    rows = []
    for step in steps:
        owner = names.get(step.owner_id, "") if step.owner_id else ""
        due = step.due.strftime("%d.%m.%Y") if step.due else ""
        rows.append(f"<tr><td>{esc(step.title)}</td><td>{esc(owner)}</td><td>{esc(due)}</td></tr>")
    head = "".join(f"<th>{esc(h)}</th>" for h in (_("Next step"), _("Who"), _("By when")))
    heading = esc(_("Next steps"))
    return f'<h2>{heading}</h2><table class="fac-table"><tr>{head}</tr>{"".join(rows)}</table>'


def _t(message: str) -> str:
    """A message marked elsewhere, translated now and escaped for HTML."""
    return esc(_(message))


# --- the participant's page ------------------------------------------------------------


def _describe_method(method: widgets.Dropdown, text: widgets.HTML) -> None:
    """The chosen method's one-line description under its dropdown."""
    chosen = rules.METHODS.get(method.value or "")
    line = esc(_(chosen.description)) if chosen else ""
    set_if_changed(text, f'<div class="fac-muted">{line}</div>')


class ConsultationView(ParticipantView):
    """Her role and what it does now, the key question, the method, and the form she may use."""

    screens = (Screen.CONSULTATION,)

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
        self._visible(self.form, bool(kinds))
        # A convenience only: the store refuses a forged click all the same.
        set_if_changed(self.send, not kinds, "disabled")
        if kinds:
            options = [(_(rules.contribution_word(k, method_key)), k.value) for k in kinds]
            if list(self.kind.options) != options:
                self.kind.options = options
                self.kind.value = options[0][1]
            self._visible(self.kind, len(kinds) > 1)
            chosen = EntryKind(self.kind.value or kinds[0].value)
            what = _(rules.contribution_word(chosen, method_key))
            set_if_changed(self.send, _("Send {what}").format(what=what), "description")
            set_if_changed(
                self.text, _("Your {what}, in a sentence or two").format(what=what), "placeholder"
            )
        writing = rules.may_take_step("key_question", role, phase)
        self._visible(self.question_form, writing)
        set_if_changed(self.save_question, not writing, "disabled")
        if writing and current is not None and not self.key_question.value and current.key_question:
            self.key_question.value = current.key_question
        choosing = rules.may_take_step("method", role, phase)
        self._visible(self.method_form, choosing)
        set_if_changed(self.save_method, not choosing, "disabled")
        taking = rules.can_take(role, phase)
        self._visible(self.closing, taking)
        set_if_changed(self.add_step, not taking, "disabled")
        for _label, button in self.take_buttons.values():
            set_if_changed(button, not taking, "disabled")

    @staticmethod
    def _visible(widget: widgets.Widget, shown: bool) -> None:
        set_if_changed(widget.layout, "" if shown else "none", "display")

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


# --- the wall ------------------------------------------------------------------------------


class ConsultationWall(ProjectorView):
    """The phase and what happens in it, the key question, the method, questions and ideas."""

    screens = (Screen.CONSULTATION,)
    show_join = False

    def update(self, meeting: Meeting, live: LiveState) -> None:
        set_if_changed(self.widget, self._html(live.subject_id))

    def _html(self, consultation_id: int) -> str:
        current = self.store.consultation(consultation_id)
        phase = current.phase
        html = phase_steps(phase) + f"<h2>{esc(current.title)}</h2>"
        purpose = _(rules.PHASE_PURPOSES[phase])
        html += (
            f'<div class="fac-big">{_t(rules.PHASE_WORDS[phase])}</div>'
            f'<div class="fac-muted">{esc(purpose)}</div>'
        )
        ends = rules.phase_ends_at(current)
        if ends is not None and phase is not Phase.DONE:
            until = ends.astimezone().strftime("%H:%M")
            planned = esc(_("Planned until {time}").format(time=until))
            html += f'<div class="fac-muted">{planned}</div>'
        html += _key_question_html(current.key_question)
        if phase is Phase.CASTING:
            return html + self._casting(current)
        if rules.phase_number(phase) >= rules.phase_number(Phase.METHOD_CHOICE):
            html += _method_html(current.method)
        entries = self.store.entries(consultation_id)
        if rules.phase_number(phase) >= rules.phase_number(Phase.CONSULTATION):
            listed = rules.contributions(entries, current)
            heading = _("{what}: {n}").format(what=_("Ideas"), n=len(listed))
        else:
            listed = [e for e in entries if e.kind is EntryKind.QUESTION]
            heading = _("{what}: {n}").format(what=_("Questions"), n=len(listed))
        if listed:
            html += f"<h2>{esc(heading)}</h2>" + _entry_cards(listed, current.method)
        if phase in (Phase.CLOSING, Phase.DONE):
            steps = self.store.next_steps(consultation_id)
            names = {p.id: p.name for p in self.store.participants(current.meeting_id)}
            html += _steps_html(steps, names)
        return html

    def _casting(self, current: Consultation) -> str:
        roles = self.store.roles(current.id)
        if not roles:
            return ""
        names = {p.id: p.name for p in self.store.participants(current.meeting_id)}
        return _casting_table(roles, names)


def _casting_table(roles: Sequence[RoleAssignment], names: dict[int, str]) -> str:
    rows = []
    for role in rules.ROLE_WORDS:
        held = [names.get(r.participant_id, "?") for r in roles if r.role is role]
        if held:
            rows.append(
                f"<tr><td>{_t(rules.ROLE_WORDS[role])}</td><td>{esc(', '.join(held))}</td></tr>"
            )
    return f'<table class="fac-table fac-casting">{"".join(rows)}</table>'


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
                self.with_timer,
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
        text = _(chosen.description) + " " + _("{minutes} minutes in all.").format(minutes=minutes)
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
        current = self.store.consultation(self._need())
        people = self.store.participants(current.meeting_id)
        chosen = [self.case_giver.value] if self.case_giver.value else []
        cast = rules.suggest_casting(people, current, case_giver_ids=chosen)
        self.store.set_roles(current.id, cast)

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
        set_if_changed(self.details.layout, "" if shown else "none", "display")
        if not shown:
            return
        current = self.store.consultation(self.consultation_id)
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


PARTICIPANT = ConsultationView
FACILITATOR = ConsultationTab
PROJECTOR = ConsultationWall


from ._parts import Part as _Part  # noqa: E402

PART = _Part(participant=ConsultationView, projector=ConsultationWall, facilitator=ConsultationTab)
