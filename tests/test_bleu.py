"""BLEU: Papineni et al.'s worked examples, and agreement with sacrebleu."""

import math

import numpy as np
import pytest
import sacrebleu

from grimoire.bleu import (
    BleuScore,
    brevity_penalty,
    corpus_bleu,
    modified_precision,
    ngram_counts,
    sentence_bleu,
)
from grimoire.text import tokenize

# The examples of Papineni, Roukos, Ward and Zhu (2002), section 2.
CANDIDATE_1 = (
    "It is a guide to action which ensures that the military always obeys "
    "the commands of the party."
)
CANDIDATE_2 = (
    "It is to insure the troops forever hearing the activity guidebook that "
    "party direct."
)
REFERENCES = [
    "It is a guide to action that ensures that the military will forever heed "
    "Party commands.",
    "It is the guiding principle which guarantees the military forces always "
    "being under the command of the Party.",
    "It is the practical guide for the army always to heed the directions of "
    "the party.",
]


def references():
    return [tokenize(reference) for reference in REFERENCES]


@pytest.mark.parametrize(
    "candidate, n, expected",
    [
        (CANDIDATE_1, 1, (17, 18)),
        (CANDIDATE_2, 1, (8, 14)),
        (CANDIDATE_1, 2, (10, 17)),
        (CANDIDATE_2, 2, (1, 13)),
    ],
)
def test_papineni_modified_precisions(candidate, n, expected):
    assert modified_precision(tokenize(candidate), references(), n) == expected


def test_papineni_clipping_example():
    refs = ["the cat is on the mat", "there is a cat on the mat"]
    assert modified_precision("the the the the the the the", refs, 1) == (2, 7)
    # Without clipping every one of the seven words would match.
    assert sum(ngram_counts("the the the the the the the", 1).values()) == 7


def test_papineni_short_candidate_needs_the_brevity_penalty():
    # "of the": perfect precisions, but far shorter than every reference.
    candidate = ["of", "the"]
    assert modified_precision(candidate, references(), 1) == (2, 2)
    assert modified_precision(candidate, references(), 2) == (1, 1)
    result = sentence_bleu(candidate, references(), max_order=2, smoothing="none")
    assert result.precisions == (1.0, 1.0)
    assert result.reference_length == 16  # the shortest reference is closest
    assert result.score == pytest.approx(math.exp(1 - 16 / 2))


def test_candidate_1_beats_candidate_2():
    first = sentence_bleu(tokenize(CANDIDATE_1), references()).score
    second = sentence_bleu(tokenize(CANDIDATE_2), references()).score
    assert first > 0.4 > 0.1 > second > 0


def test_brevity_penalty_values():
    assert brevity_penalty(10, 10) == 1.0
    assert brevity_penalty(12, 10) == 1.0
    assert brevity_penalty(5, 10) == pytest.approx(math.exp(-1))
    assert brevity_penalty(0, 10) == 0.0


def test_identical_texts_score_one():
    text = "a b c d e f"
    assert corpus_bleu([text], [[text]]).score == pytest.approx(1.0)
    assert sentence_bleu(text, [text]).score == pytest.approx(1.0)


def test_closest_reference_length_ties_go_to_the_shorter():
    result = sentence_bleu("a b c d e", ["a b c d", "a b c d e f"], max_order=1)
    assert result.reference_length == 4


def test_corpus_score_is_not_the_mean_of_sentence_scores():
    candidates = ["the cat sat on the mat", "a dog"]
    refs = [["the cat sat on the mat"], ["the dog ran in a park"]]
    corpus = corpus_bleu(candidates, refs, smoothing="exp").score
    mean = np.mean([sentence_bleu(c, r).score for c, r in zip(candidates, refs)])
    assert abs(corpus - mean) > 0.02


def test_unsmoothed_sentence_without_4gram_match_scores_zero():
    refs = ["the cat is on the mat"]
    assert sentence_bleu("the cat sat on the mat", refs, smoothing="none").score == 0
    assert sentence_bleu("the cat sat on the mat", refs).score > 0.3


def test_result_fields():
    result = corpus_bleu(["a b c"], [["a b c d"]], max_order=2)
    assert isinstance(result, BleuScore)
    assert (result.candidate_length, result.reference_length) == (3, 4)
    assert result.precisions == (1.0, 1.0)
    assert result.brevity_penalty == pytest.approx(math.exp(1 - 4 / 3))


