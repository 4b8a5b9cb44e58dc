"""The first network of the book: flatten, one hidden layer, softmax."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from grimoire.validation import check_type, positive_int

__all__ = ["prepare_images", "build_dense_classifier", "top_predictions"]


def prepare_images(images):
    """Flatten images to vectors and scale their pixels to ``[0, 1]``.

    Args:
        images: uint8 array of shape ``(n, height, width)``.

    Returns:
        float32 array of shape ``(n, height * width)``.

    Raises:
        ValueError: If ``images`` is not 3-D.

    Example:
        >>> x = prepare_images(np.full((2, 28, 28), 255, dtype="uint8"))
        >>> x.shape, x.dtype, float(x.max())
        ((2, 784), dtype('float32'), 1.0)
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            "Expected `images` of shape (n, height, width). "
            f"Received: images.shape={images.shape}"
        )
    return images.reshape(len(images), -1).astype("float32") / 255.0


def build_dense_classifier(input_size=784, hidden_units=512, num_classes=10):
    """Build and compile a two-layer dense classifier.

    ``Dense(hidden_units, relu) -> Dense(num_classes, softmax)``, trained with
    RMSprop on the sparse categorical cross-entropy, reporting accuracy.

    Args:
        input_size: Length of an input vector, a positive int.
        hidden_units: Width of the hidden layer, a positive int.
        num_classes: Number of classes, a positive int.

    Returns:
        A compiled ``keras.Sequential`` model.

    Raises:
        TypeError: If an argument is not an int.
        ValueError: If an argument is not positive.

    Example:
        >>> model = build_dense_classifier()
        >>> model.count_params()  # 784*512 + 512 + 512*10 + 10
        407050
    """
    input_size = positive_int("input_size", input_size)
    hidden_units = positive_int("hidden_units", hidden_units)
    num_classes = positive_int("num_classes", num_classes)
    model = keras.Sequential(
        [
            keras.Input(shape=(input_size,)),
            layers.Dense(hidden_units, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def top_predictions(probabilities, class_names):
    """Return the most likely class of each row, with its probability.

    Args:
        probabilities: Array of shape ``(n, num_classes)``, rows summing to 1.
        class_names: ``num_classes`` names, a sequence or an array.

    Returns:
        A list of ``(class index, class name, probability)`` tuples.

    Raises:
        TypeError: If ``class_names`` is not a sequence or an array.
        ValueError: If ``probabilities`` is not 2-D or does not match
            ``class_names``.

    Example:
        >>> top_predictions(np.array([[0.1, 0.9], [0.7, 0.3]]), ["cat", "dog"])
        [(1, 'dog', 0.9), (0, 'cat', 0.7)]
    """
    names = (Sequence, np.ndarray)
    check_type("class_names", class_names, names, expected="a sequence of names")
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(
            "Expected `probabilities` of shape (n, num_classes). "
            f"Received: shape={probabilities.shape}"
        )
    if probabilities.shape[1] != len(class_names):
        raise ValueError(
            f"Expected `class_names` to have {probabilities.shape[1]} names, one per "
            f"column. Received: {len(class_names)}"
        )
    best = probabilities.argmax(axis=1)
    return [
        (int(i), class_names[i], round(float(p[i]), 4))
        for i, p in zip(best, probabilities)
    ]
