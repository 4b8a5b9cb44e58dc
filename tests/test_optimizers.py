import numpy as np
import pytest

from grimoire.optimizers import (
    STEPS,
    adam_step,
    descend,
    elongated_bowl,
    fit_line,
    momentum_step,
    numerical_gradient,
    plot_trajectories,
    rmsprop_step,
    sgd_step,
    tilted_double_well,
)

rng = np.random.default_rng(2)
GRADIENTS = [
    rng.normal(scale=s, size=(3,)) for s in (1.0, 0.1, 5.0, 1.0, 0.01, 2.0, 1.0, 0.5)
]
START = np.array([0.5, -1.0, 2.0])


def _run_keras(optimizer):
    import keras

    variable = keras.Variable(START, dtype="float64")
    history = []
    for grad in GRADIENTS:
        optimizer.apply_gradients(
            [(keras.ops.convert_to_tensor(grad, dtype="float64"), variable)]
        )
        history.append(np.array(variable.numpy()))
    return np.array(history)


def _run_ours(step, **hyperparameters):
    params, state, history = START, None, []
    for grad in GRADIENTS:
        params, state = step(params, grad, state, **hyperparameters)
        history.append(params)
    return np.array(history)


# The variables are float64, but Keras turns some hyperparameters (the learning
# rate, momentum, the betas of Adam's bias correction) into float32 numbers: the
# paths agree to a few parts in a million of a step, not to 1e-16.
@pytest.mark.parametrize(
    "name, ours, hyperparameters",
    [
        ("SGD", sgd_step, dict(learning_rate=0.05)),
        ("SGD", momentum_step, dict(learning_rate=0.05, momentum=0.9)),
        ("RMSprop", rmsprop_step, dict(learning_rate=0.01, rho=0.9)),
        ("Adam", adam_step, dict(learning_rate=0.01, beta_1=0.9, beta_2=0.999)),
    ],
)
def test_steps_match_keras_optimizers_step_by_step(name, ours, hyperparameters):
    import keras

    optimizer = getattr(keras.optimizers, name)(**hyperparameters)
    expected = _run_keras(optimizer)
    np.testing.assert_allclose(
        _run_ours(ours, **hyperparameters), expected, rtol=1e-6, atol=1e-9
    )


def test_surfaces_gradients_match_finite_differences():
    bowl, well = elongated_bowl(7.0), tilted_double_well()
    for point in rng.normal(size=(5, 2)):
        np.testing.assert_allclose(
            bowl.gradient(point), numerical_gradient(bowl.value, point), rtol=1e-6
        )
    for x in (-2.0, 0.3, 1.1):
        point = np.array([x])
        np.testing.assert_allclose(
            well.gradient(point), numerical_gradient(well.value, point), rtol=1e-6
        )
    assert abs(well.gradient(well.minimum)[0]) < 1e-9


def test_every_optimizer_reaches_the_bottom_of_the_bowl():
    rates = {"sgd": 0.15, "momentum": 0.05, "rmsprop": 0.05, "adam": 0.1}
    for name in STEPS:
        path, steps = descend(
            elongated_bowl(),
            [-4.0, 2.0],
            name,
            max_steps=2000,
            tolerance=0.01,
            learning_rate=rates[name],
        )
        assert steps is not None, name
        assert len(path) == steps + 1


def test_descend_without_tolerance_takes_every_step():
    path, steps = descend(
        elongated_bowl(), [1.0, 1.0], sgd_step, max_steps=5, learning_rate=0.01
    )
    assert steps is None and path.shape == (6, 2)


def test_too_large_a_learning_rate_diverges():
    path, _ = descend(
        elongated_bowl(10), [1.0, 1.0], "sgd", max_steps=20, learning_rate=0.25
    )
    assert (
        np.abs(path[-1, 1]) > 1000
    )  # along x2 each step multiplies by 1 - 0.25 * 10 = -1.5


def test_fit_line_counts_updates_and_recovers_the_line():
    x = rng.uniform(-1, 1, size=40)
    y = 2 * x - 1 + rng.normal(scale=0.05, size=40)
    for batch_size, updates_per_epoch in ((40, 1), (8, 5), (1, 40)):
        w, b, losses = fit_line(x, y, batch_size, learning_rate=0.05, epochs=60)
        assert len(losses) == 60 * updates_per_epoch
    w, b, _ = fit_line(x, y, 1, learning_rate=0.05, epochs=60)
    assert w == pytest.approx(2, abs=0.1) and b == pytest.approx(-1, abs=0.1)


