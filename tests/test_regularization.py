import keras
import numpy as np
import pytest

from grimoire.regularization import (
    NumpyBatchNorm,
    build_variant,
    epochs_to_reach,
    hidden_kernels,
    inverted_dropout,
    plot_learning_curves,
    repeat_experiment,
    run_experiment,
    summarize,
)

RNG = np.random.default_rng(0)
X = RNG.normal(loc=3.0, scale=2.0, size=(32, 5)).astype("float32")
Y = (X[:, 0] > 3).astype("int32")


def test_numpy_batchnorm_matches_keras_in_training_and_inference():
    ours = NumpyBatchNorm(5)
    theirs = keras.layers.BatchNormalization()
    theirs.build((None, 5))
    for batch in (X[:16], X[16:]):
        np.testing.assert_allclose(
            ours(batch, training=True),
            theirs(batch, training=True),
            rtol=1e-4,
            atol=1e-4,
        )
    np.testing.assert_allclose(ours.moving_mean, theirs.moving_mean, rtol=1e-5)
    np.testing.assert_allclose(ours.moving_variance, theirs.moving_variance, rtol=1e-5)
    np.testing.assert_allclose(
        ours(X, training=False), theirs(X, training=False), rtol=1e-4, atol=1e-4
    )


def test_batchnorm_training_output_is_standardized_and_batch_dependent():
    out = NumpyBatchNorm(5)(X, training=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)
    bn = NumpyBatchNorm(5)
    alone = bn(X[:1], training=False)
    together = bn(X[:4], training=False)[:1]
    # Inference: one example does not depend on the rest of the batch.
    np.testing.assert_allclose(alone, together)


def test_dropout_keeps_the_expected_value():
    out = inverted_dropout(np.ones(20000), rate=0.3, rng=np.random.default_rng(0))
    assert set(np.unique(out).round(6)) == {0.0, round(1 / 0.7, 6)}
    assert (out == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)
    assert inverted_dropout(np.ones(4), rate=0.0).tolist() == [1.0] * 4


def test_dropout_matches_keras_statistics_and_inference():
    layer = keras.layers.Dropout(0.3, seed=0)
    trained = np.asarray(layer(np.ones((200, 100), "float32"), training=True))
    assert np.unique(trained) == pytest.approx([0.0, 1 / 0.7])
    assert (trained == 0).mean() == pytest.approx(0.3, abs=0.02)
    assert np.asarray(layer(X, training=False)) == pytest.approx(X)


@pytest.mark.parametrize(
    "variant, layer_names",
    [
        ("baseline", ["Dense", "Dense"]),
        ("l2", ["Dense", "Dense"]),
        ("dropout", ["Dense", "Dropout", "Dense"]),
        ("batchnorm", ["Dense", "BatchNormalization", "Activation", "Dense"]),
    ],
)
def test_variants(variant, layer_names):
    model = build_variant(variant, hidden_units=4, depth=1, input_size=5, num_classes=2)
    assert [layer.__class__.__name__ for layer in model.layers] == layer_names
    model(X[:2])
    assert len(model.losses) == (1 if variant == "l2" else 0)


def test_l2_penalty_is_factor_times_sum_of_squares():
    model = build_variant(
        "l2", hidden_units=4, depth=2, input_size=5, num_classes=2, l2=0.01
    )
    model(X[:1])
    kernels = [layer.kernel.numpy() for layer in model.layers[:2]]
    assert float(sum(model.losses)) == pytest.approx(
        0.01 * sum((k**2).sum() for k in kernels), rel=1e-5
    )


@pytest.mark.parametrize(
    "name, kind, momentum",
    [
        ("sgd", "SGD", 0.0),
        ("momentum", "SGD", 0.9),
        ("rmsprop", "RMSprop", None),
        ("adam", "Adam", None),
    ],
)
def test_optimizers(name, kind, momentum):
    model = build_variant(
        optimizer=name,
        hidden_units=4,
        depth=1,
        input_size=5,
        num_classes=2,
        learning_rate=0.05,
    )
    assert model.optimizer.__class__.__name__ == kind
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    if momentum is not None:
        assert model.optimizer.momentum == momentum


