"""The execution cache is never stale, and never re-executes for nothing.

The unit tests check how chapters and modules are read. The other tests build
a small book with Sphinx and myst-nb, whose chapters import a small package,
and prove the promises of the build:

* editing a package module re-executes exactly the chapters that import it,
  directly or through another module of the package, and their pages change;
* editing prose or a figure caption re-executes nothing;
* a no-op rebuild (or a mere ``touch``) executes nothing;
* an upgraded package, another Python or a changed result variable (such as
  ``KERAS_BACKEND``) re-executes everything, a comment in requirements.txt
  nothing;
* a chapter that imports a package module the scan cannot see fails;
* a file replaced by a copy that keeps an old modification time is noticed.

Each chapter appends its name to a log file when it executes, so the test
counts executions directly.
"""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from book_cache import (
    chapter_dependencies,
    code_cells,
    environment_fingerprint,
    fingerprint,
    guard_cell,
    imported_modules,
    package_modules,
    runtime_distributions,
)

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"


def test_code_cells_strip_options():
    page = textwrap.dedent("""\
        ---
        jupytext: {}
        ---
        text
        ```{code-cell} ipython3
        ---
        tags: [hide-input]
        ---
        a = 1
        ```
        ```python
        not_a_cell = 1
        ```
        ````{code-cell} ipython3
        :tags: [remove-cell]
        b = 2
        ````
        """)
    assert code_cells(page) == ["a = 1\n", "b = 2\n"]


def test_imported_modules_ignores_magics_and_other_packages():
    source = (
        "%matplotlib inline\nimport grimoire.data as d\n"
        "from grimoire import plotting\nimport grimoirex\nimport os\n"
    )
    assert imported_modules(source, "grimoire") == {
        "grimoire.data",
        "grimoire",
        "grimoire.plotting",
    }


def test_imported_modules_of_broken_code_is_empty():
    assert imported_modules("def (:", "grimoire") == set()


@pytest.fixture
def package(tmp_path):
    root = tmp_path / "pkg" / "minipkg"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "alpha.py").write_text("def value():\n    return 1\n")
    (root / "beta.py").write_text(
        "from .alpha import value\n\ndef doubled():\n    return 2 * value()\n"
    )
    (root / "gamma.py").write_text("def word():\n    return 'first'\n")
    (root / "sub").mkdir()
    (root / "sub" / "__init__.py").write_text("")
    (root / "sub" / "delta.py").write_text(
        "from ..gamma import word\nfrom minipkg import beta\n"
    )
    return root


def test_package_modules_resolve_relative_imports(package):
    modules = package_modules(package, "minipkg")
    assert set(modules) == {
        "minipkg",
        "minipkg.alpha",
        "minipkg.beta",
        "minipkg.gamma",
        "minipkg.sub",
        "minipkg.sub.delta",
    }
    assert "minipkg.alpha" in modules["minipkg.beta"][1]
    assert {"minipkg.gamma", "minipkg.beta"} <= modules["minipkg.sub.delta"][1]


def test_chapter_dependencies_are_transitive(package):
    page = "```{code-cell} ipython3\nfrom minipkg.sub.delta import word\n```\n"
    names = [
        str(p.relative_to(package))
        for p in chapter_dependencies(page, package, "minipkg")
    ]
    assert names == [
        "__init__.py",
        "alpha.py",
        "beta.py",
        "gamma.py",
        "sub/__init__.py",
        "sub/delta.py",
    ]
    assert chapter_dependencies("no code here", package, "minipkg") == []


