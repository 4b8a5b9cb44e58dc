"""Tests of grimoire.seq2seq: masks that reach the attention, shapes, errors."""

import keras
import numpy as np
import pytest
from keras import ops

from grimoire.seq2seq import (
    DecoderBlock,
    EncoderBlock,
    PositionalEmbedding,
    build_translator,
    causal_mask,
    cross_attention_model,
)


def _numpy(tensor):
    return ops.convert_to_numpy(tensor)


def test_causal_mask_is_lower_triangular():
    mask = _numpy(causal_mask(5))
    assert mask.shape == (1, 5, 5)
    assert mask.dtype == bool
    np.testing.assert_array_equal(mask[0], np.tril(np.ones((5, 5), bool)))


@pytest.mark.parametrize(
    "length, error, match",
    [
        (0, ValueError, r"Expected `length` to be an int >= 1. Received: length=0"),
        (2.0, TypeError, r"Expected `length` to be an int. Received: length=2.0"),
    ],
)
def test_causal_mask_errors(length, error, match):
    with pytest.raises(error, match=match):
        causal_mask(length)


def _translator(causal=True, seed=0):
    keras.utils.set_random_seed(seed)
    return build_translator(
        15, 17, source_length=6, target_length=7, d_model=16, num_heads=2,
        ff_dim=32, num_layers=2, dropout=0.0, causal=causal,
    )  # fmt: skip


def _future_changed(model):
    """Logits before and after changing the target tokens after position 3."""
    rng = np.random.default_rng(1)
    source = rng.integers(1, 15, (4, 6)).astype("int32")
    target = rng.integers(1, 17, (4, 7)).astype("int32")
    changed = target.copy()
    changed[:, 4:] = rng.integers(1, 17, (4, 3))
    before = _numpy(model({"source": source, "target": target}))
    after = _numpy(model({"source": source, "target": changed}))
    return before, after


@pytest.mark.slow
def test_decoder_sees_no_future_token():
    before, after = _future_changed(_translator())
    np.testing.assert_allclose(before[:, :4], after[:, :4], atol=1e-5)
    assert np.abs(before[:, 4:] - after[:, 4:]).max() > 1e-3


def test_without_the_causal_mask_the_future_leaks():
    before, after = _future_changed(_translator(causal=False))
    assert np.abs(before[:, :4] - after[:, :4]).max() > 1e-3


def test_decoder_block_ignores_masked_context():
    keras.utils.set_random_seed(0)
    block = DecoderBlock(d_model=8, num_heads=2, ff_dim=16)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 8)).astype("float32")
    context = rng.normal(size=(2, 5, 8)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], bool)
    changed = context.copy()
    changed[~mask] = rng.normal(size=(int((~mask).sum()), 8))
    out, scores = block(x, context, mask)
    out_changed, _ = block(x, changed, mask)
    np.testing.assert_allclose(_numpy(out), _numpy(out_changed), atol=1e-5)
    scores = _numpy(scores)
    assert scores.shape == (2, 2, 3, 5)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, atol=1e-5)
    assert np.abs(scores[0, :, :, 3:]).max() == 0
    # Without the mask, the same change reaches the output.
    leak, _ = block(x, context)
    leak_changed, _ = block(x, changed)
    assert np.abs(_numpy(leak) - _numpy(leak_changed)).max() > 1e-3


def test_encoder_block_ignores_padding():
    keras.utils.set_random_seed(0)
    block = EncoderBlock(d_model=8, num_heads=2, ff_dim=16)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 5, 8)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0]], bool)
    changed = x.copy()
    changed[:, 3:] = rng.normal(size=(1, 2, 8))
    np.testing.assert_allclose(
        _numpy(block(x, mask))[:, :3], _numpy(block(changed, mask))[:, :3], atol=1e-5
    )
    assert np.abs(_numpy(block(x))[:, :3] - _numpy(block(changed))[:, :3]).max() > 1e-3


