import keras
import numpy as np
import pytest

from grimoire.convnets import (
    augmentation_layers,
    build_convnet,
    build_reference_convnet,
    describe_difference,
    feature_maps,
    fit_and_evaluate,
    layer_table,
    mosaic,
    scale_images,
)

TINY = dict(input_shape=(8, 8, 1), num_classes=3, filters=(4, 4), dense_units=8)


def test_reference_convnet_matches_deep_learning_with_python_counts():
    assert build_reference_convnet().count_params() == 104_202
    assert build_reference_convnet(pooling=False).count_params() == 712_202
    flat = dict(
        (name, shape)
        for name, shape, _ in layer_table(build_reference_convnet(pooling=False))
    )["flatten"]
    assert flat == (22 * 22 * 128,)


@pytest.mark.parametrize(
    "options, present, absent",
    [
        (dict(), {"pool_1", "dense"}, {"batch_norm_1", "dropout"}),
        (dict(pooling=False, dense_units=0), {"conv_2"}, {"pool_1", "dense"}),
        (
            dict(batch_norm=True, dropout=0.5),
            {"batch_norm_1", "batch_norm_2", "dropout"},
            set(),
        ),
    ],
)
def test_build_convnet_switches(options, present, absent):
    model = build_convnet(**{**TINY, **options})
    names = {layer.name for layer in model.layers}
    assert present <= names and not absent & names
    assert model.output_shape == (None, 3)
    if options.get("batch_norm"):
        assert model.get_layer("conv_1").bias is None


def test_build_convnet_output_is_softmax_of_logits():
    model = build_convnet(**TINY)
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype("float32")
    logits = feature_maps(model, x, ["logits"])["logits"]
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6
    )


def test_build_convnet_augmentation_only_in_training():
    augment = augmentation_layers(translation=0.2, seed=1)
    model = build_convnet(**TINY, augmentation=augment)
    assert model.layers[0].name == "augmentation"
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
    changed = keras.ops.convert_to_numpy(augment(x, training=True))
    assert not np.allclose(changed, x)


def test_scale_images():
    x = scale_images(np.array([[[0, 51], [102, 255]]], dtype="uint8"))
    np.testing.assert_allclose(x[0, :, :, 0], [[0, 0.2], [0.4, 1.0]])
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32


def test_feature_maps_match_a_direct_call():
    model = build_convnet(**TINY)
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    maps = feature_maps(model, x, ["relu_1"])
    expected = np.maximum(keras.ops.convert_to_numpy(model.get_layer("conv_1")(x)), 0)
    np.testing.assert_allclose(maps["relu_1"], expected, rtol=1e-5, atol=1e-6)
    assert layer_table(model)[0] == ("conv_1", (8, 8, 4), 3 * 3 * 4 + 4)


def test_mosaic_places_and_scales_tiles():
    tiles = np.stack([np.full((2, 3), 5.0), np.arange(6.0).reshape(2, 3)])
    grid = mosaic(tiles, ncols=1, pad=2)
    assert grid.shape == (6, 3)
    np.testing.assert_array_equal(grid[:2], 0.0)  # a constant tile becomes 0
    assert np.isnan(grid[2:4]).all()
    np.testing.assert_allclose(grid[4:], np.arange(6.0).reshape(2, 3) / 5)
    raw = mosaic(tiles, ncols=2, pad=0, normalize=False)
    np.testing.assert_array_equal(raw, np.hstack(tiles))


def test_augmentation_layers():
    assert [
        layer.__class__.__name__ for layer in augmentation_layers(flip=False).layers
    ] == ["RandomTranslation"]
    assert [
        layer.__class__.__name__
        for layer in augmentation_layers(translation=0, seed=1).layers
    ] == ["RandomFlip"]


def test_fit_and_evaluate_logs(capsys):
    model = build_convnet(**TINY)
    x, y = np.zeros((6, 8, 8, 1), dtype="float32"), np.array([0, 1, 2, 0, 1, 2])
    history, accuracy = fit_and_evaluate(model, (x, y), (x, y), epochs=2)
    assert len(history["loss"]) == 2 and accuracy == pytest.approx(1 / 3)
    assert capsys.readouterr().out.splitlines()[-1].startswith("epoch 2/2 - accuracy: ")


def test_describe_difference_words():
    assert describe_difference(0.9, 0.8) == "0.100 higher than"
    assert describe_difference(np.float32(0.5), 0.75, digits=2) == "0.25 lower than"
    assert describe_difference(0.801, 0.8) == "about the same as"
    assert describe_difference(0.82, 0.8, tolerance=0.05) == "about the same as"
    assert describe_difference(1, 0) == "1.000 higher than"


