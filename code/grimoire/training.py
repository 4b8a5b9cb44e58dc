"""Training beyond a plain ``fit``: a custom ``train_step``, a loop from scratch, logs.

- :class:`CustomTrainStepModel` overrides ``train_step`` the Keras 3 way
  (``self.compute_loss`` and the metrics of ``self.metrics``) and reports
  the gradient norm as an extra metric. :class:`LegacyTrainStepModel` keeps
  the older ``compiled_loss``/``compiled_metrics`` pattern, to show why it
  must not be used any more.
- :func:`train_from_scratch` trains with ``tf.GradientTape`` in a
  ``tf.function``, and gives the same numbers as ``fit``.
- :class:`ListLogger` records each epoch's logs in a list.

TensorBoard logs are written with ``keras.callbacks.TensorBoard`` and read
back with TensorBoard's own ``EventAccumulator`` (see the training chapter).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from grimoire.validation import check_type, positive_int

__all__ = [
    "ListLogger",
    "CustomTrainStepModel",
    "LegacyTrainStepModel",
    "train_from_scratch",
]


class ListLogger(keras.callbacks.Callback):
    """Append one dict per epoch, ``{"epoch": e, **logs}``, to a list.

    Args:
        records: The list to append to; a new one if None. It is also
            available as ``self.records``.

    Raises:
        TypeError: If ``records`` is neither a list nor None.

    Example:
        >>> import numpy as np
        >>> logger = ListLogger()
        >>> logger.on_epoch_end(0, {"loss": np.float32(0.25)})
        >>> logger.records
        [{'epoch': 0, 'loss': 0.25}]
    """

    def __init__(self, records=None):
        super().__init__()
        check_type("records", records, (list, type(None)), "a list or None")
        self.records = [] if records is None else records

    def on_epoch_end(self, epoch, logs=None):
        self.records.append(
            {"epoch": epoch, **{k: float(v) for k, v in (logs or {}).items()}}
        )


class CustomTrainStepModel(keras.Model):
    """A model whose ``train_step`` also reports the global gradient norm.

    Build it like any functional model, ``CustomTrainStepModel(inputs,
    outputs)``, then ``compile`` and ``fit``. The step follows the Keras 3
    recipe: the loss comes from ``self.compute_loss`` (the compiled loss plus
    any regularization losses), every metric of ``self.metrics`` is updated
    (the loss tracker with the loss, the compiled metrics with targets and
    predictions) and the step returns ``self.get_metrics_result()``.

    Example:
        >>> inputs = keras.Input(shape=(3,))
        >>> model = CustomTrainStepModel(inputs, keras.layers.Dense(1)(inputs))
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> [m.name for m in model.metrics]
        ['loss', 'grad_norm']
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grad_norm_tracker = keras.metrics.Mean(name="grad_norm")

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=True
            )
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric is self.grad_norm_tracker:
                metric.update_state(tf.linalg.global_norm(gradients))
            elif metric.name == "loss":
                metric.update_state(loss, sample_weight=tf.shape(y_pred)[0])
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def test_step(self, data):
        logs = super().test_step(data)  # the default evaluation step
        return {name: value for name, value in logs.items() if name != "grad_norm"}


class LegacyTrainStepModel(keras.Model):
    """The pre-Keras-3 ``train_step`` pattern. Do not use: its "loss" is wrong.

    ``self.compiled_loss`` and ``self.compiled_metrics`` survive in Keras 3
    only as deprecated shims. ``compiled_loss`` computes the loss but no
    longer records it, and the ``compiled_metrics`` shim feeds the loss
    tracker (a ``Mean``) the *predictions* instead of the loss. The "loss"
    that ``fit`` reports is then the mean model output: for a softmax output
    exactly ``1 / num_classes`` on every epoch, whatever the true loss.

    Example:
        >>> inputs = keras.Input(shape=(3,))
        >>> outputs = keras.layers.Dense(2, activation="softmax")(inputs)
        >>> model = LegacyTrainStepModel(inputs, outputs)
        >>> model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        >>> model.output_shape
        (None, 2)
    """

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def train_from_scratch(model, x, y, loss_fn, optimizer, epochs=1, batch_size=32):
    """Train ``model`` with ``tf.GradientTape``, batch by batch, in a ``tf.function``.

    This is what ``fit`` does underneath for a simple model: the batches are
    taken in order (like ``fit(..., shuffle=False)``), the loss of each batch
    is the loss function plus the model's regularization losses, and the
    epoch loss is the mean of the batch losses weighted by batch size.

    Args:
        model: A built Keras model.
        x: Inputs, an array of shape ``(n, ...)``.
        y: Targets, an array of length ``n``.
        loss_fn: A Keras loss, called as ``loss_fn(y_true, y_pred)``.
        optimizer: A Keras optimizer.
        epochs: Passes over the data.
        batch_size: Examples per step.

    Returns:
        A list with the mean training loss of each epoch.

    Raises:
        TypeError: If ``epochs`` or ``batch_size`` is not an int.
        ValueError: If ``epochs`` or ``batch_size`` is below 1, or ``x``
            and ``y`` differ in length.

    Example:
        >>> import numpy as np
        >>> keras.utils.set_random_seed(0)
        >>> model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
        >>> x = np.linspace(-1, 1, 8).reshape(-1, 1).astype("float32"); y = 3 * x
        >>> loss_fn, sgd = keras.losses.MeanSquaredError(), keras.optimizers.SGD(0.5)
        >>> losses = train_from_scratch(model, x, y, loss_fn, sgd, 20, batch_size=4)
        >>> len(losses), losses[-1] < 0.01 * losses[0]
        (20, True)
    """
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    if len(x) != len(y):
        raise ValueError(
            "Expected `x` and `y` to have the same length. "
            f"Received: len(x)={len(x)}, len(y)={len(y)}"
        )
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)

    @tf.function
    def train_step(x_batch, y_batch):
        with tf.GradientTape() as tape:
            y_pred = model(x_batch, training=True)
            loss = loss_fn(y_batch, y_pred)
            if model.losses:
                loss = loss + tf.add_n(model.losses)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(gradients, model.trainable_variables)
        return loss

    history = []
    for _ in range(epochs):
        epoch_loss = keras.metrics.Mean()
        for x_batch, y_batch in dataset:
            epoch_loss.update_state(
                train_step(x_batch, y_batch), sample_weight=tf.shape(x_batch)[0]
            )
        history.append(float(epoch_loss.result()))
    return history
