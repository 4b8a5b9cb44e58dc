"""Text to numbers: standardise, split, index and count.

A model reads numbers, so text goes through three steps first:

1. **standardisation**: lower-case the text and strip its punctuation, so that
   "Great!" and "great" become the same word;
2. **tokenisation**: split it into units, here words on whitespace, or
   *n-grams*, runs of ``n`` consecutive words;
3. **indexing**: give each token of a vocabulary an integer, learned from the
   training texts by counting (the most frequent tokens win).

The hand-written functions below do these steps the way
``keras.layers.TextVectorization`` does them by default, so that their results
can be compared with the layer's, index for index. :func:`ngram_vocabulary`
reproduces what ``TextVectorization.adapt`` learns, several times faster on
large corpora; :func:`idf_weights` and :func:`tf_idf` compute what its
``"tf_idf"`` mode gives, also for sparse rows (with ``sparse=True`` that mode
fails in Keras 3.15).
"""

from __future__ import annotations

import collections
import string

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "PAD",
    "OOV",
    "standardize",
    "tokenize",
    "ngrams",
    "build_vocabulary",
    "encode",
    "multi_hot",
    "ngram_vocabulary",
    "idf_weights",
    "tf_idf",
]

#: The padding token, index 0 of an integer vocabulary.
PAD = ""
#: The out-of-vocabulary token, index 1 of an integer vocabulary.
OOV = "[UNK]"

# ASCII upper case to lower case, and the 32 ASCII punctuation marks deleted:
# what TextVectorization's default "lower_and_strip_punctuation" does.
_STANDARDIZE = str.maketrans(
    string.ascii_uppercase, string.ascii_lowercase, string.punctuation
)
# The same steps as TensorFlow string operations (as TextVectorization runs them).
_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


def _texts(name, texts):
    texts = check_type(name, texts, (list, tuple), expected="a list of str")
    for text in texts:
        check_type(f"{name}[i]", text, str)
    return texts


def standardize(text):
    """Lower-case ASCII letters and delete ASCII punctuation.

    Args:
        text: A string.

    Returns:
        The standardised string.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> standardize("I didn't LIKE it... at all!")
        'i didnt like it at all'
    """
    return check_type("text", text, str).translate(_STANDARDIZE)


def tokenize(text):
    """Standardise a text and split it into words on whitespace.

    Args:
        text: A string.

    Returns:
        A list of words.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> tokenize("The cat sat.  The END")
        ['the', 'cat', 'sat', 'the', 'end']
    """
    return standardize(text).split()


def ngrams(tokens, n):
    """Return the runs of ``n`` consecutive tokens, each joined by a space.

    Args:
        tokens: A list of tokens.
        n: The length of each run, an int >= 1.

    Returns:
        A list of ``len(tokens) - n + 1`` strings (none if the text is shorter).

    Raises:
        TypeError: If ``tokens`` is not a list or ``n`` is not an int.
        ValueError: If ``n`` < 1.

    Example:
        >>> ngrams(["the", "cat", "sat"], 2)
        ['the cat', 'cat sat']
    """
    check_type("tokens", tokens, (list, tuple), expected="a list of str")
    n = positive_int("n", n)
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def build_vocabulary(texts, max_tokens=None):
    """Index the words of ``texts``, most frequent first.

    The layout is that of ``TextVectorization(output_mode="int")``: index 0
    is the padding token ``""``, index 1 the out-of-vocabulary token
    ``"[UNK]"``, then the words by decreasing count, ties broken by reverse
    alphabetical order (as Keras does, so that the two agree exactly).

    Args:
        texts: A list of strings.
        max_tokens: The size of the vocabulary, special tokens included, or
            None to keep every word.

    Returns:
        The vocabulary, a list of strings.

    Raises:
        TypeError: If ``texts`` is not a list of strings or ``max_tokens``
            not an int.
        ValueError: If ``max_tokens`` < 3.

    Example:
        >>> build_vocabulary(["The cat sat.", "The dog sat on the cat."])
        ['', '[UNK]', 'the', 'sat', 'cat', 'on', 'dog']
    """
    texts = _texts("texts", texts)
    if max_tokens is not None:
        max_tokens = check_scalar("max_tokens", max_tokens, int, min_value=3)
    counts = collections.Counter(word for text in texts for word in tokenize(text))
    ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
    words = [word for word, _ in ranked]
    if max_tokens is not None:
        words = words[: max_tokens - 2]
    return [PAD, OOV] + words


