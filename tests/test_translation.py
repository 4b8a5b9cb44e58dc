"""Tests of grimoire.translation: number phrases, tokens, decoding, scores."""

import keras
import numpy as np
import pytest
from keras import ops

from grimoire.translation import (
    END,
    PAD,
    START,
    UNK,
    build_vocabulary,
    decode_ids,
    encode,
    exact_match,
    greedy_decode,
    join_tokens,
    load_spa_eng,
    number_pairs,
    split_tokens,
    teacher_forcing,
)


def test_number_pairs_french_grammar():
    pairs = dict(number_pairs([21, 71, 80, 81, 97, 200, 1001]))
    assert pairs["twenty-one"] == "vingt et un"
    assert pairs["seventy-one"] == "soixante et onze"
    assert pairs["eighty"] == "quatre-vingts"
    assert pairs["eighty-one"] == "quatre-vingt-un"
    assert pairs["ninety-seven"] == "quatre-vingt-dix-sept"
    assert pairs["two hundred"] == "deux cents"
    assert pairs["one thousand and one"] == "mille un"
    assert number_pairs([np.int64(3)], lang="es") == [("three", "tres")]


@pytest.mark.parametrize(
    "numbers, lang, error, match",
    [
        ([-1], "fr", ValueError, r"Expected `numbers\[i\]` to be an int >= 0"),
        ([1.5], "fr", TypeError, r"Expected `numbers\[i\]` to be an int"),
        ([1], 3, TypeError, r"Expected `lang` to be a str. Received: lang=3"),
    ],
)
def test_number_pairs_errors(numbers, lang, error, match):
    with pytest.raises(error, match=match):
        number_pairs(numbers, lang=lang)


def test_split_tokens_keeps_punctuation():
    assert split_tokens("Quatre-vingt-dix") == ["quatre", "-", "vingt", "-", "dix"]
    assert split_tokens("I can't, really!") == [
        "i", "can", "'", "t", ",", "really", "!",
    ]  # fmt: skip
    assert split_tokens("¡Hola!  ") == ["¡", "hola", "!"]


def test_join_inverts_split_on_every_number_phrase():
    for english, french in number_pairs(range(0, 10000, 7)):
        assert join_tokens(split_tokens(english)) == english
        assert join_tokens(split_tokens(french)) == french


def test_token_errors():
    with pytest.raises(TypeError, match=r"Expected `text` to be a str"):
        split_tokens(["a"])
    with pytest.raises(TypeError, match=r"Expected `tokens` to be a list of str"):
        join_tokens("a b")


def test_build_vocabulary_layout():
    vocabulary = build_vocabulary([["b", "a"], ["a", "c", "b", "a"]])
    assert vocabulary == [PAD, UNK, START, END, "a", "b", "c"]
    assert build_vocabulary([["x", "y"]], max_tokens=5) == [PAD, UNK, START, END, "x"]
    # Special tokens found in the text are not indexed twice.
    assert build_vocabulary([["[end]", "x"]]) == [PAD, UNK, START, END, "x"]


@pytest.mark.parametrize(
    "token_lists, max_tokens, error, match",
    [
        ([["a"]], 4, ValueError, r"Expected `max_tokens` to be an int >= 5"),
        ([["a"]], "9", TypeError, r"Expected `max_tokens` to be an int"),
        ("a b", None, TypeError, r"Expected `token_lists` to be a list of token"),
        (["a b"], None, TypeError, r"Expected `token_lists\[i\]` to be a list"),
    ],
)
def test_build_vocabulary_errors(token_lists, max_tokens, error, match):
    with pytest.raises(error, match=match):
        build_vocabulary(token_lists, max_tokens=max_tokens)


def test_encode_pads_cuts_and_marks_unknown_tokens():
    vocabulary = build_vocabulary([["a", "b", "a"]])
    ids = encode([["a"], ["b", "q", "a", "b"]], vocabulary, 3)
    assert ids.dtype == np.int32
    assert ids.tolist() == [[4, 0, 0], [5, 1, 4]]
    with pytest.raises(ValueError, match=r"Expected `length` to be an int >= 1"):
        encode([["a"]], vocabulary, 0)
    with pytest.raises(TypeError, match=r"Expected `vocabulary` to be a list of str"):
        encode([["a"]], "ab", 2)


def test_teacher_forcing_shifts_by_one():
    vocabulary = build_vocabulary([["a", "b", "c"]])
    inputs, targets = teacher_forcing([["a", "b", "c"], ["c"]], vocabulary, 5)
    assert inputs[:, 0].tolist() == [2, 2]  # every input starts with [start]
    shifted = targets[:, :-1] != 3  # the input is the target, one step late
    np.testing.assert_array_equal(inputs[:, 1:][shifted], targets[:, :-1][shifted])
    assert not (inputs == 3).any()  # [end] is never an input
    assert targets.tolist() == [[4, 5, 6, 3, 0], [6, 3, 0, 0, 0]]
    with pytest.raises(ValueError, match=r"Expected `length` to be an int >= 1"):
        teacher_forcing([["a"]], vocabulary, 0)


