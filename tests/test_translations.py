"""The UI is Swedish first: every message has a Swedish translation, and the committed .mo
matches the .po (a fresh machine may lack gettext, so the .mo is committed)."""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_swedish_translation():
    catalogue = polib.pofile(str(PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_compiled_catalogue_is_up_to_date():
    source = {e.msgid: e.msgstr for e in polib.pofile(str(PO)).translated_entries()}
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo")))}
    compiled.pop("", None)
    assert compiled == source, "run: python manage.py compilemessages -l sv"
