"""Preparing a time series for forecasting: a regular grid, splits and windows.

- :func:`hourly_grid` puts one station's observations on a regular hourly
  grid, with a row of NaNs for every hour that has no observation;
  :func:`longest_gaps` measures the holes and :func:`fill_gaps` fills the
  short ones by interpolating in time.
- :func:`fahrenheit_to_celsius` and :func:`weather_features` turn the raw
  columns into model inputs (°C, wind as a vector, the hour of the day).
- :func:`time_split` cuts a series into training, validation and test
  periods, in that order; :func:`standardize` scales with the statistics of
  the training period only.
- :func:`forecast_windows` makes ``(window, target)`` pairs with
  ``keras.utils.timeseries_dataset_from_array`` whose target lies a given
  number of steps after the window's last step; :func:`target_leads` checks
  it and :func:`window_arrays` turns a dataset into NumPy arrays.

Models, training and plots live in :mod:`grimoire.forecasting`.
"""

from __future__ import annotations

import collections.abc

import numpy as np
import pandas as pd

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    positive_int,
)

__all__ = [
    "hourly_grid",
    "longest_gaps",
    "fill_gaps",
    "fahrenheit_to_celsius",
    "weather_features",
    "time_split",
    "standardize",
    "forecast_windows",
    "target_leads",
    "window_arrays",
]

MEASUREMENTS = [
    "temp",
    "dewp",
    "humid",
    "wind_dir",
    "wind_speed",
    "wind_gust",
    "precip",
    "pressure",
    "visib",
]


def _weather_frame(name, frame, columns):
    check_type(name, frame, pd.DataFrame, expected="a pandas DataFrame")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"Expected `{name}` to have the columns {columns}. "
            f"Received: a frame without {missing}"
        )
    return frame


def hourly_grid(weather, origin="JFK"):
    """Put one station's hourly observations on a regular hourly grid.

    The rows of an observation table are the hours that were recorded, not
    every hour: a missing hour is simply absent. On the grid, every hour
    from the first observation to the last has a row, and the missing ones
    are rows of NaN, so that row ``i`` is always ``i`` hours after row 0.

    Args:
        weather: A frame with the columns ``origin``, ``time_hour`` and the
            measurements of ``MEASUREMENTS``, one row per station and hour,
            as :func:`grimoire.data.load_nyc_weather` returns it.
        origin: The station to keep (``"EWR"``, ``"JFK"`` or ``"LGA"``).

    Returns:
        A frame indexed by the hours of the grid (named ``time_hour``), with
        the measurement columns.

    Raises:
        TypeError: If ``weather`` is not a DataFrame.
        ValueError: If a column is missing or ``origin`` is not a station of
            the frame.

    Example:
        >>> hours = pd.to_datetime(["2013-01-01 06:00", "2013-01-01 07:00",
        ...                         "2013-01-01 09:00"], utc=True)
        >>> weather = pd.DataFrame({"origin": "JFK", "time_hour": hours,
        ...                         **{name: 1.0 for name in MEASUREMENTS}})
        >>> grid = hourly_grid(weather, "JFK")
        >>> len(weather), len(grid), grid["temp"].isna().tolist()
        (3, 4, [False, False, True, False])
    """
    _weather_frame("weather", weather, ["origin", "time_hour", *MEASUREMENTS])
    check_choice("origin", origin, tuple(sorted(weather["origin"].unique())))
    station = weather[weather["origin"] == origin].set_index("time_hour")
    station = station.sort_index()
    station = station[~station.index.duplicated()][MEASUREMENTS]
    hours = pd.date_range(station.index[0], station.index[-1], freq="h")
    return station.reindex(pd.DatetimeIndex(hours, name="time_hour"))


def longest_gaps(frame):
    """Count the missing values of each column and its longest run of them.

    Args:
        frame: A DataFrame.

    Returns:
        A DataFrame with one row per column of ``frame`` and the columns
        ``missing`` (how many NaNs) and ``longest`` (the longest run of
        consecutive NaNs).

    Raises:
        TypeError: If ``frame`` is not a DataFrame.

    Example:
        >>> frame = pd.DataFrame({"a": [1, None, None, 4, None], "b": 1.0})
        >>> longest_gaps(frame).to_dict("index")
        {'a': {'missing': 3, 'longest': 2}, 'b': {'missing': 0, 'longest': 0}}
    """
    check_type("frame", frame, pd.DataFrame, expected="a pandas DataFrame")
    rows = {}
    for column in frame.columns:
        missing = frame[column].isna().to_numpy()
        # Each run of NaNs counts up from 1; its length is the largest count.
        run_id = np.cumsum(~missing)
        lengths = np.bincount(run_id[missing]) if missing.any() else [0]
        rows[column] = {"missing": int(missing.sum()), "longest": int(max(lengths))}
    return pd.DataFrame.from_dict(rows, orient="index")


