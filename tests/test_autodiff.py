import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf

from grimoire.autodiff import (
    Scalar,
    draw_graph,
    finite_difference,
    higher_derivatives,
    softmax,
)
from grimoire.optimizers import numerical_gradient


def _j_graph():
    a, b, c = Scalar(5, "a"), Scalar(3, "b"), Scalar(2, "c")
    u = (b * c).named("u")
    v = (a + u).named("v")
    return (3 * v).named("J"), (a, b, c, u, v)


def test_j_graph_forward_and_backward_match_the_hand_computation():
    J, (a, b, c, u, v) = _j_graph()
    assert (u.value, v.value, J.value) == (6.0, 11.0, 33.0)
    assert J.grad is None and a.grad is None  # nothing before backward()
    J.backward()
    assert [n.grad for n in (J, v, u, a, b, c)] == [1.0, 3.0, 3.0, 3.0, 6.0, 9.0]


def test_j_graph_matches_gradient_tape_and_finite_differences():
    J, (a, b, c, _, _) = _j_graph()
    J.backward()
    variables = [tf.Variable(5.0), tf.Variable(3.0), tf.Variable(2.0)]
    with tf.GradientTape() as tape:
        out = 3 * (variables[0] + variables[1] * variables[2])
    tape_grads = [float(g) for g in tape.gradient(out, variables)]
    numeric = numerical_gradient(
        lambda p: 3 * (p[0] + p[1] * p[2]), np.array([5.0, 3.0, 2.0])
    )
    assert [a.grad, b.grad, c.grad] == tape_grads
    np.testing.assert_allclose(numeric, [3.0, 6.0, 9.0], rtol=1e-8)


def test_every_operation_matches_gradient_tape():
    x, y = Scalar(0.7, "x"), Scalar(-1.3, "y")
    f = (
        x * y
        - y / x
        + (x - 2) ** 3
        + (-y).exp()
        + (x * y).relu()
        + 1 / (1 + x)
        - (3 - y)
    ) * 2
    f.backward()
    xv, yv = tf.Variable(0.7, dtype=tf.float64), tf.Variable(-1.3, dtype=tf.float64)
    with tf.GradientTape() as tape:
        g = (
            xv * yv
            - yv / xv
            + (xv - 2) ** 3
            + tf.exp(-yv)
            + tf.nn.relu(xv * yv)
            + 1 / (1 + xv)
            - (3 - yv)
        ) * 2
    assert f.value == pytest.approx(float(g), rel=1e-12)
    dx, dy = tape.gradient(g, [xv, yv])
    assert (x.grad, y.grad) == (
        pytest.approx(float(dx), rel=1e-12),
        pytest.approx(float(dy), rel=1e-12),
    )


def test_a_node_used_twice_adds_the_contributions_of_both_paths():
    x = Scalar(3.0)
    y = x * x  # two edges from x to y
    y.backward()
    assert x.grad == 6.0
    y.backward()  # a second backward starts again from zero
    assert x.grad == 6.0


def test_relu_gradient_is_zero_for_negative_inputs():
    w = Scalar(-0.8)
    loss = (-0.5 * (w * 1.5).relu() - 1.0) ** 2
    loss.backward()
    assert w.grad == 0.0


def test_sigmoid_derivative_three_ways():
    x0 = 0.5
    s = 1 / (1 + math.exp(-x0))
    exact = s * (1 - s)
    x = Scalar(x0)
    (1 / (1 + (-x).exp())).backward()
    assert x.grad == pytest.approx(exact, abs=1e-15)
    sigmoid = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    assert finite_difference(sigmoid, x0) == pytest.approx(exact, abs=1e-10)
    forward_error = abs(
        finite_difference(sigmoid, x0, h=1e-4, scheme="forward") - exact
    )
    central_error = abs(
        finite_difference(sigmoid, x0, h=1e-4, scheme="central") - exact
    )
    assert central_error < forward_error / 100


def test_graph_lists_each_node_once_inputs_first():
    x = Scalar(2.0, "x")
    y = x * x + x
    nodes = y.graph()
    assert nodes[0] is x and nodes[-1] is y
    assert len(nodes) == len({id(n) for n in nodes}) == 3


def test_draw_graph_draws_every_non_constant_node_and_edge():
    J, _ = _j_graph()
    J.backward()
    ax = draw_graph(J, ax=plt.figure().add_subplot())
    texts = [t.get_text() for t in ax.texts]
    assert (
        len(ax.patches) == 6 + 5
    )  # six boxes, five arrows (the constant 3 is not drawn)
    assert "J = 3 × v\nvalue 33\ngrad 1" in texts
    assert "c\nvalue 2\ngrad 9" in texts
    assert sorted(texts[6:]) == [
        "1",
        "1",
        "2",
        "3",
        "3",
    ]  # local derivatives on the edges


