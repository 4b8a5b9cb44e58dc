import itertools

import keras
import numpy as np
import pytest
from keras import layers

from grimoire.convolution import (
    conv2d,
    conv2d_param_count,
    conv_output_length,
    conv_output_shape,
    hand_made_kernels,
    load_sample_photo,
    pool2d,
    pooling_output_shape,
    zero_pad2d,
    zero_padding_amounts,
)

# (height, width), kernel, strides, padding, dilation; Keras refuses strides > 1
# together with dilation > 1.
GRID = [
    (size, kernel, strides, padding, dilation)
    for size, kernel, strides, padding, dilation in itertools.product(
        [(7, 7), (8, 11)],
        [1, 2, 3, (2, 5)],
        [1, 2, (3, 1)],
        ["valid", "same"],
        [1, 2, (1, 3)],
    )
    if strides == 1 or dilation == 1
]


def _keras_conv(
    input_shape, filters, kernel, strides, padding, dilation, use_bias=True
):
    layer = layers.Conv2D(
        filters,
        kernel,
        strides=strides,
        padding=padding,
        dilation_rate=dilation,
        use_bias=use_bias,
    )
    layer.build((None, *input_shape))
    return layer


@pytest.mark.parametrize("size, kernel, strides, padding, dilation", GRID)
def test_shape_formula_and_naive_conv_match_keras(
    size, kernel, strides, padding, dilation
):
    rng = np.random.default_rng(0)
    image = rng.normal(size=(*size, 2))
    try:
        expected = conv_output_shape(image.shape, 3, kernel, strides, padding, dilation)
    except ValueError:  # the dilated kernel does not fit: Keras must refuse it too
        with pytest.raises(ValueError):
            _keras_conv(image.shape, 3, kernel, strides, padding, dilation)(image[None])
        return
    layer = _keras_conv(image.shape, 3, kernel, strides, padding, dilation)
    layer.set_weights([rng.normal(size=layer.kernel.shape), rng.normal(size=3)])
    keras_output = keras.ops.convert_to_numpy(layer(image[None].astype("float32")))[0]
    assert keras_output.shape == expected
    kernel_weights, bias = layer.get_weights()
    ours = conv2d(image, kernel_weights, bias, strides, padding, dilation)
    np.testing.assert_allclose(ours, keras_output, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "channels, filters, kernel, use_bias",
    list(itertools.product([1, 3, 16], [1, 8], [1, 3, (5, 2)], [True, False])),
)
def test_param_count_matches_keras(channels, filters, kernel, use_bias):
    layer = _keras_conv((9, 9, channels), filters, kernel, 1, "valid", 1, use_bias)
    assert (
        conv2d_param_count(channels, filters, kernel, use_bias) == layer.count_params()
    )


def test_rgb_filter_is_three_summed_channel_filters():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(6, 6, 3)), rng.normal(size=(3, 3, 3, 1))
    partial = [conv2d(image[..., c : c + 1], kernel[:, :, c : c + 1]) for c in range(3)]
    np.testing.assert_allclose(sum(partial), conv2d(image, kernel))
    assert kernel.size + 1 == conv2d_param_count(3, 1, 3) == 28


