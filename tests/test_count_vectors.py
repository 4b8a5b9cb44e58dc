"""Word vectors from counts (PPMI and a truncated SVD), and analogies."""

import numpy as np
import pytest

from grimoire.count_vectors import analogy, ppmi_matrix, svd_vectors
from grimoire.word_vectors import skipgram_pairs


def _same_up_to_sign(a, b, atol):
    """Columns of ``a`` equal those of ``b``, each up to its sign."""
    signs = np.sign(np.sum(a * b, axis=0))
    return np.allclose(a, b * signs, atol=atol)


def test_ppmi_matches_the_formula():
    targets = np.array([2, 2, 2, 3, 3, 4, 4, 2])
    contexts = np.array([3, 3, 4, 2, 4, 2, 3, 2])
    power = 0.75
    matrix = ppmi_matrix(targets, contexts, 5, power=power)
    n = len(targets)
    word = np.bincount(targets, minlength=5)
    context = np.bincount(contexts, minlength=5) ** power
    for w in range(5):
        for c in range(5):
            joint = np.sum((targets == w) & (contexts == c))
            expected = 0.0
            if joint:
                pmi = np.log((joint / n) / (word[w] / n * context[c] / context.sum()))
                expected = max(pmi, 0.0)
            assert matrix[w, c] == pytest.approx(expected, abs=1e-6)
    assert matrix.dtype == np.float32


def test_svd_vectors_match_the_exact_decomposition():
    rng = np.random.default_rng(6)
    low_rank = rng.normal(size=(120, 8)) @ rng.normal(size=(8, 90))
    matrix = low_rank + 0.01 * rng.normal(size=(120, 90))
    u, s, _ = np.linalg.svd(matrix, full_matrices=False)
    exact = u[:, :5] * np.sqrt(s[:5])
    vectors = svd_vectors(matrix, dim=5, iterations=3, seed=0)
    assert vectors.shape == (120, 5) and vectors.dtype == np.float32
    assert _same_up_to_sign(vectors, exact, atol=1e-3)
    # Dot products of the vectors (U S U^T) do not depend on the signs.
    assert np.allclose(vectors @ vectors.T, exact @ exact.T, atol=1e-2)


def test_count_vectors_separate_two_topics():
    """Two topics that never mix: their words end up in separate directions."""
    rng = np.random.default_rng(7)
    topic_a, topic_b = np.arange(2, 8), np.arange(8, 14)
    sequences = [rng.choice(topic_a if i % 2 else topic_b, 12) for i in range(300)]
    targets, contexts = skipgram_pairs(sequences, window=2)
    vectors = svd_vectors(ppmi_matrix(targets, contexts, 14), dim=4)
    unit = vectors[2:] / np.linalg.norm(vectors[2:], axis=1, keepdims=True)
    cosines = unit @ unit.T
    same = cosines[:6, :6][~np.eye(6, dtype=bool)]
    across = cosines[:6, 6:]
    assert same.min() > across.max()


def test_analogy_by_offsets():
    rng = np.random.default_rng(8)
    base = rng.normal(size=(4, 20))  # four "things"
    direction = rng.normal(size=20) * 2.0  # "female"
    vectors = np.vstack([np.zeros((2, 20)), base, base + direction])
    vocabulary = ["", "[UNK]", "man", "king", "actor", "boy"]
    vocabulary += ["woman", "queen", "actress", "girl"]
    answers = analogy(vectors, vocabulary, "man", "woman", "king", k=3)
    assert answers[0][0] == "queen" and answers[0][1] > 0.9
    assert {"man", "woman", "king"}.isdisjoint(word for word, _ in answers)
    assert [
        word for word, _ in analogy(vectors, vocabulary, "boy", "girl", "actor")
    ] == ["actress"]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ppmi_matrix([1, 2], [1], 3),
            ValueError,
            "Expected `targets` and `contexts` of the same shape",
        ),
        (
            lambda: ppmi_matrix([1, 5], [1, 2], 3),
            ValueError,
            r"Expected indices in \[0, 3\)",
        ),
        (
            lambda: ppmi_matrix([1], [1], 3, power=-0.5),
            ValueError,
            "Expected `power` to be a float >= 0",
        ),
        (
            lambda: svd_vectors(np.ones(3), 1),
            ValueError,
            "Expected `matrix` to be a non-empty 2-D array",
        ),
        (
            lambda: svd_vectors(np.ones((3, 2)), 3),
            ValueError,
            r"Expected `dim` to be an int in \[1, 2\]",
        ),
        (
            lambda: svd_vectors(np.ones((3, 2)), 1, iterations=-1),
            ValueError,
            "Expected `iterations` to be an int >= 0",
        ),
        (
            lambda: svd_vectors(np.ones((3, 2)), 1, seed=-1),
            ValueError,
            "Expected `seed` to be an int >= 0",
        ),
        (
            lambda: analogy(np.ones((3, 2)), ["", "[UNK]", "a"], "a", "b", "a"),
            ValueError,
            "Expected `b` to be in the vocabulary",
        ),
        (
            lambda: analogy(np.ones((3, 2)), ["", "[UNK]"], "a", "a", "a"),
            ValueError,
            r"Expected `vectors` of shape \(len\(vocabulary\), dim\)",
        ),
        (
            lambda: analogy(np.ones((3, 2)), "abc", "a", "b", "c"),
            TypeError,
            "Expected `vocabulary` to be a list of str",
        ),
        (
            lambda: analogy(np.ones((3, 2)), ["", "[UNK]", "a"], "a", 3, "a"),
            TypeError,
            "Expected `b` to be a str",
        ),
        (
            lambda: analogy(np.ones((3, 2)), ["", "[UNK]", "a"], "a", "a", "a", k=0),
            ValueError,
            "Expected `k` to be an int >= 1",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
