import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.forecasting import (
    FORECASTERS,
    build_forecaster,
    fit_forecaster,
    forecast,
    mae_table,
    plot_forecasts,
    plot_mae_comparison,
)
from grimoire.reproducibility import set_seed


@pytest.mark.parametrize("kind", FORECASTERS)
def test_build_forecaster_reads_a_window_and_predicts_one_number(kind):
    model = build_forecaster(kind, (24, 3), units=4)
    assert model.name == kind
    assert model.input_shape == (None, 24, 3) and model.output_shape == (None, 1)
    x = np.random.default_rng(0).normal(size=(5, 24, 3)).astype("float32")
    assert model.predict(x, verbose=0).shape == (5, 1)


def test_build_forecaster_layers():
    dropout = build_forecaster("lstm_dropout", (8, 2), units=4)
    lstm = next(
        layer for layer in dropout.layers if isinstance(layer, keras.layers.LSTM)
    )
    assert lstm.units == 8 and lstm.recurrent_dropout == 0.25
    assert any(isinstance(layer, keras.layers.Dropout) for layer in dropout.layers)
    conv = build_forecaster("conv", (24, 2), units=4)
    assert sum(isinstance(layer, keras.layers.Conv1D) for layer in conv.layers) == 2


def test_build_forecaster_errors():
    with pytest.raises(ValueError, match=r"Expected `kind` to be one of \('dense'"):
        build_forecaster("gru", (8, 2))
    with pytest.raises(ValueError, match="Expected `units` to be an int >= 1"):
        build_forecaster("lstm", (8, 2), units=0)
    with pytest.raises(
        ValueError, match=r"Expected `input_shape` to be \(steps, features"
    ):
        build_forecaster("dense", (8,))
    with pytest.raises(TypeError, match="Expected `input_shape` to be a tuple"):
        build_forecaster("dense", 8)


@pytest.mark.slow
def test_fit_forecaster_learns_a_simple_rule_and_keeps_the_best_epoch():
    set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 6, 2)).astype("float32")
    y = 2 * x[:, -1, 0] + 1  # the answer is in the last step
    model = build_forecaster("dense", (6, 2), units=8)
    history = fit_forecaster(
        model,
        (x[:400], y[:400]),
        (x[400:], y[400:]),
        epochs=30,
        batch_size=32,
        learning_rate=0.01,
    )
    predictions = model.predict(x[400:], verbose=0)[:, 0]
    mae = np.mean(np.abs(predictions - y[400:]))
    assert mae < 0.3 * np.mean(np.abs(y[400:] - y[400:].mean()))
    # The weights kept are those of the best validation epoch.
    np.testing.assert_allclose(mae, min(history["val_mae"]), rtol=1e-4)


def test_fit_forecaster_logs_one_line_per_epoch(capsys):
    x, y = np.zeros((8, 3, 1)), np.zeros(8)
    fit_forecaster(build_forecaster("dense", (3, 1), 2), (x, y), (x, y), 2, log=True)
    assert capsys.readouterr().out.count("\n") == 2


def test_fit_forecaster_errors():
    model = build_forecaster("dense", (3, 1), units=2)
    x, y = np.zeros((8, 3, 1)), np.zeros(8)
    with pytest.raises(TypeError, match="Expected `model` to be a keras.Model"):
        fit_forecaster("model", (x, y), (x, y))
    with pytest.raises(ValueError, match="Expected `train` to be a pair"):
        fit_forecaster(model, (x, y[:4]), (x, y))
    with pytest.raises(ValueError, match="Expected `validation` to be a pair"):
        fit_forecaster(model, (x, y), x)
    with pytest.raises(ValueError, match="Expected `patience` to be an int >= 1"):
        fit_forecaster(model, (x, y), (x, y), patience=0)
    with pytest.raises(ValueError, match="Expected `learning_rate` to be a float > 0"):
        fit_forecaster(model, (x, y), (x, y), learning_rate=0)
    with pytest.raises(TypeError, match="Expected `log` to be a bool"):
        fit_forecaster(model, (x, y), (x, y), log="yes")


def test_mae_table_rows_and_signs():
    table = mae_table({"a": [1.0, 3.0], "b": [4.4]}, baseline=4.0)
    lines = table.splitlines()
    assert lines[2] == "| persistence | 4.00 | |"
    assert lines[3] == "| a | 2.00 ± 1.00 | -50.0 % |"
    assert lines[4] == "| b | 4.40 ± 0.00 | +10.0 % |"


def test_mae_table_and_plot_errors():
    for function in (mae_table, plot_mae_comparison):
        with pytest.raises(TypeError, match="Expected `results` to be a dict"):
            function([1.0], 2.0)
        with pytest.raises(ValueError, match="at least one model"):
            function({}, 2.0)
        with pytest.raises(ValueError, match="Expected `baseline` to be a float > 0"):
            function({"a": [1.0]}, 0.0)
    with pytest.raises(TypeError, match="Expected `ax` to be matplotlib Axes"):
        plot_mae_comparison({"a": [1.0]}, 2.0, ax="axes")


def test_plot_mae_comparison_draws_means_seeds_and_the_baseline():
    _, ax = plt.subplots()
    plot_mae_comparison({"dense": [2.0, 4.0], "lstm": [3.0, 3.0, 3.0]}, 3.5, ax=ax)
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == [3.0, 3.0]
    baseline = [line for line in ax.get_lines() if line.get_label() == "persistence"]
    assert baseline and baseline[0].get_ydata()[0] == 3.5
    assert ax.get_ylabel() == "test MAE (°C)"


def test_plot_forecasts_draws_each_series_and_checks_lengths():
    _, ax = plt.subplots()
    plot_forecasts(range(3), [1, 2, 3], {"a": [1, 1, 1], "b": [2, 2, 2]}, ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["truth", "a", "b"]
    with pytest.raises(ValueError, match=r"Received: 2 for 'a'"):
        plot_forecasts(range(3), [1, 2, 3], {"a": [1, 1]})
    with pytest.raises(TypeError, match="Expected `forecasts` to be a dict"):
        plot_forecasts(range(3), [1, 2, 3], [1, 2, 3])
    with pytest.raises(TypeError, match="Expected `ax` to be matplotlib Axes"):
        plot_forecasts(range(3), [1, 2, 3], {"a": [1, 1, 1]}, ax="axes")


def test_forecast_matches_predict_with_dropout_off():
    set_seed(0)
    model = build_forecaster("lstm_dropout", (6, 2), units=4)
    x = np.random.default_rng(1).normal(size=(7, 6, 2)).astype("float32")
    np.testing.assert_allclose(
        forecast(model, x), model.predict(x, verbose=0)[:, 0], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(forecast(model, x), forecast(model, x))


def test_forecast_errors():
    with pytest.raises(TypeError, match="Expected `model` to be a keras.Model"):
        forecast("model", np.zeros((2, 3, 1)))
    two = keras.Sequential(
        [keras.Input((3, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    with pytest.raises(ValueError, match=r"one number per window.*\(2, 2\)"):
        forecast(two, np.zeros((2, 3, 1)))
