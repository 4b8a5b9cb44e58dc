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
from matplotlib.axes import Axes

from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    positive_float,
    positive_int,
    unit_rate,
)

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


def sgd_step(params, grad, state=None, learning_rate=0.01):
    """One step of plain gradient descent: ``w <- w - learning_rate * g``.

    Args:
        params: The current parameters, an array.
        grad: The gradient of the loss at ``params``, same shape.
        state: Unused (plain descent remembers nothing); kept for a common
            signature.
        learning_rate: The step size, a positive number.

    Returns:
        ``(new_params, state)``.

    Raises:
        TypeError: If ``learning_rate`` is not a number.
        ValueError: If ``learning_rate`` is not positive.

    Example:
        >>> params = np.array([1.0, 2.0])
        >>> params, _ = sgd_step(params, np.array([10.0, -10.0]), learning_rate=0.1)
        >>> params.tolist()
        [0.0, 3.0]
    """
    positive_float("learning_rate", learning_rate)
    params, grad = np.asarray(params, dtype=float), np.asarray(grad, dtype=float)
    return params - learning_rate * grad, {}


def momentum_step(params, grad, state=None, learning_rate=0.01, momentum=0.9):
    """One step of gradient descent with momentum.

    The update of ``keras.optimizers.SGD(momentum=...)``.

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
        TypeError: If a hyperparameter is not a number.
        ValueError: If ``learning_rate`` is not positive or ``momentum`` not in
            ``[0, 1)``.

    Example:
        >>> p, s = momentum_step(np.array([0.0]), np.array([1.0]), learning_rate=0.1)
        >>> p, s = momentum_step(p, np.array([1.0]), s, learning_rate=0.1)
        >>> np.round(p, 4).tolist()  # -0.1, then -0.1 - (0.09 + 0.1)
        [-0.29]
    """
    positive_float("learning_rate", learning_rate)
    unit_rate("momentum", momentum)
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
        TypeError: If a hyperparameter is not a number.
        ValueError: If ``learning_rate`` or ``epsilon`` is not positive, or
            ``rho`` not in ``[0, 1)``.

    Example:
        >>> p, s = rmsprop_step(np.zeros(2), np.array([100.0, 1.0]), learning_rate=0.1)
        >>> np.round(p, 3).tolist()  # the same step in both directions
        [-0.316, -0.316]
    """
    positive_float("learning_rate", learning_rate)
    unit_rate("rho", rho)
    positive_float("epsilon", epsilon)
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
        state: ``{"m": array, "v": array, "t": int}`` from the previous step,
            or None.
        learning_rate: The step size, a positive number.
        beta_1: Decay of the mean of gradients, in ``[0, 1)``.
        beta_2: Decay of the mean of squared gradients, in ``[0, 1)``.
        epsilon: A small positive number that avoids dividing by zero.

    Returns:
        ``(new_params, new_state)``.

    Raises:
        TypeError: If a hyperparameter is not a number.
        ValueError: If ``learning_rate`` or ``epsilon`` is not positive, or a
            beta not in ``[0, 1)``.

    Example:
        >>> p, s = adam_step(np.zeros(2), np.array([100.0, -0.01]), learning_rate=0.1)
        >>> np.round(p, 4).tolist(), s["t"]  # the first step: learning_rate * sign(g)
        ([-0.1, 0.1], 1)
    """
    positive_float("learning_rate", learning_rate)
    unit_rate("beta_1", beta_1)
    unit_rate("beta_2", beta_2)
    positive_float("epsilon", epsilon)
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
"""The step functions by name, for :func:`descend`.

:meta hide-value:
"""


