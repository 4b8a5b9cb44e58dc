"""Recurrent cells written in NumPy, with Keras's weight layout.

- :func:`simple_rnn_step` and :func:`simple_rnn_forward` compute what
  ``keras.layers.SimpleRNN`` computes, one step after the other;
- :func:`lstm_step` and :func:`lstm_forward` do the same for
  ``keras.layers.LSTM``, and :func:`split_lstm_gates` shows how Keras packs the
  four gates into one kernel;
- :func:`recurrent_param_count` counts a recurrent layer's weights.

The weights are the ones a Keras layer holds, in its order: the input
``kernel`` of shape ``(features, k · units)``, the ``recurrent_kernel`` of
shape ``(units, k · units)`` and the ``bias`` of shape ``(k · units,)``, with
``k = 1`` for a simple RNN and ``k = 4`` for an LSTM. A layer's weights can be
passed straight in: ``simple_rnn_forward(x, *layer.get_weights())``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grimoire.validation import check_choice, check_type, positive_int

__all__ = [
    "sigmoid",
    "simple_rnn_step",
    "simple_rnn_forward",
    "LSTM_GATES",
    "split_lstm_gates",
    "lstm_step",
    "lstm_forward",
    "recurrent_param_count",
]

#: Keras's order of the LSTM's four blocks in its kernel, recurrent kernel and bias.
LSTM_GATES = ("input", "forget", "candidate", "output")


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, element-wise.

    Example:
        >>> sigmoid(np.array([-2.0, 0.0, 2.0])).round(3)
        array([0.119, 0.5  , 0.881])
    """
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _weights(kernel, recurrent_kernel, bias, blocks):
    """Check a cell's three weight arrays against each other; return them as floats."""
    kernel, recurrent_kernel, bias = (
        np.asarray(w, dtype=float) for w in (kernel, recurrent_kernel, bias)
    )
    if kernel.ndim != 2 or kernel.shape[1] % blocks:
        raise ValueError(
            f"Expected `kernel` of shape (features, {blocks} * units). "
            f"Received: kernel.shape={kernel.shape}"
        )
    units = kernel.shape[1] // blocks
    if recurrent_kernel.shape != (units, blocks * units):
        raise ValueError(
            f"Expected `recurrent_kernel` of shape {(units, blocks * units)}. "
            f"Received: recurrent_kernel.shape={recurrent_kernel.shape}"
        )
    if bias.shape != (blocks * units,):
        raise ValueError(
            f"Expected `bias` of shape {(blocks * units,)}. "
            f"Received: bias.shape={bias.shape}"
        )
    return kernel, recurrent_kernel, bias


def _sequence(inputs, kernel):
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 3 or inputs.shape[2] != kernel.shape[0]:
        raise ValueError(
            "Expected `inputs` of shape (batch, steps, "
            f"{kernel.shape[0]}), as the kernel has {kernel.shape[0]} rows. "
            f"Received: inputs.shape={inputs.shape}"
        )
    return inputs


def _state(name, value, batch, units):
    if value is None:
        return np.zeros((batch, units))
    value = np.asarray(value, dtype=float)
    if value.shape != (batch, units):
        raise ValueError(
            f"Expected `{name}` of shape {(batch, units)}. "
            f"Received: {name}.shape={value.shape}"
        )
    return value


def simple_rnn_step(x_t, h_prev, kernel, recurrent_kernel, bias, activation=np.tanh):
    """One step of a simple (Elman) RNN: ``tanh(x_t W + h_prev U + b)``.

    Args:
        x_t: The inputs of this step, shape ``(batch, features)``.
        h_prev: The previous hidden state, shape ``(batch, units)``.
        kernel: ``W``, shape ``(features, units)``.
        recurrent_kernel: ``U``, shape ``(units, units)``.
        bias: ``b``, shape ``(units,)``.
        activation: The element-wise function applied last; tanh as in Keras.

    Returns:
        The new hidden state, shape ``(batch, units)``: also the step's output.

    Raises:
        TypeError: If ``activation`` is not callable.

    Example:
        >>> W, U, b = np.ones((2, 3)), 0.5 * np.eye(3), np.zeros(3)
        >>> simple_rnn_step(np.array([[0.1, 0.2]]), np.zeros((1, 3)), W, U, b).round(3)
        array([[0.291, 0.291, 0.291]])
    """
    check_type("activation", activation, Callable, expected="a callable")
    return activation(x_t @ kernel + h_prev @ recurrent_kernel + bias)


def simple_rnn_forward(
    inputs, kernel, recurrent_kernel, bias, initial_state=None, activation=np.tanh
):
    """Run a simple RNN over whole sequences and return every hidden state.

    The same three weight arrays serve at every step; the hidden state carries
    what the layer keeps from the steps before.

    Args:
        inputs: Sequences of shape ``(batch, steps, features)``.
        kernel: The input kernel, shape ``(features, units)``.
        recurrent_kernel: The recurrent kernel, shape ``(units, units)``.
        bias: The bias, shape ``(units,)``.
        initial_state: The state before the first step, shape
            ``(batch, units)``; zeros if None, as in Keras.
        activation: The element-wise function of each step; tanh as in Keras.

    Returns:
        The hidden states, shape ``(batch, steps, units)``; the last one,
        ``states[:, -1]``, is what ``SimpleRNN`` returns by default.

    Raises:
        ValueError: If the shapes of the arrays do not fit together.
        TypeError: If ``activation`` is not callable.

    Example:
        >>> W, U, b = np.ones((1, 2)), np.eye(2), np.zeros(2)
        >>> states = simple_rnn_forward(np.ones((1, 3, 1)), W, U, b)
        >>> states.shape, states[0, :, 0].round(3)
        ((1, 3, 2), array([0.762, 0.943, 0.96 ]))
    """
    check_type("activation", activation, Callable, expected="a callable")
    kernel, recurrent_kernel, bias = _weights(kernel, recurrent_kernel, bias, 1)
    inputs = _sequence(inputs, kernel)
    batch, steps, _ = inputs.shape
    h = _state("initial_state", initial_state, batch, kernel.shape[1])
    states = []
    for t in range(steps):
        h = simple_rnn_step(inputs[:, t], h, kernel, recurrent_kernel, bias, activation)
        states.append(h)
    return np.stack(states, axis=1)


