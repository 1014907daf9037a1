"""Pieces of pages shared by several apps: results, the challenge wall, the join panel."""

from __future__ import annotations

import datetime as dt
import io

from .. import voting
from ..i18n import _
from ..models import Challenge, VoteRound
from ..store import Store
from ._common import esc

__all__ = ["challenge_cards", "qr_svg", "ranking_html", "timer_ms"]


def timer_ms(ends_at: dt.datetime | None) -> float:
    """A timer's end for the browser's countdown (0: no timer)."""
    return ends_at.timestamp() * 1000 if ends_at else 0.0


def ranking_html(store: Store, vote_round: VoteRound, *, bars: bool = True) -> str:
    """A round's result: places (ties shown as ties), dots, and bars."""
    topics = {t.id: t for t in store.topics(vote_round.meeting_id)}
    ranks = voting.ranking(store.tally(vote_round.id), vote_round.topic_ids)
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
