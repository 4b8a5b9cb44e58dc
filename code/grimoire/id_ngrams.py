"""Bags of words and bigrams made from token ids, not from strings.

A sequence model reads a fixed window of each text, say its last 200
tokens. To compare it fairly with a bag-of-bigrams model, the bag should be
made from the same 200 tokens. Counting n-grams of strings again would mean
cutting and re-tokenising every text; the token ids are already there, and
a bigram of ids ``(a, b)`` is just the integer ``a * vocab_size + b``.

- :func:`id_ngram_vocabulary` keeps the most frequent unigrams and bigrams
  of the training sequences (ranked by count, as ``TextVectorization``
  ranks n-grams);
- :func:`id_ngram_multi_hot` turns sequences into multi-hot rows over that
  vocabulary, as a ``tf.SparseTensor``.

Id 0 is padding and never counted; id 1 (out of vocabulary) counts as a
unigram, but a bigram with it in is dropped (it would pair a word with
"some rare word").
"""

from __future__ import annotations

import numpy as np

from grimoire.validation import check_scalar, positive_int

__all__ = ["id_ngram_codes", "id_ngram_vocabulary", "id_ngram_multi_hot"]


def _sequences(ids):
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            "Expected `ids` to be a 2-D array of int token ids. "
            f"Received: ids.shape={ids.shape}, dtype={ids.dtype}"
        )
    return ids.astype("int64")


def id_ngram_codes(ids, vocab_size):
    """The unigram and bigram codes of each sequence, with their row numbers.

    A unigram ``a`` has the code ``a``; a bigram ``(a, b)`` has the code
    ``a * vocab_size + b``, which is at least ``2 * vocab_size`` (both ids
    are >= 2), so the two kinds never collide.

    Args:
        ids: ``(n, length)`` int token ids; 0 is padding, 1 is unknown.
        vocab_size: The number of ids, larger than any id in ``ids``.

    Returns:
        ``(rows, codes)``: two int64 arrays of the same length, the row of
        each occurrence and its code.

    Raises:
        TypeError: If ``vocab_size`` is not an int.
        ValueError: If ``ids`` is not a 2-D int array, or an id is not in
            ``[0, vocab_size)``.

    Example:
        >>> rows, codes = id_ngram_codes(np.array([[5, 1, 7, 8, 0]]), 10)
        >>> codes.tolist()  # 5, 1, 7, 8, then the bigram (7, 8)
        [5, 1, 7, 8, 78]
    """
    ids = _sequences(ids)
    vocab_size = check_scalar("vocab_size", vocab_size, int, min_value=2)
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"Expected ids in [0, {vocab_size}). "
            f"Received: ids from {ids.min()} to {ids.max()}"
        )
    rows = np.broadcast_to(np.arange(len(ids))[:, None], ids.shape)
    real = ids > 0
    first, second = ids[:, :-1], ids[:, 1:]
    pairs = (first > 1) & (second > 1)
    codes = np.concatenate([ids[real], (first * vocab_size + second)[pairs]])
    return np.concatenate([rows[real], rows[:, 1:][pairs]]), codes


def id_ngram_vocabulary(ids, vocab_size, max_tokens=20000):
    """The most frequent unigram and bigram codes of training sequences.

    Args:
        ids: ``(n, length)`` int token ids; 0 is padding, 1 is unknown.
        vocab_size: The number of ids, larger than any id in ``ids``.
        max_tokens: How many codes to keep.

    Returns:
        An int64 array of at most ``max_tokens`` codes, the most frequent
        first (ties broken by the smaller code).

    Raises:
        TypeError: If a size is not an int.
        ValueError: If ``ids`` is not a 2-D int array or a size is out of
            range.

    Example:
        >>> ids = np.array([[5, 6, 7, 0], [5, 6, 2, 0]])
        >>> id_ngram_vocabulary(ids, 10, max_tokens=3).tolist()  # 5, 6, "5 6"
        [5, 6, 56]
    """
    max_tokens = positive_int("max_tokens", max_tokens)
    _, codes = id_ngram_codes(ids, vocab_size)
    unique, counts = np.unique(codes, return_counts=True)
    order = np.lexsort((unique, -counts))[:max_tokens]
    return unique[order]


def id_ngram_multi_hot(ids, vocab_size, vocabulary):
    """Multi-hot rows of the unigrams and bigrams of each sequence.

    Args:
        ids: ``(n, length)`` int token ids; 0 is padding, 1 is unknown.
        vocab_size: The number of ids, larger than any id in ``ids``.
        vocabulary: The codes to count, as :func:`id_ngram_vocabulary`
            returns; column ``j`` of the result is ``vocabulary[j]``.

    Returns:
        A float32 ``tf.SparseTensor`` of shape ``(n, len(vocabulary))``:
        1 where a sequence contains the unigram or bigram, nothing stored
        elsewhere.

    Raises:
        TypeError: If ``vocab_size`` is not an int.
        ValueError: If ``ids`` is not a 2-D int array or ``vocabulary`` is
            not a non-empty 1-D array of distinct
            codes.

    Example:
        >>> ids = np.array([[5, 6, 7, 0], [5, 6, 2, 0]])
        >>> vocabulary = id_ngram_vocabulary(ids, 10, max_tokens=3)
        >>> rows = id_ngram_multi_hot(np.array([[6, 5, 6, 0]]), 10, vocabulary)
        >>> rows.shape, rows.indices.numpy().tolist()
        (TensorShape([1, 3]), [[0, 0], [0, 1], [0, 2]])
    """
    import tensorflow as tf

    vocabulary = np.asarray(vocabulary, dtype="int64")
    distinct = len(np.unique(vocabulary)) == len(vocabulary) > 0
    if vocabulary.ndim != 1 or not distinct:
        raise ValueError(
            "Expected `vocabulary` to be a non-empty 1-D array of distinct codes. "
            f"Received: vocabulary.shape={vocabulary.shape}"
        )
    rows, codes = id_ngram_codes(ids, vocab_size)
    order = np.argsort(vocabulary)
    position = np.searchsorted(vocabulary[order], codes)
    position = np.minimum(position, len(vocabulary) - 1)
    known = vocabulary[order][position] == codes
    cells = np.sort(rows[known] * len(vocabulary) + order[position[known]])
    cells = cells[np.concatenate([[True], cells[1:] != cells[:-1]])]  # distinct
    indices = np.stack(np.divmod(cells, len(vocabulary)), axis=1)
    shape = (len(np.asarray(ids)), len(vocabulary))
    values = np.ones(len(indices), dtype="float32")
    return tf.SparseTensor(indices, values, shape)