def split_lstm_gates(weights):
    """Split an LSTM weight array into its four gate blocks, named.

    Keras stores the four affine maps of an LSTM side by side along the last
    axis, in the order input, forget, candidate, output (:data:`LSTM_GATES`).

    Args:
        weights: A kernel, recurrent kernel or bias whose last axis has
            ``4 · units`` entries.

    Returns:
        A dict from gate name to its block, each with ``units`` entries on
        the last axis.

    Raises:
        ValueError: If the last axis is not a multiple of 4.

    Example:
        >>> blocks = split_lstm_gates(np.arange(8))
        >>> {name: block.tolist() for name, block in blocks.items()}
        {'input': [0, 1], 'forget': [2, 3], 'candidate': [4, 5], 'output': [6, 7]}
    """
    weights = np.asarray(weights)
    if weights.ndim == 0 or weights.shape[-1] % 4:
        raise ValueError(
            "Expected `weights` whose last axis holds 4 * units entries. "
            f"Received: weights.shape={weights.shape}"
        )
    return dict(zip(LSTM_GATES, np.split(weights, 4, axis=-1)))


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One step of an LSTM, as ``keras.layers.LSTM`` computes it.

    The three gates and the candidate are affine maps of the step's input and
    the previous hidden state; the gates go through a sigmoid (Keras's
    ``recurrent_activation``), the candidate through tanh::

        i, f, o = sigmoid(.)       g = tanh(.)
        c = f * c_prev + i * g     h = o * tanh(c)

    Args:
        x_t: The inputs of this step, shape ``(batch, features)``.
        h_prev: The previous hidden state, shape ``(batch, units)``.
        c_prev: The previous cell state, shape ``(batch, units)``.
        kernel: Shape ``(features, 4 · units)``, blocks in the order i, f, c, o.
        recurrent_kernel: Shape ``(units, 4 · units)``, same order.
        bias: Shape ``(4 · units,)``, same order.

    Returns:
        ``(h, c)``: the new hidden state and cell state.

    Example:
        >>> W, U = np.ones((1, 4)), np.zeros((1, 4))
        >>> h, c = lstm_step(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)),
        ...                  W, U, np.zeros(4))
        >>> float(c[0, 0].round(3)), float(h[0, 0].round(3))
        (1.288, 0.628)
    """
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    gates = split_lstm_gates(z)
    i = sigmoid(gates["input"])
    f = sigmoid(gates["forget"])
    g = np.tanh(gates["candidate"])
    o = sigmoid(gates["output"])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c


def lstm_forward(inputs, kernel, recurrent_kernel, bias, initial_state=None):
    """Run an LSTM over whole sequences with :func:`lstm_step`.

    Args:
        inputs: Sequences of shape ``(batch, steps, features)``.
        kernel: Shape ``(features, 4 · units)``.
        recurrent_kernel: Shape ``(units, 4 · units)``.
        bias: Shape ``(4 · units,)``.
        initial_state: ``(h0, c0)``, each ``(batch, units)``; zeros if None.

    Returns:
        ``(outputs, (h, c))``: the hidden states of every step, shape
        ``(batch, steps, units)``, and the final hidden and cell states.

    Raises:
        ValueError: If the shapes of the arrays do not fit together.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> W, U, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), np.zeros(8)
        >>> outputs, (h, c) = lstm_forward(rng.normal(size=(5, 7, 3)), W, U, b)
        >>> outputs.shape, h.shape, bool(np.allclose(outputs[:, -1], h))
        ((5, 7, 2), (5, 2), True)
    """
    kernel, recurrent_kernel, bias = _weights(kernel, recurrent_kernel, bias, 4)
    inputs = _sequence(inputs, kernel)
    batch, steps, _ = inputs.shape
    units = kernel.shape[1] // 4
    h0, c0 = (None, None) if initial_state is None else initial_state
    h = _state("h0", h0, batch, units)
    c = _state("c0", c0, batch, units)
    outputs = []
    for t in range(steps):
        h, c = lstm_step(inputs[:, t], h, c, kernel, recurrent_kernel, bias)
        outputs.append(h)
    return np.stack(outputs, axis=1), (h, c)


_BLOCKS = {"simple_rnn": 1, "lstm": 4}


def recurrent_param_count(kind, features, units):
    """The number of weights of a recurrent layer, whatever the sequence length.

    A simple RNN has a kernel ``features × units``, a recurrent kernel
    ``units × units`` and a bias ``units``; an LSTM has four of each, one per
    gate and one for the candidate.

    Args:
        kind: ``"simple_rnn"`` or ``"lstm"``.
        features: Features per step, an int >= 1.
        units: Size of the hidden state, an int >= 1.

    Returns:
        ``k · units · (features + units + 1)`` with ``k`` 1 or 4.

    Raises:
        ValueError: If ``kind`` is unknown or a size is not positive.
        TypeError: If a size is not an int.

    Example:
        >>> [recurrent_param_count(kind, 1, 3) for kind in ("simple_rnn", "lstm")]
        [15, 60]
    """
    check_choice("kind", kind, tuple(_BLOCKS))
    features, units = positive_int("features", features), positive_int("units", units)
    return _BLOCKS[kind] * units * (features + units + 1)
