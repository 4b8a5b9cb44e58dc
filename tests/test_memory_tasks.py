import keras
import numpy as np
import pytest

from grimoire.memory_tasks import (
    ChronoBias,
    build_memory_classifier,
    copy_accuracies,
    first_step_task,
    input_gradient_norms,
    trial_sgd_step,
)


def test_first_step_task_layout():
    x, y = first_step_task(50, steps=7, noise=0.5, seed=3)
    assert x.shape == (50, 7, 2) and x.dtype == np.float32 and y.shape == (50,)
    assert np.all(x[:, 0, 0] == 1) and np.all(x[:, 1:, 0] == 0)
    assert np.array_equal(x[:, 0, 1], 2 * y - 1)
    assert set(np.unique(y)) == {0.0, 1.0}
    # only the first step tells the class
    assert abs(np.corrcoef(x[:, 1:, 1].mean(axis=1), y)[0, 1]) < 0.5
    again, _ = first_step_task(50, steps=7, noise=0.5, seed=3)
    assert np.array_equal(x, again)


def test_first_step_task_without_noise():
    x, _ = first_step_task(5, steps=4, noise=0.0)
    assert np.all(x[:, 1:] == 0)


def test_first_step_task_errors():
    with pytest.raises(ValueError, match="Expected `steps` to be an int >= 2"):
        first_step_task(5, steps=1)
    with pytest.raises(ValueError, match="Expected `noise` to be a float >= 0"):
        first_step_task(5, noise=-1.0)
    with pytest.raises(TypeError, match="Expected `n` to be an int"):
        first_step_task(5.0)
    with pytest.raises(ValueError, match="Expected `seed` to be an int >= 0"):
        first_step_task(5, seed=-1)


def test_chrono_bias_layout():
    bias = np.asarray(ChronoBias(50, seed=1)((4 * 10,)))
    i, f, c, o = np.split(bias, 4)
    assert np.allclose(i, -f)
    assert np.all(f >= 0) and np.all(f <= np.log(49) + 1e-6)
    assert np.all(c == 0) and np.all(o == 0)
    assert ChronoBias(50, seed=1).get_config() == {"max_steps": 50, "seed": 1}


def test_chrono_bias_errors():
    with pytest.raises(ValueError, match="Expected `max_steps` to be an int >= 3"):
        ChronoBias(2)
    with pytest.raises(TypeError, match="Expected `seed` to be an int"):
        ChronoBias(10, seed=0.5)


def test_copies_are_independent():
    model = build_memory_classifier("lstm", 6, copies=2, chrono=True)
    layers = [model.get_layer(f"lstm_{seed}") for seed in range(2)]
    # different seeds, different initial kernels; the chrono biases differ too
    assert not np.allclose(layers[0].get_weights()[0], layers[1].get_weights()[0])
    assert not np.allclose(layers[0].get_weights()[2], layers[1].get_weights()[2])
    # the loss of one column has no gradient on the other copy's weights
    x, y = first_step_task(8, steps=6)
    import tensorflow as tf

    with tf.GradientTape() as tape:
        first_column = model(x)[:, 0]
    grads = tape.gradient(first_column, layers[1].trainable_variables)
    assert all(g is None or not np.any(np.asarray(g)) for g in grads)


def test_default_lstm_keeps_keras_forget_bias():
    model = build_memory_classifier("lstm", 5, units=3)
    bias = model.get_layer("lstm_0").get_weights()[2]
    assert np.allclose(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])


def test_recurrent_gain_scales_the_kernel():
    small = build_memory_classifier("simple_rnn", 5, units=4, recurrent_gain=1.0)
    large = build_memory_classifier("simple_rnn", 5, units=4, recurrent_gain=3.0)
    u_small = small.get_layer("simple_rnn_0").get_weights()[1]
    u_large = large.get_layer("simple_rnn_0").get_weights()[1]
    assert np.allclose(u_large, 3.0 * u_small, atol=1e-5)
    assert np.allclose(u_small @ u_small.T, np.eye(4), atol=1e-5)


def test_build_memory_classifier_errors():
    with pytest.raises(ValueError, match="Expected `kind` to be one of"):
        build_memory_classifier("gru", 5)
    with pytest.raises(ValueError, match="Expected `chrono` only with kind='lstm'"):
        build_memory_classifier("simple_rnn", 5, chrono=True)
    with pytest.raises(TypeError, match="Expected `chrono` to be a bool"):
        build_memory_classifier("lstm", 5, chrono=1)
    with pytest.raises(ValueError, match="Expected `copies` to be an int >= 1"):
        build_memory_classifier("lstm", 5, copies=0)
    with pytest.raises(ValueError, match="Expected `recurrent_gain` to be a float > 0"):
        build_memory_classifier("lstm", 5, recurrent_gain=0.0)


def test_copy_accuracies_of_a_known_model():
    inputs = keras.Input((3, 2))
    first_value = keras.layers.Lambda(lambda x: x[:, 0, 1:2])(inputs)
    outputs = keras.layers.Concatenate()([first_value, -first_value])
    model = keras.Model(inputs, outputs)  # column 0 right, column 1 wrong
    x, y = first_step_task(20, steps=3)
    assert copy_accuracies(model, x, y).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="Expected `labels` to have one entry"):
        copy_accuracies(model, x, y[:5])
    with pytest.raises(TypeError, match="Expected `model` to be a keras.Model"):
        copy_accuracies("model", x, y)


def test_input_gradient_norms_sees_only_what_the_model_reads():
    inputs = keras.Input((4, 2))
    last = keras.layers.Lambda(lambda x: x[:, -1, 1:2])(inputs)
    model = keras.Model(inputs, keras.layers.Activation("sigmoid")(last))
    x, y = first_step_task(10, steps=4)
    norms = input_gradient_norms(model, x, y)
    assert norms.shape == (4,)
    assert np.all(norms[:3] == 0) and norms[3] > 0


def test_input_gradient_norms_errors():
    model = build_memory_classifier("simple_rnn", 4)
    with pytest.raises(ValueError, match=r"Expected `inputs` of shape \(n, steps"):
        input_gradient_norms(model, np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(TypeError, match="Expected `model` to be a keras.Model"):
        input_gradient_norms(None, np.zeros((4, 4, 2)), np.zeros(4))


def test_trial_sgd_step_clips_and_restores():
    model = build_memory_classifier("simple_rnn", 30, recurrent_gain=3.0)
    x, y = first_step_task(32, steps=30)
    before = [w.copy() for w in model.get_weights()]
    free = trial_sgd_step(model, x, y, learning_rate=0.01)
    clipped = trial_sgd_step(model, x, y, learning_rate=0.01, clipnorm=1.0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert free["gradient_norm"] == pytest.approx(clipped["gradient_norm"])
    assert free["step_norm"] == pytest.approx(0.01 * free["gradient_norm"], rel=1e-3)
    # five weight arrays, each moved by at most learning_rate * clipnorm
    assert clipped["step_norm"] <= 0.01 * np.sqrt(5) + 1e-6
    assert free["loss_before"] == pytest.approx(clipped["loss_before"])


def test_trial_sgd_step_errors():
    model = build_memory_classifier("simple_rnn", 4)
    x, y = first_step_task(4, steps=4)
    with pytest.raises(ValueError, match="Expected `learning_rate` to be a float > 0"):
        trial_sgd_step(model, x, y, learning_rate=0)
    with pytest.raises(ValueError, match="Expected `clipnorm` to be a float > 0"):
        trial_sgd_step(model, x, y, clipnorm=-1.0)
