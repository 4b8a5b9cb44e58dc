"""BLEU, the n-gram overlap score of machine translation (Papineni et al., 2002).

A candidate text is compared with one or more reference texts:

- the **modified n-gram precision** ``p_n`` is the fraction of the
  candidate's n-grams found in a reference, where each n-gram is credited at
  most as many times as it occurs in the one reference that has it most
  often (*clipping*: "the the the the" does not match "the cat" four times);
- the **brevity penalty** ``BP = exp(1 - r / c)`` when the candidate length
  ``c`` is shorter than the reference length ``r`` (the reference length
  closest to ``c``; on a tie, the shorter), 1 otherwise: precision alone
  would reward a candidate that says only the words it is sure of;
- ``BLEU = BP * exp(sum_n log(p_n) / N)``, the brevity penalty times the
  geometric mean of ``p_1 ... p_N`` (``N = 4`` by default).

BLEU lies between 0 and 1 (tools such as ``sacrebleu`` print it times 100).
:func:`corpus_bleu` adds the counts of all sentences before dividing, as
the paper defines it; it is not the mean of sentence scores. One sentence
often has no matching 4-gram, which makes its unsmoothed score 0:
:func:`sentence_bleu` therefore *smooths* by default with ``"exp"``, the
NIST method that ``sacrebleu`` uses (the k-th order with no match gets
precision ``1 / (2**k * total)``), and drops the orders longer than the
candidate. Both functions agree with ``sacrebleu`` run with
``tokenize="none"``.

Texts are strings, split on whitespace, or lists of tokens; tokenise (and
lower-case, if wanted) before scoring.
"""

from __future__ import annotations

import collections
import dataclasses
import math

from grimoire.validation import check_choice, check_scalar, check_type, positive_int

__all__ = [
    "BleuScore",
    "ngram_counts",
    "modified_precision",
    "brevity_penalty",
    "corpus_bleu",
    "sentence_bleu",
]

_SMOOTHING = ("none", "exp")


@dataclasses.dataclass(frozen=True)
class BleuScore:
    """A BLEU score with the numbers it is made of.

    Attributes:
        score: BLEU, between 0 and 1.
        precisions: The modified n-gram precisions ``p_1 ... p_N`` (after
            smoothing, if any).
        brevity_penalty: The brevity penalty.
        candidate_length: The number of candidate tokens ``c``.
        reference_length: The effective reference length ``r``.
    """

    score: float
    precisions: tuple
    brevity_penalty: float
    candidate_length: int
    reference_length: int


def _tokens(name, text):
    if isinstance(text, str):
        return text.split()
    check_type(name, text, (list, tuple), expected="a str or a list of tokens")
    return list(text)


def _references(name, references):
    check_type(name, references, (list, tuple), expected="a list of references")
    if not references:
        raise ValueError(f"Expected `{name}` to hold at least one reference.")
    return [_tokens(f"{name}[i]", reference) for reference in references]


def ngram_counts(tokens, n):
    """Count the n-grams of a token list.

    Args:
        tokens: A list of tokens (or a string, split on whitespace).
        n: The n-gram length, an int >= 1.

    Returns:
        A ``collections.Counter`` of n-gram tuples.

    Raises:
        TypeError: If ``tokens`` is neither a string nor a list.
        ValueError: If ``n`` < 1.

    Example:
        >>> sorted(ngram_counts("the cat the cat", 2).items())
        [(('cat', 'the'), 1), (('the', 'cat'), 2)]
    """
    tokens = _tokens("tokens", tokens)
    n = positive_int("n", n)
    return collections.Counter(
        tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)
    )


def modified_precision(candidate, references, n):
    """Clipped n-gram matches of a candidate, and its number of n-grams.

    Each candidate n-gram counts as a match at most as many times as the
    reference that holds it most often.

    Args:
        candidate: The candidate, a string or a list of tokens.
        references: A list of references, each a string or a list of tokens.
        n: The n-gram length.

    Returns:
        ``(matches, total)``: two ints; the precision is their ratio.

    Raises:
        TypeError: If a text is neither a string nor a list.
        ValueError: If ``references`` is empty or ``n`` < 1.

    Example:
        >>> refs = ["the cat is on the mat", "there is a cat on the mat"]
        >>> modified_precision("the the the the the the the", refs, 1)
        (2, 7)
    """
    counts = ngram_counts(_tokens("candidate", candidate), n)
    most = collections.Counter()
    for reference in _references("references", references):
        most |= ngram_counts(reference, n)  # |: the maximum of the counts
    matches = sum(min(count, most[gram]) for gram, count in counts.items())
    return matches, sum(counts.values())


