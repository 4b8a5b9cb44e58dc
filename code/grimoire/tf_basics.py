"""TensorFlow's machinery, measured: eager versus graph, retracing, tf.data.

Four small tools for the TensorFlow essentials chapter:

- :func:`time_eager_vs_graph` runs one Python function eagerly and as a
  ``tf.function`` graph and reports both times per call;
- :class:`TraceCounter` wraps a function in ``tf.function`` and counts how
  often TensorFlow traces it into a new graph, and
  :func:`time_batch_sizes` times a function over a run of batch sizes;
- :func:`scale_image`, :func:`build_pipeline` and :func:`python_batches` make
  the same batches of images two ways, with ``tf.data`` and with a plain
  Python loop;
- :func:`measure_throughput` times any iterable of batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "Timing",
    "time_eager_vs_graph",
    "TraceCounter",
    "time_batch_sizes",
    "scale_image",
    "build_pipeline",
    "python_batches",
    "measure_throughput",
]


class Timing(NamedTuple):
    """Seconds per call of a function run eagerly and as a graph.

    Example:
        >>> t = Timing(eager_seconds=0.004, graph_seconds=0.001, trace_seconds=0.05)
        >>> t.speedup
        4.0
    """

    eager_seconds: float
    graph_seconds: float
    trace_seconds: float

    @property
    def speedup(self):
        """How many times faster the graph runs than eager code."""
        return self.eager_seconds / self.graph_seconds


def _best_time(fn, args, repeats, number):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / number)
    return best


def time_eager_vs_graph(fn, *args, repeats=5, number=10):
    """Time ``fn(*args)`` run eagerly and compiled with ``tf.function``.

    The graph version is traced once before timing; that first call is
    reported separately as ``trace_seconds`` (tracing plus one run). Each
    time is the best of ``repeats`` rounds of ``number`` calls, the usual way
    to damp the noise of a shared machine.

    Args:
        fn: A Python function of tensors, written with TensorFlow ops.
        *args: The arguments to call it with.
        repeats: Rounds of timing; the fastest round counts.
        number: Calls per round.

    Returns:
        A :class:`Timing` with seconds per call for each mode.

    Raises:
        TypeError: If ``fn`` is not callable, or ``repeats`` or ``number`` not an
            int.
        ValueError: If ``repeats`` or ``number`` is not positive.

    Example:
        >>> import tensorflow as tf
        >>> def f(x):
        ...     for _ in range(10):
        ...         x = tf.tanh(x)
        ...     return x
        >>> t = time_eager_vs_graph(f, tf.ones((4, 4)), repeats=2, number=3)
        >>> t.eager_seconds > 0 and t.graph_seconds > 0
        True
    """
    check_type("fn", fn, Callable, expected="a callable")
    positive_int("repeats", repeats)
    positive_int("number", number)
    graph_fn = tf.function(fn)
    start = time.perf_counter()
    graph_fn(*args)  # trace and run once
    trace_seconds = time.perf_counter() - start
    fn(*args)  # warm up the eager kernels too
    eager = _best_time(fn, args, repeats, number)
    graph = _best_time(graph_fn, args, repeats, number)
    return Timing(eager, graph, trace_seconds)


class TraceCounter:
    """A ``tf.function`` that counts its own traces.

    Python code inside a ``tf.function`` runs only while TensorFlow traces
    the function into a graph; later calls with a matching signature run the
    stored graph and skip the Python entirely. Incrementing a Python counter
    in the function body therefore counts traces.

    Args:
        fn: The Python function to compile.
        **function_kwargs: Passed to ``tf.function`` (for example
            ``input_signature`` or ``reduce_retracing``).

    Raises:
        TypeError: If ``fn`` is not callable.

    Example:
        >>> import tensorflow as tf
        >>> square = TraceCounter(lambda x: x * x)
        >>> _ = square(tf.constant(2.0)); _ = square(tf.constant(3.0))
        >>> square.traces  # same dtype and shape: one graph
        1
        >>> _ = square(2.0); _ = square(3.0)  # Python numbers: one graph each
        >>> square.traces
        3
    """

    def __init__(self, fn, **function_kwargs):
        check_type("fn", fn, Callable, expected="a callable")
        self.traces = 0

        def counted(*args, **kwargs):
            self.traces += 1  # Python side effect: runs only while tracing
            return fn(*args, **kwargs)

        self.function = tf.function(counted, **function_kwargs)

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


def time_batch_sizes(fn, batch_sizes, features):
    """Call ``fn`` once on a batch of ones of each size, and time the loop.

    Every new batch size is a new input shape. An eager function just runs;
    a ``tf.function`` without an ``input_signature`` traces a new graph for
    each shape it has not seen, and the time shows it.

    Args:
        fn: A function of one tensor of shape ``(batch, features)``: plain
            Python, a ``tf.function`` or a :class:`TraceCounter`.
        batch_sizes: The batch sizes to call it with, in order.
        features: Length of each row.

    Returns:
        The seconds the whole loop took.

    Raises:
        TypeError: If ``fn`` is not callable, ``batch_sizes`` not an iterable of
            ints, or ``features`` not an int.
        ValueError: If ``batch_sizes`` is empty or holds a size below 1, or
            ``features`` is not positive.

    Example:
        >>> import tensorflow as tf
        >>> double = TraceCounter(lambda x: 2 * x)
        >>> seconds = time_batch_sizes(double, [1, 2, 3, 3], features=4)
        >>> double.traces, seconds > 0  # three shapes, three graphs
        (3, True)
    """
    check_type("fn", fn, Callable, expected="a callable")
    check_type("batch_sizes", batch_sizes, Iterable, expected="an iterable of ints")
    batch_sizes = [
        positive_int(f"batch_sizes[{i}]", n) for i, n in enumerate(batch_sizes)
    ]
    if not batch_sizes:
        raise ValueError(
            "Expected `batch_sizes` to hold at least one size. Received: batch_sizes=[]"
        )
    positive_int("features", features)
    start = time.perf_counter()
    for size in batch_sizes:
        fn(tf.ones((size, features)))
    return time.perf_counter() - start


def scale_image(image, label):
    """Turn one uint8 image into floats in ``[0, 1]`` with a channel axis.

    The per-example step of the chapter's input pipeline, used both by
    ``tf.data`` (:func:`build_pipeline`) and by the plain loop
    (:func:`python_batches`).

    Args:
        image: uint8 tensor of shape ``(height, width)``.
        label: Integer label.

    Returns:
        ``(image, label)`` with the image as float32 of shape
        ``(height, width, 1)``.

    Example:
        >>> x, y = scale_image(np.full((28, 28), 255, "uint8"), 3)
        >>> tuple(x.shape), x.dtype.name, float(x.numpy().max()), int(y)
        ((28, 28, 1), 'float32', 1.0, 3)
    """
    image = tf.cast(image, tf.float32) / 255.0
    return image[..., tf.newaxis], label


def _check_images_labels(images, labels):
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 3:
        raise ValueError(
            "Expected `images` of shape (n, height, width). "
            f"Received: images.shape={images.shape}"
        )
    if len(labels) != len(images):
        raise ValueError(
            "Expected `labels` to hold one label per image. "
            f"Received: {len(images)} images and {len(labels)} labels"
        )
    return images, labels


def build_pipeline(
    images,
    labels,
    batch_size=128,
    shuffle_buffer=None,
    cache=True,
    prefetch=True,
    seed=42,
):
    """Build a ``tf.data`` input pipeline: map, cache, shuffle, batch, prefetch.

    The order matters. Mapping before caching stores the converted images, so
    later epochs skip the conversion; shuffling after the cache gives a new
    order every epoch; batching after shuffling mixes the batches; and
    prefetching last lets the next batch be prepared while the current one
    is consumed.

    Args:
        images: uint8 array of shape ``(n, height, width)``.
        labels: ``n`` integer labels.
        batch_size: Examples per batch, a positive int.
        shuffle_buffer: Size of the shuffle buffer, a positive int, or ``None``
            not to shuffle.
        cache: Keep the mapped examples in memory after the first epoch, a bool.
        prefetch: Prepare batches ahead (``tf.data.AUTOTUNE``), a bool.
        seed: Seed of the shuffle, an int >= 0.

    Returns:
        A ``tf.data.Dataset`` of ``(images, labels)`` batches, images float32
        of shape ``(batch, height, width, 1)``.

    Raises:
        TypeError: If a size or ``seed`` is not an int, or ``cache`` or
            ``prefetch`` not a bool.
        ValueError: If the shapes do not match, a size is not positive or
            ``seed`` is negative.

    Example:
        >>> images, labels = np.zeros((10, 28, 28), "uint8"), np.arange(10)
        >>> dataset = build_pipeline(images, labels, batch_size=4)
        >>> [tuple(x.shape) for x, _ in dataset]
        [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    images, labels = _check_images_labels(images, labels)
    positive_int("batch_size", batch_size)
    if shuffle_buffer is not None:
        positive_int("shuffle_buffer", shuffle_buffer)
    check_type("cache", cache, bool)
    check_type("prefetch", prefetch, bool)
    check_scalar("seed", seed, int, min_value=0)
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    dataset = dataset.map(scale_image, num_parallel_calls=tf.data.AUTOTUNE)
    if cache:
        dataset = dataset.cache()
    if shuffle_buffer is not None:
        dataset = dataset.shuffle(
            shuffle_buffer, seed=seed, reshuffle_each_iteration=True
        )
    dataset = dataset.batch(batch_size)
    if prefetch:
        dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return dataset


def python_batches(images, labels, batch_size=128):
    """Yield the same batches as :func:`build_pipeline`, with a Python loop.

    Each image goes through :func:`scale_image` on its own, eagerly, and the
    results are stacked with NumPy: the way input code is often first
    written, and the baseline the ``tf.data`` pipeline is measured against.

    The arguments are checked when the function is called; the batches are
    made one at a time, as the returned generator is consumed.

    Args:
        images: uint8 array of shape ``(n, height, width)``.
        labels: ``n`` integer labels.
        batch_size: Examples per batch, a positive int.

    Returns:
        A generator of ``(images, labels)`` NumPy batches, images float32 of
        shape ``(batch, height, width, 1)``.

    Raises:
        TypeError: If ``batch_size`` is not an int.
        ValueError: If the shapes do not match or ``batch_size`` is not
            positive.

    Example:
        >>> images, labels = np.zeros((10, 28, 28), "uint8"), np.arange(10)
        >>> batches = python_batches(images, labels, batch_size=4)
        >>> [x.shape for x, _ in batches]
        [(4, 28, 28, 1), (4, 28, 28, 1), (2, 28, 28, 1)]
    """
    images, labels = _check_images_labels(images, labels)
    batch_size = positive_int("batch_size", batch_size)

    # A generator checks nothing until its first batch is asked for; the checks
    # above run at the call, and this inner generator makes the batches.
    def batches():
        for start in range(0, len(images), batch_size):
            stop = start + batch_size
            chunk = zip(images[start:stop], labels[start:stop])
            pairs = [scale_image(x, y) for x, y in chunk]
            yield (
                np.stack([x.numpy() for x, _ in pairs]),
                np.array([int(y) for _, y in pairs]),
            )

    return batches()


def measure_throughput(batches, max_batches=None):
    """Iterate over batches and measure examples per second.

    Args:
        batches: Any iterable of ``(inputs, labels)`` batches (a
            ``tf.data.Dataset``, a generator, a list).
        max_batches: Stop after this many batches, a positive int, or
            ``None`` for all.

    Returns:
        ``(examples, seconds, examples_per_second)``.

    Raises:
        TypeError: If ``batches`` is not iterable or ``max_batches`` is neither
            an int nor ``None``.
        ValueError: If ``max_batches`` is not positive, or if there are no
            batches.

    Example:
        >>> batches = [(np.zeros((8, 2)), np.zeros(8))] * 3
        >>> examples, seconds, rate = measure_throughput(batches)
        >>> examples, rate > 0
        (24, True)
    """
    check_type("batches", batches, Iterable, expected="an iterable of batches")
    if max_batches is not None:
        positive_int("max_batches", max_batches)
    examples = 0
    count = 0
    start = time.perf_counter()
    for inputs, _ in batches:
        examples += int(inputs.shape[0])
        count += 1
        if max_batches is not None and count >= max_batches:
            break
    seconds = time.perf_counter() - start
    if count == 0:
        raise ValueError("Expected at least one batch. Received: an empty iterable")
    return examples, seconds, examples / max(seconds, 1e-9)
