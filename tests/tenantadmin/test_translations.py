"""The portal speaks English, German and Dutch: every string is translated, the compiled catalogs
match the sources, and a member's display language changes the pages they see."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]


def po_entries(path: Path) -> list[tuple[str, list[str]]]:
    """(msgid, [msgstr…]) of every entry but the header, from a .po file (a small reader: no polib)."""
    entries, msgid, msgstrs, current = [], None, [], None
    text = path.read_text(encoding="utf-8")

    def flush():
        if msgid is not None and msgid != "":
            entries.append((msgid, msgstrs))

    for line in text.splitlines():
        if line.startswith("msgid "):
            flush()
            msgid, msgstrs, current = _unquote(line[6:]), [], "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif re.match(r"msgstr(\[\d+\])? ", line):
            msgstrs.append(_unquote(line.split(" ", 1)[1]))
            current = "str"
        elif line.startswith('"'):
            if current == "id":
                msgid += _unquote(line)
            elif current == "str":
                msgstrs[-1] += _unquote(line)
        elif line.startswith("#~"):
            current = None
    flush()
    return entries


def _unquote(text: str) -> str:
    return text.strip()[1:-1].encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_and_not_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert "#, fuzzy" not in po.read_text(encoding="utf-8").split("\n\n", 1)[1]
    untranslated = [msgid for msgid, msgstrs in po_entries(po) if not all(msgstrs)]
    assert not untranslated, f"{len(untranslated)} untranslated in {language}, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_matches_the_sources(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    missing = [msgid for msgid, _msgstrs in po_entries(folder / "django.po") if msgid not in compiled
               and (msgid, 0) not in compiled and not any(isinstance(k, tuple) and k[0] == msgid for k in compiled)]
    assert not missing, f"run compilemessages: {missing[:5]}"


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_the_users_page_is_shown_in_the_members_display_language(language, org_a, client_for):
    admin = org_a.global_admin
    admin.language = language
    admin.save(update_fields=["language"])
    page = client_for(admin).get(reverse("users:list")).content.decode()
    with translation.override(language):
        users, sign_out = translation.gettext("Users"), translation.gettext("Sign out")
    if language != "en":
        assert users != "Users" and sign_out != "Sign out"
    assert f"<title>{users} ·" in page
    assert sign_out in page
    assert f'<html lang="{language}">' in page
