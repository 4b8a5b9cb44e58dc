"""Convolutional networks for small grey-scale images, and the tools to study them.

- :func:`scale_images` turns uint8 images into the ``(n, height, width, 1)``
  float tensors a convnet takes.
- :func:`build_convnet` builds the book's convnet, with switches for pooling,
  batch normalization, dropout, data augmentation and the weight initializer;
  :func:`build_reference_convnet` is the MNIST architecture of *Deep Learning
  with Python* (Chollet, 2nd ed., 2021).
- :func:`fans`, :func:`theoretical_std` and :func:`initial_weight_std` compare
  an initializer's weights with the Glorot and He formulas;
  :func:`filter_spread` measures how different a layer's filters are.
- :func:`feature_maps` and :func:`mosaic` show what the layers compute.
- :func:`augmentation_layers` builds the random flips and shifts.
- :func:`select_classes`, :func:`balanced_subset`, :func:`conv_base`,
  :func:`transfer_model` and :func:`unfreeze_from` are the transfer-learning
  steps, written so that they also apply to ``keras.applications`` models.
- :func:`fit_and_evaluate` trains quietly and reports the test accuracy;
  :func:`describe_difference` puts the comparison of two results into words.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from grimoire.callbacks import EpochLogger

__all__ = [
    "scale_images",
    "build_convnet",
    "build_reference_convnet",
    "layer_table",
    "fans",
    "theoretical_std",
    "initial_weight_std",
    "filter_spread",
    "feature_maps",
    "mosaic",
    "augmentation_layers",
    "select_classes",
    "balanced_subset",
    "conv_base",
    "transfer_model",
    "unfreeze_from",
    "fit_and_evaluate",
    "describe_difference",
]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Expected `{name}` to be a positive int. Received: {name}={value!r}")
    return int(value)


def _rate(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"Expected `{name}` to be a float in [0, 1). Received: {name}={value!r}")
    return float(value)


def _positive_float(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"Expected `{name}` to be a positive number. Received: {name}={value!r}")
    return float(value)


def _model(name, value):
    if not isinstance(value, keras.Model):
        raise TypeError(f"Expected `{name}` to be a keras.Model. Received: {name} of type {type(value).__name__}")
    return value


def _layer(model, layer_name):
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"Expected `layer_name` to be one of the model's layers {names}. "
                         f"Received: layer_name={layer_name!r}")
    return model.get_layer(layer_name)


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
        raise ValueError(f"Expected `images` of shape (n, height, width). Received: images.shape={images.shape}")
    return images[..., None].astype("float32") / 255.0


def build_convnet(input_shape=(28, 28, 1), num_classes=10, filters=(32, 64), dense_units=128,
                  padding="same", pooling=True, batch_norm=False, dropout=0.0, kernel_initializer="glorot_uniform",
                  augmentation=None, learning_rate=1e-3):
    """Build and compile the book's convnet: conv blocks, then a dense head.

    Each block is ``Conv2D(f, 3, padding=padding)`` (named ``conv_1``, ``conv_2``, ...), an
    optional ``BatchNormalization``, a ReLU and, if ``pooling``, a
    ``MaxPooling2D(2)``. The head flattens, applies ``Dropout(dropout)`` if
    the rate is positive, then ``Dense(dense_units, relu)`` and a final
    ``Dense`` named ``logits`` followed by a softmax named ``predictions``.
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
        batch_norm: Whether each convolution is followed by batch normalization
            (the convolution then has no bias, which the normalization would cancel).
        dropout: Dropout rate before the dense head, in ``[0, 1)``.
        kernel_initializer: Initializer of every kernel: a name or a Keras initializer.
        augmentation: A Keras layer (such as :func:`augmentation_layers`) applied
            to the input during training only, or None.
        learning_rate: Adam's learning rate.

    Returns:
        A compiled ``keras.Sequential`` model.

    Raises:
        ValueError: If ``filters``, ``dense_units``, ``num_classes``, ``padding``,
            ``dropout`` or ``learning_rate`` is invalid, or ``input_shape`` is not a triple.
        TypeError: If ``augmentation`` is not a Keras layer.

    Example:
        >>> model = build_convnet()
        >>> [layer.name for layer in model.layers][:5]
        ['conv_1', 'relu_1', 'pool_1', 'conv_2', 'relu_2']
        >>> model.output_shape, model.count_params()
        ((None, 10), 421642)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"Expected `input_shape` to be (height, width, channels). Received: input_shape={input_shape!r}")
    num_classes = _positive_int("num_classes", num_classes)
    if not isinstance(filters, (tuple, list)) or not filters:
        raise ValueError(f"Expected `filters` to be a non-empty tuple of positive ints. Received: filters={filters!r}")
    for value in filters:
        _positive_int("filters", value)
    if dense_units != 0:
        _positive_int("dense_units", dense_units)
    if padding not in ("same", "valid"):
        raise ValueError(f"Expected `padding` to be 'same' or 'valid'. Received: padding={padding!r}")
    dropout = _rate("dropout", dropout)
    learning_rate = _positive_float("learning_rate", learning_rate)
    if augmentation is not None and not isinstance(augmentation, layers.Layer):
        raise TypeError(f"Expected `augmentation` to be a Keras layer or None. "
                        f"Received: augmentation of type {type(augmentation).__name__}")
    stack = [keras.Input(shape=tuple(input_shape))]
    if augmentation is not None:
        stack.append(augmentation)
    for block, count in enumerate(filters, start=1):
        stack.append(layers.Conv2D(count, 3, padding=padding, use_bias=not batch_norm, kernel_initializer=kernel_initializer,
                                   name=f"conv_{block}"))
        if batch_norm:
            stack.append(layers.BatchNormalization(momentum=0.9, name=f"batch_norm_{block}"))
        stack.append(layers.Activation("relu", name=f"relu_{block}"))
        if pooling:
            stack.append(layers.MaxPooling2D(2, name=f"pool_{block}"))
    stack.append(layers.Flatten(name="flatten"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))
    if dense_units:
        stack.append(layers.Dense(dense_units, activation="relu", kernel_initializer=kernel_initializer, name="dense"))
    stack.append(layers.Dense(num_classes, kernel_initializer=kernel_initializer, name="logits"))
    stack.append(layers.Activation("softmax", name="predictions"))
    model = keras.Sequential(stack, name="convnet")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def build_reference_convnet(pooling=True, input_shape=(28, 28, 1), num_classes=10):
    """The MNIST convnet of *Deep Learning with Python*: three 3 × 3 convolutions (32, 64, 128 filters), softmax head.

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
        TypeError: If ``pooling`` is not a bool.
        ValueError: If ``num_classes`` is not a positive int.

    Example:
        >>> build_reference_convnet().count_params(), build_reference_convnet(pooling=False).count_params()
        (104202, 712202)
    """
    if not isinstance(pooling, bool):
        raise TypeError(f"Expected `pooling` to be a bool. Received: pooling={pooling!r}")
    num_classes = _positive_int("num_classes", num_classes)
    stack = [keras.Input(shape=tuple(input_shape))]
    for block, count in enumerate((32, 64, 128), start=1):
        stack.append(layers.Conv2D(count, 3, activation="relu", name=f"conv_{block}"))
        if pooling and block < 3:
            stack.append(layers.MaxPooling2D(2, name=f"pool_{block}"))
    stack += [layers.Flatten(name="flatten"), layers.Dense(num_classes, activation="softmax", name="predictions")]
    return keras.Sequential(stack, name="reference_convnet" if pooling else "reference_convnet_no_pooling")


