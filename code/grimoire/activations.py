"""Activation functions and their derivatives, written with NumPy.

A layer applies its activation to every entry of its affine map's output
(softmax, the exception, looks at a whole vector of scores at once). These
teaching versions compute the same numbers as ``keras.activations``, and
give the derivative next to each function so that a chapter can plot how
much gradient each one lets through.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from grimoire.validation import check_choice, check_scalar, check_type

__all__ = [
    "ELEMENTWISE",
    "activation",
    "activation_derivative",
    "softmax",
    "plot_activation",
]

ELEMENTWISE = ("relu", "sigmoid", "tanh")
"""The names of the element-wise activations :func:`activation` knows."""


def _sigmoid(z):
    # 1 / (1 + exp(-z)) overflows for very negative z; tanh does not.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def activation(name, z):
    """An element-wise activation applied to every entry of ``z``.

    - ``"relu"``: ``max(z, 0)``;
    - ``"sigmoid"``: ``1 / (1 + exp(-z))``, between 0 and 1;
    - ``"tanh"``: ``(exp(z) - exp(-z)) / (exp(z) + exp(-z))``, between -1 and 1.

    Args:
        name: One of ``"relu"``, ``"sigmoid"``, ``"tanh"``.
        z: Numbers, any shape.

    Returns:
        A float array of the shape of ``z``.

    Raises:
        ValueError: If ``name`` is not one of the three.

    Example:
        >>> activation("relu", [-2.0, 0.5]).tolist()
        [0.0, 0.5]
        >>> activation("sigmoid", [0.0]).tolist(), activation("tanh", [0.0]).tolist()
        ([0.5], [0.0])
    """
    check_choice("name", name, ELEMENTWISE)
    z = np.asarray(z, dtype=float)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return _sigmoid(z)
    return np.tanh(z)


def activation_derivative(name, z):
    """The derivative of :func:`activation` ``name`` at every entry of ``z``.

    - ``relu``: 1 where ``z > 0``, else 0 (Keras uses 0 at ``z = 0``);
    - ``sigmoid``: ``s (1 - s)`` with ``s = sigmoid(z)``, at most 0.25;
    - ``tanh``: ``1 - tanh(z)**2``, at most 1.

    Args:
        name: One of ``"relu"``, ``"sigmoid"``, ``"tanh"``.
        z: Numbers, any shape.

    Returns:
        A float array of the shape of ``z``.

    Raises:
        ValueError: If ``name`` is not one of the three.

    Example:
        >>> activation_derivative("sigmoid", [0.0]).tolist()
        [0.25]
        >>> activation_derivative("tanh", [0.0, 3.0]).round(3).tolist()
        [1.0, 0.01]
    """
    check_choice("name", name, ELEMENTWISE)
    z = np.asarray(z, dtype=float)
    if name == "relu":
        return (z > 0).astype(float)
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    return 1.0 - np.tanh(z) ** 2


def softmax(scores, axis=-1):
    """``exp(z_i) / sum_j exp(z_j)`` along ``axis``: positive, summing to 1.

    The largest score is subtracted first, which changes nothing in the
    result and keeps ``exp`` from overflowing.

    Args:
        scores: Numbers, any shape with at least one axis.
        axis: The axis holding each vector of scores, an int.

    Returns:
        A float array of the shape of ``scores``.

    Raises:
        TypeError: If ``axis`` is not an int.
        ValueError: If ``scores`` is a scalar.

    Example:
        >>> softmax([1.0, 1.0]).tolist()
        [0.5, 0.5]
        >>> softmax([[0.0, 1000.0]]).tolist()
        [[0.0, 1.0]]
    """
    check_scalar("axis", axis, int)
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 0:
        raise ValueError("Expected `scores` with at least one axis. Received: a scalar")
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def plot_activation(name, ax=None, limits=(-4.0, 4.0)):
    """Draw an activation (solid) and its derivative (dashed) over ``limits``.

    For ``"softmax"`` the input is the vector of three scores ``(z, 0, 1)``:
    the panel shows the first probability, its derivative with respect to
    ``z`` (``p (1 - p)``), and the other two probabilities (dotted and
    dash-dotted).

    Args:
        name: ``"relu"``, ``"sigmoid"``, ``"tanh"`` or ``"softmax"``.
        ax: Matplotlib axes to draw into; created if None.
        limits: ``(low, high)``, the range of ``z``.

    Returns:
        The axes.

    Raises:
        TypeError: If ``ax`` is not axes or ``limits`` not a pair.
        ValueError: If ``name`` is unknown or ``limits`` not increasing.

    Example:
        >>> ax = plot_activation("tanh")
        >>> [line.get_label() for line in ax.lines[1:]], ax.get_xlabel()
        (['tanh', 'derivative'], 'z')
        >>> plt.close(ax.figure)
    """
    check_choice("name", name, (*ELEMENTWISE, "softmax"))
    check_type("ax", ax, (Axes, type(None)), expected="matplotlib axes or None")
    check_type("limits", limits, (tuple, list), expected="a pair (low, high)")
    if len(limits) != 2:
        raise ValueError(f"Expected `limits` as (low, high). Received: limits={limits}")
    low, high = (check_scalar("limits", bound, float) for bound in limits)
    if not low < high:
        raise ValueError(
            "Expected `limits` as (low, high) with low < high. "
            f"Received: limits={limits}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 2.6))
    z = np.linspace(low, high, 401)
    if name == "softmax":
        scores = np.stack([z, np.zeros_like(z), np.ones_like(z)], axis=-1)
        probabilities = softmax(scores)
        value = probabilities[:, 0]
        slope = value * (1.0 - value)
        for other, style in ((1, ":"), (2, "-.")):
            label = f"p{other + 1} (score {other - 1})"
            ax.plot(z, probabilities[:, other], style, color="0.45", label=label)
        value_label, slope_label = "p1 (score z)", "dp1/dz"
    else:
        value, slope = activation(name, z), activation_derivative(name, z)
        value_label, slope_label = name, "derivative"
    ax.axhline(0.0, color="0.85", lw=0.8, zorder=0)
    ax.plot(z, value, color="tab:blue", lw=1.8, label=value_label)
    ax.plot(z, slope, "--", color="tab:orange", lw=1.5, label=slope_label)
    ax.set_xlabel("z")
    ax.legend(loc="center left" if name == "softmax" else "upper left", fontsize=9)
    return ax
