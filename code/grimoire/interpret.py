"""Looking inside a trained convnet: filter patterns and Grad-CAM heatmaps.

- :func:`filter_patterns` finds, by gradient ascent on the input, an image
  that excites each chosen filter of a layer as much as possible.
- :func:`grad_cam_model` and :func:`grad_cam` compute Grad-CAM class
  activation maps (Selvaraju et al., 2017): where in the image the evidence
  for a class lies, as seen from the last convolutional layer.
- :func:`upsample` and :func:`overlay` put a heatmap on its image.
- :func:`randomized_copy` and :func:`heatmap_correlation` are the sanity
  check: a heatmap that explains the model must change when the model's
  weights are replaced by random ones.

The functions take any Keras model with a single input whose layers have
names, so they apply to ``keras.applications`` networks as well as to the
book's own convnet.
"""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import tensorflow as tf

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    keras_model,
    model_layer,
    positive_float,
    positive_int,
)

__all__ = [
    "filter_patterns",
    "grad_cam_model",
    "grad_cam",
    "upsample",
    "overlay",
    "randomized_copy",
    "heatmap_correlation",
]


def filter_patterns(
    model,
    layer_name,
    filters,
    steps=60,
    step_size=0.05,
    seed=0,
    border=1,
    pixel_range=(0.0, 1.0),
):
    """Images that each excite one filter of a layer as much as possible.

    Start from a grey image with a little noise and repeat: compute the mean
    activation of the filter over the feature map (leaving out ``border``
    positions at each edge, where the zero padding distorts it), take its
    gradient with respect to the input image, scale the gradient to a root
    mean square of 1 per pixel, step up it by ``step_size`` and clip the
    pixels to ``pixel_range``. All the filters are optimized at once, one
    image each, in a batch.

    Pass the convolution itself (``"conv_2"``), before its ReLU, rather than
    the ReLU: a filter that gives no positive response anywhere on the
    starting image has a zero gradient after the ReLU and never moves.

    Args:
        model: A Keras model with one image input of known height, width and
            channels.
        layer_name: The layer whose filters to visualize, such as ``"conv_2"``.
        filters: Indices of the filters (channels of the layer's output), or
            one index.
        steps: Gradient-ascent steps.
        step_size: Root-mean-square change of a pixel in one step.
        seed: Seed of the starting noise, a non-negative int.
        border: Positions of the feature map left out at each edge, an int
            >= 0 smaller than half the map's height and width.
        pixel_range: ``(low, high)`` to clip the pixels to after each step,
            such as the ``(0, 1)`` of the training images; None for no clip.

    Returns:
        A float32 array ``(len(filters), height, width, channels)``: the
        patterns, in ``pixel_range``.

    Raises:
        TypeError: If ``model`` is not a Keras model, ``layer_name`` not a
            str, ``pixel_range`` not a pair or None, or a number is of the
            wrong type.
        ValueError: If ``layer_name`` is not a layer, ``filters`` is empty or
            an index is out of range, ``steps`` or ``step_size`` is not
            positive, ``border`` leaves no position, or ``pixel_range`` is
            not increasing.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> model = build_convnet(input_shape=(8, 8, 1), filters=(4,), dense_units=0)
        >>> patterns = filter_patterns(model, "conv_1", [0, 3], steps=2)
        >>> patterns.shape, bool(patterns.min() >= 0 and patterns.max() <= 1)
        ((2, 8, 8, 1), True)
    """
    model = keras_model("model", model)
    layer = model_layer(model, layer_name)
    _, height, width, channels = layer.output.shape
    filters = [filters] if np.ndim(filters) == 0 else list(filters)
    check_scalar("len(filters)", len(filters), int, min_value=1)
    for i, index in enumerate(filters):
        check_scalar(f"filters[{i}]", index, int, min_value=0, max_value=channels - 1)
    steps = positive_int("steps", steps)
    step_size = positive_float("step_size", step_size)
    seed = check_scalar("seed", seed, int, min_value=0)
    largest = (min(height, width) - 1) // 2
    border = check_scalar("border", border, int, min_value=0, max_value=largest)
    low, high = _pixel_range(pixel_range)
    probe = keras.Model(model.inputs[0], layer.output)
    one_hot = tf.one_hot(filters, channels)  # (n, channels): each image's filter

    @tf.function
    def ascend(images):
        with tf.GradientTape() as tape:
            tape.watch(images)
            maps = probe(images, training=False)  # (n, height, width, channels)
            inner = maps[:, border : height - border, border : width - border]
            activation = tf.reduce_mean(inner, axis=(1, 2))  # (n, channels)
            score = tf.reduce_sum(activation * one_hot)
        grads = tape.gradient(score, images)
        rms = tf.sqrt(tf.reduce_mean(grads**2, axis=(1, 2, 3), keepdims=True))
        return tf.clip_by_value(images + step_size * grads / (rms + 1e-8), low, high)

    rng = np.random.default_rng(seed)
    shape = (len(filters), *model.inputs[0].shape[1:])
    start = np.clip(0.5 + 0.05 * rng.standard_normal(shape), low, high)
    images = tf.constant(start, dtype="float32")
    for _ in range(steps):
        images = ascend(images)
    return images.numpy()


