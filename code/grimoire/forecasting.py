"""Small forecasting models for a windowed time series, and how to compare them.

- :func:`build_forecaster` builds the four models the book compares: a dense
  network, a 1-D convnet, an LSTM and an LSTM with recurrent dropout.
- :func:`fit_forecaster` trains one quietly, with early stopping on the
  validation period; :func:`forecast` returns its predictions.
- :func:`mae_table` and :func:`plot_mae_comparison` put the test errors of
  several models, over several seeds, beside a baseline's;
  :func:`plot_forecasts` draws forecasts against the truth.

Windows and splits are made by :mod:`grimoire.windows`.
"""

from __future__ import annotations

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers
from matplotlib.axes import Axes

from grimoire.callbacks import EpochLogger
from grimoire.validation import (
    check_choice,
    check_type,
    keras_model,
    positive_float,
    positive_int,
)

__all__ = [
    "FORECASTERS",
    "build_forecaster",
    "fit_forecaster",
    "forecast",
    "mae_table",
    "plot_mae_comparison",
    "plot_forecasts",
]

FORECASTERS = ("dense", "conv", "lstm", "lstm_dropout")


def build_forecaster(kind, input_shape, units=16):
    """Build a small model that reads a window and predicts one number.

    Args:
        kind: ``"dense"`` (flatten the window, one hidden layer), ``"conv"``
            (two 1-D convolutions, global average pooling), ``"lstm"`` (one
            LSTM layer) or ``"lstm_dropout"`` (an LSTM twice as wide, with
            recurrent dropout 0.25 and dropout 0.5 on its output).
        input_shape: ``(steps, features)`` of one window.
        units: Width of the hidden layer, filters or LSTM state, an int >= 1.

    Returns:
        An uncompiled ``keras.Model`` named ``kind``, with one output.

    Raises:
        TypeError: If ``units`` is not an int or ``input_shape`` not a tuple.
        ValueError: If ``kind`` is unknown, ``units`` < 1, or
            ``input_shape`` is not ``(steps, features)``.

    Example:
        >>> for kind in FORECASTERS:
        ...     model = build_forecaster(kind, (24, 10))
        ...     print(kind, model.output_shape, model.count_params())
        dense (None, 1) 3873
        conv (None, 1) 2033
        lstm (None, 1) 1745
        lstm_dropout (None, 1) 5537
    """
    check_choice("kind", kind, FORECASTERS)
    units = positive_int("units", units)
    check_type("input_shape", input_shape, (tuple, list), expected="a tuple")
    if len(input_shape) != 2:
        raise ValueError(
            "Expected `input_shape` to be (steps, features). "
            f"Received: input_shape={input_shape!r}"
        )
    inputs = keras.Input(tuple(input_shape))
    if kind == "dense":
        x = layers.Flatten()(inputs)
        x = layers.Dense(units, activation="relu")(x)
    elif kind == "conv":
        x = layers.Conv1D(units, 6, activation="relu")(inputs)
        x = layers.MaxPooling1D(2)(x)
        x = layers.Conv1D(units, 4, activation="relu")(x)
        x = layers.GlobalAveragePooling1D()(x)
    elif kind == "lstm":
        x = layers.LSTM(units)(inputs)
    else:
        x = layers.LSTM(2 * units, recurrent_dropout=0.25)(inputs)
        x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs, name=kind)


