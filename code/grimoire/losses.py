"""The common loss functions, written out in NumPy.

Each function takes the true targets and the model's outputs and returns the
loss averaged over the batch, as the matching ``keras.losses`` class does with
its default reduction. Cross-entropies accept either probabilities or, with
``from_logits=True``, raw scores (logits). Probabilities are clipped
to ``[eps, 1 - eps]`` with ``eps = 1e-7``, as Keras does, so that a confident
wrong answer gives a large but finite loss.

Which loss for which task:

- binary classification (one sigmoid output, 0/1 targets) and multi-label
  classification (one sigmoid per label): :func:`binary_crossentropy`;
- multi-class classification (softmax output): :func:`categorical_crossentropy`
  with one-hot targets, :func:`sparse_categorical_crossentropy` with integer
  targets;
- regression (linear output): :func:`mean_squared_error`,
  :func:`mean_absolute_error` or :func:`huber`.
"""

from __future__ import annotations

import numpy as np

from grimoire.validation import check_type, positive_float

__all__ = [
    "EPSILON",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
]

#: The clipping constant of Keras (``keras.config.epsilon()``).
EPSILON = 1e-7


def _pair(y_true, y_pred):
    y_true = np.asarray(y_true, dtype="float64")
    y_pred = np.asarray(y_pred, dtype="float64")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "Expected `y_true` and `y_pred` to have the same shape. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if y_pred.ndim == 0:
        raise ValueError(
            "Expected `y_pred` to have at least one dimension (a batch). "
            "Received: a scalar"
        )
    return y_true, y_pred


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def binary_crossentropy(y_true, y_pred, from_logits=False):
    """Binary cross-entropy, for one or several independent yes/no outputs.

    Per output: ``-(y log p + (1 - y) log(1 - p))``; averaged over the last
    axis (the labels of a multi-label problem), then over the batch.

    Args:
        y_true: Targets in ``[0, 1]``, shape ``(n,)`` or ``(n, labels)``.
        y_pred: Probabilities (sigmoid outputs), or logits if ``from_logits``.
        from_logits: Whether ``y_pred`` holds logits.

    Returns:
        The mean loss, a float.

    Raises:
        ValueError: If the shapes differ.
        TypeError: If ``from_logits`` is not a bool.

    Example:
        >>> # -(log 0.9 + log 0.8) / 2
        >>> round(binary_crossentropy([1, 0], [0.9, 0.2]), 4)
        0.1643
        >>> round(binary_crossentropy([1, 0], [2.0, -1.0], from_logits=True), 4)
        0.2201
    """
    y_true, y_pred = _pair(y_true, y_pred)
    check_type("from_logits", from_logits, bool)
    if from_logits:
        # log(sigmoid(z)) = -log(1 + e^-z), computed without overflow
        log_p = -np.logaddexp(0.0, -y_pred)
        log_not_p = -np.logaddexp(0.0, y_pred)
    else:
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        log_p, log_not_p = np.log(p), np.log(1 - p)
    per_output = -(y_true * log_p + (1 - y_true) * log_not_p)
    per_sample = per_output.mean(axis=-1) if per_output.ndim > 1 else per_output
    return float(per_sample.mean())


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Categorical cross-entropy, for one-hot (or soft) class targets.

    Per sample: ``-sum_k y_k log p_k``, the negative log-probability of the
    true class when ``y_true`` is one-hot.

    Args:
        y_true: One-hot rows, shape ``(n, classes)``.
        y_pred: Softmax probabilities, or logits if ``from_logits``.
        from_logits: Whether ``y_pred`` holds logits.

    Returns:
        The mean loss, a float.

    Raises:
        ValueError: If the shapes differ or are not 2-D.
        TypeError: If ``from_logits`` is not a bool.

    Example:
        >>> # -log 0.7
        >>> round(categorical_crossentropy([[0, 1, 0]], [[0.2, 0.7, 0.1]]), 4)
        0.3567
    """
    y_true, y_pred = _pair(y_true, y_pred)
    check_type("from_logits", from_logits, bool)
    if y_pred.ndim != 2:
        raise ValueError(
            "Expected `y_pred` of shape (n, classes). "
            f"Received: y_pred.shape={y_pred.shape}"
        )
    if from_logits:
        log_p = _log_softmax(y_pred)
    else:
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        log_p = np.log(np.clip(p, EPSILON, 1 - EPSILON))
    return float(-(y_true * log_p).sum(axis=-1).mean())


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Categorical cross-entropy with integer class targets.

    The same number as :func:`categorical_crossentropy` on one-hot targets,
    without building the one-hot matrix.

    Args:
        y_true: Class indices, shape ``(n,)``.
        y_pred: Probabilities of shape ``(n, classes)``, or logits.
        from_logits: Whether ``y_pred`` holds logits.

    Returns:
        The mean loss, a float.

    Raises:
        ValueError: If the shapes do not match or a label is not an integer
            in range.
        TypeError: If ``from_logits`` is not a bool.

    Example:
        >>> round(sparse_categorical_crossentropy([1], [[0.2, 0.7, 0.1]]), 4)
        0.3567
    """
    labels = np.asarray(y_true)
    y_pred = np.asarray(y_pred, dtype="float64")
    check_type("from_logits", from_logits, bool)
    if y_pred.ndim != 2 or labels.shape != (len(y_pred),):
        raise ValueError(
            "Expected `y_true` of shape (n,) and `y_pred` of shape (n, classes). "
            f"Received: y_true.shape={labels.shape}, y_pred.shape={y_pred.shape}"
        )
    if labels.size and not np.all(labels == np.round(labels)):
        raise ValueError(
            "Expected `y_true` to hold integer class indices. "
            f"Received: y_true={labels.tolist()}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= y_pred.shape[1]):
        raise ValueError(
            f"Expected `y_true` to hold class indices in [0, {y_pred.shape[1]}). "
            f"Received: labels from {labels.min()} to {labels.max()}"
        )
    one_hot = np.eye(y_pred.shape[1])[labels.astype(int)]
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits)