def layer_table(model):
    """One row per layer: name, output shape without the batch axis, and parameter count.

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
    model = _model("model", model)
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]


def fans(kernel_shape):
    """Fan-in and fan-out of a kernel, as Keras's initializers count them.

    A ``Dense`` kernel ``(inputs, units)`` has fan-in ``inputs`` and fan-out
    ``units``. A ``Conv2D`` kernel ``(kh, kw, in_channels, filters)`` feeds
    each output from ``kh · kw · in_channels`` inputs, and each input reaches
    ``kh · kw · filters`` outputs.

    Args:
        kernel_shape: A tuple of 2 or 4 positive ints.

    Returns:
        ``(fan_in, fan_out)``.

    Raises:
        ValueError: If ``kernel_shape`` is not 2 or 4 positive ints.

    Example:
        >>> fans((3, 3, 32, 64)), fans((1600, 128))
        ((288, 576), (1600, 128))
    """
    if (not isinstance(kernel_shape, (tuple, list)) or len(kernel_shape) not in (2, 4)
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0 for v in kernel_shape)):
        raise ValueError(f"Expected `kernel_shape` to be 2 or 4 positive ints. Received: kernel_shape={kernel_shape!r}")
    receptive = int(np.prod(kernel_shape[:-2])) if len(kernel_shape) == 4 else 1
    return receptive * int(kernel_shape[-2]), receptive * int(kernel_shape[-1])


INITIALIZER_SCALES = {"glorot_uniform": "glorot", "glorot_normal": "glorot", "he_uniform": "he", "he_normal": "he"}


def theoretical_std(initializer, kernel_shape):
    """The standard deviation the Glorot or He rule prescribes for a kernel.

    Glorot and Bengio keep the variance of activations and of gradients
    alike from layer to layer with ``Var = 2 / (fan_in + fan_out)``; He et
    al. double the forward variance to make up for the ReLU, which zeroes
    half of its inputs: ``Var = 2 / fan_in``. The uniform and normal variants
    of each rule have the same variance.

    Args:
        initializer: ``"glorot_uniform"``, ``"glorot_normal"``, ``"he_uniform"`` or ``"he_normal"``.
        kernel_shape: A kernel shape, as for :func:`fans`.

    Returns:
        The standard deviation, a float.

    Raises:
        ValueError: If ``initializer`` is not one of the four names, or ``kernel_shape`` is invalid.

    Example:
        >>> round(theoretical_std("he_normal", (3, 3, 1, 32)), 4), round(theoretical_std("glorot_uniform", (3, 3, 1, 32)), 4)
        (0.4714, 0.0821)
    """
    if initializer not in INITIALIZER_SCALES:
        raise ValueError(f"Expected `initializer` to be one of {sorted(INITIALIZER_SCALES)}. "
                         f"Received: initializer={initializer!r}")
    fan_in, fan_out = fans(kernel_shape)
    if INITIALIZER_SCALES[initializer] == "glorot":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    return float(np.sqrt(2.0 / fan_in))


def initial_weight_std(initializer, kernel_shape, seed=0):
    """Draw a kernel with a Keras initializer and return the standard deviation of its weights.

    Args:
        initializer: An initializer name, such as ``"he_normal"``.
        kernel_shape: The kernel shape to draw.
        seed: Seed of the initializer, a non-negative int.

    Returns:
        The empirical standard deviation, a float.

    Raises:
        ValueError: If ``kernel_shape`` is invalid or ``seed`` is negative.

    Example:
        >>> round(initial_weight_std("he_normal", (3, 3, 64, 64)), 2)
        0.06
    """
    fans(kernel_shape)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative int. Received: seed={seed!r}")
    draw = keras.initializers.get({"class_name": initializer, "config": {"seed": seed}})
    return float(np.std(keras.ops.convert_to_numpy(draw(tuple(kernel_shape)))))


def filter_spread(kernel):
    """The largest difference between any filter of a kernel and its first filter.

    Zero means every filter of the layer holds the same weights, so the layer
    computes the same feature map many times over.

    Args:
        kernel: A ``Conv2D`` kernel ``(kh, kw, in_channels, filters)`` (filters on the last axis).

    Returns:
        A float, ``max |kernel[..., f] - kernel[..., 0]|``.

    Raises:
        ValueError: If ``kernel`` is not 4-D.

    Example:
        >>> filter_spread(np.ones((3, 3, 1, 4))), filter_spread(np.arange(8.0).reshape(1, 1, 2, 4))
        (0.0, 3.0)
    """
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.ndim != 4:
        raise ValueError(f"Expected `kernel` of shape (kh, kw, in_channels, filters). Received: kernel.shape={kernel.shape}")
    return float(np.abs(kernel - kernel[..., :1]).max())


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
        TypeError: If ``model`` is not a Keras model.
        ValueError: If a name is not a layer of ``model``, or ``layer_names`` is empty.

    Example:
        >>> maps = feature_maps(build_convnet(), np.zeros((2, 28, 28, 1)), ["conv_1", "pool_2"])
        >>> {name: value.shape for name, value in maps.items()}
        {'conv_1': (2, 28, 28, 32), 'pool_2': (2, 7, 7, 64)}
    """
    model = _model("model", model)
    if isinstance(layer_names, str) or not layer_names:
        raise ValueError(f"Expected `layer_names` to be a non-empty list of names. Received: layer_names={layer_names!r}")
    outputs = [_layer(model, name).output for name in layer_names]
    probe = keras.Model(inputs=model.inputs[0], outputs=outputs)
    images = np.asarray(images, dtype="float32")
    chunks = [probe(images[start:start + 512], training=False) for start in range(0, len(images), 512)]
    chunks = [chunk if isinstance(chunk, (list, tuple)) else [chunk] for chunk in chunks]
    return {name: np.concatenate([keras.ops.convert_to_numpy(chunk[i]) for chunk in chunks])
            for i, name in enumerate(layer_names)}


