"""The Transformer encoder in Keras: the block, positions, masks, a classifier.

A **Transformer encoder block** (Vaswani et al., 2017) turns a sequence of
vectors into a sequence of vectors of the same shape, in two sub-layers:

1. multi-head **self-attention**: every position gathers information from
   every other (``keras.layers.MultiHeadAttention``; the same computation
   is written out in :mod:`grimoire.attention`);
2. a **position-wise feed-forward network**: two dense layers applied to
   each position alone.

Each sub-layer is wrapped in a **residual connection** (its input is added
to its output) and followed by **layer normalisation**.

Attention compares vectors, not places: permute the tokens and the outputs
are permuted the same way. :class:`PositionalEmbedding` adds a learned
vector for each position, so that order can matter. Padding (token id 0)
must not take part: :class:`TransformerEncoder` turns the Keras mask it
receives into the ``attention_mask`` of its attention layer, and
:func:`padding_effect` measures whether padding leaks into the outputs.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from grimoire.validation import (
    check_scalar,
    check_type,
    keras_model,
    model_layer,
    positive_float,
    positive_int,
    unit_rate,
)

__all__ = [
    "PositionalEmbedding",
    "TransformerEncoder",
    "build_encoder_classifier",
    "padding_effect",
    "attention_weights",
    "plot_attention",
]


class PositionalEmbedding(layers.Layer):
    """Token embedding plus a learned embedding of each position.

    The vector of the token at position ``i`` is the sum of a vector learned
    for the token and one learned for the position ``i``. Token id 0 is
    padding: the layer emits a mask, ``True`` for real tokens, which the
    following layers receive (as ``Embedding(mask_zero=True)`` does).

    Args:
        sequence_length: The longest sequence the layer accepts.
        vocab_size: The number of token ids.
        embed_dim: The length of the vectors.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Input shape:
        ``(batch_size, length)`` int token ids, ``length <= sequence_length``.

    Output shape:
        ``(batch_size, length, embed_dim)``.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is < 1.

    Example:
        >>> embed = PositionalEmbedding(sequence_length=6, vocab_size=10, embed_dim=4)
        >>> ids = np.array([[3, 5, 5, 0, 0]])
        >>> vectors = embed(ids)
        >>> tuple(vectors.shape), embed.compute_mask(ids).numpy().tolist()
        ((1, 5, 4), [[True, True, True, False, False]])
        >>> bool(np.allclose(vectors[0, 1], vectors[0, 2]))  # same token, new place
        False
    """

    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.sequence_length = positive_int("sequence_length", sequence_length)
        self.vocab_size = positive_int("vocab_size", vocab_size)
        self.embed_dim = positive_int("embed_dim", embed_dim)
        self.token_embeddings = layers.Embedding(vocab_size, embed_dim)
        self.position_embeddings = layers.Embedding(sequence_length, embed_dim)

    def call(self, inputs):
        positions = ops.arange(ops.shape(inputs)[-1])
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "vocab_size": self.vocab_size,
            "embed_dim": self.embed_dim,
        }


class TransformerEncoder(layers.Layer):
    """Self-attention and a feed-forward network, each with a residual and a norm.

    The Keras mask of the input (from ``Embedding(mask_zero=True)`` or
    :class:`PositionalEmbedding`), or a ``mask`` passed by hand, becomes the
    attention mask: no position attends to padding. The mask is passed on to
    the next layers.

    Args:
        embed_dim: The length of the vectors, a multiple of ``num_heads``.
        num_heads: The number of attention heads; each works on vectors of
            length ``embed_dim // num_heads``.
        ff_dim: The hidden units of the feed-forward network.
        dropout: The dropout rate on each sub-layer's output, in ``[0, 1)``.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ``dtype``).

    Input shape:
        ``(batch_size, length, embed_dim)``, and optionally a boolean
        ``mask`` of shape ``(batch_size, length)``, ``True`` for real tokens.

    Output shape:
        ``(batch_size, length, embed_dim)``.

    Raises:
        TypeError: If a size is not an int or ``dropout`` not a number.
        ValueError: If a size is < 1, ``embed_dim`` is not a multiple of
            ``num_heads`` or ``dropout`` is not in ``[0, 1)``.

    Example:
        >>> block = TransformerEncoder(embed_dim=8, num_heads=2, ff_dim=16)
        >>> x = np.random.default_rng(0).normal(size=(2, 5, 8))
        >>> mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
        >>> tuple(block(x, mask=mask).shape), block.count_params()
        ((2, 5, 8), 600)
    """

    def __init__(self, embed_dim, num_heads, ff_dim, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = positive_int("embed_dim", embed_dim)
        self.num_heads = positive_int("num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(
                "Expected `embed_dim` to be a multiple of `num_heads`. "
                f"Received: embed_dim={embed_dim}, num_heads={num_heads}"
            )
        self.ff_dim = positive_int("ff_dim", ff_dim)
        self.dropout = unit_rate("dropout", dropout)
        self.attention = layers.MultiHeadAttention(num_heads, embed_dim // num_heads)
        self.feed_forward = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.norm_1 = layers.LayerNormalization()
        self.norm_2 = layers.LayerNormalization()
        self.dropout_1 = layers.Dropout(dropout)
        self.dropout_2 = layers.Dropout(dropout)
        self.supports_masking = True

    def call(self, inputs, mask=None, training=None):
        attention_mask = None if mask is None else ops.expand_dims(mask, axis=1)
        attended = self.attention(
            inputs, inputs, attention_mask=attention_mask, training=training
        )
        x = self.norm_1(inputs + self.dropout_1(attended, training=training))
        transformed = self.feed_forward(x)
        return self.norm_2(x + self.dropout_2(transformed, training=training))

    def get_config(self):
        return {
            **super().get_config(),
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "ff_dim": self.ff_dim,
            "dropout": self.dropout,
        }


def build_encoder_classifier(
    vocab_size,
    sequence_length,
    embed_dim=32,
    num_heads=2,
    ff_dim=32,
    num_blocks=1,
    positional=True,
    dropout=0.1,
    learning_rate=1e-3,
    decay_steps=None,
):
    """A Transformer encoder that classifies token sequences, compiled.

    Token ids (0 is padding) are embedded, with :class:`PositionalEmbedding`
    or, if ``positional`` is False, a plain ``Embedding(mask_zero=True)``;
    ``num_blocks`` :class:`TransformerEncoder` blocks follow; the vectors of
    the real tokens are averaged (the mask reaches the pooling) and a
    sigmoid unit gives the probability of the positive class.

    Args:
        vocab_size: The number of token ids.
        sequence_length: The longest input sequence.
        embed_dim: The length of the vectors.
        num_heads: Attention heads per block.
        ff_dim: Hidden units of each feed-forward network.
        num_blocks: The number of encoder blocks.
        positional: Whether to add position embeddings.
        dropout: The dropout rate in the blocks and before the output.
        learning_rate: The learning rate of the Adam optimizer (its peak, if
            ``decay_steps`` is given).
        decay_steps: If an int, the learning rate falls from
            ``learning_rate`` to 0 along a cosine over that many steps; if
            None, it stays constant.

    Returns:
        A ``keras.Model`` from ``(batch_size, length)`` int ids to
        ``(batch_size, 1)`` probabilities, compiled with Adam, binary
        cross-entropy and accuracy. Its layers are named ``embedding``,
        ``encoder_1`` ... ``encoder_<num_blocks>``, ``pooling`` and
        ``output``.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is < 1, ``embed_dim`` is not a multiple of
            ``num_heads``, ``dropout`` is not in ``[0, 1)`` or
            ``learning_rate`` is not > 0.

    Example:
        >>> model = build_encoder_classifier(100, sequence_length=10, embed_dim=8)
        >>> model(np.array([[5, 7, 2, 0, 0]])).shape, model.count_params()
        (TensorShape([1, 1]), 1761)
        >>> [layer.name for layer in model.layers[1:]]
        ['embedding', 'encoder_1', 'pooling', 'dropout', 'output']
    """
    vocab_size = positive_int("vocab_size", vocab_size)
    sequence_length = positive_int("sequence_length", sequence_length)
    num_blocks = positive_int("num_blocks", num_blocks)
    check_type("positional", positional, bool)
    dropout = unit_rate("dropout", dropout)
    learning_rate = positive_float("learning_rate", learning_rate)
    embed_dim = positive_int("embed_dim", embed_dim)
    inputs = keras.Input(shape=(None,), dtype="int64", name="tokens")
    embed = (
        PositionalEmbedding(sequence_length, vocab_size, embed_dim, name="embedding")
        if positional
        else layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding")
    )
    x = embed(inputs)
    for index in range(1, num_blocks + 1):
        name = f"encoder_{index}"
        x = TransformerEncoder(embed_dim, num_heads, ff_dim, dropout, name=name)(x)
    x = layers.GlobalAveragePooling1D(name="pooling")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="output")(x)
    model = keras.Model(inputs, outputs)
    if decay_steps is not None:
        decay_steps = positive_int("decay_steps", decay_steps)
        learning_rate = keras.optimizers.schedules.CosineDecay(
            learning_rate, decay_steps
        )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def padding_effect(layer, inputs, mask, use_mask=True, seed=0):
    """How much the outputs at real positions move when the padding changes.

    The padded positions of ``inputs`` (where ``mask`` is False) are
    replaced by random vectors; the layer is called on both versions, with
    the mask or without it, and the largest change of an output at a real
    position is returned. A layer whose mask reaches its attention gives 0
    (up to rounding); one that drops the mask does not.

    Args:
        layer: A layer called as ``layer(x, mask=mask)``, such as
            :class:`TransformerEncoder`.
        inputs: ``(batch_size, length, dim)`` floats.
        mask: ``(batch_size, length)`` booleans, ``True`` for real positions.
        use_mask: Whether to pass ``mask`` to the layer.
        seed: Seed of the random vectors put in the padding.

    Returns:
        The largest absolute change, a float.

    Raises:
        TypeError: If ``layer`` is not a Keras layer, or ``use_mask`` or
            ``seed`` has the wrong type.
        ValueError: If the shapes of ``inputs`` and ``mask`` do not match.

    Example:
        >>> block = TransformerEncoder(embed_dim=8, num_heads=2, ff_dim=16)
        >>> x = np.random.default_rng(0).normal(size=(1, 6, 8))
        >>> mask = np.array([[True, True, True, True, False, False]])
        >>> padding_effect(block, x, mask) < 1e-6
        True
        >>> padding_effect(block, x, mask, use_mask=False) > 0.01
        True
    """
    check_type("layer", layer, layers.Layer, expected="a keras.layers.Layer")
    check_type("use_mask", use_mask, bool)
    rng = np.random.default_rng(check_scalar("seed", seed, int, min_value=0))
    inputs = np.asarray(inputs, dtype="float32")
    mask = np.asarray(mask, dtype=bool)
    if inputs.ndim != 3 or inputs.shape[:2] != mask.shape:
        raise ValueError(
            "Expected `inputs` of shape (batch_size, length, dim) and `mask` of "
            f"shape (batch_size, length). Received: inputs.shape={inputs.shape}, "
            f"mask.shape={mask.shape}"
        )
    noise = 3 * rng.standard_normal(inputs.shape).astype("float32")
    changed = np.where(mask[..., None], inputs, noise)
    kwargs = {"mask": mask} if use_mask else {}
    before = ops.convert_to_numpy(layer(inputs, **kwargs))
    after = ops.convert_to_numpy(layer(changed, **kwargs))
    return float(np.abs(after - before)[mask].max())


def attention_weights(model, ids, block="encoder_1"):
    """The attention weights of one encoder block of a model, for one sequence.

    Args:
        model: A model made by :func:`build_encoder_classifier`.
        ids: One sequence of token ids, ``(length,)``; zeros are padding.
        block: The name of the :class:`TransformerEncoder` layer.

    Returns:
        A float array ``(num_heads, length, length)``: row ``i`` of head
        ``h`` holds the weights with which position ``i`` attends to each
        position. Padding gets 0, in its columns (no token attends to it)
        and in its rows (Keras zeroes the weights of a padded query).

    Raises:
        TypeError: If ``model`` is not a Keras model or ``block`` not a str.
        ValueError: If ``block`` is not a layer of the model, or is not a
            :class:`TransformerEncoder`, or ``ids`` is not 1-D.

    Example:
        >>> model = build_encoder_classifier(100, sequence_length=10, embed_dim=8)
        >>> weights = attention_weights(model, np.array([5, 7, 2, 0, 0]))
        >>> weights.shape, weights.sum(axis=-1)[0].round(3).tolist()
        ((2, 5, 5), [1.0, 1.0, 1.0, 0.0, 0.0])
        >>> float(weights[:, :, 3:].max())
        0.0
    """
    keras_model("model", model)
    check_type("block", block, str)
    encoder = model_layer(model, block)
    if not isinstance(encoder, TransformerEncoder):
        raise ValueError(
            f"Expected `block` to name a TransformerEncoder. Received: {block!r}, "
            f"a {type(encoder).__name__}"
        )
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"Expected 1-D `ids`. Received: ids.shape={ids.shape}")
    x = ids[None]
    for layer in model.layers[1 : model.layers.index(encoder)]:
        x = layer(x)  # the Keras mask rides along with x
    mask = ops.expand_dims(ids[None] != 0, axis=1)
    _, scores = encoder.attention(
        x, x, attention_mask=mask, return_attention_scores=True
    )
    return ops.convert_to_numpy(scores)[0]


def plot_attention(weights, tokens, ax=None, key_tokens=None):
    """Draw attention weights as a heatmap: queries down, keys across.

    In self-attention the queries and the keys are the same tokens; in the
    cross-attention of a translator the queries are the target tokens being
    written and the keys the source tokens, given as ``key_tokens``.

    Args:
        weights: A ``(len(tokens), len(key_tokens))`` array: row ``i`` holds
            the weights with which query token ``i`` attends to each key.
        tokens: The query tokens, as strings (and the keys too, when
            ``key_tokens`` is None).
        ax: The axes to draw into; created if None.
        key_tokens: The key tokens, as strings, when they differ from
            ``tokens``.

    Returns:
        The axes; its image is ``ax.images[0]`` (for a colour bar).

    Raises:
        TypeError: If ``tokens`` or ``key_tokens`` is not a list or tuple, or
            ``ax`` not matplotlib Axes.
        ValueError: If the shape of ``weights`` does not match the tokens.

    Example:
        >>> ax = plot_attention(np.eye(3), ["a", "good", "film"])
        >>> ax.get_xlabel(), [label.get_text() for label in ax.get_yticklabels()]
        ('attended token (key)', ['a', 'good', 'film'])
        >>> ax = plot_attention(np.eye(2), ["deux", "chat"], key_tokens=["two", "cat"])
        >>> [label.get_text() for label in ax.get_xticklabels()]
        ['two', 'cat']
    """
    import matplotlib.axes
    import matplotlib.pyplot as plt

    check_type("tokens", tokens, (list, tuple), expected="a list of str")
    if key_tokens is None:
        key_tokens = tokens
    check_type("key_tokens", key_tokens, (list, tuple), expected="a list of str")
    if ax is not None:
        check_type("ax", ax, matplotlib.axes.Axes, expected="matplotlib Axes")
    weights = np.asarray(weights, dtype="float64")
    shape = (len(tokens), len(key_tokens))
    if weights.shape != shape:
        raise ValueError(
            f"Expected `weights` of shape {shape}, a row per query token and a "
            f"column per key token. Received: weights.shape={weights.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 0.3 * shape[1], 1.2 + 0.3 * shape[0]))
    ax.imshow(weights, cmap="Blues", vmin=0)
    ax.set_xticks(np.arange(shape[1]), key_tokens, rotation=90)
    ax.set_yticks(np.arange(shape[0]), tokens)
    ax.set(xlabel="attended token (key)", ylabel="attending token (query)")
    return ax