@pytest.mark.slow
def test_run_experiment_is_reproducible_and_summarized():
    configs = {
        "a": dict(
            hidden_units=4, depth=1, input_size=5, num_classes=2, optimizer="sgd"
        ),
        "b": dict(
            variant="dropout", hidden_units=4, depth=1, input_size=5, num_classes=2
        ),
    }
    first = run_experiment(configs, (X, Y), (X, Y), epochs=2, batch_size=16)
    second, models = run_experiment(
        configs, (X, Y), (X, Y), epochs=2, batch_size=16, return_models=True
    )
    assert (
        first["a"]["loss"] == second["a"]["loss"]
        and first["b"]["loss"] == second["b"]["loss"]
    )
    assert models["b"].evaluate(X, Y, verbose=0)[0] == pytest.approx(
        second["b"]["val_loss"][-1], rel=1e-5
    )
    rows = summarize(first)
    assert [row["name"] for row in rows] == ["a", "b"]
    assert rows[0]["gap"] == pytest.approx(
        first["a"]["accuracy"][-1] - first["a"]["val_accuracy"][-1]
    )


def test_epochs_to_reach_and_plot():
    assert epochs_to_reach({"accuracy": [0.1, 0.3, 0.2]}, 0.25, key="accuracy") == 2
    ax = plot_learning_curves(
        {"a": {"accuracy": [0.5, 0.6], "val_accuracy": [0.4, 0.5]}}, train=False
    )
    assert [line.get_label() for line in ax.get_lines()] == ["a (validation)"]


