import numpy as np
import pytest

from grimoire.tensor_ops import (
    best_time,
    broadcast_shape,
    naive_add,
    naive_broadcast_add,
    naive_dot,
    naive_relu,
    naive_transpose,
    naive_vector_dot,
)

rng = np.random.default_rng(0)


def test_elementwise_ops_match_numpy():
    x, y = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    np.testing.assert_array_equal(naive_relu(x), np.maximum(x, 0))
    np.testing.assert_allclose(naive_add(x, y), x + y)


def test_naive_ops_do_not_modify_their_inputs():
    x = np.array([[-1.0, 2.0]])
    naive_relu(x)
    naive_add(x, x)
    np.testing.assert_array_equal(x, [[-1.0, 2.0]])


@pytest.mark.parametrize(
    "shape_x, shape_y",
    [
        ((3, 4), (4,)),
        ((3, 1), (1, 4)),
        ((2, 1, 3), (5, 1)),
        ((), (2, 3)),
        ((4, 0), (1,)),
        ((6,), (6,)),
    ],
)
def test_broadcasting_matches_numpy(shape_x, shape_y):
    x, y = rng.normal(size=shape_x), rng.normal(size=shape_y)
    assert broadcast_shape(shape_x, shape_y) == np.broadcast_shapes(shape_x, shape_y)
    np.testing.assert_allclose(naive_broadcast_add(x, y), x + y)


def test_dot_and_transpose_match_numpy():
    x, y = rng.normal(size=(3, 5)), rng.normal(size=(5, 2))
    np.testing.assert_allclose(naive_dot(x, y), x @ y)
    assert naive_vector_dot(x[0], y[:, 0]) == pytest.approx(x[0] @ y[:, 0])
    np.testing.assert_array_equal(naive_transpose(x), x.T)


def test_best_time_is_the_minimum(monkeypatch):
    # A scripted clock: the four calls take 3, 1, 2 and 5 seconds.
    ticks = iter([0.0, 3.0, 10.0, 11.0, 20.0, 22.0, 30.0, 35.0])
    monkeypatch.setattr("grimoire.tensor_ops.time.perf_counter", lambda: next(ticks))
    calls = []
    assert best_time(calls.append, 1, repeat=4) == 1.0
    assert calls == [1, 1, 1, 1]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: naive_relu(np.zeros(3)),
            ValueError,
            r"Expected `x` to be a rank-2 array. Received: x.shape=\(3,\)",
        ),
        (
            lambda: naive_add(np.zeros((2, 3)), np.zeros((3, 2))),
            ValueError,
            r"Expected `x` and `y` to have the same shape. "
            r"Received: x.shape=\(2, 3\), y.shape=\(3, 2\)",
        ),
        (
            lambda: naive_add(np.zeros((2, 3)), np.zeros(3)),
            ValueError,
            r"Expected `y` to be a rank-2 array. Received: y.shape=\(3,\)",
        ),
        (
            lambda: broadcast_shape((3, 4), (3,)),
            ValueError,
            r"Expected shapes that broadcast: aligned from the right, axis 1 has "
            r"sizes 4 and 3, and neither is 1. "
            r"Received: shape_x=\(3, 4\), shape_y=\(3,\)",
        ),
        (
            lambda: broadcast_shape(3, (3,)),
            TypeError,
            r"Expected `shape_x` to be a shape. Received: shape_x=3 of type int",
        ),
        (
            lambda: naive_broadcast_add(np.zeros((2, 3)), np.zeros(2)),
            ValueError,
            r"axis 1 has sizes 3 and 2",
        ),
        (
            lambda: naive_vector_dot([1, 2], [1, 2, 3]),
            ValueError,
            r"Expected `x` and `y` to have the same length. Received: 2 and 3",
        ),
        (
            lambda: naive_vector_dot(np.zeros((2, 2)), [1, 2]),
            ValueError,
            r"Expected `x` to be a rank-1 array",
        ),
        (
            lambda: naive_dot(np.zeros((2, 3)), np.zeros((2, 3))),
            ValueError,
            r"Expected `x.shape\[1\] == y.shape\[0\]` for \(n, k\) . \(k, m\). "
            r"Received: x.shape=\(2, 3\), y.shape=\(2, 3\)",
        ),
        (
            lambda: naive_transpose(np.zeros((2, 2, 2))),
            ValueError,
            r"Expected `x` to be a rank-2 array",
        ),
        (
            lambda: best_time(3),
            TypeError,
            r"Expected `function` to be a callable. Received: function=3 of type int",
        ),
        (
            lambda: best_time(print, repeat=0),
            ValueError,
            r"Expected `repeat` to be an int >= 1. Received: repeat=0",
        ),
        (
            lambda: best_time(print, repeat=2.0),
            TypeError,
            r"Expected `repeat` to be an int. Received: repeat=2.0 of type float",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_ints_are_repeats():
    calls = []
    best_time(calls.append, 1, repeat=np.int64(2))
    assert calls == [1, 1]
