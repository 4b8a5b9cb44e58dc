"""Every public function of grimoire rejects a wrong-typed argument by name.

How it works
------------
``REGISTRY`` maps each module to a function that returns one cheap, valid call
per public function or class of the module (no training, no data loading):
``{"name": Call(*args, **kwargs)}``. For every argument of the signature
(defaults included) the test makes the same call with that one argument
replaced by a value of a wrong type, and expects a ``TypeError`` or
``ValueError`` whose message names the argument (`` `name` `` or ``name=``).

The wrong value depends on the valid one (see ``wrong_values``): a string for
a number, ``3`` for a string, ``"yes"`` for a bool, ``1.5`` and ``"1"`` for an
int, and an object of no known kind (``WRONG``) for anything else: callables,
lists and tuples, dicts, models, axes. Two kinds of argument are not
substituted:

- a value of ``None`` in the call: its type cannot be guessed. Give the
  argument a real value in the call to cover it;
- data arrays (NumPy arrays, tensors, pandas objects): NumPy converts almost
  anything, and what can be wrong with data is its shape, tested in each
  module's own tests. Pass configuration sequences (shapes, sizes, names) as
  tuples or lists, so that they are covered.

Adding a module
---------------
1. Write ``def _mymodule(m): return {"function": Call(...), ...}`` below, one
   entry per public function and class in ``m.__all__``; ``m`` is the module.
2. Add ``"grimoire.mymodule": _mymodule`` to ``REGISTRY``.
3. Public names that take no argument need no entry. Records (dataclasses,
   named tuples) and Keras subclasses whose arguments are Keras's own go into
   ``EXEMPT`` with a reason.
4. An argument the function may legitimately accept anything for goes into the
   entry: ``Call(...).untested(label="passes through tf.data unchanged")``.
5. Run ``pytest tests/test_argument_errors.py -k mymodule``. A missing check in
   a module you do not own goes into ``KNOWN_GAPS`` (the test is then an
   expected failure, strict: it fails again once the check exists, so remove
   the line then).

Exceptions are exempt by themselves (no entry needed). A module listed in
``REGISTRY`` that does not exist yet is skipped; a module that exists without
an entry, or a public callable without a ``Call``, fails
``test_every_public_callable_has_an_entry``. Keep the calls cheap: they are
built once, when the tests are collected, and a wrong-typed call that is not
rejected runs to the end.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import numbers
import pkgutil
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest

import grimoire


class _Wrong:
    """A value of no kind any grimoire function accepts."""

    def __repr__(self):
        return "<wrong>"


WRONG = _Wrong()


class Call:
    """One valid call of a public function, and the arguments left out."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs, self.skipped = args, kwargs, {}

    def untested(self, **reasons):
        """Leave arguments out of the test, each with the reason why."""
        self.skipped.update(reasons)
        return self


