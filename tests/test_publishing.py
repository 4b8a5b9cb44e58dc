"""The repository buttons come from configuration, or are not shown."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from publishing import install_cell, repository_url, theme_options


def _git(folder, *args):
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def test_no_repository_no_buttons(tmp_path):
    _git(tmp_path, "init", "-q")
    url = repository_url({}, root=tmp_path)
    assert url is None
    options = theme_options(url)
    assert not any(options[key] for key in options if key.startswith("use_"))
    assert "repository_url" not in options and "launch_buttons" not in options


@pytest.mark.parametrize(
    "remote",
    ["git@github.com:someone/grimoire.git", "https://github.com/someone/grimoire.git"],
)
def test_the_git_origin_names_the_repository(tmp_path, remote):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "remote", "add", "origin", remote)
    assert repository_url({}, root=tmp_path) == "https://github.com/someone/grimoire"


def test_the_variable_wins_over_git(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "remote", "add", "origin", "https://github.com/a/b")
    environ = {"GRIMOIRE_REPOSITORY_URL": "https://gitlab.com/c/d"}
    assert repository_url(environ, root=tmp_path) == "https://gitlab.com/c/d"


def test_a_local_remote_is_not_a_repository_to_link(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "remote", "add", "origin", "/srv/git/grimoire")
    assert repository_url({}, root=tmp_path) is None


def test_with_a_repository_every_button_and_binder_are_on():
    options = theme_options("https://github.com/a/b")
    assert all(options[key] for key in options if key.startswith("use_"))
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_the_install_cell_names_the_repository():
    cell = install_cell("https://github.com/a/b")
    assert cell.cell_type == "markdown"
    assert "git clone https://github.com/a/b" in cell.source
    assert "pip install -r grimoire-book/requirements.txt" in cell.source


EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"
PAGE = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Chapter

```{code-cell} ipython3
print(6 * 7)
```
"""


def build_mini_site(tmp_path, repository, fresh=False):
    """A one-chapter book with the book's theme and publishing extension.

    Its chapter executes in jupyter-cache mode; ``fresh`` rebuilds an existing
    mini site from scratch (``-E``), so the chapter comes from the cache.
    """
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(
        textwrap.dedent("""\
        import publishing
        extensions = ["myst_nb", "publishing"]
        html_theme = "sphinx_book_theme"
        nb_execution_mode = "cache"
        nb_execution_cache_path = "../jupyter_cache"
        grimoire_repository_url = publishing.repository_url()
        html_theme_options = {"use_download_button": True}
        html_theme_options.update(publishing.theme_options(grimoire_repository_url))
        """)
    )
    (src / "index.md").write_text("# Mini\n\n```{toctree}\nchapter\n```\n")
    (src / "chapter.md").write_text(PAGE)
    env = dict(os.environ, PYTHONPATH=str(EXT))
    env.pop("GRIMOIRE_REPOSITORY_URL", None)
    if repository:
        env["GRIMOIRE_REPOSITORY_URL"] = repository
    out = tmp_path / "_build" / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html"]
        + (["-E"] if fresh else [])
        + [str(src), str(out)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


@pytest.mark.slow
@pytest.mark.parametrize("repository", [None, "https://github.com/someone/grimoire"])
def test_a_built_page_offers_its_notebook_and_only_real_buttons(tmp_path, repository):
    html = build_mini_site(tmp_path, repository)
    page = (html / "chapter.html").read_text(encoding="utf-8")
    assert "_sources/chapter.ipynb" in page, "no .ipynb download"
    notebook = nbformat.read(html / "_sources" / "chapter.ipynb", as_version=4)
    assert "pip install" in notebook.cells[0].source
    code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert code.outputs[0]["text"] == "42\n", "not the executed notebook"
    if repository is None:
        assert "github.com" not in page and "mybinder" not in page
    else:
        assert f'href="{repository}"' in page, "no repository button"
        assert (
            "https://mybinder.org/v2/gh/someone/grimoire/main?urlpath=lab/tree/"
            "book/chapter.md" in page
        ), "no Binder button"
        assert repository in notebook.cells[0].source


@pytest.mark.slow
def test_a_chapter_from_the_cache_offers_its_outputs(tmp_path):
    # myst-nb 1.4.0 writes a cached chapter's notebook without its outputs.
    build_mini_site(tmp_path, None)
    cached = tmp_path / "_build" / "jupyter_execute" / "chapter.ipynb"
    cached.unlink()
    html = build_mini_site(tmp_path, None, fresh=True)
    assert cached.is_file(), "the second build did not write the notebook"
    notebook = nbformat.read(html / "_sources" / "chapter.ipynb", as_version=4)
    code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert code.outputs[0]["text"] == "42\n", "the cached outputs were lost"