@dataclass(frozen=True)
class Surface:
    """A loss surface, its gradient and its minimum.

    ``value`` maps points of shape ``(..., d)`` to losses of shape ``(...)``,
    ``gradient`` maps them to gradients of shape ``(..., d)``.

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
    """The quadratic bowl ``f(x1, x2) = (x1**2 + stretch * x2**2) / 2``.

    Its minimum is at the origin.
    It is ``stretch`` times steeper along ``x2`` than along ``x1``: no one
    learning rate suits both directions.

    Args:
        stretch: The ratio of the two curvatures, a number >= 1.

    Returns:
        A :class:`Surface`.

    Raises:
        TypeError: If ``stretch`` is not a number.
        ValueError: If ``stretch < 1``.

    Example:
        >>> bowl, point = elongated_bowl(10), np.array([1.0, 1.0])
        >>> float(bowl.value(point)), bowl.gradient(point).tolist()
        (5.5, [1.0, 10.0])
    """
    scale = np.array([1.0, check_scalar("stretch", stretch, float, min_value=1)])

    def value(p):
        return 0.5 * np.sum(scale * np.asarray(p, dtype=float) ** 2, axis=-1)

    def gradient(p):
        return scale * np.asarray(p, dtype=float)

    return Surface("elongated bowl", value, gradient, np.zeros(2))


def tilted_double_well():
    """The 1-D function ``f(x) = x**4 - 4 x**2 + x``: two valleys, the left one deeper.

    Global minimum near ``x = -1.47``, local one near ``1.35``, bump near ``0.13``.

    Returns:
        A :class:`Surface` on points of shape ``(..., 1)``.

    Example:
        >>> well = tilted_double_well()
        >>> low = well.minimum
        >>> np.round(low, 3).tolist(), round(float(well.value(low)), 3)
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
    """Estimate a gradient by central differences.

    Coordinate ``i`` of the estimate is ``(f(p + h e_i) - f(p - h e_i)) / 2h``,
    where ``e_i`` is the unit vector along that coordinate.

    Args:
        function: Maps a point of shape ``(d,)`` to a number.
        point: The point, shape ``(d,)``.
        h: The step, a small positive number.

    Returns:
        The estimated gradient, shape ``(d,)``.

    Raises:
        TypeError: If ``function`` is not callable or ``h`` not a number.
        ValueError: If ``h`` is not positive or ``point`` is not rank 1.

    Example:
        >>> gradient = numerical_gradient(lambda p: p[0] ** 2 + 3 * p[1], [2.0, 0.0])
        >>> np.round(gradient, 6).tolist()
        [4.0, 3.0]
    """
    check_type("function", function, Callable, expected="a callable")
    positive_float("h", h)
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
        TypeError: If ``surface`` is not a :class:`Surface`, ``step`` neither a
            name nor a function, or ``max_steps`` or ``tolerance`` not a number.
        ValueError: If ``step`` is an unknown name, ``max_steps`` is not
            positive or ``tolerance`` is not positive.

    Example:
        >>> bowl = elongated_bowl()
        >>> path, steps = descend(bowl, [1, 1], tolerance=0.01, learning_rate=0.1)
        >>> steps, path.shape
        (44, (45, 2))
    """
    check_type("surface", surface, Surface)
    check_type("step", step, (str, Callable), expected="a name in STEPS or a function")
    step = STEPS[check_choice("step", step, STEPS)] if isinstance(step, str) else step
    positive_int("max_steps", max_steps)
    tolerance = None if tolerance is None else positive_float("tolerance", tolerance)
    params, state = np.asarray(start, dtype=float), None
    path = [params]
    for taken in range(1, max_steps + 1):
        params, state = step(params, surface.gradient(params), state, **hyperparameters)
        path.append(params)
        distance = np.linalg.norm(params - surface.minimum)
        if tolerance is not None and distance < tolerance:
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
        learning_rate: The step size, a positive number, or a schedule: a
            callable that maps an array of update numbers (0, 1, 2 ...) to an
            array of positive rates, such as a
            ``keras.optimizers.schedules.LearningRateSchedule``. It is called
            once, on all the update numbers.
        epochs: Passes over the data, a positive int.
        seed: Seed of the shuffling, an int >= 0.

    Returns:
        ``(w, b, losses)``: the fitted slope and intercept, and the loss on
        the whole data set after every update (length
        ``epochs * ceil(n / batch_size)``).

    Raises:
        TypeError: If ``batch_size``, ``epochs`` or ``seed`` is not an int, or
            ``learning_rate`` neither a number nor a callable.
        ValueError: If the shapes differ, an argument is out of range, or a
            schedule does not give one positive rate per update.

    Example:
        >>> x = np.linspace(-1, 1, 50); y = 3 * x + 2
        >>> w, b, losses = fit_line(x, y, batch_size=50, learning_rate=0.5, epochs=100)
        >>> round(w, 3), round(b, 3), len(losses)
        (3.0, 2.0, 100)
        >>> halving = lambda update: 0.5 * 0.5 ** (update // 50)  # step decay
        >>> w, b, _ = fit_line(x, y, batch_size=50, learning_rate=halving, epochs=100)
        >>> round(w, 2), round(b, 2)
        (3.0, 2.0)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            "Expected `x` and `y` of the same shape (n,). "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    check_scalar("batch_size", batch_size, int, min_value=1, max_value=len(x))
    positive_int("epochs", epochs)
    check_scalar("seed", seed, int, min_value=0)
    rates = _rates_per_update(learning_rate, epochs * -(-len(x) // batch_size))
    rng, w, b, losses = np.random.default_rng(seed), 0.0, 0.0, []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for begin in range(0, len(x), batch_size):
            batch = order[begin : begin + batch_size]
            error = w * x[batch] + b - y[batch]
            rate = rates[len(losses)]
            w -= rate * 2 * np.mean(error * x[batch])
            b -= rate * 2 * np.mean(error)
            losses.append(float(np.mean((w * x + b - y) ** 2)))
    return float(w), float(b), np.array(losses)


def _rates_per_update(learning_rate, updates):
    """The learning rate of each of ``updates`` updates, from a number or a schedule."""
    if not callable(learning_rate):
        return np.full(updates, positive_float("learning_rate", learning_rate))
    rates = np.asarray(learning_rate(np.arange(updates)), dtype=float)
    if rates.shape != (updates,) or not np.all(rates > 0):
        raise ValueError(
            "Expected `learning_rate` to map the update numbers to one positive "
            f"rate each, shape ({updates},). Received: rates of shape "
            f"{rates.shape}, smallest {rates.min() if rates.size else None}"
        )
    return rates


def plot_trajectories(surface, paths, ax=None, limits=((-5, 5), (-3, 3)), levels=20):
    """Draw the contour lines of a 2-D surface and optimizer paths on top.

    Args:
        surface: A :class:`Surface` on 2-D points.
        paths: A dict from label to a path of shape ``(steps + 1, 2)``.
        ax: Matplotlib axes to draw into; created if None.
        limits: ``((x1_low, x1_high), (x2_low, x2_high))`` of the plot.
        levels: Number of contour levels, a positive int.

    Returns:
        The axes.

    Raises:
        TypeError: If ``surface`` is not a :class:`Surface`, ``paths`` not a
            dict, ``ax`` not axes, ``limits`` not a pair or ``levels`` not an
            int.
        ValueError: If a path is not of shape ``(steps + 1, 2)`` or ``levels``
            is not positive.

    Example:
        >>> paths = {"sgd": np.array([[4.0, 2.0], [0.0, 0.0]])}
        >>> ax = plot_trajectories(elongated_bowl(), paths)
        >>> ax.get_legend_handles_labels()[1], ax.get_xlabel()
        (['sgd'], 'w1')
    """
    check_type("surface", surface, Surface)
    check_type("paths", paths, dict)
    check_type("ax", ax, (Axes, type(None)), expected="matplotlib axes or None")
    check_type("limits", limits, (tuple, list))
    positive_int("levels", levels)
    for label, path in paths.items():
        if np.ndim(path) != 2 or np.shape(path)[1] != 2:
            raise ValueError(
                f"Expected `paths[{label!r}]` of shape (steps + 1, 2). "
                f"Received: shape={np.shape(path)}"
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
