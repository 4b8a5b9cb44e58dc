"""Seeds and determinism, so that a rebuild prints the same numbers."""

from __future__ import annotations

import os
import random

from grimoire.validation import check_scalar

__all__ = ["set_seed"]


def set_seed(seed=42):
    """Seed Python, NumPy and TensorFlow, and make TensorFlow ops deterministic.

    Call it once in a chapter's setup cell, before any data is shuffled or any
    layer is built. Besides the seeds, it turns on TensorFlow's op
    determinism, so that the same program gives bit-identical results on the
    same machine (at some cost in speed for a few ops).

    Args:
        seed: A non-negative integer (a NumPy integer is accepted).

    Returns:
        The seed, for printing.

    Raises:
        TypeError: If ``seed`` is not an integer (a bool is not one).
        ValueError: If ``seed`` is negative.

    Example:
        >>> import numpy as np
        >>> _ = set_seed(7); a = np.random.rand()
        >>> _ = set_seed(7); b = np.random.rand()
        >>> a == b
        True
        >>> set_seed(-1)
        Traceback (most recent call last):
        ...
        ValueError: Expected `seed` to be an int >= 0. Received: seed=-1
    """
    seed = check_scalar("seed", seed, int, min_value=0)
    import keras
    import tensorflow as tf

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend
    tf.config.experimental.enable_op_determinism()
    return seed
