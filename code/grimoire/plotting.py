"""The book's figure style and small plotting helpers.

Helpers draw into axes they are given (or create), return the axes, and never
call ``plt.show()``. A chapter's cell glues its figure with ``glue_figure``
and the markdown places it with a caption, never a title baked into the plot.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from grimoire.validation import check_type, positive_int

__all__ = ["use_house_style", "show_images", "glue_figure"]

HOUSE_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "figure.autolayout": True,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "image.cmap": "gray_r",
    "legend.frameon": False,
    "svg.hashsalt": "grimoire",  # stable ids in SVG output
}


def use_house_style():
    """Apply the book's matplotlib style (one style, set in one place).

    Returns:
        The dict of rcParams that was applied.

    Example:
        >>> style = use_house_style()
        >>> plt.rcParams["image.cmap"]
        'gray_r'
    """
    mpl.rcParams.update(HOUSE_STYLE)
    return dict(HOUSE_STYLE)


def show_images(images, titles=None, ncols=8, title_colors=None, axes=None):
    """Draw a grid of grey-scale images, optionally with a title under each.

    Args:
        images: An array of shape ``(n, height, width)``.
        titles: ``n`` strings, or None.
        ncols: Images per row when new axes are created.
        title_colors: ``n`` matplotlib colours for the titles, or None.
        axes: An array of at least ``n`` axes to draw into; created if None.

    Returns:
        The flat array of axes (unused ones are hidden).

    Raises:
        TypeError: If ``ncols`` is not an int, or ``titles``, ``title_colors``
            or ``axes`` is neither a sequence nor None.
        ValueError: If ``images`` is not 3-D, ``ncols`` is not positive, or
            ``titles``/``title_colors``/``axes`` have the wrong length.

    Example:
        >>> images = np.zeros((3, 28, 28))
        >>> axes = show_images(images, titles=["a", "b", "c"], ncols=2)
        >>> len(axes), axes[0].get_title(), axes[3].get_visible()
        (4, 'a', False)
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            "Expected `images` of shape (n, height, width). "
            f"Received: images.shape={images.shape}"
        )
    ncols = positive_int("ncols", ncols)
    count = len(images)
    sequence = (Sequence, np.ndarray, type(None))
    for name, value in (("titles", titles), ("title_colors", title_colors)):
        check_type(name, value, sequence, expected="a sequence or None")
        if value is not None and len(value) != count:
            raise ValueError(
                f"Expected `{name}` to have {count} entries, one per image. "
                f"Received: {len(value)}"
            )
    many_axes = (*sequence, mpl.axes.Axes)
    check_type("axes", axes, many_axes, expected="axes, an array of axes or None")
    if axes is None:
        nrows = -(-count // ncols)
        ncols = min(ncols, count)
        _, axes = plt.subplots(
            nrows, ncols, figsize=(1.2 * ncols, 1.35 * nrows), squeeze=False
        )
    axes = np.asarray(axes).ravel()
    if len(axes) < count:
        raise ValueError(
            f"Expected `axes` to hold at least {count} axes. Received: {len(axes)}"
        )
    for index, ax in enumerate(axes):
        ax.set_axis_off()
        if index >= count:
            ax.set_visible(False)
            continue
        ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=images.max() or 1)
        if titles is not None:
            color = title_colors[index] if title_colors is not None else "black"
            ax.set_title(titles[index], fontsize=8, color=color)
    return axes


def glue_figure(name, fig=None):
    """Store a figure for a ``glue:figure`` directive, and close it.

    A chapter draws a figure in a code cell and glues it; the markdown that
    follows places it with its caption, alt text and label::

        :::{glue:figure} fig-convnets-filters
        :name: fig-convnets-filters
        :alt: A grid of 32 small grey squares, the learned kernels.

        The 32 learned 3 × 3 kernels of the first convolution.
        :::

    Captions live in the markdown, not in the cell, so editing one re-executes
    nothing. The figure is closed so that the notebook does not show it a
    second time at the end of the cell.

    Args:
        name: The glue key, by convention ``fig-<chapter>-<thing>``.
        fig: The figure; by default the current one.

    Raises:
        TypeError: If ``name`` is not a string or ``fig`` is not a figure.

    Example:
        >>> fig, ax = plt.subplots(figsize=(3, 2))
        >>> glue_figure("fig-example-empty", fig)
        >>> plt.fignum_exists(fig.number)  # closed: shown only where it is placed
        False
    """
    from myst_nb import glue

    check_type("name", name, str)
    fig = plt.gcf() if fig is None else fig
    check_type("fig", fig, mpl.figure.Figure, expected="a matplotlib Figure")
    glue(name, fig, display=False)
    plt.close(fig)
