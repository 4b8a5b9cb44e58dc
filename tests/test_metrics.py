import keras
import numpy as np
import pytest

from grimoire.metrics import MacroF1Score, confusion_counts, precision_recall_f1

RNG = np.random.default_rng(1)
Y_TRUE = RNG.integers(0, 4, size=60)
PROBS = RNG.random((60, 4)).astype("float32")
Y_PRED = PROBS.argmax(axis=1)


def test_counts_add_up():
    tp, fp, fn = confusion_counts(Y_TRUE, Y_PRED, num_classes=4)
    assert tp.sum() == (Y_TRUE == Y_PRED).sum()
    assert fp.sum() == fn.sum() == (Y_TRUE != Y_PRED).sum()
    assert (tp + fn).tolist() == np.bincount(Y_TRUE, minlength=4).tolist()


def test_precision_recall_match_keras():
    precision, recall, f1 = precision_recall_f1(Y_TRUE, Y_PRED, num_classes=4)
    for k in range(4):
        p, r = keras.metrics.Precision(), keras.metrics.Recall()
        p.update_state(Y_TRUE == k, Y_PRED == k)
        r.update_state(Y_TRUE == k, Y_PRED == k)
        assert precision[k] == pytest.approx(float(p.result()), abs=1e-6)
        assert recall[k] == pytest.approx(float(r.result()), abs=1e-6)
    both = precision + recall > 0
    assert f1[both] == pytest.approx(
        2 * precision[both] * recall[both] / (precision + recall)[both]
    )
    assert (f1[~both] == 0).all()


def test_macro_f1_matches_keras_f1score():
    _, _, macro = precision_recall_f1(Y_TRUE, Y_PRED, num_classes=4, average="macro")
    reference = keras.metrics.F1Score(average="macro", threshold=None)
    reference.update_state(np.eye(4, dtype="float32")[Y_TRUE], PROBS)
    assert macro == pytest.approx(float(reference.result()), abs=1e-5)


def test_absent_class_scores_zero_without_nan():
    precision, recall, f1 = precision_recall_f1([0, 0], [0, 0], num_classes=2)
    assert (
        precision.tolist() == [1.0, 0.0]
        and recall.tolist() == [1.0, 0.0]
        and f1.tolist() == [1.0, 0.0]
    )


def test_stateful_metric_accumulates_over_batches():
    metric = MacroF1Score(num_classes=4)
    for start in range(0, 60, 16):  # uneven last batch
        metric.update_state(Y_TRUE[start : start + 16], PROBS[start : start + 16])
    _, _, expected = precision_recall_f1(Y_TRUE, Y_PRED, num_classes=4, average="macro")
    assert float(metric.result()) == pytest.approx(expected, abs=1e-6)
    # the mean of per-batch F1 values is a different number
    batch_f1 = [
        precision_recall_f1(Y_TRUE[s : s + 16], Y_PRED[s : s + 16], 4, average="macro")[
            2
        ]
        for s in range(0, 60, 16)
    ]
    assert abs(np.mean(batch_f1) - expected) > 1e-3
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_sample_weight_zero_ignores_examples():
    metric = MacroF1Score(num_classes=4)
    weights = (np.arange(60) < 30).astype("float32")
    metric.update_state(Y_TRUE, PROBS, sample_weight=weights)
    _, _, expected = precision_recall_f1(
        Y_TRUE[:30], Y_PRED[:30], num_classes=4, average="macro"
    )
    assert float(metric.result()) == pytest.approx(expected, abs=1e-6)


def test_metric_in_fit_and_config():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4, activation="softmax")]
    )
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=[MacroF1Score(4)])
    history = model.fit(PROBS, Y_TRUE, epochs=1, batch_size=16, verbose=0)
    assert 0.0 <= history.history["macro_f1"][0] <= 1.0
    _, evaluated = model.evaluate(PROBS, Y_TRUE, verbose=0)
    predicted = model.predict(PROBS, verbose=0).argmax(axis=1)
    assert evaluated == pytest.approx(
        precision_recall_f1(Y_TRUE, predicted, 4, average="macro")[2], abs=1e-6
    )
    assert MacroF1Score.from_config(MacroF1Score(3).get_config()).num_classes == 3


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: confusion_counts([0, 1], [0, 1], num_classes=1),
            ValueError,
            r"Expected `num_classes` to be an int >= 2. Received: num_classes=1",
        ),
        (
            lambda: confusion_counts([0, 1], [0], num_classes=2),
            ValueError,
            r"Expected `y_true` and `y_pred` to be label vectors of the same shape "
            r"\(n,\). Received: y_true.shape=\(2,\), y_pred.shape=\(1,\)",
        ),
        (
            lambda: confusion_counts([0, 5], [0, 1], num_classes=2),
            ValueError,
            r"Expected `y_true` to hold labels in \[0, 2\). "
            r"Received: labels from 0 to 5",
        ),
        (
            lambda: confusion_counts([0, 1], [-1, 1], num_classes=2),
            ValueError,
            r"Expected `y_pred` to hold labels in \[0, 2\). "
            r"Received: labels from -1 to 1",
        ),
        (
            lambda: precision_recall_f1([0], [0], 2, average="micro"),
            ValueError,
            r"Expected `average` to be one of \(None, 'macro'\). "
            r"Received: average='micro'",
        ),
        (
            lambda: precision_recall_f1([0], [0], 2, average=["macro"]),
            ValueError,
            r"Expected `average` to be one of \(None, 'macro'\). "
            r"Received: average=\['macro'\]",
        ),
        (
            lambda: MacroF1Score(num_classes=2.0),
            TypeError,
            r"Expected `num_classes` to be an int. "
            r"Received: num_classes=2.0 of type float",
        ),
        (
            lambda: MacroF1Score(num_classes=3, name=3),
            TypeError,
            r"Expected `name` to be a str. Received: name=3 of type int",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_ints_are_class_counts():
    tp, _, _ = confusion_counts([0, 1], [0, 1], num_classes=np.int64(3))
    assert tp.tolist() == [1, 1, 0]
    assert MacroF1Score(np.int64(3)).num_classes == 3
