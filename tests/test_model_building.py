import keras
import numpy as np
import pytest
from keras import layers

from grimoire.model_building import (
    Linear,
    MLPClassifier,
    build_ticket_model,
    dense_params,
    dense_stack_params,
    layer_graph,
    make_ticket_data,
)


@pytest.mark.parametrize(
    "input_size, units",
    [
        (3, [32, 10]),
        (784, [512, 10]),
        (5, [1]),
        (20, [64, 64, 32, 4]),
    ],
)
def test_stack_counts_match_keras(input_size, units):
    model = keras.Sequential(
        [keras.Input((input_size,))] + [layers.Dense(u) for u in units]
    )
    counts = dense_stack_params(input_size, units)
    assert sum(counts) == model.count_params()
    assert counts == [layer.count_params() for layer in model.layers]


def test_the_notes_example():
    assert dense_params(3, 32) == 32 * 3 + 32 == 128


def test_linear_matches_dense_with_the_same_weights():
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    mine = Linear(5, activation="relu")
    theirs = layers.Dense(5, activation="relu")
    mine(x), theirs(x)
    theirs.set_weights(mine.get_weights())
    np.testing.assert_allclose(mine(x), theirs(x), rtol=1e-6)
    assert mine.count_params() == dense_params(3, 5)


def test_linear_round_trips_through_config():
    layer = Linear(3, activation="tanh", name="lin")
    clone = Linear.from_config(layer.get_config())
    assert clone.units == 3 and clone.name == "lin"
    assert clone.activation is keras.activations.tanh