def _pixel_range(pixel_range):
    """``(low, high)`` from a pair of numbers, or no bounds for None."""
    if pixel_range is None:
        return -np.inf, np.inf
    check_type("pixel_range", pixel_range, (tuple, list))
    check_choice("len(pixel_range)", len(pixel_range), (2,))
    low = check_scalar("pixel_range[0]", pixel_range[0], float)
    high = check_scalar("pixel_range[1]", pixel_range[1], float)
    if not low < high:
        raise ValueError(
            "Expected `pixel_range` to be (low, high) with low < high. "
            f"Received: pixel_range={pixel_range!r}"
        )
    return low, high


def grad_cam_model(model, layer_name, score_layer=None):
    """A model from the input to a conv layer's activations and the class scores.

    Args:
        model: A Keras model with one input.
        layer_name: The last convolutional layer (or its activation), such as
            ``"relu_2"``; ``"block14_sepconv2_act"`` in Xception.
        score_layer: The layer whose outputs are the class scores, ideally
            before the softmax, such as ``"logits"``; None for the model's
            output.

    Returns:
        A ``keras.Model`` with outputs ``[activations, scores]``.

    Raises:
        TypeError: If ``model`` is not a Keras model or ``layer_name`` not a
            str.
        ValueError: If ``layer_name`` or ``score_layer`` is not a layer of the
            model.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> probe = grad_cam_model(build_convnet(), "relu_2", "logits")
        >>> [tuple(shape) for shape in probe.output_shape]
        [(None, 14, 14, 64), (None, 10)]
    """
    model = keras_model("model", model)
    activations = model_layer(model, layer_name).output
    names = [layer.name for layer in model.layers]
    check_choice("score_layer", score_layer, [None, *names])
    scores = model.get_layer(score_layer).output if score_layer else model.outputs[0]
    return keras.Model(model.inputs[0], [activations, scores])


def _explained_classes(class_index, scores):
    """The class to explain for each image: ``class_index``, or the top score."""
    if class_index is None:
        return np.argmax(scores, axis=-1)
    count, num_classes = len(scores), scores.shape[-1]
    classes = np.asarray(class_index)
    if classes.ndim == 0:
        classes = np.broadcast_to(classes, (count,))
    if not np.issubdtype(classes.dtype, np.integer):
        raise TypeError(
            "Expected `class_index` to be None, an int or ints. "
            f"Received: class_index={class_index!r} of dtype {classes.dtype}"
        )
    if classes.shape != (count,) or classes.min() < 0 or classes.max() >= num_classes:
        raise ValueError(
            f"Expected `class_index` to be None or ints in [0, {num_classes}), one "
            f"per image. Received: class_index={class_index!r}"
        )
    return classes


