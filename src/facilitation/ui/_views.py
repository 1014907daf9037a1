"""Pieces of pages shared by several apps: results, the challenge wall, the join panel."""

from __future__ import annotations

import base64
import datetime as dt
import io
import mimetypes
from pathlib import Path

from .. import voting
from ..i18n import _
from ..models import Challenge, Topic, VoteRound
from ..store import Store, sqlite_path
from ._common import esc

__all__ = [
    "DOWNLOAD_LIMIT",
    "challenge_cards",
    "download_link",
    "export_folder",
    "qr_svg",
    "ranking_html",
    "timer_ms",
]

# Files up to this size are offered as a download link in the page itself.
DOWNLOAD_LIMIT = 20 * 1024 * 1024


def export_folder(location: str) -> Path:
    """Where the page writes exports: ``export/`` beside a workspace file, else in the home folder.

    >>> export_folder("/home/anna/workspace/ostsachsen.db").as_posix()
    '/home/anna/workspace/export'
    """
    path = sqlite_path(location)
    if path is not None:
        return path.parent / "export"
    return Path.home() / "facilitation-export"


def download_link(path: Path) -> str:
    """A link that downloads the file from the page itself (a path only, if it is large)."""
    size = path.stat().st_size
    name = esc(path.name)
    if size > DOWNLOAD_LIMIT:
        return f"<code>{esc(str(path))}</code>"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<a download="{name}" href="data:{kind};base64,{data}">{name}</a> ({size // 1024 + 1} KB)'
    )


def timer_ms(ends_at: dt.datetime | None) -> float:
    """A timer's end for the browser's countdown (0: no timer)."""
    return ends_at.timestamp() * 1000 if ends_at else 0.0


def ranking_html(
    store: Store,
    vote_round: VoteRound,
    *,
    bars: bool = True,
    topics: dict[int, Topic] | None = None,
    counted: dict[int, int] | None = None,
) -> str:
    """A round's result: places (ties shown as ties), dots, and bars (``topics`` and
    ``counted``, the tally, are read from the store unless given)."""
    if topics is None:
        topics = {t.id: t for t in store.topics(vote_round.meeting_id)}
    if counted is None:
        counted = store.tally(vote_round.id)
    ranks = voting.ranking(counted, vote_round.topic_ids)
    most = max((rank.dots for rank in ranks), default=0) or 1
    shared = esc(_("shared place"))
    heading = esc(_("Result")) + ": " + esc(vote_round.title)
    rows = []
    for rank in ranks:
        tie = f' <span class="fac-tie">{shared}</span>' if rank.tied else ""
        title = esc(topics[rank.topic_id].title) if rank.topic_id in topics else "?"
        bar = (
            f'<div class="fac-bar" style="width:{100 * rank.dots / most:.0f}%"></div>'
            if bars
            else ""
        )
        rows.append(
            f"<tr><td>{rank.position}.{tie}</td><td>{title}{bar}</td>"
            f"<td><b>{rank.dots}</b></td></tr>"
        )
    return f'<h2>{heading}</h2><table class="fac-table fac-ranking">{"".join(rows)}</table>'


def challenge_cards(challenges: list[Challenge], towns: dict[int, str]) -> str:
    """Challenges as cards, newest first; every participant text shown as text."""
    cards = []
    for challenge in reversed(challenges):
        town = towns.get(challenge.municipality_id, "") if challenge.municipality_id else ""
        cards.append(
            f'<div class="fac-card"><b>{esc(challenge.title)}</b>'
            + (f'<div class="fac-muted">{esc(town)}</div>' if town else "")
            + (f"<div>{esc(challenge.description)}</div>" if challenge.description else "")
            + "".join(f'<span class="fac-tag">{esc(tag)}</span>' for tag in challenge.tags)
            + "</div>"
        )
    return '<div class="fac-columns">' + "".join(cards) + "</div>"


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]
