import numpy as np
import pytest

from grimoire.activations import (
    activation,
    activation_derivative,
    plot_activation,
    softmax,
)

z = np.linspace(-6.0, 6.0, 121)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activations_match_keras(name):
    import keras

    expected = getattr(keras.activations, name)(z.astype("float32"))
    np.testing.assert_allclose(activation(name, z), np.asarray(expected), atol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_derivatives_match_finite_differences(name):
    step = 1e-5
    slope = (activation(name, z + step) - activation(name, z - step)) / (2 * step)
    np.testing.assert_allclose(activation_derivative(name, z), slope, atol=1e-8)


def test_relu_derivative_is_a_step():
    np.testing.assert_array_equal(
        activation_derivative("relu", [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0]
    )


def test_sigmoid_is_stable_for_large_inputs():
    with np.errstate(over="raise"):
        values = activation("sigmoid", [-1000.0, 1000.0])
    np.testing.assert_allclose(values, [0.0, 1.0])


def test_softmax_sums_to_one_and_matches_keras():
    import keras

    scores = np.random.default_rng(0).normal(size=(4, 5)) * 10
    probabilities = softmax(scores)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0)
    assert (probabilities > 0).all()
    expected = keras.activations.softmax(scores.astype("float32"))
    np.testing.assert_allclose(probabilities, np.asarray(expected), atol=1e-6)
    np.testing.assert_allclose(softmax(scores.T, axis=0), probabilities.T)


def test_two_class_softmax_is_the_sigmoid_of_the_difference():
    pairs = np.stack([z, np.zeros_like(z)], axis=-1)
    np.testing.assert_allclose(softmax(pairs)[:, 0], activation("sigmoid", z))


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax"])
def test_plot_activation_draws_the_function_and_its_derivative(name):
    ax = plot_activation(name, limits=(-2, 2))
    labels = [line.get_label() for line in ax.lines]
    assert "derivative" in labels or "dp1/dz" in labels
    xs = ax.lines[-1].get_xdata()
    assert xs.min() == -2 and xs.max() == 2


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`name`"):
        activation("gelu", z)
    with pytest.raises(ValueError, match="`name`"):
        activation_derivative("softmax", z)
    with pytest.raises(ValueError, match="`scores`"):
        softmax(3.0)
    with pytest.raises(TypeError, match="`axis`"):
        softmax(z, axis=1.5)
    with pytest.raises(ValueError, match="`limits`.*low < high"):
        plot_activation("relu", limits=(2, -2))
    with pytest.raises(ValueError, match="`limits`"):
        plot_activation("relu", limits=(1, 2, 3))
    with pytest.raises(TypeError, match="`limits`"):
        plot_activation("relu", limits=("a", 2))
    with pytest.raises(TypeError, match="`ax`"):
        plot_activation("relu", ax="axes")
