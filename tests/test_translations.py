"""Customer documents in the customer's language (issue 16): every phrase the invoice and credit
note PDFs translate is in each language's catalog, so a German or French customer never reads a
page half in English; and the compiled catalogs are the ones the sources say."""

import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [*ROOT.glob("templates/billing/documents/pdf/*.html"),
             *ROOT.glob("templates/core/pdf/*.html")]
LANGUAGES = sorted(path.name for path in (ROOT / "billing/locale").iterdir())
TRANSLATE = re.compile(r'\{% translate "([^"]+)"(?: context "([^"]+)")?(?: as \w+)? %\}')
BLOCK = re.compile(
    r"\{% blocktranslate[^%]*%\}(.*?)(?:\{% plural %\}.*?)?\{% endblocktranslate %\}", re.S)


def phrases() -> set[tuple[str, str]]:
    found = set()
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        found |= {(context or "", msgid) for msgid, context in TRANSLATE.findall(text)}
        # as Django builds a blocktranslate's msgid: a literal % doubled, {{ x }} as %(x)s
        found |= {("", re.sub(r"\{\{ (\w+) \}\}", r"%(\1)s", body.replace("%", "%%")))
                  for body in BLOCK.findall(text)}
    return found


def test_the_document_templates_are_found():
    assert {("", "Invoice"), ("", "Credit note"), ("page footer", "Page")} <= phrases()
    assert LANGUAGES == ["de", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_of_the_documents_is_translated(language):
    with translation.override(language):
        untranslated = sorted(
            msgid for context, msgid in phrases()
            if (translation.pgettext(context, msgid) if context
                else translation.gettext(msgid)) == msgid and msgid not in SAME_WORD[language])
    assert untranslated == []


# Words that are spelt the same in the language (French "Page", "Total" is "Total TTC").
SAME_WORD = {"de": set(), "fr": {"Page"}}


def test_plurals_follow_the_language():
    phrase = ("%(counter)s usage line with nothing used is not listed.",
              "%(counter)s usage lines with nothing used are not listed.")
    with translation.override("fr"):
        assert translation.ngettext(*phrase, 1) % {"counter": 1} == (
            "1 ligne d'usage sans consommation n'est pas listée.")
        assert translation.ngettext(*phrase, 0) % {"counter": 0} == (
            "0 ligne d'usage sans consommation n'est pas listée.")  # French: 0 is singular
    with translation.override("de"):
        assert translation.ngettext(*phrase, 2) % {"counter": 2} == (
            "2 Nutzungspositionen ohne Verbrauch sind nicht aufgeführt.")
