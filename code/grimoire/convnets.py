"""Convolutional networks for small grey-scale images, and tools to study them.

- :func:`scale_images` turns uint8 images into the ``(n, height, width, 1)``
  float tensors a convnet takes.
- :func:`build_convnet` builds the book's convnet, with switches for pooling,
  batch normalization, dropout, data augmentation and the weight initializer;
  :func:`build_reference_convnet` is the MNIST architecture of *Deep Learning
  with Python* (Chollet, 2nd ed., 2021).
- :func:`feature_maps` and :func:`mosaic` show what the layers compute.
- :func:`augmentation_layers` builds the random flips and shifts.
- :func:`fit_and_evaluate` trains quietly and reports the test accuracy;
  :func:`describe_difference` puts the comparison of two results into words.

Initialization lives in :mod:`grimoire.initialization`, transfer learning in
:mod:`grimoire.transfer`.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from grimoire.callbacks import EpochLogger
from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    keras_model,
    positive_float,
    positive_int,
    unit_rate,
)

__all__ = [
    "scale_images",
    "build_convnet",
    "build_reference_convnet",
    "layer_table",
    "feature_maps",
    "mosaic",
    "augmentation_layers",
    "fit_and_evaluate",
    "describe_difference",
]


def scale_images(images):
    """Scale uint8 grey-scale images to ``[0, 1]`` and add a channel axis.

    Args:
        images: An array of shape ``(n, height, width)``.

    Returns:
        A float32 array of shape ``(n, height, width, 1)``.

    Raises:
        ValueError: If ``images`` is not 3-D.

    Example:
        >>> x = scale_images(np.full((2, 28, 28), 255, dtype="uint8"))
        >>> x.shape, x.dtype, float(x.max())
        ((2, 28, 28, 1), dtype('float32'), 1.0)
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            "Expected `images` of shape (n, height, width). "
            f"Received: images.shape={images.shape}"
        )
    return images[..., None].astype("float32") / 255.0


