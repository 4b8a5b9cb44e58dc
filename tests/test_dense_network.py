import numpy as np
import pytest

from grimoire.dense_network import (
    build_dense_classifier,
    prepare_images,
    top_predictions,
)


def test_prepare_images_scales_and_flattens():
    images = np.arange(2 * 3 * 4, dtype="uint8").reshape(2, 3, 4)
    x = prepare_images(images)
    assert x.shape == (2, 12)
    np.testing.assert_allclose(x[1, -1], 23 / 255)


def test_classifier_shapes_and_parameters():
    model = build_dense_classifier(input_size=6, hidden_units=5, num_classes=3)
    assert model.count_params() == (6 * 5 + 5) + (5 * 3 + 3)
    out = model.predict(np.zeros((4, 6)), verbose=0)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)
    assert model.loss == "sparse_categorical_crossentropy"


@pytest.mark.slow
def test_classifier_learns_a_trivial_task():
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.rand(256, 4).astype("float32")
    y = (x[:, 0] > 0.5).astype("int32")
    model = build_dense_classifier(input_size=4, hidden_units=16, num_classes=2)
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_top_predictions():
    result = top_predictions(np.array([[0.2, 0.5, 0.3]]), ["a", "b", "c"])
    assert result == [(1, "b", 0.5)]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: prepare_images(np.zeros((3, 4))),
            ValueError,
            r"Expected `images` of shape \(n, height, width\). "
            r"Received: images.shape=\(3, 4\)",
        ),
        (
            lambda: build_dense_classifier(hidden_units=0),
            ValueError,
            r"Expected `hidden_units` to be an int >= 1. Received: hidden_units=0",
        ),
        (
            lambda: build_dense_classifier(input_size=2.5),
            TypeError,
            r"Expected `input_size` to be an int. Received: input_size=2.5",
        ),
        (
            lambda: build_dense_classifier(num_classes=True),
            TypeError,
            r"Expected `num_classes` to be an int. Received: num_classes=True",
        ),
        (
            lambda: top_predictions(np.zeros(3), ["a"]),
            ValueError,
            r"Expected `probabilities` of shape \(n, num_classes\). "
            r"Received: shape=\(3,\)",
        ),
        (
            lambda: top_predictions(np.zeros((1, 3)), ["a"]),
            ValueError,
            r"Expected `class_names` to have 3 names, one per column. Received: 1",
        ),
        (
            lambda: top_predictions(np.zeros((1, 3)), 3),
            TypeError,
            r"Expected `class_names` to be a sequence of names. "
            r"Received: class_names=3 of type int",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_ints_are_sizes_and_arrays_are_names():
    model = build_dense_classifier(np.int64(4), np.int64(3), np.int64(2))
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    names = np.array(["cat", "dog"])
    assert top_predictions(np.array([[0.2, 0.8]]), names) == [(1, "dog", 0.8)]
