"""Tests of grimoire.distributed: replicas, the all-reduce step, sharding.

Two replicas need two logical devices, which a process can only get before
TensorFlow starts; the equal-weights checks run in a fresh Python process
(with a timeout, marked ``slow``), the rest in this one.
"""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from grimoire.distributed import (
    MultiWorkerModel,
    build_classifier,
    max_difference,
    one_step_weights,
    shard_preview,
    split_cpu,
    time_steps,
)


def build_tiny():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def test_split_cpu_rejects_a_bad_count():
    with pytest.raises(ValueError, match=r"Expected `num_devices` to be an int >= 1"):
        split_cpu(0)
    with pytest.raises(TypeError, match=r"Expected `num_devices` to be an int"):
        split_cpu("2")


def test_split_cpu_after_start_keeps_the_same_split_or_says_why_not():
    tf.constant(1.0)  # TensorFlow has started in this process
    names = tuple(d.name for d in tf.config.list_logical_devices("CPU"))
    assert split_cpu(len(names)) == names
    with pytest.raises(RuntimeError, match=r"call split_cpu\(\) before any tensor"):
        split_cpu(len(names) + 1)


def test_one_step_on_one_device_is_plain_sgd():
    start = [np.full((3, 2), 0.5, "float32"), np.zeros(2, "float32")]
    x = np.arange(12, dtype="float32").reshape(4, 3) / 10
    y = np.array([0, 1, 1, 0])
    after = one_step_weights(build_tiny, start, x, y, learning_rate=0.5)
    # the gradient of the mean cross-entropy, by hand
    logits = x @ start[0] + start[1]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    delta = (p - np.eye(2)[y]) / len(x)
    np.testing.assert_allclose(after[0], start[0] - 0.5 * x.T @ delta, atol=1e-6)
    np.testing.assert_allclose(after[1], start[1] - 0.5 * delta.sum(0), atol=1e-6)


def test_one_step_rejects_bad_arguments():
    start = build_tiny().get_weights()
    x, y = np.zeros((2, 3), "float32"), np.array([0, 1])
    with pytest.raises(TypeError, match=r"`build_model`"):
        one_step_weights("model", start, x, y)
    with pytest.raises(ValueError, match=r"`scale` to be one of \('global', 'local'\)"):
        one_step_weights(build_tiny, start, x, y, scale="mean")
    with pytest.raises(TypeError, match=r"`strategy` to be a tf.distribute.Strategy"):
        one_step_weights(build_tiny, start, x, y, strategy="mirrored")
    with pytest.raises(ValueError, match=r"`learning_rate` to be a float > 0"):
        one_step_weights(build_tiny, start, x, y, learning_rate=0)


TWO_REPLICAS = textwrap.dedent(
    """
    import keras, numpy as np, tensorflow as tf
    from grimoire.distributed import max_difference, one_step_weights, split_cpu

    devices = split_cpu(2)
    strategy = tf.distribute.MirroredStrategy(list(devices))
    def build():
        return keras.Sequential([keras.Input((20,)), keras.layers.Dense(8),
                                 keras.layers.Dense(4)])
    keras.utils.set_random_seed(0)
    start = build().get_weights()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 20)).astype("float32")
    y = rng.integers(0, 4, 64)
    one = one_step_weights(build, start, x, y)
    two = one_step_weights(build, start, x, y, strategy=strategy)
    local = one_step_weights(build, start, x, y, strategy=strategy, scale="local")
    half = one_step_weights(build, start, x, y, strategy=strategy, scale="local",
                            learning_rate=0.05)
    size = lambda w: np.sqrt(sum(np.sum((a - s) ** 2) for a, s in zip(w, start)))
    print(strategy.num_replicas_in_sync, max_difference(one, two),
          max_difference(one, half), size(local) / size(one))
    """
)


@pytest.mark.slow
def test_two_replicas_take_the_step_of_one_device():
    result = subprocess.run(
        [sys.executable, "-c", TWO_REPLICAS],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    replicas, two_gap, half_gap, ratio = result.stdout.split()
    assert int(replicas) == 2
    assert float(two_gap) < 1e-6  # float32 rounding only
    assert float(half_gap) < 1e-6  # local scaling = a learning rate times 2
    assert float(ratio) == pytest.approx(2.0, abs=1e-3)


def test_max_difference():
    assert max_difference([np.zeros(2), np.ones(1)], [np.zeros(2), -np.ones(1)]) == 2.0
    assert max_difference([], []) == 0.0
    with pytest.raises(ValueError, match=r"the same shapes"):
        max_difference([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(TypeError, match=r"`weights_b` to be a list of arrays"):
        max_difference([np.zeros(2)], np.zeros(2))


def test_build_classifier_outputs_logits_and_compiles():
    model = build_classifier(hidden_units=4, input_size=6, num_classes=3)
    assert not isinstance(model, MultiWorkerModel)
    assert model.count_params() == 6 * 4 + 4 + 4 * 3 + 3
    assert model.layers[-1].activation is keras.activations.linear
    assert model.loss.get_config()["from_logits"] is True
    assert isinstance(build_classifier(multi_worker=True), MultiWorkerModel)
    with pytest.raises(TypeError, match=r"`multi_worker` to be a bool"):
        build_classifier(multi_worker=1)


def test_multi_worker_model_trains_like_a_model_on_one_device():
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = np.arange(16) % 10
    weights = []
    for multi_worker in (False, True):
        keras.utils.set_random_seed(1)
        model = build_classifier(4, input_size=4, multi_worker=multi_worker)
        history = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        assert np.ndim(history.history["loss"][0]) == 0
        weights.append(model.get_weights())
    assert max_difference(*weights) == 0.0


def test_shard_preview_policies_on_one_worker():
    ids = tf.data.Dataset.range(10).batch(4)
    assert shard_preview(ids, policy="off", show=2) == ([0, 1], 3)
    assert shard_preview(ids, policy="data", show=5) == ([0, 1, 2, 3], 3)
    with pytest.raises(ValueError, match=r"`policy` to be one of"):
        shard_preview(ids, policy="rows")
    with pytest.raises(TypeError, match=r"`dataset` to be a tf.data.Dataset"):
        shard_preview([0, 1, 2])


def test_time_steps_measures_and_checks_its_data():
    x, y = np.zeros((8, 784), "float32"), np.zeros(8, "int64")
    seconds, cores = time_steps(tf.distribute.get_strategy(), x, y, 4, 2, 2, 4)
    assert seconds.shape == cores.shape == (2,)
    assert np.all((0 < seconds) & (seconds < 60)) and np.all((0 < cores) & (cores < 64))
    with pytest.raises(ValueError, match=r"at least batch_size \* steps = 12 rows"):
        time_steps(tf.distribute.get_strategy(), x, y, batch_size=4, steps=3)
