import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from grimoire.scratch import (
    BatchGenerator,
    NaiveDense,
    NaiveSequential,
    evaluate,
    fit,
    one_training_step,
    update_weights,
)


def _toy_data(n=64, seed=0):
    """Two well-separated classes in 4 dimensions."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    images = rng.normal(scale=0.3, size=(n, 4)).astype("float32")
    images[:, 0] += np.where(labels == 1, 1.0, -1.0)
    return images, labels


def _model(seed=0):
    tf.random.set_seed(seed)
    return NaiveSequential([NaiveDense(4, 8, tf.nn.relu), NaiveDense(8, 2)])


def test_naive_dense_initial_weights_and_forward_pass():
    tf.random.set_seed(0)
    layer = NaiveDense(300, 200, activation=tf.nn.relu)
    limit = math.sqrt(6 / 500)
    assert -limit <= float(tf.reduce_min(layer.W)) < -0.9 * limit
    assert 0.9 * limit < float(tf.reduce_max(layer.W)) <= limit
    np.testing.assert_array_equal(layer.b, np.zeros(200))
    positive = NaiveDense(300, 200, initializer="positive_uniform")
    assert (
        0 <= float(tf.reduce_min(positive.W)) and float(tf.reduce_max(positive.W)) < 0.1
    )
    x = tf.random.normal((5, 300))
    layer.b.assign(tf.fill((200,), 0.5))
    np.testing.assert_allclose(
        layer(x), np.maximum(x.numpy() @ layer.W.numpy() + 0.5, 0), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        positive(x), x.numpy() @ positive.W.numpy(), rtol=1e-5, atol=1e-5
    )


def test_naive_sequential_chains_layers_and_collects_weights_in_order():
    first, second = NaiveDense(4, 8, tf.nn.relu), NaiveDense(8, 3)
    model = NaiveSequential([first, second])
    x = tf.random.normal((2, 4))
    np.testing.assert_allclose(model(x), second(first(x)))
    assert [id(w) for w in model.weights] == [
        id(first.W),
        id(first.b),
        id(second.W),
        id(second.b),
    ]


def test_batch_generator_visits_every_sample_once():
    images, labels = np.arange(10)[:, None], np.arange(10)
    in_order = [
        batch.tolist() for _, batch in BatchGenerator(images, labels, batch_size=3)
    ]
    assert in_order == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    shuffled = [
        y
        for _, batch in BatchGenerator(images, labels, batch_size=3, seed=1)
        for y in batch
    ]
    assert sorted(shuffled) == list(range(10)) and shuffled != list(range(10))
    again = [
        y
        for _, batch in BatchGenerator(images, labels, batch_size=3, seed=1)
        for y in batch
    ]
    assert shuffled == again
    for x, y in BatchGenerator(images, labels, batch_size=3, seed=1):
        np.testing.assert_array_equal(x[:, 0], y)  # images stay with their labels


def test_update_weights_is_keras_sgd():
    ours = [tf.Variable([1.0, -2.0]), tf.Variable([[0.5]])]
    theirs = [tf.Variable([1.0, -2.0]), tf.Variable([[0.5]])]
    gradients = [tf.constant([0.3, -0.7]), tf.constant([[2.0]])]
    update_weights(gradients, ours, learning_rate=0.1)
    keras.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(gradients, theirs))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ours[0], [0.97, -1.93], rtol=1e-6)


def test_one_training_step_moves_weights_against_the_tape_gradient():
    images, labels = _toy_data()
    model = _model()
    before = [w.numpy() for w in model.weights]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(
            keras.losses.sparse_categorical_crossentropy(
                labels, model(images), from_logits=True
            )
        )
    gradients = tape.gradient(loss, model.weights)
    returned = one_training_step(model, images, labels, learning_rate=0.05)
    assert float(returned) == pytest.approx(float(loss))
    for old, new, g in zip(before, model.weights, gradients):
        np.testing.assert_allclose(new, old - 0.05 * g.numpy(), rtol=1e-5, atol=1e-7)


def test_one_training_step_with_keras_sgd_equals_the_hand_update_and_compiles():
    images, labels = _toy_data()
    by_hand, by_keras, compiled = _model(), _model(), _model()
    for a, b, c in zip(by_hand.weights, by_keras.weights, compiled.weights):
        b.assign(a)
        c.assign(a)
    step = tf.function(one_training_step)
    for _ in range(3):
        one_training_step(by_hand, images, labels, learning_rate=0.1)
        step(compiled, images, labels, 0.1)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    for _ in range(3):
        one_training_step(by_keras, images, labels, optimizer=optimizer)
    for a, b, c in zip(by_hand.weights, by_keras.weights, compiled.weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-6)


def test_fit_learns_a_separable_problem_eager_and_compiled(capsys):
    images, labels = _toy_data()
    eager, compiled = _model(), _model()
    for a, b in zip(eager.weights, compiled.weights):
        b.assign(a)
    eager_losses = fit(
        eager, images, labels, epochs=8, batch_size=16, learning_rate=0.2, seed=3
    )
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 8 and printed[0].startswith("epoch 1/8  loss ")
    compiled_losses = fit(
        compiled,
        images,
        labels,
        epochs=8,
        batch_size=16,
        learning_rate=0.2,
        seed=3,
        compiled=True,
        verbose=False,
    )
    assert capsys.readouterr().out == ""
    assert len(eager_losses) == 8 and eager_losses[-1] < eager_losses[0] / 2
    np.testing.assert_allclose(compiled_losses, eager_losses, rtol=1e-4)
    assert evaluate(eager, images, labels) >= 0.95


def test_fit_with_rmsprop_beats_plain_descent_at_the_same_learning_rate():
    images, labels = _toy_data()
    plain, adaptive = _model(), _model()
    for a, b in zip(plain.weights, adaptive.weights):
        b.assign(a)
    plain_losses = fit(plain, images, labels, epochs=3, batch_size=16, verbose=False)
    rmsprop_losses = fit(
        adaptive,
        images,
        labels,
        epochs=3,
        batch_size=16,
        verbose=False,
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    )
    assert rmsprop_losses[-1] < plain_losses[-1]


def test_evaluate_counts_the_largest_score():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.0, 1.0]])
    labels = np.array([1, 0, 0, 0, 1])
    assert evaluate(lambda x: x, scores, labels, batch_size=2) == pytest.approx(0.8)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: NaiveDense(0, 3),
            ValueError,
            r"Expected `input_size` to be an int >= 1. Received: input_size=0",
        ),
        (
            lambda: NaiveDense(3, 2.5),
            TypeError,
            r"Expected `output_size` to be an int. "
            r"Received: output_size=2.5 of type float",
        ),
        (
            lambda: NaiveDense(3, 2, activation="relu"),
            TypeError,
            r"Expected `activation` to be callable or None. "
            r"Received: activation='relu' of type str",
        ),
        (
            lambda: NaiveDense(3, 2, initializer="zeros"),
            ValueError,
            r"Expected `initializer` to be one of "
            r"\('glorot_uniform', 'positive_uniform'\). Received: initializer='zeros'",
        ),
        (
            lambda: NaiveDense(3, 2)(tf.ones((4, 5))),
            ValueError,
            r"Expected `inputs` of shape \(batch_size, 3\). "
            r"Received: inputs.shape=\(4, 5\)",
        ),
        (
            lambda: NaiveSequential([]),
            TypeError,
            r"Expected `layers` to be a non-empty list of layers with `weights`. "
            r"Received: layers=\[\]",
        ),
        (
            lambda: NaiveSequential([tf.nn.relu]),
            TypeError,
            r"Expected `layers` to be a non-empty list of layers with `weights`. "
            r"Received: layers=\[<function relu",
        ),
        (
            lambda: NaiveSequential(NaiveDense(2, 2)),
            TypeError,
            r"Expected `layers` to be a list of layers. Received: layers=",
        ),
        (
            lambda: BatchGenerator(np.zeros((3, 2)), np.zeros(4)),
            ValueError,
            r"Expected `images` and `labels` of the same length. "
            r"Received: len\(images\)=3, len\(labels\)=4",
        ),
        (
            lambda: BatchGenerator(np.zeros((3, 2)), np.zeros(3), batch_size=0),
            ValueError,
            r"Expected `batch_size` to be an int >= 1. Received: batch_size=0",
        ),
        (
            lambda: BatchGenerator(np.zeros((3, 2)), np.zeros(3), seed=1.5),
            TypeError,
            r"Expected `seed` to be an int. Received: seed=1.5 of type float",
        ),
        (
            lambda: update_weights([tf.ones(2)], [], 0.1),
            ValueError,
            r"Expected one gradient per weight. "
            r"Received: len\(gradients\)=1, len\(weights\)=0",
        ),
        (
            lambda: update_weights(tf.ones(2), [], 0.1),
            TypeError,
            r"Expected `gradients` to be a list or tuple. Received: gradients=",
        ),
        (
            lambda: update_weights([], [], learning_rate=-1),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=-1.0",
        ),
        (
            lambda: one_training_step(
                _model(), tf.ones((2, 4)), np.zeros(2), learning_rate=0
            ),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: one_training_step(
                _model(), tf.ones((2, 4)), np.zeros(2), learning_rate="0.1"
            ),
            TypeError,
            r"Expected `learning_rate` to be a float. Received: learning_rate='0.1'",
        ),
        (
            lambda: one_training_step("model", tf.ones((2, 4)), np.zeros(2)),
            TypeError,
            r"Expected `model` to be a callable model. Received: model='model'",
        ),
        (
            lambda: one_training_step(
                _model(), tf.ones((2, 4)), np.zeros(2), optimizer="sgd"
            ),
            TypeError,
            r"Expected `optimizer` to be a Keras optimizer or None. "
            r"Received: optimizer='sgd'",
        ),
        (
            lambda: fit(_model(), np.ones((2, 4)), np.zeros(2), epochs=0),
            ValueError,
            r"Expected `epochs` to be an int >= 1. Received: epochs=0",
        ),
        (
            lambda: fit(_model(), np.ones((2, 4)), np.zeros(2), compiled="yes"),
            TypeError,
            r"Expected `compiled` to be a bool. Received: compiled='yes' of type str",
        ),
        (
            lambda: fit(_model(), np.ones((2, 4)), np.zeros(2), seed="0"),
            TypeError,
            r"Expected `seed` to be an int. Received: seed='0' of type str",
        ),
        (
            lambda: fit(_model(), np.ones((2, 4)), np.zeros(2), verbose=1),
            TypeError,
            r"Expected `verbose` to be a bool. Received: verbose=1 of type int",
        ),
        (
            lambda: evaluate(lambda x: x, np.ones((2, 2)), np.zeros(2), batch_size=-5),
            ValueError,
            r"Expected `batch_size` to be an int >= 1. Received: batch_size=-5",
        ),
        (
            lambda: evaluate(None, np.ones((2, 2)), np.zeros(2)),
            TypeError,
            r"Expected `model` to be a callable model. Received: model=None",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_compiled_step_with_a_keras_optimizer_matches_eager():
    images, labels = _toy_data()
    eager, compiled = _model(), _model()
    for a, b in zip(eager.weights, compiled.weights):
        b.assign(a)
    eager_losses = fit(
        eager,
        images,
        labels,
        epochs=2,
        batch_size=16,
        verbose=False,
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
    )
    compiled_losses = fit(
        compiled,
        images,
        labels,
        epochs=2,
        batch_size=16,
        verbose=False,
        compiled=True,
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
    )
    np.testing.assert_allclose(compiled_losses, eager_losses, rtol=1e-4)
    for a, b in zip(eager.weights, compiled.weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_numpy_ints_are_sizes_and_seeds():
    layer = NaiveDense(np.int64(3), np.int64(2))
    assert tuple(layer(tf.ones((1, 3))).shape) == (1, 2)
    batches = BatchGenerator(
        np.zeros((5, 2)), np.arange(5), batch_size=np.int64(2), seed=np.int64(0)
    )
    assert len(batches) == 3 and sorted(np.concatenate([y for _, y in batches])) == [
        0,
        1,
        2,
        3,
        4,
    ]
