"""Classification metrics: precision, recall and F1, in NumPy and as a Keras metric.

For one class ``k`` of a multi-class problem, counting over a set of
examples:

- precision = TP / (TP + FP): of the examples predicted as ``k``, the
  fraction that really are ``k``;
- recall = TP / (TP + FN): of the examples that are ``k``, the fraction
  the model finds;
- F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of the two.

The macro average is the plain mean over classes. A class with no true or
predicted examples scores 0 (no division by zero), as in Keras.

:class:`MacroF1Score` computes the macro F1 as a stateful
``keras.metrics.Metric``: it adds up the counts batch after batch, so the
value reported for an epoch is the F1 of the whole epoch, not an average of
per-batch F1 values (which would be a different, wrong number).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from grimoire.validation import check_choice, check_scalar, check_type

__all__ = ["confusion_counts", "precision_recall_f1", "MacroF1Score"]


def confusion_counts(y_true, y_pred, num_classes):
    """Count true positives, false positives and false negatives per class.

    Args:
        y_true: Integer class labels, shape ``(n,)``.
        y_pred: Predicted integer class labels, shape ``(n,)``.
        num_classes: The number of classes.

    Returns:
        ``(tp, fp, fn)``: three int arrays of length ``num_classes``.

    Raises:
        TypeError: If ``num_classes`` is not an int.
        ValueError: If the shapes differ, ``num_classes`` is below 2 or a
            label is out of range.

    Example:
        >>> tp, fp, fn = confusion_counts([0, 0, 1, 2], [0, 1, 1, 1], 3)
        >>> tp.tolist(), fp.tolist(), fn.tolist()
        ([1, 1, 0], [0, 2, 0], [1, 0, 1])
    """
    num_classes = check_scalar("num_classes", num_classes, int, min_value=2)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            "Expected `y_true` and `y_pred` to be label vectors of the same shape "
            f"(n,). Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"Expected `{name}` to hold labels in [0, {num_classes}). "
                f"Received: labels from {labels.min()} to {labels.max()}"
            )
    classes = np.arange(num_classes)[:, None]
    is_true, is_pred = y_true == classes, y_pred == classes
    tp = (is_true & is_pred).sum(axis=1)
    fp = (~is_true & is_pred).sum(axis=1)
    fn = (is_true & ~is_pred).sum(axis=1)
    return tp, fp, fn


def precision_recall_f1(y_true, y_pred, num_classes, average=None):
    """Precision, recall and F1 of each class, or their macro averages.

    Args:
        y_true: Integer class labels, shape ``(n,)``.
        y_pred: Predicted integer class labels, shape ``(n,)``.
        num_classes: The number of classes.
        average: ``None`` for one value per class, ``"macro"`` for the mean
            over classes.

    Returns:
        ``(precision, recall, f1)``: arrays of length ``num_classes``, or
        three floats when ``average="macro"``.

    Raises:
        TypeError: As :func:`confusion_counts`.
        ValueError: As :func:`confusion_counts`, or if ``average`` is not
            ``None`` or ``"macro"``.

    Example:
        >>> y_true, y_pred = [0, 0, 1, 2], [0, 1, 1, 1]
        >>> p, r, f1 = precision_recall_f1(y_true, y_pred, num_classes=3)
        >>> p.round(3).tolist(), r.round(3).tolist(), f1.round(3).tolist()
        ([1.0, 0.333, 0.0], [0.5, 1.0, 0.0], [0.667, 0.5, 0.0])
        >>> macro = precision_recall_f1(y_true, y_pred, 3, average="macro")
        >>> [round(v, 3) for v in macro]
        [0.444, 0.5, 0.389]
    """
    check_choice("average", average, (None, "macro"))
    tp, fp, fn = (
        c.astype("float64") for c in confusion_counts(y_true, y_pred, num_classes)
    )

    def ratio(top, bottom):
        return np.divide(top, bottom, out=np.zeros_like(top), where=bottom > 0)

    precision, recall, f1 = (
        ratio(tp, tp + fp),
        ratio(tp, tp + fn),
        ratio(2 * tp, 2 * tp + fp + fn),
    )
    if average == "macro":
        return float(precision.mean()), float(recall.mean()), float(f1.mean())
    return precision, recall, f1


class MacroF1Score(keras.metrics.Metric):
    """Macro-averaged F1 for integer labels and one probability per class.

    The metric keeps three state variables, the running TP, FP and FN count of
    each class. ``update_state`` adds a batch's counts (the predicted class is
    the arg-max of ``y_pred``), ``result`` turns the totals into the mean F1
    over classes, and ``reset_state`` zeroes them; Keras calls it at the start
    of every epoch and every evaluation.

    Args:
        num_classes: The number of classes, an int >= 2.
        name: The metric's name in logs and histories, a str.
        **kwargs: Passed to ``keras.metrics.Metric`` (e.g. ``dtype``).

    Raises:
        TypeError: If ``num_classes`` is not an int or ``name`` not a str.
        ValueError: If ``num_classes`` is below 2.

    Example:
        >>> metric = MacroF1Score(num_classes=3)
        >>> metric.update_state([0, 0], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]])
        >>> metric.update_state([1, 2], [[0.1, 0.8, 0.1], [0.3, 0.6, 0.1]])
        >>> round(float(metric.result()), 3)  # the counts of the example above
        0.389
        >>> metric.reset_state(); float(metric.result())
        0.0
    """

    def __init__(self, num_classes, name="macro_f1", **kwargs):
        num_classes = check_scalar("num_classes", num_classes, int, min_value=2)
        super().__init__(name=check_type("name", name, str), **kwargs)
        self.num_classes = num_classes
        self.true_positives = self.add_variable(
            (num_classes,), initializer="zeros", name="true_positives"
        )
        self.false_positives = self.add_variable(
            (num_classes,), initializer="zeros", name="false_positives"
        )
        self.false_negatives = self.add_variable(
            (num_classes,), initializer="zeros", name="false_negatives"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add the counts of a batch: integer ``y_true``, probabilities ``y_pred``."""
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        actual = ops.one_hot(labels, self.num_classes, dtype=self.dtype)
        predicted = ops.one_hot(
            ops.argmax(y_pred, axis=-1), self.num_classes, dtype=self.dtype
        )
        hits = actual * predicted  # 1 where the predicted class is the true class
        if sample_weight is not None:
            weight = ops.reshape(ops.cast(sample_weight, self.dtype), (-1, 1))
            actual, predicted, hits = actual * weight, predicted * weight, hits * weight
        self.true_positives.assign_add(ops.sum(hits, axis=0))
        self.false_positives.assign_add(ops.sum(predicted - hits, axis=0))
        self.false_negatives.assign_add(ops.sum(actual - hits, axis=0))

    def result(self):
        """The mean over classes of ``2 TP / (2 TP + FP + FN)``."""
        tp = self.true_positives
        f1 = ops.divide_no_nan(
            2 * tp, 2 * tp + self.false_positives + self.false_negatives
        )
        return ops.mean(f1)

    def reset_state(self):
        """Zero the counts."""
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self):
        """The config, so that a saved model with this metric can be reloaded."""
        return {**super().get_config(), "num_classes": self.num_classes}
