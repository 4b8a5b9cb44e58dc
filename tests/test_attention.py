"""Attention from scratch: the formula, the masks, √d, and Keras's layer."""

import keras
import numpy as np
import pytest

from grimoire.attention import (
    init_mha_weights,
    mha_weights_from_keras,
    mha_weights_to_keras,
    multi_head_attention,
    scaled_dot_product_attention,
    softmax,
    softmax_saturation,
)

RNG = np.random.default_rng(0)


def test_softmax_sums_to_one_and_is_stable():
    scores = RNG.normal(size=(3, 5)) * 50
    weights = softmax(scores)
    assert np.allclose(weights.sum(axis=-1), 1)
    assert np.allclose(softmax(scores + 1e4), weights)
    columns = softmax(scores, axis=0)
    assert np.allclose(columns.sum(axis=0), 1)


def test_softmax_checks_axis():
    with pytest.raises(TypeError, match="Expected `axis` to be an int"):
        softmax(np.ones(3), axis=1.5)


def test_attention_is_the_formula():
    q, k, v = RNG.normal(size=(4, 8)), RNG.normal(size=(6, 8)), RNG.normal(size=(6, 3))
    output, weights = scaled_dot_product_attention(q, k, v)
    scores = q @ k.T / np.sqrt(8)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.allclose(weights, expected)
    assert np.allclose(output, expected @ v)
    _, unscaled = scaled_dot_product_attention(q, k, v, scale=False)
    assert np.allclose(unscaled, softmax(q @ k.T))


def test_attention_batches_over_leading_axes():
    q, k, v = RNG.normal(size=(2, 3, 4, 8)), RNG.normal(size=(2, 3, 5, 8)), None
    v = RNG.normal(size=(2, 3, 5, 2))
    output, weights = scaled_dot_product_attention(q, k, v)
    assert output.shape == (2, 3, 4, 2) and weights.shape == (2, 3, 4, 5)
    single, _ = scaled_dot_product_attention(q[1, 2], k[1, 2], v[1, 2])
    assert np.allclose(output[1, 2], single)


def test_masked_keys_get_no_weight_and_do_not_matter():
    q, k, v = RNG.normal(size=(3, 4)), RNG.normal(size=(5, 4)), RNG.normal(size=(5, 2))
    mask = np.array([True, True, True, False, False])
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(weights[:, 3:] == 0)
    assert np.allclose(weights.sum(axis=-1), 1)
    k2, v2 = k.copy(), v.copy()
    k2[3:], v2[3:] = 100.0, -100.0
    assert np.allclose(scaled_dot_product_attention(q, k2, v2, mask)[0], output)
    # the guard: without the mask, the same change moves the output
    unmasked = scaled_dot_product_attention(q, k, v)[0]
    assert not np.allclose(scaled_dot_product_attention(q, k2, v2)[0], unmasked)


def test_a_fully_masked_row_stays_finite():
    q, k, v = np.ones((2, 3)), np.ones((4, 3)), np.arange(8.0).reshape(4, 2)
    mask = np.array([[True, False, False, False], [False] * 4])
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(np.isfinite(output))
    assert np.allclose(weights[1], 0.25)


def test_attention_checks_its_inputs():
    with pytest.raises(ValueError, match="same last axis"):
        scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 5)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="as many values as keys"):
        scaled_dot_product_attention(np.ones((2, 3)), np.ones((4, 3)), np.ones((5, 1)))
    with pytest.raises(ValueError, match="Expected `query` with"):
        scaled_dot_product_attention(np.ones(3), np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(TypeError, match="Expected `scale` to be a bool"):
        scaled_dot_product_attention(
            np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)), scale=1
        )


def test_unscaled_scores_saturate_the_softmax_and_scaled_do_not():
    dims = [2, 16, 128, 1024]
    scaled = softmax_saturation(dims, scale=True)
    unscaled = softmax_saturation(dims, scale=False)
    assert np.all(np.diff(unscaled["max_weight"]) > 0)
    assert unscaled["max_weight"][-1] > 0.9
    assert np.ptp(scaled["max_weight"]) < 0.05
    assert np.all(np.diff(unscaled["gradient"][1:]) < 0)
    assert unscaled["gradient"][-1] < 0.5 * scaled["gradient"][-1]
    assert np.all(scaled["entropy"] > unscaled["entropy"][1:].max())
    assert np.all(scaled["entropy"] <= np.log(64) + 1e-9)


def test_softmax_saturation_checks_arguments():
    with pytest.raises(TypeError, match="Expected `dims` to be a list or tuple"):
        softmax_saturation(8)
    with pytest.raises(ValueError, match="Expected `dims` to be an int >= 1"):
        softmax_saturation([4, 0])
    with pytest.raises(ValueError, match="Expected `num_keys` to be an int >= 1"):
        softmax_saturation([4], num_keys=0)
    with pytest.raises(ValueError, match="Expected `seed` to be an int >= 0"):
        softmax_saturation([4], seed=-1)


