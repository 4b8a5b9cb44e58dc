"""Argument checks shared by every module of the package.

Each check returns the value (converted to a plain Python type where that
helps) or raises an error in the Keras form: it names the argument, says what
was expected and shows what was received. A value of the wrong type raises
``TypeError``; a value of the right type but out of range raises
``ValueError``. NumPy scalars count as numbers (``np.int64(3)`` is an int,
``np.float32(0.5)`` a float); ``True`` and ``False`` do not.

Keras is imported only inside the checks that need it, so NumPy-only modules
can use this one without importing TensorFlow.
"""

from __future__ import annotations

import numbers

__all__ = [
    "check_scalar",
    "check_choice",
    "check_type",
    "positive_int",
    "positive_float",
    "unit_rate",
    "keras_model",
    "model_layer",
]

_KINDS = {int: (numbers.Integral, "an int"), float: (numbers.Real, "a float")}


def _received(name, value):
    return f"Received: {name}={value!r} of type {type(value).__name__}"


def _range_text(min_value, max_value, include_min, include_max):
    if min_value is not None and max_value is not None:
        left, right = "[" if include_min else "(", "]" if include_max else ")"
        return f" in {left}{min_value}, {max_value}{right}"
    if min_value is not None:
        return f" {'>=' if include_min else '>'} {min_value}"
    if max_value is not None:
        return f" {'<=' if include_max else '<'} {max_value}"
    return ""


