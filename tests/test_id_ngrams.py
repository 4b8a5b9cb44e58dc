"""Bags of unigrams and bigrams of token ids, checked against plain counting."""

import collections

import numpy as np
import pytest
import tensorflow as tf

from grimoire.id_ngrams import id_ngram_codes, id_ngram_multi_hot, id_ngram_vocabulary

V = 30


def _random_ids(n=40, length=12, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, V, size=(n, length))
    for row, real in zip(ids, rng.integers(0, length + 1, size=n)):
        row[real:] = 0  # padding at the end
    return ids


def _grams(row):
    """The unigrams and bigrams of one row, by hand, as tuples."""
    tokens = [int(t) for t in row if t > 0]
    grams = [(t,) for t in tokens]
    grams += [(a, b) for a, b in zip(tokens, tokens[1:]) if a > 1 and b > 1]
    return grams


def _code(gram):
    return gram[0] if len(gram) == 1 else gram[0] * V + gram[1]


def test_codes_are_the_unigrams_and_bigrams_of_each_row():
    ids = _random_ids()
    rows, codes = id_ngram_codes(ids, V)
    for index, row in enumerate(ids):
        expected = sorted(_code(g) for g in _grams(row))
        assert sorted(codes[rows == index].tolist()) == expected


def test_bigrams_skip_padding_and_unknown_words():
    rows, codes = id_ngram_codes(np.array([[4, 1, 5, 6, 0, 0]]), 10)
    assert sorted(codes.tolist()) == [1, 4, 5, 6, 56]


def test_vocabulary_ranks_by_count_then_code():
    ids = _random_ids()
    counts = collections.Counter(_code(g) for row in ids for g in _grams(row))
    ranked = sorted(counts, key=lambda code: (-counts[code], code))
    assert id_ngram_vocabulary(ids, V, max_tokens=25).tolist() == ranked[:25]
    assert len(id_ngram_vocabulary(ids, V, max_tokens=10**6)) == len(counts)


def test_multi_hot_marks_what_each_row_contains():
    ids = _random_ids()
    vocabulary = id_ngram_vocabulary(ids[:20], V, max_tokens=40)
    rows = tf.sparse.to_dense(id_ngram_multi_hot(ids, V, vocabulary)).numpy()
    assert rows.shape == (len(ids), 40)
    for row, hot in zip(ids, rows):
        present = {_code(g) for g in _grams(row)}
        assert hot.tolist() == [float(code in present) for code in vocabulary]


def test_multi_hot_indices_are_in_canonical_order():
    ids = _random_ids()
    rows = id_ngram_multi_hot(ids, V, id_ngram_vocabulary(ids, V, max_tokens=50))
    indices = rows.indices.numpy()
    flat = indices[:, 0] * 50 + indices[:, 1]
    assert np.all(np.diff(flat) > 0)


def test_checks():
    with pytest.raises(ValueError, match="Expected `ids` to be a 2-D array"):
        id_ngram_codes(np.array([1, 2]), V)
    with pytest.raises(ValueError, match="Expected `ids` to be a 2-D array of int"):
        id_ngram_codes(np.ones((2, 2)), V)
    with pytest.raises(ValueError, match=r"Expected ids in \[0, 5\)"):
        id_ngram_codes(np.array([[1, 7]]), 5)
    with pytest.raises(ValueError, match="Expected `max_tokens` to be an int >= 1"):
        id_ngram_vocabulary(np.array([[1, 2]]), 5, max_tokens=0)
    with pytest.raises(ValueError, match="distinct codes"):
        id_ngram_multi_hot(np.array([[1, 2]]), 5, [2, 2])
    with pytest.raises(ValueError, match="non-empty"):
        id_ngram_multi_hot(np.array([[1, 2]]), 5, [])
