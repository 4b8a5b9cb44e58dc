"""Diagrams drawn in code: nested fields, flowcharts, the training loop.

The book draws its explanatory figures with matplotlib rather than pasting
images, so a diagram is as easy to change as a plot. Every function draws into
axes it is given (or the current axes), hides the frame, and returns the axes.

- :func:`draw_nested_sets` draws labelled sets inside one another, such as
  artificial intelligence ⊃ machine learning ⊃ deep learning;
- :func:`draw_flowchart` draws named boxes joined by arrows;
- :func:`draw_rules_vs_learning` and :func:`draw_training_loop` are two
  flowcharts the first chapter needs.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from grimoire.validation import check_type

__all__ = [
    "draw_nested_sets",
    "draw_flowchart",
    "draw_rules_vs_learning",
    "draw_training_loop",
]

NODE_COLORS = {"data": "#dbe9f6", "process": "#fde2c4", "weights": "#d9f0d3"}


def _axes(ax):
    if ax is None:
        return plt.gca()
    return check_type("ax", ax, Axes, expected="matplotlib axes or None")


def draw_nested_sets(
    labels=("artificial intelligence", "machine learning", "deep learning"), ax=None
):
    """Draw sets as ellipses, each inside the one before, with their names.

    Args:
        labels: Names of the sets, from the largest to the smallest.
        ax: Matplotlib axes to draw into; the current axes if None.

    Returns:
        The axes, with one ellipse and one text per label.

    Raises:
        TypeError: If ``labels`` holds something other than strings, or ``ax``
            is not matplotlib axes.
        ValueError: If ``labels`` is empty.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> ax = plt.figure().add_subplot()
        >>> ax = draw_nested_sets(["animals", "mammals"], ax=ax)
        >>> len(ax.patches), [t.get_text() for t in ax.texts]
        (2, ['animals', 'mammals'])
    """
    labels = [labels] if isinstance(labels, str) else labels
    labels = list(check_type("labels", labels, Iterable, expected="a list of str"))
    for i, label in enumerate(labels):
        check_type(f"labels[{i}]", label, str)
    if not labels:
        raise ValueError("Expected `labels` to name at least one set. Received: []")
    ax = _axes(ax)
    colors = plt.get_cmap("Blues")
    count = len(labels)
    for depth, label in enumerate(labels):
        shrink = 1.0 - depth / (count + 0.5)  # each set is smaller than the last ...
        width, height = 10.0 * shrink, 6.0 * shrink
        center_y = -3.0 + height / 2  # ... and they all rest on the same bottom point
        ax.add_patch(
            Ellipse(
                (0.0, center_y),
                width,
                height,
                facecolor=colors(0.15 + 0.6 * depth / count),
                edgecolor="#31557a",
                linewidth=1.2,
            )
        )
        text_y = center_y + height / 2 - 0.45 if depth < count - 1 else center_y
        ax.text(0.0, text_y, label, ha="center", va="center", fontsize=10)
    ax.set_xlim(-5.3, 5.3)
    ax.set_ylim(-3.3, 3.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def draw_flowchart(nodes, edges, ax=None, xlim=(0, 10), ylim=(0, 10)):
    """Draw named boxes at given positions and arrows between them.

    Args:
        nodes: Dict mapping a name to ``(x, y, text)`` or
            ``(x, y, text, kind)``, where ``kind`` is ``"data"`` (the default),
            ``"process"`` or ``"weights"`` and sets the box colour. Positions
            are in data units.
        edges: Sequence of ``(start, end)`` or ``(start, end, label)`` tuples
            naming nodes; an arrow goes from ``start`` to ``end``.
        ax: Matplotlib axes to draw into; the current axes if None.
        xlim: Horizontal extent of the drawing, in data units.
        ylim: Vertical extent of the drawing, in data units.

    Returns:
        The axes, with one box patch per node and one arrow patch per edge.

    Raises:
        TypeError: If ``nodes`` is not a dict, ``edges`` not iterable, a limit
            not a pair, or ``ax`` not matplotlib axes.
        ValueError: If a node is malformed or has an unknown kind, or an edge
            names a node that does not exist.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> nodes = {"a": (2, 5, "data"), "b": (8, 5, "model", "process")}
        >>> edges = [("a", "b", "feeds")]
        >>> ax = draw_flowchart(nodes, edges, ax=plt.figure().add_subplot())
        >>> len(ax.patches), [t.get_text() for t in ax.texts]
        (3, ['data', 'model', 'feeds'])
    """
    check_type("nodes", nodes, dict)
    check_type("edges", edges, Iterable, expected="an iterable of pairs")
    check_type("xlim", xlim, (tuple, list), expected="a pair (low, high)")
    check_type("ylim", ylim, (tuple, list), expected="a pair (low, high)")
    ax = _axes(ax)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    boxes = {}
    for name, spec in nodes.items():
        if not isinstance(spec, tuple) or len(spec) not in (3, 4):
            raise ValueError(
                f"Expected `nodes[{name!r}]` to be (x, y, text) or "
                f"(x, y, text, kind). Received: {spec!r}"
            )
        x, y, text = spec[:3]
        kind = spec[3] if len(spec) == 4 else "data"
        if kind not in NODE_COLORS:
            raise ValueError(
                f"Expected the kind of `nodes[{name!r}]` to be one of "
                f"{sorted(NODE_COLORS)}. Received: {kind!r}"
            )
        label = ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3)
        (x0, y0), (x1, y1) = to_data.transform(
            label.get_window_extent(renderer).get_points()
        )
        # the text's size plus a margin
        width, height = abs(x1 - x0) + 0.5, abs(y1 - y0) + 0.45
        box = FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor=NODE_COLORS[kind],
            edgecolor="#444444",
            linewidth=1.0,
            zorder=2,
        )
        ax.add_patch(box)
        boxes[name] = (box, (x, y))
    for edge in edges:
        if len(edge) not in (2, 3) or edge[0] not in boxes or edge[1] not in boxes:
            raise ValueError(
                "Expected every edge of `edges` to join two nodes of `nodes`. "
                f"Received: edge={edge!r}"
            )
        (box_a, (xa, ya)), (box_b, (xb, yb)) = boxes[edge[0]], boxes[edge[1]]
        ax.add_patch(
            FancyArrowPatch(
                (xa, ya),
                (xb, yb),
                patchA=box_a,
                patchB=box_b,
                arrowstyle="-|>",
                mutation_scale=12,
                linewidth=1.1,
                color="#333333",
                shrinkA=2,
                shrinkB=2,
            )
        )
        if len(edge) == 3:
            ax.text(
                (xa + xb) / 2,
                (ya + yb) / 2,
                edge[2],
                ha="center",
                va="center",
                fontsize=9,
                style="italic",
                backgroundcolor="white",
            )
    ax.set_axis_off()
    return ax


def draw_rules_vs_learning(ax=None):
    """Draw classical programming next to machine learning.

    A programmer writes rules, and the computer applies them to data to
    produce answers. In machine learning the computer receives data *and*
    answers, and produces the rules.

    Args:
        ax: Matplotlib axes to draw into; the current axes if None.

    Returns:
        The axes.

    Raises:
        TypeError: If ``ax`` is not matplotlib axes.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> ax = draw_rules_vs_learning(plt.figure().add_subplot())
        >>> sorted({t.get_text() for t in ax.texts})[:3]
        ['answers', 'classical\\nprogramming', 'data']
    """
    nodes = {
        "rules_in": (1.6, 8.2, "rules"),
        "data_a": (1.6, 6.4, "data"),
        "classical": (5.0, 7.3, "classical\nprogramming", "process"),
        "answers_out": (8.6, 7.3, "answers"),
        "data_b": (1.6, 3.6, "data"),
        "answers_in": (1.6, 1.8, "answers"),
        "learning": (5.0, 2.7, "machine\nlearning", "process"),
        "rules_out": (8.6, 2.7, "rules"),
    }
    edges = [
        ("rules_in", "classical"),
        ("data_a", "classical"),
        ("classical", "answers_out"),
        ("data_b", "learning"),
        ("answers_in", "learning"),
        ("learning", "rules_out"),
    ]
    return draw_flowchart(nodes, edges, ax=ax)


def draw_training_loop(ax=None):
    """Draw the training loop: layers, predictions, loss, optimizer, update.

    The input flows through layers parameterized by weights to predictions;
    the loss function compares them with the targets, and the optimizer turns
    the loss score into an update of the weights.

    Args:
        ax: Matplotlib axes to draw into; the current axes if None.

    Returns:
        The axes.

    Raises:
        TypeError: If ``ax`` is not matplotlib axes.

    Example:
        >>> import matplotlib.pyplot as plt
        >>> ax = draw_training_loop(plt.figure().add_subplot())
        >>> "optimizer" in [t.get_text() for t in ax.texts]
        True
    """
    nodes = {
        "input": (1.0, 8.0, "input x"),
        "layer1": (3.5, 8.0, "layer 1", "process"),
        "layer2": (6.2, 8.0, "layer 2", "process"),
        "predictions": (9.0, 8.0, "predictions ŷ"),
        "weights1": (3.5, 5.2, "weights", "weights"),
        "weights2": (6.2, 5.2, "weights", "weights"),
        "loss": (9.0, 4.4, "loss function", "process"),
        "targets": (9.0, 1.6, "targets y"),
        "optimizer": (4.85, 1.6, "optimizer", "process"),
    }
    edges = [
        ("input", "layer1"),
        ("layer1", "layer2"),
        ("layer2", "predictions"),
        ("weights1", "layer1"),
        ("weights2", "layer2"),
        ("predictions", "loss"),
        ("targets", "loss"),
        ("loss", "optimizer", "loss score"),
        ("optimizer", "weights1", "update"),
        ("optimizer", "weights2", "update"),
    ]
    return draw_flowchart(nodes, edges, ax=ax, xlim=(-0.2, 10.6), ylim=(0.6, 9.2))
