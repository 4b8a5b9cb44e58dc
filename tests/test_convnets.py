import keras
import numpy as np
import pytest

from grimoire.convnets import (
    augmentation_layers,
    build_convnet,
    build_reference_convnet,
    feature_maps,
    fit_and_evaluate,
    layer_table,
    mosaic,
    scale_images,
)
from grimoire.initialization import (
    fans,
    filter_spread,
    initial_weight_std,
    theoretical_std,
)
from grimoire.transfer import (
    balanced_subset,
    conv_base,
    select_classes,
    transfer_model,
    unfreeze_from,
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


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            dict(input_shape=(8, 8)),
            "Expected `input_shape`.*Received: input_shape=\\(8, 8\\)",
        ),
        (
            dict(num_classes=0),
            "Expected `num_classes` to be a positive int. Received: num_classes=0",
        ),
        (
            dict(filters=()),
            "Expected `filters` to be a non-empty tuple.*Received: filters=\\(\\)",
        ),
        (
            dict(filters=(4, -1)),
            "Expected `filters` to be a positive int. Received: filters=-1",
        ),
        (
            dict(padding="full"),
            "Expected `padding` to be 'same' or 'valid'. Received: padding='full'",
        ),
        (
            dict(dense_units=-3),
            "Expected `dense_units` to be a positive int. Received: dense_units=-3",
        ),
        (
            dict(dropout=1.0),
            "Expected `dropout` to be a float in \\[0, 1\\). Received: dropout=1.0",
        ),
        (
            dict(learning_rate=0),
            "Expected `learning_rate` to be a positive number. Received: learning_rate=0",
        ),
    ],
)
def test_build_convnet_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_convnet(**{**TINY, **kwargs})


def test_build_convnet_rejects_non_layer_augmentation():
    with pytest.raises(
        TypeError,
        match="Expected `augmentation` to be a Keras layer or None. Received: augmentation of type str",
    ):
        build_convnet(**TINY, augmentation="flip")


def test_reference_convnet_rejects_bad_arguments():
    with pytest.raises(
        TypeError, match="Expected `pooling` to be a bool. Received: pooling='no'"
    ):
        build_reference_convnet(pooling="no")
    with pytest.raises(
        ValueError,
        match="Expected `num_classes` to be a positive int. Received: num_classes=0",
    ):
        build_reference_convnet(num_classes=0)


def test_scale_images_and_errors():
    x = scale_images(np.array([[[0, 51], [102, 255]]], dtype="uint8"))
    np.testing.assert_allclose(x[0, :, :, 0], [[0, 0.2], [0.4, 1.0]])
    with pytest.raises(
        ValueError,
        match="Expected `images` of shape \\(n, height, width\\). Received: images.shape=\\(4,\\)",
    ):
        scale_images(np.zeros(4))


@pytest.mark.parametrize("shape", [(3, 3, 16, 32), (5, 2, 30, 7), (100, 20)])
@pytest.mark.parametrize(
    "name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"]
)
def test_initializers_match_theory(shape, name):
    empirical = np.mean([initial_weight_std(name, shape, seed) for seed in range(3)])
    assert empirical == pytest.approx(theoretical_std(name, shape), rel=0.06)


def test_fans_and_theory_values():
    assert fans((3, 3, 1, 32)) == (9, 288)
    assert theoretical_std("he_uniform", (100, 5)) == pytest.approx(np.sqrt(0.02))
    assert theoretical_std("glorot_normal", (100, 100)) == pytest.approx(0.1)


def test_init_helpers_reject_bad_arguments():
    with pytest.raises(
        ValueError,
        match="Expected `kernel_shape` to be 2 or 4 positive ints. Received: kernel_shape=\\(3, 3, 1\\)",
    ):
        fans((3, 3, 1))
    with pytest.raises(
        ValueError,
        match="Expected `initializer` to be one of .*Received: initializer='lecun_normal'",
    ):
        theoretical_std("lecun_normal", (3, 3))
    with pytest.raises(
        ValueError, match="Expected `seed` to be a non-negative int. Received: seed=-1"
    ):
        initial_weight_std("he_normal", (3, 3), seed=-1)


def test_filter_spread():
    kernel = np.zeros((3, 3, 2, 4))
    assert filter_spread(kernel) == 0.0
    kernel[0, 1, 1, 2] = -0.5
    assert filter_spread(kernel) == 0.5
    with pytest.raises(
        ValueError,
        match="Expected `kernel` of shape \\(kh, kw, in_channels, filters\\). Received: kernel.shape=\\(3, 3\\)",
    ):
        filter_spread(np.zeros((3, 3)))