def fill_gaps(frame, max_gap=12):
    """Fill missing values by linear interpolation in time, for short gaps only.

    A gap of a few hours in temperature or pressure is well bridged by a
    straight line between the values on either side. A gap of days is not:
    the function refuses to fill one longer than ``max_gap`` rows, so that a
    long hole is a decision, not an accident. Values missing at the very
    start or end are copied from the nearest observation.

    Args:
        frame: A DataFrame with a DatetimeIndex.
        max_gap: The longest run of missing values allowed in any column, an
            int >= 1.

    Returns:
        A new DataFrame with no missing values.

    Raises:
        TypeError: If ``frame`` is not a DataFrame with a DatetimeIndex, or
            ``max_gap`` is not an int.
        ValueError: If ``max_gap`` < 1, or a gap is longer than ``max_gap``.

    Example:
        >>> hours = pd.date_range("2013-01-01", periods=4, freq="h")
        >>> frame = pd.DataFrame({"temp": [1.0, None, None, 4.0]}, index=hours)
        >>> fill_gaps(frame)["temp"].tolist()
        [1.0, 2.0, 3.0, 4.0]
    """
    check_type("frame", frame, pd.DataFrame, expected="a pandas DataFrame")
    check_type("frame.index", frame.index, pd.DatetimeIndex, expected="a DatetimeIndex")
    max_gap = positive_int("max_gap", max_gap)
    gaps = longest_gaps(frame)["longest"]
    if (gaps > max_gap).any():
        raise ValueError(
            f"Expected no gap longer than `max_gap`={max_gap} rows. "
            f"Received: gaps of {gaps[gaps > max_gap].to_dict()} rows"
        )
    filled = frame.interpolate(method="time")
    return filled.ffill().bfill()


def fahrenheit_to_celsius(fahrenheit):
    """Convert temperatures from degrees Fahrenheit to degrees Celsius.

    Args:
        fahrenheit: A number, array, Series or DataFrame.

    Returns:
        ``(fahrenheit - 32) * 5 / 9``, of the same kind.

    Example:
        >>> fahrenheit_to_celsius(np.array([32.0, 212.0, -40.0])).tolist()
        [0.0, 100.0, -40.0]
    """
    return (fahrenheit - 32) * 5 / 9


def weather_features(grid):
    """Turn hourly weather measurements into model inputs.

    Temperatures and dew points become °C. The wind becomes a vector
    (``wind_x``, ``wind_y``, in mph): a direction in degrees jumps from 359
    to 0 although the wind barely turned, and a vector does not, and it can
    be interpolated. The hour of the day becomes a point on a circle
    (``hour_sin``, ``hour_cos``), so that 23 h and 0 h are neighbours.
    Missing measurements stay missing (:func:`fill_gaps` fills them).

    Args:
        grid: A frame indexed by hour, with the columns ``temp``, ``dewp``,
            ``humid``, ``pressure``, ``wind_dir``, ``wind_speed``, ``precip``
            and ``visib``, as :func:`hourly_grid` returns it.

    Returns:
        A DataFrame with the columns ``temp_c``, ``dewp_c``, ``humid``,
        ``pressure``, ``wind_x``, ``wind_y``, ``precip``, ``visib``,
        ``hour_sin`` and ``hour_cos``.

    Raises:
        TypeError: If ``grid`` is not a DataFrame with a DatetimeIndex.
        ValueError: If a column is missing.

    Example:
        >>> hours = pd.date_range("2013-01-01 06:00", periods=2, freq="h")
        >>> grid = pd.DataFrame({"temp": [50.0, 41.0], "dewp": 32.0,
        ...     "humid": 50.0, "pressure": 1015.0, "wind_dir": [90.0, 180.0],
        ...     "wind_speed": 10.0, "precip": 0.0, "visib": 10.0}, index=hours)
        >>> features = weather_features(grid)
        >>> features[["temp_c", "wind_x", "wind_y"]].round(2).to_numpy().tolist()
        [[10.0, 10.0, 0.0], [5.0, 0.0, -10.0]]
        >>> features["hour_sin"].round(2).tolist()
        [1.0, 0.97]
    """
    columns = ["temp", "dewp", "humid", "pressure", "wind_dir", "wind_speed"]
    _weather_frame("grid", grid, [*columns, "precip", "visib"])
    check_type("grid.index", grid.index, pd.DatetimeIndex, expected="a DatetimeIndex")
    direction = np.deg2rad(grid["wind_dir"])
    hour = 2 * np.pi * grid.index.hour.to_numpy() / 24
    return pd.DataFrame(
        {
            "temp_c": fahrenheit_to_celsius(grid["temp"]),
            "dewp_c": fahrenheit_to_celsius(grid["dewp"]),
            "humid": grid["humid"],
            "pressure": grid["pressure"],
            "wind_x": grid["wind_speed"] * np.sin(direction),
            "wind_y": grid["wind_speed"] * np.cos(direction),
            "precip": grid["precip"],
            "visib": grid["visib"],
            "hour_sin": np.sin(hour),
            "hour_cos": np.cos(hour),
        },
        index=grid.index,
    )


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
