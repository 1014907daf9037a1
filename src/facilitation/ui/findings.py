"""What the series learned: the facilitator drafts findings and recommendations and links
their sources across the meetings; the participants agree, object or comment on each, and
give priority dots, on their own pages; the wall shows how the answers come in.

Every rule is the store's (only registered participants, while the review is shown, one
current answer per person, dots within the allowance); participant text is shown escaped.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .. import findings as review_rules
from .._exceptions import NoFindingChosen, NoSourceChosen
from ..attendance import share
from ..consultation import released
from ..i18n import N_, _, ngettext
from ..models import (
    FINDING_KIND_WORDS,
    FINDING_STATUS_WORDS,
    SOURCE_KIND_WORDS,
    STANCE_WORDS,
    Finding,
    FindingKind,
    FindingStatus,
    LiveState,
    Meeting,
    Screen,
    SourceKind,
    Stance,
)
from ._common import esc
from ._parts import (
    FacilitatorTab,
    Part,
    ParticipantView,
    ProjectorView,
    set_if_changed,
    set_options,
    short,
    show,
)

__all__ = ["PART", "findings_html"]

_STANCE_ICONS = {Stance.AGREE: "check", Stance.OBJECT: "times", Stance.COMMENT: "comment"}
_STANCE_STYLES = {Stance.AGREE: "success", Stance.OBJECT: "danger", Stance.COMMENT: "info"}


def _head(finding: Finding) -> str:
    kind = esc(_(FINDING_KIND_WORDS[finding.kind]))
    extra = " · ".join(esc(x) for x in (finding.addressee, finding.theme) if x)
    extra = f'<div class="fac-muted">{extra}</div>' if extra else ""
    text = f"<div>{esc(finding.text)}</div>" if finding.text else ""
    return f'<div class="fac-muted">{kind}</div><b>{esc(finding.title)}</b>{text}{extra}'


def findings_html(
    findings: list[Finding],
    counted: dict[int, review_rules.Agreement],
    dots: dict[int, int],
    *,
    texts: bool = False,
) -> str:
    """The counts of each finding, as on the wall and in the facilitator's tab; with
    ``texts`` (the facilitator's tab) the objections' and comments' words too, as they
    come in (each person's latest answer, newest first, no names)."""
    words = {key: esc(_(message)) for key, message in (
        ("agree", N_("Agree")), ("object", N_("Object")), ("comment", N_("Only a comment")),
        ("dots", N_("Priority dots")),
    )}  # fmt: skip
    rows = []
    for finding in findings:
        c = counted.get(finding.id) or review_rules.Agreement(finding.id)
        figures = (
            f'<span class="fac-agree">✔ {words["agree"]}: {c.agree}</span> · '
            f'<span class="fac-object">✖ {words["object"]}: {c.object}</span> · '
            f"{words['comment']}: {c.comment_only} · "
            f'<span class="fac-dot">●</span> {words["dots"]}: {dots.get(finding.id, 0)}'
        )
        said = _answer_texts(c) if texts else ""
        rows.append(f'<div class="fac-card">{_head(finding)}<div class="fac-big">{figures}</div>'
                    f"{said}</div>")  # fmt: skip
    return "".join(rows)


def _answer_texts(counted: review_rules.Agreement) -> str:
    """The words of the objections and comments of a finding, newest first, as text."""
    marks = {Stance.OBJECT: "✖", Stance.AGREE: "✔", Stance.COMMENT: "💬"}
    items = [
        f'<li class="fac-answer-{a.stance.value}">{marks[a.stance]} {esc(a.comment)}</li>'
        for a in sorted(counted.answers, key=lambda a: (a.at, a.id), reverse=True)
        if a.comment.strip()
    ]
    return f'<ul class="fac-answers">{"".join(items)}</ul>' if items else ""


# --- the participant's page ---------------------------------------------------------------


class _FindingCard:
    """One finding on a participant's page: her answer, a comment, her priority dots."""

    def __init__(self, view: ReviewView, finding: Finding) -> None:
        self.finding_id = finding.id
        self.head = widgets.HTML(_head(finding))
        self.mine = widgets.HTML()
        self.comment = widgets.Textarea(
            placeholder=_("Your comment (optional; needed for 'Only a comment')"),
            rows=2,
            layout={"width": "100%"},
        )
        self.buttons = {}
        for stance in Stance:
            button = widgets.Button(
                description=_(STANCE_WORDS[stance]),
                icon=_STANCE_ICONS[stance],
                button_style=_STANCE_STYLES[stance],
                layout={"width": "auto"},
            )
            button.on_click(lambda _b, s=stance: view.answer(self.finding_id, s))
            self.buttons[stance] = button
        self.dots = widgets.HTML()
        self.add = widgets.Button(description=_("+ priority dot"), layout={"width": "auto"})
        self.back = widgets.Button(description=_("take back"), layout={"width": "auto"})
        self.add.on_click(lambda _b: view.priority(self.finding_id, place=True))
        self.back.on_click(lambda _b: view.priority(self.finding_id, place=False))
        wrap = {"flex_flow": "row wrap", "align_items": "center"}
        self.widget = widgets.VBox([
            self.head, self.mine, self.comment,
            widgets.HBox(list(self.buttons.values()), layout=wrap),
            widgets.HBox([self.dots, self.add, self.back], layout=wrap),
        ])  # fmt: skip
        self.widget.add_class("fac-card")

    def update(self, finding: Finding, answer: Any, held: int, left: int, cap: int) -> None:
        set_if_changed(self.head, _head(finding))
        if answer is None:
            text = esc(_("You have not answered yet."))
        else:
            text = esc(_("Your answer: {stance}").format(stance=_(STANCE_WORDS[answer.stance])))
            if answer.comment:
                text += f' <span class="fac-muted">„{esc(short(answer.comment, 140))}“</span>'
        set_if_changed(self.mine, f"<div>{text}</div>")
        dots = '<span class="fac-dot">' + "●" * held + "</span>" if held else ""
        priority = esc(_("Priority"))
        set_if_changed(self.dots, f"<span>{priority}: {dots}</span>")
        # A convenience only: the store refuses a forged click all the same.
        set_if_changed(self.add, left == 0 or held >= cap, "disabled")
        set_if_changed(self.back, held == 0, "disabled")


class ReviewView(ParticipantView):
    """The findings up for review, each with agree / object / only a comment and dots."""

    screens = (Screen.REVIEW,)
    reads = frozenset({"finding"})
    own = frozenset({"agreement_event", "priority_dot"})

    def build(self) -> None:
        self.status = widgets.HTML()
        self.cards: dict[int, _FindingCard] = {}
        self.list = widgets.VBox()
        heading = esc(_("Review of the findings"))
        intro = esc(
            _("Do you agree with what the programme passes on? Your latest answer counts; "
              "you can change it until the review closes.")
        )  # fmt: skip
        self.widget.children = [
            widgets.HTML(f"<h2>{heading}</h2><p>{intro}</p>"),
            self.status,
            self.list,
        ]

    def update(self, live: LiveState) -> None:
        shown = self.store.findings(FindingStatus.REVIEW)
        for finding in shown:
            if finding.id not in self.cards:
                self.cards[finding.id] = _FindingCard(self, finding)
        set_if_changed(self.list, tuple(self.cards[f.id].widget for f in shown), "children")
        person = self.page.person.id
        answers = self.store.my_answers(person)
        held = self.store.my_priority_dots(person)
        dots, cap = review_rules.priority_allowance(len(shown))
        left = max(0, dots - sum(held.values()))
        if shown:
            status = ngettext(
                "You have {left} of {total} priority dot left.",
                "You have {left} of {total} priority dots left.",
                dots,
            ).format(left=left, total=dots)
            if cap < dots:
                status += " " + _("At most {cap} on one finding.").format(cap=cap)
        else:
            status = _("There is nothing up for review right now.")
        set_if_changed(self.status, f'<div class="fac-card fac-big">{esc(status)}</div>')
        for finding in shown:
            self.cards[finding.id].update(
                finding, answers.get(finding.id), held.get(finding.id, 0), left, cap
            )

    def answer(self, finding_id: int, stance: Stance) -> None:
        """Agree, object or only comment (checked in the store); the comment goes with it."""
        card = self.cards[finding_id]
        meeting_id = self.page.meeting_id
        done = self.act(
            lambda: self.store.answer(
                meeting_id, finding_id, self.page.person.id, stance, card.comment.value
            ),
            _("Thank you, your answer is saved."),
        )
        if done is not None:
            card.comment.value = ""

    def priority(self, finding_id: int, *, place: bool) -> None:
        call = self.store.place_priority_dot if place else self.store.take_back_priority_dot
        self.act(lambda: call(self.page.meeting_id, finding_id, self.page.person.id))


# --- the wall ------------------------------------------------------------------------------


class ReviewWall(ProjectorView):
    """How many answered, and each finding's counts and priority dots as they come in."""

    screens = (Screen.REVIEW,)
    reads = frozenset(
        {"finding", "agreement_event", "priority_dot", "meeting_participant", "presence",
         "attendance_event"}
    )  # fmt: skip
    show_join = False

    def update(self, meeting: Meeting, live: LiveState) -> None:
        shown = self.store.findings(FindingStatus.REVIEW)
        ids = {f.id for f in shown}
        events = [e for e in self.store.agreement_events() if e.finding_id in ids]
        counted = review_rules.agreement(events, ids)
        room = share(self.store.attendance(meeting.id), {e.participant_id for e in events})
        progress = ngettext(
            "{answered} of {total} has answered", "{answered} of {total} have answered", room.done
        ).format(answered=room.done, total=room.of)
        dots = review_rules.priority_tally(self.store.priority_dots(), ids)
        heading = esc(_("Review of the findings"))
        set_if_changed(
            self.widget,
            f"<h2>{heading}</h2>"
            f'<div class="fac-big">{esc(progress)}</div>' + findings_html(shown, counted, dots),
        )


# --- the facilitator's tab -------------------------------------------------------------------

_NEW = 0  # the chooser's entry for a new finding


class FindingsTab(FacilitatorTab):
    """Draft findings, link their sources, put them up for review, conclude them."""

    title = N_("Findings")

    def build(self) -> None:
        page = self.page
        wide = {"width": "min(100%, 640px)"}
        self.choice = widgets.Dropdown(
            description=_("Finding"), options=[(_("– new finding –"), _NEW)], layout=wide
        )
        self.kind = widgets.Dropdown(
            description=_("Kind"),
            options=[(_(FINDING_KIND_WORDS[k]), k.value) for k in FindingKind],
        )
        self.finding_title = widgets.Text(description=_("Title"), layout=wide)
        self.text = widgets.Textarea(description=_("Text"), rows=4, layout=wide)
        self.addressee = widgets.Combobox(
            description=_("Addressee"),
            placeholder=_("e.g. Sächsisches Staatsministerium für Regionalentwicklung"),
            ensure_option=False,
            layout=wide,
        )
        self.theme = widgets.Text(description=_("Theme"), layout=wide)
        self.save = page.wire(
            widgets.Button(description=_("Save finding"), button_style="primary"), self.save_finding
        )
        self.status = widgets.HTML()
        self.to_review = page.wire(
            widgets.Button(description=_("Put up for review"), button_style="success"),
            lambda: self._status(FindingStatus.REVIEW),
        )
        self.agreed = page.wire(
            widgets.Button(description=_("Mark as agreed"), button_style="info"),
            lambda: self._status(FindingStatus.AGREED),
        )
        self.draft = page.wire(
            widgets.Button(description=_("Back to draft")),
            lambda: self._status(FindingStatus.DRAFT),
        )
        self.set_aside = page.wire(
            widgets.Button(description=_("Set aside")),
            lambda: self._status(FindingStatus.SET_ASIDE),
        )
        self.source_kind = widgets.Dropdown(
            description=_("Source"),
            options=[(_(SOURCE_KIND_WORDS[k]), k.value) for k in SourceKind],
        )
        self.source_record = widgets.Dropdown(description=_("Record"), options=[], layout=wide)
        self.source_note = widgets.Text(description=_("Note"), layout=wide)
        self.add_source = page.wire(widgets.Button(description=_("Link source")), self.link_source)
        self.sources = widgets.VBox()
        self._source_rows: dict[tuple[int, str], widgets.Widget] = {}
        self.show_review = page.wire(
            widgets.Button(description=_("Show the review on the screens"), button_style="success"),
            self.open_review,
        )
        self.results = widgets.HTML()
        row = {"flex_flow": "row wrap"}
        self.widget.children = [
            widgets.HTML("<h2>" + esc(_("Findings and recommendations")) + "</h2>"),
            self.choice,
            self.kind,
            self.finding_title,
            self.text,
            self.addressee,
            self.theme,
            self.save,
            self.status,
            widgets.HBox([self.to_review, self.agreed, self.draft, self.set_aside], layout=row),
            widgets.HTML("<h3>" + esc(_("Sources")) + "</h3>"),
            self.sources,
            self.source_kind,
            self.source_record,
            self.source_note,
            self.add_source,
            widgets.HTML("<h2>" + esc(_("Review with the participants")) + "</h2>"),
            widgets.HTML(
                '<div class="fac-muted">'
                + esc(
                    _(
                        "Puts every finding in review on the participants' pages; they agree, "
                        "object or comment and give priority dots."
                    )
                )
                + "</div>"
            ),
            self.show_review,
            self.results,
        ]
        self.choice.observe(self._chosen, "value")
        self.source_kind.observe(lambda _c: self._refresh_records(), "value")

    @property
    def finding_id(self) -> int | None:
        return self.choice.value or None

    def _need(self) -> int:
        if not self.finding_id:
            raise NoFindingChosen()
        return self.finding_id

    def _chosen(self, _change: Any) -> None:
        """Fill the form with the chosen finding (empty for a new one)."""
        finding = self.store.finding(self.finding_id) if self.finding_id else None
        self.kind.value = (finding.kind if finding else FindingKind.FINDING).value
        self.finding_title.value = finding.title if finding else ""
        self.text.value = finding.text if finding else ""
        self.addressee.value = finding.addressee if finding else ""
        self.theme.value = finding.theme if finding else ""
        self._source_rows.clear()
        self.page.refresh()

    def save_finding(self) -> None:
        values = {
            "kind": self.kind.value, "text": self.text.value,
            "addressee": self.addressee.value, "theme": self.theme.value,
        }  # fmt: skip
        if self.finding_id:
            self.store.update_finding(self.finding_id, title=self.finding_title.value, **values)
            return
        finding = self.store.add_finding(self.finding_title.value, **values)
        self._refresh_choice()
        self.choice.value = finding.id

    def _status(self, status: FindingStatus) -> None:
        self.store.update_finding(self._need(), status=status)

    def open_review(self) -> None:
        meeting_id = self.page.need_meeting()
        in_review = [f.id for f in self.store.findings(FindingStatus.REVIEW)]
        self.store.open_review(meeting_id, in_review, show=True)

    def link_source(self) -> None:
        finding_id = self._need()
        if self.source_record.value is None:
            raise NoSourceChosen()
        self.store.add_source(
            finding_id, self.source_kind.value, self.source_record.value,
            note=self.source_note.value,
        )  # fmt: skip
        self.source_note.value = ""

    def remove_source(self, source_id: int) -> None:
        self.page.act(lambda: self.store.remove_source(source_id))

    def _refresh_choice(self) -> None:
        options = [(_("– new finding –"), _NEW)] + [
            (short(f.title, 70) + " (" + _(FINDING_STATUS_WORDS[f.status]) + ")", f.id)
            for f in self.store.findings()
        ]
        set_options(self.choice, options)

    def _refresh_records(self) -> None:
        """The records of the chosen kind, across every meeting of the programme."""
        kind = SourceKind(self.source_kind.value)
        titles = {m.id: m.title for m in self.store.meetings()}

        def where(meeting_id: int | None) -> str:
            return f" · {short(titles.get(meeting_id, ''), 40)}" if meeting_id else ""

        records: list[tuple[str, int]]
        if kind is SourceKind.CHALLENGE:
            records = [(short(x.title, 70) + where(x.meeting_id), x.id)
                       for x in self.store.challenges()]  # fmt: skip
        elif kind is SourceKind.TOPIC:
            records = [(short(x.title, 70) + where(x.meeting_id), x.id)
                       for x in self.store.topics()]  # fmt: skip
        elif kind is SourceKind.VOTE_ROUND:
            records = [(short(x.title, 70) + where(x.meeting_id), x.id)
                       for x in self.store.vote_rounds()]  # fmt: skip
        elif kind is SourceKind.CONSULTATION:
            records = [
                (short(x.title, 60) + ("" if released(x) else " – " + _("confidential"))
                 + where(x.meeting_id), x.id)
                for x in self.store.consultations()
            ]  # fmt: skip
        elif kind is SourceKind.TABLE_NOTE:
            records = [
                (short(f"{t.theme}: {n.text}", 70) + where(m), n.id)
                for m in titles for t in self.store.tables(m) for n in self.store.table_notes(t.id)
            ]  # fmt: skip
        elif kind is SourceKind.ACTION:
            records = [(short(x.title, 70) + where(x.meeting_id), x.id)
                       for x in self.store.actions()]  # fmt: skip
        else:
            records = [(short(title, 70), meeting_id) for meeting_id, title in titles.items()]
        set_options(self.source_record, records)

    def _refresh_sources(self) -> None:
        finding_id = self.finding_id
        sources = self.store.finding_sources(finding_id) if finding_id else []
        from ..report import source_labels  # not on a participant page's start-up path

        labels = source_labels(self.store, sources, include_confidential=True)
        rows = []
        for source in sources:
            label = labels.get(source.id)
            text = label.line() if label else _("(no longer there)")
            held = self.store.consultation(source.ref_id) if (
                source.kind is SourceKind.CONSULTATION and label
            ) else None  # fmt: skip
            if held is not None and not released(held):
                text += " – " + _("confidential: appears in reports only once released")
            key = (source.id, text)
            if key not in self._source_rows:
                remove = widgets.Button(description=_("Remove"), icon="times",
                                        layout={"width": "auto"})  # fmt: skip
                remove.on_click(lambda _b, i=source.id: self.remove_source(i))
                self._source_rows[key] = widgets.HBox(
                    [widgets.HTML(esc(text), layout={"flex": "1 1 0"}), remove],
                    layout={"align_items": "center"},
                )
            rows.append(self._source_rows[key])
        set_if_changed(self.sources, tuple(rows), "children")

    def refresh(self, live: LiveState) -> None:
        self._refresh_choice()
        if self.finding_id:  # the records of every meeting, only when a source can be linked
            self._refresh_records()
        self._refresh_sources()
        found = self.store.findings()
        addressees = sorted({f.addressee for f in found if f.addressee})
        if list(self.addressee.options) != addressees:
            self.addressee.options = addressees
        chosen = next((f for f in found if f.id == self.finding_id), None)
        for button in (self.to_review, self.agreed, self.draft, self.set_aside):
            show(button, chosen is not None)
        show(self.add_source, chosen is not None)
        if chosen is not None:
            text = _("Status: {status}").format(status=_(FINDING_STATUS_WORDS[chosen.status]))
            set_if_changed(self.status, f'<div class="fac-muted">{esc(text)}</div>')
        else:
            set_if_changed(self.status, "")
        shown = [f for f in found if f.status in (FindingStatus.REVIEW, FindingStatus.AGREED)]
        counted = self.store.agreement()
        dots = self.store.priority_tally()
        set_if_changed(self.results, findings_html(shown, counted, dots, texts=True))


PART = Part(participant=ReviewView, projector=ReviewWall, facilitator=FindingsTab)
