import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.plotting import show_images, use_house_style


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
    "kwargs, message",
    [
        (
            {"images": np.zeros((4, 4))},
            r"Expected `images` of shape \(n, height, width\). Received: images.shape=\(4, 4\)",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "ncols": 0},
            r"Expected `ncols` to be a positive int. Received: ncols=0",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "titles": ["a"]},
            r"Expected `titles` to have 2 entries, one per image. Received: 1",
        ),
        (
            {"images": np.zeros((2, 4, 4)), "title_colors": ["r", "g", "b"]},
            r"Expected `title_colors` to have 2 entries",
        ),
        (
            {"images": np.zeros((3, 4, 4)), "axes": [None, None]},
            r"Expected `axes` to hold at least 3 axes. Received: 2",
        ),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_images(**kwargs)
