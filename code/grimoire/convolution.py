"""Convolutions and pooling written out in NumPy, and their shape arithmetic.

Images are single arrays of shape ``(height, width, channels)`` (Keras's
default ``channels_last`` layout, without the batch axis); kernels have the
layout of a Keras ``Conv2D`` kernel, ``(kernel_height, kernel_width,
in_channels, filters)``. The loops are naive on purpose: they mirror the
definitions, are checked against Keras in the tests, and are slow.
"""

from __future__ import annotations

import matplotlib.image
import numpy as np
from matplotlib import cbook

from grimoire.validation import check_choice, check_scalar, check_type, positive_int

__all__ = [
    "conv_output_length",
    "conv_output_shape",
    "conv2d_param_count",
    "pooling_output_shape",
    "zero_padding_amounts",
    "zero_pad2d",
    "conv2d",
    "pool2d",
    "hand_made_kernels",
    "load_sample_photo",
]


def _pair(name, value, min_value=1):
    """Read an int or a pair of ints (Keras's ``kernel_size`` form) as a pair."""
    if not isinstance(value, (tuple, list)):
        value = check_scalar(name, value, int, min_value=min_value)
        return value, value
    check_choice(f"len({name})", len(value), (2,))
    first, second = (
        check_scalar(f"{name}[{i}]", v, int, min_value=min_value)
        for i, v in enumerate(value)
    )
    return first, second


def _image(inputs):
    inputs = np.asarray(inputs, dtype="float64")
    if inputs.ndim != 3:
        raise ValueError(
            "Expected `inputs` of shape (height, width, channels). "
            f"Received: inputs.shape={inputs.shape}"
        )
    return inputs


def _kernel(kernel, channels):
    kernel = np.asarray(kernel, dtype="float64")
    if kernel.ndim != 4 or kernel.shape[2] != channels:
        raise ValueError(
            f"Expected `kernel` of shape (kernel_height, kernel_width, {channels}, "
            "filters) to match the input's channels. "
            f"Received: kernel.shape={kernel.shape}"
        )
    return kernel


def _bias(bias, filters):
    if bias is not None and np.shape(bias) != (filters,):
        raise ValueError(
            f"Expected `bias` of shape ({filters},). "
            f"Received: bias.shape={np.shape(bias)}"
        )
    return None if bias is None else np.asarray(bias)


