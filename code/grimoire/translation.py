"""Data, tokens and decoding for sequence-to-sequence translation.

Two corpora: numbers written in words, English to French, made with
``num2words`` (French counts in twenties from 60 on: 71 is "soixante et
onze", sixty and eleven; 97 is "quatre-vingt-dix-sept", four twenties ten
seven), and the English-Spanish sentence pairs of the Tatoeba project.

The tokens keep punctuation: a hyphen, a comma or a question mark is a token
of its own, so "quatre-vingt-dix-sept" is seven tokens drawn from a small
vocabulary. Each vocabulary has the layout ``["", "[UNK]", "[start]",
"[end]", ...]``: index 0 pads, 1 stands for unknown tokens, and the decoder's
sequences begin with ``[start]`` and end with ``[end]``.
"""

from __future__ import annotations

import collections
import re

import numpy as np

from grimoire.validation import check_scalar, check_type, positive_int

__all__ = [
    "PAD",
    "UNK",
    "START",
    "END",
    "number_pairs",
    "split_tokens",
    "join_tokens",
    "build_vocabulary",
    "encode",
    "teacher_forcing",
    "load_spa_eng",
    "greedy_decode",
    "decode_ids",
    "exact_match",
]

#: Padding, index 0.
PAD = ""
#: The out-of-vocabulary token, index 1.
UNK = "[UNK]"
#: The first token of every decoder input, index 2.
START = "[start]"
#: The token that ends every target sentence, index 3.
END = "[end]"

_TOKEN = re.compile(r"\w+|[^\w\s]")


def _token_lists(name, token_lists):
    check_type(name, token_lists, (list, tuple), expected="a list of token lists")
    for tokens in token_lists:
        check_type(f"{name}[i]", tokens, (list, tuple), expected="a list of str")
    return token_lists


def number_pairs(numbers, lang="fr"):
    """Write each number in English words and in the words of ``lang``.

    Args:
        numbers: An iterable of non-negative ints.
        lang: A ``num2words`` language code, such as ``"fr"`` or ``"es"``.

    Returns:
        A list of ``(english, translation)`` string pairs.

    Raises:
        TypeError: If a number is not an int or ``lang`` not a str.
        ValueError: If a number is negative.

    Example:
        >>> for pair in number_pairs([71, 97, 1234]):
        ...     print(pair)
        ('seventy-one', 'soixante et onze')
        ('ninety-seven', 'quatre-vingt-dix-sept')
        ('one thousand, two hundred and thirty-four', 'mille deux cent trente-quatre')
    """
    from num2words import num2words

    check_type("lang", lang, str)
    numbers = [check_scalar("numbers[i]", n, int, min_value=0) for n in numbers]
    return [(num2words(n, lang="en"), num2words(n, lang=lang)) for n in numbers]


def split_tokens(text):
    """Lower-case a text and split it into words and punctuation marks.

    Every run of letters or digits is a token, and so is every other
    character that is not a space: hyphens, commas, apostrophes, question
    marks (Spanish ``¿`` too).

    Args:
        text: A string.

    Returns:
        A list of tokens.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> split_tokens("One thousand, seventy-one")
        ['one', 'thousand', ',', 'seventy', '-', 'one']
        >>> split_tokens("¿Dónde está?")
        ['¿', 'dónde', 'está', '?']
    """
    return _TOKEN.findall(check_type("text", text, str).lower())


def join_tokens(tokens):
    """Join tokens into text: no space around hyphens, none before ``, . ? !``.

    Args:
        tokens: A list of tokens, as :func:`split_tokens` makes them.

    Returns:
        A string.

    Raises:
        TypeError: If ``tokens`` is not a list.

    Example:
        >>> join_tokens(["quatre", "-", "vingt", "-", "dix", ",", "oui"])
        'quatre-vingt-dix, oui'
        >>> join_tokens(["¿", "dónde", "está", "?"])
        '¿dónde está?'
    """
    check_type("tokens", tokens, (list, tuple), expected="a list of str")
    text = " ".join(tokens)
    text = re.sub(r"\s*([-'])\s*", r"\1", text)
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    return re.sub(r"([¿¡])\s+", r"\1", text)


