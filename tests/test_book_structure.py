"""The house rules of a chapter, checked on the sources (no build needed).

Every chapter follows the reference chapter's form: a label, an overview, a
setup cell that seeds every generator, a summary and exercises; package code
is shown by object (``:pyobject:``), never by line numbers; and every module of
the package has its place in the API reference.
"""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from listings import strip_docstrings

import grimoire

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(p for p in BOOK.glob("*/*.md") if p.parent.name != "appendix")
MODULES = sorted(
    info.name for info in pkgutil.iter_modules(grimoire.__path__, "grimoire.")
)


def ids(paths):
    return [str(p.relative_to(BOOK)) for p in paths]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 5


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_has_the_reference_form(chapter):
    text = chapter.read_text(encoding="utf-8")
    assert text.startswith("---\njupytext:"), "front matter missing"
    assert re.search(r"^\(ch-[\w-]+\)=\n# ", text, re.MULTILINE), (
        "no (ch-...)= label above the title"
    )
    for heading in ("## Overview", "## Setup", "## Summary", "## Exercises"):
        assert re.search(rf"^{heading}\b", text, re.MULTILINE), (
            f"no {heading!r} section"
        )
    assert "set_seed(" in text, "the setup cell does not call set_seed"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids(CHAPTERS))
def test_package_code_is_included_by_object(chapter):
    text = chapter.read_text(encoding="utf-8")
    for block in re.findall(r"```\{literalinclude\}[^\n]*\n(?:.*\n)*?```", text):
        assert ":lines:" not in block and ":start-after:" not in block, block
        if "code/grimoire" in block:
            assert ":pyobject:" in block, block


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_is_in_the_table_of_contents(chapter):
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    name = chapter.relative_to(BOOK).with_suffix("").as_posix()
    assert re.search(rf"^{re.escape(name)}$", index, re.MULTILINE), (
        f"{name} is not in index.md"
    )


def test_every_module_is_in_the_api_reference():
    api = (BOOK / "appendix" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in MODULES if f".. automodule:: {name}\n" not in api]
    assert not missing, f"not in book/appendix/api.md: {missing}"


def test_glue_names_are_unique_across_the_book():
    seen = {}
    for chapter in CHAPTERS:
        for name in re.findall(
            r"""\bglue\(\s*["'](\w+)["']""", chapter.read_text(encoding="utf-8")
        ):
            other = seen.setdefault(name, chapter)
            assert other == chapter, (
                f"glue name {name!r} is used in {other.name} and {chapter.name}"
            )


def _listings(chapter):
    """Yield (file, object, strip docstring) for each package listing of a chapter."""
    text = chapter.read_text(encoding="utf-8")
    for block in re.findall(r"```\{literalinclude\}[^\n]*\n(?:.*\n)*?```", text):
        target = re.search(r"\{literalinclude\}\s+(\S+)", block).group(1)
        name = re.search(r":pyobject:\s*(\S+)", block)
        if name and "code/grimoire" in target:
            path = (chapter.parent / target).resolve()
            yield path, name.group(1), ":no-docstring:" in block