def test_fingerprint_follows_content_not_order(package):
    files = sorted(package.glob("*.py"))
    before = fingerprint(files)
    assert fingerprint(reversed(files)) == before
    (package / "gamma.py").write_text("def word():\n    return 'second'\n")
    assert fingerprint(files) != before


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: code_cells(None),
            TypeError,
            r"Expected `text` to be a str. Received: text=NoneType",
        ),
        (
            lambda: imported_modules(b"import x", "grimoire"),
            TypeError,
            r"Expected `source` to be a str. Received: source=bytes",
        ),
        (
            lambda: imported_modules("import x", 1),
            TypeError,
            r"Expected `package` to be a str. Received: package=int",
        ),
        (
            lambda: package_modules("/nonexistent", "x"),
            ValueError,
            r"Expected `package_dir` to be a package folder with an __init__.py. "
            r"Received: package_dir='/nonexistent'",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


HEADER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def chapter(name, prose, code):
    log = f"open(os.environ['EXEC_LOG'], 'a').write('{name}\\n')"
    cell = f"```{{code-cell}} ipython3\nimport os\n{log}\n{code}\n```\n"
    return f"{HEADER}\n# {name.title()}\n\n{prose}\n\n{cell}"


@pytest.fixture
def book(tmp_path, package):
    src = tmp_path / "book"
    src.mkdir()
    (src / "conf.py").write_text(
        textwrap.dedent(f"""\
        extensions = ["myst_nb", "book_cache"]
        book_cache_package = "minipkg"
        book_cache_variables = ["BOOK_CACHE_TEST_VARIABLE"]
        book_cache_distributions = ["fakedist"]
        nb_execution_mode = "cache"
        nb_execution_cache_path = {str(tmp_path / "cache")!r}
        nb_execution_raise_on_error = True
        nb_execution_show_tb = True
        nb_output_stderr = "remove"
        """)
    )
    (src / "requirements.txt").write_text("# pinned\nnumpy\n")
    (src / "index.md").write_text(
        "# Mini\n\n```{toctree}\none\ntwo\nthree\nfour\n```\n"
    )
    (src / "one.md").write_text(
        chapter(
            "one",
            "Alpha prose.",
            "from minipkg.alpha import value\nprint('value', value())",
        )
    )
    (src / "two.md").write_text(
        chapter(
            "two",
            "Beta prose.",
            "from minipkg import beta\nprint('doubled', beta.doubled())",
        )
    )
    (src / "three.md").write_text(
        chapter(
            "three",
            "Gamma prose.",
            "import minipkg.gamma\nprint('word', minipkg.gamma.word())",
        )
    )
    figure = (
        "import matplotlib\nmatplotlib.use('agg')\n"
        "import matplotlib.pyplot as plt\nfrom myst_nb import glue\n"
        "fig, ax = plt.subplots()\nglue('fig-line', fig, display=False)"
    )
    caption = ":::{glue:figure} fig-line\n:name: fig-line\n\nA first caption.\n:::\n"
    (src / "four.md").write_text(
        chapter("four", "Plain prose.", figure) + "\n" + caption
    )
    # A distribution whose version the environment key must follow.
    info = tmp_path / "site" / "fakedist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fakedist\nVersion: 1.0\n"
    )
    return src