def build_vocabulary(token_lists, max_tokens=None):
    """Index the tokens of a corpus, most frequent first.

    Args:
        token_lists: A list of token lists.
        max_tokens: The vocabulary size, the four special tokens included,
            or None to keep every token.

    Returns:
        A list of strings, ``PAD, UNK, START, END`` first, then the tokens by
        decreasing count (ties in alphabetical order).

    Raises:
        TypeError: If ``token_lists`` is not a list of lists or
            ``max_tokens`` not an int.
        ValueError: If ``max_tokens`` < 5.

    Example:
        >>> build_vocabulary([["a", "b", "a"], ["c", "a", "b"]])
        ['', '[UNK]', '[start]', '[end]', 'a', 'b', 'c']
        >>> build_vocabulary([["a", "b", "a"], ["c", "a", "b"]], max_tokens=5)
        ['', '[UNK]', '[start]', '[end]', 'a']
    """
    _token_lists("token_lists", token_lists)
    if max_tokens is not None:
        max_tokens = check_scalar("max_tokens", max_tokens, int, min_value=5)
    counts = collections.Counter(t for tokens in token_lists for t in tokens)
    ranked = sorted(counts, key=lambda token: (-counts[token], token))
    specials = [PAD, UNK, START, END]
    ranked = [token for token in ranked if token not in specials]
    return specials + ranked[: None if max_tokens is None else max_tokens - 4]


def encode(token_lists, vocabulary, length):
    """Turn token lists into a padded array of ids (unknown tokens get 1).

    Args:
        token_lists: A list of token lists.
        vocabulary: A list laid out as :func:`build_vocabulary` makes it.
        length: The number of columns; longer lists are cut.

    Returns:
        An ``int32`` array of shape ``(len(token_lists), length)``, padded
        with 0 on the right.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``length`` < 1.

    Example:
        >>> vocabulary = build_vocabulary([["a", "b", "a"]])
        >>> encode([["a", "b"], ["b", "z", "a", "a"]], vocabulary, 3)
        array([[4, 5, 0],
               [5, 1, 4]], dtype=int32)
    """
    _token_lists("token_lists", token_lists)
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    length = positive_int("length", length)
    index = {token: i for i, token in enumerate(vocabulary)}
    ids = np.zeros((len(token_lists), length), dtype=np.int32)
    for row, tokens in enumerate(token_lists):
        values = [index.get(token, 1) for token in tokens[:length]]
        ids[row, : len(values)] = values
    return ids


def teacher_forcing(token_lists, vocabulary, length):
    """Decoder inputs and targets for training with teacher forcing.

    Each target sentence becomes ``[start] w1 ... wn [end]``. The decoder's
    input is that sequence without ``[end]``, the target without
    ``[start]``: at position ``t`` the decoder is given the true tokens up to
    ``t`` and must predict token ``t + 1``.

    Args:
        token_lists: The target sentences, as token lists.
        vocabulary: The target vocabulary.
        length: The decoder's sequence length.

    Returns:
        ``(decoder_inputs, decoder_targets)``, two ``int32`` arrays of shape
        ``(len(token_lists), length)``.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``length`` < 1.

    Example:
        >>> vocabulary = build_vocabulary([["a", "b"]])
        >>> inputs, targets = teacher_forcing([["a", "b"]], vocabulary, 4)
        >>> inputs.tolist(), targets.tolist()
        ([[2, 4, 5, 0]], [[4, 5, 3, 0]])
    """
    _token_lists("token_lists", token_lists)
    length = positive_int("length", length)
    full = [[START, *tokens, END] for tokens in token_lists]
    ids = encode(full, vocabulary, length + 1)
    inputs = ids[:, :-1].copy()
    inputs[inputs == vocabulary.index(END)] = 0  # [end] is never an input
    return inputs, ids[:, 1:]


