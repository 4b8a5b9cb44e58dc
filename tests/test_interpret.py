import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from grimoire.convnets import build_convnet
from grimoire.interpret import (
    filter_patterns,
    grad_cam,
    grad_cam_model,
    heatmap_correlation,
    overlay,
    randomized_copy,
    upsample,
)


def _cam_model(seed=0):
    """Conv, global average pooling, dense: Grad-CAM equals the original CAM here."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((6, 6, 1))
    maps = layers.Conv2D(3, 3, padding="same", activation="relu", name="conv")(inputs)
    pooled = layers.GlobalAveragePooling2D()(maps)
    logits = layers.Dense(2, name="logits")(pooled)
    return keras.Model(inputs, layers.Activation("softmax")(logits))


def test_grad_cam_equals_class_activation_map_for_global_pooling():
    model = _cam_model()
    x = np.random.default_rng(0).random((3, 6, 6, 1)).astype("float32")
    heatmaps, classes = grad_cam(
        model, x, "conv", score_layer="logits", class_index=[0, 1, 1]
    )
    maps = keras.ops.convert_to_numpy(grad_cam_model(model, "conv", "logits")(x)[0])
    weights = model.get_layer("logits").get_weights()[0]  # (3, 2)
    for i, c in enumerate([0, 1, 1]):
        expected = np.maximum(maps[i] @ weights[:, c], 0)
        if expected.max() > 0:
            expected /= expected.max()
        np.testing.assert_allclose(heatmaps[i], expected, rtol=1e-4, atol=1e-5)
    assert classes.tolist() == [0, 1, 1]


def test_grad_cam_default_class_is_the_top_prediction():
    model = _cam_model(1)
    x = np.random.default_rng(1).random((4, 6, 6, 1)).astype("float32")
    _, classes = grad_cam(model, x, "conv")
    assert classes.tolist() == model.predict(x, verbose=0).argmax(axis=1).tolist()


def test_filter_patterns_excite_their_own_filter():
    keras.utils.set_random_seed(0)
    model = build_convnet(
        input_shape=(10, 10, 1), num_classes=2, filters=(6,), dense_units=0
    )
    patterns = filter_patterns(model, "conv_1", [1, 4], steps=30, border=0)
    probe = keras.Model(model.inputs[0], model.get_layer("conv_1").output)
    rng = np.random.default_rng(0)
    start = (0.5 + 0.05 * rng.standard_normal(patterns.shape)).astype("float32")
    after = keras.ops.convert_to_numpy(probe(patterns)).mean(axis=(1, 2))
    before = keras.ops.convert_to_numpy(probe(start)).mean(axis=(1, 2))
    # The mean of a convolution is linear in the pixels, so the best image in
    # [0, 1] has each pixel at 1 where the gradient is positive, else at 0.
    x = tf.constant(start)
    with tf.GradientTape() as tape:
        tape.watch(x)
        means = tf.reduce_mean(probe(x), axis=(1, 2))
        score = means[0, 1] + means[1, 4]
    best = tf.cast(tape.gradient(score, x) > 0, "float32")
    optimum = keras.ops.convert_to_numpy(probe(best)).mean(axis=(1, 2))
    for i, f in [(0, 1), (1, 4)]:
        assert after[i, f] > before[i, f] + 0.8 * (optimum[i, f] - before[i, f])
    # each pattern excites its own filter more than the other pattern does
    assert after[0, 1] > after[1, 1] and after[1, 4] > after[0, 4]


def test_filter_patterns_stay_in_pixel_range_unless_told_otherwise():
    keras.utils.set_random_seed(0)
    model = build_convnet(
        input_shape=(10, 10, 1), num_classes=2, filters=(6,), dense_units=0
    )
    clipped = filter_patterns(model, "conv_1", [0, 5], steps=30, step_size=0.2)
    free = filter_patterns(
        model, "conv_1", [0, 5], steps=30, step_size=0.2, pixel_range=None
    )
    assert clipped.min() >= 0 and clipped.max() <= 1
    assert free.min() < 0 or free.max() > 1
    narrow = filter_patterns(model, "conv_1", [0], steps=5, pixel_range=(0.4, 0.6))
    assert narrow.min() >= 0.4 and narrow.max() <= 0.6


def test_filter_patterns_move_a_filter_silent_at_the_start():
    """After the ReLU a silent filter has no gradient; before it, it has one."""
    keras.utils.set_random_seed(0)
    model = build_convnet(
        input_shape=(10, 10, 1), num_classes=2, filters=(3,), dense_units=0
    )
    conv = model.get_layer("conv_1")
    kernel, bias = conv.get_weights()
    kernel[..., 0] = np.abs(kernel[..., 0])  # rises with every pixel
    bias[0] = -20.0  # but never above 0 on images in [0, 1]
    conv.set_weights([kernel, bias])
    after_relu = filter_patterns(model, "relu_1", [0], steps=10)
    before_relu = filter_patterns(model, "conv_1", [0], steps=10)
    rng = np.random.default_rng(0)
    start = np.clip(0.5 + 0.05 * rng.standard_normal(after_relu.shape), 0, 1)
    np.testing.assert_allclose(after_relu, start, atol=1e-6)  # never moved
    assert before_relu.mean() > start.mean() + 0.3  # brightened towards 1


def test_filter_patterns_border_leaves_out_the_edge_positions():
    keras.utils.set_random_seed(0)
    model = build_convnet(
        input_shape=(10, 10, 1), num_classes=2, filters=(2,), dense_units=0
    )
    whole = filter_patterns(model, "conv_1", [1], steps=3, border=0)
    inner = filter_patterns(model, "conv_1", [1], steps=3, border=2)
    assert not np.allclose(whole, inner)
    # with a 3 x 3 kernel, positions 2..7 never see the corner pixel (0, 0)
    rng = np.random.default_rng(0)
    start = np.clip(0.5 + 0.05 * rng.standard_normal(inner.shape), 0, 1)
    assert inner[0, 0, 0, 0] == pytest.approx(start[0, 0, 0, 0])


def test_randomized_copy_of_chosen_layers_keeps_the_others():
    keras.utils.set_random_seed(0)
    model = build_convnet(
        input_shape=(8, 8, 1), num_classes=3, filters=(4, 4), dense_units=5
    )
    for layer in model.layers:  # non-zero biases, to see them reset
        if getattr(layer, "bias", None) is not None:
            layer.bias.assign(np.ones(tuple(layer.bias.shape), "float32"))
    copy = randomized_copy(model, seed=1, layer_names=["dense", "logits"])
    for name in ["conv_1", "conv_2"]:
        for a, b in zip(
            copy.get_layer(name).get_weights(), model.get_layer(name).get_weights()
        ):
            np.testing.assert_array_equal(a, b)
    for name in ["dense", "logits"]:
        kernel, bias = copy.get_layer(name).get_weights()
        assert not np.allclose(kernel, model.get_layer(name).get_weights()[0])
        np.testing.assert_array_equal(bias, 0.0)
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    assert not np.allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def test_heatmap_rank_correlation():
    rng = np.random.default_rng(0)
    a, b = rng.random((6, 6)), rng.random((6, 6))
    assert heatmap_correlation(a, np.exp(5 * a), "spearman") == pytest.approx(1.0)
    assert heatmap_correlation(a, np.exp(5 * a)) < 0.99  # not linear
    ranks_a = np.argsort(np.argsort(a.ravel()))
    ranks_b = np.argsort(np.argsort(b.ravel()))
    assert heatmap_correlation(a, b, "spearman") == pytest.approx(
        np.corrcoef(ranks_a, ranks_b)[0, 1]
    )
    tied = np.array([0.0, 0.0, 0.0, 1.0, 2.0])  # ties share the average rank 1
    expected = np.corrcoef([1.0, 1.0, 1.0, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0, 4.0])
    assert heatmap_correlation(tied, np.arange(5.0), "spearman") == pytest.approx(
        expected[0, 1]
    )


def test_upsample_and_overlay():
    heat = np.array([[0.0, 1.0], [1.0, 0.0]])
    big = upsample(heat, (4, 6))
    assert big.shape == (4, 6) and upsample(heat[None], (3, 3)).shape == (1, 3, 3)
    assert big.min() >= 0 and big.max() <= 1 and big[0, -1] > big[0, 0]
    rgb = overlay(np.full((4, 6), 0.5), heat, alpha=0.0)
    np.testing.assert_allclose(rgb, 0.5)


def test_randomized_copy_is_new_and_deterministic():
    model = _cam_model()
    original = [w.copy() for w in model.get_weights()]
    first, second = randomized_copy(model, seed=3), randomized_copy(model, seed=3)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first.get_weights()[0], original[0])
    for a, b in zip(model.get_weights(), original):
        np.testing.assert_array_equal(a, b)


def test_heatmap_correlation():
    rng = np.random.default_rng(0)
    a, b = rng.random((5, 5)), rng.random((5, 5))
    assert heatmap_correlation(a, a) == pytest.approx(1.0)
    assert heatmap_correlation(a, b) == pytest.approx(
        np.corrcoef(a.ravel(), b.ravel())[0, 1]
    )
    assert heatmap_correlation(np.zeros((5, 5)), b) == 0.0


def test_numpy_scalars_are_accepted_and_give_the_same_results():
    model = build_convnet(
        input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=0
    )
    n = np.int64
    np.testing.assert_array_equal(
        filter_patterns(model, "relu_1", np.array([0, 3]), steps=n(2), seed=n(1)),
        filter_patterns(model, "relu_1", [0, 3], steps=2, seed=1),
    )
    np.testing.assert_array_equal(
        filter_patterns(model, "relu_1", n(2), steps=1, step_size=np.float32(0.25)),
        filter_patterns(model, "relu_1", [2], steps=1, step_size=0.25),
    )
    x = np.random.default_rng(0).random((2, 8, 8, 1))
    maps, classes = grad_cam(model, x, "relu_1", "logits", class_index=n(1))
    same, _ = grad_cam(model, x, "relu_1", "logits", class_index=1)
    np.testing.assert_array_equal(maps, same)
    assert classes.tolist() == [1, 1]
    heat = np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(upsample(heat, (n(4), n(4))), upsample(heat, (4, 4)))
    np.testing.assert_array_equal(
        overlay(np.zeros((4, 4)), heat, alpha=np.float32(0.5)),
        overlay(np.zeros((4, 4)), heat, alpha=0.5),
    )
    first, second = randomized_copy(model, seed=n(3)), randomized_copy(model, seed=3)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


MODEL = _cam_model()
CONVNET = build_convnet(
    input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=0
)
X = np.zeros((2, 6, 6, 1))
HEAT = np.array([[0.0, 1.0], [1.0, 0.0]])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: grad_cam(MODEL, X, "conv9"),
            ValueError,
            r"Expected `layer_name` to be one of \(.*'conv'.*\). "
            r"Received: layer_name='conv9'",
        ),
        (
            lambda: grad_cam(MODEL, X, 3),
            TypeError,
            r"Expected `layer_name` to be a str. Received: layer_name=3 of type int",
        ),
        (
            lambda: grad_cam(MODEL, X, "conv", score_layer="scores"),
            ValueError,
            r"Expected `score_layer` to be one of \(None, .*'logits'.*\). "
            r"Received: score_layer='scores'",
        ),
        (
            lambda: grad_cam(MODEL, X, "conv", class_index=5),
            ValueError,
            r"Expected `class_index` to be None or ints in \[0, 2\), one per image. "
            r"Received: class_index=5",
        ),
        (
            lambda: grad_cam(MODEL, X, "conv", class_index=[0, 1, 1]),
            ValueError,
            r"Expected `class_index` to be None or ints in \[0, 2\), one per image. "
            r"Received: class_index=\[0, 1, 1\]",
        ),
        (
            lambda: grad_cam(MODEL, X, "conv", class_index="1"),
            TypeError,
            r"Expected `class_index` to be None, an int or ints. "
            r"Received: class_index='1' of dtype <U1",
        ),
        (
            lambda: grad_cam(MODEL, X, "conv", class_index=1.0),
            TypeError,
            r"Expected `class_index` to be None, an int or ints. "
            r"Received: class_index=1.0 of dtype float64",
        ),
        (
            lambda: grad_cam(MODEL, X[0], "conv"),
            ValueError,
            r"Expected `images` to be a batch of shape \(None, 6, 6, 1\). "
            r"Received: images.shape=\(6, 6, 1\)",
        ),
        (
            lambda: grad_cam_model({}, "conv"),
            TypeError,
            r"Expected `model` to be a keras.Model. Received: model=\{\} of type dict",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [4]),
            ValueError,
            r"Expected `filters\[0\]` to be an int in \[0, 3\]. "
            r"Received: filters\[0\]=4",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", []),
            ValueError,
            r"Expected `len\(filters\)` to be an int >= 1. Received: len\(filters\)=0",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0, 1.0]),
            TypeError,
            r"Expected `filters\[1\]` to be an int. "
            r"Received: filters\[1\]=1.0 of type float",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], steps=0),
            ValueError,
            r"Expected `steps` to be an int >= 1. Received: steps=0",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], steps="40"),
            TypeError,
            r"Expected `steps` to be an int. Received: steps='40' of type str",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], step_size=-1),
            ValueError,
            r"Expected `step_size` to be a float > 0. Received: step_size=-1.0",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: filter_patterns(CONVNET, "conv_7", [0]),
            ValueError,
            r"Expected `layer_name` to be one of \(.*'relu_1'.*\). "
            r"Received: layer_name='conv_7'",
        ),
        (
            lambda: upsample(np.zeros(4), (2, 2)),
            ValueError,
            r"Expected `heatmaps` of shape \(n, h, w\) or \(h, w\). "
            r"Received: heatmaps.shape=\(4,\)",
        ),
        (
            lambda: upsample(HEAT, (0, 3)),
            ValueError,
            r"Expected `size\[0\]` to be an int >= 1. Received: size\[0\]=0",
        ),
        (
            lambda: upsample(HEAT, (2, 2, 2)),
            ValueError,
            r"Expected `len\(size\)` to be one of \(2,\). Received: len\(size\)=3",
        ),
        (
            lambda: upsample(HEAT, 4),
            TypeError,
            r"Expected `size` to be a tuple or list. Received: size=4 of type int",
        ),
        (
            lambda: overlay(np.zeros((4, 4)), HEAT[None]),
            ValueError,
            r"Expected `heatmap` of shape \(height, width\). "
            r"Received: heatmap.shape=\(1, 2, 2\)",
        ),
        (
            lambda: overlay(np.zeros((4, 4)), HEAT, alpha=1.5),
            ValueError,
            r"Expected `alpha` to be a float in \[0, 1\]. Received: alpha=1.5",
        ),
        (
            lambda: overlay(np.zeros((4, 4)), HEAT, alpha="0.5"),
            TypeError,
            r"Expected `alpha` to be a float. Received: alpha='0.5' of type str",
        ),
        (
            lambda: overlay(np.zeros((4, 4)), HEAT, cmap=None),
            TypeError,
            r"Expected `cmap` to be a str. Received: cmap=None of type NoneType",
        ),
        (
            lambda: randomized_copy(MODEL, seed=-2),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-2",
        ),
        (
            lambda: randomized_copy(MODEL, seed=1.0),
            TypeError,
            r"Expected `seed` to be an int. Received: seed=1.0 of type float",
        ),
        (
            lambda: randomized_copy("model"),
            TypeError,
            r"Expected `model` to be a keras.Model. "
            r"Received: model='model' of type str",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], border=4),
            ValueError,
            r"Expected `border` to be an int in \[0, 3\]. Received: border=4",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], pixel_range=1.0),
            TypeError,
            r"Expected `pixel_range` to be a tuple or list. "
            r"Received: pixel_range=1.0 of type float",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], pixel_range=(0, 1, 2)),
            ValueError,
            r"Expected `len\(pixel_range\)` to be one of \(2,\). "
            r"Received: len\(pixel_range\)=3",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], pixel_range=(1, 0)),
            ValueError,
            r"Expected `pixel_range` to be \(low, high\) with low < high. "
            r"Received: pixel_range=\(1, 0\)",
        ),
        (
            lambda: filter_patterns(CONVNET, "relu_1", [0], pixel_range=("0", 1)),
            TypeError,
            r"Expected `pixel_range\[0\]` to be a float. "
            r"Received: pixel_range\[0\]='0' of type str",
        ),
        (
            lambda: randomized_copy(CONVNET, layer_names=["conv_9"]),
            ValueError,
            r"Expected `layer_names\[0\]` to be one of \(.*'conv_1'.*\). "
            r"Received: layer_names\[0\]='conv_9'",
        ),
        (
            lambda: randomized_copy(CONVNET, layer_names="conv_1"),
            TypeError,
            r"Expected `layer_names` to be a tuple or list. "
            r"Received: layer_names='conv_1' of type str",
        ),
        (
            lambda: randomized_copy(CONVNET, layer_names=[1]),
            TypeError,
            r"Expected `layer_names\[0\]` to be a str. "
            r"Received: layer_names\[0\]=1 of type int",
        ),
        (
            lambda: heatmap_correlation(HEAT, HEAT, method="kendall"),
            ValueError,
            r"Expected `method` to be one of \('pearson', 'spearman'\). "
            r"Received: method='kendall'",
        ),
        (
            lambda: heatmap_correlation(np.zeros((5, 5)), np.zeros(25)),
            ValueError,
            r"Expected `first` and `second` of the same shape. "
            r"Received: \(5, 5\) and \(25,\)",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
