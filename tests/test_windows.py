"""Windows whose targets lie ahead: the alignment is checked on time stamps.

For every window, the target's time stamp must be the last input's time stamp
plus the horizon. The same check must fail on the usual slips (a target taken
from the window's own first step, a shift off by one step, rows with missing
hours), or it would prove nothing.
"""

import keras
import numpy as np
import pandas as pd
import pytest

from grimoire.timeseries import hourly_grid
from grimoire.windows import (
    forecast_windows,
    standardize,
    target_leads,
    time_split,
    window_arrays,
)

HOUR = pd.Timedelta("1h")


def hours_since_start(index):
    """Times as float hours since the first one: what the windows are checked on."""
    return ((index - index[0]) / HOUR).to_numpy(dtype="float64")


def assert_targets_ahead(dataset, horizon):
    """The property the forecasting windows must have, for every window."""
    leads = target_leads(dataset)
    assert np.all(leads == horizon), (
        f"{np.sum(leads != horizon)} of {len(leads)} targets are not {horizon} "
        f"steps after their window's last input (leads seen: {np.unique(leads)})"
    )


# --- splits and scaling ---------------------------------------------------------


@pytest.mark.parametrize("length", [4, 10, 8730])
def test_time_split_is_ordered_and_covers_everything_once(length):
    parts = time_split(length, (0.5, 0.25, 0.25))
    steps = np.concatenate([np.arange(length)[part] for part in parts])
    assert steps.tolist() == list(range(length))
    assert all(part.stop > part.start for part in parts)


def test_time_split_errors():
    with pytest.raises(ValueError, match=r"three positive numbers summing to 1"):
        time_split(10, (0.5, 0.5))
    with pytest.raises(ValueError, match=r"summing to 1. Received: fractions"):
        time_split(10, (0.5, 0.3, 0.3))
    with pytest.raises(ValueError, match="Expected `fractions` to be a float > 0"):
        time_split(10, (0.5, 0.5, 0))
    with pytest.raises(ValueError, match="leave every part at least one step"):
        time_split(3)
    with pytest.raises(ValueError, match="Expected `length` to be an int >= 3"):
        time_split(2)
    with pytest.raises(TypeError, match="Expected `length` to be an int"):
        time_split(10.0)
    with pytest.raises(TypeError, match="Expected `fractions` to be a tuple or list"):
        time_split(10, 0.5)


def test_standardize_uses_the_reference_rows_only():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(100, 3))
    train = slice(0, 60)
    later = values.copy()
    later[60:] += 100  # a different future must not change the scaling
    scaled, mean, std = standardize(values, values[train])
    scaled_later, mean_later, _ = standardize(later, later[train])
    np.testing.assert_allclose(mean, mean_later)
    np.testing.assert_allclose(scaled[:60], scaled_later[:60])
    np.testing.assert_allclose(scaled[train].mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(scaled[train].std(axis=0), 1, atol=1e-5)
    assert scaled.dtype == np.float32


def test_standardize_errors():
    values = np.ones((5, 2))
    with pytest.raises(ValueError, match=r"reference.shape=\(5, 3\)"):
        standardize(values, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"constant columns \[0, 1\]"):
        standardize(values, values)


# --- windows whose targets lie in the future ------------------------------------


@pytest.mark.parametrize(
    "sequence_length, horizon, sampling_rate, sequence_stride",
    [(1, 1, 1, 1), (24, 24, 1, 1), (24, 24, 2, 3), (16, 24, 3, 2), (5, 7, 4, 1)],
)
def test_every_target_lies_horizon_steps_after_its_window(
    sequence_length, horizon, sampling_rate, sequence_stride
):
    index = pd.date_range("2013-01-01", periods=500, freq="h", tz="UTC")
    times = hours_since_start(index)
    features = np.stack([times, np.sin(times)], axis=1)  # time as feature 0
    windows = forecast_windows(
        features,
        times,
        sequence_length,
        horizon,
        sampling_rate=sampling_rate,
        sequence_stride=sequence_stride,
        batch_size=64,
    )
    assert_targets_ahead(windows, horizon)
    inputs, targets = window_arrays(windows)
    # Inside a window, the steps are sampling_rate hours apart, in order.
    assert np.all(np.diff(inputs[:, :, 0], axis=1) == sampling_rate)
    # Windows start sequence_stride hours apart, and the last target is the
    # last step of the series: no window is lost or invented.
    assert np.all(np.diff(inputs[:, 0, 0]) == sequence_stride)
    expected = (500 - (sequence_length - 1) * sampling_rate - horizon - 1) // (
        sequence_stride
    ) + 1
    assert len(targets) == expected