def load_spa_eng():
    """Load the English-Spanish sentence pairs of the Tatoeba project.

    The file is ``spa-eng/spa.txt`` of ``spa-eng.zip`` (the copy that Keras
    examples use), one tab-separated pair per line, read in its order:
    sentences from short to long.

    Returns:
        A list of ``(english, spanish)`` string pairs.

    Raises:
        ChecksumError: If the archive does not verify.
        DatasetNotFoundError: If the archive is nowhere to be had.

    Example:
        >>> pairs = load_spa_eng()
        >>> len(pairs), pairs[0]
        (118964, ('Go.', 'Ve.'))
    """
    from grimoire.data import extract

    path = extract("spa_eng") / "spa-eng" / "spa.txt"
    with open(path, encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    return [tuple(line.split("\t")[:2]) for line in lines if line]


def decode_ids(ids, vocabulary):
    """Turn rows of target ids back into token lists, up to ``[end]``.

    Args:
        ids: An int array of shape ``(n, length)``.
        vocabulary: The target vocabulary.

    Returns:
        A list of ``n`` token lists, without padding, ``[start]`` or
        ``[end]``.

    Raises:
        TypeError: If ``vocabulary`` is not a list.

    Example:
        >>> vocabulary = build_vocabulary([["a", "b"]])
        >>> decode_ids(np.array([[4, 5, 3, 4], [2, 5, 0, 0]]), vocabulary)
        [['a', 'b'], ['b']]
    """
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    result = []
    for row in np.asarray(ids):
        tokens = []
        for i in row:
            token = vocabulary[i]
            if token == END:
                break
            if token not in (PAD, START):
                tokens.append(token)
        result.append(tokens)
    return result


def greedy_decode(model, source_ids, vocabulary, batch_size=256):
    """Translate by choosing, step after step, the most likely next token.

    The decoder input starts as ``[start]`` followed by padding. At step
    ``t`` the model predicts the token at position ``t + 1`` from the source
    and the tokens chosen so far, and that token is written into the input
    for the next step. The causal mask makes the padding that still follows
    position ``t`` invisible. A sentence is finished at ``[end]``; the loop
    stops when all are, or when the decoder's length runs out. The sentences
    go through the model ``batch_size`` at a time; a shorter last batch is
    padded with copies of its first sentence (whose translations are
    dropped), so that every call has the same shape and the model's
    prediction step is traced once.

    Args:
        model: A model made by :func:`~grimoire.seq2seq.build_translator`.
        source_ids: An int array ``(n, source_length)``.
        vocabulary: The target vocabulary.
        batch_size: How many sentences go through the model at once.

    Returns:
        A list of ``n`` token lists.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``batch_size`` < 1.

    Example:
        >>> from grimoire.seq2seq import build_translator
        >>> vocabulary = build_vocabulary([["un"], ["deux"]])
        >>> model = build_translator(10, len(vocabulary), 3, 4)
        >>> tokens = greedy_decode(model, np.ones((2, 3), "int32"), vocabulary)
        >>> len(tokens), all(len(t) <= 4 for t in tokens)
        (2, True)
    """
    from grimoire.validation import keras_model

    keras_model("model", model)
    check_type("vocabulary", vocabulary, (list, tuple), expected="a list of str")
    batch_size = positive_int("batch_size", batch_size)
    source_ids = np.asarray(source_ids, dtype=np.int32)
    length = model.inputs[1].shape[1]
    rows = min(batch_size, len(source_ids))  # every batch this size: one trace
    outputs = []
    for first in range(0, len(source_ids), batch_size):
        source = source_ids[first : first + batch_size]
        real = len(source)
        source = np.concatenate([source, np.repeat(source[:1], rows - real, axis=0)])
        target = np.zeros((rows, length + 1), dtype=np.int32)
        target[:, 0] = vocabulary.index(START)
        done = np.zeros(len(source), dtype=bool)
        for step in range(length):
            logits = model.predict_on_batch(
                {"source": source, "target": target[:, :length]}
            )
            chosen = np.argmax(logits[:, step], axis=-1)
            target[:, step + 1] = np.where(done, 0, chosen)
            done |= chosen == vocabulary.index(END)
            if done.all():
                break
        outputs.append(target[:real, 1:])
    return decode_ids(np.concatenate(outputs), vocabulary)


def exact_match(predictions, references):
    """The fraction of predictions that equal their reference exactly.

    Args:
        predictions: A list of token lists (or strings).
        references: A list of the same length.

    Returns:
        A float in ``[0, 1]``.

    Raises:
        TypeError: If an argument is not a list.
        ValueError: If the lists are empty or differ in length.

    Example:
        >>> predictions = [["un"], ["deux"], ["trois"]]
        >>> round(exact_match(predictions, [["un"], ["deux"], ["un"]]), 4)
        0.6667
    """
    check_type("predictions", predictions, (list, tuple), expected="a list")
    check_type("references", references, (list, tuple), expected="a list")
    if not predictions or len(predictions) != len(references):
        raise ValueError(
            "Expected `predictions` and `references` to be non-empty lists of "
            f"the same length. Received: {len(predictions)} predictions and "
            f"{len(references)} references"
        )
    same = sum(list(p) == list(r) for p, r in zip(predictions, references))
    return same / len(predictions)
