"""The French catalogue is complete and its compiled file is the one committed."""

import gettext
import re
from pathlib import Path

import citehack

LOCALE = Path(citehack.__file__).parent / "locale" / "fr" / "LC_MESSAGES"


def entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if "msgid" in block][1:]  # skip the header


def unquote(lines):
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines)).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_every_string_has_a_french_translation_and_none_is_fuzzy():
    untranslated = []
    for block in entries():
        assert "#, fuzzy" not in block, block
        for value in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M):
            if unquote(value) == "":
                untranslated.append(block.splitlines()[-2:])
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_sources():
    compiled = gettext.GNUTranslations(open(LOCALE / "django.mo", "rb"))
    singles = 0
    for block in entries():
        if "msgid_plural" in block or "msgctxt" in block:
            continue
        msgid = unquote(re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M).group(1))
        msgstr = unquote(re.search(r'^msgstr ((?:".*"\n?)+)', block + "\n", re.M).group(1))
        assert compiled.gettext(msgid) == msgstr, msgid
        singles += 1
    assert singles > 1000