def test_equal_filters_stay_equal_and_random_ones_differ():
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 8, 8, 1)).astype("float32"), rng.integers(0, 3, 32)
    same = build_convnet(**TINY, kernel_initializer=keras.initializers.Constant(0.05))
    random = build_convnet(**TINY)
    for model in (same, random):
        model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert filter_spread(same.get_layer("conv_1").get_weights()[0]) == pytest.approx(
        0.0, abs=1e-6
    )
    assert filter_spread(same.get_layer("conv_2").get_weights()[0]) == pytest.approx(
        0.0, abs=1e-6
    )
    assert filter_spread(random.get_layer("conv_1").get_weights()[0]) > 0.05


def test_feature_maps_match_a_direct_call_and_errors():
    model = build_convnet(**TINY)
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    maps = feature_maps(model, x, ["relu_1"])
    expected = np.maximum(keras.ops.convert_to_numpy(model.get_layer("conv_1")(x)), 0)
    np.testing.assert_allclose(maps["relu_1"], expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(
        ValueError,
        match="Expected `layer_name` to be one of the model's layers .*Received: layer_name='conv_9'",
    ):
        feature_maps(model, x, ["conv_9"])
    with pytest.raises(
        ValueError,
        match="Expected `layer_names` to be a non-empty list of names. Received: layer_names='conv_1'",
    ):
        feature_maps(model, x, "conv_1")
    with pytest.raises(
        TypeError,
        match="Expected `model` to be a keras.Model. Received: model of type str",
    ):
        feature_maps("model", x, ["conv_1"])
    with pytest.raises(
        TypeError,
        match="Expected `model` to be a keras.Model. Received: model of type list",
    ):
        layer_table([])


def test_mosaic_places_and_scales_tiles():
    tiles = np.stack([np.full((2, 3), 5.0), np.arange(6.0).reshape(2, 3)])
    grid = mosaic(tiles, ncols=1, pad=2)
    assert grid.shape == (6, 3)
    np.testing.assert_array_equal(grid[:2], 0.0)  # a constant tile becomes 0
    assert np.isnan(grid[2:4]).all()
    np.testing.assert_allclose(grid[4:], np.arange(6.0).reshape(2, 3) / 5)
    with pytest.raises(
        ValueError,
        match="Expected `tiles` of shape \\(n, height, width\\). Received: tiles.shape=\\(2, 3\\)",
    ):
        mosaic(np.zeros((2, 3)))
    with pytest.raises(
        ValueError, match="Expected `ncols` to be a positive int. Received: ncols=0"
    ):
        mosaic(tiles, ncols=0)
    with pytest.raises(
        ValueError, match="Expected `pad` to be a non-negative int. Received: pad=-1"
    ):
        mosaic(tiles, pad=-1)


def test_augmentation_errors():
    with pytest.raises(
        ValueError,
        match="Expected at least one transformation. Received: flip=False, translation=0",
    ):
        augmentation_layers(flip=False, translation=0)
    with pytest.raises(
        ValueError,
        match="Expected `translation` to be a float in \\[0, 1\\). Received: translation=2",
    ):
        augmentation_layers(translation=2)


def test_select_classes_and_balanced_subset():
    labels = np.array([3, 1, 3, 2, 1, 3, 1])
    x, y = select_classes(np.arange(7), labels, [1, 3])
    assert x.tolist() == [0, 1, 2, 4, 5, 6] and y.tolist() == [1, 0, 1, 0, 1, 0]
    x, y = balanced_subset(np.arange(7), labels, per_class=1, seed=3)
    assert sorted(labels[x].tolist()) == [1, 2, 3] and (labels[x] == y).all()
    with pytest.raises(
        ValueError,
        match="Expected `classes` to be distinct labels, at least one. Received: classes=\\[1, 1\\]",
    ):
        select_classes(np.arange(7), labels, [1, 1])
    for function, args in ((select_classes, ([1],)), (balanced_subset, (1,))):
        with pytest.raises(
            ValueError,
            match="Expected `images` and `labels` of the same length. Received: 6 and 7",
        ):
            function(np.arange(6), labels, *args)
    with pytest.raises(
        ValueError,
        match="Expected `per_class` to be at most 1, the size of class 2. Received: per_class=2",
    ):
        balanced_subset(np.arange(7), labels, per_class=2)
    with pytest.raises(
        ValueError,
        match="Expected `per_class` to be a positive int. Received: per_class=0",
    ):
        balanced_subset(np.arange(7), labels, per_class=0)


def test_transfer_freezes_then_fine_tunes_the_top_block_only():
    source = build_convnet(**TINY)
    base = conv_base(source, "pool_2")
    model = transfer_model(base, num_classes=2, dense_units=4)
    before = [w.copy() for w in base.get_weights()]
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 8, 8, 1)).astype("float32"), rng.integers(0, 2, 16)
    model.fit(x, y, epochs=1, verbose=0)
    for old, new in zip(before, base.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert unfreeze_from(model, base, "conv_2", learning_rate=1e-2) == [
        "conv_2",
        "relu_2",
        "pool_2",
    ]
    model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(before[0], base.get_layer("conv_1").get_weights()[0])
    assert not np.allclose(before[2], base.get_layer("conv_2").get_weights()[0])
    # The base shares its weights with the source model.
    np.testing.assert_array_equal(
        source.get_layer("conv_2").get_weights()[0],
        base.get_layer("conv_2").get_weights()[0],
    )


def test_transfer_errors():
    source = build_convnet(**TINY)
    base = conv_base(source, "pool_2")
    with pytest.raises(
        ValueError,
        match="Expected `layer_name` to be one of the model's layers .*Received: layer_name='block5'",
    ):
        conv_base(source, "block5")
    with pytest.raises(
        ValueError,
        match="Expected `base` to output feature maps .*Received: output shape \\(None, 16\\)",
    ):
        transfer_model(conv_base(source, "flatten"), num_classes=2)
    with pytest.raises(
        TypeError,
        match="Expected `base` to be a keras.Model. Received: base of type NoneType",
    ):
        transfer_model(None, num_classes=2)
    with pytest.raises(
        ValueError,
        match="Expected `dense_units` to be a positive int. Received: dense_units=0",
    ):
        transfer_model(base, num_classes=2, dense_units=0)
    model = transfer_model(base, num_classes=2)
    with pytest.raises(
        ValueError,
        match="Expected `learning_rate` to be a positive number. Received: learning_rate=-1",
    ):
        unfreeze_from(model, base, "conv_2", learning_rate=-1)


def test_fit_and_evaluate_logs_and_validates(capsys):
    model = build_convnet(**TINY)
    x, y = np.zeros((6, 8, 8, 1), dtype="float32"), np.array([0, 1, 2, 0, 1, 2])
    history, accuracy = fit_and_evaluate(model, (x, y), (x, y), epochs=2)
    assert len(history["loss"]) == 2 and accuracy == pytest.approx(1 / 3)
    assert capsys.readouterr().out.splitlines()[-1].startswith("epoch 2/2 - accuracy: ")
    with pytest.raises(
        ValueError,
        match="Expected `train` to be a pair \\(inputs, labels\\) of the same length. Received: train of type tuple",
    ):
        fit_and_evaluate(model, (x, y[:3]), (x, y))
    with pytest.raises(
        ValueError, match="Expected `epochs` to be a positive int. Received: epochs=0"
    ):
        fit_and_evaluate(model, (x, y), (x, y), epochs=0)


def test_describe_difference_words_and_errors():
    from grimoire.convnets import describe_difference

    assert describe_difference(0.9, 0.8) == "0.100 higher than"
    assert describe_difference(np.float32(0.5), 0.75, digits=2) == "0.25 lower than"
    assert describe_difference(0.801, 0.8) == "about the same as"
    assert describe_difference(0.82, 0.8, tolerance=0.05) == "about the same as"
    with pytest.raises(
        TypeError,
        match="Expected `value` to be a real number. Received: value of type str",
    ):
        describe_difference("0.9", 0.8)
    with pytest.raises(
        TypeError,
        match="Expected `reference` to be a real number. Received: reference of type NoneType",
    ):
        describe_difference(0.9, None)
    with pytest.raises(
        ValueError,
        match="Expected `tolerance` to be a non-negative number. Received: tolerance=-0.1",
    ):
        describe_difference(0.9, 0.8, tolerance=-0.1)
    with pytest.raises(
        ValueError,
        match="Expected `digits` to be a non-negative int. Received: digits=1.5",
    ):
        describe_difference(0.9, 0.8, digits=1.5)
