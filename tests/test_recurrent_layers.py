import numpy as np
import pytest

from grimoire.recurrent_layers import (
    SHAPES,
    build_shape_model,
    recurrent_dropout_masks,
)


@pytest.mark.parametrize(
    "kind, input_shape, output_shape",
    [
        ("one-to-one", (None, 3), (None, 2)),
        ("one-to-many", (None, 3), (None, 6, 2)),
        ("many-to-one", (None, 6, 3), (None, 2)),
        ("many-to-many", (None, 6, 3), (None, 6, 2)),
        ("encoder-decoder", (None, 6, 3), (None, 5, 2)),
    ],
)
def test_shapes(kind, input_shape, output_shape):
    model = build_shape_model(kind, steps=6, features=3, outputs=2, output_steps=5)
    assert model.input_shape == input_shape
    assert model.output_shape == output_shape
    x = np.zeros((4,) + input_shape[1:], dtype="float32")
    assert model(x).shape == (4,) + output_shape[1:]


def test_every_shape_is_known():
    assert set(SHAPES) == {
        "one-to-one",
        "one-to-many",
        "many-to-one",
        "many-to-many",
        "encoder-decoder",
    }


def test_shape_errors():
    with pytest.raises(ValueError, match="Expected `kind` to be one of"):
        build_shape_model("many-to-few")
    with pytest.raises(ValueError, match="Expected `units` to be an int >= 1"):
        build_shape_model("many-to-one", units=0)
    with pytest.raises(TypeError, match="Expected `steps` to be an int"):
        build_shape_model("many-to-one", steps=2.5)


def test_recurrent_dropout_uses_one_mask_per_sequence():
    masks = recurrent_dropout_masks(0.3, units=32, steps=8, batch=4, seed=1)
    assert masks.shape == (4, 7, 32)
    # the same mask at every step of a sequence
    assert np.all(masks == masks[:, :1])
    # entries are 0 (dropped) or 1 / (1 - rate) (kept)
    assert np.allclose(np.unique(masks), [0.0, 1 / 0.7])
    # different sequences of the batch get different masks
    assert not np.all(masks[0] == masks[1])


def test_recurrent_dropout_rate_is_respected():
    masks = recurrent_dropout_masks(0.25, units=100, steps=2, batch=40, seed=2)
    assert abs(np.mean(masks == 0) - 0.25) < 0.03


def test_recurrent_dropout_errors():
    with pytest.raises(ValueError, match=r"Expected `rate` to be a float in \(0, 1\)"):
        recurrent_dropout_masks(0.0)
    with pytest.raises(ValueError, match=r"Expected `rate` to be a float in \[0, 1\]"):
        recurrent_dropout_masks(1.5)
    with pytest.raises(ValueError, match="Expected `steps` to be an int >= 2"):
        recurrent_dropout_masks(0.5, steps=1)
    with pytest.raises(TypeError, match="Expected `batch` to be an int"):
        recurrent_dropout_masks(0.5, batch="2")