def build(book, **variables):
    """Build the mini book; return the chapters that executed, in order."""
    log = book.parent / "exec.log"
    log.unlink(missing_ok=True)
    path = os.pathsep.join(
        str(p) for p in (book.parent / "pkg", book.parent / "site", EXT)
    )
    env = dict(os.environ, EXEC_LOG=str(log), PYTHONPATH=path, **variables)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(book),
            str(book.parent / "html"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise BuildError(result.stdout + result.stderr)
    return sorted(log.read_text().split()) if log.exists() else []


class BuildError(Exception):
    """The mini book failed to build."""


def page(book, name):
    return (book.parent / "html" / f"{name}.html").read_text()


def edit(path, old, new):
    time.sleep(0.01)  # a new mtime, even on coarse clocks
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.slow
def test_cache_is_exact(book, package):
    assert build(book) == ["four", "one", "three", "two"]  # cold
    assert "doubled 2" in page(book, "two")

    assert build(book) == []  # no-op rebuild

    edit(book / "one.md", "Alpha prose.", "Alpha prose, edited.")
    assert build(book) == []  # prose only
    assert "Alpha prose, edited." in page(book, "one")

    edit(book / "four.md", "A first caption.", "A second caption.")
    assert build(book) == []  # a figure caption is prose too
    assert "A second caption." in page(book, "four")

    edit(book / "requirements.txt", "# pinned", "# pinned, with a comment")
    assert build(book) == []

    edit(package / "alpha.py", "return 1", "return 5")
    assert build(book) == ["one", "two"]  # direct and indirect importers
    assert "value 5" in page(book, "one") and "doubled 10" in page(book, "two")

    edit(package / "gamma.py", "'first'", "'second'")
    assert build(book) == ["three"]
    assert "word second" in page(book, "three")

    os.utime(package / "beta.py")  # touched, not changed: re-read, not re-executed
    assert build(book) == []

    # A copy that keeps an old modification time (cp -p, rsync -a) is noticed.
    old = os.stat(package / "alpha.py").st_mtime - 3600
    edit(package / "alpha.py", "return 5", "return 7")
    os.utime(package / "alpha.py", (old, old))
    assert build(book) == ["one", "two"]
    assert "value 7" in page(book, "one")
    edit(book / "three.md", "Gamma prose.", "Gamma prose, copied.")
    os.utime(book / "three.md", (old, old))
    assert build(book) == []
    assert "Gamma prose, copied." in page(book, "three")

    # The environment: a result variable, then an upgraded distribution.
    everything = ["four", "one", "three", "two"]
    assert build(book, BOOK_CACHE_TEST_VARIABLE="a") == everything
    assert build(book, BOOK_CACHE_TEST_VARIABLE="a") == []
    metadata = book.parent / "site" / "fakedist-1.0.dist-info" / "METADATA"
    edit(metadata, "Version: 1.0", "Version: 2.0")
    assert build(book, BOOK_CACHE_TEST_VARIABLE="a") == everything


@pytest.mark.slow
def test_an_edit_saved_while_the_chapter_executes_is_not_missed(book):
    # The cell plays an author who saves the page while it executes (its own
    # code does not spell the two texts, so the page shows which one it has).
    save = (
        "page = os.path.join(os.environ['BOOK_SOURCE'], 'three.md')\n"
        "text = open(page).read()\n"
        "old, new = 'Bef' + 'ore.', 'Saved ' + 'meanwhile.'\n"
        "open(page, 'w').write(text.replace(old, new))"
    )
    (book / "three.md").write_text(chapter("three", "Before.", save))
    assert "three" in build(book, BOOK_SOURCE=str(book))
    assert "Saved meanwhile." in (book / "three.md").read_text()
    assert build(book, BOOK_SOURCE=str(book)) == []  # re-read, from the cache
    assert "Saved meanwhile." in page(book, "three")


@pytest.mark.slow
def test_used_in_links_the_importing_chapters(book):
    (book / "api.md").write_text(
        "# API\n\n```{used-in} minipkg.alpha\n```\n\n```{used-in} minipkg.sub\n```\n"
    )
    index = book / "index.md"
    index.write_text(index.read_text().replace("four\n", "four\napi\n"))
    build(book)
    lists = re.findall(r"<p><em>(.*?)</p>", page(book, "api"))
    assert len(lists) == 2
    assert (
        'Used in: </em><a class="reference internal" href="one.html">One</a>'
        == lists[0]
    )
    assert (
        "Not imported by any chapter yet." in lists[1]
    )  # two reaches alpha only through beta


def distribution(folder, name, version, requires=()):
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    return info


def test_environment_fingerprint_follows_what_the_kernels_use(tmp_path):
    distribution(tmp_path, "book", "1.0", ["engine>=1", "tool; extra == 'docs'"])
    engine = distribution(tmp_path, "engine", "1.0")
    tool = distribution(tmp_path, "tool", "1.0")
    distribution(tmp_path, "theme", "1.0")
    path = [str(tmp_path)]
    assert runtime_distributions(["book"], path) == ["book==1.0", "engine==1.0"]
    before = environment_fingerprint(["book"], path=path)
    (tool / "METADATA").write_text("Name: tool\nVersion: 2.0\n")  # an extra
    assert environment_fingerprint(["book"], path=path) == before
    (engine / "METADATA").write_text("Name: engine\nVersion: 1.1\n")  # upgraded
    assert environment_fingerprint(["book"], path=path) != before


def test_an_import_the_scan_cannot_see_fails_the_build(book):
    hidden = "import importlib\nimportlib.import_module('minipkg.gamma')"
    (book / "four.md").write_text(chapter("four", "Sneaky.", hidden))
    with pytest.raises(BuildError, match=r"imported \['minipkg', 'minipkg.gamma'\]"):
        build(book)


def test_guard_cell_names_the_undeclared_modules():
    source = guard_cell("c", "e", {"os"}, "os")
    with pytest.raises(RuntimeError, match=r"imported \['os.path'\]"):
        exec(source, {})
