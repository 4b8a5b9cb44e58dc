"""Regularization and optimizers, measured: model variants, experiments, NumPy parts.

- :class:`NumpyBatchNorm` is batch normalization written out, with its
  moving statistics, to check ``keras.layers.BatchNormalization`` against.
- :func:`inverted_dropout` is dropout as Keras does it.
- :func:`build_variant` builds the same dense classifier plain, with L2
  weight decay, with dropout or with batch normalization, for any of four
  optimizers; :func:`run_experiment` trains several of them on the same data
  and returns their histories; :func:`summarize` and
  :func:`plot_learning_curves` compare them.
- :func:`repeat_experiment` runs the same experiment from several seeds and
  measures where each run ends, so that a difference between variants can be
  told from seed-to-seed noise; :func:`hidden_kernels` returns the hidden
  weights whose size L2 regularization controls.
"""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers

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
    "VARIANTS",
    "OPTIMIZERS",
    "NumpyBatchNorm",
    "inverted_dropout",
    "build_variant",
    "run_experiment",
    "hidden_kernels",
    "repeat_experiment",
    "summarize",
    "epochs_to_reach",
    "plot_learning_curves",
]

#: The model variants of :func:`build_variant`.
VARIANTS = ("baseline", "l2", "dropout", "batchnorm")

#: The optimizers of :func:`build_variant`, with Keras's default learning rates.
OPTIMIZERS = {"sgd": 0.01, "momentum": 0.01, "rmsprop": 0.001, "adam": 0.001}


class NumpyBatchNorm:
    """Batch normalization over the last axis, in NumPy, with Keras's defaults.

    Training (``training=True``) normalizes each feature with the mean and
    (biased) variance of the batch, ``(x - mean) / sqrt(var + epsilon)``,
    then scales by ``gamma`` and shifts by ``beta``; it also updates the
    moving statistics, ``moving = momentum * moving + (1 - momentum) * batch``.
    Inference (``training=False``) uses the moving statistics instead, so
    the output for one example does not depend on the rest of the batch.

    Args:
        num_features: Size of the last axis.
        momentum: Weight of the old value in the moving averages.
        epsilon: Added to the variance before the square root.

    Raises:
        TypeError: If an argument is not a number of the right kind; when
            called, if ``training`` is not a bool.
        ValueError: If ``num_features`` is not a positive int, ``momentum``
            is not in [0, 1) or ``epsilon`` is not positive; when called, if
            ``x`` does not have ``num_features`` on its last axis.

    Example:
        >>> bn = NumpyBatchNorm(2)
        >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
        >>> bn(x, training=True).round(2).tolist()
        [[-1.0, -1.0], [1.0, 1.0]]
        >>> bn.moving_mean.round(2).tolist(), bn.moving_variance.round(2).tolist()
        ([0.02, 0.2], [1.0, 1.99])
        >>> bn(x, training=False).round(1).tolist()  # the moving stats barely moved
        [[1.0, 7.0], [3.0, 21.1]]
    """

    def __init__(self, num_features, momentum=0.99, epsilon=1e-3):
        num_features = positive_int("num_features", num_features)
        self.momentum = unit_rate("momentum", momentum)
        self.epsilon = positive_float("epsilon", epsilon)
        self.gamma = np.ones(num_features)  # gamma and beta: trained by backprop
        self.beta = np.zeros(num_features)
        self.moving_mean = np.zeros(num_features)  # the moving stats: not trained
        self.moving_variance = np.ones(num_features)

    def __call__(self, x, training=False):
        x = np.asarray(x, dtype="float64")
        if x.ndim < 2 or x.shape[-1:] != self.gamma.shape:
            raise ValueError(
                f"Expected `x` of shape (batch_size, ..., {len(self.gamma)}). "
                f"Received: x.shape={x.shape}"
            )
        check_type("training", training, bool)
        if training:
            axes = tuple(range(x.ndim - 1))
            mean, variance = x.mean(axis=axes), x.var(axis=axes)
            self.moving_mean = (
                self.momentum * self.moving_mean + (1 - self.momentum) * mean
            )
            self.moving_variance = (
                self.momentum * self.moving_variance + (1 - self.momentum) * variance
            )
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return self.gamma * (x - mean) / np.sqrt(variance + self.epsilon) + self.beta


