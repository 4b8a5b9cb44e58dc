import keras
import numpy as np
import pytest

from grimoire import losses

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(6, 4)).astype("float32")
LABELS = np.array([0, 3, 1, 2, 3, 0])
ONE_HOT = np.eye(4, dtype="float32")[LABELS]
PROBS = np.asarray(keras.ops.softmax(LOGITS))
MULTI = (RNG.random((6, 4)) > 0.5).astype("float32")
SIGMOID = 1 / (1 + np.exp(-LOGITS))
TARGETS = RNG.normal(size=(6, 2)).astype("float32")
OUTPUTS = TARGETS + RNG.normal(scale=2.0, size=(6, 2)).astype("float32")


def keras_value(loss, y_true, y_pred):
    return float(loss(y_true, y_pred))


@pytest.mark.parametrize(
    "ours, theirs, y_true, y_pred",
    [
        (
            lambda t, p: losses.binary_crossentropy(t, p),
            keras.losses.BinaryCrossentropy(),
            MULTI,
            SIGMOID,
        ),
        (
            lambda t, p: losses.binary_crossentropy(t, p, from_logits=True),
            keras.losses.BinaryCrossentropy(from_logits=True),
            MULTI,
            LOGITS,
        ),
        (
            lambda t, p: losses.binary_crossentropy(t, p),
            keras.losses.BinaryCrossentropy(),
            MULTI[:, 0],
            SIGMOID[:, 0],
        ),
        (
            lambda t, p: losses.categorical_crossentropy(t, p),
            keras.losses.CategoricalCrossentropy(),
            ONE_HOT,
            PROBS,
        ),
        (
            lambda t, p: losses.categorical_crossentropy(t, p, from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
            ONE_HOT,
            LOGITS,
        ),
        (
            lambda t, p: losses.sparse_categorical_crossentropy(t, p),
            keras.losses.SparseCategoricalCrossentropy(),
            LABELS,
            PROBS,
        ),
        (
            lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            LABELS,
            LOGITS,
        ),
        (losses.mean_squared_error, keras.losses.MeanSquaredError(), TARGETS, OUTPUTS),
        (
            losses.mean_absolute_error,
            keras.losses.MeanAbsoluteError(),
            TARGETS,
            OUTPUTS,
        ),
        (losses.huber, keras.losses.Huber(), TARGETS, OUTPUTS),
        (
            lambda t, p: losses.huber(t, p, delta=0.5),
            keras.losses.Huber(delta=0.5),
            TARGETS,
            OUTPUTS,
        ),
    ],
)
def test_matches_keras(ours, theirs, y_true, y_pred):
    assert ours(y_true, y_pred) == pytest.approx(
        keras_value(theirs, y_true, y_pred), rel=1e-5, abs=1e-6
    )


def test_sparse_equals_categorical_on_one_hot():
    assert losses.sparse_categorical_crossentropy(LABELS, PROBS) == pytest.approx(
        losses.categorical_crossentropy(ONE_HOT, PROBS)
    )


def test_logits_and_probabilities_agree():
    assert losses.categorical_crossentropy(
        ONE_HOT, LOGITS, from_logits=True
    ) == pytest.approx(losses.categorical_crossentropy(ONE_HOT, PROBS), rel=1e-5)
    assert losses.binary_crossentropy(MULTI, LOGITS, from_logits=True) == pytest.approx(
        losses.binary_crossentropy(MULTI, SIGMOID), rel=1e-5
    )


def test_confident_wrong_answer_is_finite_but_large():
    value = losses.binary_crossentropy([1.0], [0.0])
    assert np.isfinite(value) and value == pytest.approx(
        -np.log(losses.EPSILON), rel=1e-6
    )


def test_logits_are_stable_for_huge_scores():
    assert losses.binary_crossentropy(
        [1.0, 0.0], [1000.0, -1000.0], from_logits=True
    ) == pytest.approx(0.0)
    assert losses.categorical_crossentropy(
        [[0.0, 1.0]], [[0.0, 1000.0]], from_logits=True
    ) == pytest.approx(0.0)


def test_huber_is_quadratic_then_linear():
    assert losses.huber([0.0], [0.5]) == pytest.approx(0.125)
    assert losses.huber([0.0], [3.0]) == pytest.approx(2.5)
    assert losses.huber([0.0], [3.0], delta=10.0) == pytest.approx(4.5)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: losses.mean_squared_error([1.0, 2.0], [1.0]),
            ValueError,
            r"Expected `y_true` and `y_pred` to have the same shape. "
            r"Received: y_true.shape=\(2,\), y_pred.shape=\(1,\)",
        ),
        (
            lambda: losses.mean_absolute_error(1.0, 2.0),
            ValueError,
            r"Expected `y_pred` to have at least one dimension \(a batch\). "
            r"Received: a scalar",
        ),
        (
            lambda: losses.binary_crossentropy([1.0], [0.5], from_logits="yes"),
            TypeError,
            r"Expected `from_logits` to be a bool. "
            r"Received: from_logits='yes' of type str",
        ),
        (
            lambda: losses.categorical_crossentropy([[1.0]], [[1.0]], from_logits=1),
            TypeError,
            r"Expected `from_logits` to be a bool. Received: from_logits=1 of type int",
        ),
        (
            lambda: losses.categorical_crossentropy([1.0, 0.0], [0.3, 0.7]),
            ValueError,
            r"Expected `y_pred` of shape \(n, classes\). Received: y_pred.shape=\(2,\)",
        ),
        (
            lambda: losses.sparse_categorical_crossentropy([0, 1], [[0.5, 0.5]]),
            ValueError,
            r"Expected `y_true` of shape \(n,\) and `y_pred` of shape \(n, classes\). "
            r"Received: y_true.shape=\(2,\), y_pred.shape=\(1, 2\)",
        ),
        (
            lambda: losses.sparse_categorical_crossentropy([0.5], [[0.5, 0.5]]),
            ValueError,
            r"Expected `y_true` to hold integer class indices. "
            r"Received: y_true=\[0.5\]",
        ),
        (
            lambda: losses.sparse_categorical_crossentropy([2], [[0.5, 0.5]]),
            ValueError,
            r"Expected `y_true` to hold class indices in \[0, 2\). "
            r"Received: labels from 2 to 2",
        ),
        (
            lambda: losses.huber([0.0], [1.0], delta=0),
            ValueError,
            r"Expected `delta` to be a float > 0. Received: delta=0.0",
        ),
        (
            lambda: losses.huber([0.0], [1.0], delta="1"),
            TypeError,
            r"Expected `delta` to be a float. Received: delta='1' of type str",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_delta_is_a_number():
    assert losses.huber([0.0], [3.0], delta=np.float32(10.0)) == pytest.approx(4.5)
