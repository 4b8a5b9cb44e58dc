import numpy as np
import pytest

from grimoire.geometry import (
    apply_affine,
    apply_linear,
    compose_affine,
    make_grid,
    plot_transform,
    relu,
    rotation_matrix,
    scaling_matrix,
    translate,
)

rng = np.random.default_rng(1)


def test_rotation_keeps_lengths_and_turns_counter_clockwise():
    points = rng.normal(size=(10, 2))
    turned = apply_linear(points, rotation_matrix(0.7))
    np.testing.assert_allclose(
        np.linalg.norm(turned, axis=1), np.linalg.norm(points, axis=1)
    )
    np.testing.assert_allclose(
        apply_linear([[1.0, 0.0]], rotation_matrix(np.pi / 2)), [[0.0, 1.0]], atol=1e-12
    )
    np.testing.assert_allclose(np.linalg.det(rotation_matrix(1.3)), 1.0)


def test_scaling_and_translation():
    np.testing.assert_allclose(
        apply_linear([[1.0, 1.0]], scaling_matrix(2, -1)), [[2.0, -1.0]]
    )
    np.testing.assert_allclose(
        translate(np.zeros((3, 2)), [1, 2]), np.tile([1.0, 2.0], (3, 1))
    )


def test_a_chain_of_affine_maps_is_one_affine_map():
    maps = [(rng.normal(size=(2, 2)), rng.normal(size=2)) for _ in range(4)]
    points = rng.normal(size=(20, 2))
    chained = points
    for matrix, offset in maps:
        chained = apply_affine(chained, matrix, offset)
    matrix, offset = compose_affine(maps)
    np.testing.assert_allclose(
        apply_affine(points, matrix, offset), chained, atol=1e-10
    )


def test_affine_maps_match_keras_dense_layers():
    import keras

    layer = keras.layers.Dense(2)
    points = rng.normal(size=(5, 2)).astype("float32")
    out = layer(points).numpy()
    kernel, bias = (w.numpy() for w in layer.weights)
    np.testing.assert_allclose(
        apply_affine(points, kernel.T, bias), out, rtol=1e-5, atol=1e-6
    )


def test_relu_is_not_affine():
    points = rng.normal(size=(50, 2))
    folded = relu(points)
    assert (folded >= 0).all()
    design = np.hstack([points, np.ones((50, 1))])
    _, residual, *_ = np.linalg.lstsq(design, folded, rcond=None)
    assert residual.sum() > 1.0  # no affine map reproduces relu


def test_grid_and_plot():
    grid = make_grid(0, 2, lines=3, resolution=4)
    assert grid.shape == (6, 4, 2)
    np.testing.assert_allclose(grid[0, :, 0], 0)  # first line is vertical: x1 constant
    np.testing.assert_allclose(grid[3, :, 1], 0)  # first horizontal line: x2 constant
    ax = plot_transform(lambda p: p + 1, grid, limits=(-1, 4))
    assert len(ax.lines) == 12 and ax.get_xlim() == (-1, 4)
    np.testing.assert_allclose(ax.lines[1].get_xydata(), grid[0] + 1)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: translate(np.zeros((3, 3)), [1, 1]),
            ValueError,
            r"Expected `points` of shape \(\.\.\., 2\). "
            r"Received: points.shape=\(3, 3\)",
        ),
        (
            lambda: translate(np.zeros((3, 2)), [1, 1, 1]),
            ValueError,
            r"Expected `offset` of shape \(2,\). Received: offset.shape=\(3,\)",
        ),
        (
            lambda: rotation_matrix("90"),
            TypeError,
            r"Expected `angle` to be a float. Received: angle='90' of type str",
        ),
        (
            lambda: rotation_matrix(float("nan")),
            ValueError,
            r"Expected `angle` to be a float. Received: angle=nan",
        ),
        (
            lambda: scaling_matrix(1, None),
            TypeError,
            r"Expected `vertical` to be a float. Received: vertical=None",
        ),
        (
            lambda: apply_linear(np.zeros((3, 2)), np.eye(3)),
            ValueError,
            r"Expected `matrix` of shape \(2, 2\). Received: matrix.shape=\(3, 3\)",
        ),
        (
            lambda: compose_affine([]),
            ValueError,
            r"Expected `maps` to hold at least one \(matrix, offset\) pair. "
            r"Received: maps=\[\]",
        ),
        (
            lambda: compose_affine(None),
            TypeError,
            r"Expected `maps` to be an iterable of pairs. Received: maps=None",
        ),
        (
            lambda: make_grid(1, 1),
            ValueError,
            r"Expected `high` to be a float > 1. Received: high=1.0",
        ),
        (
            lambda: make_grid("-1", 1),
            TypeError,
            r"Expected `low` to be a float. Received: low='-1' of type str",
        ),
        (
            lambda: make_grid(lines=1),
            ValueError,
            r"Expected `lines` to be an int >= 2. Received: lines=1",
        ),
        (
            lambda: make_grid(resolution=2.5),
            TypeError,
            r"Expected `resolution` to be an int. "
            r"Received: resolution=2.5 of type float",
        ),
        (
            lambda: plot_transform("rotate"),
            TypeError,
            r"Expected `transform` to be a callable. Received: transform='rotate'",
        ),
        (
            lambda: plot_transform(relu, legend="no"),
            TypeError,
            r"Expected `legend` to be a bool. Received: legend='no' of type str",
        ),
        (
            lambda: plot_transform(relu, np.zeros((4, 2))),
            ValueError,
            r"Expected `points` of shape \(lines, resolution, 2\). "
            r"Received: points.shape=\(4, 2\)",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_scalars_are_numbers():
    np.testing.assert_allclose(
        rotation_matrix(np.float32(np.pi)), rotation_matrix(float(np.float32(np.pi)))
    )
    assert scaling_matrix(np.int64(2), np.float32(0.5)).tolist() == [
        [2.0, 0.0],
        [0.0, 0.5],
    ]
    assert make_grid(np.float32(-1), np.int64(1), np.int64(3), np.int64(4)).shape == (
        6,
        4,
        2,
    )
