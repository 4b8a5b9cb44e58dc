import numpy as np
import pytest

from grimoire.callbacks import EpochLogger


def test_one_clean_line_per_epoch(capsys):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.random.rand(32, 3), np.random.rand(32, 1)
    model.fit(
        x,
        y,
        epochs=3,
        batch_size=8,
        verbose=0,
        callbacks=[EpochLogger(digits=3)],
        validation_data=(x, y),
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3 - ")
    for line in lines:
        assert "\r" not in line and "ms/step" not in line and "━" not in line
        names = [part.split(":")[0] for part in line.split(" - ")[1:]]
        assert names == ["loss", "mae", "val_loss", "val_mae"]


def test_every_prints_the_last_epoch(capsys):
    logger = EpochLogger(every=2)
    logger.set_params({"epochs": 3})
    for epoch in range(3):
        logger.on_epoch_end(epoch, {"loss": 1.0})
    assert [line.split(" - ")[0] for line in capsys.readouterr().out.splitlines()] == [
        "epoch 2/3",
        "epoch 3/3",
    ]


def test_numpy_integers_are_accepted(capsys):
    logger = EpochLogger(digits=np.int64(2), every=np.int32(1))
    assert type(logger.digits) is int and type(logger.every) is int
    logger.set_params({"epochs": 1})
    logger.on_epoch_end(0, {"loss": np.float32(0.5)})
    assert capsys.readouterr().out == "epoch 1/1 - loss: 0.50\n"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"digits": 2.0},
            TypeError,
            r"Expected `digits` to be an int. Received: digits=2.0 of type float",
        ),
        (
            {"every": "1"},
            TypeError,
            r"Expected `every` to be an int. Received: every='1' of type str",
        ),
        (
            {"digits": True},
            TypeError,
            r"Expected `digits` to be an int. Received: digits=True of type bool",
        ),
        (
            {"digits": -1},
            ValueError,
            r"Expected `digits` to be an int >= 0. Received: digits=-1",
        ),
        (
            {"every": 0},
            ValueError,
            r"Expected `every` to be an int >= 1. Received: every=0",
        ),
    ],
)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        EpochLogger(**kwargs)
