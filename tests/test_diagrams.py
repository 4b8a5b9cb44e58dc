import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from grimoire.diagrams import (
    draw_flowchart,
    draw_nested_sets,
    draw_rules_vs_learning,
    draw_training_loop,
)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_nested_sets_are_inside_one_another():
    fig, ax = plt.subplots()
    assert draw_nested_sets(ax=ax) is ax
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ellipses) == 3
    assert _texts(ax) == [
        "artificial intelligence",
        "machine learning",
        "deep learning",
    ]
    angles = np.linspace(0, 2 * np.pi, 721)
    for outer, inner in zip(ellipses, ellipses[1:]):
        # points of the inner boundary, pulled a hair towards its centre, lie
        # inside the outer ellipse
        x = inner.center[0] + 0.999 * inner.width / 2 * np.cos(angles)
        y = inner.center[1] + 0.999 * inner.height / 2 * np.sin(angles)
        inside = ((x - outer.center[0]) / (outer.width / 2)) ** 2 + (
            (y - outer.center[1]) / (outer.height / 2)
        ) ** 2
        assert (inside < 1).all()
        assert inner.width < outer.width and inner.height < outer.height
    assert not ax.axison


def test_each_label_sits_inside_its_own_set_only():
    fig, ax = plt.subplots()
    draw_nested_sets(["a", "b", "c", "d"], ax=ax)
    ellipses = [p for p in ax.patches if isinstance(p, Ellipse)]
    for depth, text in enumerate(ax.texts):
        inside = [
            e.get_patch_transform()
            .transform_path(e.get_path())
            .contains_point(text.get_position())
            for e in ellipses
        ]
        assert inside == [True] * (depth + 1) + [False] * (len(ellipses) - depth - 1)


def test_flowchart_arrows_point_from_start_to_end():
    fig, ax = plt.subplots()
    draw_flowchart({"a": (2, 5, "a"), "b": (8, 5, "b", "weights")}, [("a", "b")], ax=ax)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 2 and len(arrows) == 1
    assert boxes[0].get_facecolor() != boxes[1].get_facecolor()
    (start, end) = arrows[0]._posA_posB
    assert start == (2, 5) and end == (8, 5)
    a_box = boxes[0].get_bbox()
    assert (
        a_box.x0 < 2 < a_box.x1 and a_box.y0 < 5 < a_box.y1
    )  # the box is centred on its node


def test_training_loop_has_the_whole_cycle():
    fig, ax = plt.subplots()
    draw_training_loop(ax=ax)
    texts = _texts(ax)
    for word in [
        "input x",
        "layer 1",
        "layer 2",
        "predictions ŷ",
        "targets y",
        "loss function",
        "optimizer",
        "loss score",
        "update",
    ]:
        assert word in texts
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 10


def test_rules_vs_learning_swaps_rules_and_answers():
    fig, ax = plt.subplots()
    draw_rules_vs_learning(ax)
    texts = _texts(ax)
    assert (
        texts.count("rules") == 2
        and texts.count("answers") == 2
        and texts.count("data") == 2
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: draw_nested_sets([]),
            ValueError,
            r"Expected `labels` to name at least one set. Received: \[\]",
        ),
        (
            lambda: draw_nested_sets(["a", 3]),
            TypeError,
            r"Expected `labels\[1\]` to be a str. Received: labels\[1\]=3 of type int",
        ),
        (
            lambda: draw_nested_sets(3),
            TypeError,
            r"Expected `labels` to be a list of str. Received: labels=3 of type int",
        ),
        (
            lambda: draw_flowchart({"a": (1, 2)}, []),
            ValueError,
            r"Expected `nodes\['a'\]` to be \(x, y, text\) or \(x, y, text, kind\). "
            r"Received: \(1, 2\)",
        ),
        (
            lambda: draw_flowchart({"a": (1, 2, "a", "box")}, []),
            ValueError,
            r"Expected the kind of `nodes\['a'\]` to be one of "
            r"\['data', 'process', 'weights'\]. Received: 'box'",
        ),
        (
            lambda: draw_flowchart({"a": (1, 2, "a")}, [("a", "z")]),
            ValueError,
            r"Expected every edge of `edges` to join two nodes of `nodes`. "
            r"Received: edge=\('a', 'z'\)",
        ),
        (
            lambda: draw_flowchart([("a", 1, 2, "a")], []),
            TypeError,
            r"Expected `nodes` to be a dict. Received: nodes=\[",
        ),
        (
            lambda: draw_flowchart({}, 3),
            TypeError,
            r"Expected `edges` to be an iterable of pairs. Received: edges=3",
        ),
        (
            lambda: draw_flowchart({}, [], xlim=10),
            TypeError,
            r"Expected `xlim` to be a pair \(low, high\). Received: xlim=10",
        ),
        (
            lambda: draw_training_loop(ax="axes"),
            TypeError,
            r"Expected `ax` to be matplotlib axes or None. "
            r"Received: ax='axes' of type str",
        ),
        (
            lambda: draw_nested_sets(ax=np.zeros(2)),
            TypeError,
            r"Expected `ax` to be matplotlib axes or None. "
            r"Received: ax=.* of type ndarray",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
