"""Gradient descent and its descendants, small enough to read.

Each ``*_step`` function maps (parameters, gradient, state) to (new parameters,
new state); the state is a dict, None at the start. They follow the update rules
and defaults of the ``keras.optimizers`` classes of the same names, and the tests
check them step by step against Keras. :func:`descend` runs one on a
:class:`Surface`; :func:`fit_line` runs batch, mini-batch and one-sample descent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "sgd_step",
    "momentum_step",
    "rmsprop_step",
    "adam_step",
    "STEPS",
    "Surface",
    "elongated_bowl",
    "tilted_double_well",
    "numerical_gradient",
    "descend",
    "fit_line",
    "plot_trajectories",
]


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(
            f"Expected `{name}` to be a positive number. Received: {name}={value!r}"
        )


def _check_unit(name, value):
    if not 0 <= value < 1:
        raise ValueError(
            f"Expected `{name}` to be in [0, 1). Received: {name}={value!r}"
        )


def _check_int(name, value, low, high=None):
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        expected = "a positive int" if high is None else f"an int in [{low}, {high}]"
        raise ValueError(
            f"Expected `{name}` to be {expected}. Received: {name}={value!r}"
        )


def sgd_step(params, grad, state=None, learning_rate=0.01):
    """One step of plain gradient descent: ``w <- w - learning_rate * g``.

    Args:
        params: The current parameters, an array.
        grad: The gradient of the loss at ``params``, same shape.
        state: Unused (plain descent remembers nothing); kept for a common signature.
        learning_rate: The step size, a positive number.

    Returns:
        ``(new_params, state)``.

    Raises:
        ValueError: If ``learning_rate`` is not positive.

    Example:
        >>> params, _ = sgd_step(np.array([1.0, 2.0]), np.array([10.0, -10.0]), learning_rate=0.1)
        >>> params.tolist()
        [0.0, 3.0]
    """
    _check_positive("learning_rate", learning_rate)
    return np.asarray(params, dtype=float) - learning_rate * np.asarray(
        grad, dtype=float
    ), {}


def momentum_step(params, grad, state=None, learning_rate=0.01, momentum=0.9):
    """One step of gradient descent with momentum (``keras.optimizers.SGD(momentum=...)``).

    A velocity sums past steps, ``v <- momentum * v - learning_rate * g``, and
    moves the parameters, ``w <- w + v``; it can carry them over a small bump.

    Args:
        params: The current parameters, an array.
        grad: The gradient at ``params``, same shape.
        state: ``{"velocity": array}`` from the previous step, or None.
        learning_rate: The step size, a positive number.
        momentum: How much velocity survives each step, in ``[0, 1)``.

    Returns:
        ``(new_params, new_state)``.

    Raises:
        ValueError: If ``learning_rate`` is not positive or ``momentum`` not in ``[0, 1)``.

    Example:
        >>> p, s = momentum_step(np.array([0.0]), np.array([1.0]), learning_rate=0.1)
        >>> p, s = momentum_step(p, np.array([1.0]), s, learning_rate=0.1)
        >>> np.round(p, 4).tolist()  # -0.1, then -0.1 - (0.09 + 0.1)
        [-0.29]
    """
    _check_positive("learning_rate", learning_rate)
    _check_unit("momentum", momentum)
    grad = np.asarray(grad, dtype=float)
    velocity = (state or {}).get("velocity", np.zeros_like(grad))
    velocity = momentum * velocity - learning_rate * grad
    return np.asarray(params, dtype=float) + velocity, {"velocity": velocity}


def rmsprop_step(params, grad, state=None, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """One step of RMSprop (``keras.optimizers.RMSprop``).

    Each parameter gets its own step size: the gradient is divided by the
    root of a running mean of its squares, ``s <- rho * s + (1 - rho) * g**2``,
    ``w <- w - learning_rate * g / sqrt(s + epsilon)``. Steep directions get
    short steps and flat ones long steps.

    Args:
        params: The current parameters, an array.
        grad: The gradient at ``params``, same shape.
        state: ``{"square_mean": array}`` from the previous step, or None.
        learning_rate: The step size, a positive number.
        rho: Decay of the running mean, in ``[0, 1)``.
        epsilon: A small positive number that avoids dividing by zero.

    Returns:
        ``(new_params, new_state)``.

    Raises:
        ValueError: If ``learning_rate`` or ``epsilon`` is not positive, or ``rho`` not in ``[0, 1)``.

    Example:
        >>> p, s = rmsprop_step(np.zeros(2), np.array([100.0, 1.0]), learning_rate=0.1)
        >>> np.round(p, 3).tolist()  # the same step in both directions
        [-0.316, -0.316]
    """
    _check_positive("learning_rate", learning_rate)
    _check_positive("epsilon", epsilon)
    _check_unit("rho", rho)
    grad = np.asarray(grad, dtype=float)
    square_mean = (state or {}).get("square_mean", np.zeros_like(grad))
    square_mean = rho * square_mean + (1 - rho) * grad**2
    new_params = np.asarray(params, dtype=float) - learning_rate * grad / np.sqrt(
        square_mean + epsilon
    )
    return new_params, {"square_mean": square_mean}


def adam_step(
    params,
    grad,
    state=None,
    learning_rate=0.001,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-7,
):
    """One step of Adam (``keras.optimizers.Adam``): momentum plus RMSprop scaling.

    Running means of the gradients ``m`` (momentum) and of their squares ``v``
    (RMSprop) start at zero; dividing by ``1 - beta**t`` corrects the bias (as
    in Keras and Section 2 of Kingma and Ba)::

        m <- beta_1 m + (1 - beta_1) g        v <- beta_2 v + (1 - beta_2) g**2
        alpha_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w <- w - alpha_t * m / (sqrt(v) + epsilon)

    Args:
        params: The current parameters, an array.
        grad: The gradient at ``params``, same shape.
        state: ``{"m": array, "v": array, "t": int}`` from the previous step, or None.
        learning_rate: The step size, a positive number.
        beta_1: Decay of the mean of gradients, in ``[0, 1)``.
        beta_2: Decay of the mean of squared gradients, in ``[0, 1)``.
        epsilon: A small positive number that avoids dividing by zero.

    Returns:
        ``(new_params, new_state)``.

    Raises:
        ValueError: If ``learning_rate`` or ``epsilon`` is not positive, or a beta not in ``[0, 1)``.

    Example:
        >>> p, s = adam_step(np.zeros(2), np.array([100.0, -0.01]), learning_rate=0.1)
        >>> np.round(p, 4).tolist(), s["t"]  # the first step is learning_rate * sign(g)
        ([-0.1, 0.1], 1)
    """
    _check_positive("learning_rate", learning_rate)
    _check_positive("epsilon", epsilon)
    _check_unit("beta_1", beta_1)
    _check_unit("beta_2", beta_2)
    grad = np.asarray(grad, dtype=float)
    state = state or {"m": np.zeros_like(grad), "v": np.zeros_like(grad), "t": 0}
    t = state["t"] + 1
    m = beta_1 * state["m"] + (1 - beta_1) * grad
    v = beta_2 * state["v"] + (1 - beta_2) * grad**2
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    new_params = np.asarray(params, dtype=float) - alpha * m / (np.sqrt(v) + epsilon)
    return new_params, {"m": m, "v": v, "t": t}


STEPS = {
    "sgd": sgd_step,
    "momentum": momentum_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
}
"""The step functions by name, for :func:`descend`."""


@dataclass(frozen=True)
class Surface:
    """A loss surface: ``value`` and ``gradient`` map points ``(..., d)`` to ``(...)`` and ``(..., d)``.

    Example:
        >>> bowl = elongated_bowl()
        >>> bowl.name, bowl.minimum.tolist()
        ('elongated bowl', [0.0, 0.0])
    """

    name: str
    value: Callable
    gradient: Callable
    minimum: np.ndarray


def elongated_bowl(stretch=10.0):
    """The quadratic bowl ``f(x1, x2) = (x1**2 + stretch * x2**2) / 2``, minimum at the origin.

    It is ``stretch`` times steeper along ``x2`` than along ``x1``: no one
    learning rate suits both directions.

    Args:
        stretch: The ratio of the two curvatures, a number >= 1.

    Returns:
        A :class:`Surface`.

    Raises:
        ValueError: If ``stretch < 1``.

    Example:
        >>> bowl = elongated_bowl(10)
        >>> float(bowl.value(np.array([1.0, 1.0]))), bowl.gradient(np.array([1.0, 1.0])).tolist()
        (5.5, [1.0, 10.0])
    """
    if not stretch >= 1:
        raise ValueError(
            f"Expected `stretch` to be >= 1. Received: stretch={stretch!r}"
        )
    scale = np.array([1.0, float(stretch)])
    value = lambda p: 0.5 * np.sum(scale * np.asarray(p, dtype=float) ** 2, axis=-1)  # noqa: E731
    gradient = lambda p: scale * np.asarray(p, dtype=float)  # noqa: E731
    return Surface("elongated bowl", value, gradient, np.zeros(2))


def tilted_double_well():
    """The 1-D function ``f(x) = x**4 - 4 x**2 + x``: two valleys, the left one deeper.

    Global minimum near ``x = -1.47``, local one near ``1.35``, bump near ``0.13``.

    Returns:
        A :class:`Surface` on points of shape ``(..., 1)``.

    Example:
        >>> well = tilted_double_well()
        >>> np.round(well.minimum, 3).tolist(), round(float(well.value(well.minimum)), 3)
        ([-1.473], -5.444)
    """

    def value(x):
        x = np.asarray(x, dtype=float)[..., 0]
        return x**4 - 4 * x**2 + x

    def gradient(x):
        x = np.asarray(x, dtype=float)
        return 4 * x**3 - 8 * x + 1

    roots = np.roots([4.0, 0.0, -8.0, 1.0]).real
    lowest = roots[np.argmin(value(roots[:, None]))]
    return Surface("tilted double well", value, gradient, np.array([lowest]))


def numerical_gradient(function, point, h=1e-5):
    """Estimate a gradient by central differences: ``(f(p + h e_i) - f(p - h e_i)) / 2h``.

    Args:
        function: Maps a point of shape ``(d,)`` to a number.
        point: The point, shape ``(d,)``.
        h: The step, a small positive number.

    Returns:
        The estimated gradient, shape ``(d,)``.

    Raises:
        ValueError: If ``h`` is not positive or ``point`` is not rank 1.

    Example:
        >>> np.round(numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1], np.array([2.0, 0.0])), 6).tolist()
        [4.0, 3.0]
    """
    _check_positive("h", h)
    point = np.asarray(point, dtype=float)
    if point.ndim != 1:
        raise ValueError(
            f"Expected `point` of shape (d,). Received: point.shape={point.shape}"
        )
    steps = h * np.eye(len(point))  # row i moves coordinate i by h
    return np.array(
        [(function(point + step) - function(point - step)) / (2 * h) for step in steps]
    )


def descend(
    surface, start, step="sgd", max_steps=1000, tolerance=None, **hyperparameters
):
    """Run an optimizer on a surface from ``start``, and record the path.

    Args:
        surface: A :class:`Surface`.
        start: The starting point.
        step: A name in :data:`STEPS` or a step function.
        max_steps: The most steps to take, a positive int.
        tolerance: Stop as soon as the distance to ``surface.minimum`` is
            below it; None to always take ``max_steps`` steps.
        **hyperparameters: Passed to the step function (``learning_rate`` ...).

    Returns:
        ``(path, steps)``: the points visited, shape ``(taken + 1, d)``, and
        the number of steps after which the path was within ``tolerance``
        (None if it never was, or no tolerance was given).

    Raises:
        ValueError: If ``step`` is an unknown name or ``max_steps`` is not a positive int.

    Example:
        >>> path, steps = descend(elongated_bowl(), [1.0, 1.0], "sgd", tolerance=0.01, learning_rate=0.1)
        >>> steps, path.shape
        (44, (45, 2))
    """
    if isinstance(step, str):
        if step not in STEPS:
            raise ValueError(
                f"Expected `step` to be one of {sorted(STEPS)} or a function. Received: step={step!r}"
            )
        step = STEPS[step]
    _check_int("max_steps", max_steps, 1)
    params, state = np.asarray(start, dtype=float), None
    path = [params]
    for taken in range(1, max_steps + 1):
        params, state = step(params, surface.gradient(params), state, **hyperparameters)
        path.append(params)
        if (
            tolerance is not None
            and np.linalg.norm(params - surface.minimum) < tolerance
        ):
            return np.array(path), taken
    return np.array(path), None


def fit_line(x, y, batch_size, learning_rate=0.1, epochs=10, seed=0):
    """Fit ``y = w x + b`` by gradient descent on the mean squared error.

    Each epoch shuffles the samples and makes one update per batch of
    ``batch_size``: ``len(x)`` is batch gradient descent, 1 is one-sample
    stochastic gradient descent, anything between is mini-batch SGD.

    Args:
        x: Inputs, shape ``(n,)``.
        y: Targets, shape ``(n,)``.
        batch_size: Samples per update, an int in ``[1, n]``.
        learning_rate: The step size, a positive number.
        epochs: Passes over the data, a positive int.
        seed: Seed of the shuffling.

    Returns:
        ``(w, b, losses)``: the fitted slope and intercept, and the loss on
        the whole data set after every update (length ``epochs * ceil(n / batch_size)``).

    Raises:
        ValueError: If the shapes differ or an argument is out of range.

    Example:
        >>> x = np.linspace(-1, 1, 50); y = 3 * x + 2
        >>> w, b, losses = fit_line(x, y, batch_size=50, learning_rate=0.5, epochs=100)
        >>> round(w, 3), round(b, 3), len(losses)
        (3.0, 2.0, 100)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"Expected `x` and `y` of the same shape (n,). Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    _check_int("batch_size", batch_size, 1, len(x))
    _check_int("epochs", epochs, 1)
    _check_positive("learning_rate", learning_rate)
    rng, w, b, losses = np.random.default_rng(seed), 0.0, 0.0, []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for begin in range(0, len(x), batch_size):
            batch = order[begin : begin + batch_size]
            error = w * x[batch] + b - y[batch]
            w -= learning_rate * 2 * np.mean(error * x[batch])
            b -= learning_rate * 2 * np.mean(error)
            losses.append(float(np.mean((w * x + b - y) ** 2)))
    return float(w), float(b), np.array(losses)


