"""Counts in German and English (issue 20): every message with a count goes through
``ngettext``, and each renders with 0, 1 and 2 in the right grammatical number."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

pytest.importorskip("babel")

from babel.messages.pofile import read_po

from facilitation import i18n
from facilitation.i18n import language, ngettext

PO_PATH = Path(i18n.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "facilitation.po"

# Nouns (and verbs) whose number must follow the count in front of them.
NOUNS = {
    "en": [
        ("dot", "dots"), ("priority dot", "priority dots"), ("minute", "minutes"),
        ("participant", "participants"), ("person", "people"), ("person", "persons"),
        ("topic", "topics"), ("round", "rounds"), ("row", "rows"), ("file", "files"),
        ("municipality", "municipalities"), ("tie", "ties"), ("action", "actions"),
        ("note", "notes"), ("challenge", "challenges"), ("themed table", "themed tables"),
        ("collegial consultation", "collegial consultations"),
    ],
    "de": [
        ("Punkt", "Punkte"), ("Prioritätspunkt", "Prioritätspunkte"), ("Minute", "Minuten"),
        ("Person", "Personen"), ("Thema", "Themen"), ("Runde", "Runden"), ("Zeile", "Zeilen"),
        ("Datei", "Dateien"), ("Kommune", "Kommunen"), ("Beziehung", "Beziehungen"),
        ("Aufgabe", "Aufgaben"), ("Notiz", "Notizen"), ("Herausforderung", "Herausforderungen"),
        ("Thementisch", "Thementische"), ("kollegiale Beratung", "kollegiale Beratungen"),
    ],
}  # fmt: skip
# "1 of 3 have answered", "1 von 3 haben geantwortet": the verb follows the first count.
VERBS = {"en": ("has", "have"), "de": ("hat", "haben")}


@pytest.fixture(scope="module")
def plurals() -> list[tuple[str, str]]:
    with PO_PATH.open("rb") as f:
        catalog = read_po(f, locale="de")
    found = [tuple(m.id) for m in catalog if m.id and not isinstance(m.id, str)]
    assert len(found) >= 40
    return found


# Which placeholder is the count, where it is not ``{n}`` nor the first one.
COUNTED_BY = {
    "You have {left} of {total}": "total",
    "{name}: {new} participant": "new",
    "Round {number} of {total} ({minutes} minute)": "minutes",
}


def render(singular: str, plural: str, n: int, lang: str) -> str:
    """A count message for ``n``: its count placeholder filled with ``n``, the others with 7
    (a name or a further count)."""
    names = [name for _, name, _, _ in string.Formatter().parse(singular) if name]
    count = next((c for start, c in COUNTED_BY.items() if singular.startswith(start)), None)
    count = count or ("n" if "n" in names else names[0])
    text = ngettext(singular, plural, n, lang)
    return text.format(**{**dict.fromkeys(names, 7), count: n})


def wrong_number(text: str, n: int, lang: str) -> list[str]:
    """Where ``text`` puts a noun or verb in the wrong number after the count ``n``."""
    wrong = []
    for one, many in NOUNS[lang]:
        bad = many if n == 1 else one
        if bad != (one if n == 1 else many) and re.search(rf"\b{n} {re.escape(bad)}\b", text):
            wrong.append(f"{n} {bad}")
    one, many = VERBS[lang]
    if re.search(rf"\b{n} (of|von) \d+ {many if n == 1 else one}\b", text):
        wrong.append(f"{n} … {many if n == 1 else one}")
    return wrong


def test_plural_forms_differ_in_both_languages(plurals) -> None:
    same = [
        m for m in plurals if m[0] == m[1] or len(set(ngettext(*m, n, "de") for n in (1, 2))) < 2
    ]
    assert same == []


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_count_message_renders_with_0_1_and_2(plurals, lang) -> None:
    wrong = {}
    for singular, plural in plurals:
        for n in (0, 1, 2):
            text = render(singular, plural, n, lang)
            assert str(n) in text
            # German and English: the singular for 1, the plural for 0 and 2.
            form = ngettext(singular, plural, n, lang)
            expected = (
                i18n.translate(singular if n == 1 else plural, lang) if lang == "en" else None
            )
            if expected is not None:
                assert form == expected
            problems = wrong_number(text, n, lang)
            if problems:
                wrong[(singular, n)] = problems
    assert wrong == {}


def test_the_grammar_of_counts_the_issue_named() -> None:
    def de(singular: str, plural: str, n: int, **values: object) -> str:
        return ngettext(singular, plural, n, "de").format(n=n, **values)

    assert de("{n} dot each", "{n} dots each", 1) == "je 1 Punkt"
    assert de("{n} dot each", "{n} dots each", 3) == "je 3 Punkte"
    assert de(
        "{n} dot per person, at most {cap} on one topic.",
        "{n} dots per person, at most {cap} on one topic.", 1, cap=1,
    ) == "1 Punkt je Person, höchstens 1 auf ein Thema."  # fmt: skip
    assert de(
        "Round {number} of {total} ({minutes} minute): {state}",
        "Round {number} of {total} ({minutes} minutes): {state}", 1,
        number=1, total=3, minutes=1, state="läuft",
    ) == "Runde 1 von 3 (1 Minute): läuft"  # fmt: skip
    assert de(
        "{voted} of {total} has placed dots", "{voted} of {total} have placed dots", 1,
        voted=1, total=10,
    ) == "1 von 10 hat Punkte geklebt"  # fmt: skip
    assert de(
        "{voted} of {total} has placed dots", "{voted} of {total} have placed dots", 7,
        voted=7, total=10,
    ) == "7 von 10 haben Punkte geklebt"  # fmt: skip
    with language("en"):
        assert ngettext("{n} minute in all.", "{n} minutes in all.", 1) == "{n} minute in all."


def test_no_count_message_skips_ngettext() -> None:
    """A message whose placeholder counts a noun is a plural message (NN_ or ngettext)."""
    with PO_PATH.open("rb") as f:
        catalog = read_po(f, locale="de")
    nouns = "|".join(re.escape(many) for _one, many in NOUNS["en"])
    counted = re.compile(rf"\{{\w+\}} ({nouns})\b")
    # Counts that are never 1: a list longer than its limit, a text longer than its limit.
    never_one = {
        "The file {name} has {rows} rows; a list of participants may have at most {limit}."
    }
    found = [
        m.id for m in catalog
        if isinstance(m.id, str) and counted.search(m.id)
        and not any(m.id.startswith(known) for known in never_one)
    ]  # fmt: skip
    assert found == []