def test_fit_line_follows_a_schedule_update_by_update():
    x = rng.uniform(-1, 1, size=12)
    y = 2 * x - 1
    rates = [0.3, 0.1, 0.05]  # one update per epoch: batch descent
    w, b, _ = fit_line(x, y, 12, learning_rate=lambda t: np.take(rates, t), epochs=3)
    w_ref = b_ref = 0.0
    for rate in rates:
        error = w_ref * x + b_ref - y
        w_ref, b_ref = (
            w_ref - rate * 2 * np.mean(error * x),
            b_ref - rate * 2 * np.mean(error),
        )
    assert (w, b) == pytest.approx((w_ref, b_ref))
    w_const, _, _ = fit_line(x, y, 12, learning_rate=0.3, epochs=3)
    assert w_const != pytest.approx(w)


def test_fit_line_takes_a_keras_schedule():
    import keras

    x = rng.uniform(-1, 1, size=32)
    y = 2 * x - 1 + rng.normal(scale=0.3, size=32)
    cosine = keras.optimizers.schedules.CosineDecay(0.1, decay_steps=20 * 32)
    _, _, noisy = fit_line(x, y, 1, learning_rate=0.1, epochs=20)
    _, _, settled = fit_line(x, y, 1, learning_rate=cosine, epochs=20)
    # with the rate decayed to zero, the last updates barely move the line
    assert np.ptp(settled[-32:]) < np.ptp(noisy[-32:]) / 10