def test_numpy_scalars_are_accepted_and_give_the_same_results():
    plain = NumpyBatchNorm(5, momentum=0.5, epsilon=0.01)
    numpy = NumpyBatchNorm(np.int64(5), momentum=np.float32(0.5), epsilon=0.01)
    np.testing.assert_array_equal(plain(X, training=True), numpy(X, training=True))
    np.testing.assert_array_equal(plain.moving_mean, numpy.moving_mean)
    a = inverted_dropout(X, 0.5, rng=np.random.default_rng(1))
    b = inverted_dropout(X, np.float32(0.5), rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    model = build_variant(
        "dropout",
        hidden_units=np.int64(4),
        depth=np.int32(2),
        input_size=np.int64(5),
        num_classes=np.int64(2),
        dropout_rate=np.float32(0.25),
        learning_rate=np.float64(0.05),
    )
    assert model.count_params() == (5 * 4 + 4) + (4 * 4 + 4) + (4 * 2 + 2)
    assert model.layers[1].rate == 0.25
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    histories = run_experiment(
        {"a": dict(hidden_units=4, depth=1, input_size=5, num_classes=2)},
        (X, Y),
        (X, Y),
        epochs=np.int64(1),
        batch_size=np.int64(16),
        seed=np.int64(3),
    )
    assert len(histories["a"]["loss"]) == 1


def test_hidden_kernels_skip_the_output_and_non_dense_layers():
    model = build_variant("batchnorm", hidden_units=3, depth=2, input_size=5)
    kernels = hidden_kernels(model)
    assert [k.shape for k in kernels] == [(5, 3), (3, 3)]
    np.testing.assert_array_equal(kernels[1], model.layers[3].kernel.numpy())


TINY = dict(hidden_units=4, depth=1, input_size=5, num_classes=2)


@pytest.mark.slow
def test_repeat_experiment_matches_one_run_per_seed():
    configs = {"plain": TINY, "l2": dict(TINY, variant="l2", l2=0.1)}
    runs, results = repeat_experiment(
        configs, (X, Y), (X, Y), seeds=[3, 4], epochs=2, batch_size=8
    )
    assert sorted(runs) == [3, 4]
    for index, seed in enumerate([3, 4]):
        histories, models = run_experiment(
            configs, (X, Y), (X, Y), epochs=2, batch_size=8, seed=seed,
            return_models=True,
        )  # fmt: skip
        for name in configs:
            measured = results[name]
            assert measured["val_accuracy"][index] == pytest.approx(
                histories[name]["val_accuracy"][-1]
            )
            train_accuracy = models[name].evaluate(X, Y, verbose=0)[1]
            fit_gap = (
                histories[name]["accuracy"][-1] - histories[name]["val_accuracy"][-1]
            )
            assert measured["fit_gap"][index] == pytest.approx(fit_gap)
            assert measured["train_accuracy"][index] == pytest.approx(train_accuracy)
            norm = np.sqrt(sum((k**2).sum() for k in hidden_kernels(models[name])))
            assert measured["kernel_norm"][index] == pytest.approx(norm, rel=1e-5)
    for measured in results.values():
        np.testing.assert_allclose(
            measured["gap"], measured["train_accuracy"] - measured["val_accuracy"]
        )
    # a strong penalty keeps the weights smaller, seed by seed
    assert np.all(results["l2"]["kernel_norm"] < results["plain"]["kernel_norm"])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: NumpyBatchNorm(0),
            ValueError,
            r"Expected `num_features` to be an int >= 1. Received: num_features=0",
        ),
        (
            lambda: NumpyBatchNorm(2.0),
            TypeError,
            r"Expected `num_features` to be an int. "
            r"Received: num_features=2.0 of type float",
        ),
        (
            lambda: NumpyBatchNorm(2, momentum=1.0),
            ValueError,
            r"Expected `momentum` to be a float in \[0, 1\). Received: momentum=1.0",
        ),
        (
            lambda: NumpyBatchNorm(2, momentum="0.9"),
            TypeError,
            r"Expected `momentum` to be a float. "
            r"Received: momentum='0.9' of type str",
        ),
        (
            lambda: NumpyBatchNorm(2, epsilon=0),
            ValueError,
            r"Expected `epsilon` to be a float > 0. Received: epsilon=0.0",
        ),
        (
            lambda: NumpyBatchNorm(2)(np.ones((3, 4))),
            ValueError,
            r"Expected `x` of shape \(batch_size, ..., 2\). Received: x.shape=\(3, 4\)",
        ),
        (
            lambda: NumpyBatchNorm(2)(np.ones((3, 2)), training=1),
            TypeError,
            r"Expected `training` to be a bool. Received: training=1 of type int",
        ),
        (
            lambda: inverted_dropout(np.ones(2), rate=1.0),
            ValueError,
            r"Expected `rate` to be a float in \[0, 1\). Received: rate=1.0",
        ),
        (
            lambda: inverted_dropout(np.ones(2), rate=True),
            TypeError,
            r"Expected `rate` to be a float. Received: rate=True of type bool",
        ),
        (
            lambda: inverted_dropout(np.ones(2), rate=0.5, training="no"),
            TypeError,
            r"Expected `training` to be a bool. Received: training='no' of type str",
        ),
        (
            lambda: inverted_dropout(np.ones(2), rate=0.5, rng=0),
            TypeError,
            r"Expected `rng` to be a Generator or None. Received: rng=0 of type int",
        ),
        (
            lambda: build_variant("wide"),
            ValueError,
            r"Expected `variant` to be one of "
            r"\('baseline', 'l2', 'dropout', 'batchnorm'\). Received: variant='wide'",
        ),
        (
            lambda: build_variant(optimizer="adagrad"),
            ValueError,
            r"Expected `optimizer` to be one of "
            r"\('sgd', 'momentum', 'rmsprop', 'adam'\). Received: optimizer='adagrad'",
        ),
        (
            lambda: build_variant(hidden_units=0),
            ValueError,
            r"Expected `hidden_units` to be an int >= 1. Received: hidden_units=0",
        ),
        (
            lambda: build_variant(depth=1.5),
            TypeError,
            r"Expected `depth` to be an int. Received: depth=1.5 of type float",
        ),
        (
            lambda: build_variant(input_size=-1),
            ValueError,
            r"Expected `input_size` to be an int >= 1. Received: input_size=-1",
        ),
        (
            lambda: build_variant(num_classes=0),
            ValueError,
            r"Expected `num_classes` to be an int >= 1. Received: num_classes=0",
        ),
        (
            lambda: build_variant(dropout_rate=-0.1),
            ValueError,
            r"Expected `dropout_rate` to be a float in \[0, 1\). "
            r"Received: dropout_rate=-0.1",
        ),
        (
            lambda: build_variant(l2=-1),
            ValueError,
            r"Expected `l2` to be a float >= 0. Received: l2=-1.0",
        ),
        (
            lambda: build_variant(l2="1e-4"),
            TypeError,
            r"Expected `l2` to be a float. Received: l2='1e-4' of type str",
        ),
        (
            lambda: build_variant(learning_rate=0),
            ValueError,
            r"Expected `learning_rate` to be a float > 0. Received: learning_rate=0.0",
        ),
        (
            lambda: build_variant(learning_rate="0.1"),
            TypeError,
            r"Expected `learning_rate` to be a float. "
            r"Received: learning_rate='0.1' of type str",
        ),
        (
            lambda: run_experiment({}, (X, Y), (X, Y)),
            ValueError,
            r"Expected `len\(configs\)` to be an int >= 1. Received: len\(configs\)=0",
        ),
        (
            lambda: run_experiment(["a"], (X, Y), (X, Y)),
            TypeError,
            r"Expected `configs` to be a dict. Received: configs=\['a'\] of type list",
        ),
        (
            lambda: run_experiment({"a": {}}, (X, Y), (X, Y), epochs=0),
            ValueError,
            r"Expected `epochs` to be an int >= 1. Received: epochs=0",
        ),
        (
            lambda: run_experiment({"a": {}}, (X, Y), (X, Y), batch_size=None),
            TypeError,
            r"Expected `batch_size` to be an int. "
            r"Received: batch_size=None of type NoneType",
        ),
        (
            lambda: run_experiment({"a": {}}, (X, Y), (X, Y), seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: run_experiment({"a": {}}, (X, Y), (X, Y), return_models=1),
            TypeError,
            r"Expected `return_models` to be a bool. "
            r"Received: return_models=1 of type int",
        ),
        (
            lambda: summarize({"a": {"loss": [1.0]}}),
            ValueError,
            r"Expected each history to have 'accuracy' and 'val_accuracy'. "
            r"Received: 'a' with keys \['loss'\]",
        ),
        (
            lambda: epochs_to_reach({"loss": [1.0]}, 0.5),
            ValueError,
            r"Expected `key` to be one of \('loss',\). Received: key='val_accuracy'",
        ),
        (
            lambda: epochs_to_reach({"loss": [1.0]}, "0.5", key="loss"),
            TypeError,
            r"Expected `threshold` to be a float. "
            r"Received: threshold='0.5' of type str",
        ),
        (
            lambda: hidden_kernels("model"),
            TypeError,
            r"Expected `model` to be a keras.Model. "
            r"Received: model='model' of type str",
        ),
        (
            lambda: repeat_experiment({"a": TINY}, (X, Y), (X, Y), seeds=3),
            TypeError,
            r"Expected `seeds` to be a list or tuple of ints. "
            r"Received: seeds=3 of type int",
        ),
        (
            lambda: repeat_experiment({"a": TINY}, (X, Y), (X, Y), seeds=[]),
            ValueError,
            r"Expected `len\(seeds\)` to be an int >= 1. Received: len\(seeds\)=0",
        ),
        (
            lambda: repeat_experiment({"a": TINY}, (X, Y), (X, Y), seeds=[0, -1]),
            ValueError,
            r"Expected `seeds\[1\]` to be an int >= 0. Received: seeds\[1\]=-1",
        ),
        (
            lambda: repeat_experiment({"a": TINY}, X, (X, Y)),
            TypeError,
            r"Expected `train` to be an \(x, y\) pair. Received: train=",
        ),
        (
            lambda: summarize([]),
            TypeError,
            r"Expected `histories` to be a dict. Received: histories=\[\] of type list",
        ),
        (
            lambda: epochs_to_reach([0.5], 0.5),
            TypeError,
            r"Expected `history` to be a dict. Received: history=\[0.5\] of type list",
        ),
        (
            lambda: plot_learning_curves({"a": {"loss": [1.0]}}, metric=None),
            TypeError,
            r"Expected `metric` to be a str. Received: metric=None of type NoneType",
        ),
        (
            lambda: plot_learning_curves({}, train=False, validation=False),
            ValueError,
            r"Expected `train` or `validation` to be True. Received: both False",
        ),
        (
            lambda: plot_learning_curves({"a": {"loss": [1.0]}}),
            ValueError,
            r"Expected history 'a' to have \['accuracy', 'val_accuracy'\]. "
            r"Received keys: \['loss'\]",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
