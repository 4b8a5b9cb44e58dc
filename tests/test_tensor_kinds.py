import numpy as np
import pytest
import tensorflow as tf

from grimoire.tensor_kinds import (
    add_channel_axis,
    data_kinds_table,
    describe,
    make_clips,
    markdown_table,
    to_channels_first,
    to_channels_last,
)


def test_describe_numpy_and_tensorflow_agree():
    array = np.ones((2, 3, 4), dtype="float32")
    assert (
        describe(array) == describe(tf.constant(array)) == describe(tf.Variable(array))
    )
    assert describe([[1, 2], [3, 4]]) == "rank 2, shape (2, 2), dtype int64"
    assert describe(tf.constant("hello")) == "rank 0, shape (), dtype string"


def test_layouts_round_trip_and_keep_pixels():
    images = np.arange(2 * 3 * 4 * 5).reshape(
        2, 3, 4, 5
    )  # (n, height, width, channels)
    first = to_channels_first(images)
    assert first.shape == (2, 5, 3, 4)
    assert first[1, 4, 2, 3] == images[1, 2, 3, 4]
    np.testing.assert_array_equal(to_channels_last(first), images)
    # the same move as Keras's own layer
    np.testing.assert_array_equal(tf.transpose(images, (0, 3, 1, 2)).numpy(), first)
    grey = np.arange(24).reshape(2, 3, 4)
    assert add_channel_axis(grey)[1, 2, 3, 0] == grey[1, 2, 3]


def test_clips_are_consecutive_images():
    images = np.arange(7)[:, None, None] * np.ones((7, 2, 2))
    clips = make_clips(images, frames=3)
    assert clips.shape == (2, 3, 2, 2, 1)
    assert clips[1, :, 0, 0, 0].tolist() == [3, 4, 5]  # image 6 is dropped


def test_table_shapes_come_from_the_images():
    rows = data_kinds_table(np.zeros((64, 5, 7)), batch_size=16, frames=4)
    shapes = {kind: shape for kind, _, shape, _ in rows}
    assert shapes["vector data"] == (16, 35)
    assert shapes["timeseries"] == (16, 5, 7)
    assert shapes["images, channels first"] == (16, 1, 5, 7)
    assert shapes["video"] == (16, 4, 5, 7, 1)
    assert all(rank == len(shape) for _, _, shape, rank in rows)


def test_markdown_table_has_one_line_per_row():
    text = markdown_table([("a", 1), ("b", (2, 3))], ["x", "y"])
    assert text.splitlines()[-1] == "| b | `(2, 3)` |"
    assert len(text.splitlines()) == 4


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: describe(object()),
            TypeError,
            r"Expected `tensor` to be array-like. Received: an object of type object",
        ),
        (
            lambda: add_channel_axis(np.zeros((3, 4))),
            ValueError,
            r"Expected `images` of shape \(n, height, width\). "
            r"Received: images.shape=\(3, 4\)",
        ),
        (
            lambda: to_channels_first(np.zeros((3, 4, 5))),
            ValueError,
            r"Expected `images` of shape \(n, height, width, channels\). "
            r"Received: images.shape=\(3, 4, 5\)",
        ),
        (
            lambda: to_channels_last(np.zeros((3, 4, 5))),
            ValueError,
            r"Expected `images` of shape \(n, channels, height, width\). "
            r"Received: images.shape=\(3, 4, 5\)",
        ),
        (
            lambda: make_clips(np.zeros((3, 4)), 2),
            ValueError,
            r"Expected `images` of shape \(n, height, width\) or "
            r"\(n, height, width, channels\). Received: images.shape=\(3, 4\)",
        ),
        (
            lambda: make_clips(np.zeros((3, 4, 4)), 4),
            ValueError,
            r"Expected `frames` to be an int in \[1, 3\]. Received: frames=4",
        ),
        (
            lambda: make_clips(np.zeros((3, 4, 4)), 2.0),
            TypeError,
            r"Expected `frames` to be an int. Received: frames=2.0 of type float",
        ),
        (
            lambda: data_kinds_table(np.zeros((8, 4, 4)), batch_size=0),
            ValueError,
            r"Expected `batch_size` to be an int >= 1. Received: batch_size=0",
        ),
        (
            lambda: data_kinds_table(np.zeros((8, 4, 4)), batch_size=2, frames=True),
            TypeError,
            r"Expected `frames` to be an int. Received: frames=True of type bool",
        ),
        (
            lambda: data_kinds_table(np.zeros((8, 4, 4)), batch_size=4, frames=4),
            ValueError,
            r"Expected at least batch_size \* frames = 16 images. Received: 8",
        ),
        (
            lambda: markdown_table([(1, 2, 3)], ["a", "b"]),
            ValueError,
            r"Expected each row to have 2 values, one per header. "
            r"Received: \(1, 2, 3\)",
        ),
        (
            lambda: markdown_table([(1, 2)], 2),
            TypeError,
            r"Expected `headers` to be an iterable. Received: headers=2 of type int",
        ),
        (
            lambda: markdown_table(None, ["a"]),
            TypeError,
            r"Expected `rows` to be an iterable of rows. Received: rows=None",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_ints_are_sizes():
    assert make_clips(np.zeros((6, 2, 2)), np.int64(3)).shape == (2, 3, 2, 2, 1)
    rows = data_kinds_table(np.zeros((4, 2, 2)), np.int64(2), frames=np.int64(2))
    assert rows[-1][2] == (2, 2, 2, 2, 1)
