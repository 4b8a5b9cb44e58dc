"""Tensor operations written as plain Python loops.

Every function here does, one number at a time, what NumPy and TensorFlow do
in a single vectorised call: element-wise ``relu`` and addition, broadcasting,
the dot product and the transpose. They are slow on purpose. Reading them
shows what the fast versions compute; timing them against the fast versions
(with :func:`best_time`) shows why nobody writes loops like these.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np

from grimoire.validation import check_type, positive_int

__all__ = [
    "naive_relu",
    "naive_add",
    "broadcast_shape",
    "naive_broadcast_add",
    "naive_vector_dot",
    "naive_dot",
    "naive_transpose",
    "best_time",
]


def _as_rank(x, rank, name):
    x = np.asarray(x, dtype=float)
    if x.ndim != rank:
        raise ValueError(
            f"Expected `{name}` to be a rank-{rank} array. "
            f"Received: {name}.shape={x.shape}"
        )
    return x


def naive_relu(x):
    """Apply ``max(x, 0)`` to every entry of a matrix, with two Python loops.

    Args:
        x: A rank-2 array.

    Returns:
        A new float array of the same shape; ``x`` is not modified.

    Raises:
        ValueError: If ``x`` is not rank 2.

    Example:
        >>> naive_relu(np.array([[-1.0, 2.0], [3.0, -4.0]])).tolist()
        [[0.0, 2.0], [3.0, 0.0]]
    """
    x = _as_rank(x, 2, "x").copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0.0)
    return x


def naive_add(x, y):
    """Add two matrices of the same shape, entry by entry.

    Args:
        x: A rank-2 array.
        y: A rank-2 array with the shape of ``x``.

    Returns:
        A new float array, ``x + y``.

    Raises:
        ValueError: If an input is not rank 2, or the shapes differ.

    Example:
        >>> naive_add(np.ones((2, 3)), np.full((2, 3), 2.0)).tolist()
        [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]
    """
    x = _as_rank(x, 2, "x").copy()
    y = _as_rank(y, 2, "y")
    if x.shape != y.shape:
        raise ValueError(
            "Expected `x` and `y` to have the same shape. "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x


def broadcast_shape(shape_x, shape_y):
    """The shape two arrays broadcast to, by NumPy's rules.

    Line the shapes up from the right. Each pair of axes must be equal, or
    one of them must be 1 (it is stretched to the other). A missing axis on
    the left counts as 1.

    Args:
        shape_x: A tuple of non-negative ints.
        shape_y: A tuple of non-negative ints.

    Returns:
        The broadcast shape, a tuple.

    Raises:
        TypeError: If a shape is not iterable.
        ValueError: If two aligned axes differ and neither is 1.

    Example:
        >>> broadcast_shape((32, 10), (10,))
        (32, 10)
        >>> broadcast_shape((4, 1, 3), (5, 1))
        (4, 5, 3)
    """
    shape_x = tuple(check_type("shape_x", shape_x, Iterable, expected="a shape"))
    shape_y = tuple(check_type("shape_y", shape_y, Iterable, expected="a shape"))
    rank = max(len(shape_x), len(shape_y))
    padded_x = (1,) * (rank - len(shape_x)) + shape_x
    padded_y = (1,) * (rank - len(shape_y)) + shape_y
    result = []
    for axis, (a, b) in enumerate(zip(padded_x, padded_y)):
        if a != b and 1 not in (a, b):
            raise ValueError(
                "Expected shapes that broadcast: aligned from the right, "
                f"axis {axis} has sizes {a} and {b}, and neither is 1. "
                f"Received: shape_x={shape_x}, shape_y={shape_y}"
            )
        result.append(max(a, b) if 0 not in (a, b) else 0)
    return tuple(result)


def naive_broadcast_add(x, y):
    """Add two arrays of any ranks with broadcasting, one output entry at a time.

    For each index of the output, the matching entry of an input is found by
    dropping the extra leading axes and reading index 0 along any axis of
    size 1. No copy of the smaller array is ever made: that is what
    broadcasting means.

    Args:
        x: An array.
        y: An array whose shape broadcasts with that of ``x``.

    Returns:
        A float array of shape ``broadcast_shape(x.shape, y.shape)``.

    Raises:
        ValueError: If the shapes do not broadcast.

    Example:
        >>> naive_broadcast_add(np.zeros((2, 3)), np.array([1, 2, 3])).tolist()
        [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    shape = broadcast_shape(x.shape, y.shape)
    out = np.empty(shape)
    for index in np.ndindex(*shape):
        index_x = tuple(
            0 if size == 1 else i
            for i, size in zip(index[len(shape) - x.ndim :], x.shape)
        )
        index_y = tuple(
            0 if size == 1 else i
            for i, size in zip(index[len(shape) - y.ndim :], y.shape)
        )
        out[index] = x[index_x] + y[index_y]
    return out


def naive_vector_dot(x, y):
    """The dot product of two vectors: the sum of their entry-wise products.

    Args:
        x: A rank-1 array.
        y: A rank-1 array of the same length.

    Returns:
        A Python float.

    Raises:
        ValueError: If an input is not rank 1, or the lengths differ.

    Example:
        >>> naive_vector_dot([1, 2, 3], [4, 5, 6])
        32.0
    """
    x = _as_rank(x, 1, "x")
    y = _as_rank(y, 1, "y")
    if len(x) != len(y):
        raise ValueError(
            "Expected `x` and `y` to have the same length. "
            f"Received: {len(x)} and {len(y)}"
        )
    total = 0.0
    for i in range(len(x)):
        total += x[i] * y[i]
    return float(total)


def naive_dot(x, y):
    """The matrix product: entry ``(i, j)`` is row ``i`` of ``x`` dot column ``j``.

    The shape rule: ``(n, k) . (k, m) -> (n, m)``. The inner sizes must
    agree; they disappear from the result.

    Args:
        x: A rank-2 array of shape ``(n, k)``.
        y: A rank-2 array of shape ``(k, m)``.

    Returns:
        A float array of shape ``(n, m)``.

    Raises:
        ValueError: If an input is not rank 2, or ``x.shape[1] != y.shape[0]``.

    Example:
        >>> naive_dot(np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
        >>> naive_dot([[1, 2]], [[3], [4]]).tolist()
        [[11.0]]
    """
    x = _as_rank(x, 2, "x")
    y = _as_rank(y, 2, "y")
    if x.shape[1] != y.shape[0]:
        raise ValueError(
            "Expected `x.shape[1] == y.shape[0]` for (n, k) . (k, m). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    out = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            out[i, j] = naive_vector_dot(x[i, :], y[:, j])
    return out


def naive_transpose(x):
    """Swap the two axes of a matrix: entry ``(i, j)`` moves to ``(j, i)``.

    Args:
        x: A rank-2 array.

    Returns:
        A new array of shape ``(x.shape[1], x.shape[0])``.

    Raises:
        ValueError: If ``x`` is not rank 2.

    Example:
        >>> naive_transpose([[1, 2, 3]]).tolist()
        [[1.0], [2.0], [3.0]]
    """
    x = _as_rank(x, 2, "x")
    out = np.empty((x.shape[1], x.shape[0]))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[j, i] = x[i, j]
    return out


def best_time(function, *args, repeat=5):
    """The shortest wall-clock time of ``repeat`` calls of ``function(*args)``.

    The minimum, not the mean, is the usual estimate of what a call costs:
    the other runs were slowed down by whatever else the machine was doing.

    Args:
        function: The callable to time.
        *args: Its arguments.
        repeat: How many calls to make, a positive int.

    Returns:
        The best time in seconds, a float.

    Raises:
        TypeError: If ``function`` is not callable or ``repeat`` not an int.
        ValueError: If ``repeat`` is not positive.

    Example:
        >>> seconds = best_time(sum, range(1000), repeat=3)
        >>> 0 < seconds < 1
        True
    """
    check_type("function", function, Callable, expected="a callable")
    positive_int("repeat", repeat)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best
