"""The three pages: participant, facilitator controls, projector.

This first version shows the workspace: the facilitator's overview of the
series (meetings, participants, results, open actions), the projector's
welcome screen with the join link, and the participants' waiting screen.
"""

from __future__ import annotations

import io
import os

import ipywidgets as widgets

from .. import voting
from .._exceptions import FacilitationError
from ..i18n import _
from ..models import ActionStatus, VoteState
from ..store import Store
from ._common import esc, key_from_query, key_matches, workspace_from_environment

__all__ = ["facilitator_app", "participant_app", "projector_app"]

STYLE = """
<style>
.fac-page { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
            color: #1d2733; max-width: 1100px; margin: 0 auto; }
.fac-page h1 { font-size: 1.8em; margin: 0.2em 0; }
.fac-page h2 { font-size: 1.3em; margin: 1em 0 0.3em; border-bottom: 2px solid #dfe6ee; }
.fac-page table { border-collapse: collapse; width: 100%; }
.fac-page td, .fac-page th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef2f6; }
.fac-muted { color: #5b6b7c; }
.fac-tie { background: #fff3cd; border-radius: 4px; padding: 0 4px; font-size: 0.85em; }
.fac-wall { font-size: 2.2em; text-align: center; padding: 0.6em; }
.fac-wall .fac-big { font-size: 1.8em; font-weight: 700; }
.fac-join { display: flex; gap: 2em; align-items: center; justify-content: center; }
.fac-join svg { width: 280px; height: 280px; }
.fac-error { background: #fdecea; color: #611a15; padding: 1em; border-radius: 6px; }
</style>
"""


def _heading(text: str) -> str:
    return f"<h2>{esc(text)}</h2>"


def _page(body: str) -> widgets.HTML:
    return widgets.HTML(f'{STYLE}<div class="fac-page">{body}</div>')


def _error(message: str) -> widgets.HTML:
    return _page(f'<div class="fac-error">{esc(message)}</div>')


def _open() -> Store | widgets.HTML:
    try:
        return workspace_from_environment()
    except FacilitationError as error:
        return _error(str(error))


def _open_for_facilitator() -> Store | widgets.HTML:
    """The workspace, if the page was opened with the facilitator's key."""
    store = _open()
    if isinstance(store, widgets.HTML) or key_matches(key_from_query(), store.facilitator_key()):
        return store
    store.close()
    return _error(
        _(
            "This page is for the facilitator only. Open it with the address that "
            "'facilitation serve' printed."
        )
    )


def facilitator_app() -> widgets.Widget:
    """The facilitator's overview of the workspace."""
    store = _open_for_facilitator()
    if isinstance(store, widgets.HTML):
        return store
    return _page(overview_html(store))


def overview_html(store: Store) -> str:
    """The workspace at a glance: meetings, results, participants, open actions."""
    info = store.info()
    municipalities = {m.id: m for m in store.municipalities()}
    people = {p.id: p for p in store.participants()}
    parts = [f"<h1>{esc(info.title)}</h1>"]
    if info.description:
        parts.append(f'<p class="fac-muted">{esc(info.description)}</p>')
    parts.append(_heading(_("Meetings")) + "<table>")
    parts.append(
        "<tr>"
        + "".join(
            f"<th>{esc(h)}</th>"
            for h in (_("Date"), _("Meeting"), _("Place"), _("Participants"), _("Challenges"))
        )
        + "</tr>"
    )
    meetings = store.meetings()
    for meeting in meetings:
        date = meeting.date.strftime("%d.%m.%Y") if meeting.date else ""
        parts.append(
            f"<tr><td>{esc(date)}</td><td>{esc(meeting.title)}</td><td>{esc(meeting.place)}</td>"
            f"<td>{len(store.participants(meeting.id))}</td>"
            f"<td>{len(store.challenges(meeting.id))}</td></tr>"
        )
    parts.append("</table>")
    for meeting in meetings:
        topics = {t.id: t for t in store.topics(meeting.id)}
        for vote_round in store.vote_rounds(meeting.id):
            if vote_round.state is not VoteState.REVEALED:
                continue
            ranks = voting.ranking(store.tally(vote_round.id), vote_round.topic_ids)
            parts.append(_heading(_("Result") + ": " + vote_round.title) + "<table>")
            shared = esc(_("shared place"))
            for rank in ranks:
                tie = f' <span class="fac-tie">{shared}</span>' if rank.tied else ""
                parts.append(
                    f"<tr><td>{rank.position}.{tie}</td>"
                    f"<td>{esc(topics[rank.topic_id].title)}</td><td>{rank.dots}</td></tr>"
                )
            parts.append("</table>")
    parts.append(_heading(_("Participants")) + "<table>")
    for person in people.values():
        town = municipalities.get(person.municipality_id)
        parts.append(
            f"<tr><td>{esc(person.name)}</td><td>{esc(person.role)}</td>"
            f"<td>{esc(town.name if town else '')}</td></tr>"
        )
    parts.append("</table>")
    open_actions = store.actions(status=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    parts.append(_heading(_("Open actions")) + "<table>")
    for action in open_actions:
        owner = people.get(action.owner_id)
        due = action.due.strftime("%d.%m.%Y") if action.due else ""
        parts.append(
            f"<tr><td>{esc(action.title)}</td><td>{esc(owner.name if owner else '')}</td>"
            f"<td>{esc(due)}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def projector_app() -> widgets.Widget:
    """The wall: the workspace's title and how to join."""
    store = _open_for_facilitator()
    if isinstance(store, widgets.HTML):
        return store
    info = store.info()
    join_url = os.environ.get("FACILITATION_JOIN_URL", "")
    join = ""
    if join_url:
        join_at = esc(_("Join at"))
        join = (
            f'<div class="fac-join">{qr_svg(join_url)}<div><div>{join_at}</div>'
            f'<div class="fac-big">{esc(join_url)}</div></div></div>'
        )
    return _page(f'<div class="fac-wall"><div class="fac-big">{esc(info.title)}</div>{join}</div>')


def participant_app() -> widgets.Widget:
    """The participant's page: a welcome while the facilitator prepares the next step."""
    store = _open()
    if isinstance(store, widgets.HTML):
        return store
    info = store.info()
    welcome = _("Welcome!")
    waiting = _("The facilitator will open the next step shortly.")
    return _page(
        f'<div class="fac-wall"><div>{esc(welcome)}</div>'
        f'<div class="fac-big">{esc(info.title)}</div>'
        f'<div class="fac-muted">{esc(waiting)}</div></div>'
    )
