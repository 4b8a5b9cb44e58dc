"""A two-layer network written from scratch: layers, batches, a training loop.

The pieces Keras usually hides, each small enough to read in one go:

- :class:`NaiveDense` is a dense layer, two ``tf.Variable`` objects and one line of
  forward pass; :class:`NaiveSequential` chains layers;
- :class:`BatchGenerator` cuts a data set into mini-batches;
- :func:`one_training_step` runs the model on a batch under a
  ``tf.GradientTape``, takes the gradient of the loss and updates the
  weights, either by hand (:func:`update_weights`) or with a Keras optimizer;
- :func:`fit` repeats the step over the batches for some epochs, and
  :func:`evaluate` measures the accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    positive_float,
    positive_int,
)

__all__ = [
    "NaiveDense",
    "NaiveSequential",
    "BatchGenerator",
    "update_weights",
    "one_training_step",
    "fit",
    "evaluate",
]


class NaiveDense:
    """A dense layer written out: ``outputs = activation(inputs @ W + b)``.

    ``b`` starts at zero. ``W`` starts random, drawn uniformly from
    ``[-limit, limit]`` with ``limit = sqrt(6 / (input_size + output_size))``
    (``initializer="glorot_uniform"``, the default of Keras's ``Dense``), or
    from ``[0, 0.1)`` (``"positive_uniform"``, as in the listing of Chollet's
    *Deep Learning with Python*). Centred weights keep the outputs of a wide
    layer near zero; all positive ones add up, and with 784 inputs the first
    logits are in the hundreds.

    Args:
        input_size: Features per input sample, a positive int.
        output_size: Units of the layer, a positive int.
        activation: A function applied element-wise to the result, such as
            ``tf.nn.relu``; None for none (the layer then outputs logits).
        initializer: ``"glorot_uniform"`` or ``"positive_uniform"``.

    Input shape:
        ``(batch_size, input_size)``.

    Output shape:
        ``(batch_size, output_size)``.

    Raises:
        TypeError: If a size is not an int or ``activation`` is neither
            callable nor None.
        ValueError: If a size is not positive, ``initializer`` is unknown, or
            the inputs do not have ``input_size`` features.

    Example:
        >>> import tensorflow as tf
        >>> layer = NaiveDense(input_size=3, output_size=2, activation=tf.nn.relu)
        >>> tuple(layer(tf.ones((4, 3))).shape), [tuple(w.shape) for w in layer.weights]
        ((4, 2), [(3, 2), (2,)])
    """

    def __init__(
        self, input_size, output_size, activation=None, initializer="glorot_uniform"
    ):
        positive_int("input_size", input_size)
        positive_int("output_size", output_size)
        check_type("activation", activation, (Callable, type(None)), "callable or None")
        check_choice("initializer", initializer, ("glorot_uniform", "positive_uniform"))
        if initializer == "glorot_uniform":
            low = -math.sqrt(6 / (input_size + output_size))
            high = -low
        else:
            low, high = 0.0, 0.1
        self.activation = activation
        self.W = tf.Variable(
            tf.random.uniform((input_size, output_size), minval=low, maxval=high),
            name="W",
        )
        self.b = tf.Variable(tf.zeros((output_size,)), name="b")

    def __call__(self, inputs):
        if inputs.shape[-1] != self.W.shape[0]:
            raise ValueError(
                f"Expected `inputs` of shape (batch_size, {self.W.shape[0]}). "
                f"Received: inputs.shape={tuple(inputs.shape)}"
            )
        outputs = tf.matmul(inputs, self.W) + self.b
        return outputs if self.activation is None else self.activation(outputs)

    @property
    def weights(self):
        """The layer's variables, ``[W, b]``."""
        return [self.W, self.b]


class NaiveSequential:
    """Chain layers: the output of each is the input of the next.

    Args:
        layers: A non-empty list of layers, callables with a ``weights``
            property.

    Raises:
        TypeError: If ``layers`` is not a non-empty list of such layers.

    Example:
        >>> import tensorflow as tf
        >>> model = NaiveSequential([NaiveDense(4, 8, tf.nn.relu), NaiveDense(8, 3)])
        >>> tuple(model(tf.ones((2, 4))).shape), len(model.weights)
        ((2, 3), 4)
    """

    def __init__(self, layers):
        check_type("layers", layers, (list, tuple), expected="a list of layers")
        is_layer = [callable(layer) and hasattr(layer, "weights") for layer in layers]
        if not layers or not all(is_layer):
            raise TypeError(
                "Expected `layers` to be a non-empty list of layers with `weights`. "
                f"Received: layers={layers!r}"
            )
        self.layers = list(layers)

    def __call__(self, inputs):
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def weights(self):
        """All the layers' variables, in order."""
        return [weight for layer in self.layers for weight in layer.weights]


class BatchGenerator:
    """Cut images and labels into mini-batches, in order or shuffled.

    Iterating gives ``(images_batch, labels_batch)`` pairs; the last batch is
    smaller when ``batch_size`` does not divide the number of samples.

    Args:
        images: An array of samples, shape ``(n, ...)``.
        labels: An array of labels, shape ``(n,)``.
        batch_size: Samples per batch, a positive int.
        seed: None to keep the order; an int >= 0 to shuffle with that seed.

    Raises:
        TypeError: If ``batch_size`` or ``seed`` is not an int.
        ValueError: If ``images`` and ``labels`` differ in length, or
            ``batch_size`` is not positive.

    Example:
        >>> batches = BatchGenerator(np.zeros((10, 2)), np.arange(10), batch_size=4)
        >>> len(batches), [labels.tolist() for _, labels in batches]
        (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    """

    def __init__(self, images, labels, batch_size=128, seed=None):
        if len(images) != len(labels):
            raise ValueError(
                "Expected `images` and `labels` of the same length. "
                f"Received: len(images)={len(images)}, len(labels)={len(labels)}"
            )
        self.images, self.labels = images, labels
        self.batch_size = positive_int("batch_size", batch_size)
        self.seed = (
            None if seed is None else check_scalar("seed", seed, int, min_value=0)
        )
        self.num_batches = math.ceil(len(images) / batch_size)

    def __len__(self):
        return self.num_batches

    def __iter__(self):
        order = np.arange(len(self.images))
        if self.seed is not None:
            order = np.random.default_rng(self.seed).permutation(order)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            yield self.images[batch], self.labels[batch]


def update_weights(gradients, weights, learning_rate=1e-3):
    """Plain gradient descent: move each weight against its gradient.

    ``w <- w - learning_rate * g``, done in place with ``assign_sub``, the
    ``-=`` of TensorFlow variables.

    Args:
        gradients: A list of tensors, one per weight.
        weights: A list of ``tf.Variable``, same length.
        learning_rate: The step size, a positive number.

    Raises:
        TypeError: If ``gradients`` or ``weights`` is not a list, or
            ``learning_rate`` not a number.
        ValueError: If the lists differ in length or ``learning_rate`` is not
            positive.

    Example:
        >>> import tensorflow as tf
        >>> w = tf.Variable([1.0, 2.0])
        >>> update_weights([tf.constant([10.0, -10.0])], [w], learning_rate=0.1)
        >>> w.numpy().tolist()
        [0.0, 3.0]
    """
    check_type("gradients", gradients, (list, tuple))
    check_type("weights", weights, (list, tuple))
    positive_float("learning_rate", learning_rate)
    if len(gradients) != len(weights):
        raise ValueError(
            "Expected one gradient per weight. "
            f"Received: len(gradients)={len(gradients)}, len(weights)={len(weights)}"
        )
    for gradient, weight in zip(gradients, weights):
        weight.assign_sub(learning_rate * gradient)


def one_training_step(
    model, images_batch, labels_batch, learning_rate=1e-3, optimizer=None
):
    """Train on one batch: forward pass, loss, gradient, update.

    The model's outputs are taken as logits, and the loss is the mean sparse
    categorical cross-entropy computed ``from_logits``. The gradient of the
    loss with respect to ``model.weights`` comes from a ``tf.GradientTape``;
    the update is :func:`update_weights` if ``optimizer`` is None, otherwise
    ``optimizer.apply_gradients``.

    Args:
        model: A callable with a ``weights`` list, such as
            :class:`NaiveSequential`.
        images_batch: Inputs, shape ``(batch_size, features)``.
        labels_batch: Integer labels, shape ``(batch_size,)``.
        learning_rate: The step of plain descent, a positive number; unused
            when an optimizer is given.
        optimizer: A Keras optimizer, or None.

    Returns:
        The batch's mean loss before the update, a scalar tensor.

    Raises:
        TypeError: If ``model`` is not callable, ``learning_rate`` not a number
            or ``optimizer`` has no ``apply_gradients`` method.
        ValueError: If ``learning_rate`` is not positive.

    Example:
        >>> import tensorflow as tf
        >>> _ = tf.random.set_seed(0)
        >>> model = NaiveSequential([NaiveDense(4, 3)])
        >>> x, y = tf.ones((8, 4)), np.zeros(8, dtype="int64")
        >>> losses = [float(one_training_step(model, x, y, 0.5)) for _ in range(3)]
        >>> np.round(losses, 2).tolist()  # the loss falls step after step
        [2.75, 0.35, 0.13]
    """
    check_type("model", model, Callable, expected="a callable model")
    positive_float("learning_rate", learning_rate)
    if optimizer is not None and not hasattr(optimizer, "apply_gradients"):
        raise TypeError(
            "Expected `optimizer` to be a Keras optimizer or None. "
            f"Received: optimizer={optimizer!r}"
        )
    with tf.GradientTape() as tape:
        logits = model(images_batch)
        per_sample = keras.losses.sparse_categorical_crossentropy(
            labels_batch, logits, from_logits=True
        )
        loss = tf.reduce_mean(per_sample)
    gradients = tape.gradient(loss, model.weights)
    if optimizer is None:
        update_weights(gradients, model.weights, learning_rate)
    else:
        optimizer.apply_gradients(zip(gradients, model.weights))
    return loss


def fit(
    model,
    images,
    labels,
    epochs=1,
    batch_size=128,
    learning_rate=1e-3,
    optimizer=None,
    compiled=False,
    seed=None,
    verbose=True,
):
    """Train for some epochs, one :func:`one_training_step` per batch.

    Args:
        model: A callable with a ``weights`` list.
        images: Inputs, shape ``(n, features)``.
        labels: Integer labels, shape ``(n,)``.
        epochs: Passes over the data, a positive int.
        batch_size: Samples per step, a positive int.
        learning_rate: Step of plain descent (see :func:`one_training_step`).
        optimizer: A Keras optimizer, or None for plain descent.
        compiled: If True, the step runs as a graph (``tf.function``).
        seed: None to visit the batches in order every epoch; an int >= 0 to
            shuffle, with seed ``seed + epoch``.
        verbose: If True, print one line per epoch.

    Returns:
        The mean training loss of each epoch, a list of floats.

    Raises:
        TypeError: If ``epochs`` or ``seed`` is not an int, or ``compiled`` or
            ``verbose`` not a bool.
        ValueError: If ``epochs`` is not positive (see also
            :class:`BatchGenerator` and :func:`one_training_step`).

    Example:
        >>> import tensorflow as tf
        >>> _ = tf.random.set_seed(0)
        >>> model = NaiveSequential([NaiveDense(2, 2)])
        >>> x = np.array([[1.0, 0.0], [0.0, 1.0]] * 8, dtype="float32")
        >>> y = np.array([0, 1] * 8)
        >>> losses = fit(model, x, y, epochs=3, batch_size=4, learning_rate=0.5)
        epoch 1/3  loss 0.5...
        epoch 2/3  loss 0.3...
        epoch 3/3  loss 0.2...
    """
    positive_int("epochs", epochs)
    check_type("compiled", compiled, bool)
    seed = None if seed is None else check_scalar("seed", seed, int, min_value=0)
    check_type("verbose", verbose, bool)
    step = tf.function(one_training_step) if compiled else one_training_step
    history = []
    for epoch in range(epochs):
        batches = BatchGenerator(
            images, labels, batch_size, seed=None if seed is None else seed + epoch
        )
        total = 0.0
        for images_batch, labels_batch in batches:
            loss = step(model, images_batch, labels_batch, learning_rate, optimizer)
            total += float(loss) * len(labels_batch)
        history.append(total / len(labels))
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}  loss {history[-1]:.4f}")
    return history


def evaluate(model, images, labels, batch_size=1000):
    """The accuracy of a model: the share of samples whose top score is the label.

    Args:
        model: A callable mapping a batch of inputs to one score per class.
        images: Inputs, shape ``(n, features)``.
        labels: Integer labels, shape ``(n,)``.
        batch_size: Samples per forward pass, a positive int.

    Returns:
        The accuracy, a float in ``[0, 1]``.

    Raises:
        TypeError: If ``model`` is not callable (see also :class:`BatchGenerator`).
        ValueError: As :class:`BatchGenerator`.

    Example:
        >>> scores = lambda x: x  # a "model" whose inputs are its scores
        >>> x = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]); y = np.array([0, 1, 1])
        >>> round(evaluate(scores, x, y), 4)
        0.6667
    """
    check_type("model", model, Callable, expected="a callable model")
    correct = 0
    for images_batch, labels_batch in BatchGenerator(images, labels, batch_size):
        predicted = np.argmax(np.asarray(model(images_batch)), axis=1)
        correct += int((predicted == np.asarray(labels_batch)).sum())
    return correct / len(labels)