def grad_cam(model, images, layer_name, score_layer=None, class_index=None):
    """Grad-CAM heatmaps: where the chosen layer sees evidence for a class.

    For each image: take the gradient of the class score with respect to the
    layer's activations ``A`` (shape ``(h, w, k)``); average it over the
    positions to get one weight per channel, ``alpha_k``; the heatmap is
    ``relu(sum_k alpha_k * A[:, :, k])``, scaled so that its maximum is 1.

    Args:
        model: A Keras model with one input.
        images: A batch of images, shaped like the model's input.
        layer_name: The convolutional layer to explain, usually the last one.
        score_layer: The layer holding the class scores (see
            :func:`grad_cam_model`).
        class_index: The class to explain: an int for every image, an array
            with one class per image, or None for each image's top class.

    Returns:
        ``(heatmaps, classes)``: a float array ``(n, h, w)`` in ``[0, 1]``
        and the int array of explained classes.

    Raises:
        TypeError: If ``model`` is not a Keras model, ``layer_name`` not a
            str, or ``class_index`` not None or ints.
        ValueError: If a layer name is invalid, ``images`` is not a batch,
            or ``class_index`` is out of range or of the wrong length.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> model = build_convnet((8, 8, 1), num_classes=3, filters=(4,), dense_units=0)
        >>> images = np.ones((2, 8, 8, 1))
        >>> heatmaps, classes = grad_cam(model, images, "relu_1", "logits", 2)
        >>> heatmaps.shape, classes.tolist(), bool(heatmaps.max() <= 1)
        ((2, 8, 8), [2, 2], True)
    """
    probe = grad_cam_model(model, layer_name, score_layer)
    images = np.asarray(images, dtype="float32")
    shape = tuple(probe.inputs[0].shape)
    if images.ndim != len(shape):
        raise ValueError(
            f"Expected `images` to be a batch of shape {shape}. "
            f"Received: images.shape={images.shape}"
        )
    images = tf.constant(images)
    with tf.GradientTape() as tape:
        activations, scores = probe(images, training=False)
        classes = _explained_classes(class_index, scores.numpy())
        # Each image's score depends only on that image: one gradient serves all.
        chosen = tf.gather(scores, classes.astype("int32"), axis=1, batch_dims=1)
    grads = tape.gradient(chosen, activations)  # (n, h, w, k)
    weights = tf.reduce_mean(grads, axis=(1, 2))  # (n, k): one weight per channel
    heatmaps = tf.nn.relu(tf.einsum("nhwk,nk->nhw", activations, weights)).numpy()
    peaks = heatmaps.max(axis=(1, 2), keepdims=True)
    heatmaps = np.divide(heatmaps, peaks, out=np.zeros_like(heatmaps), where=peaks > 0)
    return heatmaps, classes.astype("int64")


def upsample(heatmaps, size):
    """Resize heatmaps to an image's height and width by bilinear interpolation.

    Args:
        heatmaps: An array ``(n, h, w)`` or a single ``(h, w)`` map.
        size: ``(height, width)`` to resize to.

    Returns:
        A float array of the same rank with the new height and width.

    Raises:
        TypeError: If ``size`` is not a tuple or list of ints.
        ValueError: If ``heatmaps`` is not 2-D or 3-D, or ``size`` has not 2
            entries or one is below 1.

    Example:
        >>> upsample(np.array([[0.0, 1.0], [1.0, 0.0]]), (4, 4)).shape
        (4, 4)
    """
    heatmaps = np.asarray(heatmaps, dtype="float32")
    if heatmaps.ndim not in (2, 3):
        raise ValueError(
            "Expected `heatmaps` of shape (n, h, w) or (h, w). "
            f"Received: heatmaps.shape={heatmaps.shape}"
        )
    check_type("size", size, (tuple, list))
    check_choice("len(size)", len(size), (2,))
    size = tuple(positive_int(f"size[{i}]", n) for i, n in enumerate(size))
    batch = heatmaps if heatmaps.ndim == 3 else heatmaps[None]
    resized = keras.ops.convert_to_numpy(
        keras.ops.image.resize(batch[..., None], size, interpolation="bilinear")
    )
    resized = resized[..., 0]
    return resized if heatmaps.ndim == 3 else resized[0]


def overlay(image, heatmap, alpha=0.5, cmap="jet"):
    """Blend a colour-coded heatmap over a grey-scale image.

    The heatmap is upsampled to the image's size and coloured with ``cmap``;
    the result is ``(1 - alpha) * grey + alpha * colour``.

    Args:
        image: A grey-scale image ``(height, width)`` with values in ``[0, 1]``.
        heatmap: A map ``(h, w)`` with values in ``[0, 1]``.
        alpha: Weight of the heatmap, in ``[0, 1]``.
        cmap: A matplotlib colormap name.

    Returns:
        An RGB float array ``(height, width, 3)`` in ``[0, 1]``.

    Raises:
        TypeError: If ``alpha`` is not a number or ``cmap`` not a str.
        ValueError: If ``image`` or ``heatmap`` is not 2-D, or ``alpha`` is
            not in ``[0, 1]``.

    Example:
        >>> rgb = overlay(np.zeros((28, 28)), np.ones((7, 7)), alpha=1.0)
        >>> rgb.shape, np.round(rgb[0, 0], 2).tolist()  # the top colour of "jet"
        ((28, 28, 3), [0.5, 0.0, 0.0])
    """
    image = np.asarray(image, dtype="float64")
    heatmap = np.asarray(heatmap, dtype="float64")
    for name, value in (("image", image), ("heatmap", heatmap)):
        if value.ndim != 2:
            raise ValueError(
                f"Expected `{name}` of shape (height, width). "
                f"Received: {name}.shape={value.shape}"
            )
    alpha = check_scalar("alpha", alpha, float, min_value=0, max_value=1)
    check_type("cmap", cmap, str)
    heat = np.clip(upsample(heatmap, image.shape), 0, 1)
    colour = matplotlib.colormaps[cmap](heat)[..., :3]
    grey = np.repeat(np.clip(image, 0, 1)[..., None], 3, axis=-1)
    return (1 - alpha) * grey + alpha * colour