def build_convnet(
    input_shape=(28, 28, 1),
    num_classes=10,
    filters=(32, 64),
    dense_units=128,
    padding="same",
    pooling=True,
    batch_norm=False,
    dropout=0.0,
    kernel_initializer="glorot_uniform",
    augmentation=None,
    learning_rate=1e-3,
):
    """Build and compile the book's convnet: conv blocks, then a dense head.

    Each block is ``Conv2D(f, 3, padding=padding)`` (named ``conv_1``,
    ``conv_2``, ...), an optional ``BatchNormalization``, a ReLU and, if
    ``pooling``, a ``MaxPooling2D(2)``. The head flattens, applies
    ``Dropout(dropout)`` if the rate is positive, then ``Dense(dense_units,
    relu)`` and a final ``Dense`` named ``logits`` followed by a softmax named
    ``predictions``.
    Keeping the logits as a layer of their own lets Grad-CAM use the class
    score before the softmax. The model is compiled with Adam on the sparse
    categorical cross-entropy and reports accuracy.

    Args:
        input_shape: ``(height, width, channels)`` of one image.
        num_classes: Number of classes.
        filters: Filters of each conv block, a non-empty tuple of positive ints.
        dense_units: Width of the hidden dense layer; 0 for none.
        padding: ``"same"`` (keep the height and width) or ``"valid"``.
        pooling: Whether each block ends with 2 × 2 max pooling.
        batch_norm: Whether each convolution is followed by batch
            normalization (the convolution then has no bias, which the
            normalization would cancel).
        dropout: Dropout rate before the dense head, in ``[0, 1)``.
        kernel_initializer: Initializer of every kernel: a name or a Keras
            initializer.
        augmentation: A Keras layer (such as :func:`augmentation_layers`) applied
            to the input during training only, or None.
        learning_rate: Adam's learning rate.

    Returns:
        A compiled ``keras.Sequential`` model.

    Raises:
        TypeError: If ``input_shape`` or ``filters`` is not a tuple or list, a
            number is of the wrong type, or ``augmentation`` is not a Keras
            layer.
        ValueError: If ``input_shape`` is not a triple, ``filters`` is empty,
            ``padding`` is unknown, or a number is out of range.

    Example:
        >>> model = build_convnet()
        >>> [layer.name for layer in model.layers][:5]
        ['conv_1', 'relu_1', 'pool_1', 'conv_2', 'relu_2']
        >>> model.output_shape, model.count_params()
        ((None, 10), 421642)
    """
    check_type("input_shape", input_shape, (tuple, list))
    check_choice("len(input_shape)", len(input_shape), (3,))
    num_classes = positive_int("num_classes", num_classes)
    check_type("filters", filters, (tuple, list))
    check_scalar("len(filters)", len(filters), int, min_value=1)
    filters = [positive_int(f"filters[{i}]", count) for i, count in enumerate(filters)]
    dense_units = check_scalar("dense_units", dense_units, int, min_value=0)
    check_choice("padding", padding, ("same", "valid"))
    dropout = unit_rate("dropout", dropout)
    learning_rate = positive_float("learning_rate", learning_rate)
    if augmentation is not None:
        check_type("augmentation", augmentation, layers.Layer, "a Keras layer or None")
    stack = [keras.Input(shape=tuple(input_shape))]
    if augmentation is not None:
        stack.append(augmentation)
    for block, count in enumerate(filters, start=1):
        stack.append(
            layers.Conv2D(
                count,
                3,
                padding=padding,
                use_bias=not batch_norm,
                kernel_initializer=kernel_initializer,
                name=f"conv_{block}",
            )
        )
        if batch_norm:
            stack.append(
                layers.BatchNormalization(momentum=0.9, name=f"batch_norm_{block}")
            )
        stack.append(layers.Activation("relu", name=f"relu_{block}"))
        if pooling:
            stack.append(layers.MaxPooling2D(2, name=f"pool_{block}"))
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))
    if dense_units:
        stack.append(
            layers.Dense(
                dense_units,
                activation="relu",
                kernel_initializer=kernel_initializer,
                name="dense",
            )
        )
    stack.append(
        layers.Dense(num_classes, kernel_initializer=kernel_initializer, name="logits")
    )
    stack.append(layers.Activation("softmax", name="predictions"))
    model = keras.Sequential(stack, name="convnet")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_reference_convnet(pooling=True, input_shape=(28, 28, 1), num_classes=10):
    """The MNIST convnet of *Deep Learning with Python*, to count its parameters.

    Three 3 × 3 convolutions (32, 64, 128 filters) and a softmax head:
    ``Conv2D(32) -> MaxPooling2D -> Conv2D(64) -> MaxPooling2D -> Conv2D(128)
    -> Flatten -> Dense(num_classes)``, with ReLU after each convolution. With
    ``pooling=False`` the two pooling layers are left out, so the last
    feature map stays large and the dense layer grows with it. The model is
    not compiled: it is for counting.

    Args:
        pooling: Whether to keep the two ``MaxPooling2D`` layers.
        input_shape: ``(height, width, channels)`` of one image.
        num_classes: Number of classes.

    Returns:
        An uncompiled ``keras.Sequential`` model.

    Raises:
        TypeError: If ``pooling`` is not a bool or ``num_classes`` not an int.
        ValueError: If ``num_classes`` is below 1.

    Example:
        >>> build_reference_convnet().count_params()
        104202
        >>> build_reference_convnet(pooling=False).count_params()
        712202
    """
    check_type("pooling", pooling, bool)
    num_classes = positive_int("num_classes", num_classes)
    stack = [keras.Input(shape=tuple(input_shape))]
    for block, count in enumerate((32, 64, 128), start=1):
        stack.append(layers.Conv2D(count, 3, activation="relu", name=f"conv_{block}"))
        if pooling and block < 3:
            stack.append(layers.MaxPooling2D(2, name=f"pool_{block}"))
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dense(num_classes, activation="softmax", name="predictions"),
    ]
    return keras.Sequential(
        stack, name="reference_convnet" if pooling else "reference_convnet_no_pooling"
    )


def layer_table(model):
    """One row per layer: name, output shape without the batch axis, parameter count.

    Args:
        model: A built Keras model.

    Returns:
        A list of ``(name, shape, params)`` tuples.

    Raises:
        TypeError: If ``model`` is not a Keras model.

    Example:
        >>> layer_table(build_reference_convnet())[:2]
        [('conv_1', (26, 26, 32), 320), ('pool_1', (13, 13, 32), 0)]
    """
    model = keras_model("model", model)
    return [
        (layer.name, tuple(layer.output.shape[1:]), layer.count_params())
        for layer in model.layers
    ]