def encode(text, vocabulary):
    """Turn a text into the indices of its words; unknown words get index 1.

    Args:
        text: A string.
        vocabulary: A list of tokens laid out as :func:`build_vocabulary`
            makes it.

    Returns:
        A list of ints.

    Raises:
        TypeError: If ``text`` is not a string or ``vocabulary`` not a list.

    Example:
        >>> vocabulary = build_vocabulary(["The cat sat.", "The dog sat on the cat."])
        >>> encode("The bird sat on the cat", vocabulary)
        [2, 1, 3, 5, 2, 4]
    """
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    index = {token: i for i, token in enumerate(vocabulary)}
    return [index.get(word, 1) for word in tokenize(text)]


def multi_hot(sequences, num_tokens):
    """Turn lists of token indices into multi-hot rows: 1 where a token occurs.

    The order of the words and how often each occurs are lost: what is left
    is the *set* of words of each text, a bag of words.

    Args:
        sequences: A list of lists of ints in ``[0, num_tokens)``.
        num_tokens: The length of each row.

    Returns:
        A float32 array of shape ``(len(sequences), num_tokens)``.

    Raises:
        TypeError: If ``num_tokens`` is not an int.
        ValueError: If ``num_tokens`` < 1 or an index is out of range.

    Example:
        >>> multi_hot([[2, 1, 3, 2], [4]], num_tokens=5)
        array([[0., 1., 1., 1., 0.],
               [0., 0., 0., 0., 1.]], dtype=float32)
    """
    check_type("sequences", sequences, (list, tuple, np.ndarray), expected="a list")
    num_tokens = positive_int("num_tokens", num_tokens)
    rows = np.zeros((len(sequences), num_tokens), dtype="float32")
    for row, sequence in zip(rows, sequences):
        sequence = np.asarray(sequence, dtype="int64")
        if sequence.size and (sequence.min() < 0 or sequence.max() >= num_tokens):
            raise ValueError(
                f"Expected token indices in [0, {num_tokens}). "
                f"Received: indices from {sequence.min()} to {sequence.max()}"
            )
        row[sequence] = 1.0
    return rows


def ngram_vocabulary(texts, max_tokens, ngrams=2):
    """Learn the n-gram vocabulary that ``TextVectorization.adapt`` learns.

    ``TextVectorization(max_tokens=max_tokens, ngrams=ngrams)`` counts every
    n-gram of every text with a TensorFlow hash table of strings, which is
    slow for millions of n-grams. This function runs the same
    standardisation, split and n-gram operations, counts 62-bit hashes of
    the n-grams with NumPy instead, and ranks them the same way (count, then
    reverse alphabetical order). A collision of two hashes among the few
    million n-grams of a corpus has a probability below one in a million.

    Args:
        texts: A list of strings.
        max_tokens: The size of the layer's vocabulary, its ``"[UNK]"``
            token included.
        ngrams: The longest n-gram: all n-grams from 1 to ``ngrams`` words
            are counted.

    Returns:
        The ``max_tokens - 1`` most frequent n-grams (fewer if the texts
        have fewer), to pass as ``vocabulary=`` to ``TextVectorization``.

    Raises:
        TypeError: If ``texts`` is not a list of strings or an int argument
            is not an int.
        ValueError: If ``max_tokens`` < 2 or ``ngrams`` < 1.

    Example:
        >>> ngram_vocabulary(["The cat sat.", "The dog sat on the cat."], 6)
        ['the', 'the cat', 'sat', 'cat', 'the dog']
    """
    import tensorflow as tf

    texts = _texts("texts", texts)
    max_tokens = check_scalar("max_tokens", max_tokens, int, min_value=2)
    ngrams = positive_int("ngrams", ngrams)
    lowered = tf.strings.lower(tf.constant(texts, dtype=tf.string))
    words = tf.strings.split(tf.strings.regex_replace(lowered, _STRIP_REGEX, ""))
    grams = tf.strings.ngrams(words, tuple(range(1, ngrams + 1)), separator=" ")
    grams = grams.flat_values
    hashes = tf.strings.to_hash_bucket_fast(grams, 2**62).numpy()
    _, first, counts = np.unique(hashes, return_index=True, return_counts=True)
    keep = min(max_tokens - 1, len(counts))
    if keep == 0:
        return []
    threshold = np.partition(counts, -keep)[-keep]
    candidates = np.flatnonzero(counts >= threshold)
    tokens = tf.gather(grams, first[candidates]).numpy()
    order = np.lexsort((tokens, counts[candidates]))[::-1][:keep]
    return [token.decode("utf-8") for token in tokens[order]]


