"""Word vectors learned from unlabelled text: skip-gram with negative sampling.

Words that occur in similar contexts tend to mean similar things. The
skip-gram model (Mikolov et al., 2013) turns this into a training task that
needs no labels: from each word of a text (the *target*), predict the words
around it (its *contexts*, within a window). With *negative sampling*, the
task becomes binary: for a true (target, context) pair and a few random
"negative" words drawn from the corpus, score ``dot(v_target, u_word)`` high
for the true context and low for the negatives. The target vectors ``v``
are the word vectors.

Two more tricks from the paper keep it fast: frequent words ("the", "and")
are *subsampled*, each occurrence kept with probability ``sqrt(t / f)``
for a word of frequency ``f`` above the threshold ``t``; and negatives are
drawn with probability proportional to ``count ** 0.75``, which gives rare
words a little more weight than their frequency.

:func:`build_pooled_classifier` is a small sentiment classifier that averages
the vectors of a review's words, with the vectors frozen or learned.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from grimoire.validation import (
    check_scalar,
    check_type,
    positive_float,
    positive_int,
    unit_rate,
)

__all__ = [
    "keep_probabilities",
    "skipgram_pairs",
    "add_negatives",
    "build_skipgram",
    "nearest_neighbours",
    "build_pooled_classifier",
]


def _sequences(sequences):
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        return list(sequences)
    return check_type("sequences", sequences, (list, tuple), expected="a list")


def keep_probabilities(counts, threshold=1e-4):
    """The probability of keeping each occurrence of each word when subsampling.

    Args:
        counts: The number of occurrences of each token index in the corpus.
        threshold: ``t``: words with a frequency below it are always kept.

    Returns:
        A float array like ``counts``: ``min(1, sqrt(t / f))``, and 0 for
        tokens that never occur.

    Raises:
        ValueError: If ``threshold`` is not > 0.

    Example:
        >>> counts = np.array([0, 9000, 900, 90, 10])
        >>> keep_probabilities(counts, threshold=0.01).round(3).tolist()
        [0.0, 0.105, 0.333, 1.0, 1.0]
    """
    threshold = positive_float("threshold", threshold)
    counts = np.asarray(counts, dtype="float64")
    frequency = counts / max(counts.sum(), 1.0)
    with np.errstate(divide="ignore"):
        keep = np.sqrt(threshold / frequency)
    return np.where(counts > 0, np.minimum(keep, 1.0), 0.0)


def skipgram_pairs(sequences, window=2, keep=None, seed=0):
    """Every (target, context) pair of token indices within a window.

    Indices 0 (padding) and 1 (out of vocabulary) are dropped first; with
    ``keep``, each remaining occurrence is then kept at random with its
    word's probability, so the window reaches further past frequent words.
    Pairs never cross from one text into another.

    Args:
        sequences: A list of 1-D int arrays, or a 2-D padded array.
        window: How many words on each side count as context.
        keep: An array of keep probabilities per index (see
            :func:`keep_probabilities`), or None to keep every word.
        seed: The seed of the subsampling.

    Returns:
        ``(targets, contexts)``: two int64 arrays of the same length.

    Raises:
        TypeError: If ``sequences`` is not a list or a 2-D array.
        ValueError: If ``window`` < 1.

    Example:
        >>> targets, contexts = skipgram_pairs([np.array([5, 6, 7, 0, 0])])
        >>> list(zip(targets.tolist(), contexts.tolist()))
        [(5, 6), (6, 7), (6, 5), (7, 6), (5, 7), (7, 5)]
    """
    sequences = _sequences(sequences)
    window = positive_int("window", window)
    seed = check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    tokens, documents = [], []
    for number, sequence in enumerate(sequences):
        sequence = np.asarray(sequence, dtype="int64").ravel()
        sequence = sequence[sequence > 1]
        if keep is not None:
            sequence = sequence[rng.random(len(sequence)) < keep[sequence]]
        tokens.append(sequence)
        documents.append(np.full(len(sequence), number))
    tokens = np.concatenate(tokens) if tokens else np.zeros(0, "int64")
    documents = np.concatenate(documents) if documents else np.zeros(0, "int64")
    targets, contexts = [], []
    for offset in range(1, window + 1):
        same = documents[offset:] == documents[:-offset]
        left, right = tokens[:-offset][same], tokens[offset:][same]
        targets += [left, right]
        contexts += [right, left]
    return np.concatenate(targets), np.concatenate(contexts)


def add_negatives(targets, contexts, counts, negatives=4, power=0.75, seed=0):
    """Add random negative words to each pair, for negative sampling.

    Args:
        targets: The target index of each pair.
        contexts: The true context index of each pair.
        counts: Occurrences of each token index, for the sampling weights
            ``count ** power``.
        negatives: How many negative words per pair.
        power: The exponent of the sampling weights.
        seed: The seed of the draw.

    Returns:
        ``((targets, words), labels)``: ``words`` has shape
        ``(n, 1 + negatives)``, the true context first, then the negatives;
        ``labels`` is 1 for the context and 0 for the negatives, float32.

    Raises:
        ValueError: If the lengths differ, ``negatives`` < 1 or ``power``
            is negative.

    Example:
        >>> (t, words), labels = add_negatives(
        ...     np.array([2, 3]), np.array([3, 2]), np.array([0, 0, 5, 5, 5]))
        >>> t.shape, words.shape, labels[0].tolist()
        ((2,), (2, 5), [1.0, 0.0, 0.0, 0.0, 0.0])
    """
    targets = np.asarray(targets, dtype="int64")
    contexts = np.asarray(contexts, dtype="int64")
    if targets.shape != contexts.shape or targets.ndim != 1:
        raise ValueError(
            "Expected `targets` and `contexts` of the same shape (n,). "
            f"Received: {targets.shape} and {contexts.shape}"
        )
    negatives = positive_int("negatives", negatives)
    power = check_scalar("power", power, float, min_value=0)
    seed = check_scalar("seed", seed, int, min_value=0)
    weights = np.asarray(counts, dtype="float64") ** power
    weights[np.asarray(counts) == 0] = 0.0
    rng = np.random.default_rng(seed)
    drawn = rng.choice(
        len(weights), size=(len(targets), negatives), p=weights / weights.sum()
    )
    words = np.concatenate([contexts[:, None], drawn], axis=1)
    labels = np.zeros(words.shape, dtype="float32")
    labels[:, 0] = 1.0
    return (targets, words), labels


def build_skipgram(vocab_size, embedding_dim=64, negatives=4, learning_rate=0.01):
    """The skip-gram model: a dot product of target and word vectors, compiled.

    Args:
        vocab_size: The number of token indices.
        embedding_dim: The length of the word vectors.
        negatives: Negative words per pair (the second input has
            ``1 + negatives`` columns).
        learning_rate: Adam's learning rate.

    Returns:
        A ``keras.Model`` from ``[targets (n,), words (n, 1 + negatives)]``
        to logits ``(n, 1 + negatives)``, compiled with binary cross-entropy
        on logits. Its layer ``target_embedding`` holds the word vectors.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is < 1 or ``learning_rate`` is not > 0.

    Example:
        >>> model = build_skipgram(100, embedding_dim=8, negatives=3)
        >>> model([np.array([4, 5]), np.array([[6, 7, 8, 9], [1, 2, 3, 4]])]).shape
        TensorShape([2, 4])
    """
    vocab_size = positive_int("vocab_size", vocab_size)
    embedding_dim = positive_int("embedding_dim", embedding_dim)
    negatives = positive_int("negatives", negatives)
    learning_rate = positive_float("learning_rate", learning_rate)
    target = keras.Input(shape=(), dtype="int64", name="target")
    words = keras.Input(shape=(1 + negatives,), dtype="int64", name="words")
    v = layers.Embedding(vocab_size, embedding_dim, name="target_embedding")(target)
    u = layers.Embedding(vocab_size, embedding_dim, name="context_embedding")(words)
    logits = layers.Dot(axes=(2, 1))([u, v])  # (n, 1 + negatives)
    model = keras.Model([target, words], logits)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return model


def nearest_neighbours(vectors, vocabulary, word, k=5):
    """The ``k`` words whose vectors have the highest cosine with ``word``'s.

    Args:
        vectors: A ``(vocab_size, dim)`` array of word vectors.
        vocabulary: The token of each row.
        word: The query word, which must be in ``vocabulary``.
        k: How many neighbours.

    Returns:
        A list of ``(word, cosine)`` pairs, most similar first, the query
        itself and indices 0 and 1 (padding, unknown) left out.

    Raises:
        ValueError: If ``word`` is not in the vocabulary, ``k`` < 1 or the
            shapes do not match.

    Example:
        >>> vectors = np.array([[0, 0], [0, 0], [1, 0], [0.9, 0.1], [0, 1.0]])
        >>> vocabulary = ["", "[UNK]", "good", "great", "table"]
        >>> pairs = nearest_neighbours(vectors, vocabulary, "good", k=2)
        >>> [(word, round(cosine, 3)) for word, cosine in pairs]
        [('great', 0.994), ('table', 0.0)]
    """
    vectors = np.asarray(vectors, dtype="float64")
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    vocabulary = list(vocabulary)
    check_type("word", word, str)
    k = positive_int("k", k)
    if vectors.ndim != 2 or len(vectors) != len(vocabulary):
        raise ValueError(
            "Expected `vectors` of shape (len(vocabulary), dim). "
            f"Received: vectors.shape={vectors.shape}, {len(vocabulary)} words"
        )
    if word not in vocabulary:
        raise ValueError(f"Expected `word` to be in the vocabulary. Received: {word!r}")
    norms = np.linalg.norm(vectors, axis=1)
    unit = vectors / np.where(norms > 0, norms, 1.0)[:, None]
    query = vocabulary.index(word)
    cosines = unit @ unit[query]
    cosines[[0, 1, query][: min(3, len(cosines))]] = -np.inf
    best = np.argsort(-cosines, kind="stable")[:k]
    return [(vocabulary[i], float(cosines[i])) for i in best if cosines[i] > -np.inf]


def build_pooled_classifier(vocab_size, embedding_dim=64, embeddings=None, dropout=0.3):
    """Average a review's word vectors, normalise, then one sigmoid unit; compiled.

    The average is layer-normalised (each review's averaged vector is
    rescaled to zero mean and unit variance across its features), so that
    the sigmoid unit trains quickly whatever the scale of the vectors.

    Args:
        vocab_size: The number of token indices (index 0 is the padding, masked
            out of the average).
        embedding_dim: The length of the word vectors.
        embeddings: A ``(vocab_size, embedding_dim)`` array to use frozen, or
            None to learn the vectors from scratch.
        dropout: The dropout rate on the average.

    Returns:
        A ``keras.Model`` compiled with Adam, binary cross-entropy and
        accuracy; its ``embedding`` layer is frozen when ``embeddings`` is given.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is < 1, ``dropout`` is not in ``[0, 1)`` or
            ``embeddings`` has the wrong shape.

    Example:
        >>> model = build_pooled_classifier(50, 4, embeddings=np.ones((50, 4)))
        >>> model(np.array([[3, 4, 0]])).shape, model.get_layer("embedding").trainable
        (TensorShape([1, 1]), False)
    """
    vocab_size = positive_int("vocab_size", vocab_size)
    embedding_dim = positive_int("embedding_dim", embedding_dim)
    dropout = unit_rate("dropout", dropout)
    initializer, trainable = "uniform", True
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype="float32")
        if embeddings.shape != (vocab_size, embedding_dim):
            raise ValueError(
                f"Expected `embeddings` of shape {(vocab_size, embedding_dim)}. "
                f"Received: embeddings.shape={embeddings.shape}"
            )
        initializer, trainable = keras.initializers.Constant(embeddings), False
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(
        vocab_size,
        embedding_dim,
        mask_zero=True,
        embeddings_initializer=initializer,
        trainable=trainable,
        name="embedding",
    )(inputs)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.LayerNormalization()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(0.003),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
