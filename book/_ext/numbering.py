"""Chapters numbered across the parts, so figures read "Figure 13.2".

The book's table of contents is one ``:numbered: 1`` toctree per part, and
Sphinx numbers each toctree from 1: Part II would start again at chapter 1.
This extension numbers the chapters on, part after part, as a book does
(``numfig_secnum_depth = 1`` then gives figures, tables and exercises the
number of their chapter: "Figure 13.2", "Exercise 4.1").

It runs after Sphinx has numbered the sections, shifts the chapter numbers of
each numbered toctree of the root document by the number of chapters before
it, and numbers the figures again from the shifted numbers.

It also puts the rows of myst-nb's execution table (``{nb-exec-table}``, the
status page) in book order, as the table of contents lists the chapters,
where myst-nb sorts them by file name.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.transforms.post_transforms import SphinxPostTransform

__all__ = ["book_order", "chapter_offsets", "ExecutionTableInBookOrder", "setup"]


def chapter_offsets(toctrees):
    """The number of chapters before each numbered toctree.

    Args:
        toctrees: ``(numbered, entries)`` pairs in the root document's order;
            ``entries`` are the document names of a toctree.

    Returns:
        A dict from document name to the offset of its chapter number.

    Example:
        >>> chapter_offsets([(1, ["a", "b"]), (0, ["x"]), (1, ["c"])])
        {'a': 0, 'b': 0, 'c': 2}
    """
    offsets, before = {}, 0
    for numbered, entries in toctrees:
        if not numbered:
            continue
        for entry in entries:
            offsets[entry] = before
        before += len(entries)
    return offsets


def book_order(env):
    """The documents in the order of the table of contents, from the root.

    Args:
        env: The Sphinx build environment.

    Returns:
        A list of document names: the root, then each toctree entry depth-first.

    Example:
        >>> from types import SimpleNamespace
        >>> env = SimpleNamespace(
        ...     config=SimpleNamespace(root_doc="index"),
        ...     toctree_includes={"index": ["b", "a"], "b": ["b1"]},
        ... )
        >>> book_order(env)
        ['index', 'b', 'b1', 'a']
    """
    order = []

    def walk(docname):
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def _shift(number, offset):
    return [number[0] + offset, *number[1:]] if number else number


def _remember(app, env):
    env.numbering_previous = (dict(env.toc_secnumbers), dict(env.toc_fignumbers))
    return []


def _number_on(app, env):
    root = env.config.root_doc
    if root not in env.numbered_toctrees:
        return []
    toctrees = [
        (
            node.get("numbered", 0),
            [ref for _, ref in node["entries"] if ref in env.tocs],
        )
        for node in env.get_doctree(root).findall(addnodes.toctree)
    ]
    for docname, offset in chapter_offsets(toctrees).items():
        if not offset:
            continue
        numbers = env.toc_secnumbers.get(docname, {})
        for anchor, number in numbers.items():
            numbers[anchor] = tuple(_shift(list(number), offset))
        for reference in env.tocs[docname].findall(addnodes.compact_paragraph):
            target = reference[0] if len(reference) else None
            if target is not None and target.get("secnumber"):
                target["secnumber"] = _shift(target["secnumber"], offset)
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = _shift(title["secnumber"], offset)
    TocTreeCollector().assign_figure_numbers(env)
    old_sections, old_figures = getattr(env, "numbering_previous", ({}, {}))
    return sorted(
        docname
        for docname in set(env.toc_secnumbers) | set(env.toc_fignumbers)
        if env.toc_secnumbers.get(docname) != old_sections.get(docname)
        or env.toc_fignumbers.get(docname) != old_figures.get(docname)
    )


class ExecutionTableInBookOrder(SphinxPostTransform):
    """Sort the rows of the execution table (made at priority 8) in book order.

    Example:
        >>> ExecutionTableInBookOrder.default_priority  # after myst-nb's table
        9
        >>> from types import SimpleNamespace
        >>> from docutils.utils import new_document
        >>> def row(doc):
        ...     link = addnodes.pending_xref(reftype="doc")
        ...     link += nodes.inline(text=doc)
        ...     return nodes.row("", nodes.entry("", nodes.paragraph("", "", link)))
        >>> document = new_document("status")
        >>> document += nodes.tbody("", row("b/alpha"), row("a/zeta"))
        >>> document.settings.env = SimpleNamespace(
        ...     config=SimpleNamespace(root_doc="index"),
        ...     toctree_includes={"index": ["a/zeta", "b/alpha"]},
        ... )
        >>> ExecutionTableInBookOrder(document).run()
        >>> [row.astext() for row in document.findall(nodes.row)]
        ['a/zeta', 'b/alpha']
    """

    default_priority = 9

    def run(self, **kwargs):
        position = {doc: index for index, doc in enumerate(book_order(self.env))}
        for tbody in self.document.findall(nodes.tbody):
            rows = list(tbody.children)
            links = [next(row.findall(addnodes.pending_xref), None) for row in rows]
            if not rows or any(
                link is None or link.get("reftype") != "doc" for link in links
            ):
                continue
            docs = [link.astext() for link in links]
            if not all(doc in position for doc in docs):
                continue
            order = sorted(range(len(rows)), key=lambda i: position[docs[i]])
            tbody.children = [rows[i] for i in order]


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
        [('connect', 'env-get-updated'), ('connect', 'env-get-updated'),
         ('add_post_transform', 'ExecutionTableInBookOrder')]
    """
    # Sphinx numbers sections and figures at priority 500: remember the last
    # build's numbers before, number on after.
    app.connect("env-get-updated", _remember, priority=400)
    app.connect("env-get-updated", _number_on, priority=600)
    app.add_post_transform(ExecutionTableInBookOrder)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