def mean_squared_error(y_true, y_pred):
    """Mean squared error: the mean of ``(y - y_hat)^2``.

    Args:
        y_true: Targets, shape ``(n,)`` or ``(n, outputs)``.
        y_pred: Predictions of the same shape.

    Returns:
        The mean loss, a float.

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> mean_squared_error([0.0, 1.0, 2.0], [0.0, 2.0, 5.0])  # (0 + 1 + 9)/3
        3.3333333333333335
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(((y_true - y_pred) ** 2).mean())


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error: the mean of ``|y - y_hat|``.

    Args:
        y_true: Targets, shape ``(n,)`` or ``(n, outputs)``.
        y_pred: Predictions of the same shape.

    Returns:
        The mean loss, a float.

    Raises:
        ValueError: If the shapes differ.

    Example:
        >>> mean_absolute_error([0.0, 1.0, 2.0], [0.0, 2.0, 5.0])  # (0 + 1 + 3)/3
        1.3333333333333333
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.abs(y_true - y_pred).mean())


def huber(y_true, y_pred, delta=1.0):
    """Huber loss: squared for small errors, linear for large ones.

    With ``e = |y - y_hat|``: ``e^2 / 2`` when ``e <= delta``, else
    ``delta * (e - delta / 2)``. Outliers pull on the fit like in MAE, small
    errors are smoothed like in MSE.

    Args:
        y_true: Targets, shape ``(n,)`` or ``(n, outputs)``.
        y_pred: Predictions of the same shape.
        delta: Where the loss turns from quadratic to linear; positive.

    Returns:
        The mean loss, a float.

    Raises:
        TypeError: If ``delta`` is not a number.
        ValueError: If the shapes differ or ``delta`` is not positive.

    Example:
        >>> huber([0.0, 0.0], [0.5, 3.0])  # (0.125 + (3 - 0.5)) / 2
        1.3125
    """
    positive_float("delta", delta)
    y_true, y_pred = _pair(y_true, y_pred)
    error = np.abs(y_true - y_pred)
    loss = np.where(error <= delta, 0.5 * error**2, delta * (error - 0.5 * delta))
    return float(loss.mean())