def test_numpy_scalars_are_accepted_and_give_the_same_results(capsys):
    n = np.int64
    plain = build_convnet(**TINY, dropout=0.25, learning_rate=0.5)
    numpy = build_convnet(
        input_shape=(n(8), n(8), n(1)),
        num_classes=n(3),
        filters=(n(4), np.int32(4)),
        dense_units=n(8),
        dropout=np.float32(0.25),
        learning_rate=np.float64(0.5),
    )
    assert layer_table(numpy) == layer_table(plain)
    assert numpy.get_layer("dropout").rate == 0.25
    assert float(numpy.optimizer.learning_rate) == 0.5
    assert build_reference_convnet(num_classes=n(10)).count_params() == 104_202
    tiles = np.random.default_rng(0).random((3, 2, 2))
    np.testing.assert_array_equal(
        mosaic(tiles, ncols=n(2), pad=n(1)), mosaic(tiles, ncols=2, pad=1)
    )
    augment = augmentation_layers(translation=np.float32(0.25), seed=n(3))
    assert augment.layers[1].height_factor == 0.25
    x, y = np.zeros((6, 8, 8, 1), dtype="float32"), np.array([0, 1, 2, 0, 1, 2])
    history, _ = fit_and_evaluate(
        plain, (x, y), (x, y), epochs=n(1), batch_size=n(3), log=False
    )
    assert len(history["loss"]) == 1
    assert describe_difference(0.9, np.float64(0.8), np.float32(0.01), n(1)) == (
        "0.1 higher than"
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: build_convnet(**{**TINY, "input_shape": (8, 8)}),
            ValueError,
            r"Expected `len\(input_shape\)` to be one of \(3,\). "
            r"Received: len\(input_shape\)=2",
        ),
        (
            lambda: build_convnet(**{**TINY, "input_shape": 8}),
            TypeError,
            r"Expected `input_shape` to be a tuple or list. "
            r"Received: input_shape=8 of type int",
        ),
        (
            lambda: build_convnet(**{**TINY, "num_classes": 0}),
            ValueError,
            r"Expected `num_classes` to be an int >= 1. Received: num_classes=0",
        ),
        (
            lambda: build_convnet(**{**TINY, "num_classes": "10"}),
            TypeError,
            r"Expected `num_classes` to be an int. "
            r"Received: num_classes='10' of type str",
        ),
        (
            lambda: build_convnet(**{**TINY, "filters": ()}),
            ValueError,
            r"Expected `len\(filters\)` to be an int >= 1. Received: len\(filters\)=0",
        ),
        (
            lambda: build_convnet(**{**TINY, "filters": 32}),
            TypeError,
            r"Expected `filters` to be a tuple or list. "
            r"Received: filters=32 of type int",
        ),
        (
            lambda: build_convnet(**{**TINY, "filters": (4, -1)}),
            ValueError,
            r"Expected `filters\[1\]` to be an int >= 1. Received: filters\[1\]=-1",
        ),
        (
            lambda: build_convnet(**{**TINY, "padding": "full"}),
            ValueError,
            r"Expected `padding` to be one of \('same', 'valid'\). "
            r"Received: padding='full'",
        ),
        (
            lambda: build_convnet(**{**TINY, "dense_units": -3}),
            ValueError,
            r"Expected `dense_units` to be an int >= 0. Received: dense_units=-3",
        ),
        (
            lambda: build_convnet(**{**TINY, "dropout": 1.0}),
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\). Received: dropout=1.0",
        ),
        (
            lambda: build_convnet(**{**TINY, "dropout": "0.5"}),
            TypeError,
            r"Expected `dropout` to be a float. Received: dropout='0.5' of type str",
        ),
        (
            lambda: build_convnet(**{**TINY, "learning_rate": 0}),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: build_convnet(**TINY, augmentation="flip"),
            TypeError,
            r"Expected `augmentation` to be a Keras layer or None. "
            r"Received: augmentation='flip' of type str",
        ),
        (
            lambda: build_reference_convnet(pooling="no"),
            TypeError,
            r"Expected `pooling` to be a bool. Received: pooling='no' of type str",
        ),
        (
            lambda: build_reference_convnet(num_classes=0),
            ValueError,
            r"Expected `num_classes` to be an int >= 1. Received: num_classes=0",
        ),
        (
            lambda: scale_images(np.zeros(4)),
            ValueError,
            r"Expected `images` of shape \(n, height, width\). "
            r"Received: images.shape=\(4,\)",
        ),
        (
            lambda: layer_table([]),
            TypeError,
            r"Expected `model` to be a keras.Model. Received: model=\[\] of type list",
        ),
        (
            lambda: feature_maps("model", np.zeros((1, 8, 8, 1)), ["conv_1"]),
            TypeError,
            r"Expected `model` to be a keras.Model. "
            r"Received: model='model' of type str",
        ),
        (
            lambda: feature_maps(
                build_convnet(**TINY), np.zeros((1, 8, 8, 1)), "conv_1"
            ),
            TypeError,
            r"Expected `layer_names` to be a list or tuple. "
            r"Received: layer_names='conv_1' of type str",
        ),
        (
            lambda: feature_maps(build_convnet(**TINY), np.zeros((1, 8, 8, 1)), []),
            ValueError,
            r"Expected `len\(layer_names\)` to be an int >= 1. "
            r"Received: len\(layer_names\)=0",
        ),
        (
            lambda: feature_maps(
                build_convnet(**TINY), np.zeros((1, 8, 8, 1)), ["relu_1", "conv_9"]
            ),
            ValueError,
            r"Expected `layer_names\[1\]` to be one of \(.*'conv_1'.*\). "
            r"Received: layer_names\[1\]='conv_9'",
        ),
        (
            lambda: mosaic(np.zeros((2, 3))),
            ValueError,
            r"Expected `tiles` of shape \(n, height, width\). "
            r"Received: tiles.shape=\(2, 3\)",
        ),
        (
            lambda: mosaic(np.zeros((2, 3, 3)), ncols=0),
            ValueError,
            r"Expected `ncols` to be an int >= 1. Received: ncols=0",
        ),
        (
            lambda: mosaic(np.zeros((2, 3, 3)), pad=-1),
            ValueError,
            r"Expected `pad` to be an int >= 0. Received: pad=-1",
        ),
        (
            lambda: mosaic(np.zeros((2, 3, 3)), pad=1.0),
            TypeError,
            r"Expected `pad` to be an int. Received: pad=1.0 of type float",
        ),
        (
            lambda: augmentation_layers(flip=False, translation=0),
            ValueError,
            r"Expected at least one transformation. "
            r"Received: flip=False, translation=0.0",
        ),
        (
            lambda: augmentation_layers(translation=2),
            ValueError,
            r"Expected `translation` to be a float in \[0, 1\). "
            r"Received: translation=2.0",
        ),
        (
            lambda: augmentation_layers(flip="yes"),
            TypeError,
            r"Expected `flip` to be a bool. Received: flip='yes' of type str",
        ),
        (
            lambda: augmentation_layers(seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: fit_and_evaluate(
                build_convnet(**TINY), (np.zeros((6, 8, 8, 1)), [0, 1, 2]), ([], [])
            ),
            ValueError,
            r"Expected `train` to be a pair \(inputs, labels\) of the same length. "
            r"Received: train of lengths \[6, 3\]",
        ),
        (
            lambda: fit_and_evaluate(build_convnet(**TINY), ([], []), None),
            TypeError,
            r"Expected `test` to be a tuple or list. "
            r"Received: test=None of type NoneType",
        ),
        (
            lambda: fit_and_evaluate(
                build_convnet(**TINY), ([], []), ([], []), epochs=0
            ),
            ValueError,
            r"Expected `epochs` to be an int >= 1. Received: epochs=0",
        ),
        (
            lambda: describe_difference("0.9", 0.8),
            TypeError,
            r"Expected `value` to be a float. Received: value='0.9' of type str",
        ),
        (
            lambda: describe_difference(0.9, None),
            TypeError,
            r"Expected `reference` to be a float. "
            r"Received: reference=None of type NoneType",
        ),
        (
            lambda: describe_difference(0.9, 0.8, tolerance=-0.1),
            ValueError,
            r"Expected `tolerance` to be a float >= 0. Received: tolerance=-0.1",
        ),
        (
            lambda: describe_difference(0.9, 0.8, digits=1.5),
            TypeError,
            r"Expected `digits` to be an int. Received: digits=1.5 of type float",
        ),
        (
            lambda: describe_difference(0.9, 0.8, digits=-1),
            ValueError,
            r"Expected `digits` to be an int >= 0. Received: digits=-1",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
