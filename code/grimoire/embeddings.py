"""Embedding spaces: project them, measure them, walk through them.

An embedding maps each example (an image, a word) to a vector, so that
examples that are alike for the task land near one another. This module has
the tools the book uses to look at such spaces, written in NumPy:

- :func:`fit_pca` and :func:`pca_project`: principal component analysis, to
  draw a space in two dimensions; :func:`plot_projection` draws the points.
- :func:`nearest_indices` and :func:`knn_accuracy`: nearest neighbours by
  Euclidean distance or cosine, and how often a point's neighbours share its
  class, a number for "how well the classes separate".
- :func:`interpolate`: points on the straight path between two vectors.

Word vectors built from counts, and analogies, are in
:mod:`grimoire.count_vectors`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    positive_float,
    positive_int,
)

__all__ = [
    "PrincipalAxes",
    "fit_pca",
    "pca_project",
    "plot_projection",
    "nearest_indices",
    "knn_accuracy",
    "interpolate",
]


def _matrix(name, value, dtype="float64"):
    value = np.asarray(value, dtype=dtype)
    if value.ndim != 2 or value.shape[0] == 0:
        raise ValueError(
            f"Expected `{name}` to be a non-empty 2-D array (n, dim). "
            f"Received: {name}.shape={value.shape}"
        )
    return value


def _labels(name, value, length):
    value = np.asarray(value)
    if value.shape != (length,):
        raise ValueError(
            f"Expected `{name}` of shape ({length},). Received: {name}.shape="
            f"{value.shape}"
        )
    return value


def _unit(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class PrincipalAxes(NamedTuple):
    """The result of :func:`fit_pca`: a mean, directions and their shares.

    Example:
        >>> axes = PrincipalAxes(np.zeros(2), np.array([[1.0, 0.0]]), np.array([0.9]))
        >>> pca_project(np.array([[3.0, 4.0]]), axes).tolist()
        [[3.0]]
    """

    #: The mean of the features, subtracted before projecting.
    mean: np.ndarray
    #: ``(n_components, dim)``: the unit directions of largest variance.
    components: np.ndarray
    #: The share of the total variance along each component.
    explained_variance_ratio: np.ndarray


def fit_pca(features, n_components=2):
    """Find the directions along which ``features`` vary most.

    The features are centred, then factorised by a singular value
    decomposition, ``X - mean = U S Vᵀ``: the rows of ``Vᵀ`` are the
    principal directions, and ``S²`` is proportional to the variance along
    each. Each direction's sign is fixed so that its largest entry is
    positive, which makes the result reproducible.

    Args:
        features: An array of shape ``(n, dim)``.
        n_components: How many directions to keep.

    Returns:
        A :class:`PrincipalAxes`.

    Raises:
        TypeError: If ``n_components`` is not an int.
        ValueError: If ``features`` is not 2-D or ``n_components`` is not in
            ``[1, min(n, dim)]``.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> points = rng.normal(size=(500, 3)) * [5.0, 1.0, 0.1]
        >>> axes = fit_pca(points, n_components=2)
        >>> axes.components.round(2).tolist()
        [[1.0, -0.0, 0.0], [0.0, 1.0, -0.0]]
        >>> axes.explained_variance_ratio.round(3).tolist()
        [0.963, 0.037]
    """
    features = _matrix("features", features)
    n_components = check_scalar(
        "n_components", n_components, int, min_value=1, max_value=min(features.shape)
    )
    mean = features.mean(axis=0)
    _, singular, directions = np.linalg.svd(features - mean, full_matrices=False)
    components = directions[:n_components]
    largest = np.abs(components).argmax(axis=1)
    components = (
        components * np.sign(components[np.arange(n_components), largest])[:, None]
    )
    variance = singular**2
    ratio = variance[:n_components] / variance.sum()
    return PrincipalAxes(mean, components, ratio)


def pca_project(features, axes):
    """Coordinates of ``features`` along the principal directions of ``axes``.

    Args:
        features: An array of shape ``(n, dim)``, in the space ``axes`` was
            fitted in.
        axes: A :class:`PrincipalAxes` from :func:`fit_pca`.

    Returns:
        An array of shape ``(n, n_components)``.

    Raises:
        TypeError: If ``axes`` is not a :class:`PrincipalAxes`.
        ValueError: If ``features`` is not 2-D with ``dim`` columns.

    Example:
        >>> points = np.array([[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]])
        >>> pca_project(points, fit_pca(points, 1)).round(3).ravel().tolist()
        [-2.828, 0.0, 2.828]
    """
    check_type("axes", axes, PrincipalAxes, expected="a PrincipalAxes")
    features = _matrix("features", features)
    if features.shape[1] != axes.mean.shape[0]:
        raise ValueError(
            f"Expected `features` with {axes.mean.shape[0]} columns. "
            f"Received: features.shape={features.shape}"
        )
    return (features - axes.mean) @ axes.components.T


def plot_projection(points, labels, class_names, ax=None, size=4.0, legend=True):
    """Scatter 2-D points, one colour and one legend entry per class.

    Args:
        points: An array of shape ``(n, 2)``.
        labels: The class index of each point.
        class_names: The name of each class index.
        ax: The axes to draw into; created if None.
        size: The marker area, in points².
        legend: Whether to add a legend, right of the axes.

    Returns:
        The axes.

    Raises:
        TypeError: If ``class_names`` is not a list, ``ax`` not matplotlib
            axes, ``size`` not a number or ``legend`` not a bool.
        ValueError: If the shapes do not match.

    Example:
        >>> ax = plot_projection(np.eye(2), np.array([0, 1]), ["a", "b"])
        >>> [text.get_text() for text in ax.get_legend().get_texts()]
        ['a', 'b']
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    points = _matrix("points", points)
    if points.shape[1] != 2:
        raise ValueError(
            f"Expected `points` of shape (n, 2). Received: points.shape={points.shape}"
        )
    labels = _labels("labels", labels, len(points))
    check_type("class_names", class_names, (list, tuple), expected="a list of str")
    size = positive_float("size", size)
    check_type("legend", legend, bool)
    check_type("ax", ax, (Axes, type(None)), expected="matplotlib axes or None")
    if ax is None:
        _, ax = plt.subplots()
    colours = plt.get_cmap("tab10")
    for index, name in enumerate(class_names):
        chosen = labels == index
        ax.scatter(*points[chosen].T, s=size, color=colours(index % 10), label=name)
    if legend:
        ax.legend(markerscale=3, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return ax


def nearest_indices(references, queries, k=1, metric="euclidean", batch_size=1024):
    """The indices of the ``k`` references nearest to each query, nearest first.

    Distances are computed in float32, a batch of queries at a time, from
    ``|q - r|² = |q|² - 2 q·r + |r|²``: one matrix product per batch.

    Args:
        references: An array of shape ``(n, dim)``.
        queries: An array of shape ``(m, dim)``.
        k: How many neighbours per query.
        metric: ``"euclidean"`` (smallest distance) or ``"cosine"`` (largest
            cosine similarity).
        batch_size: Queries compared at once (memory: ``batch_size × n``).

    Returns:
        An int array of shape ``(m, k)``.

    Raises:
        TypeError: If ``k`` or ``batch_size`` is not an int.
        ValueError: If the shapes do not match, ``k`` is not in ``[1, n]``
            or ``metric`` is unknown.

    Example:
        >>> references = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
        >>> nearest_indices(references, np.array([[0.9, 0.2], [4.0, 4.0]]), k=2)
        array([[1, 0],
               [2, 1]])
    """
    references = _matrix("references", references, "float32")
    queries = _matrix("queries", queries, "float32")
    if queries.shape[1] != references.shape[1]:
        raise ValueError(
            "Expected `queries` and `references` of the same dim. Received: "
            f"{queries.shape[1]} and {references.shape[1]}"
        )
    k = check_scalar("k", k, int, min_value=1, max_value=len(references))
    check_choice("metric", metric, ("euclidean", "cosine"))
    batch_size = positive_int("batch_size", batch_size)
    if metric == "cosine":
        references, queries = _unit(references), _unit(queries)
    squared = (references**2).sum(axis=1)
    found = []
    for start in range(0, len(queries), batch_size):
        batch = queries[start : start + batch_size]
        score = batch @ references.T  # larger is nearer for both metrics
        if metric == "euclidean":
            score = 2 * score - squared  # -|q - r|² + |q|², same order
        top = np.argpartition(-score, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(score, top, 1), axis=1, kind="stable")
        found.append(np.take_along_axis(top, order, 1))
    return np.concatenate(found)


def knn_accuracy(
    references, reference_labels, queries, query_labels, k=5, metric="euclidean"
):
    """The share of queries whose ``k`` nearest references vote for their class.

    Each query takes the class most common among its ``k`` nearest
    references; a tie goes to the tied class whose nearest member is nearest.
    In a space where distance means similarity, the score is high.

    Args:
        references: An array of shape ``(n, dim)``, the labelled points.
        reference_labels: Their int classes, shape ``(n,)``.
        queries: An array of shape ``(m, dim)``, the points to classify.
        query_labels: Their true int classes, shape ``(m,)``.
        k: How many neighbours vote.
        metric: ``"euclidean"`` or ``"cosine"``.

    Returns:
        The accuracy, a float in ``[0, 1]``.

    Raises:
        TypeError: If ``k`` is not an int.
        ValueError: If the shapes do not match, ``k`` is out of range or
            ``metric`` is unknown.

    Example:
        >>> references = np.array([[0.0], [0.1], [0.2], [1.0], [1.1]])
        >>> labels = np.array([0, 0, 1, 1, 1])
        >>> knn_accuracy(references, labels, np.array([[0.05], [0.9]]),
        ...              np.array([0, 1]), k=3)
        1.0
    """
    neighbours = nearest_indices(references, queries, k=k, metric=metric)
    reference_labels = _labels("reference_labels", reference_labels, len(references))
    query_labels = _labels("query_labels", query_labels, len(neighbours))
    classes, votes = np.unique(reference_labels, return_inverse=True)
    votes = votes.ravel()[neighbours]  # (m, k) class positions, nearest first
    counts = (votes[:, :, None] == np.arange(len(classes))).sum(axis=1)
    first = (votes[:, :, None] == np.arange(len(classes))).argmax(axis=1)
    score = counts + np.where(counts > 0, (k - first) / (k + 1), 0.0)
    predicted = classes[score.argmax(axis=1)]
    return float(np.mean(predicted == query_labels))


def interpolate(start, end, steps=8):
    """Points evenly spaced on the straight path from ``start`` to ``end``.

    Args:
        start: An array (a vector, an image, ...).
        end: An array of the same shape.
        steps: How many points, both ends included.

    Returns:
        An array of shape ``(steps, *start.shape)``: ``(1 - t) start + t end``
        for ``t`` from 0 to 1.

    Raises:
        TypeError: If ``steps`` is not an int.
        ValueError: If the shapes differ or ``steps`` < 2.

    Example:
        >>> interpolate(np.array([0.0, 10.0]), np.array([1.0, 0.0]), steps=3).tolist()
        [[0.0, 10.0], [0.5, 5.0], [1.0, 0.0]]
    """
    start = np.asarray(start, dtype="float64")
    end = np.asarray(end, dtype="float64")
    if start.shape != end.shape:
        raise ValueError(
            "Expected `start` and `end` of the same shape. Received: "
            f"{start.shape} and {end.shape}"
        )
    steps = check_scalar("steps", steps, int, min_value=2)
    t = np.linspace(0.0, 1.0, steps).reshape((steps,) + (1,) * start.ndim)
    return (1 - t) * start + t * end
