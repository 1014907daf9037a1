"""Personal links out of the workspace: a list for a mail merge (name, e-mail, link).

The facilitator writes her invitations with her own mail program: Word's or
LibreOffice's mail merge reads the CSV file this module writes (UTF-8 with a
byte order mark and semicolons, as German Excel opens it without asking), or
she pastes the links into her messages. Each participant registered for the
meeting gets her newest personal link (one is made for whoever has none).
A personal link opens her page without an account; whoever has it acts as her,
so the file is as confidential as the list of links on the facilitator's page.
"""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

from ._exceptions import InvalidInput, OutputNotWritable, word
from .i18n import N_, translate
from .store import Store

__all__ = ["link_list", "personal_url", "write_link_list"]


def personal_url(base: str, token: str) -> str:
    """The personal link of a participant: the participant page's address with her token.

    >>> personal_url("http://192.168.0.5:8866/", "abc"), personal_url("", "abc")
    ('http://192.168.0.5:8866/?p=abc', '/?p=abc')
    """
    return f"{base or '/'}?p={token}"


def link_list(store: Store, meeting_id: int, base_url: str) -> list[dict[str, str]]:
    """One row per participant of the meeting: name, role, municipality, e-mail, link.

    Column names are in the current language (``Name``, ``Funktion``, ``Kommune``,
    ``E-Mail``, ``Persönlicher Link``), as a mail merge shows them.
    """
    if base_url and urlsplit(base_url).scheme not in ("http", "https"):
        raise InvalidInput(
            field=word(N_("Address of the participant page")),
            problem=word(N_("must start with http:// or https://")),
        )
    links = store.personal_links(meeting_id)
    towns = {m.id: m.name for m in store.municipalities()}
    heads = [translate(h) for h in (N_("Name"), N_("Role"), N_("Municipality"), N_("E-mail"),
                                    N_("Personal link"))]  # fmt: skip
    rows = []
    for person in store.participants(meeting_id):
        values = (
            person.name, person.role, towns.get(person.municipality_id, ""), person.email or "",
            personal_url(base_url, links[person.id]),
        )  # fmt: skip
        rows.append(dict(zip(heads, values, strict=True)))
    return rows


def write_link_list(store: Store, meeting_id: int, base_url: str, path: str | Path) -> Path:
    """Write :func:`link_list` as a CSV file for a mail merge; returns its path."""
    path = Path(path)
    rows = link_list(store, meeting_id, base_url)
    heads = list(rows[0]) if rows else [translate(N_("Name")), translate(N_("Personal link"))]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, heads, delimiter=";")
            writer.writeheader()
            writer.writerows(_as_text(row) for row in rows)
    except OSError as error:
        raise OutputNotWritable(
            folder=str(path.parent), reason=error.strerror or str(error)
        ) from None
    return path


def _as_text(row: dict[str, str]) -> dict[str, str]:
    """Values that a spreadsheet would compute (``=…``, ``+…``) stay text."""
    return {k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in row.items()}
