"""Weight initialization for convnets: the Glorot and He rules, measured.

- :func:`fans` gives a kernel's fan-in and fan-out;
- :func:`theoretical_std` and :func:`initial_weight_std` compare an
  initializer's weights with the Glorot and He formulas;
- :func:`filter_spread` measures how different a layer's filters are.
"""

from __future__ import annotations

import keras
import numpy as np

from grimoire.validation import check_choice, check_scalar, check_type, positive_int

__all__ = [
    "fans",
    "theoretical_std",
    "initial_weight_std",
    "filter_spread",
]


def fans(kernel_shape):
    """Fan-in and fan-out of a kernel, as Keras's initializers count them.

    A ``Dense`` kernel ``(inputs, units)`` has fan-in ``inputs`` and fan-out
    ``units``. A ``Conv2D`` kernel ``(kh, kw, in_channels, filters)`` feeds
    each output from ``kh · kw · in_channels`` inputs, and each input reaches
    ``kh · kw · filters`` outputs.

    Args:
        kernel_shape: A tuple of 2 or 4 positive ints.

    Returns:
        ``(fan_in, fan_out)``.

    Raises:
        TypeError: If ``kernel_shape`` is not a tuple or list of ints.
        ValueError: If ``kernel_shape`` has not 2 or 4 entries, or one is
            below 1.

    Example:
        >>> fans((3, 3, 32, 64)), fans((1600, 128))
        ((288, 576), (1600, 128))
    """
    check_type("kernel_shape", kernel_shape, (tuple, list))
    check_choice("len(kernel_shape)", len(kernel_shape), (2, 4))
    shape = [positive_int(f"kernel_shape[{i}]", n) for i, n in enumerate(kernel_shape)]
    receptive = shape[0] * shape[1] if len(shape) == 4 else 1
    return receptive * shape[-2], receptive * shape[-1]


INITIALIZER_SCALES = {
    "glorot_uniform": "glorot",
    "glorot_normal": "glorot",
    "he_uniform": "he",
    "he_normal": "he",
}


def theoretical_std(initializer, kernel_shape):
    """The standard deviation the Glorot or He rule prescribes for a kernel.

    Glorot and Bengio keep the variance of activations and of gradients
    alike from layer to layer with ``Var = 2 / (fan_in + fan_out)``; He et
    al. double the forward variance to make up for the ReLU, which zeroes
    half of its inputs: ``Var = 2 / fan_in``. The uniform and normal variants
    of each rule have the same variance.

    Args:
        initializer: ``"glorot_uniform"``, ``"glorot_normal"``, ``"he_uniform"``
            or ``"he_normal"``.
        kernel_shape: A kernel shape, as for :func:`fans`.

    Returns:
        The standard deviation, a float.

    Raises:
        TypeError: If ``kernel_shape`` is of the wrong type.
        ValueError: If ``initializer`` is not one of the four names, or
            ``kernel_shape`` is invalid.

    Example:
        >>> round(theoretical_std("he_normal", (3, 3, 1, 32)), 4)
        0.4714
        >>> round(theoretical_std("glorot_uniform", (3, 3, 1, 32)), 4)
        0.0821
    """
    check_choice("initializer", initializer, tuple(INITIALIZER_SCALES))
    fan_in, fan_out = fans(kernel_shape)
    if INITIALIZER_SCALES[initializer] == "glorot":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    return float(np.sqrt(2.0 / fan_in))


def initial_weight_std(initializer, kernel_shape, seed=0):
    """Draw a kernel with a Keras initializer; return its weights' standard deviation.

    Args:
        initializer: An initializer name, such as ``"he_normal"``.
        kernel_shape: The kernel shape to draw.
        seed: Seed of the initializer, a non-negative int.

    Returns:
        The empirical standard deviation, a float.

    Raises:
        TypeError: If ``initializer`` is not a str, or ``kernel_shape`` or
            ``seed`` is of the wrong type.
        ValueError: If ``kernel_shape`` is invalid or ``seed`` is negative.

    Example:
        >>> round(initial_weight_std("he_normal", (3, 3, 64, 64)), 2)
        0.06
    """
    check_type("initializer", initializer, str)
    fans(kernel_shape)
    seed = check_scalar("seed", seed, int, min_value=0)
    draw = keras.initializers.get({"class_name": initializer, "config": {"seed": seed}})
    return float(np.std(keras.ops.convert_to_numpy(draw(tuple(kernel_shape)))))


def filter_spread(kernel):
    """The largest difference between any filter of a kernel and its first one.

    Zero means every filter of the layer holds the same weights, so the layer
    computes the same feature map many times over.

    Args:
        kernel: A ``Conv2D`` kernel ``(kh, kw, in_channels, filters)`` (filters
            on the last axis).

    Returns:
        A float, ``max |kernel[..., f] - kernel[..., 0]|``.

    Raises:
        ValueError: If ``kernel`` is not 4-D.

    Example:
        >>> filter_spread(np.ones((3, 3, 1, 4)))
        0.0
        >>> filter_spread(np.arange(8.0).reshape(1, 1, 2, 4))
        3.0
    """
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.ndim != 4:
        raise ValueError(
            "Expected `kernel` of shape (kh, kw, in_channels, filters). "
            f"Received: kernel.shape={kernel.shape}"
        )
    return float(np.abs(kernel - kernel[..., :1]).max())
