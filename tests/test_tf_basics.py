import numpy as np
import pytest
import tensorflow as tf

from grimoire.tf_basics import (
    Timing,
    TraceCounter,
    build_pipeline,
    measure_throughput,
    python_batches,
    scale_image,
    time_batch_sizes,
    time_eager_vs_graph,
)


def _many_small_ops(x):
    for _ in range(50):
        x = tf.tanh(x) * 0.5 + 0.1
    return x


def test_time_eager_vs_graph_runs_python_only_when_eager_or_tracing():
    calls = []

    def double(x):
        calls.append(1)  # runs on every eager call, and once while tracing
        return 2 * x

    timing = time_eager_vs_graph(double, tf.ones((2, 2)), repeats=2, number=3)
    # one trace, one eager warm-up, 2 rounds of 3 eager calls; the 6 graph calls
    # run the stored graph and skip the Python body
    assert len(calls) == 1 + 1 + 2 * 3
    assert isinstance(timing, Timing)
    assert all(isinstance(t, float) and t > 0 for t in timing)
    assert timing.speedup == timing.eager_seconds / timing.graph_seconds


def test_graph_and_eager_give_the_same_result():
    x = tf.random.stateless_normal((4, 4), seed=(1, 2))
    np.testing.assert_allclose(
        tf.function(_many_small_ops)(x), _many_small_ops(x), rtol=1e-5
    )


def test_trace_counter_matches_tensorflow_count():
    counter = TraceCounter(lambda x: x + 1)
    for n in (2, 3, 3, 4):
        counter(tf.zeros((n,)))
    assert counter.traces == 3  # one per distinct shape
    assert counter.function.experimental_get_tracing_count() == 3


def test_input_signature_prevents_retracing():
    counter = TraceCounter(
        lambda x: x + 1, input_signature=[tf.TensorSpec([None], tf.float32)]
    )
    for n in (2, 3, 4, 5):
        counter(tf.zeros((n,)))
    assert counter.traces == 1


def test_pipeline_and_python_loop_give_the_same_batches():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(25, 6, 5), dtype=np.uint8)
    labels = np.arange(25)
    pipeline = list(build_pipeline(images, labels, batch_size=10))
    loop = list(python_batches(images, labels, batch_size=10))
    assert len(pipeline) == len(loop) == 3
    for (x1, y1), (x2, y2) in zip(pipeline, loop):
        np.testing.assert_allclose(x1.numpy(), x2)
        np.testing.assert_array_equal(y1.numpy(), y2)
    np.testing.assert_allclose(loop[0][0][3, ..., 0], images[3] / 255, rtol=1e-6)


def test_shuffle_changes_order_keeps_content_and_reshuffles():
    images = np.arange(20 * 2 * 2, dtype=np.uint8).reshape(20, 2, 2)
    ds = build_pipeline(images, np.arange(20), batch_size=20, shuffle_buffer=20, seed=1)
    first = next(iter(ds))[1].numpy()
    second = next(iter(ds))[1].numpy()
    assert sorted(first) == list(range(20))
    assert not np.array_equal(first, np.arange(20))
    assert not np.array_equal(first, second)


def test_measure_throughput_counts_examples_and_stops():
    batches = [(np.zeros((5, 3)), np.zeros(5))] * 4
    examples, seconds, rate = measure_throughput(batches, max_batches=2)
    assert examples == 10 and seconds >= 0 and rate > 0


def test_scale_image_range():
    x, y = scale_image(np.array([[0, 51], [102, 255]], dtype=np.uint8), 7)
    np.testing.assert_allclose(x.numpy()[..., 0], [[0, 0.2], [0.4, 1.0]], rtol=1e-6)
    assert int(y) == 7


