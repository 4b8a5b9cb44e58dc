"""Cutting a time series into periods and windows whose targets lie ahead.

- :func:`time_split` cuts a series into training, validation and test
  periods, in that order; :func:`standardize` scales with the statistics of
  the training period only.
- :func:`forecast_windows` makes ``(window, target)`` pairs with
  ``keras.utils.timeseries_dataset_from_array`` whose target lies a given
  number of steps after the window's last step; :func:`target_leads` checks
  it and :func:`window_arrays` turns a dataset into NumPy arrays.

The weather series itself is prepared by :mod:`grimoire.timeseries`.
"""

from __future__ import annotations

import collections.abc

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "time_split",
    "standardize",
    "forecast_windows",
    "target_leads",
    "window_arrays",
]


def time_split(length, fractions=(0.5, 0.25, 0.25)):
    """Cut ``range(length)`` into consecutive training, validation and test parts.

    The parts follow each other in time and never mix: every training step
    comes before every validation step, which comes before every test step.
    A model is then judged on a future it has not seen, as it will be used.

    Args:
        length: The number of time steps, an int >= 3.
        fractions: Three positive numbers summing to 1: the share of the
            training, validation and test periods.

    Returns:
        Three ``slice`` objects ``(train, validation, test)``.

    Raises:
        TypeError: If ``length`` is not an int, ``fractions`` not a tuple or
            list, or a fraction not a number.
        ValueError: If ``length`` < 3, ``fractions`` are not three positive
            numbers summing to 1, or a part would be empty.

    Example:
        >>> train, validation, test = time_split(10, (0.6, 0.2, 0.2))
        >>> train, validation, test
        (slice(0, 6, None), slice(6, 8, None), slice(8, 10, None))
    """
    length = check_scalar("length", length, int, min_value=3)
    fractions = tuple(check_type("fractions", fractions, (tuple, list)))
    shares = [
        check_scalar("fractions", share, float, min_value=0, include_min=False)
        for share in fractions
    ]
    if len(shares) != 3 or abs(sum(shares) - 1) > 1e-9:
        raise ValueError(
            "Expected `fractions` to be three positive numbers summing to 1. "
            f"Received: fractions={fractions}"
        )
    first = int(round(length * shares[0]))
    second = int(round(length * (shares[0] + shares[1])))
    if not 0 < first < second < length:
        raise ValueError(
            f"Expected `length` to leave every part at least one step. "
            f"Received: length={length}, fractions={fractions}"
        )
    return slice(0, first), slice(first, second), slice(second, length)


def standardize(values, reference):
    """Scale each column to mean 0 and standard deviation 1 on ``reference``.

    The mean and standard deviation come from ``reference`` alone, normally
    the training period: statistics computed on the validation or test
    periods would let information about the future leak into the inputs.

    Args:
        values: An array-like of shape ``(steps, features)`` (or ``(steps,)``).
        reference: The rows to take the statistics from, same number of
            columns.

    Returns:
        ``(scaled, mean, std)``: ``(values - mean) / std`` as a float32 array,
        and the per-column mean and standard deviation of ``reference``.

    Raises:
        ValueError: If the shapes disagree, or a column of ``reference`` is
            constant.

    Example:
        >>> values = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 90.0]])
        >>> scaled, mean, std = standardize(values, values[:2])
        >>> scaled.tolist(), mean.tolist(), std.tolist()
        ([[-1.0, -1.0], [1.0, 1.0], [3.0, 7.0]], [2.0, 20.0], [1.0, 10.0])
    """
    values = np.asarray(values, dtype="float64")
    reference = np.asarray(reference, dtype="float64")
    if values.shape[1:] != reference.shape[1:] or len(reference) < 2:
        raise ValueError(
            "Expected `reference` to have at least 2 rows of the same shape as "
            f"those of `values`. Received: values.shape={values.shape}, "
            f"reference.shape={reference.shape}"
        )
    mean, std = reference.mean(axis=0), reference.std(axis=0)
    if np.any(std == 0):
        raise ValueError(
            "Expected every column of `reference` to vary. Received: constant "
            f"columns {np.flatnonzero(np.atleast_1d(std == 0)).tolist()}"
        )
    return ((values - mean) / std).astype("float32"), mean, std


