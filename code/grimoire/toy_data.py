"""Two-dimensional toy problems, and a linear probe to test them.

A toy problem in the plane can be drawn, so we can *see* what a network does
to its input. The two generators make two-class problems that no straight
line can solve:

- :func:`make_rings`: one class inside a ring of the other;
- :func:`make_xor_blobs`: four blobs at the corners of a square, opposite
  corners in the same class.

:func:`fit_linear_probe` trains the simplest possible classifier, a logistic
regression, on any features, and :func:`linear_probe_accuracy` reports how
well it does: low on the raw points, high on a representation in which the
classes have become linearly separable. :func:`plot_classes` draws points
coloured by class, with an optional straight boundary.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from grimoire.validation import (
    check_scalar,
    check_type,
    positive_float,
    positive_int,
    unit_rate,
)

__all__ = [
    "make_rings",
    "make_xor_blobs",
    "fit_linear_probe",
    "linear_probe_accuracy",
    "plot_classes",
]


def make_rings(n_samples=400, inner_radius=0.5, outer_radius=1.0, noise=0.1, seed=0):
    """Sample a disc of class 0 surrounded by a ring of class 1.

    Points of each class lie at their class's radius, at a uniform random
    angle, and are then moved by Gaussian noise of standard deviation
    ``noise``. The classes alternate, so any prefix of the data is balanced.

    Args:
        n_samples: Number of points (an even split between the classes when
            even).
        inner_radius: Radius of class 0, in input units.
        outer_radius: Radius of class 1; must exceed ``inner_radius``.
        noise: Standard deviation of the Gaussian jitter, in ``[0, 1)``.
        seed: Seed of the NumPy generator, so the data is reproducible; an
            int >= 0.

    Returns:
        A tuple ``(points, labels)``: float32 array of shape
        ``(n_samples, 2)`` and int32 array of shape ``(n_samples,)``.

    Raises:
        TypeError: If ``n_samples`` or ``seed`` is not an int, or a radius or
            ``noise`` not a number.
        ValueError: If ``n_samples`` is not positive, the radii are not
            ``0 <= inner_radius < outer_radius``, or ``noise`` is out of range.

    Example:
        >>> points, labels = make_rings(n_samples=6, noise=0.0)
        >>> points.shape, labels.tolist()
        ((6, 2), [0, 1, 0, 1, 0, 1])
        >>> np.round(np.linalg.norm(points, axis=1), 2).tolist()
        [0.5, 1.0, 0.5, 1.0, 0.5, 1.0]
    """
    positive_int("n_samples", n_samples)
    check_scalar("inner_radius", inner_radius, float, min_value=0)
    check_scalar(
        "outer_radius", outer_radius, float, min_value=inner_radius, include_min=False
    )
    unit_rate("noise", noise)
    check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % 2
    radii = np.where(labels == 0, inner_radius, outer_radius)
    angles = rng.uniform(0.0, 2.0 * np.pi, size=n_samples)
    points = np.stack([radii * np.cos(angles), radii * np.sin(angles)], axis=1)
    points += rng.normal(0.0, noise, size=points.shape)
    return points.astype("float32"), labels.astype("int32")


def make_xor_blobs(n_samples=400, noise=0.3, seed=0):
    """Sample four Gaussian blobs at the corners of a square, labelled like XOR.

    The blobs sit at ``(±1, ±1)``; a point's class is 1 when the signs of its
    corner differ (the exclusive or of "x > 0" and "y > 0").

    Args:
        n_samples: Number of points, spread over the four corners in turn.
        noise: Standard deviation of each blob, in ``[0, 1)``.
        seed: Seed of the NumPy generator, an int >= 0.

    Returns:
        A tuple ``(points, labels)``: float32 ``(n_samples, 2)`` and int32
        ``(n_samples,)``.

    Raises:
        TypeError: If ``n_samples`` or ``seed`` is not an int, or ``noise`` not
            a number.
        ValueError: If ``n_samples`` is not positive or ``noise`` is out of
            range.

    Example:
        >>> points, labels = make_xor_blobs(n_samples=4, noise=0.0)
        >>> points.tolist(), labels.tolist()
        ([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    positive_int("n_samples", n_samples)
    unit_rate("noise", noise)
    check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    which = np.arange(n_samples) % 4
    points = corners[which] + rng.normal(0.0, noise, size=(n_samples, 2))
    labels = (corners[which, 0] * corners[which, 1] < 0).astype("int32")
    return points.astype("float32"), labels


def _check_features_labels(features, labels):
    features = np.asarray(features, dtype="float64")
    labels = np.asarray(labels)
    if features.ndim != 2:
        raise ValueError(
            "Expected `features` of shape (n, d). "
            f"Received: features.shape={features.shape}"
        )
    if labels.shape != (len(features),):
        raise ValueError(
            f"Expected `labels` of shape ({len(features)},), one per row of "
            f"`features`. Received: labels.shape={labels.shape}"
        )
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(
            "Expected `labels` to hold only 0 and 1. "
            f"Received: values {np.unique(labels).tolist()}"
        )
    return features, labels.astype("float64")


def fit_linear_probe(features, labels, steps=500, learning_rate=0.5):
    """Fit a logistic regression by full-batch gradient descent.

    The model predicts class 1 when ``features @ weights + bias > 0``: a
    straight line (a hyperplane in more than two dimensions). The features are
    standardized while fitting, which makes one learning rate work for any
    scale; the returned weights are converted back to the original units.

    Args:
        features: Array of shape ``(n, d)``.
        labels: Array of ``n`` labels, each 0 or 1.
        steps: Number of gradient-descent steps, a positive int.
        learning_rate: Step size, a positive number.

    Returns:
        A tuple ``(weights, bias)``: float64 array of shape ``(d,)`` and a
        float.

    Raises:
        TypeError: If ``steps`` is not an int or ``learning_rate`` not a
            number.
        ValueError: If the shapes do not match, the labels are not 0/1, or
            ``steps`` or ``learning_rate`` is not positive.

    Example:
        >>> x = np.array([[0.0], [1.0], [3.0], [4.0]])
        >>> weights, bias = fit_linear_probe(x, [0, 0, 1, 1])
        >>> round(float(-bias / weights[0]), 2)  # the boundary: between 1 and 3
        2.0
    """
    features, labels = _check_features_labels(features, labels)
    positive_int("steps", steps)
    positive_float("learning_rate", learning_rate)
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (features - mean) / scale
    weights, bias = np.zeros(features.shape[1]), 0.0
    for _ in range(steps):
        logits = np.clip(standard @ weights + bias, -30.0, 30.0)
        # the gradient of the mean cross-entropy with respect to the logits
        error = 1.0 / (1.0 + np.exp(-logits)) - labels
        weights -= learning_rate * standard.T @ error / len(labels)
        bias -= learning_rate * error.mean()
    weights_original = weights / scale
    return weights_original, float(bias - mean @ weights_original)


def linear_probe_accuracy(features, labels, steps=500, learning_rate=0.5):
    """Fit a linear probe and return its accuracy on the same data.

    An accuracy near 1 means a straight line (hyperplane) separates the two
    classes in this representation; near 0.5, on balanced classes, means no
    line does much better than guessing.

    Args:
        features: Array of shape ``(n, d)``.
        labels: Array of ``n`` labels, each 0 or 1.
        steps: Gradient-descent steps, as in :func:`fit_linear_probe`.
        learning_rate: Step size, as in :func:`fit_linear_probe`.

    Returns:
        The fraction of points classified correctly, a float in ``[0, 1]``.

    Raises:
        ValueError: As :func:`fit_linear_probe`.

    Example:
        >>> points, labels = make_rings(n_samples=200, noise=0.05)
        >>> round(linear_probe_accuracy(points, labels), 1)  # no line separates rings
        0.5
        >>> radius = np.linalg.norm(points, axis=1, keepdims=True)
        >>> linear_probe_accuracy(radius, labels)  # the radius does
        1.0
    """
    weights, bias = fit_linear_probe(
        features, labels, steps=steps, learning_rate=learning_rate
    )
    features, labels = _check_features_labels(features, labels)
    predicted = (features @ weights + bias > 0).astype("float64")
    return float((predicted == labels).mean())


def plot_classes(points, labels, boundary=None, ax=None, xlabel="x₁", ylabel="x₂"):
    """Scatter two-dimensional points coloured by class, with an optional line.

    Args:
        points: Array of shape ``(n, 2)``.
        labels: Array of ``n`` labels, each 0 or 1.
        boundary: A ``(weights, bias)`` tuple from :func:`fit_linear_probe`
            on these points, drawn as the line ``weights @ p + bias = 0``;
            or None.
        ax: Matplotlib axes to draw into; the current axes if None.
        xlabel: Label of the horizontal axis.
        ylabel: Label of the vertical axis.

    Returns:
        The axes.

    Raises:
        TypeError: If ``boundary`` is neither a pair nor None, ``ax`` not axes,
            or ``xlabel`` or ``ylabel`` not a string.
        ValueError: If ``points`` is not of shape ``(n, 2)`` or the labels do
            not match.

    Example:
        >>> points, labels = make_xor_blobs(n_samples=8)
        >>> import matplotlib.pyplot as plt
        >>> ax = plot_classes(points, labels, ax=plt.figure().add_subplot())
        >>> len(ax.collections), [t.get_text() for t in ax.get_legend().get_texts()]
        (2, ['class 0', 'class 1'])
    """
    points_checked, labels = _check_features_labels(points, labels)
    if points_checked.shape[1] != 2:
        raise ValueError(
            "Expected `points` of shape (n, 2). "
            f"Received: points.shape={points_checked.shape}"
        )
    check_type("boundary", boundary, (tuple, list, type(None)), "a pair or None")
    check_type("ax", ax, (Axes, type(None)), expected="matplotlib axes or None")
    check_type("xlabel", xlabel, str)
    check_type("ylabel", ylabel, str)
    ax = ax if ax is not None else plt.gca()
    for value, color, marker in ((0, "tab:blue", "o"), (1, "tab:orange", "s")):
        chosen = points_checked[labels == value]
        ax.scatter(
            chosen[:, 0],
            chosen[:, 1],
            s=12,
            color=color,
            marker=marker,
            alpha=0.8,
            label=f"class {value}",
        )
    if boundary is not None:
        (w1, w2), b = boundary
        x_min, x_max = ax.get_xlim()
        y_min, y_max = ax.get_ylim()
        if abs(w2) >= abs(w1):
            xs = np.array([x_min, x_max])
            ax.plot(xs, -(w1 * xs + b) / w2, color="black", linewidth=1.2)
        else:
            ys = np.array([y_min, y_max])
            ax.plot(-(w2 * ys + b) / w1, ys, color="black", linewidth=1.2)
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(y_min, y_max)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right")
    return ax