def mosaic(tiles, ncols=8, pad=1, normalize=True):
    """Arrange small 2-D tiles in one grid image, each tile scaled to ``[0, 1]``.

    Args:
        tiles: An array of shape ``(n, height, width)``.
        ncols: Tiles per row.
        pad: Pixels of blank (NaN, drawn as background) between tiles.
        normalize: Whether to scale each tile to ``[0, 1]`` on its own.

    Returns:
        A float array of shape ``(rows * (height + pad) - pad, cols * (width + pad) - pad)``.

    Raises:
        ValueError: If ``tiles`` is not 3-D, ``ncols`` is not positive or ``pad`` is negative.

    Example:
        >>> grid = mosaic(np.arange(12.0).reshape(3, 2, 2), ncols=2)
        >>> grid.shape, float(np.nanmax(grid)), int(np.isnan(grid).sum())
        ((5, 5), 1.0, 13)
    """
    tiles = np.asarray(tiles, dtype="float64")
    if tiles.ndim != 3:
        raise ValueError(f"Expected `tiles` of shape (n, height, width). Received: tiles.shape={tiles.shape}")
    ncols = _positive_int("ncols", ncols)
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"Expected `pad` to be a non-negative int. Received: pad={pad!r}")
    count, height, width = tiles.shape
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    grid = np.full((nrows * (height + pad) - pad, ncols * (width + pad) - pad), np.nan)
    for index, tile in enumerate(tiles):
        if normalize:
            low, high = tile.min(), tile.max()
            tile = (tile - low) / (high - low) if high > low else np.zeros_like(tile)
        row, col = divmod(index, ncols)
        grid[row * (height + pad):row * (height + pad) + height, col * (width + pad):col * (width + pad) + width] = tile
    return grid


