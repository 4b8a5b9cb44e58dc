"""``literalinclude`` with a ``:no-docstring:`` option, for the book's listings.

A chapter shows the package's teaching code by object::

    ```{literalinclude} ../../code/grimoire/convnets.py
    :language: python
    :pyobject: build_convnet
    :no-docstring:
    ```

The docstring (with its ``Args:`` and doctest examples) is what the API
reference shows; the chapter shows the code that does the work. With
``:no-docstring:`` the listing leaves out the docstrings of the object and of
the functions and classes inside it. Everything else about the directive is
Sphinx's own.
"""

from __future__ import annotations

import ast
import textwrap

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.directives.code import LiteralInclude

__all__ = ["docstring_lines", "strip_docstrings", "setup"]


def docstring_lines(source):
    """Return the 1-based line numbers of every docstring in ``source``.

    Args:
        source: Python source code (indented code is dedented first).

    Returns:
        A set of line numbers.

    Raises:
        TypeError: If ``source`` is not a string.

    Example:
        >>> code = "def f():\\n    'Doc.'\\n    return 1\\n"
        >>> sorted(docstring_lines(code))
        [2]
    """
    if not isinstance(source, str):
        raise TypeError(
            f"Expected `source` to be a str. Received: source of type "
            f"{type(source).__name__}"
        )
    tree = ast.parse(textwrap.dedent(source))
    found = set()
    for node in ast.walk(tree):
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)
        if not isinstance(node, kinds) or not node.body:
            continue
        first = node.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            found.update(range(first.lineno, first.end_lineno + 1))
    return found


def strip_docstrings(source):
    """Return ``source`` without its docstrings.

    Example:
        >>> print(strip_docstrings("def f():\\n    'Doc.'\\n    return 1\\n"), end="")
        def f():
            return 1
    """
    drop = docstring_lines(source)
    lines = source.splitlines(keepends=True)
    return "".join(line for number, line in enumerate(lines, 1) if number not in drop)


class ListingInclude(LiteralInclude):
    """Sphinx's ``literalinclude``, plus ``:no-docstring:``."""

    option_spec = {**LiteralInclude.option_spec, "no-docstring": directives.flag}

    def run(self):
        strip = "no-docstring" in self.options
        if strip and "pyobject" not in self.options:
            raise self.error(":no-docstring: needs :pyobject:")
        self.options.pop("no-docstring", None)
        result = super().run()
        if strip:
            for block in result:
                for node in block.findall(nodes.literal_block):
                    text = strip_docstrings(node.astext())
                    node.rawsource = text
                    node.children = [nodes.Text(text)]
        return result


def setup(app):
    """Register the directive, replacing Sphinx's ``literalinclude``.

    Example:
        >>> ListingInclude.option_spec["no-docstring"] is directives.flag
        True
    """
    app.add_directive("literalinclude", ListingInclude, override=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