def idf_weights(multi_hot_rows):
    """Inverse document frequencies, as ``TextVectorization`` computes them.

    For a token found in ``df`` of ``n`` documents the weight is
    ``log(1 + n / (1 + df))``: large for rare tokens, small for tokens that
    occur everywhere. Pass the result as ``idf_weights=`` with the same
    vocabulary to ``TextVectorization(output_mode="tf_idf")``.

    Args:
        multi_hot_rows: The multi-hot rows of the training texts, shape
            ``(n, num_tokens)``, a NumPy array or a ``tf.SparseTensor``
            (column 0, the out-of-vocabulary token, is left out).

    Returns:
        A float32 array of length ``num_tokens - 1``.

    Raises:
        ValueError: If ``multi_hot_rows`` is not 2-D with at least 2 columns.

    Example:
        >>> rows = np.array([[0, 1, 1], [0, 1, 0], [0, 1, 0], [0, 1, 1]])
        >>> [round(float(weight), 3) for weight in idf_weights(rows)]
        [0.588, 0.847]
    """
    try:
        import tensorflow as tf

        sparse = isinstance(multi_hot_rows, tf.SparseTensor)
    except ImportError:  # pragma: no cover
        sparse = False
    if sparse:
        shape = tuple(int(size) for size in multi_hot_rows.dense_shape)
        columns = multi_hot_rows.indices.numpy()[:, 1]
        present = multi_hot_rows.values.numpy() > 0
        frequency = np.bincount(columns[present], minlength=shape[1])
    else:
        rows = np.asarray(multi_hot_rows)
        shape = rows.shape
        frequency = (rows > 0).sum(axis=0) if rows.ndim == 2 else None
    if len(shape) != 2 or shape[1] < 2:
        raise ValueError(
            "Expected `multi_hot_rows` of shape (n, num_tokens) with "
            f"num_tokens >= 2. Received: shape={shape}"
        )
    weights = np.log(1.0 + shape[0] / (1.0 + frequency[1:]))
    return weights.astype("float32")


def tf_idf(count_rows, weights):
    """Weigh token counts by inverse document frequencies: TF-IDF rows.

    Each count is multiplied by its token's weight; the out-of-vocabulary
    column 0 gets the mean weight, as ``TextVectorization`` gives it.

    Args:
        count_rows: Token counts of shape ``(n, num_tokens)``, from
            ``TextVectorization(output_mode="count")``: a NumPy array or a
            ``tf.SparseTensor``.
        weights: The ``num_tokens - 1`` weights of :func:`idf_weights`.

    Returns:
        Rows of the same kind and shape as ``count_rows``, float32.

    Raises:
        ValueError: If ``weights`` does not have ``num_tokens - 1`` values.

    Example:
        >>> counts = np.array([[1, 2, 0], [0, 1, 1]])
        >>> tf_idf(counts, np.array([0.5, 2.0]))
        array([[1.25, 1.  , 0.  ],
               [0.  , 0.5 , 2.  ]], dtype=float32)
    """
    weights = np.asarray(weights, dtype="float32").ravel()
    full = np.concatenate([[weights.mean() if weights.size else 0.0], weights])
    try:
        import tensorflow as tf

        sparse = isinstance(count_rows, tf.SparseTensor)
    except ImportError:  # pragma: no cover
        sparse = False
    width = int(count_rows.dense_shape[1]) if sparse else np.shape(count_rows)[-1]
    if width != len(full):
        raise ValueError(
            f"Expected {width - 1} `weights`, one per token after column 0. "
            f"Received: {len(weights)}"
        )
    full = full.astype("float32")
    if sparse:
        columns = count_rows.indices[:, 1]
        values = tf.cast(count_rows.values, "float32") * tf.gather(full, columns)
        return tf.SparseTensor(count_rows.indices, values, count_rows.dense_shape)
    return np.asarray(count_rows, dtype="float32") * full
