"""PCA, nearest neighbours, k-NN accuracy and interpolation."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.embeddings import (
    PrincipalAxes,
    fit_pca,
    interpolate,
    knn_accuracy,
    nearest_indices,
    pca_project,
    plot_projection,
)


def _same_up_to_sign(a, b, atol):
    """Columns of ``a`` equal those of ``b``, each up to its sign."""
    signs = np.sign(np.sum(a * b, axis=0))
    return np.allclose(a, b * signs, atol=atol)


# --- PCA -------------------------------------------------------------------------


def test_pca_matches_the_eigenvectors_of_the_covariance():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5)) + 3.0
    axes = fit_pca(points, n_components=3)
    covariance = np.cov(points, rowvar=False)
    values, vectors = np.linalg.eigh(covariance)
    order = np.argsort(values)[::-1]
    assert _same_up_to_sign(axes.components.T, vectors[:, order[:3]], atol=1e-8)
    assert np.allclose(axes.explained_variance_ratio, values[order[:3]] / values.sum())
    assert np.allclose(axes.mean, points.mean(axis=0))


def test_pca_projection_is_centred_uncorrelated_and_keeps_the_variance():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(400, 4)) * [3.0, 2.0, 1.0, 0.5]
    axes = fit_pca(points, n_components=4)
    projected = pca_project(points, axes)
    assert np.allclose(projected.mean(axis=0), 0.0, atol=1e-10)
    covariance = np.cov(projected, rowvar=False)
    assert np.allclose(covariance, np.diag(np.diag(covariance)), atol=1e-10)
    assert np.isclose(np.trace(covariance), np.trace(np.cov(points, rowvar=False)))
    assert np.isclose(axes.explained_variance_ratio.sum(), 1.0)
    # A full set of components is a rotation: projecting back gives the points.
    assert np.allclose(projected @ axes.components + axes.mean, points)


def test_pca_signs_are_fixed():
    points = np.random.default_rng(2).normal(size=(50, 3))
    for flipped in (points, -points):
        components = fit_pca(flipped, 2).components
        largest = np.abs(components).argmax(axis=1)
        assert (components[np.arange(2), largest] > 0).all()


def test_plot_projection_draws_one_series_per_class():
    fig, ax = plt.subplots()
    points = np.arange(12.0).reshape(6, 2)
    returned = plot_projection(
        points, np.array([0, 1, 2, 0, 1, 2]), ["a", "b", "c"], ax
    )
    assert returned is ax and len(ax.collections) == 3
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 2, 2]
    ax2 = plot_projection(points, np.zeros(6, int), ["a"], legend=False)
    assert ax2.get_legend() is None


# --- nearest neighbours ----------------------------------------------------------


def _brute_force(references, queries, k, metric):
    rows = []
    for query in queries:
        if metric == "euclidean":
            score = -np.linalg.norm(references - query, axis=1)
        else:
            score = (
                references
                @ query
                / (np.linalg.norm(references, axis=1) * np.linalg.norm(query))
            )
        rows.append(np.argsort(-score, kind="stable")[:k])
    return np.array(rows)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_nearest_indices_match_brute_force_across_batches(metric):
    rng = np.random.default_rng(3)
    references, queries = rng.normal(size=(200, 6)), rng.normal(size=(37, 6))
    found = nearest_indices(references, queries, k=4, metric=metric, batch_size=10)
    assert found.shape == (37, 4)
    assert np.array_equal(found, _brute_force(references, queries, 4, metric))


def test_cosine_ignores_length_euclidean_does_not():
    references = np.array([[10.0, 0.0], [0.9, 0.5]])
    query = np.array([[1.0, 0.0]])
    assert nearest_indices(references, query, metric="cosine")[0, 0] == 0
    assert nearest_indices(references, query, metric="euclidean")[0, 0] == 1


def test_knn_accuracy_matches_a_plain_vote():
    """Two classes and an odd k: no ties, so a plain majority vote must agree."""
    rng = np.random.default_rng(4)
    references = rng.normal(size=(300, 3))
    labels = (references[:, 0] + 0.5 * references[:, 1] > 0).astype(int)
    queries = rng.normal(size=(100, 3))
    truth = (queries[:, 0] > 0).astype(int)
    for k in (1, 7):
        neighbours = _brute_force(references, queries, k, "euclidean")
        votes = np.array([np.bincount(labels[row]).argmax() for row in neighbours])
        expected = np.mean(votes == truth)
        assert knn_accuracy(references, labels, queries, truth, k=k) == expected


def test_knn_ties_go_to_the_nearest_class():
    references = np.array([[0.0], [1.0], [-2.0], [2.5]])
    labels = np.array([5, 7, 7, 5])  # two votes each among four neighbours
    assert knn_accuracy(references, labels, np.array([[0.1]]), np.array([5]), k=4) == 1
    assert knn_accuracy(references, labels, np.array([[0.9]]), np.array([7]), k=4) == 1


def test_knn_in_a_space_where_distance_means_class():
    """Perfect in a space that separates the classes, chance in one that does not."""
    rng = np.random.default_rng(5)
    labels = np.repeat(np.arange(4), 50)
    separated = np.eye(4)[labels] * 10 + rng.normal(size=(200, 4))
    noise = rng.normal(size=(200, 4))
    half = np.arange(200) % 2 == 0
    good = knn_accuracy(
        separated[half], labels[half], separated[~half], labels[~half], k=5
    )
    bad = knn_accuracy(noise[half], labels[half], noise[~half], labels[~half], k=5)
    assert good == 1.0 and bad < 0.5


# --- interpolation ---------------------------------------------------------------


def test_interpolate_images_and_batches():
    start, end = np.zeros((2, 3, 3)), np.ones((2, 3, 3))
    path = interpolate(start, end, steps=5)
    assert path.shape == (5, 2, 3, 3)
    assert np.allclose(path[:, 0, 0, 0], [0, 0.25, 0.5, 0.75, 1])
    assert np.array_equal(path[0], start) and np.array_equal(path[-1], end)


# --- argument errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: fit_pca(np.ones(5)), ValueError, r"Expected `features` to be a non"),
        (
            lambda: fit_pca(np.ones((4, 3)), n_components=4),
            ValueError,
            r"Expected `n_components` to be an int in \[1, 3\]",
        ),
        (
            lambda: fit_pca(np.ones((4, 3)), n_components=1.5),
            TypeError,
            "Expected `n_components` to be an int",
        ),
        (
            lambda: pca_project(np.ones((2, 3)), "axes"),
            TypeError,
            "Expected `axes` to be a PrincipalAxes",
        ),
        (
            lambda: pca_project(np.ones((2, 4)), fit_pca(np.eye(3), 1)),
            ValueError,
            "Expected `features` with 3 columns",
        ),
        (
            lambda: plot_projection(np.ones((3, 3)), np.zeros(3), ["a"]),
            ValueError,
            r"Expected `points` of shape \(n, 2\)",
        ),
        (
            lambda: plot_projection(np.ones((3, 2)), np.zeros(2), ["a"]),
            ValueError,
            r"Expected `labels` of shape \(3,\)",
        ),
        (
            lambda: plot_projection(np.ones((3, 2)), np.zeros(3), "a"),
            TypeError,
            "Expected `class_names` to be a list of str",
        ),
        (
            lambda: plot_projection(np.ones((3, 2)), np.zeros(3), ["a"], ax="ax"),
            TypeError,
            "Expected `ax` to be matplotlib axes or None",
        ),
        (
            lambda: plot_projection(np.ones((3, 2)), np.zeros(3), ["a"], size=0),
            ValueError,
            "Expected `size` to be a float > 0",
        ),
        (
            lambda: plot_projection(np.ones((3, 2)), np.zeros(3), ["a"], legend=1),
            TypeError,
            "Expected `legend` to be a bool",
        ),
        (
            lambda: nearest_indices(np.ones((3, 2)), np.ones((1, 3))),
            ValueError,
            "Expected `queries` and `references` of the same dim",
        ),
        (
            lambda: nearest_indices(np.ones((3, 2)), np.ones((1, 2)), k=4),
            ValueError,
            r"Expected `k` to be an int in \[1, 3\]",
        ),
        (
            lambda: nearest_indices(np.ones((3, 2)), np.ones((1, 2)), metric="l1"),
            ValueError,
            "Expected `metric` to be one of",
        ),
        (
            lambda: nearest_indices(np.ones((3, 2)), np.ones((1, 2)), batch_size=0),
            ValueError,
            "Expected `batch_size` to be an int >= 1",
        ),
        (
            lambda: knn_accuracy(np.ones((3, 2)), [0, 1], np.ones((1, 2)), [0], k=1),
            ValueError,
            r"Expected `reference_labels` of shape \(3,\)",
        ),
        (
            lambda: knn_accuracy(
                np.ones((3, 2)), [0, 1, 1], np.ones((1, 2)), [0, 1], k=1
            ),
            ValueError,
            r"Expected `query_labels` of shape \(1,\)",
        ),
        (
            lambda: interpolate(np.ones(2), np.ones(3)),
            ValueError,
            "Expected `start` and `end` of the same shape",
        ),
        (
            lambda: interpolate(np.ones(2), np.ones(2), steps=1),
            ValueError,
            "Expected `steps` to be an int >= 2",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_principal_axes_is_a_record():
    axes = fit_pca(np.eye(3), 2)
    assert isinstance(axes, PrincipalAxes)
    assert axes._fields == ("mean", "components", "explained_variance_ratio")
