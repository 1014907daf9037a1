"""Exceptions of facilitation.

Every error a person can meet has its own class. The class owns its message:
an English template marked for translation, filled with the error's details
and given in the current language when the error is shown. The user interface
and the command line show ``str(error)`` and nothing else.

>>> from facilitation.i18n import language
>>> error = NoDotsLeft(dots_per_person=3)
>>> with language("en"):
...     str(error)
'You have placed all 3 of your dots. Take one back to move it to another topic.'
"""

from __future__ import annotations

from typing import Any, ClassVar

from .i18n import N_, NN_, ngettext, translate

__all__ = [
    "AlreadyJoined",
    "AlreadyServing",
    "CommentNeeded",
    "ConsultationError",
    "ConsultationOver",
    "DatabaseUnavailable",
    "EntryNotAllowed",
    "ExportError",
    "FacilitationError",
    "FindingError",
    "FindingNotInReview",
    "IntakeClosed",
    "InvalidInput",
    "InvalidTransition",
    "MeetingNotFound",
    "MunicipalityAlreadyChosen",
    "MunicipalityNotFound",
    "NetworkClosed",
    "NoConsultationChosen",
    "NoDotsLeft",
    "NoFindingChosen",
    "NoHomeMunicipality",
    "NoMeetingChosen",
    "NoMeetingToReport",
    "NoParticipantChosen",
    "NoPriorityDot",
    "NoPriorityDotsLeft",
    "NoRole",
    "NoRoundChosen",
    "NoSourceChosen",
    "NoTableRoundChosen",
    "NobodyPresent",
    "NotAMunicipalityDirectory",
    "NotAWorkspace",
    "NotAWorkspaceDatabase",
    "NotAtTable",
    "NotInMeeting",
    "NotTakeable",
    "NotYourChallenge",
    "NotYourEntry",
    "NotYourNote",
    "NotYourStep",
    "NotYourTie",
    "NothingToTakeBack",
    "OutputNotWritable",
    "PhaseNotReady",
    "PortInUse",
    "PreparedError",
    "PreparedHoldsData",
    "PriorityCapReached",
    "RecordNotFound",
    "ReportError",
    "ResultNotFinal",
    "ReviewClosed",
    "RoleNotForVariant",
    "RoleTaken",
    "RosterError",
    "RosterHasRefusals",
    "RosterWithoutNames",
    "RoundNotDraft",
    "RoundNotOpen",
    "ServerFailed",
    "SeveralMunicipalities",
    "TableError",
    "TableHoldsData",
    "TableRoundHoldsData",
    "TableRoundNotRunning",
    "TableRoundOver",
    "TextTooLong",
    "TieAlreadyDeclared",
    "TimeIsUp",
    "TooManyItems",
    "TooManyRows",
    "TopicCapReached",
    "TopicNotInRound",
    "UnknownFormat",
    "UnknownJoinCode",
    "UnknownLink",
    "UnreadableFile",
    "VotingError",
    "WorkspaceDamaged",
    "WorkspaceError",
    "WorkspaceExists",
    "WorkspaceNotFound",
    "WorkspaceTooNew",
    "word",
]


