"""Hand-written text vectorisation agrees with keras.layers.TextVectorization."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from grimoire.text import (
    OOV,
    PAD,
    build_vocabulary,
    encode,
    idf_weights,
    multi_hot,
    ngram_vocabulary,
    ngrams,
    standardize,
    tf_idf,
    tokenize,
)

CORPUS = [
    "The movie was GREAT, great fun!",
    "A dull movie; the plot was dull... and the acting, worse.",
    "I didn't like it: the END was a let-down.",
    "Great acting, a great plot (and a great cast).",
    "Café crème, naïve fun: ÉCLAIR",
]


def test_standardize_lowercases_ascii_and_strips_punctuation():
    assert standardize("Hello, World! It's 9:30.") == "hello world its 930"


def test_tokenize_matches_text_vectorization():
    layer = keras.layers.TextVectorization(output_mode="int")
    layer.adapt(CORPUS)
    for text in CORPUS:
        ids = [i for i in layer([text]).numpy()[0] if i]
        words = [layer.get_vocabulary()[i] for i in ids]
        assert words == tokenize(text)


@pytest.mark.parametrize("max_tokens", [None, 8])
def test_build_vocabulary_and_encode_match_text_vectorization(max_tokens):
    layer = keras.layers.TextVectorization(max_tokens=max_tokens, output_mode="int")
    layer.adapt(CORPUS)
    vocabulary = build_vocabulary(CORPUS, max_tokens=max_tokens)
    assert vocabulary[:2] == [PAD, OOV]
    assert vocabulary == [str(token) for token in layer.get_vocabulary()]
    probe = "the great unknown movie was dull"
    assert encode(probe, vocabulary) == layer([probe]).numpy()[0].tolist()


def test_multi_hot_matches_text_vectorization():
    vocabulary = build_vocabulary(CORPUS)
    layer = keras.layers.TextVectorization(
        output_mode="multi_hot", vocabulary=vocabulary[2:]
    )
    ours = multi_hot([encode(text, vocabulary) for text in CORPUS], len(vocabulary))
    # Keras's multi-hot layout has no padding slot: its index 0 is [UNK].
    assert np.array_equal(ours[:, 1:], layer(CORPUS).numpy())


def test_ngrams():
    assert ngrams(["a", "b", "c"], 1) == ["a", "b", "c"]
    assert ngrams(["a", "b", "c"], 3) == ["a b c"]
    assert ngrams(["a"], 2) == []


@pytest.mark.parametrize("max_tokens, n", [(12, 2), (40, 2), (500, 3), (7, 1)])
def test_ngram_vocabulary_equals_adapt(max_tokens, n):
    layer = keras.layers.TextVectorization(
        max_tokens=max_tokens, ngrams=n, output_mode="multi_hot"
    )
    layer.adapt(CORPUS)
    expected = [str(token) for token in layer.get_vocabulary()[1:]]
    assert ngram_vocabulary(CORPUS, max_tokens, ngrams=n) == expected


@pytest.mark.needs_data("imdb")
def test_ngram_vocabulary_equals_adapt_on_imdb_reviews():
    from grimoire.data import DataError, load_imdb

    try:
        texts, _ = load_imdb("test")
    except DataError as error:  # pragma: no cover - no mirror here
        pytest.skip(str(error))
    texts = texts[::50]  # 500 reviews of both classes
    layer = keras.layers.TextVectorization(
        max_tokens=2000, ngrams=2, output_mode="multi_hot"
    )
    layer.adapt(texts)
    expected = [str(token) for token in layer.get_vocabulary()[1:]]
    assert ngram_vocabulary(texts, 2000, ngrams=2) == expected


def test_idf_weights_match_tf_idf_adapt():
    vocabulary = ngram_vocabulary(CORPUS, 30)
    adapted = keras.layers.TextVectorization(
        max_tokens=30, ngrams=2, output_mode="tf_idf"
    )
    adapted.adapt(CORPUS)
    rows = keras.layers.TextVectorization(
        ngrams=2, output_mode="multi_hot", vocabulary=vocabulary, sparse=True
    )(CORPUS)
    weights = idf_weights(rows)
    ours = keras.layers.TextVectorization(
        ngrams=2, output_mode="tf_idf", vocabulary=vocabulary, idf_weights=weights
    )
    assert np.allclose(ours(CORPUS).numpy(), adapted(CORPUS).numpy(), atol=1e-6)
    assert np.allclose(idf_weights(tf.sparse.to_dense(rows).numpy()), weights)


@pytest.mark.parametrize("sparse", [False, True])
def test_tf_idf_matches_the_layer(sparse):
    vocabulary = ngram_vocabulary(CORPUS, 30)
    counts = keras.layers.TextVectorization(
        ngrams=2, output_mode="count", vocabulary=vocabulary, sparse=sparse
    )(CORPUS)
    multi = keras.layers.TextVectorization(
        ngrams=2, output_mode="multi_hot", vocabulary=vocabulary
    )(CORPUS)
    weights = idf_weights(multi.numpy())
    layer = keras.layers.TextVectorization(
        ngrams=2, output_mode="tf_idf", vocabulary=vocabulary, idf_weights=weights
    )
    ours = tf_idf(counts, weights)
    if sparse:
        assert isinstance(ours, tf.SparseTensor)
        ours = tf.sparse.to_dense(ours)
    assert np.allclose(np.asarray(ours), layer(CORPUS).numpy(), atol=1e-6)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: standardize(3), TypeError, "Expected `text` to be a str"),
        (lambda: tokenize(None), TypeError, "Expected `text` to be a str"),
        (lambda: ngrams("a b", 2), TypeError, "Expected `tokens` to be a list"),
        (lambda: ngrams(["a"], 0), ValueError, "Expected `n` to be an int >= 1"),
        (
            lambda: build_vocabulary("a text"),
            TypeError,
            "Expected `texts` to be a list of str",
        ),
        (
            lambda: build_vocabulary(["a", 3]),
            TypeError,
            r"Expected `texts\[i\]` to be a str",
        ),
        (
            lambda: build_vocabulary(["a"], max_tokens=2),
            ValueError,
            "Expected `max_tokens` to be an int >= 3",
        ),
        (
            lambda: encode("a", "a b"),
            TypeError,
            "Expected `vocabulary` to be a list of str",
        ),
        (
            lambda: multi_hot([[0, 5]], 5),
            ValueError,
            r"Expected token indices in \[0, 5\)",
        ),
        (
            lambda: multi_hot("ab", 3),
            TypeError,
            "Expected `sequences` to be a list",
        ),
        (
            lambda: multi_hot([[0]], 0),
            ValueError,
            "Expected `num_tokens` to be an int >= 1",
        ),
        (
            lambda: ngram_vocabulary(["a"], 1),
            ValueError,
            "Expected `max_tokens` to be an int >= 2",
        ),
        (
            lambda: ngram_vocabulary(["a"], 5, ngrams=0),
            ValueError,
            "Expected `ngrams` to be an int >= 1",
        ),
        (
            lambda: idf_weights(np.ones(4)),
            ValueError,
            r"Expected `multi_hot_rows` of shape \(n, num_tokens\)",
        ),
        (
            lambda: tf_idf(np.ones((2, 4)), [1.0, 2.0]),
            ValueError,
            "Expected 3 `weights`, one per token after column 0",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
