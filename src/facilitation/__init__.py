"""facilitation: the live parts of peer-learning workshops, kept as research data.

Open a workspace with :func:`open_workspace` (a file path or a database URL);
create one with :func:`create_workspace`. For research, an opened workspace
gives a pandas table per record kind and networkx graphs with every attribute::

    ws = facilitation.open_workspace("programm.db")
    ws.frame("ties")                          # pandas.DataFrame
    ws.graph("cooperation", meeting=1)        # networkx.MultiDiGraph
    ws.metrics()                              # the metrics panel as a table

pandas, networkx and matplotlib are imported only when these are called.
"""

from __future__ import annotations

from pathlib import Path

from ._exceptions import (
    AlreadyJoined,
    AlreadyServing,
    CommentNeeded,
    ConsultationError,
    ConsultationOver,
    DatabaseUnavailable,
    EntryNotAllowed,
    ExportError,
    FacilitationError,
    FindingError,
    FindingNotInReview,
    IntakeClosed,
    InvalidInput,
    InvalidTransition,
    MeetingNotFound,
    MunicipalityAlreadyChosen,
    MunicipalityNotFound,
    NetworkClosed,
    NobodyPresent,
    NoConsultationChosen,
    NoDotsLeft,
    NoFindingChosen,
    NoHomeMunicipality,
    NoMeetingChosen,
    NoMeetingToReport,
    NoParticipantChosen,
    NoPriorityDot,
    NoPriorityDotsLeft,
    NoRole,
    NoRoundChosen,
    NoSourceChosen,
    NoTableRoundChosen,
    NotAMunicipalityDirectory,
    NotAtTable,
    NotAWorkspace,
    NotAWorkspaceDatabase,
    NothingToTakeBack,
    NotInMeeting,
    NotTakeable,
    NotYourChallenge,
    NotYourEntry,
    NotYourNote,
    NotYourStep,
    NotYourTie,
    OutputNotWritable,
    PhaseNotReady,
    PortInUse,
    PreparedError,
    PreparedHoldsData,
    PriorityCapReached,
    RecordNotFound,
    ReportError,
    ResultNotFinal,
    ReviewClosed,
    RoleNotForVariant,
    RoleTaken,
    RosterError,
    RosterHasRefusals,
    RosterWithoutNames,
    RoundNotDraft,
    RoundNotOpen,
    ServerFailed,
    SeveralMunicipalities,
    TableError,
    TableHoldsData,
    TableRoundHoldsData,
    TableRoundNotRunning,
    TableRoundOver,
    TextTooLong,
    TieAlreadyDeclared,
    TimeIsUp,
    TooManyItems,
    TooManyRows,
    TopicCapReached,
    TopicNotInRound,
    UnknownFormat,
    UnknownJoinCode,
    UnknownLink,
    UnreadableFile,
    VotingError,
    WorkspaceDamaged,
    WorkspaceError,
    WorkspaceExists,
    WorkspaceNotFound,
    WorkspaceTooNew,
)
from ._version import __version__
from .research import Research
from .store import Store

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
    "Research",
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
    "Store",
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
    "__version__",
    "create_workspace",
    "open_workspace",
]


def open_workspace(location: str | Path) -> Research:
    """Open the workspace at ``location``: an SQLite file path or a database URL.

    A workspace made by an older version is upgraded (an SQLite file is first
    copied to a backup next to it). A file that is not a workspace, or one
    from a newer version, is refused with a clear message and left untouched.
    """
    from .store._open import open_engine

    return Research(open_engine(location), location)


def create_workspace(location: str | Path, title: str, description: str = "") -> Research:
    """Create a new, empty workspace at ``location`` (an SQLite file path or a database URL)."""
    from .store._open import create

    return Research(create(location, title, description), location)
