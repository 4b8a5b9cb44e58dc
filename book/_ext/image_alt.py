"""Every image a page shows has a real alt text, never its file path.

An image node with no ``alt`` is written by Sphinx's HTML writer with its URI
as the alt text (``alt="../_images/3f2a….png"``), which is what a screen reader
then reads out. Figures get their alt from ``:alt:`` (``{glue:figure}`` passes
it to myst-nb's image node); a figure that still has none, or has a file path
as its alt, takes its caption's text instead. An image with neither (a code
cell's bare output) keeps none: give its cell an alt with the cell metadata
``mystnb: {image: {alt: ...}}``, or place it with a ``{glue:figure}``
(tests/test_browser.py reports such images).
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

__all__ = ["looks_like_path", "caption_alt", "FigureAltFromCaption", "setup"]

_PATH = re.compile(r"(^|/)_images/|\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def looks_like_path(alt):
    """Return True if ``alt`` is missing, blank or a file path, not a description.

    Args:
        alt: An image's alt text, or None.

    Returns:
        Whether the text is no description.

    Example:
        >>> looks_like_path("../_images/3f2a.png"), looks_like_path(None)
        (True, True)
        >>> looks_like_path("Accuracy over ten epochs.")
        False
    """
    if alt is None:
        return True
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str or None, got {type(alt).__name__}")
    return not alt.strip() or bool(_PATH.search(alt.strip()))


def caption_alt(figure):
    """Return the text of a figure's caption, without its number, or None.

    Args:
        figure: A docutils ``figure`` node.

    Returns:
        The caption as one line of text, or None if the figure has none.

    Example:
        >>> from docutils import nodes
        >>> fig = nodes.figure("", nodes.image(uri="a.png"),
        ...                    nodes.caption("", "Loss over  ten\\nepochs."))
        >>> caption_alt(fig)
        'Loss over ten epochs.'
    """
    if not isinstance(figure, nodes.figure):
        raise TypeError(f"figure must be a docutils figure, got {figure!r}")
    for child in figure.children:
        if isinstance(child, nodes.caption):
            text = " ".join(child.astext().split())
            return text or None
    return None


class FigureAltFromCaption(SphinxTransform):
    """Give a figure's image its caption as alt text when it has no real one.

    Example:
        >>> from docutils.frontend import get_default_settings
        >>> from docutils.parsers.rst import Parser
        >>> from docutils.utils import new_document
        >>> document = new_document("page", get_default_settings(Parser))
        >>> image = nodes.image(uri="fig.svg", alt="_build/fig.svg")
        >>> document += nodes.figure("", image, nodes.caption("", "Loss by epoch."))
        >>> FigureAltFromCaption(document).apply()
        >>> image["alt"]
        'Loss by epoch.'
    """

    default_priority = 900

    def apply(self, **kwargs):
        for figure in self.document.findall(nodes.figure):
            alt = caption_alt(figure)
            if alt is None:
                continue
            for image in figure.findall(nodes.image):
                if looks_like_path(image.get("alt")):
                    image["alt"] = alt


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
        [('add_transform', 'FigureAltFromCaption')]
    """
    app.add_transform(FigureAltFromCaption)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