def test_source_padding_does_not_reach_the_translation():
    """Padded source positions (id 0) change nothing, whatever their length."""
    model = _translator()
    source = np.array([[3, 4, 5, 0, 0, 0]], "int32")
    target = np.array([[2, 5, 6, 7, 0, 0, 0]], "int32")
    base = _numpy(model({"source": source, "target": target}))
    # The same sentence, with its encoder outputs at padded positions changed
    # by a different position embedding, gives the same logits: only the
    # three real tokens are attended to.
    embedding = model.get_layer("source_embedding")
    weights = embedding.positions.get_weights()
    weights[0][3:] += 5.0
    embedding.positions.set_weights(weights)
    np.testing.assert_allclose(
        base, _numpy(model({"source": source, "target": target})), atol=1e-5
    )


def test_positional_embedding_depends_on_position():
    keras.utils.set_random_seed(0)
    embed = PositionalEmbedding(vocabulary_size=5, length=4, d_model=6)
    out = _numpy(embed(np.array([[2, 2, 2, 2]], "int32")))
    assert out.shape == (1, 4, 6)
    assert np.abs(out[0, 0] - out[0, 1]).max() > 0
    assert embed.get_config()["length"] == 4


def test_build_translator_shapes_and_names():
    model = _translator()
    assert [layer.name for layer in model.layers if "decoder_" in layer.name] == [
        "decoder_1",
        "decoder_2",
    ]
    out = model(
        {"source": np.ones((3, 6), "int32"), "target": np.ones((3, 7), "int32")}
    )
    assert tuple(out.shape) == (3, 7, 17)


def test_cross_attention_model():
    model = _translator()
    attention = cross_attention_model(model)
    source = np.array([[3, 4, 0, 0, 0, 0]], "int32")
    scores = _numpy(attention({"source": source, "target": np.ones((1, 7), "int32")}))
    assert scores.shape == (1, 2, 7, 6)
    np.testing.assert_allclose(scores.sum(axis=-1), 1.0, atol=1e-5)
    assert scores[..., 2:].max() == 0
    first = cross_attention_model(model, "decoder_1")
    assert tuple(first.output.shape) == (None, 2, 7, 6)


def test_cross_attention_model_errors():
    model = _translator()
    with pytest.raises(ValueError, match=r"Expected `block` to be one of"):
        cross_attention_model(model, "encoder_1")
    with pytest.raises(TypeError, match=r"Expected `block` to be a str"):
        cross_attention_model(model, 1)
    with pytest.raises(TypeError, match=r"Expected `model` to be a keras.Model"):
        cross_attention_model("model")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"d_model": 10, "num_heads": 4},
            ValueError,
            r"Expected `d_model` to be a multiple of `num_heads`. "
            r"Received: d_model=10, num_heads=4",
        ),
        (
            {"dropout": 1.0},
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\). Received: dropout=1.0",
        ),
        (
            {"num_layers": 0},
            ValueError,
            r"Expected `num_layers` to be an int >= 1. Received: num_layers=0",
        ),
        (
            {"ff_dim": 0},
            ValueError,
            r"Expected `ff_dim` to be an int >= 1. Received: ff_dim=0",
        ),
        (
            {"num_heads": "4"},
            TypeError,
            r"Expected `num_heads` to be an int. Received: num_heads='4'",
        ),
        (
            {"causal": 1},
            TypeError,
            r"Expected `causal` to be a bool. Received: causal=1 of type int",
        ),
    ],
)
def test_build_translator_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_translator(10, 10, 5, 5, **kwargs)


def test_block_and_embedding_errors():
    with pytest.raises(
        ValueError, match=r"Expected `vocabulary_size` to be an int >= 1"
    ):
        PositionalEmbedding(0, 4, 8)
    with pytest.raises(ValueError, match=r"Expected `d_model` to be a multiple"):
        EncoderBlock(d_model=9, num_heads=2, ff_dim=4)
    with pytest.raises(TypeError, match=r"Expected `dropout` to be a float"):
        DecoderBlock(d_model=8, num_heads=2, ff_dim=4, dropout="0.1")