def test_mlp_classifier_outputs_probabilities_and_dropout_only_in_training():
    keras.utils.set_random_seed(0)
    model = MLPClassifier([16, 8], num_classes=4, dropout=0.5)
    x = np.ones((3, 6), "float32")
    out = model(x)
    np.testing.assert_allclose(np.sum(out, axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(model(x), out)  # inference is deterministic
    assert model.count_params() == sum(dense_stack_params(6, [16, 8, 4]))
    assert not np.allclose(model(x, training=True), out)


def test_ticket_model_trains_with_lists_and_dicts():
    keras.utils.set_random_seed(0)
    inputs, targets = make_ticket_data(
        400, vocabulary_size=40, num_tags=6, num_departments=3
    )
    model = build_ticket_model(
        vocabulary_size=40, num_tags=6, num_departments=3, hidden_units=16
    )
    model.compile(
        optimizer="adam",
        loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
    )
    first = model.evaluate(
        [inputs["title"], inputs["body"], inputs["tags"]],
        [targets["priority"], targets["department"]],
        verbose=0,
    )[0]
    model.fit(inputs, targets, epochs=15, batch_size=32, verbose=0)
    last = model.evaluate(inputs, targets, verbose=0)[0]
    assert last < 0.7 * first
    priority, department = model.predict(inputs, verbose=0)
    assert priority.shape == (400, 1) and department.shape == (400, 3)
    assert (department.argmax(axis=1) == targets["department"]).mean() > 0.8


def test_ticket_data_is_deterministic_and_balanced_enough():
    a, ta = make_ticket_data(200, seed=3)
    b, tb = make_ticket_data(200, seed=3)
    np.testing.assert_array_equal(a["body"], b["body"])
    assert set(np.unique(ta["department"])) == {0, 1, 2, 3}
    assert 0.2 < ta["priority"].mean() < 0.8


def test_layer_graph_lists_inbound_layers_and_shapes():
    model = build_ticket_model(
        vocabulary_size=10, num_tags=3, num_departments=2, hidden_units=4
    )
    lines = layer_graph(model).splitlines()
    assert len(lines) == len(model.layers)
    mixed = next(line for line in lines if line.startswith("mixed"))
    assert "title, body, tags" in mixed and "(None, 23)" in mixed
    assert "features" in next(line for line in lines if line.startswith("department"))


def test_layer_graph_on_sequential():
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(2, name="d1"), layers.Dense(1, name="d2")]
    )
    text = layer_graph(model)
    assert "d2" in text and "<- d1" in text and "(None, 1)" in text


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: dense_params(0, 3),
            ValueError,
            r"Expected `input_size` to be an int >= 1. Received: input_size=0",
        ),
        (
            lambda: dense_params(3, 2.0),
            TypeError,
            r"Expected `units` to be an int. Received: units=2.0 of type float",
        ),
        (
            lambda: dense_stack_params(3, []),
            ValueError,
            r"Expected `units` to list at least one layer width. Received: units=\[\]",
        ),
        (
            lambda: dense_stack_params(3, [4, -1]),
            ValueError,
            r"Expected `units` to be an int >= 1. Received: units=-1",
        ),
        (
            lambda: dense_stack_params(3, 4),
            TypeError,
            r"Expected `units` to be an iterable of ints. Received: units=4",
        ),
        (
            lambda: Linear(0),
            ValueError,
            r"Expected `units` to be an int >= 1. Received: units=0",
        ),
        (
            lambda: Linear(2, activation=3),
            TypeError,
            r"Expected `activation` to be a name, a function or None. "
            r"Received: activation=3 of type int",
        ),
        (
            lambda: MLPClassifier([0]),
            ValueError,
            r"Expected `hidden_units` to be an int >= 1. Received: hidden_units=0",
        ),
        (
            lambda: MLPClassifier(8),
            TypeError,
            r"Expected `hidden_units` to be an iterable. Received: hidden_units=8",
        ),
        (
            lambda: MLPClassifier(num_classes=True),
            TypeError,
            r"Expected `num_classes` to be an int. Received: num_classes=True",
        ),
        (
            lambda: MLPClassifier(dropout=1.0),
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\). Received: dropout=1.0",
        ),
        (
            lambda: build_ticket_model(hidden_units=0),
            ValueError,
            r"Expected `hidden_units` to be an int >= 1. Received: hidden_units=0",
        ),
        (
            lambda: build_ticket_model(vocabulary_size="5"),
            TypeError,
            r"Expected `vocabulary_size` to be an int. "
            r"Received: vocabulary_size='5' of type str",
        ),
        (
            lambda: make_ticket_data(0),
            ValueError,
            r"Expected `num_samples` to be an int >= 1. Received: num_samples=0",
        ),
        (
            lambda: make_ticket_data(5, vocabulary_size=2, num_departments=3),
            ValueError,
            r"Expected `vocabulary_size` to be an int >= 3. "
            r"Received: vocabulary_size=2",
        ),
        (
            lambda: make_ticket_data(5, num_tags=2),
            ValueError,
            r"Expected `num_tags` to be an int >= 3. Received: num_tags=2",
        ),
        (
            lambda: make_ticket_data(5, seed=0.5),
            TypeError,
            r"Expected `seed` to be an int. Received: seed=0.5 of type float",
        ),
        (
            lambda: layer_graph("model"),
            TypeError,
            r"Expected `model` to be a keras.Model. "
            r"Received: model='model' of type str",
        ),
        (
            lambda: layer_graph(MLPClassifier([2], 2)),
            ValueError,
            r"Expected `model` to be a functional or Sequential model with a static "
            r"graph. Received: MLPClassifier",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_ints_are_sizes():
    assert dense_stack_params(np.int64(3), np.array([32, 10])) == [128, 330]
    layer = Linear(np.int64(4))
    assert tuple(layer(np.ones((2, 3), "float32")).shape) == (2, 4)
    model = build_ticket_model(np.int64(10), np.int64(3), np.int64(2), np.int64(4))
    assert model.output_names == ["priority", "department"]
    inputs, _ = make_ticket_data(np.int64(4), np.int64(6), np.int64(3), np.int64(2))
    assert inputs["tags"].shape == (4, 3)