def feature_maps(model, images, layer_names):
    """The outputs of some layers of a model for a batch of images.

    Builds a model with the same input and one output per named layer, and
    runs it on the images in chunks of 512.

    Args:
        model: A Keras model with a defined input (Sequential or functional).
        images: A batch, shaped like the model's input.
        layer_names: Names of layers of ``model``.

    Returns:
        A dict from layer name to NumPy array ``(n, height, width, channels)``.

    Raises:
        TypeError: If ``model`` is not a Keras model or ``layer_names`` not a
            list or tuple.
        ValueError: If ``layer_names`` is empty or holds a name that is not a
            layer of ``model``.

    Example:
        >>> images = np.zeros((2, 28, 28, 1))
        >>> maps = feature_maps(build_convnet(), images, ["conv_1", "pool_2"])
        >>> {name: value.shape for name, value in maps.items()}
        {'conv_1': (2, 28, 28, 32), 'pool_2': (2, 7, 7, 64)}
    """
    model = keras_model("model", model)
    check_type("layer_names", layer_names, (list, tuple))
    check_scalar("len(layer_names)", len(layer_names), int, min_value=1)
    choices = [layer.name for layer in model.layers]
    for i, name in enumerate(layer_names):
        check_choice(f"layer_names[{i}]", name, choices)
    outputs = [model.get_layer(name).output for name in layer_names]
    probe = keras.Model(inputs=model.inputs[0], outputs=outputs)
    images = np.asarray(images, dtype="float32")
    chunks = [
        probe(images[start : start + 512], training=False)
        for start in range(0, len(images), 512)
    ]
    chunks = [
        chunk if isinstance(chunk, (list, tuple)) else [chunk] for chunk in chunks
    ]
    return {
        name: np.concatenate([keras.ops.convert_to_numpy(chunk[i]) for chunk in chunks])
        for i, name in enumerate(layer_names)
    }


def mosaic(tiles, ncols=8, pad=1, normalize=True):
    """Arrange small 2-D tiles in one grid image, each tile scaled to ``[0, 1]``.

    Args:
        tiles: An array of shape ``(n, height, width)``.
        ncols: Tiles per row.
        pad: Pixels of blank (NaN, drawn as background) between tiles.
        normalize: Whether to scale each tile to ``[0, 1]`` on its own.

    Returns:
        A float array of shape ``(rows * (height + pad) - pad, cols * (width +
        pad) - pad)``.

    Raises:
        TypeError: If ``ncols`` or ``pad`` is not an int.
        ValueError: If ``tiles`` is not 3-D, ``ncols`` is below 1 or ``pad``
            is negative.

    Example:
        >>> grid = mosaic(np.arange(12.0).reshape(3, 2, 2), ncols=2)
        >>> grid.shape, float(np.nanmax(grid)), int(np.isnan(grid).sum())
        ((5, 5), 1.0, 13)
    """
    tiles = np.asarray(tiles, dtype="float64")
    if tiles.ndim != 3:
        raise ValueError(
            "Expected `tiles` of shape (n, height, width). "
            f"Received: tiles.shape={tiles.shape}"
        )
    ncols = positive_int("ncols", ncols)
    pad = check_scalar("pad", pad, int, min_value=0)
    count, height, width = tiles.shape
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    grid = np.full((nrows * (height + pad) - pad, ncols * (width + pad) - pad), np.nan)
    for index, tile in enumerate(tiles):
        if normalize:
            low, high = tile.min(), tile.max()
            tile = (tile - low) / (high - low) if high > low else np.zeros_like(tile)
        row, col = divmod(index, ncols)
        grid[
            row * (height + pad) : row * (height + pad) + height,
            col * (width + pad) : col * (width + pad) + width,
        ] = tile
    return grid