def randomized_copy(model, seed=0, layer_names=None):
    """A copy of a model with the same architecture and random weights.

    In every chosen layer, each kernel is drawn afresh from a seeded
    Glorot-uniform initializer and each bias set to zero; other weights (such
    as batch-normalization statistics) are those of a freshly built layer.
    The other layers keep their trained weights, which allows the cascading
    test of Adebayo et al. (2018): randomize the layers one at a time from
    the top down. The original model is not changed.

    Args:
        model: A Keras model.
        seed: Seed of the new kernels, a non-negative int.
        layer_names: Names of the layers to randomize, a list or tuple; None
            for every layer.

    Returns:
        A new ``keras.Model``.

    Raises:
        TypeError: If ``model`` is not a Keras model, ``seed`` not an int, or
            ``layer_names`` not a list or tuple of str.
        ValueError: If ``seed`` is negative or a name is not a layer.

    Example:
        >>> from grimoire.convnets import build_convnet
        >>> model = build_convnet(input_shape=(8, 8, 1), filters=(4,), dense_units=0)
        >>> copy = randomized_copy(model)
        >>> copy.count_params() == model.count_params()
        True
        >>> bool(np.allclose(copy.get_weights()[0], model.get_weights()[0]))
        False
        >>> top = randomized_copy(model, layer_names=["logits"])
        >>> kernels = [layer.kernel for layer in (*top.layers, *model.layers)
        ...            if layer.name in ("conv_1", "logits")]
        >>> [bool(np.array_equal(kernels[i], kernels[i + 2])) for i in (0, 1)]
        [True, False]
    """
    model = keras_model("model", model)
    seed = check_scalar("seed", seed, int, min_value=0)
    names = [layer.name for layer in model.layers]
    if layer_names is None:
        layer_names = names
    check_type("layer_names", layer_names, (tuple, list))
    for i, name in enumerate(layer_names):
        check_type(f"layer_names[{i}]", name, str)
        check_choice(f"layer_names[{i}]", name, names)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for index, layer in enumerate(copy.layers):
        if layer.name not in layer_names:
            continue
        fresh = keras.layers.deserialize(keras.layers.serialize(layer))
        if not fresh.built:
            fresh.build(layer.input.shape)
        if fresh.weights:
            layer.set_weights(fresh.get_weights())
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            kernel.assign(
                keras.initializers.GlorotUniform(seed=seed + index)(tuple(kernel.shape))
            )
        bias = getattr(layer, "bias", None)
        if bias is not None:
            bias.assign(np.zeros(tuple(bias.shape), dtype="float32"))
    return copy


def _ranks(values):
    """Ranks from 0, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(inverse, weights=ranks) / counts)[inverse]


def heatmap_correlation(first, second, method="pearson"):
    """Correlation between two heatmaps of the same shape.

    ``"pearson"`` correlates the values; ``"spearman"`` correlates their
    ranks (ties share their average rank), so it asks only whether the two
    maps order the positions alike, whatever their scales. A constant map
    has no variation to correlate, so if either map is constant the function
    returns 0.0 (no measurable agreement).

    Args:
        first: A heatmap, any shape.
        second: A heatmap of the same shape.
        method: ``"pearson"`` or ``"spearman"``.

    Returns:
        A float in ``[-1, 1]``.

    Raises:
        ValueError: If the shapes differ or ``method`` is unknown.

    Example:
        >>> a = np.array([[0.0, 1.0], [0.5, 0.2]])
        >>> heatmap_correlation(a, 2 * a + 1), heatmap_correlation(a, 1 - a)
        (1.0, -1.0)
        >>> heatmap_correlation(a, np.ones((2, 2)))
        0.0
        >>> heatmap_correlation(a, a**3, method="spearman")
        1.0
    """
    check_choice("method", method, ("pearson", "spearman"))
    first = np.asarray(first, dtype="float64")
    second = np.asarray(second, dtype="float64")
    if first.shape != second.shape:
        raise ValueError(
            "Expected `first` and `second` of the same shape. "
            f"Received: {first.shape} and {second.shape}"
        )
    first, second = first.ravel(), second.ravel()
    if first.std() == 0 or second.std() == 0:
        return 0.0
    if method == "spearman":
        first, second = _ranks(first), _ranks(second)
    return round(float(np.corrcoef(first, second)[0, 1]), 12)