def perturbed_pairs(count=300, seed=0):
    """Synthetic sentences and damaged copies: drops, swaps, substitutions."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(40)] + ["the", "a", "of", "and"] * 5
    pairs = []
    for _ in range(count):
        reference = list(rng.choice(words, size=rng.integers(3, 25)))
        candidate = list(reference)
        for _ in range(rng.integers(0, 6)):
            kind, position = rng.integers(4), rng.integers(len(candidate))
            if kind == 0 and len(candidate) > 1:
                del candidate[position]
            elif kind == 1:
                candidate[position] = str(rng.choice(words))
            elif kind == 2:
                other = rng.integers(len(candidate))
                candidate[position], candidate[other] = (
                    candidate[other],
                    candidate[position],
                )
            else:
                candidate.insert(position, str(rng.choice(words)))
        second = list(reference)
        del second[rng.integers(len(second))]
        second.append(str(rng.choice(words)))
        pairs.append((" ".join(candidate), [" ".join(reference), " ".join(second)]))
    return pairs


@pytest.mark.parametrize("smoothing", ["none", "exp"])
@pytest.mark.parametrize("refs_used", [1, 2])
def test_corpus_bleu_matches_sacrebleu(smoothing, refs_used):
    pairs = perturbed_pairs()
    candidates = [candidate for candidate, _ in pairs]
    refs = [references[:refs_used] for _, references in pairs]
    ours = corpus_bleu(candidates, refs, smoothing=smoothing)
    streams = [list(stream) for stream in zip(*refs)]
    theirs = sacrebleu.corpus_bleu(
        candidates, streams, tokenize="none", smooth_method=smoothing
    )
    assert 0.1 < ours.score < 0.9
    assert 100 * ours.score == pytest.approx(theirs.score, abs=1e-9)
    assert 100 * ours.brevity_penalty == pytest.approx(100 * theirs.bp, abs=1e-9)
    assert [100 * p for p in ours.precisions] == pytest.approx(theirs.precisions)


def test_sentence_bleu_matches_sacrebleu_on_every_pair():
    pairs = perturbed_pairs(seed=1)
    ours = np.array([sentence_bleu(c, r).score for c, r in pairs])
    theirs = np.array(
        [sacrebleu.sentence_bleu(c, r, tokenize="none").score for c, r in pairs]
    )
    assert np.abs(100 * ours - theirs).max() < 1e-9
    assert 0 < ours.min() and ours.max() == pytest.approx(1.0)


def test_short_candidates_use_their_effective_order():
    # Two tokens: scored on unigrams and bigrams only, as sacrebleu does.
    ours = sentence_bleu("the cat", ["the cat sat"]).score
    theirs = sacrebleu.sentence_bleu("the cat", ["the cat sat"], tokenize="none")
    assert 100 * ours == pytest.approx(theirs.score)
    assert ours == pytest.approx(math.exp(1 - 3 / 2))


@pytest.mark.needs_data("imdb")
def test_imdb_sentences_match_sacrebleu():
    """Sentences of real reviews, with words dropped and swapped."""
    from grimoire.data import DataError, imdb_folder

    try:
        folder = imdb_folder()
    except DataError as error:  # pragma: no cover - no mirror here
        pytest.skip(str(error))
    paths = sorted((folder / "test" / "pos").iterdir())[:60]
    sentences = []
    for path in paths:
        text = path.read_text(encoding="utf-8").replace("<br />", " ")
        sentences += [" ".join(tokenize(s)) for s in text.split(".") if s.strip()]
    sentences = [s for s in sentences if len(s.split()) >= 2][:300]
    rng = np.random.default_rng(2)
    candidates = []
    for sentence in sentences:
        words = sentence.split()
        keep = rng.random(len(words)) > 0.2
        candidates.append(" ".join(w for w, k in zip(words, keep) if k) or words[0])
    refs = [[s] for s in sentences]
    ours = corpus_bleu(candidates, refs).score
    theirs = sacrebleu.corpus_bleu(candidates, [sentences], tokenize="none").score
    assert len(sentences) == 300
    assert 100 * ours == pytest.approx(theirs, abs=1e-9)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ngram_counts(3, 1), TypeError, "Expected `tokens` to be a str"),
        (lambda: ngram_counts("a b", 0), ValueError, "Expected `n` to be an int >= 1"),
        (lambda: modified_precision("a", [], 1), ValueError, "at least one reference"),
        (
            lambda: modified_precision(None, ["a"], 1),
            TypeError,
            "Expected `candidate` to be a str or a list of tokens",
        ),
        (
            lambda: modified_precision("a", "a b", 1),
            TypeError,
            "Expected `references` to be a list of references",
        ),
        (
            lambda: brevity_penalty(-1, 3),
            ValueError,
            "Expected `candidate_length` to be an int >= 0",
        ),
        (
            lambda: brevity_penalty(2, 3.5),
            TypeError,
            "Expected `reference_length` to be an int",
        ),
        (
            lambda: corpus_bleu(["a"], [["a"], ["b"]]),
            ValueError,
            "one list of references per candidate",
        ),
        (
            lambda: corpus_bleu("a", [["a"]]),
            TypeError,
            "Expected `candidates` to be a list of texts",
        ),
        (
            lambda: corpus_bleu(["a"], [["a"]], smoothing="add-one"),
            ValueError,
            "Expected `smoothing` to be one of",
        ),
        (
            lambda: sentence_bleu("a", ["a"], max_order=0),
            ValueError,
            "Expected `max_order` to be an int >= 1",
        ),
        (
            lambda: sentence_bleu("a", [3]),
            TypeError,
            r"Expected `references\[i\]` to be a str or a list of tokens",
        ),
    ],
)
def test_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
