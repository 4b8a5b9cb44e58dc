"""Word vectors from counts: PPMI and a truncated SVD; analogies.

The skip-gram model of :mod:`grimoire.word_vectors` learns word vectors by
gradient descent on (word, context) pairs. The same pairs can be counted
instead: :func:`ppmi_matrix` turns the counts into the positive pointwise
mutual information of each (word, context), and :func:`svd_vectors`
compresses each word's row to a short vector by a truncated, randomised
singular value decomposition. Levy and Goldberg (2014) showed that
skip-gram with negative sampling implicitly factorises a shifted PMI
matrix, so the two are close relatives. :func:`analogy` asks such vectors
"a is to b as c is to ?".
"""

from __future__ import annotations

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = ["ppmi_matrix", "svd_vectors", "analogy"]


def ppmi_matrix(targets, contexts, vocab_size, power=0.75):
    """Positive pointwise mutual information of (word, context) pairs.

    ``PMI(w, c) = log P(w, c) / (P(w) P(c))`` says how much more often ``c``
    occurs near ``w`` than chance would have it. Counts are taken from the
    pairs; the context probabilities use ``count ** power``, the smoothing of
    negative sampling, which stops rare contexts from dominating. Negative
    and undefined values (pairs never seen) become 0.

    Args:
        targets: The target index of each pair (as
            :func:`~grimoire.word_vectors.skipgram_pairs` makes them).
        contexts: The context index of each pair.
        vocab_size: The number of token indices.
        power: The exponent of the context counts.

    Returns:
        A float32 array of shape ``(vocab_size, vocab_size)``, a row per word.

    Raises:
        TypeError: If ``vocab_size`` is not an int or ``power`` not a number.
        ValueError: If the pairs differ in shape, an index is out of range,
            ``vocab_size`` < 1 or ``power`` < 0.

    Example:
        >>> targets, contexts = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
        >>> matrix = ppmi_matrix(targets, contexts, 3, power=1.0)
        >>> matrix.astype("float64").round(3).tolist()
        [[0.0, 0.693, 0.0], [0.693, 0.0, 0.693], [0.0, 0.693, 0.0]]
    """
    targets = np.asarray(targets, dtype="int64")
    contexts = np.asarray(contexts, dtype="int64")
    vocab_size = positive_int("vocab_size", vocab_size)
    power = check_scalar("power", power, float, min_value=0)
    if targets.shape != contexts.shape or targets.ndim != 1:
        raise ValueError(
            "Expected `targets` and `contexts` of the same shape (n,). "
            f"Received: {targets.shape} and {contexts.shape}"
        )
    if targets.size and (
        min(targets.min(), contexts.min()) < 0
        or max(targets.max(), contexts.max()) >= vocab_size
    ):
        raise ValueError(
            f"Expected indices in [0, {vocab_size}). Received: "
            f"{min(targets.min(), contexts.min())} to "
            f"{max(targets.max(), contexts.max())}"
        )
    counts = np.bincount(targets * vocab_size + contexts, minlength=vocab_size**2)
    seen = np.flatnonzero(counts)
    rows, columns = np.divmod(seen, vocab_size)
    word = np.bincount(targets, minlength=vocab_size)
    context = np.bincount(contexts, minlength=vocab_size) ** power
    pmi = (
        np.log(counts[seen] / len(targets))
        - np.log(word[rows] / len(targets))
        - np.log(context[columns] / context.sum())
    )
    matrix = np.zeros((vocab_size, vocab_size), dtype="float32")
    matrix[rows, columns] = np.maximum(pmi, 0.0)
    return matrix


