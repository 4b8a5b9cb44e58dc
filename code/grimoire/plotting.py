"""The book's figure style and small plotting helpers.

Helpers draw into axes they are given (or create), return the axes, and never
call ``plt.show()``. A chapter's cell glues its figure with ``glue_figure``
and the markdown places it with a caption, never a title baked into the plot.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

from grimoire.validation import check_type, positive_float, positive_int

__all__ = [
    "COLUMN_WIDTH",
    "MIN_FONT_SIZE",
    "use_house_style",
    "show_images",
    "fit_to_column",
    "figure_svg",
    "glue_figure",
]

#: The width of the page column, in inches at the browser's 96 pixels an inch
#: (672 pixels: the article column of the book's theme on a 1280-pixel screen).
#: :func:`glue_figure` lays a wider figure out again at this width, so that
#: its text is shown at the size it was set in, never shrunk.
COLUMN_WIDTH = 7.0

#: The smallest font size (points) of any text in a figure of the book.
MIN_FONT_SIZE = 9

HOUSE_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    # Figures are SVG (sharp at any zoom); images inside them (imshow, or
    # rasterized scatter plots) are embedded at twice a screen's resolution.
    "savefig.format": "svg",
    "savefig.dpi": 192,
    "savefig.bbox": None,
    "figure.autolayout": True,
    # Text stays text in the SVG: sharp, searchable, and its size checkable.
    "svg.fonttype": "none",
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "image.cmap": "gray_r",
    "legend.frameon": False,
    "svg.hashsalt": "grimoire",  # stable ids in SVG output
}


def use_house_style():
    """Apply the book's matplotlib style (one style, set in one place).

    In a notebook, figures a cell shows directly are SVG too.

    Returns:
        The dict of rcParams that was applied.

    Example:
        >>> style = use_house_style()
        >>> plt.rcParams["image.cmap"], plt.rcParams["svg.fonttype"]
        ('gray_r', 'none')
    """
    mpl.rcParams.update(HOUSE_STYLE)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - IPython is part of the stack
        return dict(HOUSE_STYLE)
    if get_ipython() is not None:
        set_matplotlib_formats("svg")
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
            ax.set_title(titles[index], fontsize=MIN_FONT_SIZE, color=color)
    return axes


def _drawn_texts(fig):
    """The texts a figure draws: titles, labels, tick labels, legends, notes."""
    texts = list(fig.texts)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.get_legend() is not None:
            texts += ax.get_legend().get_texts()
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                texts.append(axis.label)
                for tick in axis._update_ticks():  # the ticks inside the view
                    texts += [tick.label1, tick.label2]
    for legend in fig.legends:
        texts += legend.get_texts()
    return [text for text in texts if text.get_visible() and text.get_text().strip()]


def _overlapping_texts(fig):
    """The number of pairs of drawn texts of a figure that overlap."""
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in _drawn_texts(fig)]
    return sum(
        first.overlaps(second)
        for index, first in enumerate(boxes)
        for second in boxes[index + 1 :]
    )


def fit_to_column(fig, width=COLUMN_WIDTH):
    """Lay a figure wider than the page column out again at the column's width.

    A browser shrinks a wide image to the column, and its text with it: a
    12-inch figure shown in a 7-inch column has its 10-point labels at 6
    points. Instead, the figure is made ``width`` inches wide (its height
    scaled in proportion) and laid out again, so its text keeps its size and
    the panels give up the room. If its texts then overlap more than they
    did, the layout does not fit in the column (say, five square panels in a
    row): the figure keeps its size, and needs a new layout (more rows, fewer
    panels), which the site's test of figure text asks for.

    Args:
        fig: A matplotlib figure.
        width: The column's width in inches.

    Returns:
        The figure's size ``(width, height)`` in inches, after.

    Raises:
        TypeError: If ``fig`` is not a figure or ``width`` not a number.
        ValueError: If ``width`` is not positive.

    Example:
        >>> fig, axes = plt.subplots(1, 2, figsize=(9, 3))
        >>> [round(x, 2) for x in fit_to_column(fig)]
        [7.0, 2.33]
        >>> fit_to_column(plt.figure(figsize=(5, 3)))
        (5.0, 3.0)
        >>> fig, axes = plt.subplots(1, 6, figsize=(14, 3))
        >>> for ax in axes:
        ...     _ = ax.set(title="a long panel title", xlabel="time (hours)")
        >>> fit_to_column(fig)  # too many panels for the column: left as it is
        (14.0, 3.0)
    """
    check_type("fig", fig, mpl.figure.Figure, expected="a matplotlib Figure")
    width = positive_float("width", width)
    fig_width, fig_height = fig.get_size_inches()
    if fig_width > width:
        before = _overlapping_texts(fig)
        fig.set_size_inches(width, fig_height * width / fig_width)
        if _overlapping_texts(fig) > before:
            fig.set_size_inches(fig_width, fig_height)
    return tuple(float(x) for x in fig.get_size_inches())


class _TextLogFormatter(ticker.LogFormatter):
    """Tick labels of a log axis as plain text: ``0.01``, ``100``, ``1e−14``.

    Matplotlib's default writes ``10`` with a superscript exponent, and sets
    the superscript at 70% of the label's size: 6.3 points for a 9-point tick
    label, too small to read. An axis whose view lies within 0.001 to 10 000
    is labelled with decimals; a wider one with ``1e−14``-style labels, all
    alike. Which ticks are labelled is decided as matplotlib decides it.
    """

    def _num_to_string(self, x, vmin, vmax):
        if 1e-3 <= vmin and vmax < 1e4:
            return f"{x:.4g}"
        exponent = int(np.floor(np.log10(x) + 1e-9))
        mantissa = round(x / 10.0**exponent, 2)
        if exponent == 0:
            return f"{mantissa:g}"
        return f"{mantissa:g}e{exponent}"


def _log_ticks_as_text(fig):
    """Give every log axis of ``fig`` that has matplotlib's default (superscript)
    tick labels the plain-text labels of :class:`_TextLogFormatter`."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log":
                continue
            base = axis._scale.base
            for formatter, setter in (
                (axis.get_major_formatter(), axis.set_major_formatter),
                (axis.get_minor_formatter(), axis.set_minor_formatter),
            ):
                if type(formatter) is ticker.LogFormatterSciNotation:
                    setter(
                        _TextLogFormatter(
                            base,
                            labelOnlyBase=formatter.labelOnlyBase,
                            minor_thresholds=formatter.minor_thresholds,
                        )
                    )


