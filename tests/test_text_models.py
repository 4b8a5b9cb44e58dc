"""Bag-of-words and sequence models; masking makes padding irrelevant."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from grimoire.text_models import (
    build_bag_model,
    build_sequence_model,
    confusion_matrix,
    plot_confusion_matrix,
    train_and_evaluate,
)

TOKENS = [5, 7, 2, 9, 11, 3]


def padded(tokens, length):
    return np.array([tokens + [0] * (length - len(tokens))])


@pytest.mark.parametrize("bidirectional", [True, False])
def test_masked_model_ignores_the_amount_of_padding(bidirectional):
    keras.utils.set_random_seed(0)
    model = build_sequence_model(
        50, embedding_dim=4, units=3, bidirectional=bidirectional
    )
    outputs = [model(padded(TOKENS, length)).numpy() for length in (6, 8, 40)]
    assert np.abs(outputs[1] - outputs[0]).max() < 1e-6
    assert np.abs(outputs[2] - outputs[0]).max() < 1e-6


@pytest.mark.parametrize("bidirectional", [True, False])
def test_masked_model_ignores_what_sits_in_the_padded_positions(bidirectional):
    """Change the padding's vector: a masked model does not notice."""
    keras.utils.set_random_seed(0)
    model = build_sequence_model(
        50, embedding_dim=4, units=3, bidirectional=bidirectional
    )
    inputs = padded(TOKENS, 30)
    before = model(inputs).numpy()
    embedding = model.get_layer("embedding")
    weights = embedding.get_weights()[0]
    weights[0] = 3.0  # the vector of index 0, the padding
    embedding.set_weights([weights])
    assert np.abs(model(inputs).numpy() - before).max() < 1e-6


@pytest.mark.parametrize("bidirectional", [True, False])
def test_without_masking_padding_changes_the_output(bidirectional):
    """The guard: the same checks fail on a model without masking."""
    keras.utils.set_random_seed(0)
    model = build_sequence_model(
        50, embedding_dim=4, units=3, bidirectional=bidirectional, mask_zero=False
    )
    short, long = model(padded(TOKENS, 6)).numpy(), model(padded(TOKENS, 40)).numpy()
    assert np.abs(long - short).max() > 1e-4
    embedding = model.get_layer("embedding")
    weights = embedding.get_weights()[0]
    weights[0] = 3.0
    embedding.set_weights([weights])
    assert np.abs(model(padded(TOKENS, 40)).numpy() - long).max() > 1e-4


@pytest.mark.slow
def test_frozen_embeddings_are_used_and_stay_put():
    vectors = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    model = build_sequence_model(20, embedding_dim=3, units=2, embeddings=vectors)
    embedding = model.get_layer("embedding")
    assert not embedding.trainable
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    model.fit(x, np.array([0, 1]), epochs=2, verbose=0)
    assert np.array_equal(embedding.get_weights()[0], vectors)


@pytest.mark.slow
def test_scratch_embeddings_learn():
    keras.utils.set_random_seed(0)
    model = build_sequence_model(20, embedding_dim=3, units=2)
    before = model.get_layer("embedding").get_weights()[0].copy()
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    model.fit(x, np.array([0, 1]), epochs=2, verbose=0)
    assert not np.array_equal(model.get_layer("embedding").get_weights()[0], before)


@pytest.mark.slow
def test_bag_model_trains_on_sparse_multi_hot_rows():
    keras.utils.set_random_seed(0)
    rows = np.zeros((64, 30), dtype="float32")
    labels = np.arange(64) % 2
    rows[labels == 1, 3] = 1.0  # token 3 marks the positive texts
    rows[:, 7] = 1.0
    sparse = tf.sparse.from_dense(rows)
    model = build_bag_model(30, hidden_units=4, dropout=0.0)
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(sparse, labels, epochs=30, batch_size=16, verbose=0)
    assert model.evaluate(sparse, labels, verbose=0)[1] == 1.0
    dense = build_bag_model(30, sparse=False)
    assert dense.count_params() == model.count_params() + 12 * 30 + 12 * 1 + 12