class FacilitationError(Exception):
    """Base class of every error facilitation raises on purpose.

    Subclasses set ``template``: an English message marked with ``N_`` whose
    ``{placeholders}`` are filled from the keyword arguments; or, for a message with a
    count, its singular and plural marked with ``NN_``, and ``count``: the keyword
    argument whose number chooses the form.
    """

    template: ClassVar[str | tuple[str, str]] = N_("Something went wrong.")
    count: ClassVar[str] = ""

    def __init__(self, **details: Any) -> None:
        self.details = details
        super().__init__(self.message("en"))

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language)."""
        details = {key: _shown(value, lang) for key, value in self.details.items()}
        if isinstance(self.template, tuple):
            n = self.details.get(self.count)
            text = ngettext(*self.template, n if isinstance(n, int) else 2, lang)
        else:
            text = translate(self.template, lang)
        return text.format(**details)

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors need help to cross process boundaries.
        return (_rebuild, (type(self), self.details))


def _rebuild(cls: type[FacilitationError], details: dict[str, Any]) -> FacilitationError:
    return cls(**details)


def _shown(value: Any, lang: str | None) -> Any:
    """Translate a detail that is itself a marked message (a known word)."""
    if isinstance(value, Word):
        return value.shown(lang)
    return value


class Word(str):
    """A detail that is itself translatable: a record kind, a state, a reason.

    It may carry details of its own, filled in after translation.
    """

    params: dict[str, Any]

    def __new__(cls, text: str, **params: Any) -> Word:
        self = super().__new__(cls, text)
        self.params = params
        return self

    def shown(self, lang: str | None = None) -> str:
        params = {key: _shown(value, lang) for key, value in self.params.items()}
        return translate(str(self), lang).format(**params)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_word, (str(self), self.params))


def _word(text: str, params: dict[str, Any]) -> Word:
    return Word(text, **params)


def word(text: str, **params: Any) -> Word:
    """Mark ``text`` (an ``N_``-marked message) to be translated when shown."""
    return Word(text, **params)


# --- workspaces --------------------------------------------------------------


class WorkspaceError(FacilitationError):
    """A workspace cannot be opened or created."""


class WorkspaceNotFound(WorkspaceError):
    template = N_(
        "There is no workspace at {location}. Check the path, or create one with "
        "'facilitation init {location} --title \"...\"'."
    )


class WorkspaceExists(WorkspaceError):
    template = N_(
        "There is already a file at {location}. Choose another name, or open the "
        "existing workspace instead of creating it again."
    )


class NotAWorkspace(WorkspaceError):
    template = N_(
        "{location} is not a facilitation workspace ({reason}). It was left "
        "untouched. Choose a workspace file (usually ending in .db), or create a new one "
        "with 'facilitation init'."
    )


class NotAWorkspaceDatabase(NotAWorkspace):
    template = N_(
        "The database {location} is not a facilitation workspace ({reason}). Nothing in it "
        "was changed. For a new workspace use an empty database: 'facilitation init URL'."
    )


class WorkspaceDamaged(WorkspaceError):
    template = N_(
        "The workspace {location} is damaged ({reason}). It was left untouched. "
        "Restore it from a backup copy, or ask the person who sent it for a complete file."
    )


class WorkspaceTooNew(WorkspaceError):
    template = N_(
        "The workspace {location} was made by a newer version of facilitation "
        "(schema {found}; this version knows up to {known}). It was left untouched. "
        "Update facilitation to open it."
    )


class DatabaseUnavailable(WorkspaceError):
    template = N_(
        "The database {location} cannot be reached ({reason}). Check that the database "
        "server is running and that the address, user and password are right."
    )


# --- records ------------------------------------------------------------------


class RecordNotFound(FacilitationError):
    template = N_("There is no {kind} with the number {id} in this workspace.")


class InvalidInput(FacilitationError):
    template = N_("{field}: {problem}")


class TextTooLong(InvalidInput):
    """A text longer than its bound in :mod:`facilitation.limits`."""

    template = N_(
        "{field}: is too long ({length} characters, at most {limit}). Shorten it; "
        "nothing was saved."
    )


class TooManyItems(InvalidInput):
    """A list longer than its bound in :mod:`facilitation.limits` (one action, one list)."""

    template = N_("{field}: {count} at once, at most {limit}. Send fewer; nothing was saved.")


class UnreadableFile(FacilitationError):
    template = N_(
        "The file {name} cannot be read as a table ({reason}). Save it from your spreadsheet "
        "program as CSV (separated by commas or semicolons) and load it again."
    )


class UnknownLink(FacilitationError):
    template = N_(
        "This personal link is not valid (any more). Ask the facilitator for your current link."
    )


class IntakeClosed(FacilitationError):
    template = N_(
        "The collection of challenges is closed. Ask the facilitator to open it again if you "
        "want to add one."
    )


class NoMeetingChosen(FacilitationError):
    template = N_("Choose or add a meeting first.")


class NoParticipantChosen(FacilitationError):
    template = N_("Choose a participant first.")


class NoRoundChosen(FacilitationError):
    template = N_("Prepare a vote round first.")


class NoConsultationChosen(FacilitationError):
    template = N_("Prepare a consultation first, or choose one.")


class NoTableRoundChosen(FacilitationError):
    template = N_("Add a round of the themed tables first, or choose one.")


class UnknownJoinCode(FacilitationError):
    template = N_(
        "This join code is not valid. Check the code on the projector, or ask the facilitator."
    )


class AlreadyJoined(FacilitationError):
    template = N_(
        "This page has already joined as {name}. Each person joins once; to join as someone "
        "else, open the join page on another device."
    )


class NotInMeeting(FacilitationError):
    template = N_(
        "{name} is not registered for this meeting. The facilitator can add her or him "
        "to the meeting's participants."
    )


class NobodyPresent(FacilitationError):
    template = N_(
        "Nobody is present at this meeting yet. A participant counts as present once she "
        "opens her page, or when you check her in on the participants tab."
    )


# --- what the facilitator prepared --------------------------------------------


class PreparedError(FacilitationError):
    """Something prepared cannot be changed or deleted (any more)."""


class PreparedHoldsData(PreparedError):
    template = N_(
        "“{title}” cannot be deleted: it holds {what}. Rename it, or hide it from the "
        "protocol; nothing participants gave is lost."
    )


class RoundNotDraft(PreparedError):
    template = N_(
        "The settings of “{title}” can be changed only before it is opened (its title at "
        "any time). Prepare a new round instead."
    )


class NotYourChallenge(FacilitationError):
    template = N_("You can change or withdraw only your own challenges.")


# --- dot-voting ---------------------------------------------------------------


class VotingError(FacilitationError):
    """A dot cannot be placed or taken back, or a round cannot change its state."""


class RoundNotOpen(VotingError):
    template = N_(
        "This vote is not open (it is {state}). Dots can only be placed or taken back "
        "while the facilitator keeps the round open."
    )


class TimeIsUp(VotingError):
    template = N_(
        "The time for this vote is up: it closed at 0:00, and dots are no longer placed or "
        "taken back. The dots you placed before count."
    )


class NoDotsLeft(VotingError):
    template = NN_(
        "You have placed {dots_per_person} dot, all you have. Take it back to move it to "
        "another topic.",
        "You have placed all {dots_per_person} of your dots. Take one back to move it to "
        "another topic.",
    )
    count = "dots_per_person"


class TopicCapReached(VotingError):
    template = NN_(
        "You already have {max_per_topic} dot on this topic, the most one person may put "
        "on one topic in this round. Place your other dots on other topics.",
        "You already have {max_per_topic} dots on this topic, the most one person may put "
        "on one topic in this round. Place your other dots on other topics.",
    )
    count = "max_per_topic"


class TopicNotInRound(VotingError):
    template = N_("This topic is not part of this vote. Choose one of the topics shown.")


class NothingToTakeBack(VotingError):
    template = N_("You have no dot on this topic to take back.")


class InvalidTransition(VotingError):
    template = N_("A vote that is {state} cannot be {action}.")


class ResultNotFinal(VotingError):
    template = N_(
        "A further round takes the leading topics of a final result, and this vote is "
        "{state}. {todo}"
    )


# --- cooperation network ---------------------------------------------------------------------


class NetworkClosed(FacilitationError):
    template = N_(
        "Ties can be entered while the facilitator shows the cooperation network. "
        "Wait until it is open again."
    )


class NoHomeMunicipality(FacilitationError):
    template = N_("Choose your own municipality first: the ties you enter start from it.")


class TieAlreadyDeclared(FacilitationError):
    template = N_("You have already entered this tie with {partner}.")


class NotYourTie(FacilitationError):
    template = N_("You can only take back ties that you entered yourself.")


class MunicipalityAlreadyChosen(FacilitationError):
    template = N_(
        "Your municipality is already set: {name}. If that is wrong, the facilitator "
        "changes it for you."
    )


class MunicipalityNotFound(FacilitationError):
    template = N_(
        "No German municipality is called {name}. Check the spelling, or choose one of the "
        "suggestions."
    )


class SeveralMunicipalities(FacilitationError):
    template = N_(
        "Several municipalities match {name} ({places}): choose the right one from the list."
    )


class NotAMunicipalityDirectory(FacilitationError):
    template = N_(
        "{file} is not an extract of Destatis' municipality directory (GV-ISys, "
        "'AuszugGV…xlsx'): no row of a municipality (Satzart 60) with its key and name was "
        "found. Nothing was changed."
    )


# --- collegial consultation -----------------------------------------------------


class ConsultationError(FacilitationError):
    """An entry, a role or a change of phase that a consultation's rules do not allow."""