def test_init_mha_weights_shapes_and_seed():
    weights = init_mha_weights(12, 3, 5, seed=1)
    assert weights["value_kernel"].shape == (12, 3, 5)
    assert weights["key_bias"].shape == (3, 5)
    assert weights["output_kernel"].shape == (3, 5, 12)
    assert all(array.dtype == np.float32 for array in weights.values())
    again = init_mha_weights(12, 3, 5, seed=1)
    assert all(np.array_equal(weights[name], again[name]) for name in weights)
    with pytest.raises(ValueError, match="Expected `num_heads` to be an int >= 1"):
        init_mha_weights(12, 0, 5)


def _keras_output(layer, query, value, key=None, mask=None):
    output, scores = layer(
        query, value, key=key, attention_mask=mask, return_attention_scores=True
    )
    return output.numpy(), scores.numpy()


@pytest.mark.parametrize("num_heads, key_dim", [(1, 8), (2, 4), (4, 3)])
def test_scratch_weights_in_keras_give_the_same_outputs(num_heads, key_dim):
    weights = init_mha_weights(8, num_heads, key_dim, seed=num_heads)
    layer = mha_weights_to_keras(
        weights, keras.layers.MultiHeadAttention(num_heads, key_dim)
    )
    query = RNG.normal(size=(2, 5, 8)).astype("float32")
    value = RNG.normal(size=(2, 7, 8)).astype("float32")
    key = RNG.normal(size=(2, 7, 8)).astype("float32")
    ours, our_scores = multi_head_attention(query, value, weights, key=key)
    theirs, their_scores = _keras_output(layer, query, value, key=key)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(our_scores - their_scores).max() < 1e-6


def test_keras_weights_read_here_give_the_same_outputs_with_a_mask():
    keras.utils.set_random_seed(0)
    layer = keras.layers.MultiHeadAttention(2, 4)
    x = RNG.normal(size=(2, 6, 8)).astype("float32")
    layer(x, x)
    # give the biases values, so that the comparison covers them
    for variable in layer.weights:
        if variable.path.endswith("bias"):
            variable.assign(RNG.normal(size=variable.shape).astype("float32"))
    mask = np.ones((2, 6, 6), dtype=bool)
    mask[0, :, 4:] = False
    weights = mha_weights_from_keras(layer)
    ours, our_scores = multi_head_attention(x, x, weights, mask=mask)
    theirs, their_scores = _keras_output(layer, x, x, mask=mask)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(our_scores - their_scores).max() < 1e-6
    assert our_scores[0, :, :, 4:].max() == 0


def test_masked_positions_do_not_reach_the_scratch_multi_head_outputs():
    weights = init_mha_weights(8, 2, 4)
    x = RNG.normal(size=(1, 6, 8))
    mask = np.array([[True] * 4 + [False] * 2])[:, None, :]
    changed = x.copy()
    changed[0, 4:] = 50.0
    before, _ = multi_head_attention(x, x, weights, mask=mask)
    after, _ = multi_head_attention(changed, changed, weights, mask=mask)
    assert np.abs(after - before)[0, :4].max() < 1e-9
    unmasked, _ = multi_head_attention(x, x, weights)
    unmasked_after, _ = multi_head_attention(changed, changed, weights)
    assert np.abs(unmasked_after - unmasked)[0, :4].max() > 1e-2


def test_weights_round_trip_through_keras():
    weights = init_mha_weights(6, 2, 3, seed=4)
    layer = mha_weights_to_keras(weights, keras.layers.MultiHeadAttention(2, 3))
    back = mha_weights_from_keras(layer)
    assert sorted(back) == sorted(weights)
    assert all(np.array_equal(back[name], weights[name]) for name in weights)


def test_weight_transfer_checks():
    weights = init_mha_weights(6, 2, 3)
    with pytest.raises(TypeError, match="Expected `layer` to be a keras.layers"):
        mha_weights_to_keras(weights, keras.layers.Dense(3))
    with pytest.raises(TypeError, match="Expected `weights` to be a dict"):
        mha_weights_to_keras([1, 2], keras.layers.MultiHeadAttention(2, 3))
    incomplete = {name: array for name, array in weights.items() if "value" not in name}
    with pytest.raises(ValueError, match="without \\['value_kernel', 'value_bias'\\]"):
        mha_weights_to_keras(incomplete, keras.layers.MultiHeadAttention(2, 3))
    with pytest.raises(ValueError, match="Expected `weights\\['query_kernel'\\]`"):
        mha_weights_to_keras(weights, keras.layers.MultiHeadAttention(3, 2))
    with pytest.raises(ValueError, match="Expected a built `layer`"):
        mha_weights_from_keras(keras.layers.MultiHeadAttention(2, 3))


def test_multi_head_attention_checks_shapes():
    weights = init_mha_weights(6, 2, 3)
    with pytest.raises(ValueError, match="Expected `query` with 3 axes"):
        multi_head_attention(np.ones((4, 6)), np.ones((1, 4, 6)), weights)
