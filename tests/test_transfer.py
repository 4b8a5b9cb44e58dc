import numpy as np
import pytest

from grimoire.convnets import build_convnet
from grimoire.transfer import (
    balanced_subset,
    conv_base,
    select_classes,
    transfer_model,
    unfreeze_from,
)

TINY = dict(input_shape=(8, 8, 1), num_classes=3, filters=(4, 4), dense_units=8)
LABELS = np.array([3, 1, 3, 2, 1, 3, 1])


def test_select_classes_keeps_and_relabels_in_the_given_order():
    x, y = select_classes(np.arange(7), LABELS, [1, 3])
    assert x.tolist() == [0, 1, 2, 4, 5, 6] and y.tolist() == [1, 0, 1, 0, 1, 0]
    x, y = select_classes(np.arange(7) * 10, LABELS.tolist(), (2,))
    assert x.tolist() == [30] and y.tolist() == [0] and y.dtype == np.int64


def test_balanced_subset_draws_the_same_number_per_class():
    x, y = balanced_subset(np.arange(7), LABELS, per_class=1, seed=3)
    assert sorted(LABELS[x].tolist()) == [1, 2, 3] and (LABELS[x] == y).all()
    labels = np.repeat([0, 1, 2], [10, 20, 30])
    x, y = balanced_subset(np.arange(60), labels, per_class=5, seed=0)
    assert np.bincount(y).tolist() == [5, 5, 5] and len(set(x.tolist())) == 15
    again, _ = balanced_subset(np.arange(60), labels, per_class=5, seed=0)
    other, _ = balanced_subset(np.arange(60), labels, per_class=5, seed=1)
    assert again.tolist() == x.tolist() and other.tolist() != x.tolist()


def test_numpy_scalars_are_accepted_and_give_the_same_results():
    x, y = balanced_subset(
        np.arange(7), LABELS, per_class=np.int64(1), seed=np.int64(3)
    )
    x_int, y_int = balanced_subset(np.arange(7), LABELS, per_class=1, seed=3)
    assert x.tolist() == x_int.tolist() and y.tolist() == y_int.tolist()
    base = conv_base(build_convnet(**TINY), "pool_2")
    model = transfer_model(
        base,
        num_classes=np.int64(2),
        dense_units=np.int32(4),
        dropout=np.float32(0.25),
        learning_rate=np.float32(0.5),
    )
    assert model.output_shape == (None, 2)
    assert model.get_layer("dense").units == 4
    assert model.get_layer("dropout").rate == 0.25
    assert float(model.optimizer.learning_rate) == 0.5
    unfreeze_from(model, base, "conv_2", learning_rate=np.float64(0.25))
    assert float(model.optimizer.learning_rate) == 0.25


def test_conv_base_shares_layers_with_the_model():
    source = build_convnet(**TINY)
    base = conv_base(source, "relu_2")
    assert base.output_shape == (None, 4, 4, 4)
    assert base.get_layer("conv_2") is source.get_layer("conv_2")


@pytest.mark.slow
def test_transfer_freezes_then_fine_tunes_the_top_block_only():
    source = build_convnet(**TINY)
    base = conv_base(source, "pool_2")
    model = transfer_model(base, num_classes=2, dense_units=4)
    assert [layer.name for layer in model.layers][-4:] == [
        "dropout",
        "dense",
        "logits",
        "predictions",
    ]
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


@pytest.fixture(scope="module")
def base():
    return conv_base(build_convnet(**TINY), "pool_2")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda base: select_classes(np.arange(7), LABELS, [1, 1]),
            ValueError,
            r"Expected `classes` to be distinct labels, at least one. "
            r"Received: classes=\[1, 1\]",
        ),
        (
            lambda base: select_classes(np.arange(7), LABELS, []),
            ValueError,
            r"Expected `classes` to be distinct labels, at least one. "
            r"Received: classes=\[\]",
        ),
        (
            lambda base: select_classes(np.arange(7), LABELS, "13"),
            TypeError,
            r"Expected `classes` to be a list or tuple or ndarray. "
            r"Received: classes='13' of type str",
        ),
        (
            lambda base: select_classes(np.arange(6), LABELS, [1]),
            ValueError,
            r"Expected `images` and `labels` of the same length. Received: 6 and 7",
        ),
        (
            lambda base: balanced_subset(np.arange(6), LABELS, 1),
            ValueError,
            r"Expected `images` and `labels` of the same length. Received: 6 and 7",
        ),
        (
            lambda base: balanced_subset(np.arange(7), LABELS, per_class=2),
            ValueError,
            r"Expected `per_class` to be at most 1, the size of class 2. "
            r"Received: per_class=2",
        ),
        (
            lambda base: balanced_subset(np.arange(7), LABELS, per_class=0),
            ValueError,
            r"Expected `per_class` to be an int >= 1. Received: per_class=0",
        ),
        (
            lambda base: balanced_subset(np.arange(7), LABELS, per_class="1"),
            TypeError,
            r"Expected `per_class` to be an int. Received: per_class='1' of type str",
        ),
        (
            lambda base: balanced_subset(np.arange(7), LABELS, 1, seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda base: conv_base(build_convnet(**TINY), "block5"),
            ValueError,
            r"Expected `last_layer` to be one of \(.*'pool_2'.*\). "
            r"Received: last_layer='block5'",
        ),
        (
            lambda base: conv_base("model", "pool_2"),
            TypeError,
            r"Expected `model` to be a keras.Model. "
            r"Received: model='model' of type str",
        ),
        (
            lambda base: transfer_model(
                conv_base(build_convnet(**TINY), "flatten"), num_classes=2
            ),
            ValueError,
            r"Expected `base` to output feature maps .*"
            r"Received: output shape \(None, 16\)",
        ),
        (
            lambda base: transfer_model(None, num_classes=2),
            TypeError,
            r"Expected `base` to be a keras.Model. "
            r"Received: base=None of type NoneType",
        ),
        (
            lambda base: transfer_model(base, num_classes=0),
            ValueError,
            r"Expected `num_classes` to be an int >= 1. Received: num_classes=0",
        ),
        (
            lambda base: transfer_model(base, num_classes=2, dense_units=0),
            ValueError,
            r"Expected `dense_units` to be an int >= 1. Received: dense_units=0",
        ),
        (
            lambda base: transfer_model(base, num_classes=2, dropout=1),
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\). Received: dropout=1.0",
        ),
        (
            lambda base: transfer_model(base, num_classes=2, learning_rate="1e-3"),
            TypeError,
            r"Expected `learning_rate` to be a float. "
            r"Received: learning_rate='1e-3' of type str",
        ),
        (
            lambda base: unfreeze_from(
                transfer_model(base, 2), base, "conv_2", learning_rate=-1
            ),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=-1.0",
        ),
        (
            lambda base: unfreeze_from(transfer_model(base, 2), base, "block5"),
            ValueError,
            r"Expected `layer_name` to be one of \(.*'conv_2'.*\). "
            r"Received: layer_name='block5'",
        ),
        (
            lambda base: unfreeze_from(transfer_model(base, 2), base, 2),
            TypeError,
            r"Expected `layer_name` to be a str. Received: layer_name=2 of type int",
        ),
        (
            lambda base: unfreeze_from([], base, "conv_2"),
            TypeError,
            r"Expected `model` to be a keras.Model. Received: model=\[\] of type list",
        ),
    ],
)
def test_bad_arguments(base, call, error, message):
    with pytest.raises(error, match=message):
        call(base)