def conv_output_length(
    input_length, kernel_size, strides=1, padding="valid", dilation_rate=1
):
    """Length of a convolution's output along one spatial axis.

    A kernel of size ``k`` dilated by ``d`` spans ``(k - 1) * d + 1`` inputs.
    With ``"valid"`` padding it must fit inside the input, and the output has
    ``(n - span) // s + 1`` positions; with ``"same"`` padding zeros are added
    so that the output has ``ceil(n / s)`` positions, whatever the kernel.

    Args:
        input_length: Input size ``n`` along the axis.
        kernel_size: Kernel size ``k`` along the axis.
        strides: Step ``s`` between two positions of the kernel.
        padding: ``"valid"`` (no padding) or ``"same"``.
        dilation_rate: Spacing ``d`` between the kernel's taps.

    Returns:
        The output length, an int.

    Raises:
        TypeError: If a size is not an int.
        ValueError: If a size is below 1, ``padding`` is unknown, or the
            dilated kernel does not fit a ``"valid"`` input.

    Example:
        >>> conv_output_length(28, 5), conv_output_length(28, 5, padding="same")
        (24, 28)
        >>> conv_output_length(28, 3, strides=2, padding="same")
        14
        >>> conv_output_length(9, 3, dilation_rate=2)
        5
    """
    n = positive_int("input_length", input_length)
    k = positive_int("kernel_size", kernel_size)
    s = positive_int("strides", strides)
    d = positive_int("dilation_rate", dilation_rate)
    check_choice("padding", padding, ("valid", "same"))
    if padding == "same":
        return -(-n // s)
    span = (k - 1) * d + 1
    if span > n:
        raise ValueError(
            f"Expected `input_length` to be at least the dilated kernel size {span} "
            f"with padding='valid'. Received: input_length={n}"
        )
    return (n - span) // s + 1


def conv_output_shape(
    input_shape, filters, kernel_size, strides=1, padding="valid", dilation_rate=1
):
    """Shape of a ``Conv2D`` output: one channel per filter, whatever the input has.

    Args:
        input_shape: ``(height, width, channels)``.
        filters: Number of filters, hence of output channels.
        kernel_size: An int or ``(kernel_height, kernel_width)``.
        strides: An int or a pair of ints.
        padding: ``"valid"`` or ``"same"``.
        dilation_rate: An int or a pair of ints.

    Returns:
        ``(out_height, out_width, filters)``.

    Raises:
        TypeError: If ``input_shape`` is not a tuple or list, or a size is not
            an int.
        ValueError: If ``input_shape`` is not a triple or another argument is
            invalid.

    Example:
        >>> conv_output_shape((28, 28, 1), 32, 5)
        (24, 24, 32)
        >>> conv_output_shape((32, 32, 3), 16, (3, 5), strides=2, padding="same")
        (16, 16, 16)
    """
    check_type("input_shape", input_shape, (tuple, list))
    check_choice("len(input_shape)", len(input_shape), (3,))
    filters = positive_int("filters", filters)
    kernel = _pair("kernel_size", kernel_size)
    step = _pair("strides", strides)
    dilation = _pair("dilation_rate", dilation_rate)
    height, width = (
        conv_output_length(
            input_shape[axis], kernel[axis], step[axis], padding, dilation[axis]
        )
        for axis in (0, 1)
    )
    return height, width, filters


def conv2d_param_count(input_channels, filters, kernel_size, use_bias=True):
    """Weights of a ``Conv2D`` layer: per filter, one per tap and input channel, a bias.

    Args:
        input_channels: Channels of the layer's input.
        filters: Number of filters.
        kernel_size: An int or ``(kernel_height, kernel_width)``.
        use_bias: Whether each filter has a bias.

    Returns:
        The parameter count, an int.

    Raises:
        TypeError: If a size is not an int (or a pair of them).
        ValueError: If a size is below 1.

    Example:
        >>> conv2d_param_count(3, 1, 3)  # a 3x3 filter on RGB: 3*3*3 weights, 1 bias
        28
        >>> conv2d_param_count(32, 64, (5, 5), use_bias=False)
        51200
    """
    channels = positive_int("input_channels", input_channels)
    filters = positive_int("filters", filters)
    kernel_height, kernel_width = _pair("kernel_size", kernel_size)
    return (kernel_height * kernel_width * channels + bool(use_bias)) * filters


def pooling_output_shape(input_shape, pool_size=2, strides=None, padding="valid"):
    """Shape of a ``MaxPooling2D`` or ``AveragePooling2D`` output.

    The arithmetic of a convolution whose kernel is the pool window; strides
    default to the pool size (no overlap), and the channels are unchanged.

    Args:
        input_shape: ``(height, width, channels)``.
        pool_size: An int or a pair of ints.
        strides: An int, a pair of ints, or None for ``pool_size``.
        padding: ``"valid"`` or ``"same"``.

    Returns:
        ``(out_height, out_width, channels)``.

    Raises:
        ValueError: If an argument is invalid (see :func:`conv_output_shape`).

    Example:
        >>> pooling_output_shape((24, 24, 32))
        (12, 12, 32)
        >>> pooling_output_shape((7, 7, 4), pool_size=3, strides=2, padding="same")
        (4, 4, 4)
    """
    strides = pool_size if strides is None else strides
    height, width, _ = conv_output_shape(input_shape, 1, pool_size, strides, padding)
    return height, width, positive_int("input_shape[2]", input_shape[2])


def zero_padding_amounts(padding):
    """Read a ``ZeroPadding2D`` argument as ``((top, bottom), (left, right))``.

    An int pads all four sides alike; a tuple of 2 ints ``(rows, columns)``
    pads top and bottom by the first, left and right by the second; a tuple
    of 2 tuples gives each side. As in Keras, each entry of the tuple is read
    on its own, so ``((0, 1), 3)`` is accepted too.

    Args:
        padding: One of the three forms, with non-negative ints.

    Returns:
        ``((top, bottom), (left, right))``.

    Raises:
        TypeError: If ``padding`` or one of its entries is not an int, a
            tuple or a list.
        ValueError: If a tuple has not 2 entries or an amount is negative.

    Example:
        >>> zero_padding_amounts(2)
        ((2, 2), (2, 2))
        >>> zero_padding_amounts((1, 3))
        ((1, 1), (3, 3))
        >>> zero_padding_amounts(((0, 1), (2, 3)))
        ((0, 1), (2, 3))
    """
    if not isinstance(padding, (tuple, list)):
        size = check_scalar("padding", padding, int, min_value=0)
        return (size, size), (size, size)
    check_choice("len(padding)", len(padding), (2,))
    rows = _pair("padding[0]", padding[0], min_value=0)
    columns = _pair("padding[1]", padding[1], min_value=0)
    return rows, columns


def zero_pad2d(inputs, padding):
    """Surround an image with zeros, as ``keras.layers.ZeroPadding2D`` does.

    Args:
        inputs: Array of shape ``(height, width, channels)``.
        padding: Any form accepted by :func:`zero_padding_amounts`.

    Returns:
        Array of shape ``(height + top + bottom, width + left + right,
        channels)``.

    Raises:
        TypeError: If ``padding`` is of the wrong type.
        ValueError: If ``inputs`` is not 3-D or ``padding`` is invalid.

    Example:
        >>> padded = zero_pad2d(np.ones((2, 2, 1)), ((1, 0), (0, 2)))
        >>> padded[..., 0].astype(int).tolist()
        [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]]
    """
    inputs = _image(inputs)
    rows, columns = zero_padding_amounts(padding)
    return np.pad(inputs, (rows, columns, (0, 0)))


def _same_padding(length, window, step, dilation):
    """Zeros before and after one axis for ``"same"`` padding (more after if odd)."""
    out = -(-length // step)
    total = max((out - 1) * step + (window - 1) * dilation + 1 - length, 0)
    return total // 2, total - total // 2


def conv2d(inputs, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """A 2-D convolution (strictly, a cross-correlation), one output at a time.

    At each output position the kernel is laid on the input (taps
    ``dilation_rate`` apart), multiplied with the values under it over all
    input channels, and summed. The kernel is not flipped, which makes this a
    cross-correlation: what deep-learning libraries call a convolution.

    Args:
        inputs: Array of shape ``(height, width, in_channels)``.
        kernel: Array of shape ``(kernel_height, kernel_width, in_channels,
            filters)``.
        bias: None or an array of ``filters`` biases.
        strides: An int or a pair of ints.
        padding: ``"valid"`` or ``"same"``.
        dilation_rate: An int or a pair of ints.

    Returns:
        Array of shape ``(out_height, out_width, filters)``, see
        :func:`conv_output_shape`.

    Raises:
        TypeError: If ``strides`` or ``dilation_rate`` is of the wrong type.
        ValueError: If ``inputs``, ``kernel`` and ``bias`` do not match, or
            another argument is invalid.

    Example:
        >>> image = np.arange(16.0).reshape(4, 4, 1)
        >>> kernel = np.ones((2, 2, 1, 1))  # sums 2x2 windows
        >>> conv2d(image, kernel, strides=2)[..., 0].tolist()
        [[10.0, 18.0], [42.0, 50.0]]
    """
    inputs = _image(inputs)
    kernel = _kernel(kernel, channels=inputs.shape[2])
    kh, kw, _, filters = kernel.shape
    bias = _bias(bias, filters)
    sh, sw = _pair("strides", strides)
    dh, dw = _pair("dilation_rate", dilation_rate)
    out_h, out_w, _ = conv_output_shape(
        inputs.shape, filters, (kh, kw), (sh, sw), padding, (dh, dw)
    )
    if padding == "same":
        rows = _same_padding(inputs.shape[0], kh, sh, dh)
        columns = _same_padding(inputs.shape[1], kw, sw, dw)
        inputs = np.pad(inputs, (rows, columns, (0, 0)))
    output = np.zeros((out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = inputs[
                i * sh : i * sh + (kh - 1) * dh + 1 : dh,
                j * sw : j * sw + (kw - 1) * dw + 1 : dw,
            ]
            # Multiply and sum over rows, columns and channels: one value per filter.
            output[i, j] = np.tensordot(window, kernel, axes=3)
    return output if bias is None else output + bias


def pool2d(inputs, pool_size=2, strides=None, padding="valid", mode="max"):
    """Max or average pooling, channel by channel, one window at a time.

    With ``"same"`` padding the padded cells are ignored: they never win a
    max and are not counted in an average, as in Keras.

    Args:
        inputs: Array of shape ``(height, width, channels)``.
        pool_size: An int or a pair of ints.
        strides: An int, a pair of ints, or None for ``pool_size``.
        padding: ``"valid"`` or ``"same"``.
        mode: ``"max"`` or ``"average"``.

    Returns:
        Array of shape ``(out_height, out_width, channels)``, see
        :func:`pooling_output_shape`.

    Raises:
        TypeError: If ``pool_size`` or ``strides`` is of the wrong type.
        ValueError: If ``inputs`` is not 3-D, ``mode`` is unknown, or another
            argument is invalid.

    Example:
        >>> rows = [[1, 2, 5, 6], [3, 4, 7, 9], [0, 0, 1, 1], [0, 8, 1, 1]]
        >>> image = np.array(rows).reshape(4, 4, 1)
        >>> pool2d(image)[..., 0].tolist()
        [[4.0, 9.0], [8.0, 1.0]]
        >>> pool2d(image, mode="average")[..., 0].tolist()
        [[2.5, 6.75], [2.0, 1.0]]
    """
    inputs = _image(inputs)
    check_choice("mode", mode, ("max", "average"))
    ph, pw = _pair("pool_size", pool_size)
    sh, sw = (ph, pw) if strides is None else _pair("strides", strides)
    out_h, out_w, channels = pooling_output_shape(
        inputs.shape, (ph, pw), (sh, sw), padding
    )
    if padding == "same":  # NaN marks padding; the nan-aware reductions skip it
        rows = _same_padding(inputs.shape[0], ph, sh, 1)
        columns = _same_padding(inputs.shape[1], pw, sw, 1)
        inputs = np.pad(inputs, (rows, columns, (0, 0)), constant_values=np.nan)
    reduce = np.nanmax if mode == "max" else np.nanmean
    output = np.zeros((out_h, out_w, channels))
    for i in range(out_h):
        for j in range(out_w):
            window = inputs[i * sh : i * sh + ph, j * sw : j * sw + pw]
            output[i, j] = reduce(window, axis=(0, 1))
    return output


def hand_made_kernels():
    """Three classic 3x3 filters, designed by hand rather than learned.

    ``"vertical edges"`` is the Sobel filter for a change of brightness from
    left to right; ``"horizontal edges"``, its transpose, for top to bottom;
    ``"blur"`` a Gaussian-like average that sums to 1, so it keeps brightness.

    Returns:
        A dict from name to a ``(3, 3)`` float array.

    Example:
        >>> kernels = hand_made_kernels()
        >>> list(kernels)
        ['vertical edges', 'horizontal edges', 'blur']
        >>> kernels["vertical edges"].astype(int).tolist()
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        >>> float(kernels["blur"].sum())
        1.0
    """
    vertical = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    blur = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0
    return {
        "vertical edges": vertical,
        "horizontal edges": vertical.T.copy(),
        "blur": blur,
    }


def load_sample_photo(downsample=1):
    """The portrait of Grace Hopper that ships with matplotlib, in grey scale.

    The photo (``grace_hopper.jpg``, 600 x 512 RGB pixels) is among the sample
    files installed with matplotlib's package data, so it is there offline.
    Colours are mixed to one brightness with the ITU-R BT.601 luma weights.

    Args:
        downsample: Average blocks of ``downsample x downsample`` pixels into
            one (incomplete blocks at the edges are cropped).

    Returns:
        float32 array of shape ``(600 // downsample, 512 // downsample)`` in
        ``[0, 1]`` (0 is black).

    Raises:
        TypeError: If ``downsample`` is not an int.
        ValueError: If ``downsample`` is below 1.

    Example:
        >>> photo = load_sample_photo(downsample=4)
        >>> photo.shape, photo.dtype, bool(0 <= photo.min() < photo.max() <= 1)
        ((150, 128), dtype('float32'), True)
    """
    step = positive_int("downsample", downsample)
    rgb = matplotlib.image.imread(
        cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    )
    grey = rgb[..., :3].astype("float64") @ np.array([0.299, 0.587, 0.114]) / 255.0
    height, width = (grey.shape[0] // step) * step, (grey.shape[1] // step) * step
    blocks = grey[:height, :width].reshape(height // step, step, width // step, step)
    return blocks.mean(axis=(1, 3)).astype("float32")