def fit_forecaster(
    model,
    train,
    validation,
    epochs=20,
    patience=3,
    batch_size=256,
    learning_rate=3e-3,
    log=False,
):
    """Train a forecaster on the MSE, stopping when the validation MAE stalls.

    The model is compiled with Adam, the mean squared error as the loss and
    the mean absolute error as the metric. Training stops after
    ``patience`` epochs without a better validation MAE, and the weights of
    the best epoch are restored.

    Args:
        model: A ``keras.Model``.
        train: ``(inputs, targets)`` arrays of the training windows; they are
            shuffled at every epoch (the windows, not the steps inside them).
        validation: ``(inputs, targets)`` of the validation windows.
        epochs: The most epochs to train, an int >= 1.
        patience: Epochs without improvement before stopping, an int >= 1.
        batch_size: Windows per step, an int >= 1.
        learning_rate: Adam's learning rate, a float > 0.
        log: Whether to print one line per epoch.

    Returns:
        The ``history.history`` dict (``loss``, ``mae``, ``val_loss``,
        ``val_mae``, one value per epoch trained).

    Raises:
        TypeError: If ``model`` is not a Keras model, a number has the wrong
            type or ``log`` is not a bool.
        ValueError: If a number is out of range or ``train`` or
            ``validation`` is not a pair of arrays of equal length.

    Example:
        >>> model = build_forecaster("dense", (4, 1), units=2)
        >>> x, y = np.zeros((8, 4, 1)), np.ones(8)
        >>> history = fit_forecaster(model, (x, y), (x, y), epochs=2)
        >>> sorted(history), len(history["loss"])
        (['loss', 'mae', 'val_loss', 'val_mae'], 2)
    """
    model = keras_model("model", model)
    for name, pair in (("train", train), ("validation", validation)):
        if (
            not isinstance(pair, (tuple, list))
            or len(pair) != 2
            or len(pair[0]) != len(pair[1])
        ):
            raise ValueError(
                f"Expected `{name}` to be a pair (inputs, targets) of the same "
                f"length. Received: {name} of type {type(pair).__name__}"
            )
    epochs = positive_int("epochs", epochs)
    patience = positive_int("patience", patience)
    batch_size = positive_int("batch_size", batch_size)
    learning_rate = positive_float("learning_rate", learning_rate)
    check_type("log", log, bool)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"]
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_mae", patience=patience, restore_best_weights=True
    )
    history = model.fit(
        *train,
        validation_data=tuple(validation),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[stop, EpochLogger()] if log else [stop],
    )
    return history.history


def forecast(model, inputs):
    """Predict one number per window, as a 1-D NumPy array.

    The model is called directly, in inference mode (dropout off), on all the
    windows at once. Unlike ``model.predict``, a direct call traces no graph
    function, which for a dozen small models trained one after the other is
    both quicker and quieter.

    Args:
        model: A ``keras.Model`` with one output per window.
        inputs: An array of windows, ``(windows, steps, features)``.

    Returns:
        A float NumPy array of shape ``(windows,)``.

    Raises:
        TypeError: If ``model`` is not a Keras model.
        ValueError: If the model does not give one number per window.

    Example:
        >>> model = build_forecaster("dense", (4, 1), units=2)
        >>> forecast(model, np.zeros((3, 4, 1))).shape
        (3,)
    """
    model = keras_model("model", model)
    outputs = keras.ops.convert_to_numpy(model(np.asarray(inputs), training=False))
    if outputs.ndim != 2 or outputs.shape[1] != 1:
        raise ValueError(
            "Expected `model` to give one number per window. "
            f"Received: outputs of shape {outputs.shape}"
        )
    return outputs[:, 0]


def _axes(ax):
    if ax is None:
        return plt.gca()
    return check_type("ax", ax, Axes, expected="matplotlib Axes")


def _results(results):
    check_type("results", results, dict, expected="a dict")
    if not results:
        raise ValueError("Expected `results` to name at least one model.")
    return {
        name: np.asarray(values, dtype="float64") for name, values in results.items()
    }