def brevity_penalty(candidate_length, reference_length):
    """``exp(1 - r / c)`` if the candidate is shorter than the reference, else 1.

    Args:
        candidate_length: ``c``, an int >= 0 (0 gives a penalty of 0).
        reference_length: ``r``, an int >= 0.

    Returns:
        A float in ``[0, 1]``.

    Raises:
        TypeError: If a length is not an int.
        ValueError: If a length is negative.

    Example:
        >>> round(brevity_penalty(9, 12), 4), brevity_penalty(12, 9)
        (0.7165, 1.0)
    """
    c = check_scalar("candidate_length", candidate_length, int, min_value=0)
    r = check_scalar("reference_length", reference_length, int, min_value=0)
    if c >= r:
        return 1.0
    return math.exp(1 - r / c) if c > 0 else 0.0


def _closest_length(length, reference_lengths):
    return min(reference_lengths, key=lambda r: (abs(r - length), r))


def _statistics(candidate, references, max_order):
    candidate = _tokens("candidate", candidate)
    references = _references("references", references)
    pairs = [
        modified_precision(candidate, references, n) for n in range(1, max_order + 1)
    ]
    reference_length = _closest_length(len(candidate), [len(r) for r in references])
    return (
        [m for m, _ in pairs],
        [t for _, t in pairs],
        len(candidate),
        reference_length,
    )


def _score(matches, totals, c, r, smoothing, effective_order):
    penalty = brevity_penalty(c, r)
    precisions = [0.0] * len(matches)
    if not any(matches):
        return BleuScore(0.0, tuple(precisions), penalty, c, r)
    order, halvings = len(matches), 1
    for n, (match, total) in enumerate(zip(matches, totals)):
        if total == 0:  # the candidate is shorter than n + 1 tokens
            order = n if effective_order else order
            break
        if match == 0 and smoothing == "exp":
            halvings *= 2
            precisions[n] = 1 / (halvings * total)
        else:
            precisions[n] = match / total
    if min(precisions[:order]) == 0:
        return BleuScore(0.0, tuple(precisions), penalty, c, r)
    mean_log = sum(math.log(p) for p in precisions[:order]) / order
    return BleuScore(penalty * math.exp(mean_log), tuple(precisions), penalty, c, r)


def corpus_bleu(candidates, references, max_order=4, smoothing="none"):
    """BLEU of a corpus: n-gram counts and lengths summed over all sentences.

    Args:
        candidates: A list of candidate texts (strings or token lists).
        references: One list of references per candidate.
        max_order: ``N``, the longest n-gram.
        smoothing: ``"none"`` (the paper's definition: a precision of 0
            gives a score of 0) or ``"exp"`` (see the module's docstring).

    Returns:
        A :class:`BleuScore`.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If the lists differ in length, a candidate has no
            reference, ``max_order`` < 1 or ``smoothing`` is unknown.

    Example:
        >>> candidates = ["the cat sat on the mat", "a dog ran in the park"]
        >>> references = [["the cat sat on the mat"], ["the dog ran in a park"]]
        >>> result = corpus_bleu(candidates, references)
        >>> round(result.score, 4), [round(p, 3) for p in result.precisions]
        (0.6839, [1.0, 0.7, 0.625, 0.5])
    """
    check_type("candidates", candidates, (list, tuple), expected="a list of texts")
    check_type("references", references, (list, tuple), expected="a list of lists")
    if len(candidates) != len(references):
        raise ValueError(
            "Expected one list of references per candidate. Received: "
            f"{len(candidates)} candidates and {len(references)} reference lists"
        )
    max_order = positive_int("max_order", max_order)
    check_choice("smoothing", smoothing, _SMOOTHING)
    matches, totals, c, r = [0] * max_order, [0] * max_order, 0, 0
    for candidate, refs in zip(candidates, references):
        m, t, length, ref_length = _statistics(candidate, refs, max_order)
        matches = [a + b for a, b in zip(matches, m)]
        totals = [a + b for a, b in zip(totals, t)]
        c, r = c + length, r + ref_length
    return _score(matches, totals, c, r, smoothing, effective_order=False)


def sentence_bleu(candidate, references, max_order=4, smoothing="exp"):
    """BLEU of one sentence, smoothed by default.

    Orders longer than the candidate are left out of the geometric mean
    (a three-word candidate is scored on its 1-, 2- and 3-grams).

    Args:
        candidate: The candidate, a string or a list of tokens.
        references: A list of references, each a string or a list of tokens.
        max_order: ``N``, the longest n-gram.
        smoothing: ``"exp"`` (default) or ``"none"``.

    Returns:
        A :class:`BleuScore`.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``references`` is empty, ``max_order`` < 1 or
            ``smoothing`` is unknown.

    Example:
        >>> refs = ["the cat is on the mat"]
        >>> round(sentence_bleu("the cat sat on the mat", refs).score, 4)
        0.3799
        >>> sentence_bleu("the cat sat on the mat", refs, smoothing="none").score
        0.0
    """
    max_order = positive_int("max_order", max_order)
    check_choice("smoothing", smoothing, _SMOOTHING)
    matches, totals, c, r = _statistics(candidate, references, max_order)
    return _score(matches, totals, c, r, smoothing, effective_order=True)