def test_train_and_evaluate_takes_sparse_rows(capsys):
    keras.utils.set_random_seed(0)
    rows = np.zeros((32, 6), dtype="float32")
    labels = np.arange(32) % 2
    rows[labels == 1, 2] = 1.0
    rows[:, 4] = 1.0
    sparse = tf.sparse.from_dense(rows)
    model = build_bag_model(6, hidden_units=3, dropout=0.0)
    history, accuracy = train_and_evaluate(
        model, (sparse, labels), (sparse, labels), epochs=2, batch_size=8
    )
    assert len(history["loss"]) == 2 and 0 <= accuracy <= 1
    assert capsys.readouterr().out.count("epoch ") == 2


def test_confusion_matrix_counts_pairs():
    matrix = confusion_matrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2], num_classes=3)
    assert matrix.tolist() == [[1, 1, 0], [1, 2, 0], [0, 0, 1]]
    assert confusion_matrix([], []).tolist() == [[0, 0], [0, 0]]


def test_plot_confusion_matrix_draws_every_count():
    ax = plot_confusion_matrix(np.array([[1200, 3], [45, 7]]), ["neg", "pos"])
    assert [t.get_text() for t in ax.texts] == ["1,200", "3", "45", "7"]
    assert ax.get_ylabel() == "true class"


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: build_bag_model(0), ValueError, "Expected `num_tokens` to be an int"),
        (
            lambda: train_and_evaluate("model", ([0], [0]), ([0], [0])),
            TypeError,
            "Expected `model` to be a keras.Model",
        ),
        (
            lambda: train_and_evaluate(build_bag_model(3), ([0],), ([0], [0])),
            ValueError,
            r"Expected `train` to be a pair \(inputs, labels\)",
        ),
        (
            lambda: train_and_evaluate(
                build_bag_model(3), (np.ones((2, 3)), [0]), ([0], [0])
            ),
            ValueError,
            "Expected `train` inputs and labels of the same length",
        ),
        (
            lambda: train_and_evaluate(
                build_bag_model(3), ([0], [0]), ([0], [0]), epochs=0
            ),
            ValueError,
            "Expected `epochs` to be an int >= 1",
        ),
        (
            lambda: train_and_evaluate(
                build_bag_model(3), ([0], [0]), ([0], [0]), log=1
            ),
            TypeError,
            "Expected `log` to be a bool",
        ),
        (
            lambda: build_bag_model(10, dropout=1.0),
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\)",
        ),
        (
            lambda: build_bag_model(10, sparse="yes"),
            TypeError,
            "Expected `sparse` to be a bool",
        ),
        (
            lambda: build_sequence_model(10, units=0),
            ValueError,
            "Expected `units` to be an int >= 1",
        ),
        (
            lambda: build_sequence_model(10, mask_zero=1),
            TypeError,
            "Expected `mask_zero` to be a bool",
        ),
        (
            lambda: build_sequence_model(
                10, embedding_dim=3, embeddings=np.ones((9, 3))
            ),
            ValueError,
            r"Expected `embeddings` of shape \(10, 3\)",
        ),
        (
            lambda: confusion_matrix([0, 1], [0]),
            ValueError,
            "Expected `y_true` and `y_pred` of the same shape",
        ),
        (
            lambda: confusion_matrix([0, 2], [0, 1]),
            ValueError,
            r"Expected labels in \[0, 2\)",
        ),
        (
            lambda: confusion_matrix([0], [0], num_classes=1.5),
            TypeError,
            "Expected `num_classes` to be an int",
        ),
        (
            lambda: plot_confusion_matrix(np.ones((2, 3)), ["a", "b"]),
            ValueError,
            "Expected a square `matrix`",
        ),
        (
            lambda: plot_confusion_matrix(np.ones((2, 2)), "ab"),
            TypeError,
            "Expected `class_names` to be a list of str",
        ),
        (
            lambda: plot_confusion_matrix(np.ones((2, 2)), ["a", "b"], ax=3),
            TypeError,
            "Expected `ax` to be matplotlib Axes",
        ),
        (
            lambda: plot_confusion_matrix(np.ones((2, 2)), ["a"]),
            ValueError,
            "Expected 2 `class_names`",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