def forecast_windows(
    features,
    target,
    sequence_length,
    horizon,
    sampling_rate=1,
    sequence_stride=1,
    batch_size=256,
):
    """Windows of ``features`` paired with ``target`` ``horizon`` steps later.

    A window starting at step ``i`` holds the steps ``i, i + r, …,
    i + (L - 1) r`` (``L = sequence_length``, ``r = sampling_rate``), so its
    last step is ``i + (L - 1) r``, and its target is the value of ``target``
    ``horizon`` steps after that. ``keras.utils.timeseries_dataset_from_array``
    pairs the window starting at ``i`` with ``targets[i]``; handing it
    ``target`` shifted by ``delay = (L - 1) r + horizon`` steps does exactly
    that, and drops the last windows, whose target lies beyond the data.

    Args:
        features: An array of shape ``(steps, features)`` or ``(steps,)``.
        target: An array of shape ``(steps,)``, on the same time steps.
        sequence_length: Steps in each window, an int >= 1.
        horizon: How many steps after the window's last step the target lies,
            an int >= 1.
        sampling_rate: Keep one step in ``sampling_rate`` inside a window.
        sequence_stride: Steps between the starts of consecutive windows.
        batch_size: Windows per batch.

    Returns:
        A ``tf.data.Dataset`` of ``(windows, targets)`` batches, in time
        order (shuffle the training windows when fitting, never the series).

    Raises:
        TypeError: If an integer argument is not an int.
        ValueError: If an integer argument is < 1, ``features`` and
            ``target`` differ in length, or the series is too short for one
            window and its target.

    Example:
        >>> steps = np.arange(10)
        >>> windows = forecast_windows(steps, steps, sequence_length=3,
        ...                            horizon=2, batch_size=8)
        >>> inputs, targets = next(iter(windows))
        >>> inputs.numpy().tolist()[:2], targets.numpy().tolist()[:2]
        ([[0, 1, 2], [1, 2, 3]], [4, 5])
        >>> len(targets)
        6
    """
    import keras

    sequence_length = positive_int("sequence_length", sequence_length)
    horizon = positive_int("horizon", horizon)
    sampling_rate = positive_int("sampling_rate", sampling_rate)
    sequence_stride = positive_int("sequence_stride", sequence_stride)
    batch_size = positive_int("batch_size", batch_size)
    features, target = np.asarray(features), np.asarray(target)
    if len(features) != len(target):
        raise ValueError(
            "Expected `features` and `target` to have the same number of steps. "
            f"Received: {len(features)} and {len(target)}"
        )
    delay = (sequence_length - 1) * sampling_rate + horizon
    if delay >= len(target):
        raise ValueError(
            f"Expected a series longer than {delay} steps, the span of one window "
            f"and its target. Received: {len(target)} steps"
        )
    return keras.utils.timeseries_dataset_from_array(
        features,
        target[delay:],
        sequence_length=sequence_length,
        sampling_rate=sampling_rate,
        sequence_stride=sequence_stride,
        batch_size=batch_size,
    )


def _batches(dataset):
    return check_type(
        "dataset",
        dataset,
        collections.abc.Iterable,
        expected="an iterable of (inputs, targets) batches",
    )


def target_leads(dataset):
    """For each window of a dataset of times: the target's time minus the last input's.

    Build the windows from the time stamps themselves (the same call, with
    the times in place of the features and of the target) and this function
    says how far ahead of the window each target lies. For a forecast
    ``horizon`` steps ahead, every lead must equal ``horizon``.

    Args:
        dataset: An iterable of ``(inputs, targets)`` batches, with inputs of
            shape ``(batch, steps)`` or ``(batch, steps, features)`` whose
            first feature is the time, and targets of shape ``(batch,)``.

    Returns:
        A NumPy array with one lead per window, in the dataset's order.

    Raises:
        TypeError: If ``dataset`` is not iterable.
        ValueError: If the dataset yields no window, or a batch has the wrong
            shape.

    Example:
        >>> steps = np.arange(10)
        >>> target_leads(forecast_windows(steps, steps, 3, horizon=2)).tolist()
        [2, 2, 2, 2, 2, 2]
    """
    leads = []
    for inputs, targets in _batches(dataset):
        inputs, targets = np.asarray(inputs), np.asarray(targets)
        if inputs.ndim == 3:
            inputs = inputs[..., 0]
        if inputs.ndim != 2 or targets.shape != inputs.shape[:1]:
            raise ValueError(
                "Expected batches of inputs (batch, steps[, features]) and "
                f"targets (batch,). Received: inputs.shape={inputs.shape}, "
                f"targets.shape={targets.shape}"
            )
        leads.append(targets - inputs[:, -1])
    if not leads:
        raise ValueError("Expected `dataset` to yield at least one window.")
    return np.concatenate(leads)


def window_arrays(dataset):
    """Collect the batches of a windowed dataset into two NumPy arrays.

    Small series fit in memory many times over; training on arrays lets
    Keras shuffle the training windows and saves making them again for
    every model.

    Args:
        dataset: An iterable of ``(inputs, targets)`` batches.

    Returns:
        ``(inputs, targets)`` as NumPy arrays.

    Raises:
        TypeError: If ``dataset`` is not iterable.
        ValueError: If the dataset yields no batch.

    Example:
        >>> x, y = window_arrays(forecast_windows(np.arange(10), np.arange(10),
        ...                                       3, horizon=2, batch_size=4))
        >>> x.shape, y.shape
        ((6, 3), (6,))
    """
    batches = [(np.asarray(x), np.asarray(y)) for x, y in _batches(dataset)]
    if not batches:
        raise ValueError("Expected `dataset` to yield at least one batch.")
    inputs, targets = zip(*batches)
    return np.concatenate(inputs), np.concatenate(targets)