def augmentation_layers(flip=True, translation=0.1, seed=None):
    """Random horizontal flips and shifts, active only while training.

    Args:
        flip: Whether to flip images left-right at random.
        translation: Largest shift as a fraction of the height and width, in ``[0, 1)``; 0 for none.
        seed: Seed of the random layers, or None.

    Returns:
        A ``keras.Sequential`` named ``augmentation``.

    Raises:
        ValueError: If ``translation`` is not in ``[0, 1)``, or neither transformation is asked for.

    Example:
        >>> augment = augmentation_layers(seed=0)
        >>> [layer.__class__.__name__ for layer in augment.layers]
        ['RandomFlip', 'RandomTranslation']
        >>> x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
        >>> bool(np.allclose(augment(x, training=False), x))  # inference: unchanged
        True
    """
    translation = _rate("translation", translation)
    if not flip and not translation:
        raise ValueError("Expected at least one transformation. Received: flip=False, translation=0")
    stack = []
    if flip:
        stack.append(layers.RandomFlip("horizontal", seed=seed))
    if translation:
        stack.append(layers.RandomTranslation(translation, translation, fill_mode="constant", seed=seed))
    return keras.Sequential(stack, name="augmentation")


def select_classes(images, labels, classes):
    """Keep the examples of some classes, relabelled ``0, 1, ...`` in the order given.

    Args:
        images: An array with one example per row.
        labels: Integer labels, one per example.
        classes: The original labels to keep, distinct.

    Returns:
        ``(images, labels)`` of the kept examples.

    Raises:
        ValueError: If the lengths differ, ``classes`` is empty or has repeats.

    Example:
        >>> x, y = select_classes(np.arange(6), np.array([0, 1, 2, 0, 1, 2]), [2, 0])
        >>> x.tolist(), y.tolist()
        ([0, 2, 3, 5], [1, 0, 1, 0])
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"Expected `images` and `labels` of the same length. Received: {len(images)} and {len(labels)}")
    classes = list(classes)
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(f"Expected `classes` to be distinct labels, at least one. Received: classes={classes!r}")
    keep = np.isin(labels, classes)
    lookup = {label: index for index, label in enumerate(classes)}
    return images[keep], np.array([lookup[label] for label in labels[keep]], dtype="int64")


def balanced_subset(images, labels, per_class, seed=0):
    """Draw the same number of examples from every class, in a shuffled order.

    Args:
        images: An array with one example per row.
        labels: Integer labels, one per example.
        per_class: Examples to draw from each class.
        seed: Seed of the draw.

    Returns:
        ``(images, labels)``, ``per_class`` examples of each class.

    Raises:
        ValueError: If the lengths differ, ``per_class`` is not positive, or a class has too few examples.

    Example:
        >>> x, y = balanced_subset(np.arange(10), np.array([0] * 6 + [1] * 4), per_class=2)
        >>> sorted(y.tolist()), len(set(x.tolist()))
        ([0, 0, 1, 1], 4)
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"Expected `images` and `labels` of the same length. Received: {len(images)} and {len(labels)}")
    per_class = _positive_int("per_class", per_class)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < per_class:
            raise ValueError(f"Expected `per_class` to be at most {len(members)}, the size of class {label}. "
                             f"Received: per_class={per_class}")
        chosen.append(rng.choice(members, per_class, replace=False))
    order = rng.permutation(np.concatenate(chosen))
    return images[order], labels[order]


