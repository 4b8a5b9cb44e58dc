"""The common kinds of data tensors, made from real images.

Deep learning data comes in a handful of shapes: vectors, sequences, images
and videos, each with the batch axis first. These helpers turn a stack of
grey-scale images into each of them, so the shapes in the book are computed,
not typed:

- :func:`describe` reports a tensor's rank, shape and dtype;
- :func:`add_channel_axis`, :func:`to_channels_first` and
  :func:`to_channels_last` move between image layouts;
- :func:`make_clips` stacks consecutive images into short "videos";
- :func:`data_kinds_table` builds one batch of every kind and
  :func:`markdown_table` prints rows as a Markdown table.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "describe",
    "add_channel_axis",
    "to_channels_first",
    "to_channels_last",
    "make_clips",
    "data_kinds_table",
    "markdown_table",
]


def _dtype_name(dtype):
    return getattr(dtype, "name", str(dtype))


def describe(tensor):
    """Return the rank, shape and dtype of a NumPy array or TensorFlow tensor.

    Args:
        tensor: A NumPy array, a ``tf.Tensor`` or ``tf.Variable``, or anything
            NumPy can turn into an array (a number, a nested list).

    Returns:
        A string ``"rank R, shape S, dtype D"``.

    Raises:
        TypeError: If ``tensor`` cannot be read as an array of numbers,
            booleans or strings.

    Example:
        >>> describe(np.zeros((128, 28, 28), dtype="uint8"))
        'rank 3, shape (128, 28, 28), dtype uint8'
        >>> describe(3.5)
        'rank 0, shape (), dtype float64'
    """
    if hasattr(tensor, "shape") and hasattr(tensor, "dtype"):
        shape, dtype = tuple(tensor.shape), tensor.dtype
    else:
        array = np.asarray(tensor)
        if array.dtype == object:
            raise TypeError(
                "Expected `tensor` to be array-like. "
                f"Received: an object of type {type(tensor).__name__}"
            )
        shape, dtype = array.shape, array.dtype
    return f"rank {len(shape)}, shape {shape}, dtype {_dtype_name(dtype)}"


def _as_array(images, rank, layout):
    images = np.asarray(images)
    if images.ndim != rank:
        raise ValueError(
            f"Expected `images` of shape {layout}. "
            f"Received: images.shape={images.shape}"
        )
    return images


def add_channel_axis(images):
    """Add a channel axis of size 1 to grey-scale images (channels last).

    Args:
        images: Array of shape ``(n, height, width)``.

    Returns:
        A view of shape ``(n, height, width, 1)``: the same numbers, one more
        axis.

    Raises:
        ValueError: If ``images`` is not 3-D.

    Example:
        >>> add_channel_axis(np.zeros((5, 28, 28))).shape
        (5, 28, 28, 1)
    """
    return _as_array(images, 3, "(n, height, width)")[..., np.newaxis]


def to_channels_first(images):
    """Move the channel axis of channels-last images in front of the rows.

    Args:
        images: Array of shape ``(n, height, width, channels)``.

    Returns:
        A view of shape ``(n, channels, height, width)``.

    Raises:
        ValueError: If ``images`` is not 4-D.

    Example:
        >>> to_channels_first(np.zeros((5, 28, 32, 3))).shape
        (5, 3, 28, 32)
    """
    return np.transpose(
        _as_array(images, 4, "(n, height, width, channels)"), (0, 3, 1, 2)
    )


def to_channels_last(images):
    """Move the channel axis of channels-first images after the columns.

    Args:
        images: Array of shape ``(n, channels, height, width)``.

    Returns:
        A view of shape ``(n, height, width, channels)``.

    Raises:
        ValueError: If ``images`` is not 4-D.

    Example:
        >>> to_channels_last(np.zeros((5, 3, 28, 32))).shape
        (5, 28, 32, 3)
    """
    return np.transpose(
        _as_array(images, 4, "(n, channels, height, width)"), (0, 2, 3, 1)
    )


def make_clips(images, frames):
    """Stack consecutive images into clips: a batch of short videos.

    Images ``0 … frames-1`` become the first clip, the next ``frames`` images
    the second, and so on; images left over at the end are dropped.

    Args:
        images: Array of shape ``(n, height, width)`` or
            ``(n, height, width, channels)``; grey-scale images get a channel
            axis.
        frames: Frames per clip, a positive int no larger than ``n``.

    Returns:
        Array of shape ``(n // frames, frames, height, width, channels)``.

    Raises:
        TypeError: If ``frames`` is not an int.
        ValueError: If ``images`` is not 3-D or 4-D, or ``frames`` is not in
            ``[1, n]``.

    Example:
        >>> make_clips(np.zeros((10, 28, 28)), frames=4).shape
        (2, 4, 28, 28, 1)
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4:
        raise ValueError(
            "Expected `images` of shape (n, height, width) or "
            f"(n, height, width, channels). Received: images.shape={images.shape}"
        )
    check_scalar("frames", frames, int, min_value=1, max_value=len(images))
    clips = len(images) // frames
    return images[: clips * frames].reshape(clips, frames, *images.shape[1:])


def data_kinds_table(images, batch_size=128, frames=8):
    """Make one batch of every common data kind from grey-scale images.

    - vector data: each image flattened to ``height * width`` features;
    - a timeseries: each image read row by row, ``height`` time steps of
      ``width`` features;
    - images, channels last (the Keras default) and channels first;
    - video: ``batch_size`` clips of ``frames`` consecutive images.

    Args:
        images: Array of shape ``(n, height, width)`` with
            ``n >= batch_size * frames``.
        batch_size: Samples in each batch, a positive int.
        frames: Frames per video clip, a positive int.

    Returns:
        A list of ``(kind, axes, shape, rank)`` rows; each shape is read from
        an array actually built from ``images``.

    Raises:
        TypeError: If ``batch_size`` or ``frames`` is not an int.
        ValueError: If ``images`` is not 3-D, ``batch_size`` or ``frames`` is
            not positive, or there are fewer than ``batch_size * frames``
            images.

    Example:
        >>> images = np.zeros((32, 28, 28))
        >>> for kind, axes, shape, rank in data_kinds_table(images, 4, frames=8):
        ...     print(f"{kind}, {axes}: {shape}")
        vector data, (samples, features): (4, 784)
        timeseries, (samples, timesteps, features): (4, 28, 28)
        images, channels last, (samples, height, width, channels): (4, 28, 28, 1)
        images, channels first, (samples, channels, height, width): (4, 1, 28, 28)
        video, (samples, frames, height, width, channels): (4, 8, 28, 28, 1)
    """
    images = _as_array(images, 3, "(n, height, width)")
    batch_size = positive_int("batch_size", batch_size)
    frames = positive_int("frames", frames)
    if len(images) < batch_size * frames:
        raise ValueError(
            f"Expected at least batch_size * frames = {batch_size * frames} images. "
            f"Received: {len(images)}"
        )
    batch = images[:batch_size]
    channels_last = add_channel_axis(batch)
    kinds = [
        ("vector data", "(samples, features)", batch.reshape(batch_size, -1)),
        ("timeseries", "(samples, timesteps, features)", batch),
        ("images, channels last", "(samples, height, width, channels)", channels_last),
        (
            "images, channels first",
            "(samples, channels, height, width)",
            to_channels_first(channels_last),
        ),
        (
            "video",
            "(samples, frames, height, width, channels)",
            make_clips(images[: batch_size * frames], frames),
        ),
    ]
    return [(kind, axes, tuple(array.shape), array.ndim) for kind, axes, array in kinds]


def markdown_table(rows, headers):
    """Format rows as a Markdown table (for ``IPython.display.Markdown``).

    Args:
        rows: Sequence of rows, each a sequence of ``len(headers)`` values.
        headers: Column names.

    Returns:
        The table as a string, one line per row; values are formatted with
        ``str`` and tuples are shown in backquotes as code.

    Raises:
        TypeError: If ``rows`` or ``headers`` is not iterable.
        ValueError: If a row does not have one value per header.

    Example:
        >>> print(markdown_table([("scalar", ())], ["kind", "shape"]))
        | kind | shape |
        |---|---|
        | scalar | `()` |
    """
    check_type("rows", rows, Iterable, expected="an iterable of rows")
    headers = list(check_type("headers", headers, Iterable, expected="an iterable"))
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(
                f"Expected each row to have {len(headers)} values, one per header. "
                f"Received: {row!r}"
            )
        cells = [
            f"`{value}`" if isinstance(value, tuple) else str(value) for value in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