def augmentation_layers(flip=True, translation=0.1, seed=None):
    """Random horizontal flips and shifts, active only while training.

    Args:
        flip: Whether to flip images left-right at random.
        translation: Largest shift as a fraction of the height and width, in
            ``[0, 1)``; 0 for none.
        seed: Seed of the random layers, a non-negative int, or None.

    Returns:
        A ``keras.Sequential`` named ``augmentation``.

    Raises:
        TypeError: If ``flip`` is not a bool, ``translation`` not a number or
            ``seed`` not an int.
        ValueError: If ``translation`` is not in ``[0, 1)``, ``seed`` is
            negative, or neither transformation is asked for.

    Example:
        >>> augment = augmentation_layers(seed=0)
        >>> [layer.__class__.__name__ for layer in augment.layers]
        ['RandomFlip', 'RandomTranslation']
        >>> x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
        >>> bool(np.allclose(augment(x, training=False), x))  # inference: unchanged
        True
    """
    check_type("flip", flip, bool)
    translation = unit_rate("translation", translation)
    seed = None if seed is None else check_scalar("seed", seed, int, min_value=0)
    if not flip and not translation:
        raise ValueError(
            "Expected at least one transformation. "
            f"Received: flip={flip}, translation={translation}"
        )
    stack = []
    if flip:
        stack.append(layers.RandomFlip("horizontal", seed=seed))
    if translation:
        stack.append(
            layers.RandomTranslation(
                translation, translation, fill_mode="constant", seed=seed
            )
        )
    return keras.Sequential(stack, name="augmentation")


def fit_and_evaluate(model, train, test, epochs=5, batch_size=128, log=True):
    """Train a compiled model quietly and return its history and test accuracy.

    Args:
        model: A compiled Keras model.
        train: ``(inputs, labels)`` to train on.
        test: ``(inputs, labels)`` to evaluate on after training.
        epochs: Passes over the training data.
        batch_size: Examples per gradient step.
        log: Whether to print one line per epoch
            (:class:`~grimoire.callbacks.EpochLogger`).

    Returns:
        ``(history, test_accuracy)``: the ``history.history`` dict and a float.

    Raises:
        TypeError: If ``model`` is not a Keras model, ``train`` or ``test``
            not a tuple or list, or ``epochs`` or ``batch_size`` not an int.
        ValueError: If ``train`` or ``test`` is not a pair of equal length,
            or ``epochs`` or ``batch_size`` is below 1.

    Example:
        >>> model = build_convnet((8, 8, 1), num_classes=2, filters=(2,), dense_units=0)
        >>> x, y = np.zeros((4, 8, 8, 1)), np.array([0, 1, 0, 1])
        >>> history, accuracy = fit_and_evaluate(model, (x, y), (x, y), 1, log=False)
        >>> sorted(history), accuracy
        (['accuracy', 'loss'], 0.5)
    """
    model = keras_model("model", model)
    for name, pair in (("train", train), ("test", test)):
        lengths = [len(part) for part in check_type(name, pair, (tuple, list))]
        if len(lengths) != 2 or lengths[0] != lengths[1]:
            raise ValueError(
                f"Expected `{name}` to be a pair (inputs, labels) of the same "
                f"length. Received: {name} of lengths {lengths}"
            )
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    history = model.fit(
        *train,
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        callbacks=[EpochLogger()] if log else [],
    )
    _, accuracy = model.evaluate(*test, batch_size=1024, verbose=0)
    return history.history, float(accuracy)


def describe_difference(value, reference, tolerance=0.005, digits=3):
    """Compare two results in words, for prose that must stay true if the numbers move.

    Args:
        value: The result to describe, a real number.
        reference: The result to compare it with, a real number.
        tolerance: Differences up to this size count as "about the same"; non-negative.
        digits: Decimals of the difference shown, a non-negative int.

    Returns:
        ``"<difference> higher than"``, ``"<difference> lower than"`` or
        ``"about the same as"``, to be followed by the reference's name.

    Raises:
        TypeError: If ``value``, ``reference`` or ``tolerance`` is not a real
            number, or ``digits`` not an int.
        ValueError: If a number is NaN, ``tolerance`` is negative or ``digits``
            is negative.

    Example:
        >>> describe_difference(0.76, 0.539), describe_difference(0.7925, 0.814)
        ('0.221 higher than', '0.021 lower than')
        >>> describe_difference(0.8565, 0.855)
        'about the same as'
    """
    value = check_scalar("value", value, float)
    reference = check_scalar("reference", reference, float)
    tolerance = check_scalar("tolerance", tolerance, float, min_value=0)
    digits = check_scalar("digits", digits, int, min_value=0)
    difference = value - reference
    if abs(difference) <= tolerance:
        return "about the same as"
    return (
        f"{abs(difference):.{digits}f} {'higher' if difference > 0 else 'lower'} than"
    )