def test_decode_ids_stops_at_end():
    vocabulary = build_vocabulary([["a", "b"]])
    assert decode_ids(np.array([[2, 4, 3, 5], [0, 0, 0, 0]]), vocabulary) == [
        ["a"],
        [],
    ]
    with pytest.raises(TypeError, match=r"Expected `vocabulary` to be a list"):
        decode_ids(np.zeros((1, 2), int), None)


def _chain_model(table, source_length=2, target_length=4, vocabulary_size=6):
    """A model whose next token is ``table[current token]``: no learning."""
    source = keras.Input((source_length,), dtype="int32", name="source")
    target = keras.Input((target_length,), dtype="int32", name="target")
    table = np.asarray(table, "int32")
    logits = keras.layers.Lambda(
        lambda t: 10.0 * ops.one_hot(ops.take(table, t), vocabulary_size),
        output_shape=(target_length, vocabulary_size),
    )(target)
    return keras.Model({"source": source, "target": target}, logits)


def test_greedy_decode_feeds_back_its_own_choices():
    vocabulary = build_vocabulary([["a", "b"]])  # a = 4, b = 5
    # [start] -> a -> b -> [end]: each step reads the token chosen before.
    model = _chain_model([0, 0, 4, 0, 5, 3])
    tokens = greedy_decode(model, np.ones((5, 2), "int32"), vocabulary, batch_size=2)
    assert tokens == [["a", "b"]] * 5


def test_greedy_decode_pads_the_last_batch_and_keeps_every_sentence_apart():
    vocabulary = build_vocabulary([["a", "b"]])  # a = 4, b = 5
    source = keras.Input((2,), dtype="int32", name="source")
    target = keras.Input((4,), dtype="int32", name="target")
    # The next token is the first source id (a or b), then [end].
    first = ops.take(source, [0], axis=1)
    chosen = ops.where(ops.equal(target, 2), first, ops.full_like(target, 3))
    logits = keras.layers.Lambda(lambda t: 10.0 * ops.one_hot(t, 6))(chosen)
    model = keras.Model({"source": source, "target": target}, logits)
    sizes = []
    predict = model.predict_on_batch
    model.predict_on_batch = lambda x: sizes.append(len(x["source"])) or predict(x)
    ids = np.array([[4, 0], [5, 0], [5, 0], [4, 0], [5, 0]], "int32")
    tokens = greedy_decode(model, ids, vocabulary, batch_size=2)
    assert tokens == [["a"], ["b"], ["b"], ["a"], ["b"]]
    assert set(sizes) == {2}  # the last batch, of one, padded to two


def test_greedy_decode_stops_at_the_decoder_length():
    vocabulary = build_vocabulary([["a", "b"]])
    model = _chain_model([0, 0, 4, 0, 5, 4])  # a, b, a, b, ... never [end]
    assert greedy_decode(model, np.ones((1, 2), "int32"), vocabulary) == [
        ["a", "b", "a", "b"]
    ]


def test_greedy_decode_errors():
    vocabulary = build_vocabulary([["a"]])
    model = _chain_model([0, 0, 3, 0, 0, 0])
    with pytest.raises(TypeError, match=r"Expected `model` to be a keras.Model"):
        greedy_decode("model", np.ones((1, 2)), vocabulary)
    with pytest.raises(ValueError, match=r"Expected `batch_size` to be an int >= 1"):
        greedy_decode(model, np.ones((1, 2)), vocabulary, batch_size=0)
    with pytest.raises(TypeError, match=r"Expected `vocabulary` to be a list"):
        greedy_decode(model, np.ones((1, 2)), "abc")


def test_exact_match():
    assert exact_match([["a"], ["b"]], [["a"], ["c"]]) == 0.5
    assert exact_match(["x y", "z"], ["x y", "z"]) == 1.0
    with pytest.raises(ValueError, match=r"non-empty lists of the same length"):
        exact_match([["a"]], [])
    with pytest.raises(ValueError, match=r"Received: 0 predictions"):
        exact_match([], [])
    with pytest.raises(TypeError, match=r"Expected `predictions` to be a list"):
        exact_match("a", ["a"])


def test_load_spa_eng():
    pairs = load_spa_eng()
    assert len(pairs) == 118964
    assert pairs[0] == ("Go.", "Ve.")
    assert all(len(pair) == 2 and all(pair) for pair in pairs[::1000])
