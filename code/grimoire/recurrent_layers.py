"""Keras's recurrent layers from the outside: shapes in and out, and dropout.

- :func:`build_shape_model` builds the four input/output shapes of sequence
  models (one-to-one, one-to-many, many-to-one, many-to-many) and the
  encoder-decoder form of many-to-many;
- :func:`recurrent_dropout_masks` reads back, step by step, the mask that a
  ``SimpleRNN``'s ``recurrent_dropout`` applies to the fed-back state.
"""

from __future__ import annotations

import keras
import numpy as np

from grimoire.validation import check_choice, check_scalar, positive_int

__all__ = ["SHAPES", "build_shape_model", "recurrent_dropout_masks"]

#: The model shapes :func:`build_shape_model` knows, with an example task each.
#:
#: :meta hide-value:
SHAPES = {
    "one-to-one": "a label for one vector (no recurrence needed)",
    "one-to-many": "a sequence from one input: a caption for an image",
    "many-to-one": "one answer for a sequence: the sentiment of a review",
    "many-to-many": "one output per step: a tag for every word",
    "encoder-decoder": "a sequence of another length: a translation",
}


def build_shape_model(kind, steps=10, features=3, units=8, outputs=2, output_steps=4):
    """A small model of one of the input/output shapes of sequence models.

    - ``"one-to-one"``: a vector in, a vector out: a plain dense network.
    - ``"one-to-many"``: a vector, repeated ``steps`` times, feeds an RNN that
      returns its whole sequence of states; a dense layer reads each step.
    - ``"many-to-one"``: an RNN reads the sequence and returns its last
      state only (Keras's default); a dense layer reads it.
    - ``"many-to-many"``: ``return_sequences=True`` keeps one state per step,
      so there is one output per input step.
    - ``"encoder-decoder"``: a first RNN sums the sequence up in its last
      state, which is repeated ``output_steps`` times for a second RNN:
      input and output sequences of different lengths.

    A ``Dense`` layer applied to a 3-D tensor acts on the last axis, the same
    weights at every step (what ``TimeDistributed(Dense(...))`` spells out).

    Args:
        kind: One of the keys of :data:`SHAPES`.
        steps: Input steps (output steps for one-to-many), an int >= 1.
        features: Features per input step, an int >= 1.
        units: Size of the hidden states, an int >= 1.
        outputs: Outputs per output step, an int >= 1.
        output_steps: Output steps of the encoder-decoder, an int >= 1.

    Returns:
        A ``keras.Model`` named after ``kind``.

    Raises:
        ValueError: If ``kind`` is unknown or a size is not positive.
        TypeError: If a size is not an int.

    Example:
        >>> for kind in SHAPES:
        ...     model = build_shape_model(kind)
        ...     print(f"{kind:16} {model.input_shape} -> {model.output_shape}")
        one-to-one       (None, 3) -> (None, 2)
        one-to-many      (None, 3) -> (None, 10, 2)
        many-to-one      (None, 10, 3) -> (None, 2)
        many-to-many     (None, 10, 3) -> (None, 10, 2)
        encoder-decoder  (None, 10, 3) -> (None, 4, 2)
    """
    check_choice("kind", kind, tuple(SHAPES))
    steps, features = positive_int("steps", steps), positive_int("features", features)
    units, outputs = positive_int("units", units), positive_int("outputs", outputs)
    output_steps = positive_int("output_steps", output_steps)
    layers = keras.layers
    vector_in = kind in ("one-to-one", "one-to-many")
    inputs = keras.Input((features,) if vector_in else (steps, features))
    if kind == "one-to-one":
        x = layers.Dense(units, activation="relu")(inputs)
    elif kind == "one-to-many":
        x = layers.RepeatVector(steps)(inputs)
        x = layers.SimpleRNN(units, return_sequences=True)(x)
    elif kind == "many-to-one":
        x = layers.SimpleRNN(units)(inputs)
    elif kind == "many-to-many":
        x = layers.SimpleRNN(units, return_sequences=True)(inputs)
    else:
        summary = layers.SimpleRNN(units, name="encoder")(inputs)
        x = layers.RepeatVector(output_steps)(summary)
        x = layers.SimpleRNN(units, return_sequences=True, name="decoder")(x)
    return keras.Model(inputs, layers.Dense(outputs)(x), name=kind)


def recurrent_dropout_masks(rate, units=8, steps=6, batch=2, seed=0):
    """The recurrent-dropout mask of a ``SimpleRNN``, read back at every step.

    The layer is built so that its states reveal the mask: no input weights,
    a bias of 1, the identity as recurrent kernel and no activation. A step
    then computes ``h_t = m ⊙ h_(t-1) + 1``, where ``m`` is the mask applied
    to the fed-back state ``h_(t-1)`` (0 for a dropped unit, ``1 / (1 - rate)``
    for a kept one), so ``m = (h_t - 1) / h_(t-1)`` from the second step on.

    Args:
        rate: The ``recurrent_dropout`` rate, a float in ``(0, 1)``.
        units: Units of the layer, an int >= 1.
        steps: Steps of the sequence, an int >= 2.
        batch: Sequences in the batch, an int >= 1.
        seed: The layer's dropout seed, an int >= 0.

    Returns:
        An array of shape ``(batch, steps - 1, units)``: the mask applied at
        steps 2 to ``steps`` of each sequence, in training mode, rounded to
        5 decimals (the states are 32-bit floats).

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If an argument is out of range.

    Example:
        >>> masks = recurrent_dropout_masks(0.5, units=6, steps=4, batch=1)
        >>> masks[0].round(2)
        array([[0., 2., 2., 2., 0., 2.],
               [0., 2., 2., 2., 0., 2.],
               [0., 2., 2., 2., 0., 2.]])
    """
    rate = check_scalar("rate", rate, float, min_value=0, max_value=1)
    if rate in (0.0, 1.0):
        raise ValueError(
            f"Expected `rate` to be a float in (0, 1). Received: rate={rate!r}"
        )
    units, batch = positive_int("units", units), positive_int("batch", batch)
    steps = check_scalar("steps", steps, int, min_value=2)
    seed = check_scalar("seed", seed, int, min_value=0)
    layer = keras.layers.SimpleRNN(
        units,
        activation=None,
        kernel_initializer="zeros",
        recurrent_initializer="identity",
        bias_initializer="ones",
        recurrent_dropout=rate,
        return_sequences=True,
        seed=seed,
    )
    zeros = np.zeros((batch, steps, 1), dtype="float32")
    states = np.asarray(layer(zeros, training=True), dtype=float)
    return np.round((states[:, 1:] - 1.0) / states[:, :-1], 5)  # float32 noise off
