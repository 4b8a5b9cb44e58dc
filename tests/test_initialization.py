import keras
import numpy as np
import pytest

from grimoire.convnets import build_convnet
from grimoire.initialization import (
    fans,
    filter_spread,
    initial_weight_std,
    theoretical_std,
)

TINY = dict(input_shape=(8, 8, 1), num_classes=3, filters=(4, 4), dense_units=8)
NAMES = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"]


def test_fans_count_like_keras():
    assert fans((3, 3, 1, 32)) == (9, 288)
    assert fans([5, 2, 30, 7]) == (300, 70)
    assert fans((100, 20)) == (100, 20)


@pytest.mark.parametrize("shape", [(3, 3, 16, 32), (5, 2, 30, 7), (100, 20)])
def test_fans_match_keras_variance_scaling(shape):
    # VarianceScaling(scale=1, mode="fan_in", distribution="untruncated_normal")
    # draws with variance 1 / fan_in; ours must count fan_in the same way.
    draw = keras.initializers.VarianceScaling(
        1.0, "fan_in", "untruncated_normal", seed=0
    )
    weights = keras.ops.convert_to_numpy(draw(shape))
    fan_in, _ = fans(shape)
    assert weights.std() == pytest.approx(1 / np.sqrt(fan_in), rel=0.1)


def test_theoretical_std_values():
    assert theoretical_std("he_uniform", (100, 5)) == pytest.approx(np.sqrt(0.02))
    assert theoretical_std("he_normal", (3, 3, 1, 32)) == pytest.approx(np.sqrt(2 / 9))
    assert theoretical_std("glorot_normal", (100, 100)) == pytest.approx(0.1)
    assert theoretical_std("glorot_uniform", (3, 3, 1, 32)) == pytest.approx(
        np.sqrt(2 / (9 + 288))
    )


@pytest.mark.parametrize("shape", [(3, 3, 16, 32), (5, 2, 30, 7), (100, 20)])
@pytest.mark.parametrize("name", NAMES)
def test_initializers_match_theory(shape, name):
    empirical = np.mean([initial_weight_std(name, shape, seed) for seed in range(3)])
    assert empirical == pytest.approx(theoretical_std(name, shape), rel=0.06)


def test_initial_weight_std_is_seeded():
    first = initial_weight_std("he_normal", (3, 3, 8, 8), seed=1)
    assert initial_weight_std("he_normal", (3, 3, 8, 8), seed=1) == first
    assert initial_weight_std("he_normal", (3, 3, 8, 8), seed=2) != first


def test_numpy_integers_are_accepted_and_give_the_same_results():
    n = np.int64
    assert fans((n(3), n(3), np.int32(1), n(32))) == (9, 288)
    assert type(fans((n(3), n(4)))[0]) is int
    assert theoretical_std("he_normal", (n(3), n(3), n(1), n(32))) == (
        theoretical_std("he_normal", (3, 3, 1, 32))
    )
    assert initial_weight_std("he_normal", (n(3), n(3), 4, 4), seed=n(5)) == (
        initial_weight_std("he_normal", (3, 3, 4, 4), seed=5)
    )


def test_filter_spread():
    kernel = np.zeros((3, 3, 2, 4))
    assert filter_spread(kernel) == 0.0
    kernel[0, 1, 1, 2] = -0.5
    assert filter_spread(kernel) == 0.5
    assert filter_spread(kernel.tolist()) == 0.5


@pytest.mark.slow
def test_equal_filters_stay_equal_and_random_ones_differ():
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 8, 8, 1)).astype("float32"), rng.integers(0, 3, 32)
    same = build_convnet(**TINY, kernel_initializer=keras.initializers.Constant(0.05))
    random = build_convnet(**TINY)
    for model in (same, random):
        model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    for name in ("conv_1", "conv_2"):
        kernel = same.get_layer(name).get_weights()[0]
        assert filter_spread(kernel) == pytest.approx(0.0, abs=1e-6)
    assert filter_spread(random.get_layer("conv_1").get_weights()[0]) > 0.05


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: fans((3, 3, 1)),
            ValueError,
            r"Expected `len\(kernel_shape\)` to be one of \(2, 4\). "
            r"Received: len\(kernel_shape\)=3",
        ),
        (
            lambda: fans(3),
            TypeError,
            r"Expected `kernel_shape` to be a tuple or list. "
            r"Received: kernel_shape=3 of type int",
        ),
        (
            lambda: fans((3, 3, 0, 8)),
            ValueError,
            r"Expected `kernel_shape\[2\]` to be an int >= 1. "
            r"Received: kernel_shape\[2\]=0",
        ),
        (
            lambda: fans((3.0, 3)),
            TypeError,
            r"Expected `kernel_shape\[0\]` to be an int. "
            r"Received: kernel_shape\[0\]=3.0 of type float",
        ),
        (
            lambda: theoretical_std("lecun_normal", (3, 3)),
            ValueError,
            r"Expected `initializer` to be one of \('glorot_uniform', 'glorot_normal', "
            r"'he_uniform', 'he_normal'\). Received: initializer='lecun_normal'",
        ),
        (
            lambda: theoretical_std("he_normal", (3, "3")),
            TypeError,
            r"Expected `kernel_shape\[1\]` to be an int. "
            r"Received: kernel_shape\[1\]='3' of type str",
        ),
        (
            lambda: initial_weight_std("he_normal", (3, 3), seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: initial_weight_std("he_normal", (3, 3), seed="0"),
            TypeError,
            r"Expected `seed` to be an int. Received: seed='0' of type str",
        ),
        (
            lambda: initial_weight_std(None, (3, 3)),
            TypeError,
            r"Expected `initializer` to be a str. "
            r"Received: initializer=None of type NoneType",
        ),
        (
            lambda: filter_spread(np.zeros((3, 3))),
            ValueError,
            r"Expected `kernel` of shape \(kh, kw, in_channels, filters\). "
            r"Received: kernel.shape=\(3, 3\)",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