def conv_base(model, last_layer):
    """The part of a trained model from its input up to ``last_layer``, as a model of its own.

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
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> base.output_shape, len(base.layers)
        ((None, 7, 7, 64), 7)
    """
    model = _model("model", model)
    layer = _layer(model, last_layer)
    return keras.Model(inputs=model.inputs[0], outputs=layer.output, name="conv_base")


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
        TypeError: If ``base`` is not a Keras model.
        ValueError: If ``num_classes``, ``dense_units``, ``dropout`` or
            ``learning_rate`` is invalid, or ``base``'s output is not 4-D.

    Example:
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> model = transfer_model(base, num_classes=2)
        >>> len(base.trainable_weights), len(model.trainable_weights)
        (0, 4)
    """
    base = _model("base", base)
    num_classes = _positive_int("num_classes", num_classes)
    dense_units = _positive_int("dense_units", dense_units)
    dropout = _rate("dropout", dropout)
    learning_rate = _positive_float("learning_rate", learning_rate)
    if len(base.output.shape) != 4:
        raise ValueError(f"Expected `base` to output feature maps (batch, height, width, channels). "
                         f"Received: output shape {tuple(base.output.shape)}")
    base.trainable = False
    inputs = keras.Input(shape=tuple(base.inputs[0].shape[1:]))
    x = base(inputs, training=False)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    x = layers.Dense(num_classes, name="logits")(x)
    outputs = layers.Activation("softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs, name="transfer")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def unfreeze_from(model, base, layer_name, learning_rate=1e-4):
    """Unfreeze the base's layers from ``layer_name`` on, and recompile for fine-tuning.

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
        TypeError: If ``model`` or ``base`` is not a Keras model.
        ValueError: If ``layer_name`` is not a layer of ``base`` or ``learning_rate`` is not positive.

    Example:
        >>> base = conv_base(build_convnet(), "pool_2")
        >>> model = transfer_model(base, num_classes=2)
        >>> unfreeze_from(model, base, "conv_2")
        ['conv_2', 'relu_2', 'pool_2']
    """
    model = _model("model", model)
    base = _model("base", base)
    _layer(base, layer_name)
    learning_rate = _positive_float("learning_rate", learning_rate)
    base.trainable = True
    names = [layer.name for layer in base.layers]
    start = names.index(layer_name)
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= start
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return [layer.name for layer in base.layers if layer.trainable and not isinstance(layer, keras.layers.InputLayer)]


def fit_and_evaluate(model, train, test, epochs=5, batch_size=128, log=True):
    """Train a compiled model quietly and return its history and test accuracy.

    Args:
        model: A compiled Keras model.
        train: ``(inputs, labels)`` to train on.
        test: ``(inputs, labels)`` to evaluate on after training.
        epochs: Passes over the training data.
        batch_size: Examples per gradient step.
        log: Whether to print one line per epoch (:class:`~grimoire.callbacks.EpochLogger`).

    Returns:
        ``(history, test_accuracy)``: the ``history.history`` dict and a float.

    Raises:
        TypeError: If ``model`` is not a Keras model.
        ValueError: If ``train`` or ``test`` is not a pair of equal length, or ``epochs``/``batch_size`` is invalid.

    Example:
        >>> model = build_convnet(input_shape=(8, 8, 1), num_classes=2, filters=(2,), dense_units=0)
        >>> x, y = np.zeros((4, 8, 8, 1)), np.array([0, 1, 0, 1])
        >>> history, accuracy = fit_and_evaluate(model, (x, y), (x, y), epochs=1, log=False)
        >>> sorted(history), accuracy
        (['accuracy', 'loss'], 0.5)
    """
    model = _model("model", model)
    for name, pair in (("train", train), ("test", test)):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or len(pair[0]) != len(pair[1]):
            raise ValueError(f"Expected `{name}` to be a pair (inputs, labels) of the same length. "
                             f"Received: {name} of type {type(pair).__name__}")
    epochs = _positive_int("epochs", epochs)
    batch_size = _positive_int("batch_size", batch_size)
    history = model.fit(*train, epochs=epochs, batch_size=batch_size, verbose=0,
                        callbacks=[EpochLogger()] if log else [])
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
        TypeError: If ``value`` or ``reference`` is not a real number.
        ValueError: If ``tolerance`` is negative or ``digits`` is not a non-negative int.

    Example:
        >>> describe_difference(0.76, 0.539), describe_difference(0.7925, 0.814), describe_difference(0.8565, 0.855)
        ('0.221 higher than', '0.021 lower than', 'about the same as')
    """
    for name, number in (("value", value), ("reference", reference)):
        if isinstance(number, bool) or not isinstance(number, (int, float, np.integer, np.floating)):
            raise TypeError(f"Expected `{name}` to be a real number. Received: {name} of type {type(number).__name__}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance >= 0:
        raise ValueError(f"Expected `tolerance` to be a non-negative number. Received: tolerance={tolerance!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"Expected `digits` to be a non-negative int. Received: digits={digits!r}")
    difference = float(value) - float(reference)
    if abs(difference) <= tolerance:
        return "about the same as"
    return f"{abs(difference):.{digits}f} {'higher' if difference > 0 else 'lower'} than"
