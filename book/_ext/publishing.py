"""What the published pages offer a reader beyond the text.

- The repository, issue, edit and launch buttons point to the repository named
  by ``GRIMOIRE_REPOSITORY_URL`` (set by the publishing workflow), or else by
  the git remote ``origin``; with neither, they are not shown, rather than
  pointing to an address nothing checks (:func:`repository_url`,
  :func:`theme_options`).
- Each chapter offers its executed notebook (``.ipynb``, with outputs) for
  download beside its MyST source. The notebook's first cell says what a
  reader installs to run it (:func:`install_cell`); its outputs are there
  even when the chapter came from the execution cache
  (:func:`with_cached_outputs`).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import nbformat

__all__ = [
    "repository_url",
    "theme_options",
    "install_cell",
    "with_cached_outputs",
    "setup",
]

#: Where Binder launches a chapter (it installs the repository's requirements.txt).
BINDER = "https://mybinder.org"


def _https(url):
    """A git remote as an https address, or None if it is not a web host's."""
    url = url.strip()
    ssh = re.fullmatch(r"git@([\w.-]+):(.+?)(?:\.git)?/?", url)
    if ssh:
        return f"https://{ssh.group(1)}/{ssh.group(2)}"
    web = re.fullmatch(r"https://([\w.-]+)/(.+?)(?:\.git)?/?", url)
    return f"https://{web.group(1)}/{web.group(2)}" if web else None


def repository_url(environ=None, root=None):
    """The book's repository: ``GRIMOIRE_REPOSITORY_URL``, else git's ``origin``.

    Args:
        environ: The environment to read; ``os.environ`` by default.
        root: The repository's folder, for ``git remote get-url origin``;
            git is not asked when None.

    Returns:
        An ``https://`` address, or None when neither names a web repository.

    Example:
        >>> repository_url({"GRIMOIRE_REPOSITORY_URL": "https://github.com/o/r/"})
        'https://github.com/o/r'
        >>> repository_url({}) is None
        True
    """
    environ = os.environ if environ is None else environ
    if environ.get("GRIMOIRE_REPOSITORY_URL"):
        return _https(environ["GRIMOIRE_REPOSITORY_URL"])
    if root is None:
        return None
    try:
        remote = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return _https(remote)


def theme_options(url, branch="main"):
    """The sphinx-book-theme options for the repository buttons.

    Args:
        url: The repository's address, or None.
        branch: The branch the edit and launch buttons open.

    Returns:
        A dict to merge into ``html_theme_options``: the buttons on and a
        Binder launch button with ``url``, every one of them off without.

    Example:
        >>> theme_options(None)["use_repository_button"]
        False
        >>> options = theme_options("https://github.com/o/r")
        >>> options["repository_url"], options["launch_buttons"]["binderhub_url"]
        ('https://github.com/o/r', 'https://mybinder.org')
    """
    shown = url is not None
    options = {
        "use_repository_button": shown,
        "use_issues_button": shown,
        "use_edit_page_button": shown,
        "use_source_button": shown,
    }
    if shown:
        options.update(
            repository_url=url,
            repository_branch=branch,
            path_to_docs="book",
            launch_buttons={
                "binderhub_url": BINDER,
                "notebook_interface": "jupyterlab",
            },
        )
    return options


def install_cell(url):
    """The first cell of a downloaded notebook: what to install to run it.

    Args:
        url: The repository's address, or None.

    Returns:
        An nbformat markdown cell.

    Example:
        >>> print(install_cell(None).source.splitlines()[0])
        **To run this notebook**, install the book's package `grimoire` and the
    """
    where = f"from <{url}>" if url else "from the book's repository"
    clone = f"git clone {url or '<repository>'} grimoire-book"
    source = (
        "**To run this notebook**, install the book's package `grimoire` and the\n"
        f"versions of TensorFlow and Keras the book was built with, {where}:\n"
        "\n"
        "```bash\n"
        f"{clone}\n"
        "python -m pip install -r grimoire-book/requirements.txt\n"
        "```\n"
        "\n"
        "The data sets are downloaded (and their checksums verified) the first\n"
        "time a cell needs them; `python -m grimoire.data fetch` fetches them all.\n"
    )
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": ["install"]})


def _executed_notebook(app, pagename):
    folder = Path(app.outdir).parent / "jupyter_execute"
    path = (folder / pagename).with_suffix(".ipynb")
    return path if path.is_file() else None


def _offer_notebook(app, pagename, templatename, context, doctree):
    # Before sphinx-book-theme builds its download menu (priority 501).
    if doctree is not None and _executed_notebook(app, pagename):
        context["ipynb_source"] = pagename + ".ipynb"


def with_cached_outputs(notebook, cache_path):
    """The notebook with the outputs jupyter-cache holds for its code, if any.

    myst-nb 1.4.0 writes ``jupyter_execute/<page>.ipynb`` from the notebook it
    parsed, not from the one its cache client merged the cached outputs into:
    a chapter executed in this build is written with its outputs, a chapter
    taken from the cache without them. This puts them back. Glue outputs are
    left out, as myst-nb leaves them out of a notebook it executes.

    Args:
        notebook: An ``nbformat`` notebook (version 4).
        cache_path: The jupyter-cache folder (``nb_execution_cache_path``).

    Returns:
        The notebook with outputs merged in, or ``notebook`` itself when the
        cache holds no run of the same code (or there is no cache).

    Example:
        >>> cell = nbformat.v4.new_code_cell("1 + 1")
        >>> notebook = nbformat.v4.new_notebook(cells=[cell])
        >>> with_cached_outputs(notebook, "/nonexistent/cache") is notebook
        True
    """
    if not Path(cache_path).is_dir():
        return notebook
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(str(cache_path)).merge_match_into_notebook(notebook)
    except KeyError:
        return notebook
    for cell in merged.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.get("outputs", [])
                if "scrapbook" not in output.get("metadata", {})
            ]
    return merged


def _write_notebook(app, pagename, templatename, context, doctree):
    # After sphinx-book-theme, which copies the bare notebook when launch
    # buttons are on: the reader's copy starts with the install cell.
    source = _executed_notebook(app, pagename)
    if doctree is None or source is None:
        return
    notebook = nbformat.read(source, as_version=4)
    if app.config.nb_execution_mode == "cache":
        notebook = with_cached_outputs(notebook, app.config.nb_execution_cache_path)
    notebook.cells.insert(0, install_cell(app.config.grimoire_repository_url))
    target = (Path(app.outdir) / "_sources" / pagename).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


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
        [('add_config_value', 'grimoire_repository_url'),
         ('connect', 'html-page-context'), ('connect', 'html-page-context')]
    """
    app.add_config_value("grimoire_repository_url", None, "html")
    app.connect("html-page-context", _offer_notebook, priority=400)
    app.connect("html-page-context", _write_notebook, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