class NoRole(ConsultationError):
    template = N_(
        "{name} has no role in this consultation. The facilitator gives the roles; until "
        "then you can follow it on the projector."
    )


class EntryNotAllowed(ConsultationError):
    template = N_("As {role} you add no {kinds} in the phase “{phase}”. Your task now: {task}")


class ConsultationOver(ConsultationError):
    template = N_("This consultation has ended: nothing more can be added to it.")


class NotYourStep(ConsultationError):
    template = N_("{step} is up to {who} in the phase “{phase}”. Your task now: {task}")


class NotYourEntry(ConsultationError):
    template = N_(
        "You can withdraw only your own entries, and only while the phase in which you "
        "wrote them lasts."
    )


class NotTakeable(ConsultationError):
    template = N_(
        "The case giver can take along only what the consultation contributed (here: "
        "{contribution}). Questions from the case account, notes and observations are not part "
        "of it."
    )


class PhaseNotReady(ConsultationError):
    template = N_("The phase “{phase}” cannot begin yet: {reasons}.")


class RoleTaken(ConsultationError):
    template = N_(
        "{name} already has the role {role} in this consultation. Give her or him another "
        "role first."
    )


class RoleNotForVariant(ConsultationError):
    template = N_("{name} cannot take the role {role} in this Fliegende Werkstatt: {reason}.")


# --- themed tables --------------------------------------------------------------


class TableError(FacilitationError):
    """A note or a seat at a themed table that the rules of the rotation do not allow."""


class TableRoundNotRunning(TableError):
    template = N_(
        "Round {number} is not running (any more). Notes go to the round that runs now, "
        "until the next one starts."
    )


