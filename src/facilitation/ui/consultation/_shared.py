"""What the participant's page, the wall and the facilitator's tab show alike."""

from __future__ import annotations

from collections.abc import Sequence

from ... import consultation as rules
from ...i18n import N_, _
from ...models import ActionItem, ConsultationEntry, ConsultationPhase, ConsultationRole, EntryKind
from .._common import esc

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


# The tables the part's pieces show (a page re-reads them when one changed).
READS = frozenset(
    {
        "consultation",
        "consultation_entry",
        "consultation_role",
        "consultation_phase_change",
        "consultation_phase_plan",
        "action_item",
        "participant",
    }
)
