"""Quiet, byte-stable training logs for the pages of the book."""

from __future__ import annotations

import keras

from grimoire.validation import check_scalar, positive_int

__all__ = ["EpochLogger"]


class EpochLogger(keras.callbacks.Callback):
    """Print one clean line per epoch: the epoch, the loss and the metrics.

    Keras's own progress bar writes carriage returns, step counts and timings,
    which change from one build to the next. Train with ``verbose=0`` and this
    callback instead, and the page is the same on every rebuild::

        model.fit(x, y, epochs=5, verbose=0, callbacks=[EpochLogger()])

    Args:
        digits: Decimals printed for each value.
        every: Print every ``every``-th epoch (the last one is always printed).

    Raises:
        TypeError: If ``digits`` or ``every`` is not an integer (a NumPy
            integer is one, a bool is not).
        ValueError: If ``digits`` is negative or ``every`` is not positive.

    Example:
        >>> logger = EpochLogger(digits=3)
        >>> logger.set_params({"epochs": 2})
        >>> logger.on_epoch_end(0, {"loss": 0.51234, "accuracy": 0.8})
        epoch 1/2 - loss: 0.512 - accuracy: 0.800
    """

    def __init__(self, digits=4, every=1):
        super().__init__()
        self.digits = check_scalar("digits", digits, int, min_value=0)
        self.every = positive_int("every", every)

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs", "?")
        if (epoch + 1) % self.every and epoch + 1 != total:
            return
        parts = [f"epoch {epoch + 1}/{total}"]
        parts += [
            f"{name}: {float(value):.{self.digits}f}"
            for name, value in (logs or {}).items()
        ]
        print(" - ".join(parts))
