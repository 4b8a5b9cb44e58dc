"""The Transformer encoder: masks that reach the attention, positions, the model."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from grimoire.transformer import (
    PositionalEmbedding,
    TransformerEncoder,
    attention_weights,
    build_encoder_classifier,
    padding_effect,
    plot_attention,
)

TOKENS = [5, 7, 2, 9, 11, 3, 8]


def padded(tokens, length):
    return np.array([tokens + [0] * (length - len(tokens))])


class ForgetfulEncoder(TransformerEncoder):
    """The mistake: an encoder whose `call` forgets the mask it is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.supports_masking = False

    def call(self, inputs, training=None):
        return super().call(inputs, mask=None, training=training)


def _block(cls=TransformerEncoder):
    keras.utils.set_random_seed(0)
    return cls(embed_dim=8, num_heads=2, ff_dim=16, dropout=0.0)


def _inputs():
    x = np.random.default_rng(1).normal(size=(3, 7, 8)).astype("float32")
    mask = np.ones((3, 7), dtype=bool)
    mask[0, 4:], mask[1, 2:] = False, False
    return x, mask


# --- the padding mask ------------------------------------------------------------


def test_changing_the_padding_does_not_change_the_real_outputs():
    x, mask = _inputs()
    assert padding_effect(_block(), x, mask) < 1e-5
    for seed in range(3):
        assert padding_effect(_block(), x, mask, seed=seed) < 1e-5


def test_the_padding_check_fails_when_the_mask_is_dropped():
    x, mask = _inputs()
    assert padding_effect(_block(), x, mask, use_mask=False) > 1e-2
    assert padding_effect(_block(ForgetfulEncoder), x, mask, use_mask=False) > 1e-2


def _model(encoder_class=TransformerEncoder, positional=True):
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int64")
    if positional:
        embed = PositionalEmbedding(40, 50, 8, name="embedding")
    else:
        embed = keras.layers.Embedding(50, 8, mask_zero=True, name="embedding")
    x = encoder_class(8, 2, 16, dropout=0.0)(embed(inputs))
    outputs = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inputs, outputs)


def _change_padding_vector(model, positional):
    embedding = model.get_layer("embedding")
    layer = embedding.token_embeddings if positional else embedding
    weights = layer.get_weights()[0]
    weights[0] = 3.0  # the vector of token 0, the padding
    layer.set_weights([weights])


@pytest.mark.parametrize("positional", [True, False])
def test_the_keras_mask_reaches_the_attention_and_the_pooling(positional):
    model = _model(positional=positional)
    outputs = [model(padded(TOKENS, n)).numpy() for n in (7, 12, 40)]
    assert np.abs(outputs[1] - outputs[0]).max() < 1e-5
    assert np.abs(outputs[2] - outputs[0]).max() < 1e-5
    before = model(padded(TOKENS, 20)).numpy()
    _change_padding_vector(model, positional)
    assert np.abs(model(padded(TOKENS, 20)).numpy() - before).max() < 1e-5


@pytest.mark.parametrize("positional", [True, False])
def test_a_layer_that_drops_the_mask_lets_padding_in(positional):
    """The guard: the same checks fail when the encoder forgets the mask."""
    with pytest.warns(UserWarning, match="does not support masking"):
        model = _model(ForgetfulEncoder, positional=positional)
        short = model(padded(TOKENS, 7)).numpy()
        long = model(padded(TOKENS, 40)).numpy()
        before = model(padded(TOKENS, 20)).numpy()
        _change_padding_vector(model, positional)
        after = model(padded(TOKENS, 20)).numpy()
    assert np.abs(long - short).max() > 1e-3
    assert np.abs(after - before).max() > 1e-3


def test_the_mask_is_passed_on():
    embed = PositionalEmbedding(10, 20, 8)
    ids = padded(TOKENS, 10)
    mask = embed.compute_mask(ids)
    assert mask.numpy().tolist() == (ids != 0).tolist()
    block = TransformerEncoder(8, 2, 8)
    assert block.supports_masking
    assert block.compute_mask(embed(ids), mask) is mask


