import numpy as np
import pytest

from grimoire.reproducibility import set_seed


def test_same_seed_same_weights():
    import keras

    def weights():
        set_seed(3)
        layer = keras.layers.Dense(4)
        layer.build((None, 5))
        return layer.kernel.numpy(), np.random.rand(3)

    (k1, n1), (k2, n2) = weights(), weights()
    np.testing.assert_array_equal(k1, k2)
    np.testing.assert_array_equal(n1, n2)


def test_different_seeds_differ():
    set_seed(1)
    a = np.random.rand(4)
    set_seed(2)
    assert not np.array_equal(a, np.random.rand(4))


def test_returns_seed():
    assert set_seed(0) == 0


def test_numpy_integer_seed_is_accepted_as_an_int():
    seed = set_seed(np.int64(5))
    assert seed == 5 and type(seed) is int
    a = np.random.rand()
    set_seed(5)
    assert np.random.rand() == a


@pytest.mark.parametrize(
    "seed, error, message",
    [
        (
            1.5,
            TypeError,
            r"Expected `seed` to be an int. Received: seed=1.5 of type float",
        ),
        (
            True,
            TypeError,
            r"Expected `seed` to be an int. Received: seed=True of type bool",
        ),
        (
            "3",
            TypeError,
            r"Expected `seed` to be an int. Received: seed='3' of type str",
        ),
        (-1, ValueError, r"Expected `seed` to be an int >= 0. Received: seed=-1"),
    ],
)
def test_bad_seed(seed, error, message):
    with pytest.raises(error, match=message):
        set_seed(seed)
