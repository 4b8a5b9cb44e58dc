import keras
import numpy as np
import pytest
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
    """Conv -> global average pooling -> dense: here Grad-CAM equals the original CAM."""
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


def test_grad_cam_errors():
    model = _cam_model()
    x = np.zeros((2, 6, 6, 1))
    with pytest.raises(
        ValueError,
        match="Expected `layer_name` to be one of the model's layers .*Received: layer_name='conv9'",
    ):
        grad_cam(model, x, "conv9")
    with pytest.raises(
        ValueError,
        match="Expected `score_layer` to be one of the model's layers .*Received: score_layer='scores'",
    ):
        grad_cam(model, x, "conv", score_layer="scores")
    with pytest.raises(
        ValueError,
        match="Expected `class_index` to be None or ints in \\[0, 2\\), one per image. Received: class_index=5",
    ):
        grad_cam(model, x, "conv", class_index=5)
    with pytest.raises(
        ValueError,
        match="Expected `class_index` to be None or ints in \\[0, 2\\), one per image. Received: class_index=\\[0, 1, 1\\]",
    ):
        grad_cam(model, x, "conv", class_index=[0, 1, 1])
    with pytest.raises(
        ValueError,
        match="Expected `images` to be a batch of shape \\(None, 6, 6, 1\\). Received: images.shape=\\(6, 6, 1\\)",
    ):
        grad_cam(model, x[0], "conv")
    with pytest.raises(
        TypeError,
        match="Expected `model` to be a keras.Model. Received: model of type dict",
    ):
        grad_cam_model({}, "conv")


def test_filter_patterns_excite_their_own_filter():
    model = build_convnet(
        input_shape=(10, 10, 1), num_classes=2, filters=(6,), dense_units=0
    )
    patterns = filter_patterns(model, "relu_1", [1, 4], steps=15)
    probe = keras.Model(model.inputs[0], model.get_layer("relu_1").output)
    rng = np.random.default_rng(0)
    start = (0.5 + 0.05 * rng.standard_normal(patterns.shape)).astype("float32")
    after = keras.ops.convert_to_numpy(probe(patterns)).mean(axis=(1, 2))
    before = keras.ops.convert_to_numpy(probe(start)).mean(axis=(1, 2))
    assert after[0, 1] > before[0, 1] + 0.1 and after[1, 4] > before[1, 4] + 0.1


def test_filter_patterns_errors():
    model = build_convnet(
        input_shape=(8, 8, 1), num_classes=2, filters=(4,), dense_units=0
    )
    with pytest.raises(
        ValueError,
        match="Expected `filters` to be indices in \\[0, 4\\) for layer 'relu_1'. Received: filters=\\[4\\]",
    ):
        filter_patterns(model, "relu_1", [4])
    with pytest.raises(
        ValueError, match="Expected `steps` to be a positive int. Received: steps=0"
    ):
        filter_patterns(model, "relu_1", [0], steps=0)
    with pytest.raises(
        ValueError,
        match="Expected `step_size` to be a positive number. Received: step_size=-1",
    ):
        filter_patterns(model, "relu_1", [0], step_size=-1)
    with pytest.raises(
        ValueError,
        match="Expected `layer_name` to be one of the model's layers .*Received: layer_name='conv_7'",
    ):
        filter_patterns(model, "conv_7", [0])


def test_upsample_and_overlay():
    heat = np.array([[0.0, 1.0], [1.0, 0.0]])
    big = upsample(heat, (4, 6))
    assert big.shape == (4, 6) and upsample(heat[None], (3, 3)).shape == (1, 3, 3)
    assert big.min() >= 0 and big.max() <= 1 and big[0, -1] > big[0, 0]
    rgb = overlay(np.full((4, 6), 0.5), heat, alpha=0.0)
    np.testing.assert_allclose(rgb, 0.5)
    with pytest.raises(
        ValueError,
        match="Expected `heatmaps` of shape \\(n, h, w\\) or \\(h, w\\). Received: heatmaps.shape=\\(4,\\)",
    ):
        upsample(np.zeros(4), (2, 2))
    with pytest.raises(
        ValueError,
        match="Expected `size` to be \\(height, width\\), two positive ints. Received: size=\\(0, 3\\)",
    ):
        upsample(heat, (0, 3))
    with pytest.raises(
        ValueError,
        match="Expected `heatmap` of shape \\(height, width\\). Received: heatmap.shape=\\(1, 2, 2\\)",
    ):
        overlay(np.zeros((4, 4)), heat[None])
    with pytest.raises(
        ValueError,
        match="Expected `alpha` to be a number in \\[0, 1\\]. Received: alpha=1.5",
    ):
        overlay(np.zeros((4, 4)), heat, alpha=1.5)


def test_randomized_copy_is_new_and_deterministic():
    model = _cam_model()
    original = [w.copy() for w in model.get_weights()]
    first, second = randomized_copy(model, seed=3), randomized_copy(model, seed=3)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first.get_weights()[0], original[0])
    for a, b in zip(model.get_weights(), original):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(
        ValueError, match="Expected `seed` to be a non-negative int. Received: seed=-2"
    ):
        randomized_copy(model, seed=-2)


def test_heatmap_correlation():
    rng = np.random.default_rng(0)
    a, b = rng.random((5, 5)), rng.random((5, 5))
    assert heatmap_correlation(a, a) == pytest.approx(1.0)
    assert heatmap_correlation(a, b) == pytest.approx(
        np.corrcoef(a.ravel(), b.ravel())[0, 1]
    )
    assert heatmap_correlation(np.zeros((5, 5)), b) == 0.0
    with pytest.raises(
        ValueError,
        match="Expected `first` and `second` of the same shape. Received: \\(5, 5\\) and \\(25,\\)",
    ):
        heatmap_correlation(a, b.ravel())
