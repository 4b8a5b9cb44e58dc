import keras
import numpy as np
import pytest

from grimoire.recurrent import (
    LSTM_GATES,
    lstm_forward,
    lstm_step,
    recurrent_param_count,
    sigmoid,
    simple_rnn_forward,
    simple_rnn_step,
    split_lstm_gates,
)


@pytest.fixture
def sequences():
    return np.random.default_rng(0).normal(size=(4, 9, 3)).astype("float32")


def random_weights(layer, seed=1):
    """Give a built Keras layer random weights, biases included."""
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()]
    )


def test_simple_rnn_matches_keras(sequences):
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    layer.build(sequences.shape)
    random_weights(layer)
    expected = np.asarray(layer(sequences))
    states = simple_rnn_forward(sequences, *layer.get_weights())
    assert states.shape == (4, 9, 5)
    assert np.abs(states - expected).max() < 1e-5


def test_simple_rnn_initial_state_and_step(sequences):
    layer = keras.layers.SimpleRNN(5)
    layer.build(sequences.shape)
    random_weights(layer)
    h0 = np.full((4, 5), 0.3, dtype="float32")
    expected = np.asarray(layer(sequences, initial_state=h0))
    states = simple_rnn_forward(sequences, *layer.get_weights(), initial_state=h0)
    assert np.abs(states[:, -1] - expected).max() < 1e-5
    W, U, b = layer.get_weights()
    first = simple_rnn_step(sequences[:, 0], h0, W, U, b)
    assert np.allclose(first, states[:, 0])


def test_lstm_matches_keras_to_1e_5(sequences):
    layer = keras.layers.LSTM(6, return_sequences=True, return_state=True)
    layer.build(sequences.shape)
    random_weights(layer)
    h0 = np.full((4, 6), 0.2, dtype="float32")
    c0 = np.full((4, 6), -0.5, dtype="float32")
    out, h, c = (np.asarray(t) for t in layer(sequences, initial_state=[h0, c0]))
    outputs, (my_h, my_c) = lstm_forward(
        sequences, *layer.get_weights(), initial_state=(h0, c0)
    )
    assert np.abs(outputs - out).max() < 1e-5
    assert np.abs(my_h - h).max() < 1e-5 and np.abs(my_c - c).max() < 1e-5


def test_lstm_gate_order_matters(sequences):
    """Swapping two of Keras's gate blocks gives a different layer."""
    layer = keras.layers.LSTM(4)
    layer.build(sequences.shape)
    random_weights(layer)
    kernel, recurrent, bias = layer.get_weights()
    expected = np.asarray(layer(sequences))
    swapped = [
        np.concatenate([w[..., 4:8], w[..., :4], w[..., 8:]], axis=-1)
        for w in (kernel, recurrent, bias)
    ]
    _, (h, _) = lstm_forward(sequences, *swapped)
    assert np.abs(h - expected).max() > 1e-2


def test_lstm_step_by_hand():
    # forget gate fully open, input gate shut: the cell state is carried over
    units = 1
    kernel = np.zeros((1, 4 * units))
    recurrent = np.zeros((units, 4 * units))
    bias = np.array([-50.0, 50.0, 0.0, 50.0])
    h, c = lstm_step(
        np.ones((1, 1)), np.zeros((1, 1)), np.full((1, 1), 0.7), kernel, recurrent, bias
    )
    assert np.allclose(c, 0.7) and np.allclose(h, np.tanh(0.7))


def test_split_lstm_gates_names_and_shapes():
    blocks = split_lstm_gates(np.zeros((3, 20)))
    assert tuple(blocks) == LSTM_GATES
    assert all(block.shape == (3, 5) for block in blocks.values())


def test_sigmoid_values():
    assert np.allclose(sigmoid([0.0, 100.0, -100.0]), [0.5, 1.0, 0.0])


@pytest.mark.parametrize("kind, layer", [("simple_rnn", "SimpleRNN"), ("lstm", "LSTM")])
@pytest.mark.parametrize("features, units", [(1, 3), (7, 16)])
def test_param_count_matches_keras(kind, layer, features, units):
    model = keras.Sequential(
        [keras.Input((None, features)), getattr(keras.layers, layer)(units)]
    )
    assert recurrent_param_count(kind, features, units) == model.count_params()


def test_shape_errors(sequences):
    W, U, b = np.zeros((3, 5)), np.zeros((5, 5)), np.zeros(5)
    with pytest.raises(
        ValueError, match=r"Expected `inputs` of shape \(batch, steps, 3\)"
    ):
        simple_rnn_forward(sequences[0], W, U, b)
    with pytest.raises(
        ValueError, match=r"Expected `recurrent_kernel` of shape \(5, 5\)"
    ):
        simple_rnn_forward(sequences, W, np.zeros((5, 4)), b)
    with pytest.raises(ValueError, match=r"Expected `bias` of shape \(5,\)"):
        simple_rnn_forward(sequences, W, U, np.zeros(4))
    with pytest.raises(
        ValueError, match=r"Expected `kernel` of shape \(features, 4 \* units\)"
    ):
        lstm_forward(sequences, W, U, b)
    with pytest.raises(ValueError, match=r"Expected `initial_state` of shape \(4, 5\)"):
        simple_rnn_forward(sequences, W, U, b, initial_state=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"Expected `c0` of shape \(4, 2\)"):
        lstm_forward(
            sequences,
            np.zeros((3, 8)),
            np.zeros((2, 8)),
            np.zeros(8),
            initial_state=(np.zeros((4, 2)), np.zeros((4, 3))),
        )
    with pytest.raises(ValueError, match="Expected `weights` whose last axis holds"):
        split_lstm_gates(np.zeros(6))


def test_param_count_errors():
    with pytest.raises(ValueError, match="Expected `kind` to be one of"):
        recurrent_param_count("gru", 1, 1)
    with pytest.raises(ValueError, match="Expected `units` to be an int >= 1"):
        recurrent_param_count("lstm", 1, 0)
    with pytest.raises(TypeError, match="Expected `features` to be an int"):
        recurrent_param_count("lstm", 1.5, 2)


def test_activation_must_be_callable(sequences):
    W, U, b = np.zeros((3, 5)), np.zeros((5, 5)), np.zeros(5)
    with pytest.raises(TypeError, match="Expected `activation` to be a callable"):
        simple_rnn_forward(sequences, W, U, b, activation="relu")
    with pytest.raises(TypeError, match="Expected `activation` to be a callable"):
        simple_rnn_step(sequences[:, 0], np.zeros((4, 5)), W, U, b, activation=None)


def test_other_activation():
    W, U, b = np.ones((1, 2)), 2 * np.eye(2), np.zeros(2)
    states = simple_rnn_forward(
        np.ones((1, 3, 1)), W, U, b, activation=lambda z: np.maximum(z, 0)
    )
    assert states[0, :, 0].tolist() == [1.0, 3.0, 7.0]
