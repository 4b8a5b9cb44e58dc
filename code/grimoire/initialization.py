"""Weight initialization for convnets: the Glorot and He rules, measured.

- :func:`fans` gives a kernel's fan-in and fan-out;
- :func:`theoretical_std` and :func:`initial_weight_std` compare an
  initializer's weights with the Glorot and He formulas;
- :func:`filter_spread` measures how different a layer's filters are.
"""

from __future__ import annotations

import keras
import numpy as np

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
        ValueError: If ``kernel_shape`` is not 2 or 4 positive ints.

    Example:
        >>> fans((3, 3, 32, 64)), fans((1600, 128))
        ((288, 576), (1600, 128))
    """
    if (
        not isinstance(kernel_shape, (tuple, list))
        or len(kernel_shape) not in (2, 4)
        or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
            for v in kernel_shape
        )
    ):
        raise ValueError(
            f"Expected `kernel_shape` to be 2 or 4 positive ints. Received: kernel_shape={kernel_shape!r}"
        )
    receptive = int(np.prod(kernel_shape[:-2])) if len(kernel_shape) == 4 else 1
    return receptive * int(kernel_shape[-2]), receptive * int(kernel_shape[-1])


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
        initializer: ``"glorot_uniform"``, ``"glorot_normal"``, ``"he_uniform"`` or ``"he_normal"``.
        kernel_shape: A kernel shape, as for :func:`fans`.

    Returns:
        The standard deviation, a float.

    Raises:
        ValueError: If ``initializer`` is not one of the four names, or ``kernel_shape`` is invalid.

    Example:
        >>> round(theoretical_std("he_normal", (3, 3, 1, 32)), 4), round(theoretical_std("glorot_uniform", (3, 3, 1, 32)), 4)
        (0.4714, 0.0821)
    """
    if initializer not in INITIALIZER_SCALES:
        raise ValueError(
            f"Expected `initializer` to be one of {sorted(INITIALIZER_SCALES)}. "
            f"Received: initializer={initializer!r}"
        )
    fan_in, fan_out = fans(kernel_shape)
    if INITIALIZER_SCALES[initializer] == "glorot":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    return float(np.sqrt(2.0 / fan_in))


def initial_weight_std(initializer, kernel_shape, seed=0):
    """Draw a kernel with a Keras initializer and return the standard deviation of its weights.

    Args:
        initializer: An initializer name, such as ``"he_normal"``.
        kernel_shape: The kernel shape to draw.
        seed: Seed of the initializer, a non-negative int.

    Returns:
        The empirical standard deviation, a float.

    Raises:
        ValueError: If ``kernel_shape`` is invalid or ``seed`` is negative.

    Example:
        >>> round(initial_weight_std("he_normal", (3, 3, 64, 64)), 2)
        0.06
    """
    fans(kernel_shape)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(
            f"Expected `seed` to be a non-negative int. Received: seed={seed!r}"
        )
    draw = keras.initializers.get({"class_name": initializer, "config": {"seed": seed}})
    return float(np.std(keras.ops.convert_to_numpy(draw(tuple(kernel_shape)))))


def filter_spread(kernel):
    """The largest difference between any filter of a kernel and its first filter.

    Zero means every filter of the layer holds the same weights, so the layer
    computes the same feature map many times over.

    Args:
        kernel: A ``Conv2D`` kernel ``(kh, kw, in_channels, filters)`` (filters on the last axis).

    Returns:
        A float, ``max |kernel[..., f] - kernel[..., 0]|``.

    Raises:
        ValueError: If ``kernel`` is not 4-D.

    Example:
        >>> filter_spread(np.ones((3, 3, 1, 4))), filter_spread(np.arange(8.0).reshape(1, 1, 2, 4))
        (0.0, 3.0)
    """
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.ndim != 4:
        raise ValueError(
            f"Expected `kernel` of shape (kh, kw, in_channels, filters). Received: kernel.shape={kernel.shape}"
        )
    return float(np.abs(kernel - kernel[..., :1]).max())
