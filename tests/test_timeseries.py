import numpy as np
import pandas as pd
import pytest

from grimoire.timeseries import (
    MEASUREMENTS,
    fahrenheit_to_celsius,
    fill_gaps,
    hourly_grid,
    longest_gaps,
    spikes,
    weather_features,
)

HOUR = pd.Timedelta("1h")


def station_rows(origin, hours, value=1.0):
    return pd.DataFrame(
        {
            "origin": origin,
            "time_hour": pd.to_datetime(hours, utc=True),
            **{name: value for name in MEASUREMENTS},
        }
    )


def test_hourly_grid_inserts_missing_hours_sorts_and_drops_duplicates():
    hours = ["2013-01-01 09:00", "2013-01-01 06:00", "2013-01-01 07:00"]
    weather = pd.concat(
        [
            station_rows("JFK", hours),
            station_rows("JFK", ["2013-01-01 07:00"], value=5.0),  # duplicate
            station_rows("EWR", ["2013-01-01 08:00"], value=9.0),  # other station
        ]
    )
    grid = hourly_grid(weather, "JFK")
    assert list(grid.columns) == MEASUREMENTS
    assert grid.index.name == "time_hour"
    assert (np.diff(grid.index) == HOUR).all()
    assert grid["temp"].tolist()[:2] == [1.0, 1.0]
    assert np.isnan(grid["temp"].iloc[2]) and grid["temp"].iloc[3] == 1.0


def test_hourly_grid_errors():
    weather = station_rows("JFK", ["2013-01-01 06:00"])
    with pytest.raises(TypeError, match=r"Expected `weather` to be a pandas"):
        hourly_grid(weather.to_numpy())
    with pytest.raises(ValueError, match=r"Received: a frame without \['pressure'\]"):
        hourly_grid(weather.drop(columns="pressure"))
    with pytest.raises(ValueError, match=r"Expected `origin` to be one of \('JFK',\)"):
        hourly_grid(weather, "LGA")


def test_longest_gaps_counts_runs():
    frame = pd.DataFrame({"a": [None, 1, None, None, None, 2], "b": 0.0})
    gaps = longest_gaps(frame)
    assert gaps.loc["a"].tolist() == [4, 3] and gaps.loc["b"].tolist() == [0, 0]
    with pytest.raises(TypeError, match="Expected `frame` to be a pandas DataFrame"):
        longest_gaps([1, 2])


def test_spikes_are_jumps_away_and_back():
    values = [0.0, 20.0, 0.0, 0.0, -15.0, 1.0, 12.0, 24.0, np.nan, 40.0, 0.0]
    # up-spike, down-spike, a steady rise (no spike), a value beside a gap
    assert np.flatnonzero(spikes(values, threshold=10)).tolist() == [1, 4]
    assert not spikes(pd.Series([5.0]), threshold=1).any()
    with pytest.raises(ValueError, match="Expected `threshold` to be a float > 0"):
        spikes(values, threshold=0)
    with pytest.raises(ValueError, match=r"values.shape=\(2, 2\)"):
        spikes(np.zeros((2, 2)), threshold=1)


def test_fill_gaps_interpolates_in_time_and_fills_the_edges():
    index = pd.date_range("2013-01-01", periods=6, freq="h")
    frame = pd.DataFrame({"x": [None, 0.0, None, None, 3.0, None]}, index=index)
    assert fill_gaps(frame)["x"].tolist() == [0.0, 0.0, 1.0, 2.0, 3.0, 3.0]
    assert frame["x"].isna().sum() == 4  # the input is left alone


def test_fill_gaps_errors():
    index = pd.date_range("2013-01-01", periods=5, freq="h")
    frame = pd.DataFrame({"x": [1.0, None, None, None, 5.0]}, index=index)
    with pytest.raises(ValueError, match=r"no gap longer than `max_gap`=2 .*'x': 3"):
        fill_gaps(frame, max_gap=2)
    with pytest.raises(ValueError, match="Expected `max_gap` to be an int >= 1"):
        fill_gaps(frame, max_gap=0)
    with pytest.raises(TypeError, match="Expected `max_gap` to be an int"):
        fill_gaps(frame, max_gap=2.5)
    with pytest.raises(TypeError, match="Expected `frame.index` to be a Datetime"):
        fill_gaps(frame.reset_index(drop=True))
    with pytest.raises(TypeError, match="Expected `frame` to be a pandas DataFrame"):
        fill_gaps(frame["x"])


def test_fahrenheit_to_celsius():
    np.testing.assert_allclose(fahrenheit_to_celsius(np.array([50.0, 98.6])), [10, 37])


def test_weather_features_units_wind_vector_and_hour_circle():
    index = pd.date_range("2013-01-01", periods=24, freq="h", tz="UTC")
    grid = pd.DataFrame({name: 1.0 for name in MEASUREMENTS}, index=index).assign(
        temp=212.0, wind_speed=2.0, wind_dir=np.arange(24) * 15.0
    )
    features = weather_features(grid)
    assert (features["temp_c"] == 100).all()
    speed = np.hypot(features["wind_x"], features["wind_y"])
    np.testing.assert_allclose(speed, 2.0)
    np.testing.assert_allclose(features["wind_x"].iloc[6], 2.0)  # from the east
    radius = np.hypot(features["hour_sin"], features["hour_cos"])
    np.testing.assert_allclose(radius, 1.0)
    assert features["hour_cos"].iloc[0] == 1.0 and features["hour_sin"].iloc[6] == 1.0
    with pytest.raises(ValueError, match=r"without \['visib'\]"):
        weather_features(grid.drop(columns="visib"))
    with pytest.raises(TypeError, match="Expected `grid.index` to be a Datetime"):
        weather_features(grid.reset_index(drop=True))


def test_weather_features_keep_the_gaps_for_fill_gaps():
    index = pd.date_range("2013-01-01", periods=3, freq="h")
    grid = pd.DataFrame({name: 1.0 for name in MEASUREMENTS}, index=index)
    grid.loc[index[1], "wind_dir"] = np.nan
    features = weather_features(grid)
    assert features["wind_x"].isna().tolist() == [False, True, False]
    assert not fill_gaps(features).isna().any().any()