# --- positions -------------------------------------------------------------------


def _permuted():
    order = np.random.default_rng(0).permutation(len(TOKENS))
    return padded(TOKENS, 12), padded(list(np.array(TOKENS)[order]), 12)


def test_without_positions_the_encoder_ignores_the_order():
    model = _model(positional=False)
    original, permuted = _permuted()
    assert np.abs(model(permuted).numpy() - model(original).numpy()).max() < 1e-5


def test_with_positions_the_order_matters():
    model = _model(positional=True)
    original, permuted = _permuted()
    assert np.abs(model(permuted).numpy() - model(original).numpy()).max() > 1e-3


def test_positional_embedding_adds_position_vectors():
    embed = PositionalEmbedding(6, 10, 4)
    ids = np.array([[3, 3, 3, 0]])
    vectors = embed(ids).numpy()[0]
    tokens = embed.token_embeddings.get_weights()[0]
    positions = embed.position_embeddings.get_weights()[0]
    assert np.allclose(vectors, tokens[ids[0]] + positions[:4])


def test_layers_round_trip_through_their_config():
    embed = PositionalEmbedding(6, 10, 4, name="embed")
    assert PositionalEmbedding.from_config(embed.get_config()).sequence_length == 6
    block = TransformerEncoder(8, 4, 12, dropout=0.2)
    clone = TransformerEncoder.from_config(block.get_config())
    assert (clone.embed_dim, clone.num_heads, clone.ff_dim, clone.dropout) == (
        8,
        4,
        12,
        0.2,
    )


def test_encoder_is_a_residual_block_of_attention_and_feed_forward():
    block = _block()
    x, mask = _inputs()
    y = block(x, mask=mask).numpy()
    attended = block.attention(x, x, attention_mask=mask[:, None, :])
    h = block.norm_1(x + attended)
    expected = block.norm_2(h + block.feed_forward(h)).numpy()
    assert np.abs(y - expected).max() < 1e-5
    # layer normalisation: each position has mean 0 and variance 1 (gamma=1, beta=0)
    assert np.abs(y.mean(axis=-1)).max() < 1e-5
    assert np.abs(y.var(axis=-1) - 1).max() < 1e-2


def test_layer_arguments_are_checked():
    with pytest.raises(ValueError, match="multiple of `num_heads`"):
        TransformerEncoder(10, 3, 8)
    with pytest.raises(ValueError, match="Expected `dropout` to be a float in"):
        TransformerEncoder(8, 2, 8, dropout=1.0)
    with pytest.raises(ValueError, match="Expected `ff_dim` to be an int >= 1"):
        TransformerEncoder(8, 2, 0)
    with pytest.raises(TypeError, match="Expected `sequence_length` to be an int"):
        PositionalEmbedding(6.5, 10, 4)


# --- the classifier --------------------------------------------------------------


def test_classifier_layers_and_mask_independence():
    model = build_encoder_classifier(50, 40, embed_dim=8, num_blocks=2)
    names = [layer.name for layer in model.layers]
    assert names == [
        "tokens",
        "embedding",
        "encoder_1",
        "encoder_2",
        "pooling",
        "dropout",
        "output",
    ]
    short, long = model(padded(TOKENS, 7)).numpy(), model(padded(TOKENS, 40)).numpy()
    assert np.abs(long - short).max() < 1e-5


def test_classifier_without_positions_is_order_blind():
    original, permuted = _permuted()
    blind = build_encoder_classifier(50, 12, embed_dim=8, positional=False)
    assert np.abs(blind(permuted).numpy() - blind(original).numpy()).max() < 1e-5
    assert isinstance(blind.get_layer("embedding"), keras.layers.Embedding)


