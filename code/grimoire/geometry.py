"""Tensor operations as geometry in the plane.

Points are rows: an array of shape ``(..., 2)`` holds points ``(x1, x2)``.
A linear map with matrix ``M`` sends a point ``p`` to ``M p``; on rows that is
``points @ M.T``. An affine map adds a translation afterwards:
``points @ M.T + offset``. A dense layer without activation is exactly such a
map (Keras stores ``M.T`` as its kernel).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from grimoire.validation import check_scalar, check_type

__all__ = [
    "translate",
    "rotation_matrix",
    "scaling_matrix",
    "apply_linear",
    "apply_affine",
    "compose_affine",
    "relu",
    "make_grid",
    "plot_transform",
]


def _points(points):
    points = np.asarray(points, dtype=float)
    if points.ndim < 1 or points.shape[-1] != 2:
        raise ValueError(
            "Expected `points` of shape (..., 2). "
            f"Received: points.shape={points.shape}"
        )
    return points


def _matrix(matrix):
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (2, 2):
        raise ValueError(
            f"Expected `matrix` of shape (2, 2). Received: matrix.shape={matrix.shape}"
        )
    return matrix


def _offset(offset):
    offset = np.asarray(offset, dtype=float)
    if offset.shape != (2,):
        raise ValueError(
            f"Expected `offset` of shape (2,). Received: offset.shape={offset.shape}"
        )
    return offset


def translate(points, offset):
    """Move every point by the same vector: an addition, broadcast over rows.

    Args:
        points: Array of shape ``(..., 2)``.
        offset: Array of shape ``(2,)``.

    Returns:
        ``points + offset``.

    Raises:
        ValueError: If a shape is wrong.

    Example:
        >>> translate([[0, 0], [1, 2]], [3, -1]).tolist()
        [[3.0, -1.0], [4.0, 1.0]]
    """
    return _points(points) + _offset(offset)


def rotation_matrix(angle):
    """The 2 x 2 matrix that turns the plane counter-clockwise by ``angle``.

    Args:
        angle: The angle in radians, a real number.

    Returns:
        ``[[cos, -sin], [sin, cos]]`` as an array of shape ``(2, 2)``.

    Raises:
        TypeError: If ``angle`` is not a real number.
        ValueError: If ``angle`` is NaN.

    Example:
        >>> np.round(rotation_matrix(np.pi / 2), 6).tolist()
        [[0.0, -1.0], [1.0, 0.0]]
    """
    check_scalar("angle", angle, float)
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def scaling_matrix(horizontal, vertical):
    """The diagonal matrix that stretches ``x1`` and ``x2`` by two factors.

    Args:
        horizontal: Factor along the first axis (negative flips it).
        vertical: Factor along the second axis.

    Returns:
        An array of shape ``(2, 2)``.

    Raises:
        TypeError: If a factor is not a real number.
        ValueError: If a factor is NaN.

    Example:
        >>> scaling_matrix(2, 0.5).tolist()
        [[2.0, 0.0], [0.0, 0.5]]
    """
    horizontal = check_scalar("horizontal", horizontal, float)
    vertical = check_scalar("vertical", vertical, float)
    return np.diag([horizontal, vertical])


def apply_linear(points, matrix):
    """Apply the linear map ``p -> M p`` to every point (a dot product).

    Args:
        points: Array of shape ``(..., 2)``.
        matrix: Array of shape ``(2, 2)``.

    Returns:
        ``points @ matrix.T``, same shape as ``points``.

    Raises:
        ValueError: If a shape is wrong.

    Example:
        >>> apply_linear([[1, 0], [0, 1]], [[1, 2], [3, 4]]).tolist()
        [[1.0, 3.0], [2.0, 4.0]]
    """
    return _points(points) @ _matrix(matrix).T


def apply_affine(points, matrix, offset):
    """Apply the affine map ``p -> M p + b``: a linear map, then a translation.

    Args:
        points: Array of shape ``(..., 2)``.
        matrix: The linear part ``M``, shape ``(2, 2)``.
        offset: The translation ``b``, shape ``(2,)``.

    Returns:
        The moved points, same shape as ``points``.

    Raises:
        ValueError: If a shape is wrong.

    Example:
        >>> apply_affine([[1, 1]], scaling_matrix(2, 3), [0, -1]).tolist()
        [[2.0, 2.0]]
    """
    return apply_linear(points, matrix) + _offset(offset)


def compose_affine(maps):
    """Fold a chain of affine maps, applied first to last, into one affine map.

    Applying ``(M1, b1)`` and then ``(M2, b2)`` gives
    ``M2 (M1 p + b1) + b2 = (M2 M1) p + (M2 b1 + b2)``: again a matrix and an
    offset. By induction a chain of any length is one affine map.

    Args:
        maps: A non-empty sequence of ``(matrix, offset)`` pairs.

    Returns:
        The pair ``(matrix, offset)`` of the single equivalent map.

    Raises:
        TypeError: If ``maps`` is not iterable.
        ValueError: If ``maps`` is empty or a shape is wrong.

    Example:
        >>> shift = (np.eye(2), np.array([1.0, 0.0]))
        >>> turn = (rotation_matrix(np.pi / 2), np.zeros(2))
        >>> matrix, offset = compose_affine([shift, turn])
        >>> np.round(offset, 6).tolist()  # the shift, turned by 90 degrees
        [0.0, 1.0]
    """
    maps = list(check_type("maps", maps, Iterable, expected="an iterable of pairs"))
    if not maps:
        raise ValueError(
            "Expected `maps` to hold at least one (matrix, offset) pair. "
            "Received: maps=[]"
        )
    matrix, offset = np.eye(2), np.zeros(2)
    for next_matrix, next_offset in maps:
        next_matrix, next_offset = _matrix(next_matrix), _offset(next_offset)
        matrix, offset = next_matrix @ matrix, next_matrix @ offset + next_offset
    return matrix, offset


def relu(points):
    """``max(p, 0)`` on every coordinate: folds the negative half-planes onto axes.

    Args:
        points: Array of shape ``(..., 2)``.

    Returns:
        The folded points, same shape.

    Raises:
        ValueError: If ``points`` is not of shape ``(..., 2)``.

    Example:
        >>> relu([[-1, 2], [3, -4]]).tolist()
        [[0.0, 2.0], [3.0, 0.0]]
    """
    return np.maximum(_points(points), 0.0)


def make_grid(low=-1.0, high=1.0, lines=9, resolution=41):
    """Points along the lines of a square grid, to watch a map bend the plane.

    Args:
        low: Smallest coordinate, a number.
        high: Largest coordinate, a number greater than ``low``.
        lines: Number of lines in each direction, an int >= 2.
        resolution: Points per line, an int >= 2.

    Returns:
        Array of shape ``(2 * lines, resolution, 2)``: first the vertical
        lines (constant ``x1``), then the horizontal ones (constant ``x2``).

    Raises:
        TypeError: If a bound is not a number or a count not an int.
        ValueError: If ``high <= low`` or a count is below 2.

    Example:
        >>> grid = make_grid(lines=3, resolution=5)
        >>> grid.shape, grid[0, 0].tolist(), grid[-1, -1].tolist()
        ((6, 5, 2), [-1.0, -1.0], [1.0, 1.0])
    """
    check_scalar("low", low, float)
    check_scalar("high", high, float, min_value=low, include_min=False)
    check_scalar("lines", lines, int, min_value=2)
    check_scalar("resolution", resolution, int, min_value=2)
    levels = np.linspace(low, high, lines)
    along = np.linspace(low, high, resolution)
    vertical = np.stack(np.broadcast_arrays(levels[:, None], along[None, :]), axis=-1)
    horizontal = vertical[..., ::-1]
    return np.concatenate([vertical, horizontal])


def plot_transform(transform, points=None, ax=None, limits=None, legend=True):
    """Draw a grid (or any polylines) before and after a map of the plane.

    The grid before is light grey. After the map, vertical lines are blue and
    horizontal ones orange, and arrows show where the two unit vectors
    ``e1 = (1, 0)`` and ``e2 = (0, 1)`` (starting at the origin) end up.

    Args:
        transform: A function from arrays ``(..., 2)`` to arrays ``(..., 2)``.
        points: Polylines of shape ``(lines, resolution, 2)``; :func:`make_grid`
            if None.
        ax: Matplotlib axes to draw into; created if None.
        limits: ``(low, high)`` for both axes, or None to fit the data.
        legend: Whether to draw the legend (in a grid of panels, one is
            enough), a bool.

    Returns:
        The axes.

    Raises:
        TypeError: If ``transform`` is not callable, ``ax`` not axes,
            ``limits`` neither a pair nor None, or ``legend`` not a bool.
        ValueError: If ``points`` is not of shape ``(lines, resolution, 2)``.

    Example:
        >>> ax = plot_transform(lambda p: 2 * p)
        >>> len(ax.lines), ax.get_xlabel()
        (36, 'x1')
    """
    check_type("transform", transform, Callable, expected="a callable")
    check_type("ax", ax, (Axes, type(None)), expected="matplotlib axes or None")
    check_type("limits", limits, (tuple, list, type(None)), "a pair or None")
    check_type("legend", legend, bool)
    points = make_grid() if points is None else np.asarray(points, dtype=float)
    if points.ndim != 3 or points.shape[-1] != 2:
        raise ValueError(
            "Expected `points` of shape (lines, resolution, 2). "
            f"Received: points.shape={points.shape}"
        )
    moved = np.asarray(transform(points), dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.6))
    half = len(points) // 2
    for index, (line, moved_line) in enumerate(zip(points, moved)):
        ax.plot(*line.T, color="0.85", lw=0.8, label="before" if index == 0 else None)
        color = "tab:blue" if index < half else "tab:orange"
        label = {0: "after (x1 = const)", half: "after (x2 = const)"}.get(index)
        ax.plot(*moved_line.T, color=color, lw=1.0, label=label)
    origin, e1, e2 = np.asarray(
        transform(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])), dtype=float
    )
    for tip, color in ((e1, "tab:blue"), (e2, "tab:orange")):
        ax.annotate(
            "",
            xy=tip,
            xytext=origin,
            arrowprops=dict(arrowstyle="->", color=color, lw=2),
        )
    ax.set_aspect("equal")
    if limits is not None:
        ax.set_xlim(*limits)
        ax.set_ylim(*limits)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if legend:
        ax.legend(loc="best")
    return ax
