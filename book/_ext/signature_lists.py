"""A long signature's one-parameter-a-line layout is not read out as a glossary.

With ``maximum_signature_line_length`` set, Sphinx writes a long signature one
parameter a line by putting the parameters in a ``<dl>`` of ``<dd>`` items with
no ``<dt>``: a definition list with no terms, which assistive technology
announces as one and which the accessibility audits (axe, in Lighthouse)
report on every such signature of the API page. The list is layout only, so
it is marked ``role="none"``: the parameters are read as the signature's text,
and the indentation stays.
"""

from __future__ import annotations

import re

__all__ = ["mark_parameter_lists", "setup"]

# Sphinx 9's HTML writer: the opening bracket, blank lines, then the <dl>.
_PARAMETER_LIST = re.compile(r'(<span class="sig-paren">[(\[]</span>\s*)<dl>')


def mark_parameter_lists(html):
    """Return ``html`` with each signature's parameter ``<dl>`` marked as layout.

    Args:
        html: The body of a page, as Sphinx's HTML writer made it.

    Returns:
        The same HTML, with ``role="none"`` on the ``<dl>`` that follows a
        signature's opening bracket; every other ``<dl>`` is left alone.

    Raises:
        TypeError: If ``html`` is not a str.

    Example:
        >>> page = ('<dl class="py function"><dt><span class="sig-paren">(</span>'
        ...         '\\n\\n<dl>\\n<dd><em>n</em>,</dd>\\n</dl>\\n</dt></dl>')
        >>> print(mark_parameter_lists(page))
        <dl class="py function"><dt><span class="sig-paren">(</span>
        <BLANKLINE>
        <dl role="none">
        <dd><em>n</em>,</dd>
        </dl>
        </dt></dl>
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be a str, got {type(html).__name__}")
    return _PARAMETER_LIST.sub(r'\1<dl role="none">', html)


def _on_page_context(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = mark_parameter_lists(context["body"])


def setup(app):
    """Register the extension with Sphinx.

    Args:
        app: The Sphinx application.

    Returns:
        The extension's metadata.

    Example:
        >>> from types import SimpleNamespace
        >>> hooks = []
        >>> app = SimpleNamespace(connect=lambda *args: hooks.append(args))
        >>> setup(app)["parallel_write_safe"], [event for event, _ in hooks]
        (True, ['html-page-context'])
    """
    app.connect("html-page-context", _on_page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
