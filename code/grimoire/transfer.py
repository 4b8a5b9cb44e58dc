"""Transfer learning: reuse a trained convolutional base on a new task.

- :func:`select_classes` and :func:`balanced_subset` carve the new task out
  of a data set;
- :func:`conv_base`, :func:`transfer_model` and :func:`unfreeze_from` are
  feature extraction and fine-tuning, written so that they also apply to
  ``keras.applications`` models.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    keras_model,
    model_layer,
    positive_float,
    positive_int,
    unit_rate,
)

__all__ = [
    "select_classes",
    "balanced_subset",
    "conv_base",
    "transfer_model",
    "unfreeze_from",
]


def _same_length(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(
            "Expected `images` and `labels` of the same length. "
            f"Received: {len(images)} and {len(labels)}"
        )
    return images, labels


def select_classes(images, labels, classes):
    """Keep the examples of some classes, relabelled ``0, 1, ...`` in the given order.

    Args:
        images: An array with one example per row.
        labels: Integer labels, one per example.
        classes: The original labels to keep, distinct.

    Returns:
        ``(images, labels)`` of the kept examples.

    Raises:
        TypeError: If ``classes`` is not a list, tuple or array.
        ValueError: If the lengths differ, ``classes`` is empty or has repeats.

    Example:
        >>> x, y = select_classes(np.arange(6), np.array([0, 1, 2, 0, 1, 2]), [2, 0])
        >>> x.tolist(), y.tolist()
        ([0, 2, 3, 5], [1, 0, 1, 0])
    """
    images, labels = _same_length(images, labels)
    classes = list(check_type("classes", classes, (list, tuple, np.ndarray)))
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(
            "Expected `classes` to be distinct labels, at least one. "
            f"Received: classes={classes!r}"
        )
    keep = np.isin(labels, classes)
    lookup = {label: index for index, label in enumerate(classes)}
    return images[keep], np.array(
        [lookup[label] for label in labels[keep]], dtype="int64"
    )


def balanced_subset(images, labels, per_class, seed=0):
    """Draw the same number of examples from every class, in a shuffled order.

    Args:
        images: An array with one example per row.
        labels: Integer labels, one per example.
        per_class: Examples to draw from each class.
        seed: Seed of the draw, a non-negative int.

    Returns:
        ``(images, labels)``, ``per_class`` examples of each class.

    Raises:
        TypeError: If ``per_class`` or ``seed`` is not an int.
        ValueError: If the lengths differ, ``per_class`` is below 1, ``seed``
            is negative, or a class has too few examples.

    Example:
        >>> labels = np.array([0] * 6 + [1] * 4)
        >>> x, y = balanced_subset(np.arange(10), labels, per_class=2)
        >>> sorted(y.tolist()), len(set(x.tolist()))
        ([0, 0, 1, 1], 4)
    """
    images, labels = _same_length(images, labels)
    per_class = positive_int("per_class", per_class)
    seed = check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < per_class:
            raise ValueError(
                f"Expected `per_class` to be at most {len(members)}, the size of "
                f"class {label}. Received: per_class={per_class}"
            )
        chosen.append(rng.choice(members, per_class, replace=False))
    order = rng.permutation(np.concatenate(chosen))
    return images[order], labels[order]


def conv_base(model, last_layer):
    """The part of a trained model from its input up to ``last_layer``, as a model.

    For a ``keras.applications`` network loaded with ``include_top=False``
    the whole model is already the convolutional base, and this step is not
    needed.

    Args:
        model: A Keras model with a defined input.
        last_layer: Name of the last layer to keep, such as ``"pool_2"``.

    Returns:
        A ``keras.Model`` sharing its layers (and weights) with ``model``.

    Raises:
        TypeError: If ``model`` is not a Keras model.
        ValueError: If ``last_layer`` is not a layer of ``model``.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> base.output_shape, len(base.layers)
        ((None, 7, 7, 64), 7)
    """
    model = keras_model("model", model)
    check_choice("last_layer", last_layer, [layer.name for layer in model.layers])
    output = model.get_layer(last_layer).output
    return keras.Model(inputs=model.inputs[0], outputs=output, name="conv_base")


def transfer_model(base, num_classes, dense_units=64, dropout=0.5, learning_rate=1e-3):
    """A new classifier on top of a frozen convolutional base.

    The base's weights are frozen (``base.trainable = False``) and it runs in
    inference mode (``training=False``), so any batch-normalization layers
    in it keep their statistics even once parts of it are unfrozen. On top:
    ``Flatten -> Dropout -> Dense(dense_units, relu) -> Dense(num_classes)``
    and a softmax.

    Args:
        base: A Keras model with a 4-D output, such as :func:`conv_base`'s or
            ``keras.applications.VGG16(include_top=False)``.
        num_classes: Classes of the new task.
        dense_units: Width of the new hidden layer.
        dropout: Dropout rate before it, in ``[0, 1)``.
        learning_rate: Adam's learning rate.

    Returns:
        A compiled ``keras.Model``; only the new head is trainable.

    Raises:
        TypeError: If ``base`` is not a Keras model, or a number is of the
            wrong type.
        ValueError: If ``num_classes``, ``dense_units``, ``dropout`` or
            ``learning_rate`` is out of range, or ``base``'s output is not 4-D.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> model = transfer_model(base, num_classes=2)
        >>> len(base.trainable_weights), len(model.trainable_weights)
        (0, 4)
    """
    base = keras_model("base", base)
    num_classes = positive_int("num_classes", num_classes)
    dense_units = positive_int("dense_units", dense_units)
    dropout = unit_rate("dropout", dropout)
    learning_rate = positive_float("learning_rate", learning_rate)
    if len(base.output.shape) != 4:
        raise ValueError(
            "Expected `base` to output feature maps (batch, height, width, "
            f"channels). Received: output shape {tuple(base.output.shape)}"
        )
    base.trainable = False
    inputs = keras.Input(shape=tuple(base.inputs[0].shape[1:]))
    x = base(inputs, training=False)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    x = layers.Dense(num_classes, name="logits")(x)
    outputs = layers.Activation("softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs, name="transfer")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def unfreeze_from(model, base, layer_name, learning_rate=1e-4):
    """Unfreeze the base's layers from ``layer_name`` on and recompile, to fine-tune.

    The layers before ``layer_name`` stay frozen: they hold the general,
    low-level features. Recompiling is needed for the change to take effect;
    the learning rate is small so that the pretrained weights move a little.

    Args:
        model: The model built by :func:`transfer_model` on ``base``.
        base: Its convolutional base.
        layer_name: First layer of ``base`` to train, such as ``"conv_2"``
            (``"block5_conv1"`` for VGG16).
        learning_rate: Adam's learning rate for fine-tuning.

    Returns:
        The names of the base's layers that are now trainable.

    Raises:
        TypeError: If ``model`` or ``base`` is not a Keras model, ``layer_name``
            not a str or ``learning_rate`` not a number.
        ValueError: If ``layer_name`` is not a layer of ``base`` or
            ``learning_rate`` is not positive.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> model = transfer_model(base, num_classes=2)
        >>> unfreeze_from(model, base, "conv_2")
        ['conv_2', 'relu_2', 'pool_2']
    """
    model = keras_model("model", model)
    base = keras_model("base", base)
    model_layer(base, layer_name)
    learning_rate = positive_float("learning_rate", learning_rate)
    base.trainable = True
    names = [layer.name for layer in base.layers]
    start = names.index(layer_name)
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= start
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return [
        layer.name
        for layer in base.layers
        if layer.trainable and not isinstance(layer, keras.layers.InputLayer)
    ]
