"""Data parallelism with ``tf.distribute``: replicas, all-reduce, sharding.

``MirroredStrategy`` runs one replica of the model on each device of one
process (:func:`split_cpu` makes two logical devices of one CPU);
``MultiWorkerMirroredStrategy`` runs replicas in several processes, started
and supervised by :mod:`grimoire.cluster`. Both split each global batch
between the replicas and sum their gradients.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from grimoire.validation import check_choice, check_type, positive_float, positive_int

__all__ = [
    "split_cpu",
    "one_step_weights",
    "max_difference",
    "build_classifier",
    "MultiWorkerModel",
    "shard_preview",
    "time_steps",
]

SHARD_POLICIES = {
    "auto": tf.data.experimental.AutoShardPolicy.AUTO,
    "data": tf.data.experimental.AutoShardPolicy.DATA,
    "file": tf.data.experimental.AutoShardPolicy.FILE,
    "off": tf.data.experimental.AutoShardPolicy.OFF,
}


# --- one process, several replicas --------------------------------------------


def split_cpu(num_devices=2):
    """Split the first CPU into ``num_devices`` logical devices, for replicas.

    Call it before TensorFlow creates any tensor (in a chapter's first cell):
    devices are fixed once the runtime starts. Calling it again with the same
    number returns the same devices.

    Args:
        num_devices: How many logical CPU devices to make, an int >= 1.

    Returns:
        The logical devices' names, such as ``('/device:CPU:0', '/device:CPU:1')``.

    Raises:
        ValueError: If ``num_devices`` is not a positive int.
        RuntimeError: If TensorFlow has already started with another split.

    Example:
        >>> split_cpu(0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `num_devices` to be an int >= 1. Received: num_devices=0
    """
    num_devices = positive_int("num_devices", num_devices)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * num_devices
        )
    except RuntimeError as error:
        names = tuple(d.name for d in tf.config.list_logical_devices("CPU"))
        if len(names) == num_devices:
            return names
        raise RuntimeError(
            f"TensorFlow has already started with {len(names)} CPU device(s), so "
            f"it cannot be split into {num_devices}: call split_cpu() before any "
            "tensor is created (in the first cell, right after the imports)."
        ) from error
    return tuple(d.name for d in tf.config.list_logical_devices("CPU"))


def one_step_weights(
    build_model, weights, x, y, strategy=None, learning_rate=0.1, scale="global"
):
    """Take one SGD step on the batch ``(x, y)`` and return the new weights.

    Each replica of ``strategy`` gets a slice of the batch, computes the loss
    of its slice and its gradients; the optimizer sums the gradients of all
    replicas (an all-reduce) and every replica applies the same update.

    Args:
        build_model: A function that returns a new model (it is called inside
            ``strategy.scope()``); the model outputs logits.
        weights: The starting weights, as from ``model.get_weights()``.
        x: The inputs of one global batch.
        y: The integer labels of the batch.
        strategy: A ``tf.distribute.Strategy``, or None for the default one
            (one device).
        learning_rate: The SGD step size, a float > 0.
        scale: ``"global"`` divides each replica's summed loss by the global
            batch size (right); ``"local"`` takes the mean over the replica's
            own slice (wrong: the summed gradient grows with the replicas).

    Returns:
        A list of NumPy arrays, the weights after the step.

    Raises:
        TypeError: If ``build_model`` is not callable or ``strategy`` is not a
            strategy.
        ValueError: If ``learning_rate`` or ``scale`` is invalid.

    Example:
        >>> def build():
        ...     return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        >>> start = [np.ones((2, 2), "float32"), np.zeros(2, "float32")]
        >>> x, y = np.eye(2, dtype="float32"), np.array([0, 1])
        >>> after = one_step_weights(build, start, x, y, learning_rate=1.0)
        >>> np.round(after[1], 2).tolist()
        [0.0, 0.0]
    """
    if not callable(build_model):
        raise TypeError(
            "Expected `build_model` to be a function that returns a model. "
            f"Received: build_model={build_model!r}"
        )
    check_type("weights", weights, (list, tuple), "a list of arrays")
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    check_type("strategy", strategy, tf.distribute.Strategy, "a tf.distribute.Strategy")
    learning_rate = positive_float("learning_rate", learning_rate)
    check_choice("scale", scale, ("global", "local"))
    global_batch = len(x)
    with strategy.scope():
        model = build_model()
        model.set_weights(weights)
        optimizer = keras.optimizers.SGD(learning_rate)
    batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch)

    @tf.function
    def step(batch):
        def replica_step(x_slice, y_slice):
            with tf.GradientTape() as tape:
                logits = model(x_slice, training=True)
                per_example = keras.losses.sparse_categorical_crossentropy(
                    y_slice, logits, from_logits=True
                )
                if scale == "global":
                    loss = tf.reduce_sum(per_example) / global_batch
                else:
                    loss = tf.reduce_mean(per_example)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(gradients, model.trainable_variables)  # all-reduces

        strategy.run(replica_step, args=batch)

    for batch in strategy.experimental_distribute_dataset(batches):
        step(batch)
    return [np.asarray(w) for w in model.get_weights()]


def max_difference(weights_a, weights_b):
    """Return the largest absolute difference between two lists of arrays.

    Args:
        weights_a: A list of arrays, such as ``model.get_weights()``.
        weights_b: A list of arrays of the same shapes.

    Returns:
        A float.

    Raises:
        ValueError: If the lists differ in length or in shapes.

    Example:
        >>> max_difference([np.zeros(2)], [np.array([0.0, -0.5])])
        0.5
    """
    check_type("weights_a", weights_a, (list, tuple), "a list of arrays")
    check_type("weights_b", weights_b, (list, tuple), "a list of arrays")
    shapes_a = [np.shape(w) for w in weights_a]
    shapes_b = [np.shape(w) for w in weights_b]
    if shapes_a != shapes_b:
        raise ValueError(
            "Expected `weights_a` and `weights_b` to have the same shapes. "
            f"Received: {shapes_a} and {shapes_b}"
        )
    return max(
        (
            float(np.max(np.abs(np.subtract(a, b))))
            for a, b in zip(weights_a, weights_b)
        ),
        default=0.0,
    )


class MultiWorkerModel(keras.Model):
    """A ``keras.Model`` whose ``fit`` runs under ``MultiWorkerMirroredStrategy``.

    Keras 3.15's ``fit`` fails under several workers
    (keras-team/keras#20585), in two places that this class replaces:

    - before training it averages a first batch, as a whole ``(x, y)`` tuple,
      across the workers to learn the data's shapes, which the strategy cannot
      do (``ValueError: Attempt to convert a value (PerReplica...)``); only
      the shapes matter, so this model takes them from its own replica's
      slice;
    - after each step it averages the scalar metrics along an axis they do
      not have (``Invalid reduction dimension 0``); this model's
      ``train_step`` returns them as vectors of one value.

    Example:
        >>> inputs = keras.Input((4,))
        >>> model = MultiWorkerModel(inputs, keras.layers.Dense(2)(inputs))
        >>> model.count_params()
        10
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if iterator is not None:
            for _, _, batches in iterator:
                batch = next(batches)
                break
            strategy = self.distribute_strategy
            data_batch = tf.nest.map_structure(
                lambda v: strategy.experimental_local_results(v)[0], batch
            )
        return super()._maybe_symbolic_build(data_batch=data_batch)

    def train_step(self, data):
        logs = super().train_step(data)
        return {name: keras.ops.reshape(value, (1,)) for name, value in logs.items()}


def build_classifier(
    hidden_units=64, input_size=784, num_classes=10, multi_worker=False
):
    """Build and compile a small dense classifier of logits (under a strategy's scope).

    ``Dense(hidden_units, relu) -> Dense(num_classes)``, Adam, the sparse
    categorical cross-entropy from logits, and accuracy.

    Args:
        hidden_units: Width of the hidden layer, a positive int.
        input_size: Length of an input vector, a positive int.
        num_classes: Number of classes, a positive int.
        multi_worker: Build a :class:`MultiWorkerModel` (for several workers).

    Returns:
        A compiled Keras model.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is not positive.

    Example:
        >>> build_classifier(hidden_units=8).count_params()  # 784*8 + 8 + 8*10 + 10
        6370
    """
    hidden_units = positive_int("hidden_units", hidden_units)
    input_size = positive_int("input_size", input_size)
    num_classes = positive_int("num_classes", num_classes)
    check_type("multi_worker", multi_worker, bool)
    inputs = keras.Input((input_size,))
    hidden = keras.layers.Dense(hidden_units, activation="relu")(inputs)
    outputs = keras.layers.Dense(num_classes)(hidden)
    model = (MultiWorkerModel if multi_worker else keras.Model)(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def shard_preview(dataset, strategy=None, policy="data", show=4):
    """Return what this worker gets from ``dataset`` under a sharding policy.

    ``dataset`` yields batches of example ids (global batches). It is
    distributed with ``strategy.experimental_distribute_dataset`` after
    setting its auto-shard policy; the first ids of this worker's first batch,
    and its number of batches, show which examples it trains on.

    Args:
        dataset: A ``tf.data.Dataset`` of integer id batches.
        strategy: A ``tf.distribute.Strategy``, or None for the default one.
        policy: ``"auto"``, ``"data"``, ``"file"`` or ``"off"``.
        show: How many ids of the first batch to return, a positive int.

    Returns:
        ``(ids, batches)``: a list of ints and an int.

    Raises:
        TypeError: If ``dataset`` or ``strategy`` has the wrong type.
        ValueError: If ``policy`` or ``show`` is invalid.

    Example:
        >>> ids = tf.data.Dataset.range(10).batch(4)
        >>> shard_preview(ids, policy="off", show=3)
        ([0, 1, 2], 3)
    """
    check_type("dataset", dataset, tf.data.Dataset, "a tf.data.Dataset")
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    check_type("strategy", strategy, tf.distribute.Strategy, "a tf.distribute.Strategy")
    check_choice("policy", policy, tuple(SHARD_POLICIES))
    show = positive_int("show", show)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = SHARD_POLICIES[policy]
    distributed = strategy.experimental_distribute_dataset(
        dataset.with_options(options)
    )
    first, batches = None, 0
    for batch in distributed:
        local = strategy.experimental_local_results(batch)[0]
        if first is None:
            first = [int(i) for i in np.asarray(local)[:show]]
        batches += 1
    return first or [], batches


def time_steps(strategy, x, y, batch_size=256, steps=20, repeats=3, hidden_units=256):
    """Time training steps of :func:`build_classifier` under a strategy.

    One epoch of ``steps`` batches is run first, to trace the step; then
    ``repeats`` more epochs are timed, each in wall-clock seconds and in CPU
    seconds of this process.

    Args:
        strategy: A ``tf.distribute.Strategy`` (its replicas share each batch).
        x: Inputs, at least ``batch_size * steps`` rows.
        y: Integer labels.
        batch_size: The global batch size, a positive int.
        steps: Steps per timed epoch, a positive int.
        repeats: Timed epochs, a positive int.
        hidden_units: Width of the model's hidden layer, a positive int.

    Returns:
        ``(seconds_per_step, cores_busy)``: two arrays of ``repeats`` values,
        the wall time of a step and the CPU time over the wall time (how many
        cores the process kept busy).

    Raises:
        TypeError: If ``strategy`` is not a strategy, or a size is not an int.
        ValueError: If there are too few examples, or a size is not positive.

    Example:
        >>> x, y = np.zeros((8, 784), "float32"), np.zeros(8, "int64")
        >>> default = tf.distribute.get_strategy()
        >>> seconds, cores = time_steps(default, x, y, 4, 2, repeats=2, hidden_units=4)
        >>> seconds.shape, bool(np.all(seconds > 0))
        ((2,), True)
    """
    check_type("strategy", strategy, tf.distribute.Strategy, "a tf.distribute.Strategy")
    batch_size = positive_int("batch_size", batch_size)
    steps = positive_int("steps", steps)
    repeats = positive_int("repeats", repeats)
    hidden_units = positive_int("hidden_units", hidden_units)
    if len(x) < batch_size * steps:
        raise ValueError(
            f"Expected `x` to have at least batch_size * steps = {batch_size * steps} "
            f"rows. Received: {len(x)} rows"
        )
    n = batch_size * steps
    data = tf.data.Dataset.from_tensor_slices((x[:n], y[:n])).batch(batch_size)
    with strategy.scope():
        model = build_classifier(hidden_units=hidden_units, input_size=x.shape[1])
    model.fit(data, epochs=1, shuffle=False, verbose=0)  # trace the step
    seconds, cores = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(data, epochs=1, shuffle=False, verbose=0)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        seconds.append(wall / steps)
        cores.append(cpu / wall)
    return np.array(seconds), np.array(cores)