#: Collections with more elements than this are rasterized in the SVG (a
#: scatter plot of thousands of points would make a page slow to load).
_RASTERIZE_ABOVE = 2000


def figure_svg(fig):
    """The figure as the book shows it: SVG, text as text, fitted to the column.

    The tick labels of a log axis are written as text (``0.01``, ``1e−14``),
    not as ``10`` with a superscript exponent, which would be set at 70% of
    the label's size, below the book's smallest font size.

    Args:
        fig: A matplotlib figure.

    Returns:
        The SVG document, a string.

    Raises:
        TypeError: If ``fig`` is not a figure.

    Example:
        >>> fig, ax = plt.subplots(figsize=(10, 2))
        >>> _ = ax.set_xlabel("epoch")
        >>> svg = figure_svg(fig)
        >>> 'width="504pt"' in svg, ">epoch</text>" in svg
        (True, True)
        >>> fig, ax = plt.subplots(figsize=(4, 3))
        >>> _ = ax.loglog([1e-12, 1.0], [0.01, 100.0])
        >>> svg = figure_svg(fig)
        >>> ">1e−12</text>" in svg, ">0.01</text>" in svg
        (True, True)
    """
    check_type("fig", fig, mpl.figure.Figure, expected="a matplotlib Figure")
    _log_ticks_as_text(fig)
    fit_to_column(fig)
    for ax in fig.axes:
        for collection in ax.collections:
            if len(collection.get_offsets()) > _RASTERIZE_ABOVE:
                collection.set_rasterized(True)
    buffer = io.StringIO()
    style = {key: HOUSE_STYLE[key] for key in ("svg.fonttype", "svg.hashsalt")}
    with mpl.rc_context({**style, "savefig.bbox": None}):
        fig.savefig(
            buffer,
            format="svg",
            dpi=HOUSE_STYLE["savefig.dpi"],
            metadata={"Date": None},
        )
    return buffer.getvalue()


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
    nothing. The figure is glued as SVG by :func:`figure_svg`: sharp at any
    zoom, and no wider than the page column (:func:`fit_to_column`), so its
    text is shown at the size it was set in. The figure is closed so that the
    notebook does not show it a second time at the end of the cell.

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
    from IPython.display import SVG
    from myst_nb import glue

    check_type("name", name, str)
    fig = plt.gcf() if fig is None else fig
    check_type("fig", fig, mpl.figure.Figure, expected="a matplotlib Figure")
    glue(name, SVG(figure_svg(fig)), display=False)
    plt.close(fig)