def test_classifier_learning_rate_decays_when_asked():
    model = build_encoder_classifier(50, 12, embed_dim=8, decay_steps=10)
    schedule = model.optimizer._learning_rate  # the schedule itself
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(10)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow
def test_classifier_trains():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(64, 10))
    y = (x == 3).any(axis=1).astype("int64")
    model = build_encoder_classifier(20, 10, embed_dim=8, learning_rate=1e-2)
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_classifier_arguments_are_checked():
    with pytest.raises(ValueError, match="Expected `num_blocks` to be an int >= 1"):
        build_encoder_classifier(50, 12, num_blocks=0)
    with pytest.raises(TypeError, match="Expected `positional` to be a bool"):
        build_encoder_classifier(50, 12, positional=1)
    with pytest.raises(ValueError, match="Expected `decay_steps` to be an int >= 1"):
        build_encoder_classifier(50, 12, decay_steps=0)
    with pytest.raises(ValueError, match="Expected `learning_rate` to be a float > 0"):
        build_encoder_classifier(50, 12, learning_rate=0)


# --- attention weights and their plot --------------------------------------------


def test_attention_weights_match_the_block():
    model = build_encoder_classifier(50, 12, embed_dim=8, num_blocks=2)
    ids = padded(TOKENS, 10)[0]
    weights = attention_weights(model, ids, block="encoder_2")
    assert weights.shape == (2, 10, 10)
    real = len(TOKENS)
    assert np.allclose(weights[:, :real].sum(axis=-1), 1, atol=1e-5)
    assert weights[:, :, real:].max() == 0
    x = model.get_layer("encoder_1")(model.get_layer("embedding")(ids[None]))
    mask = (ids != 0)[None, None, :]
    _, expected = model.get_layer("encoder_2").attention(
        x, x, attention_mask=mask, return_attention_scores=True
    )
    assert np.allclose(weights[:, :real], expected.numpy()[0, :, :real], atol=1e-6)


def test_attention_weights_checks():
    model = build_encoder_classifier(50, 12, embed_dim=8)
    with pytest.raises(ValueError, match="Expected `block` to name a Transformer"):
        attention_weights(model, np.array([3, 4]), block="pooling")
    with pytest.raises(ValueError, match="Expected `layer_name` to be one of"):
        attention_weights(model, np.array([3, 4]), block="encoder_9")
    with pytest.raises(ValueError, match="Expected 1-D `ids`"):
        attention_weights(model, np.array([[3, 4]]))


def test_padding_effect_checks():
    with pytest.raises(ValueError, match="Expected `inputs` of shape"):
        padding_effect(_block(), np.ones((2, 3, 8)), np.ones((2, 4), bool))
    with pytest.raises(TypeError, match="Expected `layer` to be a keras.layers.Layer"):
        padding_effect(len, np.ones((2, 3, 8)), np.ones((2, 3), bool))


def test_plot_attention_draws_a_labelled_heatmap():
    ax = plot_attention(np.full((3, 3), 1 / 3), ["not", "a", "gem"])
    assert ax.images[0].get_array().shape == (3, 3)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["not", "a", "gem"]
    plt.close(ax.figure)


def test_plot_attention_draws_cross_attention_with_key_tokens():
    weights = np.full((2, 3), 1 / 3)
    ax = plot_attention(weights, ["pas", "mal"], key_tokens=["not", "a", "gem"])
    assert ax.images[0].get_array().shape == (2, 3)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["not", "a", "gem"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pas", "mal"]
    plt.close(ax.figure)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (
            (np.ones((2, 3)), ["a", "b"]),
            {},
            ValueError,
            r"Expected `weights` of shape \(2, 2\), a row per query token and a "
            r"column per key token. Received: weights.shape=\(2, 3\)",
        ),
        (
            (np.ones((3, 2)), ["a", "b", "c"]),
            {"key_tokens": ["d", "e", "f"]},
            ValueError,
            r"Expected `weights` of shape \(3, 3\).*Received: weights.shape=\(3, 2\)",
        ),
        (
            (np.ones((2, 2)), "ab"),
            {},
            TypeError,
            "Expected `tokens` to be a list of str",
        ),
        (
            (np.ones((1, 2)), ["a"]),
            {"key_tokens": "bc"},
            TypeError,
            "Expected `key_tokens` to be a list of str",
        ),
    ],
)
def test_plot_attention_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_attention(*args, **kwargs)