def svd_vectors(matrix, dim, iterations=3, seed=0):
    """Rows of ``matrix`` as ``dim``-long vectors: a truncated, randomised SVD.

    With ``matrix ≈ U S Vᵀ`` keeping the ``dim`` largest singular values,
    the vectors are ``U √S``. The randomised method (Halko et al., 2011)
    multiplies the matrix by a few random directions, sharpens them by
    ``iterations`` further products, and decomposes the small result: it
    costs a few matrix products instead of a full decomposition.

    Args:
        matrix: An array of shape ``(n, m)``.
        dim: The length of the vectors, at most ``min(n, m)``.
        iterations: Power iterations (more: closer to the exact SVD).
        seed: The seed of the random directions.

    Returns:
        A float32 array of shape ``(n, dim)``; each column's sign is fixed
        so that its largest entry is positive.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``matrix`` is not 2-D, ``dim`` is out of range or
            ``iterations`` or ``seed`` is negative.

    Example:
        >>> matrix = np.diag([4.0, 1.0, 0.0])
        >>> svd_vectors(matrix, dim=2).round(3).tolist()
        [[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    """
    matrix = np.asarray(matrix, dtype="float32")
    if matrix.ndim != 2 or matrix.size == 0:
        raise ValueError(
            "Expected `matrix` to be a non-empty 2-D array. "
            f"Received: matrix.shape={matrix.shape}"
        )
    dim = check_scalar("dim", dim, int, min_value=1, max_value=min(matrix.shape))
    iterations = check_scalar("iterations", iterations, int, min_value=0)
    seed = check_scalar("seed", seed, int, min_value=0)
    width = min(dim + 16, min(matrix.shape))
    directions = np.random.default_rng(seed).standard_normal((matrix.shape[1], width))
    basis, _ = np.linalg.qr(matrix @ directions.astype("float32"))
    for _ in range(iterations):
        basis, _ = np.linalg.qr(matrix.T @ basis)
        basis, _ = np.linalg.qr(matrix @ basis)
    small_u, singular, _ = np.linalg.svd(basis.T @ matrix, full_matrices=False)
    vectors = (basis @ small_u[:, :dim]) * np.sqrt(singular[:dim])
    largest = np.abs(vectors).argmax(axis=0)
    vectors *= np.sign(vectors[largest, np.arange(dim)])
    return vectors.astype("float32")


def analogy(vectors, vocabulary, a, b, c, k=1):
    """Answer "``a`` is to ``b`` as ``c`` is to ?" by vector arithmetic.

    The answer is the word whose vector has the highest cosine with
    ``b - a + c`` (each of the three scaled to length 1 first), the three
    question words and indices 0 and 1 (padding, unknown) left out.

    Args:
        vectors: A ``(vocab_size, dim)`` array of word vectors.
        vocabulary: The token of each row.
        a: The first word of the known pair.
        b: The second word of the known pair.
        c: The first word of the question.
        k: How many answers, best first.

    Returns:
        A list of ``(word, cosine)`` pairs.

    Raises:
        TypeError: If ``vocabulary`` is not a list or ``k`` not an int.
        ValueError: If a word is not in the vocabulary, the shapes do not
            match or ``k`` < 1.

    Example:
        >>> vectors = np.array([[0, 0], [0, 0], [1, 0], [1, 1], [0, 1.0], [-1, 1]])
        >>> words = ["", "[UNK]", "man", "king", "woman", "queen"]
        >>> [(w, round(s, 3)) for w, s in analogy(vectors, words, "man", "king",
        ...                                       "woman")]
        [('queen', 0.816)]
    """
    vectors = np.asarray(vectors, dtype="float64")
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    k = positive_int("k", k)
    if vectors.ndim != 2 or len(vectors) != len(vocabulary):
        raise ValueError(
            "Expected `vectors` of shape (len(vocabulary), dim). "
            f"Received: vectors.shape={vectors.shape}, {len(vocabulary)} words"
        )
    index = {word: i for i, word in enumerate(vocabulary)}
    for name, word in (("a", a), ("b", b), ("c", c)):
        check_type(name, word, str)
        if word not in index:
            raise ValueError(
                f"Expected `{name}` to be in the vocabulary. Received: {word!r}"
            )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    query = unit[index[b]] - unit[index[a]] + unit[index[c]]
    cosines = unit @ query / max(np.linalg.norm(query), 1e-12)
    cosines[[0, 1, index[a], index[b], index[c]]] = -np.inf
    best = np.argsort(-cosines, kind="stable")[:k]
    return [(vocabulary[i], float(cosines[i])) for i in best if cosines[i] > -np.inf]
