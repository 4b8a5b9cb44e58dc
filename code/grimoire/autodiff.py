"""Three ways to differentiate, and reverse mode written out by hand.

The automatic differentiation chapter compares:

- **numerical** differentiation, :func:`finite_difference`, which only
  evaluates the function and pays for it with truncation and round-off error;
- **reverse-mode automatic differentiation**, :class:`Scalar`, a number that
  records the operations that produced it, so that :meth:`Scalar.backward`
  can apply the chain rule from the output back to every input; and
  :func:`draw_graph`, which draws the recorded graph with values and gradients;
- TensorFlow's own reverse mode, ``tf.GradientTape``, of which
  :func:`higher_derivatives` nests several to get second and third derivatives.

:func:`softmax` turns logits into probabilities, with and without the shift
that keeps it from overflowing.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

import numpy as np

from grimoire.diagrams import draw_flowchart
from grimoire.validation import (
    check_choice,
    check_scalar,
    check_type,
    positive_float,
    positive_int,
)

__all__ = ["Scalar", "finite_difference", "draw_graph", "higher_derivatives", "softmax"]

_SYMBOLS = {"add": "+", "sub": "−", "mul": "×"}
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _format(number):
    return f"{number:.4g}"


class Scalar:
    """A number that remembers how it was computed: reverse mode in miniature.

    Arithmetic on scalars (``+``, ``-``, ``*``, ``/``, ``**`` with a number,
    :meth:`exp`, :meth:`relu`) returns a new scalar that keeps its inputs
    (``parents``) together with the **local derivative** of the operation
    with respect to each, evaluated during the forward pass. The scalars form
    a graph; :meth:`backward` walks it from the output back to the inputs and
    applies the chain rule, filling in ``grad``, the derivative of the output
    with respect to each node. Plain Python numbers in an expression become
    constant scalars.

    Args:
        value: The number, a real number.
        name: A label for the node in printouts and drawings, or None.

    Attributes:
        value: The number, a float.
        name: The label, or None.
        grad: The derivative of the output last passed through
            :meth:`backward` with respect to this node; None before.
        parents: Tuple of ``(parent, local_derivative)`` pairs.
        op: The operation that made this node (``"add"``, ``"sub"``, ``"mul"``,
            ``"pow"``, ``"exp"``, ``"relu"``), or None for an input.
        constant: True if the node was made from a plain number in an expression.

    Raises:
        TypeError: If ``value`` is not a real number, ``name`` not a str or
            None, or an operand is neither a scalar nor a number.
        ValueError: If ``value`` is NaN.

    Example:
        >>> a, b, c = Scalar(5, "a"), Scalar(3, "b"), Scalar(2, "c")
        >>> J = 3 * (a + b * c)
        >>> J.value
        33.0
        >>> J.backward()
        >>> a.grad, b.grad, c.grad
        (3.0, 6.0, 9.0)
    """

    def __init__(self, value, name=None):
        self.value = check_scalar("value", value, float)
        check_type("name", name, (str, type(None)), expected="a str or None")
        self.name = name
        self.grad = None
        self.parents = ()
        self.op = None
        self.constant = False

    def __repr__(self):
        grad = "" if self.grad is None else f", grad={self.grad:g}"
        name = f", name={self.name!r}" if self.name else ""
        return f"Scalar({self.value:g}{grad}{name})"

    @classmethod
    def _lift(cls, other):
        if isinstance(other, Scalar):
            return other
        expected = "a Scalar or a real number"
        check_type("other", other, (Scalar, numbers.Real), expected=expected)
        constant = cls(check_scalar("other", other, float))
        constant.constant = True
        return constant

    @classmethod
    def _result(cls, value, op, parents):
        node = cls(0.0)  # the result of an operation may be inf or nan: not checked
        node.value, node.op, node.parents = float(value), op, tuple(parents)
        return node

    def named(self, name):
        """Set the node's label and return the node, for use inside expressions.

        Args:
            name: The label, a str.

        Returns:
            The node itself.

        Raises:
            TypeError: If ``name`` is not a str.

        Example:
            >>> (Scalar(3) * 2).named("u")
            Scalar(6, name='u')
        """
        self.name = check_type("name", name, str)
        return self

    def __add__(self, other):
        other = self._lift(other)
        return self._result(
            self.value + other.value, "add", [(self, 1.0), (other, 1.0)]
        )

    def __mul__(self, other):
        other = self._lift(other)
        return self._result(
            self.value * other.value, "mul", [(self, other.value), (other, self.value)]
        )

    def __pow__(self, exponent):
        check_scalar("exponent", exponent, float)
        local = exponent * self.value ** (exponent - 1)
        node = self._result(self.value**exponent, "pow", [(self, float(local))])
        node.exponent = exponent
        return node

    def exp(self):
        """The exponential, whose derivative is itself."""
        value = math.exp(self.value)
        return self._result(value, "exp", [(self, value)])

    def relu(self):
        """``max(0, x)``, whose derivative is 1 for positive ``x`` and 0 otherwise."""
        return self._result(
            max(0.0, self.value), "relu", [(self, float(self.value > 0))]
        )

    def __radd__(self, other):
        return self._lift(other) + self

    def __rmul__(self, other):
        return self._lift(other) * self

    def __sub__(self, other):
        other = self._lift(other)
        return self._result(
            self.value - other.value, "sub", [(self, 1.0), (other, -1.0)]
        )

    def __rsub__(self, other):
        return self._lift(other) - self

    def __neg__(self):
        return 0 - self

    def __truediv__(self, other):
        return self * self._lift(other) ** -1

    def __rtruediv__(self, other):
        return self._lift(other) * self**-1

    def graph(self):
        """Every node the output depends on, inputs first and ``self`` last.

        Returns:
            A list of :class:`Scalar`, in topological order.

        Example:
            >>> x = Scalar(2, "x")
            >>> [node.value for node in (x * x + 1).graph()]
            [2.0, 4.0, 1.0, 5.0]
        """
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        return order

    def backward(self):
        """Fill in ``grad`` of every node with the derivative of ``self``.

        The chain rule, applied from the output back: the output's gradient
        is 1, and each node passes ``local_derivative * node.grad`` to each
        parent, which sums what it receives from all its children. Nodes are
        visited in reverse topological order, so a node has received from
        all its children before it passes anything on.

        Example:
            >>> x = Scalar(3, "x")
            >>> y = x * x + x  # dy/dx = 2x + 1
            >>> y.backward(); x.grad
            7.0
        """
        order = self.graph()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


def finite_difference(function, x, h=1e-5, scheme="central"):
    """Estimate the derivative of a function of one number from two evaluations.

    ``"forward"`` uses ``(f(x + h) - f(x)) / h``, whose error shrinks like
    ``h``; ``"central"`` uses ``(f(x + h) - f(x - h)) / 2h``, whose error
    shrinks like ``h**2``. Neither can take ``h`` very small: the two values
    of ``f`` then agree in most of their digits, and the subtraction loses them
    (round-off error).

    Args:
        function: Maps a float to a float.
        x: The point, a real number.
        h: The step, a positive number.
        scheme: ``"forward"`` or ``"central"``.

    Returns:
        The estimate, a float.

    Raises:
        TypeError: If ``function`` is not callable, or ``x`` or ``h`` not a real
            number.
        ValueError: If ``h`` is not positive or ``scheme`` is unknown.

    Example:
        >>> cube = lambda x: x**3
        >>> round(finite_difference(cube, 1.0, h=1e-3, scheme="forward"), 6)
        3.003001
        >>> round(finite_difference(cube, 1.0, h=1e-3), 6)
        3.000001
    """
    check_type("function", function, Callable, expected="a callable")
    check_scalar("x", x, float)
    positive_float("h", h)
    check_choice("scheme", scheme, ("forward", "central"))
    if scheme == "forward":
        return float((function(x + h) - function(x)) / h)
    return float((function(x + h) - function(x - h)) / (2 * h))


def _label(node):
    if node.constant:
        return _format(node.value)
    return node.name or "?"


def _expression(node):
    parents = [parent for parent, _ in node.parents]
    if node.op in _SYMBOLS:
        return f" {_SYMBOLS[node.op]} ".join(_label(parent) for parent in parents)
    if node.op == "pow":
        exponent = _format(node.exponent)
        if exponent.lstrip("-").isdigit():  # an integer: write it as a superscript
            exponent = exponent.translate(_SUPERSCRIPTS)
        else:
            exponent = "^" + exponent
        return f"{_label(parents[0])}{exponent}"
    return f"{node.op}({_label(parents[0])})"


def draw_graph(output, ax=None, spacing=(3.6, 2.4)):
    """Draw the graph that produced a :class:`Scalar`, with values and gradients.

    Each node is a box: its name and the operation that made it, its value
    from the forward pass and, once :meth:`Scalar.backward` has run, its
    gradient. Each arrow runs from an input of an operation to its result and
    is labelled with the local derivative of the result with respect to that
    input. Inputs are green, operations orange. Constants (plain numbers in
    the expression) are not drawn; they appear in the operations' formulas.
    The output sits on the right; each node's column is its longest distance
    from the output.

    Args:
        output: The :class:`Scalar` at the end of the computation.
        ax: Matplotlib axes to draw into; the current axes if None.
        spacing: ``(horizontal, vertical)`` distance between nodes, in data
            units.

    Returns:
        The axes.

    Raises:
        TypeError: If ``output`` is not a :class:`Scalar` or ``spacing`` not a
            pair of numbers.
        ValueError: If ``spacing`` is not a pair of positive numbers.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> a, b = Scalar(2, "a"), Scalar(3, "b")
        >>> y = (a * b).named("y"); y.backward()
        >>> ax = draw_graph(y, ax=plt.figure().add_subplot())
        >>> [t.get_text().splitlines()[0] for t in ax.texts[:3]]
        ['a', 'b', 'y = a × b']
    """
    check_type("output", output, Scalar)
    check_type("spacing", spacing, (tuple, list), expected="a pair of numbers")
    if len(spacing) != 2:
        raise ValueError(
            "Expected `spacing` to be a pair (horizontal, vertical). "
            f"Received: spacing={spacing!r}"
        )
    spacing = [positive_float(f"spacing[{i}]", d) for i, d in enumerate(spacing)]
    nodes = [node for node in output.graph() if not node.constant]
    column = {id(output): 0}
    for node in reversed(nodes):  # children come before their parents
        for parent, _ in node.parents:
            column[id(parent)] = max(column.get(id(parent), 0), column[id(node)] + 1)
    depth = max(column.values())
    by_column = {}
    for node in nodes:
        by_column.setdefault(column[id(node)], []).append(node)
    height = max(len(group) for group in by_column.values())
    specs, keys = {}, {}
    for level, group in by_column.items():
        for row, node in enumerate(group):
            x = (depth - level + 0.5) * spacing[0]
            y = (height / 2 + (len(group) - 1) / 2 - row) * spacing[1]
            title = (
                _label(node)
                if node.op is None
                else f"{_label(node)} = {_expression(node)}"
            )
            lines = [title, f"value {_format(node.value)}"]
            if node.grad is not None:
                lines.append(f"grad {_format(node.grad)}")
            key = f"n{len(keys)}"
            keys[id(node)] = key
            specs[key] = (
                x,
                y,
                "\n".join(lines),
                "weights" if node.op is None else "process",
            )
    edges = [
        (keys[id(parent)], keys[id(node)], _format(local))
        for node in nodes
        for parent, local in node.parents
        if not parent.constant
    ]
    xlim = (0, (depth + 1) * spacing[0])
    ylim = (-0.5 * spacing[1], (height + 0.5) * spacing[1])
    return draw_flowchart(specs, edges, ax=ax, xlim=xlim, ylim=ylim)


def higher_derivatives(function, x, order=2):
    """The first ``order`` derivatives of a function of one number, by nested tapes.

    Each ``tf.GradientTape`` records the operations run inside it, including
    the gradient computed by a tape nested inside; so the outer tape can
    differentiate the inner tape's result again.

    Args:
        function: Maps a scalar float64 tensor to a scalar tensor, with
            TensorFlow ops.
        x: The point, a real number.
        order: How many derivatives, a positive int.

    Returns:
        A list of ``order`` floats: ``f'(x)``, ``f''(x)``, ...

    Raises:
        TypeError: If ``function`` is not callable, ``x`` not a real number or
            ``order`` not an int.
        ValueError: If ``order`` is not positive.

    Example:
        >>> higher_derivatives(lambda x: x**3, 1.0, order=3)  # 3x², 6x, 6
        [3.0, 6.0, 6.0]
    """
    import tensorflow as tf

    check_type("function", function, Callable, expected="a callable")
    check_scalar("x", x, float)
    positive_int("order", order)
    point = tf.constant(float(x), dtype=tf.float64)

    # [f(x), f'(x), ..., f^(n)(x)], recorded by every enclosing tape
    def derivatives(n):
        if n == 0:
            return [tf.convert_to_tensor(function(point), dtype=tf.float64)]
        with tf.GradientTape() as tape:
            tape.watch(point)
            values = derivatives(n - 1)
        gradient = tape.gradient(values[-1], point)
        return values + [tf.zeros_like(point) if gradient is None else gradient]

    return [float(value) for value in derivatives(order)[1:]]


def softmax(logits, stable=True):
    """Turn logits (raw scores) into probabilities along the last axis.

    ``softmax(z)_i = exp(z_i) / sum_j exp(z_j)``. Subtracting ``max(z)`` from
    every logit first leaves the result unchanged (the factor ``exp(-max z)``
    cancels) but keeps every ``exp`` at most 1, so it cannot overflow; that is
    the ``stable`` version. Without it, a logit above about 709 overflows
    float64 and the result is ``nan``.

    Args:
        logits: An array of shape ``(..., classes)``.
        stable: Whether to subtract the largest logit first, a bool.

    Returns:
        The probabilities, same shape, float64.

    Raises:
        ValueError: If ``logits`` is a scalar.
        TypeError: If ``stable`` is not a bool.

    Example:
        >>> np.round(softmax([1.0, 2.0, 3.0]), 4).tolist()
        [0.09, 0.2447, 0.6652]
        >>> softmax([1000.0, 0.0]).tolist(), softmax([1000, 0], stable=False).tolist()
        ([1.0, 0.0], [nan, 0.0])
    """
    check_type("stable", stable, bool)
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 0:
        raise ValueError(
            "Expected `logits` of shape (..., classes). "
            f"Received: logits.shape={logits.shape}"
        )
    if stable:
        logits = logits - logits.max(axis=-1, keepdims=True)
    with np.errstate(over="ignore", invalid="ignore"):
        exps = np.exp(logits)
        return exps / exps.sum(axis=-1, keepdims=True)