def mae_table(results, baseline):
    """A Markdown table of test errors over seeds, against a baseline's.

    Args:
        results: A dict mapping each model's name to its test MAEs, one per
            seed.
        baseline: The baseline's test MAE, a float > 0.

    Returns:
        A Markdown table, as a string, with one row for the baseline, then one per
        model with the mean ± standard deviation over seeds, and the change
        relative to the baseline.

    Raises:
        TypeError: If ``results`` is not a dict or ``baseline`` not a number.
        ValueError: If ``results`` is empty or ``baseline`` <= 0.

    Example:
        >>> print(mae_table({"lstm": [2.0, 2.2, 2.4]}, baseline=2.5))
        | model | test MAE (°C) | vs. persistence |
        |---|---|---|
        | persistence | 2.50 | |
        | lstm | 2.20 ± 0.16 | -12.0 % |
    """
    results = _results(results)
    baseline = positive_float("baseline", baseline)
    rows = [
        "| model | test MAE (°C) | vs. persistence |",
        "|---|---|---|",
        f"| persistence | {baseline:.2f} | |",
    ]
    for name, values in results.items():
        change = 100 * (values.mean() / baseline - 1)
        rows.append(
            f"| {name} | {values.mean():.2f} ± {values.std():.2f} | {change:+.1f} % |"
        )
    return "\n".join(rows)


def plot_mae_comparison(results, baseline, ax=None):
    """Draw each model's test MAE as a bar (mean over seeds) beside a baseline.

    The bar is the mean, the error bar one standard deviation over seeds,
    the dots the seeds themselves, and a dashed line marks the baseline.

    Args:
        results: A dict mapping each model's name to its test MAEs, one per
            seed.
        baseline: The baseline's test MAE.
        ax: The axes to draw into; the current axes if None.

    Returns:
        The axes.

    Raises:
        TypeError: If ``results`` is not a dict, ``baseline`` not a number or
            ``ax`` not matplotlib Axes.
        ValueError: If ``results`` is empty or ``baseline`` <= 0.

    Example:
        >>> ax = plot_mae_comparison({"dense": [2.9, 3.0], "lstm": [2.8]}, 3.2)
        >>> [label.get_text() for label in ax.get_xticklabels()]
        ['dense', 'lstm']
    """
    results = _results(results)
    baseline = positive_float("baseline", baseline)
    ax = _axes(ax)
    positions = np.arange(len(results))
    means = [values.mean() for values in results.values()]
    errors = [values.std() for values in results.values()]
    ax.bar(positions, means, yerr=errors, capsize=4, color="#7fa7cf", width=0.6)
    for position, values in zip(positions, results.values()):
        ax.plot(np.full(len(values), position), values, "o", color="black", ms=3)
    ax.axhline(baseline, color="#c0392b", linestyle="--", label="persistence")
    ax.set_xticks(positions, list(results))
    ax.set_ylabel("test MAE (°C)")
    ax.set_ylim(0, max(max(means) + max(errors), baseline) * 1.15)
    ax.legend(loc="upper right")
    return ax


def plot_forecasts(times, truth, forecasts, ax=None):
    """Draw the true series and one or more forecasts of it over time.

    Args:
        times: The time of each value (datetimes or numbers).
        truth: The true values, same length.
        forecasts: A dict mapping a label to forecasts of the same length.
        ax: The axes to draw into; the current axes if None.

    Returns:
        The axes.

    Raises:
        TypeError: If ``forecasts`` is not a dict or ``ax`` not matplotlib Axes.
        ValueError: If a series differs in length from ``times``.

    Example:
        >>> ax = plot_forecasts([0, 1, 2], [1.0, 2.0, 3.0],
        ...                     {"persistence": [1.0, 1.0, 2.0]})
        >>> [line.get_label() for line in ax.get_lines()]
        ['truth', 'persistence']
    """
    check_type("forecasts", forecasts, dict, expected="a dict")
    series = {"truth": truth, **forecasts}
    for label, values in series.items():
        if len(values) != len(times):
            raise ValueError(
                f"Expected every series to have {len(times)} values, one per "
                f"time. Received: {len(values)} for {label!r}"
            )
    ax = _axes(ax)
    ax.plot(times, truth, color="black", linewidth=1.6, label="truth")
    for label, values in forecasts.items():
        ax.plot(times, values, linewidth=1.1, label=label)
    ax.set_ylabel("temperature (°C)")
    ax.legend(loc="best")
    return ax