def plot_trajectories(surface, paths, ax=None, limits=((-5, 5), (-3, 3)), levels=20):
    """Draw the contour lines of a 2-D surface and optimizer paths on top.

    Args:
        surface: A :class:`Surface` on 2-D points.
        paths: A dict from label to a path of shape ``(steps + 1, 2)``.
        ax: Matplotlib axes to draw into; created if None.
        limits: ``((x1_low, x1_high), (x2_low, x2_high))`` of the plot.
        levels: Number of contour levels.

    Returns:
        The axes.

    Raises:
        ValueError: If a path is not of shape ``(steps + 1, 2)``.

    Example:
        >>> ax = plot_trajectories(elongated_bowl(), {"sgd": np.array([[4.0, 2.0], [0.0, 0.0]])})
        >>> ax.get_legend_handles_labels()[1], ax.get_xlabel()
        (['sgd'], 'w1')
    """
    for label, path in paths.items():
        if np.ndim(path) != 2 or np.shape(path)[1] != 2:
            raise ValueError(
                f"Expected path {label!r} of shape (steps + 1, 2). Received: shape={np.shape(path)}"
            )
    if ax is None:
        _, ax = plt.subplots()
    (x_low, x_high), (y_low, y_high) = limits
    grid = np.stack(
        np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200)),
        axis=-1,
    )
    ax.contour(
        grid[..., 0],
        grid[..., 1],
        surface.value(grid),
        levels=levels,
        colors="0.8",
        linewidths=0.7,
    )
    for label, path in paths.items():
        ax.plot(*np.asarray(path).T, marker=".", markersize=3, lw=1, label=label)
    ax.plot(
        *surface.minimum, marker="*", color="black", markersize=10, linestyle="none"
    )
    ax.set(xlim=(x_low, x_high), ylim=(y_low, y_high), xlabel="w1", ylabel="w2")
    ax.legend()
    return ax
