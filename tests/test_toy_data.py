import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.toy_data import (
    fit_linear_probe,
    linear_probe_accuracy,
    make_rings,
    make_xor_blobs,
    plot_classes,
)


def test_rings_are_balanced_at_their_radii_and_reproducible():
    points, labels = make_rings(
        n_samples=1000, inner_radius=0.3, outer_radius=2.0, noise=0.05, seed=3
    )
    assert (
        points.shape == (1000, 2)
        and points.dtype == np.float32
        and labels.dtype == np.int32
    )
    assert labels.sum() == 500
    radius = np.linalg.norm(points, axis=1)
    assert abs(radius[labels == 0].mean() - 0.3) < 0.02
    assert abs(radius[labels == 1].mean() - 2.0) < 0.02
    again, _ = make_rings(
        n_samples=1000, inner_radius=0.3, outer_radius=2.0, noise=0.05, seed=3
    )
    np.testing.assert_array_equal(points, again)
    other, _ = make_rings(
        n_samples=1000, inner_radius=0.3, outer_radius=2.0, noise=0.05, seed=4
    )
    assert not np.array_equal(points, other)


def test_xor_blobs_follow_the_sign_rule():
    points, labels = make_xor_blobs(n_samples=400, noise=0.2, seed=1)
    assert points.shape == (400, 2) and labels.sum() == 200
    far = np.abs(points).min(axis=1) > 0.3  # points clearly inside their quadrant
    np.testing.assert_array_equal(
        labels[far], (points[far, 0] * points[far, 1] < 0).astype(int)
    )


def test_probe_matches_a_known_separable_direction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    y = (x @ np.array([2.0, -1.0, 0.0]) + 0.5 > 0).astype(int)
    weights, bias = fit_linear_probe(x, y, steps=2000, learning_rate=1.0)
    direction = np.append(weights, bias) / np.linalg.norm(weights)
    np.testing.assert_allclose(
        direction, np.array([2.0, -1.0, 0.0, 0.5]) / np.sqrt(5), atol=0.1
    )
    assert linear_probe_accuracy(x, y, steps=2000, learning_rate=1.0) > 0.97


def test_probe_gradient_matches_finite_differences():
    # One step from zero moves the weights by -lr * gradient of the mean cross-entropy.
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0], [2.0, 1.0]])
    y = np.array([1, 0, 0, 1])
    standard = (x - x.mean(0)) / x.std(0)

    def loss(w):
        p = 1 / (1 + np.exp(-(standard @ w)))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    eps = 1e-6
    numeric = np.array(
        [(loss(eps * e) - loss(-eps * e)) / (2 * eps) for e in np.eye(2)]
    )
    weights, _ = fit_linear_probe(x, y, steps=1, learning_rate=0.1)
    np.testing.assert_allclose(weights * x.std(0), -0.1 * numeric, rtol=1e-5)


def test_rings_need_more_than_a_line_but_xor_features_do_not():
    points, labels = make_rings(n_samples=400, noise=0.05)
    assert linear_probe_accuracy(points, labels) < 0.65
    assert (
        linear_probe_accuracy(points**2, labels) > 0.98
    )  # x1² + x2² is linear in these features
    points, labels = make_xor_blobs(n_samples=400, noise=0.2)
    assert linear_probe_accuracy(points, labels) < 0.65
    assert linear_probe_accuracy(points.prod(axis=1, keepdims=True), labels) > 0.98


def test_plot_classes_draws_both_classes_and_the_boundary():
    fig, ax = plt.subplots()
    points = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    returned = plot_classes(
        points, [0, 1, 1], boundary=(np.array([1.0, 1.0]), -0.5), ax=ax
    )
    assert returned is ax
    assert len(ax.collections) == 2 and len(ax.lines) == 1
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_allclose(
        np.asarray(xs) + np.asarray(ys), 0.5
    )  # on the line x1 + x2 = 0.5
    assert ax.get_xlabel() == "x₁" and ax.get_title() == ""


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: make_rings(n_samples=0),
            ValueError,
            r"Expected `n_samples` to be an int >= 1. Received: n_samples=0",
        ),
        (
            lambda: make_rings(inner_radius=1.0, outer_radius=0.5),
            ValueError,
            r"Expected `outer_radius` to be a float > 1.0. Received: outer_radius=0.5",
        ),
        (
            lambda: make_rings(inner_radius=0.5, outer_radius=0.5),
            ValueError,
            r"Expected `outer_radius` to be a float > 0.5. Received: outer_radius=0.5",
        ),
        (
            lambda: make_rings(inner_radius=-0.1),
            ValueError,
            r"Expected `inner_radius` to be a float >= 0. Received: inner_radius=-0.1",
        ),
        (
            lambda: make_rings(noise=1.5),
            ValueError,
            r"Expected `noise` to be a float in \[0, 1\). Received: noise=1.5",
        ),
        (
            lambda: make_rings(seed="0"),
            TypeError,
            r"Expected `seed` to be an int. Received: seed='0' of type str",
        ),
        (
            lambda: make_xor_blobs(n_samples=2.5),
            TypeError,
            r"Expected `n_samples` to be an int. Received: n_samples=2.5 of type float",
        ),
        (
            lambda: make_xor_blobs(noise=-0.1),
            ValueError,
            r"Expected `noise` to be a float in \[0, 1\). Received: noise=-0.1",
        ),
        (
            lambda: make_xor_blobs(noise="0.1"),
            TypeError,
            r"Expected `noise` to be a float. Received: noise='0.1' of type str",
        ),
        (
            lambda: fit_linear_probe(np.zeros(4), [0, 1, 0, 1]),
            ValueError,
            r"Expected `features` of shape \(n, d\). Received: features.shape=\(4,\)",
        ),
        (
            lambda: fit_linear_probe(np.zeros((4, 2)), [0, 1]),
            ValueError,
            r"Expected `labels` of shape \(4,\), one per row of `features`. "
            r"Received: labels.shape=\(2,\)",
        ),
        (
            lambda: fit_linear_probe(np.zeros((2, 2)), [0, 2]),
            ValueError,
            r"Expected `labels` to hold only 0 and 1. Received: values \[0, 2\]",
        ),
        (
            lambda: fit_linear_probe(np.zeros((2, 2)), [0, 1], steps=0),
            ValueError,
            r"Expected `steps` to be an int >= 1. Received: steps=0",
        ),
        (
            lambda: fit_linear_probe(np.zeros((2, 2)), [0, 1], learning_rate=0),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: fit_linear_probe(np.zeros((2, 2)), [0, 1], steps=True),
            TypeError,
            r"Expected `steps` to be an int. Received: steps=True of type bool",
        ),
        (
            lambda: plot_classes(np.zeros((2, 3)), [0, 1]),
            ValueError,
            r"Expected `points` of shape \(n, 2\). Received: points.shape=\(2, 3\)",
        ),
        (
            lambda: plot_classes(np.zeros((2, 2)), [0, 1], xlabel=1),
            TypeError,
            r"Expected `xlabel` to be a str. Received: xlabel=1 of type int",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_scalars_are_accepted():
    points, labels = make_rings(
        n_samples=np.int64(6), inner_radius=np.float32(0.5), noise=np.float64(0.0)
    )
    assert points.shape == (6, 2)
    assert make_xor_blobs(np.int64(4), seed=np.int64(1))[0].shape == (4, 2)
    weights, _ = fit_linear_probe(
        points, labels, steps=np.int64(5), learning_rate=np.float32(0.5)
    )
    assert weights.shape == (2,)