class NotAtTable(TableError):
    template = N_(
        "{name} has no seat at a table in round {number}. The facilitator seats everyone "
        "before a round starts."
    )


class NotYourNote(TableError):
    template = N_(
        "You can withdraw only the notes you wrote yourself at your table. If another note "
        "must go, ask the facilitator to hide it."
    )


class TableRoundOver(TableRoundNotRunning):
    template = N_(
        "Round {number} is over: its notes can no longer be withdrawn. If one of them must go, "
        "ask the facilitator to hide it."
    )


class TableHoldsData(TableError):
    template = N_(
        "The table „{theme}“ holds what participants contributed (notes, or seats in a round "
        "that ran): it cannot be deleted. Rename it, or hide it from the protocol."
    )


class TableRoundHoldsData(TableError):
    template = N_(
        "Round {number} has started or holds notes: it cannot be deleted. Hide it from the "
        "protocol instead."
    )


# --- lists of participants -----------------------------------------------------------


class RosterError(FacilitationError):
    """A list of participants that cannot be imported as it is."""


class RosterWithoutNames(RosterError):
    template = N_(
        "The file {name} has no column with the participants' names. Name one column “Name” "
        "(or two “Vorname” and “Nachname”); the file's columns are: {columns}."
    )


class TooManyRows(RosterError):
    template = N_(
        "The file {name} has {rows} rows; a list of participants may have at most {limit}. "
        "Is it the right file? Nothing was imported."
    )


class RosterHasRefusals(RosterError):
    template = NN_(
        "{refused} of the {rows} rows of {name} cannot be imported (it is listed with its "
        "line and reason), so nothing was imported. Correct the file and load it again, or "
        "import only the rows that can be.",
        "{refused} of the {rows} rows of {name} cannot be imported (each is listed with its "
        "line and reason), so nothing was imported. Correct the file and load it again, or "
        "import only the rows that can be.",
    )
    count = "refused"


# --- findings and their review ----------------------------------------------------------


class FindingError(FacilitationError):
    """An answer to a finding, or a priority dot, that the rules of the review do not allow."""


class ReviewClosed(FindingError):
    template = N_(
        "The review of the findings is not open right now. The facilitator opens it on the "
        "screens; what you wrote is still in the field."
    )


class FindingNotInReview(FindingError):
    template = N_(
        "This finding is not up for review (any more): the facilitator has taken it back or "
        "concluded it."
    )


class CommentNeeded(FindingError):
    template = N_("Write your comment first: an answer without a stance needs one.")


class NoPriorityDotsLeft(FindingError):
    template = NN_(
        "You have given {dots} priority dot, all you have. Take it back to give it to "
        "another finding.",
        "You have given all {dots} of your priority dots. Take one back to give it to "
        "another finding.",
    )
    count = "dots"


class PriorityCapReached(FindingError):
    template = NN_(
        "You already gave {cap} dot to this finding, the most one person may give one "
        "finding. Give the others to other findings.",
        "You already gave {cap} dots to this finding, the most one person may give one "
        "finding. Give the others to other findings.",
    )
    count = "cap"


class NoFindingChosen(FacilitationError):
    template = N_("Choose a finding first, or save a new one.")


class NoSourceChosen(FacilitationError):
    template = N_("Choose the record the finding rests on first.")


class NoPriorityDot(FindingError):
    template = N_("You have given no dot to this finding that you could take back.")


# --- protocol and exports ----------------------------------------------------------


class ReportError(FacilitationError):
    """A protocol cannot be built."""


class MeetingNotFound(ReportError):
    template = N_(
        "There is no meeting with the number {id} in this workspace. Its meetings are: {choices}."
    )


class NoMeetingToReport(ReportError):
    template = N_(
        "This workspace has no meeting yet, so there is no protocol to write. Add a meeting "
        "first, or export only the data (csv or xlsx)."
    )


class ExportError(FacilitationError):
    """An export cannot be written."""


class OutputNotWritable(ExportError):
    template = N_(
        "Cannot write to {folder} ({reason}). Choose a folder you may write to, and close "
        "files from an earlier export that are open in another program."
    )


class UnknownFormat(ExportError):
    template = N_("There is no export format {format}. Choose one of: {choices}.")


# --- serving the pages -------------------------------------------------------------


class PortInUse(FacilitationError):
    template = N_(
        "Port {port} is already in use on this computer. Stop the program that uses it, "
        "or choose other ports with --port."
    )


class AlreadyServing(FacilitationError):
    template = N_(
        "This workspace is already being served by 'facilitation serve' (process {pid}): "
        "stop it there with Ctrl-C, or with 'kill {pid}', and start again."
    )


class ServerFailed(FacilitationError):
    template = N_("The {page} page could not be started: {reason}")
