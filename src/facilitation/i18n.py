"""Languages of the user interface and of messages.

German is the first language of facilitation; English is the second. Source
strings in the code are English and are marked with :func:`_` (translated now)
or :func:`N_` (marked for translation, translated later). The German catalog
lives in ``locale/de/LC_MESSAGES/facilitation.po`` and is compiled to a ``.mo``
file next to it (``python -m facilitation.i18n``).

>>> set_language("de")
>>> _("Title")
'Titel'
>>> with language("en"):
...     _("Title")
'Title'
"""

from __future__ import annotations

import contextlib
import gettext
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NN_",
    "N_",
    "_",
    "current_language",
    "language",
    "ngettext",
    "set_language",
    "translate",
]

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
DOMAIN = "facilitation"
LOCALE_DIR = Path(__file__).parent / "locale"


def _initial_language() -> str:
    wanted = os.environ.get("FACILITATION_LANG", "").strip().lower()[:2]
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


_current = _initial_language()


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def set_language(lang: str) -> None:
    """Make ``lang`` ("de" or "en") the language of messages from now on."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _current = lang


def current_language() -> str:
    """The language messages are given in now."""
    return _current


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Give messages in ``lang`` inside a ``with`` block."""
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def translate(message: str, lang: str | None = None) -> str:
    """Translate an English source message into ``lang`` (default: the current language)."""
    return _translations(lang or _current).gettext(message)


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translations(_current).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """Translate a message that depends on a count ``n``: its singular or plural form.

    >>> [ngettext("{n} dot each", "{n} dots each", n, "de").format(n=n) for n in (0, 1, 2)]
    ['je 0 Punkte', 'je 1 Punkt', 'je 2 Punkte']
    """
    return _translations(lang or _current).ngettext(singular, plural, n)


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message that depends on a count for translation, to be translated later
    with :func:`ngettext` (as :func:`N_` does for a message without a count)."""
    return (singular, plural)


KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "NN_": (1, 2)}


def extract_messages() -> list[str | tuple[str, str]]:
    """Every message marked in the package's source, in order of appearance (needs Babel)."""
    from babel.messages.extract import extract_from_dir

    found: dict[str | tuple[str, str], None] = {}
    package = Path(__file__).parent
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(package), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found[message] = None
    return list(found)


def _update() -> None:  # pragma: no cover - developer tool
    """Bring the German catalog up to date with the source, then compile it (needs Babel).

    New messages are added untranslated (and flagged fuzzy); messages no longer
    in the source are dropped. Translate the new ones, then run this again.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    po_path = LOCALE_DIR / "de" / "LC_MESSAGES" / f"{DOMAIN}.po"
    old = read_po(po_path.open("rb")) if po_path.exists() else Catalog(locale="de")
    new = Catalog(locale="de", project="facilitation", domain=DOMAIN, fuzzy=False)
    for message in extract_messages():
        known = old.get(message if isinstance(message, str) else message[0])
        flags = () if known is not None and known.string else ("fuzzy",)
        new.add(message, known.string if known is not None else "", flags=flags)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    with po_path.open("wb") as f:
        write_po(f, new, width=100, omit_header=False, no_location=True)
    with po_path.with_suffix(".mo").open("wb") as f:
        write_mo(f, new, use_fuzzy=False)
    missing = [m for m in new if m.id and not m.string]
    print(f"{po_path}: {len(new)} messages, {len(missing)} to translate")


if __name__ == "__main__":  # pragma: no cover
    _update()