def test_draw_graph_before_backward_shows_values_only():
    J, _ = _j_graph()
    ax = draw_graph(J, ax=plt.figure().add_subplot())
    assert "J = 3 × v\nvalue 33" in [t.get_text() for t in ax.texts]


# The GradientTape facts the chapter states.
def test_tape_scalar_tensor_and_list_of_variables():
    x = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        y = 2 * x + 3
    assert float(tape.gradient(y, x)) == 2.0
    x = tf.Variable(tf.random.uniform((2, 2)))
    with tf.GradientTape() as tape:
        y = 2 * x + 3
    np.testing.assert_array_equal(tape.gradient(y, x), np.full((2, 2), 2.0))
    W, b = tf.Variable(tf.random.uniform((2, 2))), tf.Variable(tf.zeros((2,)))
    inputs = tf.random.uniform((2, 2))
    with tf.GradientTape() as tape:
        y = tf.matmul(inputs, W) + b
    grad_W, grad_b = tape.gradient(y, [W, b])
    np.testing.assert_allclose(
        grad_W, np.repeat(inputs.numpy().sum(axis=0)[:, None], 2, axis=1), rtol=1e-6
    )
    np.testing.assert_array_equal(grad_b, [2.0, 2.0])


def test_tape_ignores_unwatched_constants():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    assert float(tape.gradient(y, x)) == 6.0


def test_persistent_tape_gives_several_gradients():
    x = tf.ones((2, 2))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.reduce_sum(x)
        z = y * y
    assert float(y) == 4.0 and float(z) == 16.0
    np.testing.assert_array_equal(tape.gradient(z, x), np.full((2, 2), 8.0))
    assert float(tape.gradient(z, y)) == 8.0
    np.testing.assert_array_equal(tape.gradient(y, x), np.ones((2, 2)))
    with tf.GradientTape() as once:
        once.watch(x)
        z = tf.reduce_sum(x) ** 2
    once.gradient(z, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        once.gradient(z, x)


def test_nested_tapes_and_higher_derivatives():
    x = tf.Variable(1.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x**3
        dy_dx = inner.gradient(y, x)
    assert float(dy_dx) == 3.0 and float(outer.gradient(dy_dx, x)) == 6.0
    assert higher_derivatives(lambda t: t**3, 1.0, order=2) == [3.0, 6.0]
    assert higher_derivatives(lambda t: t**3, 2.0, order=4) == [12.0, 12.0, 6.0, 0.0]
    np.testing.assert_allclose(
        higher_derivatives(tf.sin, 0.3, order=3),
        [math.cos(0.3), -math.sin(0.3), -math.cos(0.3)],
        rtol=1e-12,
    )


def test_softmax_is_stable_and_matches_tensorflow():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 998.0, 990.0]])
    np.testing.assert_allclose(
        softmax(logits), tf.nn.softmax(logits).numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(softmax(logits).sum(axis=-1), [1.0, 1.0])
    assert np.isnan(softmax(logits, stable=False)[1]).all()
    np.testing.assert_allclose(
        softmax(logits[:1], stable=False), softmax(logits[:1]), rtol=1e-12
    )


def test_loss_from_logits_keeps_the_gradient_that_clipped_probabilities_lose():
    import keras

    logits = tf.Variable([[40.0, 0.0, 0.0]])
    labels = tf.constant([1])
    with tf.GradientTape(persistent=True) as tape:
        exact = keras.losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True
        )
        clipped = keras.losses.sparse_categorical_crossentropy(
            labels, tf.nn.softmax(logits)
        )
    assert float(exact[0]) == pytest.approx(40.0)
    assert float(clipped[0]) == pytest.approx(-math.log(1e-7), rel=1e-5)
    np.testing.assert_allclose(
        tape.gradient(exact, logits), [[1.0, -1.0, 0.0]], atol=1e-6
    )
    np.testing.assert_array_equal(tape.gradient(clipped, logits), np.zeros((1, 3)))


