"""An encoder-decoder Transformer for translation (Vaswani et al., 2017).

The encoder reads the whole source sentence at once: token and position
embeddings, then blocks of self-attention and a position-wise feed-forward
network, each wrapped in a residual connection and layer normalisation. The
decoder reads the target sentence *shifted right* (it starts with a
``[start]`` token) and predicts, at each position, the next target token.
Each decoder block has three sub-layers:

1. **causal self-attention**: position ``t`` may look at target positions
   ``0 ... t`` only (:func:`causal_mask`), so that in training, where the
   whole target is given at once (*teacher forcing*), no position sees the
   token it has to predict;
2. **cross-attention**: the target positions ask the encoder's outputs for
   what they need (queries from the decoder, keys and values from the
   encoder), with the source's padding masked out;
3. the feed-forward network.

The attention itself is ``keras.layers.MultiHeadAttention``; the masks are
built here and passed to it explicitly, so that a test can show they are
used. Token id 0 is padding in both languages.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from grimoire.validation import check_type, keras_model, positive_int, unit_rate

__all__ = [
    "causal_mask",
    "PositionalEmbedding",
    "EncoderBlock",
    "DecoderBlock",
    "build_translator",
    "cross_attention_model",
]


def causal_mask(length):
    """The mask that lets position ``t`` attend to positions ``0 ... t`` only.

    Args:
        length: The sequence length, an int >= 1.

    Returns:
        A boolean tensor of shape ``(1, length, length)``: ``True`` where the
        query (row) may look at the key (column). The leading axis
        broadcasts over the batch.

    Raises:
        TypeError: If ``length`` is not an int.
        ValueError: If ``length`` < 1.

    Example:
        >>> print(ops.convert_to_numpy(causal_mask(4)[0]).astype(int))
        [[1 0 0 0]
         [1 1 0 0]
         [1 1 1 0]
         [1 1 1 1]]
    """
    length = positive_int("length", length)
    rows = ops.arange(length)[:, None]
    columns = ops.arange(length)[None, :]
    return ops.expand_dims(rows >= columns, 0)


def _checked(d_model, num_heads, ff_dim, dropout):
    d_model = positive_int("d_model", d_model)
    num_heads = positive_int("num_heads", num_heads)
    if d_model % num_heads:
        raise ValueError(
            "Expected `d_model` to be a multiple of `num_heads`. "
            f"Received: d_model={d_model}, num_heads={num_heads}"
        )
    return (
        d_model,
        num_heads,
        positive_int("ff_dim", ff_dim),
        unit_rate("dropout", dropout),
    )


class PositionalEmbedding(layers.Layer):
    """Token embedding plus a learned embedding of each position.

    Attention alone does not know the order of the tokens; adding a vector
    for each position (0, 1, 2, ...) gives it that information.

    Args:
        vocabulary_size: The number of token ids, an int >= 1.
        length: The longest sequence, an int >= 1.
        d_model: The embedding size, an int >= 1.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ...).

    Input shape:
        ``(batch_size, length)`` token ids.

    Output shape:
        ``(batch_size, length, d_model)``.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is < 1.

    Example:
        >>> embed = PositionalEmbedding(vocabulary_size=10, length=5, d_model=8)
        >>> tuple(embed(np.zeros((2, 5), dtype="int32")).shape)
        (2, 5, 8)
    """

    def __init__(self, vocabulary_size, length, d_model, **kwargs):
        super().__init__(**kwargs)
        self.vocabulary_size = positive_int("vocabulary_size", vocabulary_size)
        self.length = positive_int("length", length)
        self.d_model = positive_int("d_model", d_model)
        self.tokens = layers.Embedding(vocabulary_size, d_model)
        self.positions = layers.Embedding(length, d_model)

    def call(self, ids):
        positions = ops.arange(ops.shape(ids)[-1])
        return self.tokens(ids) + self.positions(positions)

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "length": self.length,
            "d_model": self.d_model,
        }


class EncoderBlock(layers.Layer):
    """Self-attention and a feed-forward network, each with residual and norm.

    Args:
        d_model: The model size, a multiple of ``num_heads``.
        num_heads: The number of attention heads.
        ff_dim: The hidden size of the feed-forward network.
        dropout: The dropout rate, in ``[0, 1)``.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ...).

    Call arguments:
        x: ``(batch_size, source_length, d_model)``.
        padding_mask: ``(batch_size, source_length)`` booleans, ``True`` for
            real tokens, or None.

    Raises:
        TypeError: If a size is not an int or ``dropout`` not a number.
        ValueError: If a size is < 1, ``d_model`` is not a multiple of
            ``num_heads``, or ``dropout`` is outside ``[0, 1)``.

    Example:
        >>> block = EncoderBlock(d_model=8, num_heads=2, ff_dim=16)
        >>> tuple(block(np.ones((2, 5, 8)), np.ones((2, 5), bool)).shape)
        (2, 5, 8)
    """

    def __init__(self, d_model, num_heads, ff_dim, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        d_model, num_heads, ff_dim, dropout = _checked(
            d_model, num_heads, ff_dim, dropout
        )
        self.config = dict(
            d_model=d_model, num_heads=num_heads, ff_dim=ff_dim, dropout=dropout
        )
        self.attention = layers.MultiHeadAttention(
            num_heads, d_model // num_heads, dropout=dropout
        )
        self.feed_forward = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(d_model)]
        )
        self.norm_1 = layers.LayerNormalization()
        self.norm_2 = layers.LayerNormalization()
        self.dropout = layers.Dropout(dropout)

    def call(self, x, padding_mask=None, training=False):
        mask = None if padding_mask is None else padding_mask[:, None, :]
        h = self.attention(x, x, attention_mask=mask, training=training)
        x = self.norm_1(x + self.dropout(h, training=training))
        h = self.feed_forward(x)
        return self.norm_2(x + self.dropout(h, training=training))

    def get_config(self):
        return {**super().get_config(), **self.config}


class DecoderBlock(layers.Layer):
    """Causal self-attention, cross-attention and a feed-forward network.

    Args:
        d_model: The model size, a multiple of ``num_heads``.
        num_heads: The number of attention heads.
        ff_dim: The hidden size of the feed-forward network.
        dropout: The dropout rate, in ``[0, 1)``.
        causal: Whether the self-attention is masked causally. Always True
            for a translator; False only to show what the mask prevents.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ...).

    Call arguments:
        x: The target embeddings, ``(batch_size, target_length, d_model)``.
        context: The encoder's outputs, shaped
            ``(batch_size, source_length, d_model)``.
        context_mask: ``(batch_size, source_length)`` booleans, ``True`` for
            real source tokens, or None.

    Call returns:
        ``(outputs, cross_attention_scores)``: the new target
        representations, shaped like ``x``, and the cross-attention weights,
        ``(batch_size, num_heads, target_length, source_length)``.

    Raises:
        TypeError: If a size is not an int, ``dropout`` not a number or
            ``causal`` not a bool.
        ValueError: If a size is < 1, ``d_model`` is not a multiple of
            ``num_heads``, or ``dropout`` is outside ``[0, 1)``.

    Example:
        >>> block = DecoderBlock(d_model=8, num_heads=2, ff_dim=16)
        >>> out, scores = block(np.ones((2, 4, 8)), np.ones((2, 6, 8)))
        >>> tuple(out.shape), tuple(scores.shape)
        ((2, 4, 8), (2, 2, 4, 6))
    """

    def __init__(self, d_model, num_heads, ff_dim, dropout=0.0, causal=True, **kwargs):
        super().__init__(**kwargs)
        d_model, num_heads, ff_dim, dropout = _checked(
            d_model, num_heads, ff_dim, dropout
        )
        self.causal = check_type("causal", causal, bool)
        self.config = dict(
            d_model=d_model,
            num_heads=num_heads,
            ff_dim=ff_dim,
            dropout=dropout,
            causal=causal,
        )
        key_dim = d_model // num_heads
        self.self_attention = layers.MultiHeadAttention(
            num_heads, key_dim, dropout=dropout
        )
        self.cross_attention = layers.MultiHeadAttention(
            num_heads, key_dim, dropout=dropout
        )
        self.feed_forward = keras.Sequential(
            [layers.Dense(ff_dim, activation="relu"), layers.Dense(d_model)]
        )
        self.norms = [layers.LayerNormalization() for _ in range(3)]
        self.dropout = layers.Dropout(dropout)

    def call(self, x, context, context_mask=None, training=False):
        own = causal_mask(ops.shape(x)[1]) if self.causal else None
        h = self.self_attention(x, x, attention_mask=own, training=training)
        x = self.norms[0](x + self.dropout(h, training=training))
        mask = None if context_mask is None else context_mask[:, None, :]
        h, scores = self.cross_attention(
            x,
            context,
            attention_mask=mask,
            return_attention_scores=True,
            training=training,
        )
        x = self.norms[1](x + self.dropout(h, training=training))
        h = self.feed_forward(x)
        return self.norms[2](x + self.dropout(h, training=training)), scores

    def get_config(self):
        return {**super().get_config(), **self.config}


def build_translator(
    source_vocabulary_size,
    target_vocabulary_size,
    source_length,
    target_length,
    d_model=64,
    num_heads=4,
    ff_dim=128,
    num_layers=1,
    dropout=0.1,
    causal=True,
):
    """Build an encoder-decoder Transformer that predicts next-token logits.

    Args:
        source_vocabulary_size: The number of source token ids.
        target_vocabulary_size: The number of target token ids.
        source_length: The source sequence length.
        target_length: The decoder's sequence length.
        d_model: The model size, a multiple of ``num_heads``.
        num_heads: The number of attention heads.
        ff_dim: The hidden size of the feed-forward networks.
        num_layers: The number of encoder blocks and of decoder blocks.
        dropout: The dropout rate, in ``[0, 1)``.
        causal: Whether the decoder's self-attention is causal (see
            :class:`DecoderBlock`).

    Returns:
        A ``keras.Model`` with two inputs, ``source`` of shape
        ``(batch, source_length)`` and ``target`` of shape
        ``(batch, target_length)`` (int ids, 0 for padding), and
        output the logits ``(batch, target_length, target_vocabulary_size)``.
        Its decoder blocks are named ``decoder_1 ...``.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is < 1 or ``dropout`` is outside ``[0, 1)``.

    Example:
        >>> model = build_translator(20, 30, source_length=7, target_length=9)
        >>> [tuple(t.shape) for t in model.inputs], tuple(model.output.shape)
        ([(None, 7), (None, 9)], (None, 9, 30))
    """
    num_layers = positive_int("num_layers", num_layers)
    sizes = (d_model, num_heads, ff_dim, dropout)
    source = keras.Input((source_length,), dtype="int32", name="source")
    target = keras.Input((target_length,), dtype="int32", name="target")
    source_mask = ops.not_equal(source, 0)
    x = PositionalEmbedding(
        source_vocabulary_size, source_length, d_model, name="source_embedding"
    )(source)
    for i in range(num_layers):
        x = EncoderBlock(*sizes, name=f"encoder_{i + 1}")(x, source_mask)
    y = PositionalEmbedding(
        target_vocabulary_size, target_length, d_model, name="target_embedding"
    )(target)
    for i in range(num_layers):
        block = DecoderBlock(*sizes, causal=causal, name=f"decoder_{i + 1}")
        y, _ = block(y, x, source_mask)
    logits = layers.Dense(target_vocabulary_size, name="logits")(y)
    return keras.Model({"source": source, "target": target}, logits)


def cross_attention_model(model, block=None):
    """A model that returns the cross-attention weights of one decoder block.

    Args:
        model: A model made by :func:`build_translator`.
        block: The block's name (default: the last decoder block).

    Returns:
        A ``keras.Model`` with the same inputs, sharing the weights, whose
        output is ``(batch, num_heads, target_length, source_length)``.

    Raises:
        TypeError: If ``model`` is not a keras.Model.
        ValueError: If the model has no such block.

    Example:
        >>> model = build_translator(20, 30, source_length=7, target_length=9)
        >>> tuple(cross_attention_model(model).output.shape)
        (None, 4, 9, 7)
    """
    keras_model("model", model)
    names = tuple(layer.name for layer in model.layers if "decoder_" in layer.name)
    if block is None and names:
        block = names[-1]
    check_type("block", block, str)
    if block not in names:
        raise ValueError(
            f"Expected `block` to be one of {names}. Received: block={block!r}"
        )
    return keras.Model(model.inputs, model.get_layer(block).output[1])
