"""Building Keras models: parameter counts, custom layers, a multi-output model.

- :func:`dense_params` and :func:`dense_stack_params` count the weights of
  dense layers by the formula ``(inputs x units) + units``;
- :class:`Linear` is a teaching-sized ``Dense`` written with ``build`` and
  ``call``; :class:`MLPClassifier` is a subclassed model;
- :func:`build_ticket_model` and :func:`make_ticket_data` are the chapter's
  support-ticket model (three inputs, two heads) and its synthetic data;
- :func:`layer_graph` describes a functional model as text: each layer, the
  layers feeding it and its output shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import keras
import numpy as np
from keras import layers

from grimoire.validation import (
    check_scalar,
    check_type,
    keras_model,
    positive_int,
    unit_rate,
)

__all__ = [
    "dense_params",
    "dense_stack_params",
    "Linear",
    "MLPClassifier",
    "build_ticket_model",
    "make_ticket_data",
    "layer_graph",
]


def dense_params(input_size, units):
    """Number of weights of one dense layer: ``input_size * units + units``.

    A dense layer keeps a kernel matrix of shape ``(input_size, units)`` and
    one bias per unit.

    Args:
        input_size: Length of the input vector, a positive int.
        units: Number of outputs, a positive int.

    Returns:
        The parameter count, an int.

    Raises:
        TypeError: If an argument is not an int.
        ValueError: If an argument is not positive.

    Example:
        >>> dense_params(3, 32)  # 32 * 3 + 32
        128
    """
    positive_int("input_size", input_size)
    positive_int("units", units)
    return int(input_size * units + units)


def dense_stack_params(input_size, units):
    """Parameter counts of a stack of dense layers, layer by layer.

    Each layer's output size is the next layer's input size.

    Args:
        input_size: Length of the input vector of the first layer, a positive
            int.
        units: The widths of the layers, first to last, positive ints.

    Returns:
        A list with one count per layer; ``sum`` of it is the model's total.

    Raises:
        TypeError: If ``units`` is not iterable or a size is not an int.
        ValueError: If ``units`` is empty or a size is not positive.

    Example:
        >>> counts = dense_stack_params(3, [32, 10])
        >>> counts, sum(counts)
        ([128, 330], 458)
    """
    units = list(check_type("units", units, Iterable, expected="an iterable of ints"))
    if not units:
        raise ValueError(
            "Expected `units` to list at least one layer width. Received: units=[]"
        )
    counts = []
    for width in units:
        counts.append(dense_params(input_size, width))
        input_size = width
    return counts


@keras.saving.register_keras_serializable(package="grimoire")
class Linear(layers.Layer):
    """A dense layer written from scratch: ``activation(x @ w + b)``.

    The weights are created in ``build``, the first time the layer sees an
    input, because only then is the input size known.

    Args:
        units: Number of outputs, a positive int.
        activation: Name of a Keras activation, a function, or ``None``.
        **kwargs: Passed to ``keras.layers.Layer`` (for example ``name``).

    Input shape:
        ``(batch_size, input_size)``.

    Output shape:
        ``(batch_size, units)``.

    Raises:
        TypeError: If ``units`` is not an int, or ``activation`` neither a
            name, a function nor ``None``.
        ValueError: If ``units`` is not positive.

    Example:
        >>> layer = Linear(4)
        >>> y = layer(np.ones((2, 3), "float32"))
        >>> tuple(y.shape), [tuple(w.shape) for w in layer.weights]
        ((2, 4), [(3, 4), (4,)])
    """

    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        expected = "a name, a function or None"
        check_type("activation", activation, (str, Callable, type(None)), expected)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="glorot_uniform",
            name="kernel",
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return self.activation(keras.ops.matmul(inputs, self.w) + self.b)

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=keras.activations.serialize(self.activation)
        )
        return config


@keras.saving.register_keras_serializable(package="grimoire")
class MLPClassifier(keras.Model):
    """A subclassed model: hidden :class:`Linear` layers and a softmax head.

    Layers are created in ``__init__``; the forward pass is plain Python in
    ``call``, so it may contain loops and conditions. Here ``call`` applies
    dropout only when ``training`` is true.

    Args:
        hidden_units: Widths of the hidden layers, positive ints.
        num_classes: Number of classes, a positive int.
        dropout: Dropout rate after each hidden layer, in ``[0, 1)``.
        **kwargs: Passed to ``keras.Model`` (for example ``name``).

    Raises:
        TypeError: If ``hidden_units`` is not iterable, a width or
            ``num_classes`` not an int, or ``dropout`` not a number.
        ValueError: If a width or ``num_classes`` is not positive, or
            ``dropout`` is out of range.

    Example:
        >>> model = MLPClassifier([8], num_classes=3)
        >>> tuple(model(np.ones((2, 5), "float32")).shape), model.count_params()
        ((2, 3), 75)
    """

    def __init__(self, hidden_units=(64,), num_classes=10, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        check_type("hidden_units", hidden_units, Iterable, expected="an iterable")
        self.hidden_units = [positive_int("hidden_units", w) for w in hidden_units]
        self.num_classes = positive_int("num_classes", num_classes)
        self.dropout_rate = unit_rate("dropout", dropout)
        self.hidden = [Linear(width, activation="relu") for width in self.hidden_units]
        self.dropout = layers.Dropout(self.dropout_rate)
        self.head = Linear(self.num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
            if training and self.dropout_rate > 0:
                x = self.dropout(x, training=training)
        return self.head(x)

    def get_config(self):
        return {
            "hidden_units": self.hidden_units,
            "num_classes": self.num_classes,
            "dropout": self.dropout_rate,
        }


def build_ticket_model(
    vocabulary_size=500, num_tags=20, num_departments=4, hidden_units=64
):
    """Build the support-ticket model: three inputs, two heads.

    The title and the body arrive as bag-of-words vectors over the same
    vocabulary, the tags as a multi-hot vector. The three are concatenated
    and pass through a shared dense layer named ``features``. Two heads read
    it: ``priority``, a sigmoid score in ``[0, 1]``, and ``department``, a
    softmax over departments. Inputs and outputs are named, so the model
    takes dicts as well as lists.

    Args:
        vocabulary_size: Length of the title and body vectors, a positive int.
        num_tags: Number of possible tags, a positive int.
        num_departments: Number of departments, a positive int.
        hidden_units: Width of the shared ``features`` layer, a positive int.

    Returns:
        An uncompiled functional ``keras.Model``.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is not positive.

    Example:
        >>> model = build_ticket_model(10, num_tags=3, num_departments=2)
        >>> [i.name for i in model.inputs], model.output_names
        (['title', 'body', 'tags'], ['priority', 'department'])
    """
    vocabulary_size = positive_int("vocabulary_size", vocabulary_size)
    num_tags = positive_int("num_tags", num_tags)
    num_departments = positive_int("num_departments", num_departments)
    hidden_units = positive_int("hidden_units", hidden_units)
    title = keras.Input(shape=(vocabulary_size,), name="title")
    body = keras.Input(shape=(vocabulary_size,), name="body")
    tags = keras.Input(shape=(num_tags,), name="tags")
    mixed = layers.Concatenate(name="mixed")([title, body, tags])
    features = layers.Dense(hidden_units, activation="relu", name="features")(mixed)
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(num_departments, activation="softmax", name="department")(
        features
    )
    return keras.Model(
        inputs=[title, body, tags], outputs=[priority, department], name="ticket_model"
    )


def make_ticket_data(
    num_samples=1000, vocabulary_size=500, num_tags=20, num_departments=4, seed=0
):
    """Make synthetic support tickets whose targets the inputs can predict.

    Each department owns a block of the vocabulary: a ticket's body draws
    most of its words from its department's block, and its title a few. The
    priority is 1 when the ticket carries one of the first three tags
    ("urgent"-like) or many words, which a model can learn.

    Args:
        num_samples: Number of tickets, a positive int.
        vocabulary_size: Length of the title and body vectors, an int at least
            ``num_departments``.
        num_tags: Number of possible tags, an int >= 3.
        num_departments: Number of departments, a positive int.
        seed: Seed of the NumPy generator, an int >= 0.

    Returns:
        ``(inputs, targets)``: dicts of float32 arrays, inputs
        ``{"title", "body", "tags"}``, targets ``{"priority", "department"}``
        (priority of shape ``(n, 1)``, department integer labels of shape
        ``(n,)``).

    Raises:
        TypeError: If a size or ``seed`` is not an int.
        ValueError: If a size is too small or ``seed`` is negative.

    Example:
        >>> inputs, targets = make_ticket_data(8, 12, num_tags=4, num_departments=3)
        >>> {k: v.shape for k, v in inputs.items()}
        {'title': (8, 12), 'body': (8, 12), 'tags': (8, 4)}
        >>> targets["priority"].shape, targets["department"].shape
        ((8, 1), (8,))
    """
    positive_int("num_samples", num_samples)
    positive_int("num_departments", num_departments)
    check_scalar("vocabulary_size", vocabulary_size, int, min_value=num_departments)
    check_scalar("num_tags", num_tags, int, min_value=3)
    check_scalar("seed", seed, int, min_value=0)
    rng = np.random.default_rng(seed)
    department = rng.integers(0, num_departments, size=num_samples)
    block = vocabulary_size // num_departments
    # background words
    body = (rng.random((num_samples, vocabulary_size)) < 0.02).astype("float32")
    title = (rng.random((num_samples, vocabulary_size)) < 0.005).astype("float32")
    for i, d in enumerate(department):
        body[i, rng.integers(d * block, (d + 1) * block, size=8)] = 1.0
        title[i, rng.integers(d * block, (d + 1) * block, size=2)] = 1.0
    tags = (rng.random((num_samples, num_tags)) < 0.1).astype("float32")
    urgent = tags[:, :3].max(axis=1) > 0
    long_ticket = body.sum(axis=1) > np.quantile(body.sum(axis=1), 0.8)
    priority = (urgent | long_ticket).astype("float32")[:, None]
    inputs = {"title": title, "body": body, "tags": tags}
    targets = {"priority": priority, "department": department.astype("int32")}
    return inputs, targets


def _inbound_names(value):
    """The layer names in ``keras_history`` entries of a serialized call."""
    if isinstance(value, dict):
        history = (
            value.get("config", {}).get("keras_history")
            if value.get("class_name") == "__keras_tensor__"
            else None
        )
        if history:
            return [history[0]]
        return [name for item in value.values() for name in _inbound_names(item)]
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _inbound_names(item)]
    return []


def layer_graph(model):
    """Describe a functional model's graph as text, one line per layer.

    Each line gives the layer's name and class, the layers it reads from
    (``<-``) and its output shape: a plain-text stand-in for
    ``keras.utils.plot_model``, which needs pydot and Graphviz. The links are
    read from the model's config, Keras's public serialized form.

    Args:
        model: A functional ``keras.Model`` (or a built ``Sequential``).

    Returns:
        The description, a string.

    Raises:
        TypeError: If ``model`` is not a Keras model.
        ValueError: If the model is subclassed, so it has no static graph.

    Example:
        >>> a = keras.Input((3,), name="a")
        >>> model = keras.Model(a, layers.Dense(2, name="out")(a))
        >>> print(layer_graph(model))
        a    InputLayer <- (input)  (None, 3)
        out  Dense      <- a        (None, 2)
    """
    keras_model("model", model)
    try:
        config = model.get_config()
    except NotImplementedError:
        config = None
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError(
            "Expected `model` to be a functional or Sequential model with a static "
            f"graph. Received: {type(model).__name__}"
        )
    rows = []
    if isinstance(model, keras.Sequential):
        previous = "(input)"
        for layer in model.layers:
            rows.append(
                (layer.name, type(layer).__name__, previous, str(layer.output.shape))
            )
            previous = layer.name
    else:
        by_name = {op.name: op for op in model.operations}  # layers and keras.ops calls
        for entry in config["layers"]:
            inbound = list(dict.fromkeys(_inbound_names(entry["inbound_nodes"]))) or [
                "(input)"
            ]
            layer = by_name[entry["name"]]
            rows.append(
                (
                    layer.name,
                    type(layer).__name__,
                    ", ".join(inbound),
                    str(layer.output.shape),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        f"{n:<{widths[0]}}  {c:<{widths[1]}} <- {i:<{widths[2]}}  {s}".rstrip()
        for n, c, i, s in rows
    )
