"""Sphinx configuration for TensorFlow Grimoire.

Source directory: ``book/``; this file sits at the repository root and is
passed with ``-c .`` (see the Makefile).
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The book's own Sphinx extensions and build settings (build machinery, not
# teaching code) live in book/_ext.
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import build_settings  # noqa: E402
import publishing  # noqa: E402

# Every notebook kernel inherits this process's environment (build_settings
# says what is set, and finds the data mirror); figures render inline.
build_settings.apply()
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

# -- Project ------------------------------------------------------------------

project = "TensorFlow Grimoire"
author = "The TensorFlow Grimoire authors"
copyright = "2026, The TensorFlow Grimoire authors"
release = metadata.version("grimoire")

# -- Extensions ---------------------------------------------------------------

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_exercise",
    # Solutions (`:class: dropdown`) start closed and open on a click.
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    # literalinclude with :no-docstring:, for listings of the package's code.
    "listings",
    # Re-executes a chapter when grimoire code it imports, or the environment,
    # changes.
    "book_cache",
    # Chapters numbered across the parts: "Figure 13.2", "Exercise 4.1".
    "numbering",
    # Author-year reference list, each entry linked back to where it is cited.
    "references",
    # Repository buttons from configuration; executed notebooks to download.
    "publishing",
    # The site needs no network: MathJax is served from the site itself.
    "offline_maths",
    # Every image a page shows has a real alt text, not its file path.
    "image_alt",
    # A long signature's one-parameter-a-line list is layout, not a glossary.
    "signature_lists",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", ".jupyter_cache"]
templates_path: list[str] = []
html_static_path = [str(ROOT / "_static")]
html_css_files = ["grimoire.css"]

# -- MyST and myst-nb -----------------------------------------------------------

myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "substitution",
]
myst_heading_anchors = 3

# Execution: cached in .jupyter_cache; book_cache adds the grimoire modules a
# chapter imports and the environment to the key, so the cache is never stale.
nb_execution_mode = "cache"
# GRIMOIRE_JUPYTER_CACHE lets parallel builds (say, two authors) keep separate caches.
nb_execution_cache_path = os.environ.get(
    "GRIMOIRE_JUPYTER_CACHE", str(ROOT / ".jupyter_cache")
)
nb_execution_timeout = 600  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_in_temp = True
# `make draft CHAPTER=...` executes one chapter and leaves the others unexecuted.
if os.environ.get("GRIMOIRE_EXECUTE_ONLY"):
    _only = Path(os.environ["GRIMOIRE_EXECUTE_ONLY"]).resolve()
    nb_execution_excludepatterns = [
        str(path.relative_to(ROOT / "book"))
        for path in (ROOT / "book").rglob("*.md")
        if path.resolve() != _only
    ]
nb_output_stderr = "remove"
nb_merge_streams = True
# Markdown that cells display (tables made by code) is parsed as MyST, so pipe
# tables render.
nb_render_markdown_format = "myst"

book_cache_package = "grimoire"
book_cache_variables = list(build_settings.RESULT_VARIABLES)
# The kernels run grimoire (and what it needs: TensorFlow, Keras, NumPy, ...)
# in ipykernel: their versions are in the cache key, Sphinx's are not.
book_cache_distributions = ["grimoire", "ipykernel"]

# -- Figures, numbering, references -------------------------------------------

numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}
numfig_secnum_depth = 1  # per chapter (book/_ext/numbering.py)
bibtex_bibfiles = ["book/references.bib"]  # relative to this folder
bibtex_default_style = "author_year"  # book/_ext/references.py
bibtex_reference_style = "author_year"

autodoc_typehints = "description"
# Long signatures are set one parameter a line, so the API page fits the screen.
maximum_signature_line_length = 60
# The module is in each section's heading: signatures show the bare name.
add_module_names = False
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Keras-style sections of layer docstrings.
napoleon_custom_sections = [
    ("Call arguments", "params_style"),
    ("Call returns", "returns_style"),
]

# Types from other libraries have no inventory offline: do not chase them.
nitpick_ignore_regex = [
    (
        r"py:.*",
        r"(np|numpy|tf|tensorflow|keras|pathlib|matplotlib|collections|typing|os)\..*",
    ),
    (
        r"py:.*",
        r"(Path|Sequence|Iterable|Iterator|Mapping|Callable|Any|ndarray|ArrayLike|optional)",
    ),
]

# -- HTML ---------------------------------------------------------------------

html_theme = "sphinx_book_theme"
html_title = "TensorFlow Grimoire"
html_logo = str(ROOT / "_static" / "logo.svg")
html_favicon = str(ROOT / "_static" / "logo.svg")
html_theme_options = {
    "use_download_button": True,
    "show_toc_level": 2,
    "home_page_in_toc": True,
}
# The repository, issue, edit and launch buttons: shown only when the
# repository is known (GRIMOIRE_REPOSITORY_URL, else git's origin), see
# book/_ext/publishing.py, which also offers each chapter's executed notebook.
grimoire_repository_url = publishing.repository_url(root=ROOT)
html_theme_options.update(publishing.theme_options(grimoire_repository_url))
# A description for search engines and link previews, on every page.
myst_html_meta = {
    "description": (
        "TensorFlow Grimoire, an executable book about deep learning with "
        "TensorFlow and Keras: every number, table and figure is computed by "
        "code that runs when the book is built."
    )
}

# The site works offline and on phones (issue 13; tests/test_browser.py checks
# it in Chromium).
# - Navigation: with a navbar item, pydata-sphinx-theme 0.20 draws a second
#   pair of sidebar toggles in a top bar; both themes' scripts bind the first
#   `.primary-toggle` in the page, a hidden one, so the visible hamburger and
#   contents buttons did nothing below 992 px and the sidebar never collapsed on
#   a desktop (pydata-sphinx-theme#2451, sphinx-book-theme#999). No navbar
#   items: no top bar, one pair of toggles (search stays in the sidebar and the
#   article header).
html_theme_options["navbar_persistent"] = []
# - First visit: the colour mode defaults to "auto", not "", which the theme's
#   script rejected with a console error ("invalid theme mode").
html_context = {"default_mode": "auto"}
# - Maths: MathJax from the pinned npm tarball (`make mathjax`, see the
#   Makefile), copied into the site's _static; never a CDN.
MATHJAX_STATIC = ROOT / ".vendor" / "static"
html_static_path.append(str(MATHJAX_STATIC))
mathjax_path = "mathjax/tex-mml-chtml.js"
# - Copy buttons copy code, not doctest prompts (>>>, ...) or their output:
#   only the lines after a prompt, without it; a block with no prompt is
#   copied whole.
copybutton_prompt_text = r">>> |\.\.\. |\$ |In \[\d*\]: | {2,5}\.\.\.: "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .gp, .go"

# -- The environment, shown on the status page --------------------------------
# Computed at build time (not executed in a notebook), so it is never stale.


def _version(dist: str) -> str:
    for name in (dist, f"{dist}-cpu"):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


myst_substitutions = {
    "python_version": platform.python_version(),
    "tensorflow_version": _version("tensorflow"),
    "keras_version": _version("keras"),
    "numpy_version": _version("numpy"),
    "matplotlib_version": _version("matplotlib"),
    "sphinx_version": _version("sphinx"),
    "myst_nb_version": _version("myst-nb"),
    "platform": f"{platform.system()} {platform.machine()}",
    "cpu_count": str(os.cpu_count()),
}