def inverted_dropout(x, rate, training=True, rng=None):
    """Dropout as Keras applies it: zero a fraction ``rate``, scale the rest up.

    In training each entry is kept with probability ``1 - rate`` and the kept
    ones are divided by ``1 - rate``, so the expected value of every entry is
    unchanged. At inference the input passes through untouched.

    Args:
        x: An array.
        rate: The fraction of entries to drop, in [0, 1).
        training: Whether to drop (training) or pass through (inference).
        rng: A ``numpy.random.Generator``; a fresh unseeded one if None.

    Returns:
        An array of the shape of ``x``.

    Raises:
        TypeError: If ``rate`` is not a number, ``training`` not a bool or
            ``rng`` not a generator.
        ValueError: If ``rate`` is not in [0, 1).

    Example:
        >>> out = inverted_dropout(np.ones(8), rate=0.5, rng=np.random.default_rng(0))
        >>> sorted(set(out.tolist()))  # dropped, or kept and doubled
        [0.0, 2.0]
        >>> inverted_dropout(np.ones(3), rate=0.5, training=False).tolist()
        [1.0, 1.0, 1.0]
    """
    rate = unit_rate("rate", rate)
    check_type("training", training, bool)
    check_type("rng", rng, (np.random.Generator, type(None)), "a Generator or None")
    x = np.asarray(x, dtype="float64")
    if not training or rate == 0:
        return x
    rng = np.random.default_rng() if rng is None else rng
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1 - rate), 0.0)


def _optimizer(name, learning_rate):
    check_choice("optimizer", name, tuple(OPTIMIZERS))
    if learning_rate is None:
        learning_rate = OPTIMIZERS[name]
    rate = positive_float("learning_rate", learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(rate)
    if name == "momentum":
        return keras.optimizers.SGD(rate, momentum=0.9)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rate)
    return keras.optimizers.Adam(rate)


