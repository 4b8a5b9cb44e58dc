import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.plotting import glue_figure, show_images, use_house_style


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
