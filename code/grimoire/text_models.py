"""Models that read text: bags of words and sequence models, and their scores.

Two families of text classifiers:

- a **bag-of-words model** sees each text as one vector with a slot per
  vocabulary token (multi-hot, counts or TF-IDF) and forgets the order of
  the words; a small dense network on top is a strong baseline;
- a **sequence model** reads the token indices in order: an ``Embedding``
  turns each index into a learned vector, a (bidirectional) LSTM reads the
  vectors, and a dense layer gives the probability that the text is
  positive. With ``mask_zero=True`` the padding (index 0) is skipped.

:func:`confusion_matrix` and :func:`plot_confusion_matrix` show where a binary
classifier goes wrong.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from grimoire.callbacks import EpochLogger
from grimoire.validation import check_type, keras_model, positive_int, unit_rate

__all__ = [
    "train_and_evaluate",
    "build_bag_model",
    "build_sequence_model",
    "confusion_matrix",
    "plot_confusion_matrix",
]


def _count(data):
    shape = getattr(data, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(data)


def train_and_evaluate(model, train, test, epochs=3, batch_size=256, log=True):
    """Train a compiled model quietly, then return its history and test accuracy.

    The inputs may be NumPy arrays or ``tf.SparseTensor`` rows (as
    ``TextVectorization(sparse=True)`` makes them).

    Args:
        model: A compiled Keras model with an accuracy metric.
        train: ``(inputs, labels)`` to train on.
        test: ``(inputs, labels)`` to evaluate on after training.
        epochs: Passes over the training data.
        batch_size: Examples per gradient step.
        log: Whether to print one line per epoch.

    Returns:
        ``(history, test_accuracy)``: the ``history.history`` dict and a float.

    Raises:
        TypeError: If ``model`` is not a Keras model or ``log`` not a bool.
        ValueError: If ``train`` or ``test`` is not a pair of equal length,
            or ``epochs``/``batch_size`` is not an int >= 1.

    Example:
        >>> model = build_bag_model(5, hidden_units=2)
        >>> x, y = np.eye(5, dtype="float32")[:4], np.array([0, 1, 0, 1])
        >>> history, accuracy = train_and_evaluate(
        ...     model, (x, y), (x, y), epochs=1, log=False)
        >>> sorted(history), 0 <= accuracy <= 1
        (['accuracy', 'loss'], True)
    """
    model = keras_model("model", model)
    for name, pair in (("train", train), ("test", test)):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(
                f"Expected `{name}` to be a pair (inputs, labels). "
                f"Received: {name} of type {type(pair).__name__}"
            )
        if _count(pair[0]) != _count(pair[1]):
            raise ValueError(
                f"Expected `{name}` inputs and labels of the same length. "
                f"Received: {_count(pair[0])} and {_count(pair[1])}"
            )
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    check_type("log", log, bool)
    history = model.fit(
        *train,
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        callbacks=[EpochLogger()] if log else [],
    )
    results = model.evaluate(*test, batch_size=2048, verbose=0, return_dict=True)
    return history.history, float(results["accuracy"])


def build_bag_model(num_tokens, hidden_units=16, dropout=0.5, sparse=True):
    """A dense classifier of bag-of-words vectors, compiled.

    Args:
        num_tokens: The length of the input vectors (the vocabulary size).
        hidden_units: Units of the hidden ReLU layer.
        dropout: The dropout rate after it.
        sparse: Whether the inputs come as ``tf.SparseTensor`` (a review
            holds a few hundred of the 20,000 tokens: storing only those is
            far smaller and faster).

    Returns:
        A ``keras.Model`` compiled with RMSprop, binary cross-entropy and
        accuracy.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is < 1 or ``dropout`` is not in ``[0, 1)``.

    Example:
        >>> model = build_bag_model(20000)
        >>> model.output_shape, model.count_params()
        ((None, 1), 320033)
    """
    num_tokens = positive_int("num_tokens", num_tokens)
    hidden_units = positive_int("hidden_units", hidden_units)
    dropout = unit_rate("dropout", dropout)
    check_type("sparse", sparse, bool)
    inputs = keras.Input(shape=(num_tokens,), sparse=sparse)
    x = layers.Dense(hidden_units, activation="relu")(inputs)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_sequence_model(
    vocab_size,
    embedding_dim=64,
    units=32,
    mask_zero=True,
    bidirectional=True,
    dropout=0.5,
    embeddings=None,
):
    """An Embedding + LSTM classifier of token-index sequences, compiled.

    Args:
        vocab_size: The number of token indices (index 0 is the padding).
        embedding_dim: The length of each word vector.
        units: Units of the LSTM (per direction).
        mask_zero: Whether index 0 is padding, masked out of the LSTM.
        bidirectional: Whether to read the text in both directions.
        dropout: The dropout rate before the output layer.
        embeddings: A ``(vocab_size, embedding_dim)`` array to start the
            embedding from and keep frozen, or None to learn it from scratch.

    Returns:
        A ``keras.Model`` from ``(batch, length)`` int indices to
        ``(batch, 1)`` probabilities, compiled with RMSprop, binary
        cross-entropy and accuracy. Its layers are named ``embedding``,
        ``lstm`` and ``output``.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a size is < 1, ``dropout`` is not in ``[0, 1)`` or
            ``embeddings`` has the wrong shape.

    Example:
        >>> model = build_sequence_model(1000, embedding_dim=8, units=4)
        >>> model(np.array([[5, 7, 2, 0, 0]])).shape
        TensorShape([1, 1])
        >>> [layer.name for layer in model.layers[1:]]
        ['embedding', 'lstm', 'dropout', 'output']
    """
    vocab_size = positive_int("vocab_size", vocab_size)
    embedding_dim = positive_int("embedding_dim", embedding_dim)
    units = positive_int("units", units)
    dropout = unit_rate("dropout", dropout)
    check_type("mask_zero", mask_zero, bool)
    check_type("bidirectional", bidirectional, bool)
    initializer, trainable = "uniform", True
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype="float32")
        if embeddings.shape != (vocab_size, embedding_dim):
            raise ValueError(
                f"Expected `embeddings` of shape {(vocab_size, embedding_dim)}. "
                f"Received: embeddings.shape={embeddings.shape}"
            )
        initializer = keras.initializers.Constant(embeddings)
        trainable = False
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(
        vocab_size,
        embedding_dim,
        mask_zero=mask_zero,
        embeddings_initializer=initializer,
        trainable=trainable,
        name="embedding",
    )(inputs)
    lstm = layers.LSTM(units)
    x = (layers.Bidirectional(lstm, name="lstm") if bidirectional else lstm)(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="output")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def confusion_matrix(y_true, y_pred, num_classes=2):
    """Count each (true class, predicted class) pair.

    Args:
        y_true: Integer labels, shape ``(n,)``.
        y_pred: Predicted integer labels, shape ``(n,)``.
        num_classes: The number of classes.

    Returns:
        An int array of shape ``(num_classes, num_classes)``: row ``i``,
        column ``j`` counts the examples of class ``i`` predicted as ``j``.
        For two classes: ``[[TN, FP], [FN, TP]]``.

    Raises:
        TypeError: If ``num_classes`` is not an int.
        ValueError: If the shapes differ or a label is out of range.

    Example:
        >>> confusion_matrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0])
        array([[1, 1],
               [1, 2]])
    """
    num_classes = positive_int("num_classes", num_classes)
    y_true = np.asarray(y_true).astype("int64")
    y_pred = np.asarray(y_pred).astype("int64")
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            "Expected `y_true` and `y_pred` of the same shape (n,). "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    both = np.concatenate([y_true, y_pred])
    if both.size and (both.min() < 0 or both.max() >= num_classes):
        raise ValueError(
            f"Expected labels in [0, {num_classes}). "
            f"Received: labels from {both.min()} to {both.max()}"
        )
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def plot_confusion_matrix(matrix, class_names, ax=None):
    """Draw a confusion matrix as a grid of counts, true classes in rows.

    Args:
        matrix: A square array of counts, as :func:`confusion_matrix` gives.
        class_names: One name per class.
        ax: The axes to draw into; created if None.

    Returns:
        The axes.

    Raises:
        ValueError: If ``matrix`` is not square or the names do not match it.

    Example:
        >>> ax = plot_confusion_matrix(np.array([[5, 1], [2, 4]]), ["neg", "pos"])
        >>> ax.get_xlabel(), [text.get_text() for text in ax.texts]
        ('predicted class', ['5', '1', '2', '4'])
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    check_type("class_names", class_names, (list, tuple), expected="a list of str")
    if ax is not None:
        check_type("ax", ax, Axes, expected="matplotlib Axes")
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(
            f"Expected a square `matrix`. Received: matrix.shape={matrix.shape}"
        )
    if len(class_names) != len(matrix):
        raise ValueError(
            f"Expected {len(matrix)} `class_names`, one per row. "
            f"Received: {len(class_names)}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 2.8))
    ax.imshow(matrix, cmap="Blues", vmin=0)
    for (i, j), count in np.ndenumerate(matrix):
        dark = count > matrix.max() / 2
        ax.text(j, i, f"{count:,}", ha="center", va="center",
                color="white" if dark else "black")  # fmt: skip
    ticks = np.arange(len(matrix))
    ax.set_xticks(ticks, class_names)
    ax.set_yticks(ticks, class_names)
    ax.set(xlabel="predicted class", ylabel="true class")
    return ax
