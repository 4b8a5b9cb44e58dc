import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.plotting import (
    COLUMN_WIDTH,
    MIN_FONT_SIZE,
    figure_svg,
    glue_figure,
    show_images,
    use_house_style,
)


def test_house_style_applies():
    style = use_house_style()
    assert plt.rcParams["axes.spines.top"] is False
    assert style["image.cmap"] == "gray_r"


def test_show_images_into_given_axes():
    _, axes = plt.subplots(1, 3)
    out = show_images(
        np.ones((2, 4, 4)), titles=["x", "y"], title_colors=["red", "black"], axes=axes
    )
    assert out[0].get_title() == "x" and out[0].title.get_color() == "red"
    assert not out[2].get_visible()
    assert len(out[0].images) == 1


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"images": np.zeros((4, 4))},
            ValueError,
            r"Expected `images` of shape \(n, height, width\). "
            r"Received: images.shape=\(4, 4\)",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "ncols": 0},
            ValueError,
            r"Expected `ncols` to be an int >= 1. Received: ncols=0",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "ncols": 2.0},
            TypeError,
            r"Expected `ncols` to be an int. Received: ncols=2.0 of type float",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "titles": ["a"]},
            ValueError,
            r"Expected `titles` to have 2 entries, one per image. Received: 1",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "title_colors": ["r", "g", "b"]},
            ValueError,
            r"Expected `title_colors` to have 2 entries",
        ),
        (
            {"images": np.zeros((3, 4, 4)), "axes": [None, None]},
            ValueError,
            r"Expected `axes` to hold at least 3 axes. Received: 2",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        show_images(**kwargs)


def test_show_images_accepts_a_numpy_int_for_ncols():
    assert len(show_images(np.zeros((3, 4, 4)), ncols=np.int64(2))) == 4


def test_glue_figure_closes_the_figure():
    fig, _ = plt.subplots(figsize=(3, 2))
    glue_figure("fig-test-size", fig)
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((3,), TypeError, r"Expected `name` to be a str. Received: name=3 of type int"),
        (
            ("fig-x", "figure"),
            TypeError,
            r"Expected `fig` to be a matplotlib Figure. Received: fig='figure'",
        ),
    ],
)
def test_glue_figure_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        glue_figure(*args)


def _smallest_font_pt(svg):
    """The smallest font size of an SVG's text, in points (its user units)."""
    return min(float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg))


def _width_pt(svg):
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))


def test_a_wide_figure_is_laid_out_at_the_column_width():
    """A 13-inch, four-panel figure comes out 7 inches wide, its text ≥ 9 pt."""
    use_house_style()
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.2))
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="loss")
        ax.set(xlabel="epoch", ylabel="loss", title="a panel")
        ax.legend()
    svg = figure_svg(fig)
    assert _width_pt(svg) == COLUMN_WIDTH * 72
    assert _smallest_font_pt(svg) >= MIN_FONT_SIZE
    assert svg.count("<text") >= 4 * 3, "text is drawn as paths, not text"


def test_a_figure_that_fits_keeps_its_size():
    fig, ax = plt.subplots(figsize=(5, 3))
    assert _width_pt(figure_svg(fig)) == 5 * 72


def test_a_small_font_set_by_hand_shows_in_the_svg():
    """The SVG reports what was drawn: a 6-pt label is found (the site test fails)."""
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.set_xlabel("tiny", fontsize=6)
    assert _smallest_font_pt(figure_svg(fig)) == 6


def test_figure_svg_is_deterministic():
    def draw():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.imshow(np.arange(16).reshape(4, 4))
        return figure_svg(fig)

    assert draw() == draw()


@pytest.mark.parametrize("points, images", [(100, 0), (3000, 1)])
def test_big_scatter_plots_are_rasterized(points, images):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.scatter(np.arange(points), np.arange(points))
    assert figure_svg(fig).count("<image") == images


@pytest.mark.parametrize(
    "limits, labels",
    [
        ((1e-14, 0.1), {"1e−14", "1e−10", "1e−2"}),
        ((0.01, 50.0), {"0.01", "0.1", "1", "10"}),
    ],
)
def test_log_tick_labels_are_text_at_the_labels_size(limits, labels):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.loglog(limits, limits)
    svg = figure_svg(fig)
    plt.close(fig)
    shown = set(re.findall(r">([^<>]+)</text>", svg))
    assert labels <= shown
    sizes = {float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg)}
    assert min(sizes) >= MIN_FONT_SIZE


def test_a_log_formatter_set_by_hand_is_kept():
    from matplotlib import ticker

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.semilogy([1, 2], [1e-3, 1e3])
    ax.yaxis.set_major_formatter(ticker.LogFormatterMathtext())
    figure_svg(fig)
    assert type(ax.yaxis.get_major_formatter()) is ticker.LogFormatterMathtext
    plt.close(fig)
