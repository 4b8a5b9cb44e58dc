"""Author-year references that link back to where they are cited.

The chapters cite author-year, ``(Vaswani et al., 2017)``
(``bibtex_reference_style = "author_year"``); this extension makes the list
match and lead back:

- the ``author_year`` bibliography style labels each entry as it is cited in
  the text, ``[Vaswani et al., 2017]``, and sorts by author, year and title
  (``bibtex_default_style = "author_year"``);
- each entry of the list ends with links to the chapters that cite it, in
  book order (sphinxcontrib-bibtex links back only within one page).
"""

from __future__ import annotations

from docutils import nodes
from numbering import book_order
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle

__all__ = ["author_year_label", "AuthorYearLabelStyle", "AuthorYearStyle", "setup"]


def author_year_label(entry):
    """The label of an entry as the text cites it: "Last et al., year".

    One author gives "Last, year", two "Last and Other, year", three or
    more "Last et al., year"; editors stand in for missing authors, and the
    key for missing names.

    Args:
        entry: A pybtex entry.

    Returns:
        The label, a string.

    Example:
        >>> from pybtex.database import Entry, Person
        >>> entry = Entry("article", fields={"year": "1997"}, persons={
        ...     "author": [Person("Hochreiter, Sepp"), Person("Schmidhuber, J.")]})
        >>> author_year_label(entry)
        'Hochreiter and Schmidhuber, 1997'
    """
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [person.rich_last_names for person in persons]
    last = [" ".join(str(part) for part in name) for name in names]
    if not last:
        who = entry.key
    elif len(last) == 1:
        who = last[0]
    elif len(last) == 2:
        who = f"{last[0]} and {last[1]}"
    else:
        who = f"{last[0]} et al."
    year = entry.fields.get("year", "n.d.")
    return f"{who}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """pybtex labels "Last et al., year"; a repeated label gets a, b, ...

    Example:
        >>> from pybtex.database import Entry, Person
        >>> def paper(year):
        ...     return Entry("article", fields={"year": year},
        ...                  persons={"author": [Person("LeCun, Yann")]})
        >>> entries = [paper("1989"), paper("1998"), paper("1998")]
        >>> list(AuthorYearLabelStyle().format_labels(entries))
        ['LeCun, 1989', 'LeCun, 1998a', 'LeCun, 1998b']
    """

    def format_labels(self, sorted_entries):
        labels = [author_year_label(entry) for entry in sorted_entries]
        seen = {}
        for label in labels:
            if labels.count(label) == 1:
                yield label
                continue
            seen[label] = seen.get(label, 0) + 1
            yield f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label] - 1]}"


class AuthorYearStyle(PlainStyle):
    """The plain bibliography style, labelled and sorted author-year.

    Example:
        >>> type(AuthorYearStyle().label_style).__name__
        'AuthorYearLabelStyle'
    """

    default_label_style = "author_year"
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.labels", "author_year", AuthorYearLabelStyle)
register_plugin("pybtex.style.formatting", "author_year", AuthorYearStyle)


def _cited_in(app, doctree, fromdocname):
    """Append "Cited in: chapter, chapter" to each entry of a bibliography."""
    domain = app.env.get_domain("cite")
    citations = [
        c for c in domain.citations if c.bibliography_key.docname == fromdocname
    ]
    if not citations:
        return
    ids = {}
    for node in doctree.findall(nodes.citation):
        for id_ in node["ids"]:
            ids[id_] = node
    position = {doc: index for index, doc in enumerate(book_order(app.env))}
    for citation in citations:
        node = ids.get(citation.citation_id)
        if node is None:
            continue
        # The first citation of the entry in each document that cites it.
        first = {}
        for ref in domain.citation_refs:
            if ref.docname == fromdocname:
                continue
            if citation.key in {target.key for target in ref.targets}:
                first.setdefault(ref.docname, ref.citation_ref_id)
        if not first:
            continue
        paragraph = nodes.paragraph(classes=["cited-in"])
        paragraph += nodes.emphasis(text="Cited in: ")
        docs = sorted(first, key=lambda doc: (position.get(doc, len(position)), doc))
        for index, doc in enumerate(docs):
            if index:
                paragraph += nodes.Text(", ")
            titles = app.env.titles
            title = titles[doc].astext() if doc in titles else doc
            uri = app.builder.get_relative_uri(fromdocname, doc) + "#" + first[doc]
            paragraph += nodes.reference("", title, internal=True, refuri=uri)
        node += paragraph


def setup(app):
    """Register the extension with Sphinx.

    Args:
        app: The Sphinx application.

    Returns:
        The extension's metadata.
    Example:
        >>> from recording_app import RecordingApp
        >>> app = RecordingApp()
        >>> setup(app)["parallel_read_safe"]
        True
        >>> app.calls
        [('connect', 'doctree-resolved')]
    """
    app.connect("doctree-resolved", _cited_in)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
