"""A long-memory task, and the gradients of recurrent networks measured on it.

- :func:`first_step_task` makes sequences whose class is given by their
  first step and followed by noise;
- :class:`ChronoBias` initializes an LSTM's gates for long memories;
- :func:`build_memory_classifier` puts several independently initialized
  recurrent classifiers side by side, so that one ``fit`` trains several seeds;
  :func:`copy_accuracies` scores each of them;
- :func:`input_gradient_norms` measures how much the loss depends on each
  input step: backpropagation through time, made visible;
- :func:`trial_sgd_step` takes one SGD step, with or without gradient
  clipping, measures it, and undoes it.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    keras_model,
    positive_float,
    positive_int,
)

__all__ = [
    "first_step_task",
    "ChronoBias",
    "build_memory_classifier",
    "copy_accuracies",
    "input_gradient_norms",
    "trial_sgd_step",
]


def first_step_task(n, steps=100, noise=1.0, seed=0):
    """Sequences whose class is written in their first step, then only noise.

    Each step has two features: a *marker*, 1 at the first step and 0 after,
    and a *value*, the class as -1 or +1 at the first step and Gaussian noise
    of standard deviation ``noise`` at every later step. To answer, a model
    must carry the first value to the end of the sequence and ignore the rest.

    Args:
        n: Number of sequences, an int >= 1.
        steps: Steps per sequence, an int >= 2.
        noise: Standard deviation of the later values, a float >= 0.
        seed: Seed of the random generator, an int >= 0.

    Returns:
        ``(inputs, labels)``: float32 arrays of shapes ``(n, steps, 2)`` and
        ``(n,)``, the labels 0 or 1.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If an argument is out of range.

    Example:
        >>> x, y = first_step_task(4, steps=5, seed=1)
        >>> x.shape, y.tolist()
        ((4, 5, 2), [0.0, 1.0, 1.0, 1.0])
        >>> x[:, 0].tolist()
        [[1.0, -1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    """
    n = positive_int("n", n)
    steps = check_scalar("steps", steps, int, min_value=2)
    noise = check_scalar("noise", noise, float, min_value=0)
    seed = check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    inputs = np.zeros((n, steps, 2), dtype="float32")
    inputs[:, 1:, 1] = rng.normal(0.0, noise, (n, steps - 1))
    inputs[:, 0, 0] = 1.0
    inputs[:, 0, 1] = 2 * labels - 1
    return inputs, labels.astype("float32")


class ChronoBias(keras.initializers.Initializer):
    """An LSTM bias that starts the gates with memories up to ``max_steps`` long.

    Keras's default LSTM starts with a forget-gate bias of 1: each step keeps
    ``sigmoid(1) ≈ 0.73`` of the cell state, a memory of a few steps. The
    *chrono* initialization of Tallec and Ollivier (2018) draws each unit's
    forget bias as ``log(u)`` with ``u`` uniform in ``[1, max_steps - 1]``,
    and its input bias as the opposite: units that keep their cell state for
    about ``u`` steps, and let little of each new step in. The candidate and
    output biases start at 0. Use it with ``unit_forget_bias=False``.

    Args:
        max_steps: The longest memory to prepare for, an int >= 3.
        seed: Seed of the draw, an int >= 0.

    Raises:
        TypeError: If an argument is not an int.
        ValueError: If an argument is out of range.

    Example:
        >>> bias = np.asarray(ChronoBias(100, seed=0)((8,)))
        >>> [round(float(value), 2) for value in bias]
        [-4.15, -3.31, 4.15, 3.31, 0.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, max_steps, seed=0):
        self.max_steps = check_scalar("max_steps", max_steps, int, min_value=3)
        self.seed = check_scalar("seed", seed, int, min_value=0)

    def __call__(self, shape, dtype=None):
        units = shape[0] // 4
        rng = np.random.default_rng(self.seed)
        forget = np.log(rng.uniform(1.0, self.max_steps - 1, units))
        zeros = np.zeros(2 * units)
        bias = np.concatenate([-forget, forget, zeros])  # order i, f, c, o
        return keras.ops.convert_to_tensor(bias, dtype=dtype or "float32")

    def get_config(self):
        return {"max_steps": self.max_steps, "seed": self.seed}


def build_memory_classifier(
    kind, steps, features=2, units=16, copies=1, chrono=False, recurrent_gain=1.0
):
    """Recurrent binary classifiers side by side, trained together, learning apart.

    The model reads one batch of sequences into ``copies`` recurrent layers,
    each initialized from its own seed (0, 1, ...) and followed by its own
    ``Dense(1, sigmoid)`` head; its output has one column per copy. No weight
    is shared, and each column's loss depends on its own copy only, so one
    ``fit`` trains ``copies`` independent networks on the same batches: a
    run over several seeds for the price of one.

    Args:
        kind: ``"simple_rnn"`` or ``"lstm"``.
        steps: Steps per sequence, an int >= 1.
        features: Features per step, an int >= 1.
        units: Size of each hidden state, an int >= 1.
        copies: Number of independent networks, an int >= 1.
        chrono: For an LSTM, initialize its bias with :class:`ChronoBias`
            (``max_steps=steps``) instead of Keras's forget bias of 1.
        recurrent_gain: Scale of the orthogonal recurrent kernels (Keras's
            default is 1), a float > 0.

    Returns:
        An uncompiled ``keras.Model`` with output shape ``(None, copies)``.

    Raises:
        TypeError: If a size is not an int or ``chrono`` is not a bool.
        ValueError: If ``kind`` is unknown, a size is out of range, or
            ``chrono`` is asked of a simple RNN.

    Example:
        >>> model = build_memory_classifier("lstm", 50, copies=3, chrono=True)
        >>> model.output_shape, model.count_params()
        ((None, 3), 3699)
    """
    check_choice("kind", kind, ("simple_rnn", "lstm"))
    steps, features = positive_int("steps", steps), positive_int("features", features)
    units, copies = positive_int("units", units), positive_int("copies", copies)
    check_type("chrono", chrono, bool)
    recurrent_gain = positive_float("recurrent_gain", recurrent_gain)
    if chrono and kind != "lstm":
        raise ValueError(
            f"Expected `chrono` only with kind='lstm'. Received: kind={kind!r}"
        )
    inputs = keras.Input((steps, features), name="sequences")
    heads = []
    for seed in range(copies):
        options = dict(
            kernel_initializer=keras.initializers.GlorotUniform(seed),
            recurrent_initializer=keras.initializers.Orthogonal(
                gain=recurrent_gain, seed=seed
            ),
            name=f"{kind}_{seed}",
        )
        if kind == "simple_rnn":
            layer = keras.layers.SimpleRNN(units, **options)
        elif chrono:
            bias = ChronoBias(steps if steps >= 3 else 3, seed)
            layer = keras.layers.LSTM(
                units, unit_forget_bias=False, bias_initializer=bias, **options
            )
        else:
            layer = keras.layers.LSTM(units, **options)
        head = keras.layers.Dense(
            1,
            activation="sigmoid",
            kernel_initializer=keras.initializers.GlorotUniform(seed),
            name=f"head_{seed}",
        )
        heads.append(head(layer(inputs)))
    outputs = heads[0] if copies == 1 else keras.layers.Concatenate()(heads)
    return keras.Model(inputs, outputs, name=f"{kind}_classifiers")


def copy_accuracies(model, inputs, labels):
    """The accuracy of each copy of a :func:`build_memory_classifier` model.

    Args:
        model: A model whose outputs are probabilities, one column per copy.
        inputs: The sequences.
        labels: The labels, 0 or 1, shape ``(n,)``.

    Returns:
        A float array with one accuracy per copy.

    Raises:
        TypeError: If ``model`` is not a ``keras.Model``.
        ValueError: If ``labels`` does not have one entry per sequence.

    Example:
        >>> model = build_memory_classifier("simple_rnn", 4, copies=2)
        >>> x, y = first_step_task(6, steps=4)
        >>> copy_accuracies(model, x, y).shape
        (2,)
    """
    keras_model("model", model)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(inputs):
        raise ValueError(
            "Expected `labels` to have one entry per sequence. "
            f"Received: {len(labels)} labels for {len(inputs)} sequences"
        )
    probabilities = model.predict(inputs, verbose=0, batch_size=1000)
    return ((probabilities > 0.5) == (labels[:, None] > 0.5)).mean(axis=0)


def input_gradient_norms(model, inputs, labels):
    """How strongly the loss depends on each input step: ``‖∂L/∂x_t‖`` per step.

    The loss is the binary cross-entropy of each sequence (of each copy, if
    the model has several output columns); its gradient with respect to the
    inputs is computed by backpropagation through time, and the Euclidean
    norm over the features of step ``t`` is averaged over the sequences.

    Args:
        model: A model from sequences to probabilities.
        inputs: Sequences of shape ``(n, steps, features)``.
        labels: The labels, 0 or 1, shape ``(n,)``.

    Returns:
        A float array of shape ``(steps,)``.

    Raises:
        TypeError: If ``model`` is not a ``keras.Model``.
        ValueError: If ``inputs`` is not 3-D.

    Example:
        >>> model = build_memory_classifier("simple_rnn", 6)
        >>> x, y = first_step_task(8, steps=6)
        >>> norms = input_gradient_norms(model, x, y)
        >>> norms.shape, bool(norms[-1] > norms[0])
        ((6,), True)
    """
    keras_model("model", model)
    inputs = tf.convert_to_tensor(np.asarray(inputs, dtype="float32"))
    if inputs.shape.rank != 3:
        raise ValueError(
            "Expected `inputs` of shape (n, steps, features). "
            f"Received: inputs.shape={tuple(inputs.shape)}"
        )
    labels = tf.reshape(tf.convert_to_tensor(labels, dtype="float32"), (-1, 1))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        probabilities = model(inputs)
        targets = tf.broadcast_to(labels, tf.shape(probabilities))
        loss = keras.losses.binary_crossentropy(
            targets[..., None], probabilities[..., None]
        )
        total = tf.reduce_sum(loss)  # sum: each sequence keeps its own gradient
    gradient = tape.gradient(total, inputs).numpy()
    return np.sqrt((gradient.astype(float) ** 2).sum(axis=2)).mean(axis=0)


def trial_sgd_step(model, inputs, labels, learning_rate=0.01, clipnorm=None):
    """Take one SGD step on a batch, measure it, and put the weights back.

    Args:
        model: A model from sequences to probabilities.
        inputs: A batch of sequences.
        labels: Its labels, 0 or 1.
        learning_rate: The SGD learning rate, a float > 0.
        clipnorm: If given (a float > 0), the optimizer rescales each
            variable's gradient whose norm exceeds it to that norm, as
            ``keras.optimizers.SGD(clipnorm=...)`` does.

    Returns:
        A dict with ``loss_before`` and ``loss_after`` (mean binary
        cross-entropy on the batch), ``weight_norm`` (of all the weights
        together, before the step), ``gradient_norm`` (likewise),
        ``step_norm`` (how far the weights moved) and
        ``gradient_norm_after`` (the gradient at the new weights).

    Raises:
        TypeError: If ``model`` is not a ``keras.Model``.
        ValueError: If ``learning_rate`` or ``clipnorm`` is not positive.

    Example:
        >>> model = build_memory_classifier("simple_rnn", 5)
        >>> x, y = first_step_task(16, steps=5)
        >>> step = trial_sgd_step(model, x, y, learning_rate=0.1, clipnorm=0.01)
        >>> len(step), sorted(step)[:3]
        (6, ['gradient_norm', 'gradient_norm_after', 'loss_after'])
        >>> step["step_norm"] <= 0.1 * 0.01 * len(model.trainable_variables)
        True
    """
    keras_model("model", model)
    learning_rate = positive_float("learning_rate", learning_rate)
    if clipnorm is not None:
        clipnorm = positive_float("clipnorm", clipnorm)
    inputs = tf.convert_to_tensor(np.asarray(inputs, dtype="float32"))
    labels = np.asarray(labels, dtype="float32").reshape(-1, 1)
    weights = model.trainable_variables
    saved = [w.numpy() for w in weights]
    loss_before, gradients = _loss_and_gradients(model, inputs, labels)
    optimizer = keras.optimizers.SGD(learning_rate, clipnorm=clipnorm)
    optimizer.apply_gradients(zip(gradients, weights))
    loss_after, gradients_after = _loss_and_gradients(model, inputs, labels)
    moved = [w.numpy() - s for w, s in zip(weights, saved)]
    for w, s in zip(weights, saved):
        w.assign(s)
    return {
        "loss_before": loss_before,
        "loss_after": loss_after,
        "weight_norm": _global_norm(saved),
        "gradient_norm": _global_norm(gradients),
        "step_norm": _global_norm(moved),
        "gradient_norm_after": _global_norm(gradients_after),
    }


def _loss_and_gradients(model, inputs, labels):
    """Mean binary cross-entropy of a batch and its gradients."""
    with tf.GradientTape() as tape:
        probabilities = model(inputs)
        targets = tf.broadcast_to(labels, tf.shape(probabilities))
        loss = keras.losses.BinaryCrossentropy()(targets, probabilities)
    return float(loss), tape.gradient(loss, model.trainable_variables)


def _global_norm(arrays):
    return float(np.sqrt(sum((np.asarray(a, dtype=float) ** 2).sum() for a in arrays)))
