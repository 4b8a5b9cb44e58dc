"""Maths that renders without a network: the site serves its own MathJax.

``conf.py`` sets ``mathjax_path`` to ``mathjax/tex-mml-chtml.js``, a path in
the site's ``_static``, and adds ``.vendor/static`` to ``html_static_path``;
``make mathjax`` fills that folder from the pinned npm tarball (the Makefile
checks its SHA-256). An HTML build whose MathJax is on another host, or is
missing, would write pages whose formulas stay raw LaTeX offline: this
extension stops it at the start, saying what to run.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ExtensionError

__all__ = ["find_mathjax", "setup"]


def find_mathjax(mathjax_path, static_dirs):
    """Return the file that ``mathjax_path`` names in the static folders.

    Args:
        mathjax_path: Sphinx's ``mathjax_path``, relative to ``_static``.
        static_dirs: The folders of ``html_static_path`` (absolute paths).

    Returns:
        The path of the MathJax file the build copies into ``_static``.

    Raises:
        TypeError: If ``mathjax_path`` is not a string.
        ExtensionError: If ``mathjax_path`` is on another host, or is in none
            of the folders.

    Example:
        >>> find_mathjax("https://cdn.example/tex-mml-chtml.js", [])
        Traceback (most recent call last):
        ...
        sphinx.errors.ExtensionError: mathjax_path ... is on another host...
    """
    if not isinstance(mathjax_path, str):
        raise TypeError(
            f"mathjax_path must be a str, got {type(mathjax_path).__name__}"
        )
    if "://" in mathjax_path or mathjax_path.startswith("//"):
        raise ExtensionError(
            f"mathjax_path {mathjax_path!r} is on another host: the site must "
            "render maths offline; set it to a path in _static (conf.py)"
        )
    for folder in static_dirs:
        candidate = Path(folder) / mathjax_path
        if candidate.is_file():
            return candidate
    raise ExtensionError(
        f"MathJax ({mathjax_path}) is in none of the static folders "
        f"{[str(folder) for folder in static_dirs]}: run `make mathjax`, which "
        "fetches the pinned copy the site serves (make html does it first)"
    )


def _check(app):
    if app.builder.format != "html":
        return
    confdir = Path(app.confdir)
    static_dirs = [confdir / folder for folder in app.config.html_static_path]
    find_mathjax(app.config.mathjax_path, static_dirs)


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
        [('connect', 'builder-inited')]
    """
    app.connect("builder-inited", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