@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [
        (2, None, "valid"),
        (3, None, "valid"),
        (3, 2, "valid"),
        (2, None, "same"),
        (3, 2, "same"),
        ((2, 3), 1, "same"),
    ],
)
@pytest.mark.parametrize(
    "mode, keras_layer",
    [("max", layers.MaxPooling2D), ("average", layers.AveragePooling2D)],
)
def test_pooling_matches_keras(pool_size, strides, padding, mode, keras_layer):
    image = np.random.default_rng(2).normal(size=(7, 8, 2))
    expected = keras.ops.convert_to_numpy(
        keras_layer(pool_size, strides=strides, padding=padding)(
            image[None].astype("float32")
        )
    )[0]
    assert (
        pooling_output_shape(image.shape, pool_size, strides, padding) == expected.shape
    )
    np.testing.assert_allclose(
        pool2d(image, pool_size, strides, padding, mode), expected, rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize("padding", [2, (1, 3), ((0, 1), (2, 3)), ((0, 1), 3)])
def test_zero_pad_matches_keras(padding):
    image = np.random.default_rng(3).normal(size=(4, 5, 2))
    expected = keras.ops.convert_to_numpy(
        layers.ZeroPadding2D(padding)(image[None].astype("float32"))
    )[0]
    np.testing.assert_allclose(zero_pad2d(image, padding), expected, rtol=1e-6)


def test_output_length_by_hand():
    assert conv_output_length(5, 3) == 3
    assert conv_output_length(5, 3, strides=2) == 2
    assert conv_output_length(6, 3, strides=2) == 2
    assert conv_output_length(7, 2, strides=3, padding="same") == 3
    assert conv_output_length(7, 3, dilation_rate=3) == 1


def test_hand_made_kernels_respond_to_the_right_edges():
    kernels = hand_made_kernels()
    left_dark = np.zeros((5, 5, 1))
    left_dark[:, 3:] = 1.0  # a vertical edge
    top_dark = np.transpose(left_dark, (1, 0, 2))  # a horizontal edge
    vertical = kernels["vertical edges"][:, :, None, None]
    horizontal = kernels["horizontal edges"][:, :, None, None]
    assert conv2d(left_dark, vertical).max() == 4 and np.all(
        conv2d(left_dark, horizontal) == 0
    )
    assert conv2d(top_dark, horizontal).max() == 4 and np.all(
        conv2d(top_dark, vertical) == 0
    )
    np.testing.assert_allclose(
        conv2d(np.full((4, 4, 1), 0.3), kernels["blur"][:, :, None, None]), 0.3
    )


def test_sample_photo():
    full = load_sample_photo()
    half = load_sample_photo(downsample=2)
    assert full.shape == (600, 512) and half.shape == (300, 256)
    np.testing.assert_allclose(half[10, 20], full[20:22, 40:42].mean(), rtol=1e-5)
    assert 0.0 <= full.min() < full.max() <= 1.0


def test_numpy_integers_are_accepted_and_give_the_same_results():
    n = np.int64
    assert conv_output_length(n(28), n(5), n(2), "same", n(1)) == 14
    assert type(conv_output_length(n(28), n(5))) is int
    assert conv_output_shape((n(8), n(8), n(3)), n(4), (n(3), n(2))) == (6, 7, 4)
    assert conv2d_param_count(n(3), n(2), n(3)) == conv2d_param_count(3, 2, 3)
    assert pooling_output_shape((7, 7, n(4)), n(3), np.int32(2)) == (3, 3, 4)
    assert zero_padding_amounts(n(1)) == ((1, 1), (1, 1))
    assert zero_padding_amounts((n(0), (n(1), n(2)))) == ((0, 0), (1, 2))
    image = np.random.default_rng(4).normal(size=(6, 6, 1))
    kernel = np.ones((2, 2, 1, 1))
    np.testing.assert_array_equal(
        conv2d(image, kernel, strides=n(2), dilation_rate=(n(1), n(1))),
        conv2d(image, kernel, strides=2),
    )
    np.testing.assert_array_equal(pool2d(image, n(3)), pool2d(image, 3))
    assert load_sample_photo(downsample=n(8)).shape == (75, 64)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: conv_output_length(0, 3),
            ValueError,
            r"Expected `input_length` to be an int >= 1. Received: input_length=0",
        ),
        (
            lambda: conv_output_length(5, 2.0),
            TypeError,
            r"Expected `kernel_size` to be an int. "
            r"Received: kernel_size=2.0 of type float",
        ),
        (
            lambda: conv_output_length("5", 2),
            TypeError,
            r"Expected `input_length` to be an int. "
            r"Received: input_length='5' of type str",
        ),
        (
            lambda: conv_output_length(5, 3, padding="full"),
            ValueError,
            r"Expected `padding` to be one of \('valid', 'same'\). "
            r"Received: padding='full'",
        ),
        (
            lambda: conv_output_length(4, 3, dilation_rate=2),
            ValueError,
            r"Expected `input_length` to be at least the dilated kernel size 5 "
            r"with padding='valid'. Received: input_length=4",
        ),
        (
            lambda: conv_output_shape(28, 8, 3),
            TypeError,
            r"Expected `input_shape` to be a tuple or list. "
            r"Received: input_shape=28 of type int",
        ),
        (
            lambda: conv_output_shape((28, 28), 8, 3),
            ValueError,
            r"Expected `len\(input_shape\)` to be one of \(3,\). "
            r"Received: len\(input_shape\)=2",
        ),
        (
            lambda: conv_output_shape((28, 28, 1), 0, 3),
            ValueError,
            r"Expected `filters` to be an int >= 1. Received: filters=0",
        ),
        (
            lambda: conv_output_shape((28, 28, 1), 8, (3, 3, 3)),
            ValueError,
            r"Expected `len\(kernel_size\)` to be one of \(2,\). "
            r"Received: len\(kernel_size\)=3",
        ),
        (
            lambda: conv_output_shape((28, 28, 1), 8, (3, "3")),
            TypeError,
            r"Expected `kernel_size\[1\]` to be an int. "
            r"Received: kernel_size\[1\]='3' of type str",
        ),
        (
            lambda: conv_output_shape((28, 28, 1), 8, 3, strides=0),
            ValueError,
            r"Expected `strides` to be an int >= 1. Received: strides=0",
        ),
        (
            lambda: conv2d_param_count(True, 8, 3),
            TypeError,
            r"Expected `input_channels` to be an int. "
            r"Received: input_channels=True of type bool",
        ),
        (
            lambda: pooling_output_shape((4, 4, 0)),
            ValueError,
            r"Expected `input_shape\[2\]` to be an int >= 1. "
            r"Received: input_shape\[2\]=0",
        ),
        (
            lambda: zero_padding_amounts((1, -1)),
            ValueError,
            r"Expected `padding\[1\]` to be an int >= 0. Received: padding\[1\]=-1",
        ),
        (
            lambda: zero_padding_amounts(-2),
            ValueError,
            r"Expected `padding` to be an int >= 0. Received: padding=-2",
        ),
        (
            lambda: zero_padding_amounts((1, 2, 3)),
            ValueError,
            r"Expected `len\(padding\)` to be one of \(2,\). "
            r"Received: len\(padding\)=3",
        ),
        (
            lambda: zero_padding_amounts(((1, 2, 3), 3)),
            ValueError,
            r"Expected `len\(padding\[0\]\)` to be one of \(2,\). "
            r"Received: len\(padding\[0\]\)=3",
        ),
        (
            lambda: zero_padding_amounts("1"),
            TypeError,
            r"Expected `padding` to be an int. Received: padding='1' of type str",
        ),
        (
            lambda: zero_pad2d(np.zeros((3, 3)), 1),
            ValueError,
            r"Expected `inputs` of shape \(height, width, channels\). "
            r"Received: inputs.shape=\(3, 3\)",
        ),
        (
            lambda: conv2d(np.zeros((5, 5, 3)), np.zeros((3, 3, 1, 2))),
            ValueError,
            r"Expected `kernel` of shape \(kernel_height, kernel_width, 3, filters\) "
            r"to match the input's channels. Received: kernel.shape=\(3, 3, 1, 2\)",
        ),
        (
            lambda: conv2d(
                np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 2)), bias=np.zeros(3)
            ),
            ValueError,
            r"Expected `bias` of shape \(2,\). Received: bias.shape=\(3,\)",
        ),
        (
            lambda: conv2d(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 2)), strides=1.5),
            TypeError,
            r"Expected `strides` to be an int. Received: strides=1.5 of type float",
        ),
        (
            lambda: pool2d(np.zeros((4, 4, 1)), mode="min"),
            ValueError,
            r"Expected `mode` to be one of \('max', 'average'\). Received: mode='min'",
        ),
        (
            lambda: pool2d(np.zeros((4, 4, 1)), pool_size=(2, 0)),
            ValueError,
            r"Expected `pool_size\[1\]` to be an int >= 1. "
            r"Received: pool_size\[1\]=0",
        ),
        (
            lambda: load_sample_photo(downsample=0),
            ValueError,
            r"Expected `downsample` to be an int >= 1. Received: downsample=0",
        ),
        (
            lambda: load_sample_photo(downsample="2"),
            TypeError,
            r"Expected `downsample` to be an int. "
            r"Received: downsample='2' of type str",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