def test_keras_softmax_output_is_rescued_by_the_loss_on_tensorflow():
    # The book says Keras's own softmax keeps its logits, and Keras's
    # cross-entropy uses them: no clipping, full gradient (TensorFlow backend).
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("the rescue exists on the TensorFlow backend only")
    logits = tf.Variable([[40.0, 0.0, 0.0]])
    with tf.GradientTape() as tape:
        rescued = keras.losses.sparse_categorical_crossentropy(
            tf.constant([1]), keras.activations.softmax(logits)
        )
    assert float(rescued[0]) == pytest.approx(40.0)
    np.testing.assert_allclose(
        tape.gradient(rescued, logits), [[1.0, -1.0, 0.0]], atol=1e-6
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: Scalar("5"),
            TypeError,
            r"Expected `value` to be a float. Received: value='5' of type str",
        ),
        (
            lambda: Scalar(True),
            TypeError,
            r"Expected `value` to be a float. Received: value=True of type bool",
        ),
        (
            lambda: Scalar(float("nan")),
            ValueError,
            r"Expected `value` to be a float. Received: value=nan",
        ),
        (
            lambda: Scalar(1.0, name=3),
            TypeError,
            r"Expected `name` to be a str or None. Received: name=3 of type int",
        ),
        (
            lambda: Scalar(1.0).named(None),
            TypeError,
            r"Expected `name` to be a str. Received: name=None",
        ),
        (
            lambda: Scalar(1.0) + "a",
            TypeError,
            r"Expected `other` to be a Scalar or a real number. "
            r"Received: other='a' of type str",
        ),
        (
            lambda: [1.0] * Scalar(2.0),
            TypeError,
            r"Expected `other` to be a Scalar or a real number. "
            r"Received: other=\[1.0\] of type list",
        ),
        (
            lambda: Scalar(1.0) * True,
            TypeError,
            r"Expected `other` to be a float. Received: other=True of type bool",
        ),
        (
            lambda: Scalar(2.0) ** Scalar(2.0),
            TypeError,
            r"Expected `exponent` to be a float. "
            r"Received: exponent=Scalar\(2\) of type Scalar",
        ),
        (
            lambda: finite_difference(3, 1.0),
            TypeError,
            r"Expected `function` to be a callable. Received: function=3 of type int",
        ),
        (
            lambda: finite_difference(abs, "1"),
            TypeError,
            r"Expected `x` to be a float. Received: x='1' of type str",
        ),
        (
            lambda: finite_difference(abs, 1.0, h=0),
            ValueError,
            r"Expected `h` to be a float > 0. Received: h=0.0",
        ),
        (
            lambda: finite_difference(abs, 1.0, h="0.1"),
            TypeError,
            r"Expected `h` to be a float. Received: h='0.1' of type str",
        ),
        (
            lambda: finite_difference(abs, 1.0, scheme="backward"),
            ValueError,
            r"Expected `scheme` to be one of \('forward', 'central'\). "
            r"Received: scheme='backward'",
        ),
        (
            lambda: draw_graph(3.0),
            TypeError,
            r"Expected `output` to be a Scalar. Received: output=3.0 of type float",
        ),
        (
            lambda: draw_graph(Scalar(1.0), spacing=(3.0, 0)),
            ValueError,
            r"Expected `spacing\[1\]` to be a float > 0. Received: spacing\[1\]=0.0",
        ),
        (
            lambda: draw_graph(Scalar(1.0), spacing=(3.0, 2.0, 1.0)),
            ValueError,
            r"Expected `spacing` to be a pair \(horizontal, vertical\). "
            r"Received: spacing=\(3.0, 2.0, 1.0\)",
        ),
        (
            lambda: draw_graph(Scalar(1.0), spacing=2.0),
            TypeError,
            r"Expected `spacing` to be a pair of numbers. "
            r"Received: spacing=2.0 of type float",
        ),
        (
            lambda: higher_derivatives("f", 1.0),
            TypeError,
            r"Expected `function` to be a callable. Received: function='f'",
        ),
        (
            lambda: higher_derivatives(tf.sin, None),
            TypeError,
            r"Expected `x` to be a float. Received: x=None of type NoneType",
        ),
        (
            lambda: higher_derivatives(tf.sin, 1.0, order=0),
            ValueError,
            r"Expected `order` to be an int >= 1. Received: order=0",
        ),
        (
            lambda: higher_derivatives(tf.sin, 1.0, order=2.0),
            TypeError,
            r"Expected `order` to be an int. Received: order=2.0 of type float",
        ),
        (
            lambda: softmax(3.0),
            ValueError,
            r"Expected `logits` of shape \(..., classes\). Received: logits.shape=\(\)",
        ),
        (
            lambda: softmax([1.0, 2.0], stable=1),
            TypeError,
            r"Expected `stable` to be a bool. Received: stable=1 of type int",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_draw_graph_writes_integer_powers_as_superscripts():
    x = Scalar(2.0, "x")
    y = (x**2).named("y")
    z = (x**0.5).named("z")
    texts = [t.get_text() for t in draw_graph(y, ax=plt.figure().add_subplot()).texts]
    assert texts[1].startswith("y = x²\n")
    texts = [t.get_text() for t in draw_graph(z, ax=plt.figure().add_subplot()).texts]
    assert texts[1].startswith("z = x^0.5\n")


def test_numpy_scalars_are_numbers():
    a = Scalar(np.float32(2.0), "a") * np.int64(3)
    assert a.value == 6.0 and isinstance(a.value, float)
    cube = finite_difference(lambda x: x**3, np.float32(1.0), h=np.float64(1e-3))
    assert cube == pytest.approx(3.0, abs=1e-5)
    assert higher_derivatives(lambda x: x**2, np.int64(3), order=np.int64(2)) == [
        6.0,
        2.0,
    ]


def test_operations_may_overflow_to_inf_and_nan():
    big = Scalar(1e308) * 10
    assert big.value == float("inf")
    assert np.isnan((big - big).value)
