"""The wall: phase, key question, method, the questions and ideas as they come in."""

from __future__ import annotations

from collections.abc import Sequence

from ... import consultation as rules
from ...i18n import _
from ...models import Consultation, EntryKind, LiveState, Meeting, RoleAssignment, Screen
from .._common import esc
from .._parts import ProjectorView, set_if_changed
from ._shared import (
    READS,
    Phase,
    _entry_cards,
    _key_question_html,
    _method_html,
    _steps_html,
    _t,
    phase_steps,
)

# --- the wall ------------------------------------------------------------------------------


class ConsultationWall(ProjectorView):
    """The phase and what happens in it, the key question, the method, questions and ideas."""

    screens = (Screen.CONSULTATION,)
    reads = READS
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