def test_plot_trajectories_draws_each_path():
    paths = {
        "a": np.array([[1.0, 1.0], [0.0, 0.0]]),
        "b": np.array([[-1.0, 1.0], [0.5, 0.0]]),
    }
    ax = plot_trajectories(elongated_bowl(), paths)
    assert ax.get_legend_handles_labels()[1] == ["a", "b"]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: sgd_step(np.zeros(1), np.zeros(1), learning_rate=0),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: sgd_step(np.zeros(1), np.zeros(1), learning_rate="0.1"),
            TypeError,
            r"Expected `learning_rate` to be a float. "
            r"Received: learning_rate='0.1' of type str",
        ),
        (
            lambda: momentum_step(np.zeros(1), np.zeros(1), momentum=1.0),
            ValueError,
            r"Expected `momentum` to be a float in \[0, 1\). Received: momentum=1.0",
        ),
        (
            lambda: momentum_step(np.zeros(1), np.zeros(1), momentum=True),
            TypeError,
            r"Expected `momentum` to be a float. Received: momentum=True of type bool",
        ),
        (
            lambda: rmsprop_step(np.zeros(1), np.zeros(1), rho=-0.1),
            ValueError,
            r"Expected `rho` to be a float in \[0, 1\). Received: rho=-0.1",
        ),
        (
            lambda: rmsprop_step(np.zeros(1), np.zeros(1), epsilon=0),
            ValueError,
            r"Expected `epsilon` to be a float > 0. Received: epsilon=0.0",
        ),
        (
            lambda: adam_step(np.zeros(1), np.zeros(1), beta_1=1),
            ValueError,
            r"Expected `beta_1` to be a float in \[0, 1\). Received: beta_1=1.0",
        ),
        (
            lambda: adam_step(np.zeros(1), np.zeros(1), beta_2=1.5),
            ValueError,
            r"Expected `beta_2` to be a float in \[0, 1\). Received: beta_2=1.5",
        ),
        (
            lambda: adam_step(np.zeros(1), np.zeros(1), beta_2="0.9"),
            TypeError,
            r"Expected `beta_2` to be a float. Received: beta_2='0.9' of type str",
        ),
        (
            lambda: adam_step(np.zeros(1), np.zeros(1), epsilon=-1),
            ValueError,
            r"Expected `epsilon` to be a float > 0. Received: epsilon=-1.0",
        ),
        (
            lambda: elongated_bowl(0.5),
            ValueError,
            r"Expected `stretch` to be a float >= 1. Received: stretch=0.5",
        ),
        (
            lambda: numerical_gradient(sum, np.zeros(2), h=0),
            ValueError,
            r"Expected `h` to be a float > 0. Received: h=0.0",
        ),
        (
            lambda: numerical_gradient("sum", np.zeros(2)),
            TypeError,
            r"Expected `function` to be a callable. Received: function='sum'",
        ),
        (
            lambda: numerical_gradient(sum, np.zeros((2, 2))),
            ValueError,
            r"Expected `point` of shape \(d,\). Received: point.shape=\(2, 2\)",
        ),
        (
            lambda: descend(elongated_bowl(), [0, 0], "nadam"),
            ValueError,
            r"Expected `step` to be one of \('sgd', 'momentum', 'rmsprop', 'adam'\). "
            r"Received: step='nadam'",
        ),
        (
            lambda: descend(elongated_bowl(), [0, 0], 3),
            TypeError,
            r"Expected `step` to be a name in STEPS or a function. "
            r"Received: step=3 of type int",
        ),
        (
            lambda: descend("bowl", [0, 0]),
            TypeError,
            r"Expected `surface` to be a Surface. Received: surface='bowl'",
        ),
        (
            lambda: descend(elongated_bowl(), [0, 0], max_steps=0),
            ValueError,
            r"Expected `max_steps` to be an int >= 1. Received: max_steps=0",
        ),
        (
            lambda: descend(elongated_bowl(), [0, 0], max_steps=2.0),
            TypeError,
            r"Expected `max_steps` to be an int. Received: max_steps=2.0 of type float",
        ),
        (
            lambda: descend(elongated_bowl(), [0, 0], tolerance="small"),
            TypeError,
            r"Expected `tolerance` to be a float. Received: tolerance='small'",
        ),
        (
            lambda: fit_line(np.zeros(3), np.zeros(4), 1),
            ValueError,
            r"Expected `x` and `y` of the same shape \(n,\). "
            r"Received: x.shape=\(3,\), y.shape=\(4,\)",
        ),
        (
            lambda: fit_line(np.zeros(3), np.zeros(3), 4),
            ValueError,
            r"Expected `batch_size` to be an int in \[1, 3\]. Received: batch_size=4",
        ),
        (
            lambda: fit_line(np.zeros(3), np.zeros(3), 1, epochs=0),
            ValueError,
            r"Expected `epochs` to be an int >= 1. Received: epochs=0",
        ),
        (
            lambda: fit_line(np.zeros(3), np.zeros(3), 1, seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: fit_line(
                np.zeros(3), np.zeros(3), 1, learning_rate=lambda t: 0.1, epochs=1
            ),
            ValueError,
            r"Expected `learning_rate` to map the update numbers to one positive "
            r"rate each, shape \(3,\). Received: rates of shape \(\), smallest 0.1",
        ),
        (
            lambda: fit_line(
                np.zeros(3), np.zeros(3), 1, learning_rate=lambda t: -t, epochs=1
            ),
            ValueError,
            r"Expected `learning_rate` to map the update numbers to one positive "
            r"rate each, shape \(3,\). Received: rates of shape \(3,\), smallest -2.0",
        ),
        (
            lambda: plot_trajectories(elongated_bowl(), {"x": np.zeros(3)}),
            ValueError,
            r"Expected `paths\['x'\]` of shape \(steps \+ 1, 2\). "
            r"Received: shape=\(3,\)",
        ),
        (
            lambda: plot_trajectories(elongated_bowl(), [np.zeros((2, 2))]),
            TypeError,
            r"Expected `paths` to be a dict. Received: paths=\[",
        ),
        (
            lambda: plot_trajectories(elongated_bowl(), {}, levels=0),
            ValueError,
            r"Expected `levels` to be an int >= 1. Received: levels=0",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_scalars_are_accepted_as_hyperparameters():
    params, grad = np.array([1.0, 2.0]), np.array([10.0, -10.0])
    expected, _ = sgd_step(params, grad, learning_rate=0.1)
    ours, _ = sgd_step(params, grad, learning_rate=np.float64(0.1))
    np.testing.assert_array_equal(ours, expected)
    p, _ = adam_step(params, grad, beta_1=np.float32(0.9), epsilon=np.float64(1e-7))
    assert p.shape == (2,)
    path, steps = descend(
        elongated_bowl(np.int64(10)), [1.0, 1.0], max_steps=np.int64(3)
    )
    assert path.shape == (4, 2) and steps is None
    w, b, losses = fit_line(
        np.linspace(-1, 1, 8), np.zeros(8), np.int64(4), epochs=np.int64(2)
    )
    assert len(losses) == 4
