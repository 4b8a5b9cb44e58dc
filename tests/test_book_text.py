"""Rules of the book's prose, checked on the sources (no build needed).

The glossary is only worth having if the chapters link to it, and the book
stands alone: its reader has never seen the study notes it grew from, so only
the sources appendix may speak of them.
"""

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
GLOSSARY = BOOK / "appendix" / "glossary.md"
PAGES = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts)
# The one page that is about the sources, and so may name them.
SOURCES_PAGE = BOOK / "appendix" / "sources.md"

TERM_ROLE = re.compile(r"\{term\}`(?P<text>[^`<]*?)\s*(?:<(?P<target>[^>`]+)>)?`")
NOTES_MENTION = re.compile(
    r"\bthe notes\b|\bnotes? ?0\d\d\b|\bthese notes\b|\bnotes'", re.IGNORECASE
)


def glossary_terms(text):
    """The terms of the ``{glossary}`` block: its unindented, non-option lines."""
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.DOTALL)
    assert block, "no {glossary} block"
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line[0].isspace() and not line.startswith(":")
    ]


def linked_terms(text):
    """The glossary terms that ``{term}`` roles in ``text`` point to, lowercased."""
    return {
        " ".join((match["target"] or match["text"]).split()).lower()
        for match in TERM_ROLE.finditer(text)
    }


def test_linked_terms_reads_both_forms():
    text = "a {term}`tensor`, {term}`bigrams <n-gram>`, {term}`F1 <F1 score>`"
    text += " and a {term}`recurrent\n dropout`"
    assert linked_terms(text) == {"tensor", "n-gram", "f1 score", "recurrent dropout"}


def test_glossary_terms_reads_the_block():
    text = "```{glossary}\n:sorted:\n\nlayer\n  A step.\n\nloss\n  A number.\n```"
    assert glossary_terms(text) == ["layer", "loss"]


def test_every_glossary_entry_is_linked_from_a_chapter():
    terms = glossary_terms(GLOSSARY.read_text(encoding="utf-8"))
    linked = set()
    for page in PAGES:
        if page != GLOSSARY:
            linked |= linked_terms(page.read_text(encoding="utf-8"))
    unused = [term for term in terms if term.lower() not in linked]
    assert not unused, f"glossary entries that no page links with {{term}}: {unused}"


def test_every_linked_term_is_in_the_glossary():
    terms = {t.lower() for t in glossary_terms(GLOSSARY.read_text(encoding="utf-8"))}
    for page in PAGES:
        missing = linked_terms(page.read_text(encoding="utf-8")) - terms
        assert not missing, f"{page.relative_to(BOOK)} links unknown terms {missing}"


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if p != SOURCES_PAGE],
    ids=lambda p: str(p.relative_to(BOOK)),
)
def test_pages_do_not_speak_of_the_notes(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    hits = [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(lines, 1)
        if NOTES_MENTION.search(line)
    ]
    assert not hits, "the reader has never seen the notes:\n" + "\n".join(hits)


def test_notes_pattern_catches_the_usual_phrasings():
    phrases = ["as the notes say", "note 001 claims", "Notes 002", "the notes' 0.82"]
    for phrase in phrases:
        assert NOTES_MENTION.search(phrase), phrase
    assert not NOTES_MENTION.search("a footnote, and notes on a stave")


def test_glossary_terms_are_unique():
    terms = [t.lower() for t in glossary_terms(GLOSSARY.read_text(encoding="utf-8"))]
    repeated = sorted({term for term in terms if terms.count(term) > 1})
    assert not repeated, f"glossary entries defined twice: {repeated}"