@pytest.mark.needs_data("nyc_weather")
def test_every_target_lies_24_hours_after_its_window_on_the_weather_grid():
    from grimoire.data import load_nyc_weather

    grid = hourly_grid(load_nyc_weather(), "JFK")
    times = hours_since_start(grid.index)
    for part in time_split(len(grid)):
        windows = forecast_windows(
            times[part], times[part], 24, horizon=24, sampling_rate=2
        )
        assert_targets_ahead(windows, 24)


@pytest.mark.needs_data("nyc_weather")
def test_windows_over_raw_rows_are_caught_where_hours_are_missing():
    from grimoire.data import load_nyc_weather

    weather = load_nyc_weather()
    rows = weather[weather["origin"] == "JFK"].sort_values("time_hour")
    times = hours_since_start(pd.DatetimeIndex(rows["time_hour"]))
    with pytest.raises(AssertionError, match="targets are not 24 steps after"):
        assert_targets_ahead(forecast_windows(times, times, 24, horizon=24), 24)


@pytest.mark.parametrize(
    "slip",
    ["target from the window's first step", "one step too late", "one step early"],
)
def test_the_check_catches_misaligned_targets(slip):
    times = np.arange(300, dtype="float64")
    length, horizon = 24, 24
    delay = {
        "target from the window's first step": 0,
        "one step too late": length + horizon,
        "one step early": length - 1 + horizon - 1,
    }[slip]
    slipped = keras.utils.timeseries_dataset_from_array(
        times, times[delay:], sequence_length=length, batch_size=64
    )
    with pytest.raises(AssertionError, match="targets are not 24 steps after"):
        assert_targets_ahead(slipped, horizon)


def test_forecast_windows_pairs_features_with_a_separate_target():
    features = np.arange(20, dtype="float32").reshape(10, 2)  # rows 2i, 2i + 1
    target = np.arange(10) * 100.0
    inputs, targets = window_arrays(forecast_windows(features, target, 2, 3))
    assert inputs.shape == (6, 2, 2)
    assert inputs[0].tolist() == [[0, 1], [2, 3]]
    assert targets.tolist() == [400, 500, 600, 700, 800, 900]


def test_forecast_windows_errors():
    series = np.arange(10)
    with pytest.raises(ValueError, match="same number of steps. Received: 10 and 9"):
        forecast_windows(series, series[:-1], 3, 2)
    with pytest.raises(ValueError, match="longer than 10 steps.*Received: 10 steps"):
        forecast_windows(series, series, 4, 7)
    for name in ["sequence_length", "horizon", "sampling_rate", "sequence_stride"]:
        options = {"sequence_length": 2, "horizon": 1, name: 0}
        with pytest.raises(ValueError, match=f"Expected `{name}` to be an int >= 1"):
            forecast_windows(series, series, **options)
    with pytest.raises(TypeError, match="Expected `batch_size` to be an int"):
        forecast_windows(series, series, 2, 1, batch_size=8.0)


def test_target_leads_errors():
    with pytest.raises(TypeError, match="Expected `dataset` to be an iterable"):
        target_leads(3)
    with pytest.raises(ValueError, match="at least one window"):
        target_leads([])
    with pytest.raises(ValueError, match=r"targets.shape=\(3, 1\)"):
        target_leads([(np.zeros((3, 4)), np.zeros((3, 1)))])


def test_window_arrays_collects_batches_in_order():
    inputs, targets = window_arrays(
        forecast_windows(np.arange(50), np.arange(50), 5, 1, batch_size=7)
    )
    assert inputs.shape == (45, 5) and targets.tolist() == list(range(5, 50))
    with pytest.raises(ValueError, match="at least one batch"):
        window_arrays([])
    with pytest.raises(TypeError, match="Expected `dataset` to be an iterable"):
        window_arrays(None)