def _object_source(path, dotted):
    """The source lines of a top-level object, or of Class.method, as Sphinx cuts it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = tree
    for part in dotted.split("."):
        node = next(
            child
            for child in node.body
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)) and child.name == part
        )
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return "".join(lines[start - 1 : node.end_lineno])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids(CHAPTERS))
def test_listings_fit_the_page_column(chapter):
    """A listing never scrolls sideways: no shown line is over 88 characters."""
    too_wide = []
    for path, name, no_docstring in _listings(chapter):
        source = _object_source(path, name)
        if no_docstring:
            source = strip_docstrings(source)
        width = max(len(line) for line in source.splitlines())
        if width > 88:
            too_wide.append(f"{path.name}:{name} ({width} columns)")
    assert not too_wide, f"listings wider than 88 columns: {too_wide}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids(CHAPTERS))
def test_captions_are_not_in_cell_metadata(chapter):
    """Captions live in {glue:figure} markdown: editing one re-executes nothing."""
    text = chapter.read_text(encoding="utf-8")
    assert not re.search(r"^mystnb:\n\s+figure:", text, re.MULTILINE), (
        "a caption in cell metadata (hashed by the execution cache): "
        "use glue_figure and a {glue:figure} directive"
    )


def _code_cells(chapter):
    """The code cells of a chapter as myst-nb reads them: (number, source, tags)."""
    import jupytext

    notebook = jupytext.read(chapter)
    return [
        (number, cell.source, set(cell.metadata.get("tags", [])))
        for number, cell in enumerate(
            (c for c in notebook.cells if c.cell_type == "code"), 1
        )
    ]


# Every chapter page, the appendices included (some of them run code too).
PAGES = sorted(BOOK.glob("**/*.md"))


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_code_cells_fit_the_page_column(page):
    """A code cell never scrolls sideways: every line is at most 88 columns.

    Hidden cells count too: the downloaded notebook shows them.
    """
    too_wide = [
        f"cell {number}, line {line_number}: {len(line)} columns"
        for number, source, _ in _code_cells(page)
        for line_number, line in enumerate(source.splitlines(), 1)
        if len(line) > 88
    ]
    assert not too_wide, f"code lines wider than 88 columns: {too_wide}"


HIDDEN = {"remove-cell", "remove-input"}


@pytest.mark.parametrize("page", PAGES, ids=ids(PAGES))
def test_teaching_cells_do_not_glue(page):
    """Bookkeeping is hidden: ``glue(...)`` only in cells tagged remove-cell/-input.

    ``glue_figure(...)`` may stay in the cell that draws the figure.
    """
    visible_glue = [
        f"cell {number}: {line.strip()}"
        for number, source, tags in _code_cells(page)
        if not tags & HIDDEN
        for line in source.splitlines()
        if re.search(r"\bglue\(", line)
    ]
    assert not visible_glue, f"glue() in a shown cell: {visible_glue}"


def _documented_data():
    """(module, name, value) of each public module constant with a ``#:`` comment."""
    from sphinx.pycode import ModuleAnalyzer

    for module_name in MODULES:
        module = importlib.import_module(module_name)
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        for (scope, name), lines in docs.items():
            if not scope and name in getattr(module, "__all__", []):
                yield module_name, name, getattr(module, name), lines


def test_long_constants_hide_their_value_in_the_api_reference():
    """A constant's value is printed in its signature: a long one would make the
    API page wider than the screen, so its comment says ``:meta hide-value:``."""
    too_long = [
        f"{module}.{name} ({len(repr(value))} characters)"
        for module, name, value, lines in _documented_data()
        if len(repr(value)) > 88 and not any(":meta hide-value:" in s for s in lines)
    ]
    assert not too_long, f"add `#: :meta hide-value:` to: {too_long}"


SMALL_FONT = re.compile(
    r"""(?:font)?size\s*=\s*(?:(\d+(?:\.\d+)?)\b|["']((?:x+-)?small)["'])"""
)
SOURCES = PAGES + sorted((BOOK.parent / "code" / "grimoire").glob("*.py"))


@pytest.mark.parametrize(
    "source", SOURCES, ids=[str(p.relative_to(BOOK.parent)) for p in SOURCES]
)
def test_no_figure_text_set_below_nine_points(source):
    """Figure text is 9 pt or more (the house style's floor, MIN_FONT_SIZE)."""
    from grimoire.plotting import MIN_FONT_SIZE

    small = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if "fontsize" not in line and "labelsize" not in line:
            continue
        for match in SMALL_FONT.finditer(line):
            size, named = match.groups()
            if named or float(size) < MIN_FONT_SIZE:
                small.append(f"line {number}: {line.strip()}")
    assert not small, f"figure text under {MIN_FONT_SIZE} pt: {small}"