IMAGES, LABELS = np.zeros((3, 2, 2)), np.zeros(3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: time_eager_vs_graph(3),
            TypeError,
            r"Expected `fn` to be a callable. Received: fn=3 of type int",
        ),
        (
            lambda: time_eager_vs_graph(tf.abs, 1.0, repeats=0),
            ValueError,
            r"Expected `repeats` to be an int >= 1. Received: repeats=0",
        ),
        (
            lambda: time_eager_vs_graph(tf.abs, 1.0, number=2.5),
            TypeError,
            r"Expected `number` to be an int. Received: number=2.5 of type float",
        ),
        (
            lambda: TraceCounter("f"),
            TypeError,
            r"Expected `fn` to be a callable. Received: fn='f'",
        ),
        (
            lambda: build_pipeline(np.zeros((3, 4)), np.zeros(3)),
            ValueError,
            r"Expected `images` of shape \(n, height, width\). "
            r"Received: images.shape=\(3, 4\)",
        ),
        (
            lambda: build_pipeline(IMAGES, np.zeros(2)),
            ValueError,
            r"Expected `labels` to hold one label per image. "
            r"Received: 3 images and 2 labels",
        ),
        (
            lambda: build_pipeline(IMAGES, LABELS, batch_size=0),
            ValueError,
            r"Expected `batch_size` to be an int >= 1. Received: batch_size=0",
        ),
        (
            lambda: build_pipeline(IMAGES, LABELS, shuffle_buffer=-1),
            ValueError,
            r"Expected `shuffle_buffer` to be an int >= 1. Received: shuffle_buffer=-1",
        ),
        (
            lambda: build_pipeline(IMAGES, LABELS, cache="yes"),
            TypeError,
            r"Expected `cache` to be a bool. Received: cache='yes' of type str",
        ),
        (
            lambda: build_pipeline(IMAGES, LABELS, prefetch=1),
            TypeError,
            r"Expected `prefetch` to be a bool. Received: prefetch=1 of type int",
        ),
        (
            lambda: build_pipeline(IMAGES, LABELS, seed=-1),
            ValueError,
            r"Expected `seed` to be an int >= 0. Received: seed=-1",
        ),
        (
            lambda: python_batches(IMAGES, LABELS, batch_size=True),
            TypeError,
            r"Expected `batch_size` to be an int. Received: batch_size=True",
        ),
        (
            lambda: python_batches(IMAGES, np.zeros(4)),
            ValueError,
            r"Expected `labels` to hold one label per image. "
            r"Received: 3 images and 4 labels",
        ),
        (
            lambda: measure_throughput([], max_batches=0),
            ValueError,
            r"Expected `max_batches` to be an int >= 1. Received: max_batches=0",
        ),
        (
            lambda: measure_throughput(None),
            TypeError,
            r"Expected `batches` to be an iterable of batches. Received: batches=None",
        ),
        (
            lambda: measure_throughput([]),
            ValueError,
            r"Expected at least one batch. Received: an empty iterable",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_time_batch_sizes_counts_one_trace_per_new_shape():
    counter = TraceCounter(lambda x: x * 2)
    seconds = time_batch_sizes(counter, range(1, 5), features=3)
    assert counter.traces == 4 and seconds > 0
    time_batch_sizes(counter, [2, 4], features=3)  # shapes seen before
    assert counter.traces == 4


def test_time_batch_sizes_runs_eager_functions():
    shapes = []
    time_batch_sizes(lambda x: shapes.append(tuple(x.shape)), [2, 5], features=7)
    assert shapes == [(2, 7), (5, 7)]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: time_batch_sizes(None, [1], features=2),
            TypeError,
            r"Expected `fn` to be a callable. Received: fn=None",
        ),
        (
            lambda: time_batch_sizes(tf.abs, 4, features=2),
            TypeError,
            r"Expected `batch_sizes` to be an iterable of ints. "
            r"Received: batch_sizes=4",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [], features=2),
            ValueError,
            r"Expected `batch_sizes` to hold at least one size. "
            r"Received: batch_sizes=\[\]",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1, 0], features=2),
            ValueError,
            r"Expected `batch_sizes\[1\]` to be an int >= 1. "
            r"Received: batch_sizes\[1\]=0",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1, 2.0], features=2),
            TypeError,
            r"Expected `batch_sizes\[1\]` to be an int. "
            r"Received: batch_sizes\[1\]=2.0 of type float",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1], features=0),
            ValueError,
            r"Expected `features` to be an int >= 1. Received: features=0",
        ),
    ],
)
def test_time_batch_sizes_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_python_batches_checks_its_arguments_when_called():
    # No next(): the error comes from the call itself, before any batch is made.
    with pytest.raises(ValueError, match=r"`batch_size`"):
        python_batches(IMAGES, LABELS, batch_size=0)
    with pytest.raises(ValueError, match=r"`images`"):
        python_batches(np.zeros(3), LABELS)


def test_python_batches_makes_batches_lazily(monkeypatch):
    import grimoire.tf_basics

    seen = []
    original = grimoire.tf_basics.scale_image

    def counting(image, label):
        seen.append(int(label))
        return original(image, label)

    monkeypatch.setattr(grimoire.tf_basics, "scale_image", counting)
    batches = python_batches(np.zeros((5, 2, 2), "uint8"), np.arange(5), 2)
    assert seen == []  # nothing converted yet
    x, y = next(batches)
    assert seen == [0, 1] and x.shape == (2, 2, 2, 1) and y.tolist() == [0, 1]
    assert [y.tolist() for _, y in batches] == [[2, 3], [4]]


def test_numpy_ints_are_sizes():
    images, labels = np.zeros((5, 2, 2), "uint8"), np.arange(5)
    batches = python_batches(images, labels, batch_size=np.int64(2))
    assert [len(y) for _, y in batches] == [2, 2, 1]
    dataset = build_pipeline(
        images, labels, np.int64(4), shuffle_buffer=np.int64(5), seed=np.int64(1)
    )
    assert [len(y) for _, y in dataset] == [4, 1]
