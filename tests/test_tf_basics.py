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


def test_graph_beats_eager_on_many_small_ops():
    timing = time_eager_vs_graph(_many_small_ops, tf.ones((8, 8)), repeats=3, number=5)
    assert isinstance(timing, Timing)
    assert timing.speedup > 1.5
    assert timing.trace_seconds > timing.graph_seconds


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


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: time_eager_vs_graph(3),
            TypeError,
            r"Expected `fn` to be callable. Received: fn=3",
        ),
        (
            lambda: time_eager_vs_graph(tf.abs, 1.0, repeats=0),
            ValueError,
            r"Expected `repeats` to be a positive int. Received: repeats=0",
        ),
        (
            lambda: time_eager_vs_graph(tf.abs, 1.0, number=2.5),
            ValueError,
            r"Expected `number` to be a positive int. Received: number=2.5",
        ),
        (
            lambda: TraceCounter("f"),
            TypeError,
            r"Expected `fn` to be callable. Received: fn='f'",
        ),
        (
            lambda: build_pipeline(np.zeros((3, 4)), np.zeros(3)),
            ValueError,
            r"Expected `images` of shape \(n, height, width\). Received: images.shape=\(3, 4\)",
        ),
        (
            lambda: build_pipeline(np.zeros((3, 2, 2)), np.zeros(2)),
            ValueError,
            r"Expected one label per image. Received: 3 images and 2 labels",
        ),
        (
            lambda: build_pipeline(np.zeros((3, 2, 2)), np.zeros(3), batch_size=0),
            ValueError,
            r"Expected `batch_size` to be a positive int. Received: batch_size=0",
        ),
        (
            lambda: build_pipeline(np.zeros((3, 2, 2)), np.zeros(3), shuffle_buffer=-1),
            ValueError,
            r"Expected `shuffle_buffer` to be a positive int. Received: shuffle_buffer=-1",
        ),
        (
            lambda: next(
                python_batches(np.zeros((3, 2, 2)), np.zeros(3), batch_size=True)
            ),
            ValueError,
            r"Expected `batch_size` to be a positive int. Received: batch_size=True",
        ),
        (
            lambda: measure_throughput([], max_batches=0),
            ValueError,
            r"Expected `max_batches` to be a positive int. Received: max_batches=0",
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
            r"Expected `fn` to be callable. Received: fn=None",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [], features=2),
            ValueError,
            r"Expected `batch_sizes` to hold at least one size. Received: batch_sizes=\[\]",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1, 0], features=2),
            ValueError,
            r"Expected every batch size to be a positive int. Received: batch_sizes=\[1, 0\]",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1, 2.0], features=2),
            ValueError,
            r"Expected every batch size to be a positive int. Received: batch_sizes=\[1, 2.0\]",
        ),
        (
            lambda: time_batch_sizes(tf.abs, [1], features=0),
            ValueError,
            r"Expected `features` to be a positive int. Received: features=0",
        ),
    ],
)
def test_time_batch_sizes_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
