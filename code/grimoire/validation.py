"""Argument checks shared by the package's modules.

Each check returns the value (converted where that helps) or raises an error
that names the argument, what was expected and what was received, the form
every ``grimoire`` function uses for bad input.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["positive_int", "unit_rate", "positive_float", "keras_model", "model_layer"]


def positive_int(name, value):
    """Return ``value`` as an int, or raise if it is not a positive integer.

    Example:
        >>> positive_int("epochs", 3)
        3
        >>> positive_int("epochs", 0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `epochs` to be a positive int. Received: epochs=0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"Expected `{name}` to be a positive int. Received: {name}={value!r}"
        )
    return int(value)


def unit_rate(name, value):
    """Return ``value`` as a float, or raise if it is not in ``[0, 1)``.

    Example:
        >>> unit_rate("dropout", 0.5)
        0.5
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value < 1
    ):
        raise ValueError(
            f"Expected `{name}` to be a float in [0, 1). Received: {name}={value!r}"
        )
    return float(value)


def positive_float(name, value):
    """Return ``value`` as a float, or raise if it is not a positive number.

    Example:
        >>> positive_float("learning_rate", 1e-3)
        0.001
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(
            f"Expected `{name}` to be a positive number. Received: {name}={value!r}"
        )
    return float(value)


def keras_model(name, value):
    """Return ``value``, or raise ``TypeError`` if it is not a ``keras.Model``.

    Example:
        >>> keras_model("model", "not a model")
        Traceback (most recent call last):
        ...
        TypeError: Expected `model` to be a keras.Model. Received: model of type str
    """
    if not isinstance(value, keras.Model):
        raise TypeError(
            f"Expected `{name}` to be a keras.Model. Received: {name} of type {type(value).__name__}"
        )
    return value


def model_layer(model, layer_name):
    """Return the layer of ``model`` called ``layer_name``, or raise naming the choices.

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")])
        >>> model_layer(model, "out").name
        'out'
    """
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(
            f"Expected `layer_name` to be one of the model's layers {names}. "
            f"Received: layer_name={layer_name!r}"
        )
    return model.get_layer(layer_name)