def check_scalar(
    name,
    value,
    kind,
    *,
    min_value=None,
    max_value=None,
    include_min=True,
    include_max=True,
):
    """Return ``value`` as a plain int or float, or raise naming ``name``.

    In the spirit of scikit-learn's ``check_scalar``: the type is checked
    against ``numbers.Integral`` (for ``int``) or ``numbers.Real`` (for
    ``float``, which accepts ints too), then the value against the bounds.

    Args:
        name: The argument's name, used in the message.
        value: The value to check.
        kind: ``int`` or ``float``.
        min_value: The lower bound, or None for none.
        max_value: The upper bound, or None for none.
        include_min: Whether ``min_value`` itself is allowed.
        include_max: Whether ``max_value`` itself is allowed.

    Returns:
        ``int(value)`` or ``float(value)``.

    Raises:
        TypeError: If ``value`` is not a number of the expected kind (a bool
            never is).
        ValueError: If ``value`` lies outside the bounds.

    Example:
        >>> import numpy as np
        >>> check_scalar("epochs", np.int64(3), int, min_value=1)
        3
        >>> check_scalar("rate", np.float32(0.5), float, min_value=0, max_value=1)
        0.5
        >>> check_scalar("epochs", 0, int, min_value=1)
        Traceback (most recent call last):
        ...
        ValueError: Expected `epochs` to be an int >= 1. Received: epochs=0
        >>> check_scalar("epochs", "3", int)
        Traceback (most recent call last):
        ...
        TypeError: Expected `epochs` to be an int. Received: epochs='3' of type str
    """
    if kind not in _KINDS:
        raise TypeError(f"Expected `kind` to be int or float. Received: kind={kind!r}")
    abstract, article = _KINDS[kind]
    if isinstance(value, bool) or not isinstance(value, abstract):
        raise TypeError(f"Expected `{name}` to be {article}. {_received(name, value)}")
    value = kind(value)
    too_low = min_value is not None and (
        value < min_value if include_min else value <= min_value
    )
    too_high = max_value is not None and (
        value > max_value if include_max else value >= max_value
    )
    if too_low or too_high or value != value:  # value != value: NaN
        bounds = _range_text(min_value, max_value, include_min, include_max)
        raise ValueError(
            f"Expected `{name}` to be {article}{bounds}. Received: {name}={value!r}"
        )
    return value


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``, or raise ``ValueError``.

    Args:
        name: The argument's name, used in the message.
        value: The value to check.
        choices: The allowed values.

    Returns:
        ``value``.

    Raises:
        ValueError: If ``value`` is not among ``choices``.

    Example:
        >>> check_choice("padding", "same", ("valid", "same"))
        'same'
        >>> check_choice("padding", "full", ("valid", "same"))
        Traceback (most recent call last):
        ...
        ValueError: Expected `padding` to be one of ('valid', 'same').
        Received: padding='full'
    """
    choices = tuple(choices)
    try:
        allowed = value in choices
    except TypeError:  # an unhashable value compared with hashable choices
        allowed = False
    if not allowed:
        raise ValueError(
            f"Expected `{name}` to be one of {choices}. Received: {name}={value!r}"
        )
    return value


def check_type(name, value, types, expected=None):
    """Return ``value`` if it is an instance of ``types``, or raise ``TypeError``.

    Args:
        name: The argument's name, used in the message.
        value: The value to check.
        types: A type or a tuple of types, as for ``isinstance``.
        expected: How to describe the types in the message (for example
            ``"a callable"``); by default their names.

    Returns:
        ``value``.

    Raises:
        TypeError: If ``value`` is not an instance of ``types``.

    Example:
        >>> check_type("name", "conv_1", str)
        'conv_1'
        >>> check_type("name", 3, str)
        Traceback (most recent call last):
        ...
        TypeError: Expected `name` to be a str. Received: name=3 of type int
    """
    if not isinstance(value, types):
        if expected is None:
            names = [
                t.__name__ for t in (types if isinstance(types, tuple) else (types,))
            ]
            expected = "a " + " or ".join(names)
        raise TypeError(f"Expected `{name}` to be {expected}. {_received(name, value)}")
    return value


def positive_int(name, value):
    """Return ``value`` as an int, or raise if it is not an int >= 1.

    Example:
        >>> positive_int("epochs", 3)
        3
        >>> positive_int("epochs", 0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `epochs` to be an int >= 1. Received: epochs=0
    """
    return check_scalar(name, value, int, min_value=1)


def positive_float(name, value):
    """Return ``value`` as a float, or raise if it is not a number > 0.

    Example:
        >>> import numpy as np
        >>> positive_float("learning_rate", np.float32(0.5))
        0.5
        >>> positive_float("learning_rate", 0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `learning_rate` to be a float > 0.
        Received: learning_rate=0.0
    """
    return check_scalar(name, value, float, min_value=0, include_min=False)


def unit_rate(name, value):
    """Return ``value`` as a float, or raise if it is not in ``[0, 1)``.

    Example:
        >>> unit_rate("dropout", 0.5)
        0.5
        >>> unit_rate("dropout", 1)
        Traceback (most recent call last):
        ...
        ValueError: Expected `dropout` to be a float in [0, 1). Received: dropout=1.0
    """
    return check_scalar(name, value, float, min_value=0, max_value=1, include_max=False)


def keras_model(name, value):
    """Return ``value``, or raise ``TypeError`` if it is not a ``keras.Model``.

    Example:
        >>> keras_model("model", "not a model")
        Traceback (most recent call last):
        ...
        TypeError: Expected `model` to be a keras.Model.
        Received: model='not a model' of type str
    """
    import keras

    return check_type(name, value, keras.Model, expected="a keras.Model")


def model_layer(model, layer_name):
    """Return the layer of ``model`` named ``layer_name``, or raise naming the choices.

    Example:
        >>> import keras
        >>> out = keras.layers.Dense(1, name="out")
        >>> model = keras.Sequential([keras.Input((2,)), out])
        >>> model_layer(model, "out").name
        'out'
        >>> model_layer(model, "hidden")
        Traceback (most recent call last):
        ...
        ValueError: Expected `layer_name` to be one of ('out',).
        Received: layer_name='hidden'
    """
    keras_model("model", model)
    check_type("layer_name", layer_name, str)
    check_choice("layer_name", layer_name, tuple(layer.name for layer in model.layers))
    return model.get_layer(layer_name)