def is_data(value):
    """Arrays, tensors and pandas objects: not substituted (see the top)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return True
    if type(value).__module__.split(".")[0] in ("pandas", "tensorflow", "keras"):
        return hasattr(value, "shape")
    return False


def wrong_values(value):
    """Values of a wrong type for an argument whose valid value is ``value``."""
    if value is None or is_data(value):
        return ()
    if isinstance(value, bool):
        return ("yes",)
    if isinstance(value, numbers.Integral):
        return (1.5, "1")
    if isinstance(value, numbers.Real):
        return ("0.5",)
    if isinstance(value, str):
        return (3,)
    return (WRONG,)


# --- shared, cheap fixtures for the calls ---------------------------------------


@functools.cache
def _axes():
    from matplotlib.figure import Figure

    return Figure().add_subplot()  # not managed by pyplot: nothing to close


@functools.cache
def _convnet():
    from grimoire.convnets import build_convnet

    return build_convnet((8, 8, 1), num_classes=2, filters=(2,), dense_units=0)


@functools.cache
def _dense_model():
    import keras

    inputs = keras.Input((2,), name="x")
    return keras.Model(inputs, keras.layers.Dense(2, name="out")(inputs))


@functools.cache
def _translator():
    from grimoire.seq2seq import build_translator

    return build_translator(10, 12, 3, 4, d_model=8, num_heads=2, ff_dim=8)


def _tmp(name):
    folder = Path(tempfile.gettempdir()) / "grimoire-argument-errors" / name
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


# --- the registry: one function per module ---------------------------------------


def _autodiff(m):
    return {
        "Scalar": Call(2.0, "x"),
        "finite_difference": Call(abs, 1.0, h=1e-3, scheme="central"),
        "draw_graph": Call(m.Scalar(2.0, "a") * 3, ax=_axes(), spacing=(3.6, 2.4)),
        "higher_derivatives": Call(lambda x: x**2, 1.0, order=2),
        "softmax": Call(np.array([1.0, 2.0]), stable=True),
    }


def _callbacks(m):
    return {"EpochLogger": Call(digits=3, every=1)}


def _convnets(m):
    x, y = np.zeros((2, 8, 8, 1), "float32"), np.array([0, 1])
    return {
        "scale_images": Call(np.zeros((1, 2, 2), "uint8")),
        "build_convnet": Call(
            (8, 8, 1),
            2,
            filters=(2,),
            dense_units=4,
            padding="same",
            pooling=True,
            batch_norm=False,
            dropout=0.1,
            kernel_initializer="glorot_uniform",
            learning_rate=0.01,
        ),
        "build_reference_convnet": Call(True, (28, 28, 1), 10),
        "layer_table": Call(_convnet()),
        "feature_maps": Call(_convnet(), x, ["conv_1"]),
        "mosaic": Call(np.zeros((2, 2, 2)), ncols=2, pad=1, normalize=True),
        "augmentation_layers": Call(flip=True, translation=0.1, seed=0),
        "fit_and_evaluate": Call(
            _convnet(), (x, y), (x, y), epochs=1, batch_size=2, log=False
        ),
        "describe_difference": Call(0.7, 0.5, tolerance=0.01, digits=2),
    }


def _convolution(m):
    image = np.ones((4, 4, 1))
    return {
        "conv_output_length": Call(28, 3, strides=1, padding="valid", dilation_rate=1),
        "conv_output_shape": Call((8, 8, 1), 2, 3, 1, "valid", 1),
        "conv2d_param_count": Call(1, 2, 3, use_bias=True),
        "pooling_output_shape": Call((4, 4, 1), 2, strides=2, padding="valid"),
        "zero_padding_amounts": Call(1),
        "zero_pad2d": Call(image, 1),
        "conv2d": Call(image, np.ones((2, 2, 1, 1)), np.zeros(1), 1, "valid", 1),
        "pool2d": Call(image, 2, strides=2, padding="valid", mode="max"),
        "load_sample_photo": Call(downsample=4),
    }


def _data_sources(m):
    return {
        "search_folders": Call("nyc_weather"),
        "locate": Call("nyc_weather", download=False),
        "read_files": Call("nyc_weather", download=False),
    }


def _datasets(m):
    return {"get_dataset": Call("nyc_weather")}


def _archives(m):
    import tarfile

    return {
        "extract": Call("imdb", download=False).untested(
            download="checked by locate, which extract calls only when the archive "
            "is not extracted yet: the result depends on the cache (grimoire.archives)"
        ),
        "safe_member": Call(tarfile.TarInfo("folder/file"), path=_tmp("archives")),
    }


def _data(m):
    # grimoire.data re-exports names of data_sources, datasets and archives
    calls = {**_data_sources(m), **_datasets(m), **_archives(m)}
    calls["load_imdb"] = Call("test")
    return {name: call for name, call in calls.items() if name in m.__all__}


def _dense_network(m):
    return {
        "prepare_images": Call(np.zeros((2, 4, 4), "uint8")),
        "build_dense_classifier": Call(4, 3, 2),
        "top_predictions": Call(np.array([[0.2, 0.8]]), ["a", "b"]),
    }


def _embeddings(m):
    points, labels = np.eye(3), np.array([0, 1, 1])
    return {
        "fit_pca": Call(points, n_components=2),
        "pca_project": Call(points, m.fit_pca(points, 2)),
        "plot_projection": Call(
            np.eye(2), np.array([0, 1]), ["a", "b"], ax=_axes(), size=4.0, legend=True
        ),
        "nearest_indices": Call(points, points, k=1, metric="euclidean", batch_size=2),
        "knn_accuracy": Call(points, labels, points, labels, k=1, metric="cosine"),
        "interpolate": Call(np.zeros(2), np.ones(2), steps=3),
    }


def _count_vectors(m):
    vocabulary = ["", "[UNK]", "a", "b", "c"]
    return {
        "ppmi_matrix": Call(np.array([0, 1]), np.array([1, 0]), 2, power=0.75),
        "svd_vectors": Call(np.eye(3), 2, iterations=1, seed=0),
        "analogy": Call(np.eye(5), vocabulary, "a", "b", "c", k=1),
    }


def _diagrams(m):
    return {
        "draw_nested_sets": Call(["a", "b"], ax=_axes()),
        "draw_flowchart": Call(
            {"a": (1, 1, "a")}, [], ax=_axes(), xlim=(0, 2), ylim=(0, 2)
        ),
        "draw_rules_vs_learning": Call(ax=_axes()),
        "draw_training_loop": Call(ax=_axes()),
    }


def _forecasting(m):
    x, y = np.zeros((8, 4, 1)), np.ones(8)
    model = m.build_forecaster("dense", (4, 1), units=2)
    return {
        "build_forecaster": Call("dense", (4, 1), units=2),
        "fit_forecaster": Call(
            model,
            (x, y),
            (x, y),
            epochs=1,
            patience=1,
            batch_size=4,
            learning_rate=0.01,
            log=False,
        ),  # fmt: skip
        "forecast": Call(model, x),
        "mae_table": Call({"lstm": [2.0, 2.2]}, baseline=2.5),
        "plot_mae_comparison": Call({"dense": [2.9, 3.0]}, 3.2, ax=_axes()),
        "plot_forecasts": Call(
            np.arange(3), np.ones(3), {"persistence": np.ones(3)}, ax=_axes()
        ),
    }


def _activations(m):
    return {
        "activation": Call("tanh", np.zeros(3)),
        "activation_derivative": Call("tanh", np.zeros(3)),
        "softmax": Call(np.zeros(3), axis=-1),
        "plot_activation": Call("tanh", ax=_axes(), limits=(-2.0, 2.0)),
    }


def _geometry(m):
    points = np.zeros((3, 2))
    return {
        "translate": Call(points, np.ones(2)),
        "rotation_matrix": Call(0.5),
        "scaling_matrix": Call(2.0, 0.5),
        "apply_linear": Call(points, np.eye(2)),
        "apply_affine": Call(points, np.eye(2), np.ones(2)),
        "compose_affine": Call([(np.eye(2), np.zeros(2))]),
        "relu": Call(points),
        "make_grid": Call(-1.0, 1.0, 3, 4),
        "plot_transform": Call(lambda p: p, ax=_axes(), limits=(-2, 2), legend=True),
    }


def _initialization(m):
    return {
        "fans": Call((3, 3, 1, 2)),
        "theoretical_std": Call("he_normal", (3, 3, 1, 2)),
        "initial_weight_std": Call("he_normal", (3, 3, 1, 2), seed=0),
        "filter_spread": Call(np.ones((3, 3, 1, 2))),
    }


def _interpret(m):
    images = np.ones((1, 8, 8, 1), "float32")
    return {
        "filter_patterns": Call(
            _convnet(),
            "relu_1",
            [0],
            steps=1,
            step_size=0.5,
            seed=0,
            border=1,
            pixel_range=(0.0, 1.0),
        ),
        "grad_cam_model": Call(_convnet(), "relu_1", "logits"),
        "grad_cam": Call(_convnet(), images, "relu_1", "logits", 0),
        "upsample": Call(np.zeros((2, 2)), (4, 4)),
        "overlay": Call(np.zeros((4, 4)), np.ones((2, 2)), alpha=0.5, cmap="jet"),
        "randomized_copy": Call(_convnet(), seed=0, layer_names=["logits"]),
        "heatmap_correlation": Call(np.ones((2, 2)), np.eye(2), method="spearman"),
    }


def _losses(m):
    y, p = np.array([1.0, 0.0]), np.array([0.9, 0.2])
    one_hot, probabilities = np.eye(2), np.array([[0.8, 0.2], [0.3, 0.7]])
    return {
        "binary_crossentropy": Call(y, p, from_logits=False),
        "categorical_crossentropy": Call(one_hot, probabilities, from_logits=False),
        "sparse_categorical_crossentropy": Call(
            np.array([0, 1]), probabilities, from_logits=False
        ),
        "mean_squared_error": Call(y, p),
        "mean_absolute_error": Call(y, p),
        "huber": Call(y, p, delta=1.0),
    }


def _metrics(m):
    labels = np.array([0, 1])
    return {
        "confusion_counts": Call(labels, labels, 2),
        "precision_recall_f1": Call(labels, labels, 2, average="macro"),
        "MacroF1Score": Call(3, name="f1"),
    }


def _model_building(m):
    return {
        "dense_params": Call(3, 4),
        "dense_stack_params": Call(3, [4, 2]),
        "Linear": Call(2, activation="relu"),
        "MLPClassifier": Call([4], num_classes=2, dropout=0.1),
        "build_ticket_model": Call(8, 3, 2, 4),
        "make_ticket_data": Call(4, 6, 3, 2, seed=0),
        "layer_graph": Call(_dense_model()),
    }


def _optimizers(m):
    params, grad = np.ones(2), np.ones(2)
    bowl = m.elongated_bowl()
    return {
        "sgd_step": Call(params, grad, learning_rate=0.1).untested(
            state="unused by plain descent: kept for a common signature"
        ),
        "momentum_step": Call(params, grad, learning_rate=0.1, momentum=0.9),
        "rmsprop_step": Call(params, grad, learning_rate=0.1, rho=0.9, epsilon=1e-7),
        "adam_step": Call(params, grad, learning_rate=0.1, beta_1=0.9, beta_2=0.999),
        "elongated_bowl": Call(10.0),
        "numerical_gradient": Call(np.sum, np.zeros(2), h=1e-5),
        "descend": Call(bowl, np.ones(2), "sgd", 3, tolerance=0.01, learning_rate=0.1),
        "fit_line": Call(np.linspace(-1, 1, 8), np.zeros(8), 4, 0.1, epochs=1, seed=0),
        "plot_trajectories": Call(
            bowl, {"a": np.zeros((2, 2))}, ax=_axes(), limits=((-1, 1), (-1, 1))
        ),
    }


def _plotting(m):
    from matplotlib.figure import Figure

    two = np.zeros((2, 4, 4))
    return {
        "show_images": Call(two, ["a", "b"], 2, ["k", "k"], axes=[_axes(), _axes()]),
        "glue_figure": Call("fig-test", fig=Figure()),
        "fit_to_column": Call(Figure(), width=7.0),
        "figure_svg": Call(Figure()),
    }


def _recurrent(m):
    x, h = np.ones((1, 2)), np.zeros((1, 3))
    kernel, recurrent_kernel, bias = np.ones((2, 3)), np.eye(3), np.zeros(3)
    lstm = np.ones((2, 12)), np.ones((3, 12)), np.zeros(12)
    return {
        "sigmoid": Call(np.zeros(2)),
        "simple_rnn_step": Call(x, h, kernel, recurrent_kernel, bias),
        "simple_rnn_forward": Call(np.ones((1, 2, 2)), kernel, recurrent_kernel, bias),
        "split_lstm_gates": Call(np.arange(8)),
        "lstm_step": Call(x, h, h, *lstm),
        "lstm_forward": Call(np.ones((1, 2, 2)), *lstm),
        "recurrent_param_count": Call("lstm", 1, 3),
    }


def _recurrent_layers(m):
    return {
        "build_shape_model": Call(
            "many-to-one", steps=3, features=2, units=2, outputs=1, output_steps=2
        ),
        "recurrent_dropout_masks": Call(0.5, units=2, steps=2, batch=1, seed=0),
    }


def _memory_tasks(m):
    x, y = m.first_step_task(4, steps=3)
    model = m.build_memory_classifier("simple_rnn", 3, units=2)
    return {
        "first_step_task": Call(4, steps=3, noise=1.0, seed=0),
        "ChronoBias": Call(10, seed=0),
        "build_memory_classifier": Call(
            "lstm",
            3,
            features=2,
            units=2,
            copies=1,
            chrono=True,
            recurrent_gain=1.0,
        ),
        "copy_accuracies": Call(model, x, y),
        "input_gradient_norms": Call(model, x, y),
        "trial_sgd_step": Call(model, x, y, learning_rate=0.01, clipnorm=1.0),
    }


def _regularization(m):
    x, y = np.zeros((8, 4), "float32"), np.array([0, 1] * 4)
    tiny = dict(hidden_units=2, depth=1, input_size=4, num_classes=2)
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.8]}
    return {
        "NumpyBatchNorm": Call(2, momentum=0.9, epsilon=1e-3),
        "inverted_dropout": Call(
            np.ones(4), 0.5, training=True, rng=np.random.default_rng(0)
        ),
        "build_variant": Call(
            "baseline",
            "adam",
            4,
            1,
            l2=1e-4,
            dropout_rate=0.3,
            learning_rate=0.01,
            input_size=4,
            num_classes=2,
        ),  # fmt: skip
        "run_experiment": Call(
            {"tiny": tiny},
            (x, y),
            (x, y),
            epochs=1,
            batch_size=8,
            seed=0,
            return_models=False,
        ),  # fmt: skip
        "hidden_kernels": Call(_dense_model()),
        "repeat_experiment": Call(
            {"tiny": tiny}, (x, y), (x, y), seeds=(0,), epochs=1, batch_size=8
        ),
        "summarize": Call({"a": {"accuracy": [0.8], "val_accuracy": [0.7]}}),
        "epochs_to_reach": Call({"val_accuracy": [0.5]}, 0.4, key="val_accuracy"),
        "plot_learning_curves": Call(
            {"a": history}, "loss", ax=_axes(), train=True, validation=True
        ),
    }


def _reproducibility(m):
    return {"set_seed": Call(seed=1)}


def _scratch(m):
    import keras
    import tensorflow as tf

    model = m.NaiveSequential([m.NaiveDense(2, 2)])
    images, labels = np.ones((4, 2), "float32"), np.array([0, 1, 0, 1])
    return {
        "NaiveDense": Call(2, 3, activation=tf.nn.relu, initializer="glorot_uniform"),
        "NaiveSequential": Call([m.NaiveDense(2, 2)]),
        "BatchGenerator": Call(images, labels, batch_size=2, seed=0),
        "update_weights": Call([tf.ones(2)], [tf.Variable(tf.ones(2))], 0.1),
        "one_training_step": Call(
            model, images, labels, 0.1, optimizer=keras.optimizers.SGD()
        ),
        "fit": Call(
            model, images, labels, 1, 2, 0.1, compiled=False, seed=0, verbose=False
        ),
        "evaluate": Call(lambda x: x, images, labels, batch_size=2),
    }


def _seq2seq(m):
    model = _translator()
    return {
        "causal_mask": Call(4),
        "PositionalEmbedding": Call(10, 5, 8),
        "EncoderBlock": Call(8, 2, 16, dropout=0.1),
        "DecoderBlock": Call(8, 2, 16, dropout=0.1, causal=True),
        "build_translator": Call(
            10,
            12,
            3,
            4,
            d_model=8,
            num_heads=2,
            ff_dim=8,
            num_layers=1,
            dropout=0.1,
            causal=True,
        ),  # fmt: skip
        "cross_attention_model": Call(model, block=model.get_layer(index=-2)),
    }


def _text_models(m):
    return {
        "build_bag_model": Call(20, hidden_units=4, dropout=0.5, sparse=True),
        "build_sequence_model": Call(
            20,
            embedding_dim=4,
            units=2,
            mask_zero=True,
            bidirectional=True,
            dropout=0.5,
        ),  # fmt: skip
        "confusion_matrix": Call(np.array([0, 1]), np.array([0, 1]), num_classes=2),
        "train_and_evaluate": Call(
            m.build_bag_model(3, sparse=False),
            (np.eye(3, dtype="float32"), np.array([0, 1, 0])),
            (np.eye(3, dtype="float32"), np.array([0, 1, 0])),
            epochs=1,
            batch_size=2,
            log=False,
        ),
        "plot_confusion_matrix": Call(np.eye(2), ["a", "b"], ax=_axes()),
    }


def _translation(m):
    vocabulary = m.build_vocabulary([["un", "deux"]])
    return {
        "number_pairs": Call([1, 2], lang="fr"),
        "split_tokens": Call("One thousand"),
        "join_tokens": Call(["un", "deux"]),
        "build_vocabulary": Call([["a", "b"]], max_tokens=5),
        "encode": Call([["un"]], vocabulary, 3),
        "teacher_forcing": Call([["un"]], vocabulary, 4),
        "greedy_decode": Call(
            _translator(), np.ones((1, 3), "int32"), vocabulary, batch_size=2
        ),
        "decode_ids": Call(np.array([[4, 5, 3]]), vocabulary),
        "exact_match": Call([["un"]], [["un"]]),
    }


def _tensor_kinds(m):
    images = np.zeros((4, 2, 2))
    return {
        "describe": Call(images),
        "add_channel_axis": Call(images),
        "to_channels_first": Call(np.zeros((1, 2, 2, 1))),
        "to_channels_last": Call(np.zeros((1, 1, 2, 2))),
        "make_clips": Call(images, 2),
        "data_kinds_table": Call(images, batch_size=2, frames=2),
        "markdown_table": Call([("a", 1)], ["x", "y"]),
    }


def _tensor_ops(m):
    x = np.ones((2, 2))
    return {
        "naive_relu": Call(x),
        "naive_add": Call(x, x),
        "broadcast_shape": Call((2, 1), (3,)),
        "naive_broadcast_add": Call(x, np.ones(2)),
        "naive_vector_dot": Call(np.ones(2), np.ones(2)),
        "naive_dot": Call(x, x),
        "naive_transpose": Call(x),
        "best_time": Call(abs, 1, repeat=1),
    }


def _text(m):
    vocabulary = m.build_vocabulary(["the cat sat"])
    return {
        "standardize": Call("The cat."),
        "tokenize": Call("the cat"),
        "ngrams": Call(["the", "cat"], 2),
        "build_vocabulary": Call(["the cat"], max_tokens=5),
        "encode": Call("the cat", vocabulary),
        "multi_hot": Call([[1, 2]], num_tokens=3),
        "ngram_vocabulary": Call(["the cat sat"], 4, ngrams=2),
        "idf_weights": Call(np.array([[0, 1], [1, 1]])),
        "tf_idf": Call(np.array([[1, 2, 0], [0, 1, 1]]), np.array([0.5, 2.0])),
    }


def _bleu(m):
    return {
        "ngram_counts": Call("the cat the cat", 2),
        "modified_precision": Call("the cat", ["the cat"], 1),
        "brevity_penalty": Call(9, 12),
        "corpus_bleu": Call(["the cat"], [["the cat"]], max_order=2, smoothing="none"),
        "sentence_bleu": Call("the cat", ["the cat"], max_order=2, smoothing="exp"),
    }


def _toy_data(m):
    points, labels = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    return {
        "make_rings": Call(8, inner_radius=0.5, outer_radius=1.0, noise=0.1, seed=0),
        "make_xor_blobs": Call(8, noise=0.3, seed=0),
        "fit_linear_probe": Call(points, labels, steps=2, learning_rate=0.5),
        "linear_probe_accuracy": Call(points, labels, steps=2, learning_rate=0.5),
        "plot_classes": Call(
            points, labels, boundary=(np.ones(2), 0.0), ax=_axes(), xlabel="a"
        ),
    }


def _tf_basics(m):
    import tensorflow as tf

    images, labels = np.zeros((4, 2, 2), "uint8"), np.arange(4)
    return {
        "time_eager_vs_graph": Call(tf.abs, tf.ones(2), repeats=1, number=1),
        "TraceCounter": Call(tf.abs),
        "time_batch_sizes": Call(tf.abs, [1, 2], features=2),
        "scale_image": Call(np.zeros((2, 2), "uint8"), 3).untested(
            label="a tensor inside tf.data's map, passed through unchanged"
        ),
        "build_pipeline": Call(images, labels, 2, shuffle_buffer=4, seed=0),
        "python_batches": Call(images, labels, batch_size=2),
        "measure_throughput": Call([(np.zeros((2, 1)), np.zeros(2))], max_batches=1),
    }


def _timeseries(m):
    import pandas as pd

    hours = pd.date_range("2013-01-01", periods=4, freq="h", tz="UTC")
    frame = pd.DataFrame({"temp": [1.0, None, None, 4.0]}, index=hours)
    weather = pd.DataFrame(
        {"origin": "JFK", "time_hour": hours, **{k: 1.0 for k in m.MEASUREMENTS}}
    )
    return {
        "hourly_grid": Call(weather, origin="JFK"),
        "longest_gaps": Call(frame),
        "spikes": Call(np.zeros(3), threshold=1.0),
        "fill_gaps": Call(frame, max_gap=12),
        "fahrenheit_to_celsius": Call(np.array([32.0])),
        "weather_features": Call(m.hourly_grid(weather, "JFK")),
    }


def _windows(m):
    steps = np.arange(10)
    windows = m.forecast_windows(steps, steps, 3, horizon=2, batch_size=4)
    return {
        "time_split": Call(10, (0.6, 0.2, 0.2)),
        "standardize": Call(np.ones((3, 2)), np.ones((2, 2))),
        "forecast_windows": Call(
            steps, steps, 3, 2, sampling_rate=1, sequence_stride=1, batch_size=4
        ),
        "target_leads": Call(windows),
        "window_arrays": Call(windows),
    }


def _word_vectors(m):
    counts = np.array([0, 9000, 900, 90, 10])
    vectors = np.array([[0, 0], [0, 0], [1, 0], [0.9, 0.1], [0, 1.0]])
    vocabulary = ["", "[UNK]", "good", "great", "table"]
    return {
        "keep_probabilities": Call(counts, threshold=0.01),
        "skipgram_pairs": Call([np.array([5, 6, 7, 0])], window=2, keep=None, seed=0),
        "add_negatives": Call(
            np.array([2, 3]), np.array([3, 2]), counts, negatives=2, power=0.75, seed=0
        ),
        "build_skipgram": Call(20, embedding_dim=4, negatives=2, learning_rate=0.01),
        "nearest_neighbours": Call(vectors, vocabulary, "good", k=2),
        "build_pooled_classifier": Call(
            20, 4, embeddings=np.ones((20, 4)), dropout=0.3
        ),
    }


def _training(m):
    import keras

    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 2), "float32")
    loss, optimizer = keras.losses.MeanSquaredError(), keras.optimizers.SGD()
    return {
        "ListLogger": Call(records=[]),
        "train_from_scratch": Call(
            _dense_model(), x, y, loss, optimizer, epochs=1, batch_size=4
        ),
    }


def _transfer(m):
    images, labels = np.arange(4), np.array([0, 1, 0, 1])
    base = m.conv_base(_convnet(), "relu_1")
    model = m.transfer_model(base, num_classes=2, dense_units=2)
    return {
        "select_classes": Call(images, labels, [0]),
        "balanced_subset": Call(images, labels, per_class=1, seed=0),
        "conv_base": Call(_convnet(), "relu_1"),
        "transfer_model": Call(base, 2, dense_units=2, dropout=0.5, learning_rate=1e-3),
        "unfreeze_from": Call(model, base, "conv_1", learning_rate=1e-4),
    }


def _attention(m):
    import keras

    x = np.ones((1, 2, 4))
    weights = m.init_mha_weights(4, 2, 2)
    layer = m.mha_weights_to_keras(weights, keras.layers.MultiHeadAttention(2, 2))
    return {
        "softmax": Call(np.ones(3), axis=-1),
        "scaled_dot_product_attention": Call(
            x, x, x, mask=np.ones((2, 2), bool), scale=True
        ),
        "softmax_saturation": Call(
            [2, 4], num_keys=4, num_queries=2, scale=False, seed=0
        ),
        "init_mha_weights": Call(4, 2, 2, seed=0),
        "multi_head_attention": Call(x, x, weights, key=x),
        "mha_weights_from_keras": Call(layer),
        "mha_weights_to_keras": Call(weights, keras.layers.MultiHeadAttention(2, 2)),
    }


def _transformer(m):
    model = m.build_encoder_classifier(10, 4, embed_dim=4, num_heads=2, ff_dim=4)
    block = m.TransformerEncoder(4, 2, 4, dropout=0.1)
    return {
        "PositionalEmbedding": Call(4, 10, 4),
        "TransformerEncoder": Call(4, 2, 4, dropout=0.1),
        "build_encoder_classifier": Call(
            10,
            4,
            embed_dim=4,
            num_heads=2,
            ff_dim=4,
            num_blocks=1,
            positional=True,
            dropout=0.1,
            learning_rate=1e-3,
            decay_steps=5,
        ),  # fmt: skip
        "padding_effect": Call(
            block,
            np.ones((1, 3, 4)),
            np.array([[1, 1, 0]], bool),
            use_mask=True,
            seed=0,
        ),
        "attention_weights": Call(model, np.array([3, 4, 0]), block="encoder_1"),
        "plot_attention": Call(np.eye(2), ["a", "b"], ax=_axes()),
    }


def _id_ngrams(m):
    ids = np.array([[2, 3, 0]])
    return {
        "id_ngram_codes": Call(ids, 5),
        "id_ngram_vocabulary": Call(ids, 5, max_tokens=3),
        "id_ngram_multi_hot": Call(ids, 5, np.array([2, 3])),
    }


def _distributed(m):
    import keras
    import tensorflow as tf

    def build():
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])

    default = tf.distribute.get_strategy()
    x, y = np.zeros((2, 2), "float32"), np.array([0, 1])
    return {
        "split_cpu": Call(2),
        "one_step_weights": Call(
            build,
            [np.zeros((2, 2), "float32"), np.zeros(2, "float32")],
            x,
            y,
            strategy=default,
            learning_rate=0.1,
            scale="global",
        ),
        "max_difference": Call([np.zeros(2)], [np.ones(2)]),
        "build_classifier": Call(
            hidden_units=2, input_size=4, num_classes=2, multi_worker=False
        ),
        "shard_preview": Call(
            tf.data.Dataset.range(4).batch(2), strategy=default, policy="off", show=2
        ),
        "time_steps": Call(
            default, np.zeros((4, 4), "float32"), np.zeros(4), 2, 2, 1, hidden_units=2
        ),
    }


def _cluster(m):
    folder = _tmp("cluster")
    return {
        "free_ports": Call(2),
        "check_ports_free": Call(m.free_ports(1)),
        "tf_config": Call([5000, 5001], 1),
        "read_tf_config": Call(m.tf_config([5000], 0)),
        "run_workers": Call(
            folder,
            num_workers=1,
            epochs=1,
            examples=8,
            batch_size=4,
            crash=(0, 1),
            skip=(0,),
            timeout=1.0,
            grace=1.0,
            ports=m.free_ports(1),
        ),
        "alive": Call([1]),
        "train_worker": Call(
            folder, epochs=1, examples=8, batch_size=4, crash_in_epoch=1
        ),
    }


REGISTRY = {
    "grimoire.activations": _activations,
    "grimoire.archives": _archives,
    "grimoire.attention": _attention,
    "grimoire.autodiff": _autodiff,
    "grimoire.bleu": _bleu,
    "grimoire.callbacks": _callbacks,
    "grimoire.convnets": _convnets,
    "grimoire.convolution": _convolution,
    "grimoire.count_vectors": _count_vectors,
    "grimoire.data": _data,
    "grimoire.data_sources": _data_sources,
    "grimoire.datasets": _datasets,
    "grimoire.dense_network": _dense_network,
    "grimoire.diagrams": _diagrams,
    "grimoire.embeddings": _embeddings,
    "grimoire.forecasting": _forecasting,
    "grimoire.geometry": _geometry,
    "grimoire.id_ngrams": _id_ngrams,
    "grimoire.initialization": _initialization,
    "grimoire.interpret": _interpret,
    "grimoire.losses": _losses,
    "grimoire.metrics": _metrics,
    "grimoire.model_building": _model_building,
    "grimoire.optimizers": _optimizers,
    "grimoire.plotting": _plotting,
    "grimoire.recurrent": _recurrent,
    "grimoire.recurrent_layers": _recurrent_layers,
    "grimoire.memory_tasks": _memory_tasks,
    "grimoire.regularization": _regularization,
    "grimoire.reproducibility": _reproducibility,
    "grimoire.scratch": _scratch,
    "grimoire.seq2seq": _seq2seq,
    "grimoire.tensor_kinds": _tensor_kinds,
    "grimoire.tensor_ops": _tensor_ops,
    "grimoire.text": _text,
    "grimoire.text_models": _text_models,
    "grimoire.tf_basics": _tf_basics,
    "grimoire.timeseries": _timeseries,
    "grimoire.toy_data": _toy_data,
    "grimoire.training": _training,
    "grimoire.transfer": _transfer,
    "grimoire.transformer": _transformer,
    "grimoire.translation": _translation,
    "grimoire.windows": _windows,
    "grimoire.word_vectors": _word_vectors,
    "grimoire.distributed": _distributed,
    "grimoire.cluster": _cluster,
}

# Public callables with no entry, and why. Names that take no argument, classes
# that derive from Exception and non-callables (constants) need none.
EXEMPT = {
    # records: dataclasses and named tuples that store what they are given
    "grimoire.optimizers.Surface": "a frozen dataclass of a loss surface",
    "grimoire.tf_basics.Timing": "a named tuple of three timings",
    "grimoire.bleu.BleuScore": "a frozen dataclass of a result",
    "grimoire.embeddings.PrincipalAxes": "a named tuple of a fitted PCA",
    "grimoire.data.DataFile": "a frozen dataclass of a file's checksum and source",
    "grimoire.data.Dataset": "a frozen dataclass of a data set's description",
    "grimoire.datasets.DataFile": "a frozen dataclass (see grimoire.data)",
    "grimoire.datasets.Dataset": "a frozen dataclass (see grimoire.data)",
    # Keras subclasses whose arguments are Keras's own (*args, **kwargs)
    "grimoire.training.CustomTrainStepModel": "keras.Model's own arguments",
    "grimoire.training.LegacyTrainStepModel": "keras.Model's own arguments",
    # command-line entry points, tested in their module's tests
    "grimoire.data.main": "the command line; argparse reports its own errors",
    "grimoire.cluster.main": "the workers' command line; tested in test_cluster.py",
    "grimoire.cluster.WorkerRun": "a named tuple of how a worker ended",
    "grimoire.distributed.MultiWorkerModel": "keras.Model's own arguments",
}
# The checks themselves: their messages name the argument they are given, not
# their own parameters; tests/test_validation.py tests every message.
EXEMPT_MODULES = {"grimoire.validation": "the checks; see tests/test_validation.py"}

# Arguments without a named check, in modules whose owners have not added one
# yet: (module.function, argument) -> what happens instead. Each is an expected
# failure, strict: the test fails once the check exists; then delete the line.
KNOWN_GAPS = {
    ("grimoire.convnets.build_convnet", "pooling"): "pooling='yes' is accepted",
    ("grimoire.convnets.build_convnet", "batch_norm"): "batch_norm='yes' is accepted",
    ("grimoire.convnets.build_convnet", "kernel_initializer"): "Keras's own message",
    ("grimoire.convnets.build_reference_convnet", "input_shape"): "not iterable",
    ("grimoire.convnets.mosaic", "normalize"): "normalize='yes' is accepted",
    ("grimoire.convnets.fit_and_evaluate", "log"): "log='yes' is accepted",
    (
        "grimoire.convolution.conv2d_param_count",
        "use_bias",
    ): "use_bias='yes' is accepted",
    ("grimoire.convolution.pooling_output_shape", "pool_size"): "names `kernel_size`",
    ("grimoire.regularization.run_experiment", "train"): "Keras: 'argument after *'",
    ("grimoire.regularization.run_experiment", "validation"): "not iterable",
    ("grimoire.regularization.plot_learning_curves", "ax"): "AttributeError: no 'plot'",
    ("grimoire.regularization.plot_learning_curves", "train"): "'yes' is accepted",
    ("grimoire.regularization.plot_learning_curves", "validation"): "'yes' is accepted",
    (
        "grimoire.seq2seq.build_translator",
        "source_vocabulary_size",
    ): "names `vocabulary_size`",
    (
        "grimoire.seq2seq.build_translator",
        "target_vocabulary_size",
    ): "names `vocabulary_size`",
    ("grimoire.seq2seq.build_translator", "source_length"): "Keras: 'Cannot convert'",
    ("grimoire.seq2seq.build_translator", "target_length"): "Keras: 'Cannot convert'",
    ("grimoire.training.train_from_scratch", "model"): "TensorFlow: 'not callable'",
    ("grimoire.training.train_from_scratch", "loss_fn"): "TensorFlow: 'not callable'",
    ("grimoire.training.train_from_scratch", "optimizer"): "AttributeError: no 'apply'",
    ("grimoire.translation.number_pairs", "numbers"): "not iterable",
}


# --- collection ------------------------------------------------------------------


def _module_names():
    return sorted(
        info.name for info in pkgutil.iter_modules(grimoire.__path__, "grimoire.")
    )


@functools.cache
def _entries(module_name):
    """The registered calls of a module, or None if it does not exist yet."""
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    return module, REGISTRY[module_name](module)


def _arguments(function, call):
    """The arguments of ``function`` to substitute, with their valid values."""
    signature = inspect.signature(function)
    bound = signature.bind(*call.args, **call.kwargs)
    bound.apply_defaults()
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {
        name: value
        for name, value in bound.arguments.items()
        if signature.parameters[name].kind not in variadic
        and name not in call.skipped
        and wrong_values(value)
    }


def _cases():
    cases = []
    for module_name in sorted(REGISTRY):
        try:
            entries = _entries(module_name)
        except Exception as error:  # a broken entry: one failing case says so
            cases.append(pytest.param(module_name, None, None, error, id=module_name))
            continue
        if entries is None:
            continue
        module, calls = entries
        for name, call in calls.items():
            qualified = f"{module_name}.{name}"
            for argument in _arguments(getattr(module, name), call):
                gap = KNOWN_GAPS.get((qualified, argument))
                reason = f"{module_name}: `{argument}` has no named check ({gap})"
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if gap else []
                cases.append(
                    pytest.param(
                        module_name,
                        name,
                        argument,
                        None,
                        marks=marks,
                        id=f"{qualified.removeprefix('grimoire.')}-{argument}",
                    )
                )
    return cases


def _names_argument(message, argument):
    name = re.escape(argument)
    return re.search(rf"`{name}`|`{name}\[|(?<![\w.`]){name}=", message) is not None


@pytest.mark.parametrize("module_name, name, argument, broken", _cases())
def test_wrong_type_is_rejected_by_name(module_name, name, argument, broken):
    if broken is not None:
        raise AssertionError(f"{module_name}: the registry entries fail: {broken!r}")
    module, calls = _entries(module_name)
    function, call = getattr(module, name), calls[name]
    bound = inspect.signature(function).bind(*call.args, **call.kwargs)
    bound.apply_defaults()
    for wrong in wrong_values(bound.arguments[argument]):
        bound.arguments[argument] = wrong
        try:
            function(*bound.args, **bound.kwargs)
        except (TypeError, ValueError) as error:
            assert _names_argument(str(error), argument), (
                f"{name}({argument}={wrong!r}) raised {type(error).__name__} "
                f"without naming `{argument}`: {error}"
            )
        else:
            raise AssertionError(f"{name}({argument}={wrong!r}) raised nothing")


def _needs_entry(module, name):
    obj = getattr(module, name)
    if not callable(obj) or (inspect.isclass(obj) and issubclass(obj, Exception)):
        return False
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return True
    return bool(parameters)


@pytest.mark.parametrize("module_name", _module_names())
def test_every_public_callable_has_an_entry(module_name):
    if module_name in EXEMPT_MODULES:
        return
    assert module_name in REGISTRY, (
        f"{module_name} has no entry in REGISTRY (tests/test_argument_errors.py): "
        "add one, as the top of that file explains"
    )
    module, calls = _entries(module_name)
    missing = [
        name
        for name in module.__all__
        if _needs_entry(module, name)
        and name not in calls
        and f"{module_name}.{name}" not in EXEMPT
    ]
    assert not missing, f"{module_name}: no Call for {missing} in REGISTRY"
    unknown = sorted(set(calls) - set(module.__all__))
    assert not unknown, f"{module_name}: entries for names not in __all__: {unknown}"


def test_known_gaps_and_exemptions_name_existing_objects():
    for qualified, _ in KNOWN_GAPS:
        module_name, _, name = qualified.rpartition(".")
        if importlib.util.find_spec(module_name) is not None:
            assert name in importlib.import_module(module_name).__all__, qualified
    for qualified in EXEMPT:
        module_name, _, name = qualified.rpartition(".")
        if importlib.util.find_spec(module_name) is not None:
            module = importlib.import_module(module_name)
            assert name in getattr(module, "__all__", ()), qualified
