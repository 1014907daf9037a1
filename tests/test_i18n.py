"""The German catalog is complete, compiled, and fits the messages in the source."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest

pytest.importorskip("babel")

from babel.messages.pofile import read_po

import facilitation
from facilitation import FacilitationError, NoDotsLeft, i18n
from facilitation._exceptions import word
from facilitation.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    current_language,
    language,
    set_language,
    translate,
)

CATALOG_DIR = Path(i18n.__file__).parent / "locale" / "de" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "facilitation.po"
MO_PATH = CATALOG_DIR / "facilitation.mo"


@pytest.fixture(scope="module")
def catalog():
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="de")


@pytest.fixture(scope="module")
def source_messages():
    return i18n.extract_messages()


def placeholders(text: str) -> set[str]:
    """The names of the ``{placeholders}`` of a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def test_the_source_has_marked_messages(source_messages):
    assert len(source_messages) > 50
    assert "Title" in source_messages
    assert FacilitationError.template in source_messages
    assert NoDotsLeft.template in source_messages  # a message with a count (NN_)


def test_every_marked_message_has_a_german_translation(catalog, source_messages):
    missing = []
    for message in source_messages:
        msgid = message if isinstance(message, str) else message[0]
        entry = catalog.get(msgid)
        if entry is None or not all(s.strip() for s in forms(entry.string)):
            missing.append(msgid)
    assert missing == []


def test_the_catalog_has_no_fuzzy_entries(catalog):
    assert not catalog.fuzzy
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


def test_the_catalog_holds_no_message_that_left_the_source(catalog, source_messages):
    in_source = {m if isinstance(m, str) else m[0] for m in source_messages}
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert in_catalog - in_source == set()


def test_the_compiled_catalog_matches_the_po_file(catalog):
    with MO_PATH.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    expected: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            expected[message.id] = message.string
        else:
            for n, text in enumerate(message.string):
                expected[message.id[0], n] = text
    found = {key: value for key, value in compiled._catalog.items() if key != ""}
    assert found == expected
    for msgid, text in expected.items():
        if isinstance(msgid, str):
            assert compiled.gettext(msgid) == text


def test_the_package_uses_the_compiled_catalog(catalog):
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert translate(message.id, "de") == message.string
            assert translate(message.id, "en") == message.id


def test_placeholders_of_every_translation_match_the_source(catalog):
    mismatched = []
    for message in catalog:
        if not message.id:
            continue
        wanted = set().union(*(placeholders(i) for i in forms(message.id)))
        for text in forms(message.string):
            if placeholders(text) != wanted:
                mismatched.append((message.id, text))
    assert mismatched == []


def test_german_is_the_default_language(monkeypatch):
    assert DEFAULT_LANGUAGE == "de"
    monkeypatch.delenv("FACILITATION_LANG", raising=False)
    assert i18n._initial_language() == "de"
    monkeypatch.setenv("FACILITATION_LANG", "en_GB.UTF-8")
    assert i18n._initial_language() == "en"
    monkeypatch.setenv("FACILITATION_LANG", "fr")
    assert i18n._initial_language() == "de"


def test_set_language_refuses_an_unknown_language():
    before = current_language()
    with pytest.raises(ValueError, match="xx"):
        set_language("xx")
    with pytest.raises(ValueError), language("xx"):
        pass  # pragma: no cover
    assert current_language() == before


def test_language_block_switches_and_restores():
    before = current_language()
    with language("en"):
        assert current_language() == "en"
        assert i18n._("Title") == "Title"
        with language("de"):
            assert i18n._("Title") == "Titel"
        assert current_language() == "en"
    assert current_language() == before


def test_a_word_detail_is_translated_when_shown():
    detail = word(N_("the file ends after {size} bytes"), size=12)
    assert detail.shown("en") == "the file ends after 12 bytes"
    assert detail.shown("de") == "die Datei endet nach 12 Bytes"


ERROR_CLASSES = [
    getattr(facilitation, name)
    for name in facilitation.__all__
    if isinstance(getattr(facilitation, name), type)
    and issubclass(getattr(facilitation, name), FacilitationError)
]


def test_every_exception_of_the_package_is_checked():
    assert FacilitationError in ERROR_CLASSES
    assert len(ERROR_CLASSES) >= 18


def plural_form(template: str | tuple[str, str], lang: str) -> str:
    """An exception's template in ``lang``, for a count of 2 if it has a count."""
    if isinstance(template, tuple):
        return i18n.ngettext(*template, 2, lang)
    return translate(template, lang)


@pytest.mark.parametrize("error_class", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_exception_renders_in_both_languages(error_class):
    template = plural_form(error_class.template, "en")
    names = placeholders(template)
    details = {name: f"<{name}-sample>" for name in names}
    if error_class.count:
        assert error_class.count in names
        details[error_class.count] = 2
    error = error_class(**details)
    english = error.message("en")
    german = error.message("de")
    for text in (english, german):
        assert text.strip()
        for value in details.values():
            assert str(value) in text
    assert english == template.format(**details)
    assert german == plural_form(error_class.template, "de").format(**details)
    literal = "".join(text for text, *_ in string.Formatter().parse(template))
    if any(c.isalpha() for c in literal):  # "{field}: {problem}" reads the same in German
        assert german != english
    with language("de"):
        assert str(error) == german
    with language("en"):
        assert str(error) == english
    assert error.args == (english,)


@pytest.mark.parametrize("error_class", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_exception_survives_pickling(error_class):
    import pickle

    names = placeholders(plural_form(error_class.template, "en"))
    details = {name: word(N_("open")) for name in names}
    if error_class.count:
        details[error_class.count] = 1
    error = pickle.loads(pickle.dumps(error_class(**details)))
    assert type(error) is error_class
    assert error.message("de") == error_class(**details).message("de")
