import warnings

import keras
import numpy as np
import pytest

from grimoire.training import (
    CustomTrainStepModel,
    LegacyTrainStepModel,
    ListLogger,
    train_from_scratch,
)

RNG = np.random.default_rng(0)
X = RNG.random((48, 6)).astype("float32")
Y = (X[:, 0] + X[:, 1] > 1).astype("int32")


def tiny(model_class=keras.Model, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return model_class(inputs, keras.layers.Dense(2, activation="softmax")(hidden))


def fit(model, epochs=3, **kwargs):
    model.compile(
        keras.optimizers.SGD(0.5),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(
            X, Y, epochs=epochs, batch_size=16, verbose=0, **kwargs
        ).history


def test_custom_train_step_reports_the_real_decreasing_loss():
    history = fit(tiny(CustomTrainStepModel))
    assert history["loss"][0] > history["loss"][1] > history["loss"][2]
    assert set(history) == {"loss", "accuracy", "grad_norm"}
    assert all(value > 0 for value in history["grad_norm"])


@pytest.mark.slow
def test_custom_train_step_loss_equals_plain_fit():
    custom = fit(tiny(CustomTrainStepModel), shuffle=False)
    plain = fit(tiny(), shuffle=False)
    assert custom["loss"] == pytest.approx(plain["loss"], rel=1e-6)
    assert custom["accuracy"] == pytest.approx(plain["accuracy"])


@pytest.mark.slow
def test_custom_model_evaluates_without_grad_norm():
    model = tiny(CustomTrainStepModel)
    fit(model, epochs=1)
    assert set(model.evaluate(X, Y, verbose=0, return_dict=True)) == {
        "loss",
        "accuracy",
    }


@pytest.mark.slow
def test_legacy_train_step_reports_a_constant_wrong_loss():
    legacy = tiny(LegacyTrainStepModel)
    history = fit(legacy, shuffle=False)
    # The "loss" is the mean softmax output, 1 / num_classes.
    assert history["loss"] == pytest.approx([0.5, 0.5, 0.5])
    plain = tiny()
    plain_history = fit(plain, shuffle=False)
    # Same steps, same accuracy.
    assert history["accuracy"] == pytest.approx(plain_history["accuracy"])
    # The default test step records the real loss.
    real_loss = legacy.evaluate(X, Y, verbose=0)[0]
    assert real_loss == pytest.approx(plain.evaluate(X, Y, verbose=0)[0], rel=1e-5)
    assert real_loss != pytest.approx(0.5, abs=1e-3)


def test_from_scratch_matches_fit():
    model = tiny()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    expected = model.fit(
        X, Y, epochs=2, batch_size=16, verbose=0, shuffle=False
    ).history["loss"]
    twin = tiny()
    losses = train_from_scratch(
        twin,
        X,
        Y,
        keras.losses.SparseCategoricalCrossentropy(),
        keras.optimizers.SGD(0.1),
        epochs=2,
        batch_size=16,
    )
    assert losses == pytest.approx(expected, rel=1e-6)
    for ours, theirs in zip(twin.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_from_scratch_includes_regularization_losses():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(10.0)),
        ]
    )
    plain = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])
    plain.set_weights(model.get_weights())
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with_penalty = train_from_scratch(
        model, X, Y, loss, keras.optimizers.SGD(0.0), batch_size=48
    )
    without = train_from_scratch(
        plain, X, Y, loss, keras.optimizers.SGD(0.0), batch_size=48
    )
    penalty = 10.0 * float((model.get_weights()[0] ** 2).sum())
    assert with_penalty[0] == pytest.approx(without[0] + penalty, rel=1e-5)


def test_list_logger_records_each_epoch():
    records = []
    fit(tiny(), epochs=2, callbacks=[ListLogger(records)], validation_data=(X, Y))
    assert [r["epoch"] for r in records] == [0, 1]
    assert set(records[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}


def test_from_scratch_accepts_numpy_integers():
    model = tiny()
    losses = train_from_scratch(
        model,
        X,
        Y,
        keras.losses.SparseCategoricalCrossentropy(),
        keras.optimizers.SGD(0.1),
        epochs=np.int64(2),
        batch_size=np.int32(16),
    )
    assert len(losses) == 2


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ListLogger(records=()),
            TypeError,
            r"Expected `records` to be a list or None. "
            r"Received: records=\(\) of type tuple",
        ),
        (
            lambda: train_from_scratch(None, X, Y, None, None, epochs=0),
            ValueError,
            r"Expected `epochs` to be an int >= 1. Received: epochs=0",
        ),
        (
            lambda: train_from_scratch(None, X, Y, None, None, epochs="2"),
            TypeError,
            r"Expected `epochs` to be an int. Received: epochs='2' of type str",
        ),
        (
            lambda: train_from_scratch(None, X, Y, None, None, batch_size=2.0),
            TypeError,
            r"Expected `batch_size` to be an int. "
            r"Received: batch_size=2.0 of type float",
        ),
        (
            lambda: train_from_scratch(None, X, Y[:5], None, None),
            ValueError,
            r"Expected `x` and `y` to have the same length. "
            r"Received: len\(x\)=48, len\(y\)=5",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