def build_variant(
    variant="baseline",
    optimizer="adam",
    hidden_units=256,
    depth=2,
    l2=1e-4,
    dropout_rate=0.3,
    learning_rate=None,
    input_size=784,
    num_classes=10,
):
    """Build and compile a dense classifier, plain or with one regularizer.

    Every variant has ``depth`` hidden layers of ``hidden_units`` ReLU units
    and a softmax output, and is compiled with the sparse categorical
    cross-entropy and accuracy:

    - ``"baseline"``: nothing else;
    - ``"l2"``: an L2 penalty ``l2 * sum(w**2)`` on each hidden kernel;
    - ``"dropout"``: a ``Dropout(dropout_rate)`` after each hidden layer;
    - ``"batchnorm"``: each hidden layer is Dense (no bias), then
      BatchNormalization, then ReLU.

    Args:
        variant: One of :data:`VARIANTS`.
        optimizer: One of :data:`OPTIMIZERS` (``"momentum"`` is SGD with
            momentum 0.9).
        hidden_units: Width of each hidden layer.
        depth: Number of hidden layers.
        l2: The L2 factor of the ``"l2"`` variant.
        dropout_rate: The rate of the ``"dropout"`` variant, in [0, 1).
        learning_rate: The optimizer's learning rate; its Keras default if None.
        input_size: Length of an input vector.
        num_classes: Number of classes.

    Returns:
        A compiled ``keras.Sequential`` model.

    Raises:
        TypeError: If a size is not an int or a rate, ``l2`` or
            ``learning_rate`` not a number.
        ValueError: If ``variant`` or ``optimizer`` is unknown, a size is not
            positive, a rate is out of range, ``l2`` is negative or
            ``learning_rate`` is not positive.

    Example:
        >>> model = build_variant(
        ...     "batchnorm", hidden_units=8, depth=1, input_size=4, num_classes=3
        ... )
        >>> [layer.__class__.__name__ for layer in model.layers]
        ['Dense', 'BatchNormalization', 'Activation', 'Dense']
        >>> # 4*8 + (2+2)*8 + 8*3 + 3: BN adds gamma, beta and two moving stats
        >>> model.count_params()
        91
    """
    check_choice("variant", variant, VARIANTS)
    hidden_units = positive_int("hidden_units", hidden_units)
    depth = positive_int("depth", depth)
    input_size = positive_int("input_size", input_size)
    num_classes = positive_int("num_classes", num_classes)
    dropout_rate = unit_rate("dropout_rate", dropout_rate)
    l2 = check_scalar("l2", l2, float, min_value=0)
    model = keras.Sequential([keras.Input(shape=(input_size,))])
    for _ in range(depth):
        if variant == "batchnorm":
            model.add(layers.Dense(hidden_units, use_bias=False))
            model.add(layers.BatchNormalization())
            model.add(layers.Activation("relu"))
            continue
        regularizer = keras.regularizers.L2(l2) if variant == "l2" else None
        model.add(
            layers.Dense(
                hidden_units, activation="relu", kernel_regularizer=regularizer
            )
        )
        if variant == "dropout":
            model.add(layers.Dropout(dropout_rate))
    model.add(layers.Dense(num_classes, activation="softmax"))
    model.compile(
        optimizer=_optimizer(optimizer, learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def run_experiment(
    configs, train, validation, epochs=10, batch_size=128, seed=42, return_models=False
):
    """Train one model per configuration on the same data, from the same seed.

    Args:
        configs: ``{name: keyword arguments of build_variant}``.
        train: ``(x, y)`` training arrays.
        validation: ``(x, y)`` validation arrays.
        epochs: Passes over the training data.
        batch_size: Examples per step.
        seed: Seed set before building each model, so all start alike.
        return_models: Whether to also return the trained models.

    Returns:
        ``{name: history dict}``, each with ``loss``, ``accuracy``,
        ``val_loss`` and ``val_accuracy`` lists, one value per epoch; with
        ``return_models=True``, the pair ``(histories, {name: model})``.

    Raises:
        TypeError: If ``configs`` is not a dict, ``epochs``, ``batch_size``
            or ``seed`` not an int, or ``return_models`` not a bool.
        ValueError: If ``configs`` is empty, ``epochs`` or ``batch_size`` is
            below 1 or ``seed`` is negative.

    Example:
        >>> x = np.random.default_rng(0).random((64, 4)).astype("float32")
        >>> y = (x[:, 0] > 0.5).astype(int)
        >>> tiny = dict(hidden_units=4, depth=1, input_size=4, num_classes=2)
        >>> histories = run_experiment({"tiny": tiny}, (x, y), (x, y), epochs=2)
        >>> list(histories), len(histories["tiny"]["val_accuracy"])
        (['tiny'], 2)
    """
    check_type("configs", configs, dict)
    check_scalar("len(configs)", len(configs), int, min_value=1)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    seed = check_scalar("seed", seed, int, min_value=0)
    check_type("return_models", return_models, bool)
    histories, models = {}, {}
    for name, kwargs in configs.items():
        keras.utils.set_random_seed(seed)
        models[name] = build_variant(**kwargs)
        history = models[name].fit(
            *train,
            validation_data=tuple(validation),
            epochs=epochs,
            batch_size=batch_size,
            verbose=0,
        )
        histories[name] = history.history
    return (histories, models) if return_models else histories


def hidden_kernels(model):
    """The kernels of a model's hidden ``Dense`` layers, as NumPy arrays.

    Every ``Dense`` layer but the last (the output layer) counts as hidden.
    These are the weights that the ``"l2"`` variant of :func:`build_variant`
    penalizes.

    Args:
        model: A built Keras model.

    Returns:
        A list of arrays, one per hidden ``Dense`` layer, in order.

    Raises:
        TypeError: If ``model`` is not a ``keras.Model``.

    Example:
        >>> model = build_variant("dropout", hidden_units=8, depth=2, input_size=4)
        >>> [kernel.shape for kernel in hidden_kernels(model)]
        [(4, 8), (8, 8)]
    """
    keras_model("model", model)
    dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
    return [np.asarray(layer.kernel) for layer in dense[:-1]]


def repeat_experiment(
    configs, train, validation, seeds=(0, 1, 2), epochs=10, batch_size=128
):
    """Run :func:`run_experiment` once per seed and measure where each run ends.

    One seed gives one draw of the initial weights and of the batch order;
    the spread over several seeds says how far a difference between two
    configurations can be trusted.

    Args:
        configs: ``{name: keyword arguments of build_variant}``.
        train: ``(x, y)`` training arrays.
        validation: ``(x, y)`` validation arrays.
        seeds: A non-empty list or tuple of seeds (ints >= 0).
        epochs: Passes over the training data.
        batch_size: Examples per step.

    Returns:
        A pair ``(runs, results)``. ``runs`` maps each seed to the pair
        ``(histories, models)`` of ``run_experiment(..., return_models=True)``.
        ``results`` is ``{name: {quantity: array with one value per seed}}``
        for five quantities: ``train_accuracy``, measured by ``evaluate``
        (in inference mode, so dropout is off); ``val_accuracy`` at the last
        epoch; ``gap``, the first minus the second; ``fit_gap``, the same
        gap from the training accuracy that ``fit`` logged (averaged over
        the last epoch's batches, in training mode); and ``kernel_norm``,
        the Euclidean norm of all :func:`hidden_kernels` together.

    Raises:
        TypeError: If ``configs`` is not a dict, ``train`` or ``validation``
            not a tuple or list, ``seeds`` not a list or tuple of ints, or
            ``epochs`` or ``batch_size`` not an int.
        ValueError: If ``configs`` or ``seeds`` is empty, a seed is negative,
            or ``epochs`` or ``batch_size`` is below 1.

    Example:
        >>> x = np.random.default_rng(0).random((64, 4)).astype("float32")
        >>> y = (x[:, 0] > 0.5).astype(int)
        >>> tiny = dict(hidden_units=4, depth=1, input_size=4, num_classes=2)
        >>> runs, results = repeat_experiment(
        ...     {"tiny": tiny}, (x, y), (x, y), seeds=(0, 1), epochs=1
        ... )
        >>> sorted(runs), results["tiny"]["gap"].shape
        ([0, 1], (2,))
        >>> sorted(results["tiny"])
        ['fit_gap', 'gap', 'kernel_norm', 'train_accuracy', 'val_accuracy']
    """
    check_type("configs", configs, dict)
    check_scalar("len(configs)", len(configs), int, min_value=1)
    check_type("train", train, (list, tuple), "an (x, y) pair")
    check_type("validation", validation, (list, tuple), "an (x, y) pair")
    check_type("seeds", seeds, (list, tuple), "a list or tuple of ints")
    check_scalar("len(seeds)", len(seeds), int, min_value=1)
    seeds = [
        check_scalar(f"seeds[{index}]", seed, int, min_value=0)
        for index, seed in enumerate(seeds)
    ]
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    runs = {}
    measured = {name: {} for name in configs}
    for seed in seeds:
        histories, models = run_experiment(
            configs,
            train,
            validation,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            return_models=True,
        )
        runs[seed] = (histories, models)
        for name, model in models.items():
            train_accuracy = float(model.evaluate(*train, verbose=0)[1])
            val_accuracy = float(histories[name]["val_accuracy"][-1])
            norm = np.sqrt(sum(np.sum(k**2) for k in hidden_kernels(model)))
            logged = float(histories[name]["accuracy"][-1])
            for key, value in [
                ("train_accuracy", train_accuracy),
                ("val_accuracy", val_accuracy),
                ("gap", train_accuracy - val_accuracy),
                ("fit_gap", logged - val_accuracy),
                ("kernel_norm", float(norm)),
            ]:
                measured[name].setdefault(key, []).append(value)
    results = {
        name: {key: np.array(values) for key, values in quantities.items()}
        for name, quantities in measured.items()
    }
    return runs, results


def summarize(histories):
    """Final training and validation accuracy of each run, and the gap between them.

    Args:
        histories: ``{name: history dict}`` as from :func:`run_experiment`.

    Returns:
        A list of dicts with keys ``name``, ``train_accuracy``,
        ``val_accuracy``, ``best_val_accuracy`` and ``gap`` (train minus
        validation accuracy, at the last epoch).

    Raises:
        TypeError: If ``histories`` is not a dict.
        ValueError: If a history lacks ``accuracy`` or ``val_accuracy``.

    Example:
        >>> history = {"accuracy": [0.8, 0.95], "val_accuracy": [0.82, 0.85]}
        >>> rows = summarize({"a": history})
        >>> rows[0]["name"], round(rows[0]["gap"], 2), rows[0]["best_val_accuracy"]
        ('a', 0.1, 0.85)
    """
    check_type("histories", histories, dict)
    rows = []
    for name, history in histories.items():
        if "accuracy" not in history or "val_accuracy" not in history:
            raise ValueError(
                f"Expected each history to have 'accuracy' and 'val_accuracy'. "
                f"Received: {name!r} with keys {sorted(history)}"
            )
        train, val = float(history["accuracy"][-1]), float(history["val_accuracy"][-1])
        rows.append(
            {
                "name": name,
                "train_accuracy": train,
                "val_accuracy": val,
                "best_val_accuracy": float(max(history["val_accuracy"])),
                "gap": train - val,
            }
        )
    return rows


def epochs_to_reach(history, threshold, key="val_accuracy"):
    """The first epoch (counting from 1) when ``history[key]`` reaches ``threshold``.

    Args:
        history: A history dict.
        threshold: The value to reach.
        key: The series to look at.

    Returns:
        An int, or None if the threshold is never reached.

    Raises:
        TypeError: If ``history`` is not a dict or ``threshold`` not a number.
        ValueError: If ``key`` is not in ``history``.

    Example:
        >>> epochs_to_reach({"val_accuracy": [0.5, 0.7, 0.8]}, 0.7)
        2
        >>> epochs_to_reach({"val_accuracy": [0.5]}, 0.9) is None
        True
    """
    check_type("history", history, dict)
    check_choice("key", key, tuple(history))
    threshold = check_scalar("threshold", threshold, float)
    reached = [
        epoch for epoch, value in enumerate(history[key], start=1) if value >= threshold
    ]
    return reached[0] if reached else None


def plot_learning_curves(
    histories, metric="accuracy", ax=None, train=True, validation=True
):
    """Plot a metric per epoch for several runs: training dashed, validation solid.

    Args:
        histories: ``{name: history dict}``.
        metric: The metric to plot (``"accuracy"``, ``"loss"``, ...).
        ax: Axes to draw into; the current axes if None.
        train: Whether to draw the training curves.
        validation: Whether to draw the validation curves.

    Returns:
        The axes.

    Raises:
        TypeError: If ``histories`` is not a dict or ``metric`` not a str.
        ValueError: If a history lacks the metric, or both curves are off.

    Example:
        >>> history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.8]}
        >>> fig, ax = plt.subplots()
        >>> ax = plot_learning_curves({"a": history}, metric="loss", ax=ax)
        >>> [line.get_label() for line in ax.get_lines()], ax.get_xlabel()
        (['a (training)', 'a (validation)'], 'epoch')
    """
    check_type("histories", histories, dict)
    check_type("metric", metric, str)
    if not (train or validation):
        raise ValueError(
            "Expected `train` or `validation` to be True. Received: both False"
        )
    ax = plt.gca() if ax is None else ax
    for index, (name, history) in enumerate(histories.items()):
        keys = ([metric] if train else []) + ([f"val_{metric}"] if validation else [])
        missing = [key for key in keys if key not in history]
        if missing:
            raise ValueError(
                f"Expected history {name!r} to have {missing}. "
                f"Received keys: {sorted(history)}"
            )
        color = f"C{index}"
        for key in keys:
            values = history[key]
            style, what = (
                ("-", "validation") if key.startswith("val_") else ("--", "training")
            )
            ax.plot(
                range(1, len(values) + 1),
                values,
                style,
                color=color,
                label=f"{name} ({what})",
            )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.legend()
    return ax
