"""Skip-gram pairs, negative sampling, and word vectors that learn."""

import keras
import numpy as np
import pytest

from grimoire.word_vectors import (
    add_negatives,
    build_pooled_classifier,
    build_skipgram,
    keep_probabilities,
    nearest_neighbours,
    skipgram_pairs,
)


def test_pairs_stay_within_the_window_and_the_text():
    sequences = [np.array([2, 3, 4, 5]), np.array([6, 7, 0, 0])]
    targets, contexts = skipgram_pairs(sequences, window=2)
    pairs = set(zip(targets.tolist(), contexts.tolist()))
    expected = {(2, 3), (3, 4), (4, 5), (2, 4), (3, 5), (6, 7)}
    expected |= {(b, a) for a, b in expected}
    assert pairs == expected
    assert len(targets) == len(expected)  # each pair once


def test_pairs_skip_padding_and_unknown_words():
    targets, contexts = skipgram_pairs(np.array([[2, 1, 3, 0, 0]]), window=1)
    assert sorted(zip(targets.tolist(), contexts.tolist())) == [(2, 3), (3, 2)]


def test_subsampling_drops_frequent_words():
    sequences = [np.array([2, 3] * 50 + [2] * 800)]
    counts = np.bincount(sequences[0], minlength=4)
    keep = keep_probabilities(counts, threshold=0.01)  # 0.105 and 0.316
    targets, _ = skipgram_pairs(sequences, window=1, keep=keep, seed=0)
    assert 0.6 < np.mean(targets == 2) < 0.82  # 0.9 before subsampling


def test_keep_probabilities():
    keep = keep_probabilities(np.array([0, 50, 50]), threshold=0.125)
    assert keep.tolist() == [0.0, 0.5, 0.5]


def test_negatives_follow_the_smoothed_counts():
    counts = np.array([0, 0, 1000, 10, 0])
    (targets, words), labels = add_negatives(
        np.full(4000, 2), np.full(4000, 3), counts, negatives=5, power=0.75
    )
    drawn = words[:, 1:].ravel()
    assert set(np.unique(drawn)) == {2, 3}  # never a word of count 0
    share = np.mean(drawn == 3)
    expected = 10**0.75 / (10**0.75 + 1000**0.75)
    assert share == pytest.approx(expected, abs=0.01)
    assert labels.shape == (4000, 6) and labels.sum() == 4000
    assert (words[:, 0] == 3).all() and (targets == 2).all()


def test_skipgram_learns_which_words_go_together():
    """Two topics that never mix: their words end up in separate clusters."""
    rng = np.random.default_rng(0)
    topic_a, topic_b = np.arange(2, 8), np.arange(8, 14)
    sequences = [rng.choice(topic_a if i % 2 else topic_b, 12) for i in range(400)]
    counts = np.bincount(np.concatenate(sequences), minlength=14)
    targets, contexts = skipgram_pairs(sequences, window=2)
    (t, words), labels = add_negatives(targets, contexts, counts, negatives=4)
    keras.utils.set_random_seed(0)
    model = build_skipgram(14, embedding_dim=8, negatives=4, learning_rate=0.02)
    model.fit([t, words], labels, batch_size=256, epochs=3, verbose=0)
    vectors = model.get_layer("target_embedding").get_weights()[0]
    vocabulary = [str(i) for i in range(14)]
    neighbours = [int(w) for w, _ in nearest_neighbours(vectors, vocabulary, "2", 5)]
    assert set(neighbours) == set(topic_a[1:])


def test_nearest_neighbours_leave_out_the_word_and_special_tokens():
    vectors = np.array([[1.0, 0], [1.0, 0], [1.0, 0], [1.0, 0.1], [0, 1.0]])
    result = nearest_neighbours(vectors, ["", "[UNK]", "a", "b", "c"], "a", k=5)
    assert [word for word, _ in result] == ["b", "c"]


@pytest.mark.slow
def test_pooled_classifier_frozen_or_learned():
    vectors = np.random.default_rng(0).normal(size=(30, 4)).astype("float32")
    keras.utils.set_random_seed(0)
    frozen = build_pooled_classifier(30, 4, embeddings=vectors)
    learned = build_pooled_classifier(30, 4)
    x, y = np.array([[2, 3, 0, 0], [4, 5, 6, 0]]), np.array([0, 1])
    before = learned.get_layer("embedding").get_weights()[0].copy()
    for model in (frozen, learned):
        model.fit(x, y, epochs=2, verbose=0)
    assert np.array_equal(frozen.get_layer("embedding").get_weights()[0], vectors)
    assert not np.array_equal(learned.get_layer("embedding").get_weights()[0], before)
    # The average is masked: padding does not change the prediction.
    longer = np.array([[2, 3, 0, 0, 0, 0, 0, 0]])
    assert np.allclose(frozen(x[:1]).numpy(), frozen(longer).numpy(), atol=1e-6)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: keep_probabilities([1, 2], threshold=0),
            ValueError,
            "Expected `threshold` to be a float > 0",
        ),
        (
            lambda: skipgram_pairs("2 3 4"),
            TypeError,
            "Expected `sequences` to be a list",
        ),
        (
            lambda: skipgram_pairs([np.array([2, 3])], seed=-1),
            ValueError,
            "Expected `seed` to be an int >= 0",
        ),
        (
            lambda: add_negatives([1], [2], [1, 1, 1], seed="0"),
            TypeError,
            "Expected `seed` to be an int",
        ),
        (
            lambda: nearest_neighbours(np.ones((2, 2)), "ab", "a"),
            TypeError,
            "Expected `vocabulary` to be a list of str",
        ),
        (
            lambda: nearest_neighbours(np.ones((2, 2)), ["a", "b"], 3),
            TypeError,
            "Expected `word` to be a str",
        ),
        (
            lambda: skipgram_pairs([np.array([2, 3])], window=0),
            ValueError,
            "Expected `window` to be an int >= 1",
        ),
        (
            lambda: add_negatives([1, 2], [3], [1, 1, 1, 1]),
            ValueError,
            "Expected `targets` and `contexts` of the same shape",
        ),
        (
            lambda: add_negatives([1], [2], [1, 1, 1], negatives=0),
            ValueError,
            "Expected `negatives` to be an int >= 1",
        ),
        (
            lambda: add_negatives([1], [2], [1, 1, 1], power=-1),
            ValueError,
            "Expected `power` to be a float >= 0",
        ),
        (
            lambda: build_skipgram(10, learning_rate=0),
            ValueError,
            "Expected `learning_rate` to be a float > 0",
        ),
        (
            lambda: build_skipgram(10, embedding_dim=2.5),
            TypeError,
            "Expected `embedding_dim` to be an int",
        ),
        (
            lambda: nearest_neighbours(np.ones((2, 2)), ["a", "b"], "c"),
            ValueError,
            "Expected `word` to be in the vocabulary",
        ),
        (
            lambda: nearest_neighbours(np.ones((3, 2)), ["a", "b"], "a"),
            ValueError,
            r"Expected `vectors` of shape \(len\(vocabulary\), dim\)",
        ),
        (
            lambda: nearest_neighbours(np.ones((2, 2)), ["a", "b"], "a", k=0),
            ValueError,
            "Expected `k` to be an int >= 1",
        ),
        (
            lambda: build_pooled_classifier(10, 4, embeddings=np.ones((10, 3))),
            ValueError,
            r"Expected `embeddings` of shape \(10, 4\)",
        ),
        (
            lambda: build_pooled_classifier(10, dropout=-0.1),
            ValueError,
            r"Expected `dropout` to be a float in \[0, 1\)",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
