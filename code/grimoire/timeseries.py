"""Preparing a weather series for forecasting: a regular grid, gaps and inputs.

- :func:`hourly_grid` puts one station's observations on a regular hourly
  grid, with a row of NaNs for every hour that has no observation;
  :func:`longest_gaps` measures the holes, :func:`spikes` finds isolated
  bad readings, and :func:`fill_gaps` fills the short holes by
  interpolating in time.
- :func:`fahrenheit_to_celsius` and :func:`weather_features` turn the raw
  columns into model inputs (°C, wind as a vector, the hour of the day).

Splits and windows are made by :mod:`grimoire.windows`; models, training
and plots live in :mod:`grimoire.forecasting`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grimoire.validation import check_choice, check_scalar, check_type, positive_int

__all__ = [
    "MEASUREMENTS",
    "hourly_grid",
    "longest_gaps",
    "spikes",
    "fill_gaps",
    "fahrenheit_to_celsius",
    "weather_features",
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


def spikes(values, threshold):
    """Mark isolated readings that jump away from both neighbours and back.

    A reading that differs from the one before and the one after by more
    than ``threshold``, in the same direction, is a spike: the series jumps
    there and straight back, which real weather does not do within two
    hours, but a faulty record does. Missing neighbours never make a spike.

    Args:
        values: A 1-D array-like or Series, one value per time step.
        threshold: The smallest jump counted, a float > 0, in the units of
            ``values``.

    Returns:
        A boolean NumPy array, True at the spikes.

    Raises:
        TypeError: If ``threshold`` is not a number.
        ValueError: If ``threshold`` <= 0 or ``values`` is not 1-D.

    Example:
        >>> spikes([14.0, 13.9, -10.5, 14.0, 12.8, 2.0], threshold=10).tolist()
        [False, False, True, False, False, False]
    """
    threshold = check_scalar(
        "threshold", threshold, float, min_value=0, include_min=False
    )
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise ValueError(
            f"Expected `values` to be 1-D. Received: values.shape={values.shape}"
        )
    before = np.full_like(values, np.nan)
    after = np.full_like(values, np.nan)
    before[1:] = values[1:] - values[:-1]
    after[:-1] = values[:-1] - values[1:]
    with np.errstate(invalid="ignore"):
        up = (before > threshold) & (after > threshold)
        down = (before < -threshold) & (after < -threshold)
    return up | down


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
