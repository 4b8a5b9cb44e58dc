"""Several worker processes on one machine: ports, ``TF_CONFIG``, supervision.

:func:`run_workers` starts worker processes on ``localhost``, each with its
own ``TF_CONFIG``, waits for them with a timeout and always ends them (with
their process groups). Each worker runs ``python -m grimoire.cluster
worker`` (:func:`train_worker`), which joins ``MultiWorkerMirroredStrategy``
and trains its replica of the model.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from grimoire.distributed import SHARD_POLICIES, build_classifier, shard_preview
from grimoire.validation import check_choice, check_type, positive_float, positive_int

__all__ = [
    "free_ports",
    "check_ports_free",
    "tf_config",
    "read_tf_config",
    "PortInUseError",
    "WorkerTimeoutError",
    "WorkerRun",
    "run_workers",
    "alive",
    "train_worker",
    "main",
]


class PortInUseError(OSError):
    """A port a worker must listen on is taken by another process."""


class WorkerTimeoutError(TimeoutError):
    """Workers still ran when their time was up; they were killed.

    Args:
        message: What happened.
        pids: The process ids of every worker the job started (kept as the
            ``pids`` attribute, to check that none is left).
    """

    def __init__(self, message, pids=()):
        super().__init__(message)
        self.pids = list(pids)


class WorkerRun(NamedTuple):
    """How one worker process ended: its exit status, log and last error.

    Example:
        >>> run = WorkerRun(0, 4242, -9, "epoch 1/4 ...", "")
        >>> run.returncode
        -9
    """

    index: int
    pid: int
    returncode: int
    log: str
    error: str


def free_ports(count=2):
    """Return ``count`` distinct TCP ports that are free on ``localhost`` now.

    The operating system picks them (a bind to port 0); they stay free until a
    process binds them, which is the workers' job right after.

    Args:
        count: How many ports, a positive int.

    Returns:
        A list of ints.

    Example:
        >>> ports = free_ports(2)
        >>> len(set(ports)), all(1024 < p < 65536 for p in ports)
        (2, True)
    """
    count = positive_int("count", count)
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("localhost", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def check_ports_free(ports):
    """Return ``ports`` if each is free on ``localhost``, or raise naming the taken one.

    Args:
        ports: A list of ints.

    Returns:
        The ports, as a list of ints.

    Raises:
        TypeError: If ``ports`` is not a list of ints.
        PortInUseError: If another process listens on one of them.

    Example:
        >>> busy = socket.socket(); busy.bind(("localhost", 0)); busy.listen()
        >>> port = busy.getsockname()[1]
        >>> check_ports_free([port])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        grimoire.cluster.PortInUseError: Port ... on localhost is in use ...
        >>> busy.close()
    """
    check_type("ports", ports, (list, tuple), "a list of ints")
    ports = [check_type("ports[i]", p, int, "an int") for p in ports]
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("localhost", port))
            except OSError as error:
                raise PortInUseError(
                    f"Port {port} on localhost is in use by another process, so a "
                    "worker cannot listen on it. Pick free ports with free_ports(), "
                    "or stop the process that holds it."
                ) from error
    return ports


def tf_config(ports, index):
    """Return the ``TF_CONFIG`` of worker ``index`` in a cluster on ``localhost``.

    Args:
        ports: One port per worker, a list of ints.
        index: This worker's position in the list, an int.

    Returns:
        The JSON text to put in the worker's ``TF_CONFIG`` variable.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``index`` is not a position in ``ports``.

    Example:
        >>> config = json.loads(tf_config([5000, 5001], 1))
        >>> config["cluster"]
        {'worker': ['localhost:5000', 'localhost:5001']}
        >>> config["task"]
        {'type': 'worker', 'index': 1}
    """
    check_type("ports", ports, (list, tuple), "a list of ints")
    for port in ports:
        check_type("ports[i]", port, int, "an int")
    index = check_type("index", index, int, "an int")
    if not 0 <= index < len(ports):
        raise ValueError(
            f"Expected `index` to be in [0, {len(ports)}). Received: index={index}"
        )
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})


def read_tf_config(text):
    """Parse a ``TF_CONFIG`` and check it, with a clear error for each mistake.

    TensorFlow's own errors for a bad ``TF_CONFIG`` come late (when the
    strategy starts) and say little; this check runs first.

    Args:
        text: The JSON text of ``TF_CONFIG``.

    Returns:
        ``(workers, index)``: the list of ``"host:port"`` addresses and this
        task's index.

    Raises:
        TypeError: If ``text`` is not a string.
        ValueError: If it is not JSON, or lacks ``cluster.worker`` or
            ``task``, or an address has no port, or the index is outside the
            worker list.

    Example:
        >>> read_tf_config(tf_config([5000, 5001], 0))
        (['localhost:5000', 'localhost:5001'], 0)
        >>> read_tf_config('{"cluster": {"worker": ["localhost"]}}')
        Traceback (most recent call last):
        ...
        ValueError: TF_CONFIG has no "task": expected {"type": "worker", "index": i}.
    """
    check_type("text", text, str)
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}): {text!r}") from None
    if not isinstance(config, dict):
        raise ValueError(f"TF_CONFIG must be a JSON object. Received: {text!r}")
    workers = config.get("cluster", {}).get("worker")
    if not isinstance(workers, list) or not workers:
        raise ValueError(
            'TF_CONFIG has no "cluster": {"worker": [...]} list of "host:port" '
            f"addresses. Received: {text!r}"
        )
    task = config.get("task")
    if not isinstance(task, dict):
        raise ValueError(
            'TF_CONFIG has no "task": expected {"type": "worker", "index": i}.'
        )
    if task.get("type") != "worker":
        raise ValueError(
            f'TF_CONFIG\'s task type must be "worker". Received: {task.get("type")!r}'
        )
    for address in workers:
        host, _, port = str(address).rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f'TF_CONFIG\'s worker addresses must be "host:port". '
                f"Received: {address!r}"
            )
    index = task.get("index")
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValueError(f"TF_CONFIG's task index must be an int. Received: {index!r}")
    if not 0 <= index < len(workers):
        raise ValueError(
            f"TF_CONFIG's task index {index} is not a position in its "
            f"{len(workers)} workers."
        )
    return workers, index


def _last_error(text):
    """The last exception a log names, as ``"ValueError: ..."`` (no module path)."""
    for line in reversed(text.splitlines()):
        head, _, message = line.partition(":")
        name = head.rsplit(".", 1)[-1]
        if name.endswith(("Error", "Exception")) and " " not in head.strip():
            return f"{name}:{message}".strip()
    return ""


def _kill(process):
    """Kill a worker's whole process group, then reap the worker."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def run_workers(
    workdir,
    num_workers=2,
    epochs=5,
    examples=4000,
    batch_size=128,
    crash=None,
    skip=(),
    timeout=300.0,
    grace=60.0,
    ports=None,
):
    """Start ``num_workers`` worker processes on ``localhost``, wait, and end them.

    Each worker runs ``python -m grimoire.cluster worker`` with its own
    ``TF_CONFIG``, writes its log to ``workdir/worker-<i>.log`` (standard
    error to ``.err``) and its final weights to ``workdir/weights-<i>.npz``.
    When a worker fails, the others get ``grace`` seconds to notice and stop
    (their next all-reduce cannot complete); whatever still runs then, or at
    ``timeout``, is killed with its process group. No worker outlives this
    call.

    Args:
        workdir: A folder for logs, backups and weights (created if missing).
        num_workers: How many workers, a positive int.
        epochs: Epochs to train, a positive int.
        examples: Fashion-MNIST training images used, a positive int.
        batch_size: The global batch size, a positive int.
        crash: None, or ``(worker, epoch)``: that worker kills itself (SIGKILL)
            halfway through that epoch (1-based).
        skip: Indices of workers not to start (to show a job that hangs).
        timeout: Seconds before everything still running is killed.
        grace: Seconds the others get to stop after a worker fails.
        ports: One port per worker, or None to pick free ones.

    Returns:
        A list of :class:`WorkerRun`, one per started worker.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If a number is out of range.
        PortInUseError: If one of ``ports`` is taken.
        WorkerTimeoutError: If workers still ran at ``timeout`` (they were
            killed; the message holds their logs' last lines).

    Example:
        >>> run_workers("/tmp/job", num_workers=0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `num_workers` to be an int >= 1. Received: num_workers=0
    """
    check_type("workdir", workdir, (str, os.PathLike), "a folder path")
    num_workers = positive_int("num_workers", num_workers)
    epochs = positive_int("epochs", epochs)
    examples = positive_int("examples", examples)
    batch_size = positive_int("batch_size", batch_size)
    if crash is not None:
        check_type("crash", crash, (list, tuple), "None or a (worker, epoch) pair")
        check_choice("crash[0]", crash[0], tuple(range(num_workers)))
        check_choice("crash[1]", crash[1], tuple(range(1, epochs + 1)))
    check_type("skip", skip, (list, tuple), "a list of worker indices")
    timeout = positive_float("timeout", timeout)
    grace = positive_float("grace", grace)
    ports = free_ports(num_workers) if ports is None else check_ports_free(ports)
    if len(ports) != num_workers:
        raise ValueError(
            f"Expected `ports` to hold {num_workers} ports. Received: ports={ports}"
        )
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started, files = [], []
    try:
        for index in range(num_workers):
            if index in skip:
                continue
            command = [sys.executable, "-m", "grimoire.cluster", "worker"]
            command += ["--workdir", str(workdir), "--epochs", str(epochs)]
            command += ["--examples", str(examples), "--batch-size", str(batch_size)]
            if crash is not None and crash[0] == index:
                command += ["--crash-in-epoch", str(crash[1])]
            env = dict(os.environ, TF_CONFIG=tf_config(ports, index))
            env["PYTHONUNBUFFERED"] = "1"  # every line reaches the log at once
            env["GRIMOIRE_PARENT_PID"] = str(os.getpid())  # see _exit_with_parent
            out = open(workdir / f"worker-{index}.log", "w")
            err = open(workdir / f"worker-{index}.err", "w")
            files += [out, err]
            process = subprocess.Popen(
                command, stdout=out, stderr=err, env=env, start_new_session=True
            )
            started.append((index, process))
        deadline, failed_at = time.monotonic() + timeout, None
        while any(p.poll() is None for _, p in started):
            now = time.monotonic()
            if failed_at is None and any(p.poll() not in (None, 0) for _, p in started):
                failed_at = now
            if failed_at is not None and now > failed_at + grace:
                break
            if now > deadline:
                running = [i for i, p in started if p.poll() is None]
                for _, process in started:
                    _kill(process)
                raise WorkerTimeoutError(
                    f"Workers {running} still ran after {timeout:g} s and were "
                    "killed; their logs are worker-<i>.log and .err in the job's "
                    "folder.",
                    pids=[p.pid for _, p in started],
                )
            time.sleep(0.05)
    finally:
        for _, process in started:
            _kill(process)
        for file in files:
            file.close()
    return [
        WorkerRun(
            index,
            process.pid,
            process.returncode,
            (workdir / f"worker-{index}.log").read_text(),
            _last_error((workdir / f"worker-{index}.err").read_text()),
        )
        for index, process in started
    ]


def alive(pids):
    """Return the processes among ``pids`` that still exist (zombies included).

    Args:
        pids: A list of process ids.

    Returns:
        The list of those that exist.

    Example:
        >>> alive([os.getpid()]) == [os.getpid()]
        True
    """
    check_type("pids", pids, (list, tuple), "a list of process ids")
    living = []
    for pid in pids:
        try:
            os.kill(check_type("pids[i]", pid, int, "an int"), 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        living.append(pid)
    return living


# --- inside a worker ----------------------------------------------------------


def _exit_with_parent():
    """Stop this worker if the process that started it dies (no orphans)."""
    parent = int(os.environ.get("GRIMOIRE_PARENT_PID", os.getppid()))

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


class _Crash(keras.callbacks.Callback):
    """Kill this process with SIGKILL halfway through an epoch (1-based)."""

    def __init__(self, epoch, index):
        super().__init__()
        self.epoch, self.index, self.current = epoch, index, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch + 1

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == self.params["steps"] // 2:
            print(f"worker {self.index}: killed (SIGKILL) in epoch {self.epoch}, "
                  f"step {batch + 1}", flush=True)  # fmt: skip
            os.kill(os.getpid(), signal.SIGKILL)


class _StartLogger(keras.callbacks.Callback):
    """Print the epoch training starts at (after a restore, not the first)."""

    def __init__(self, index):
        super().__init__()
        self.index, self.started = index, False

    def on_epoch_begin(self, epoch, logs=None):
        if not self.started:
            self.started = True
            print(f"worker {self.index}: training starts at epoch {epoch + 1}")


def train_worker(workdir, epochs=5, examples=4000, batch_size=128, crash_in_epoch=None):
    """Train one worker's replica of the job described by ``TF_CONFIG``.

    It checks ``TF_CONFIG`` and its own port, joins the cluster
    (``MultiWorkerMirroredStrategy``), shows which example ids it would get
    under three sharding policies, trains
    :func:`~grimoire.distributed.build_classifier` on the first ``examples``
    Fashion-MNIST images (sharded by data) with
    ``BackupAndRestore`` in ``workdir/backup-<i>``, and saves its weights to
    ``workdir/weights-<i>.npz``. Everything it prints is deterministic.

    Args:
        workdir: The job's folder, shared by the workers.
        epochs: Epochs to train, a positive int.
        examples: Training images used, a positive int.
        batch_size: The global batch size, a positive int.
        crash_in_epoch: None, or an epoch (1-based) in which to SIGKILL itself.

    Returns:
        The path of the saved weights.

    Raises:
        ValueError: If ``TF_CONFIG`` is missing or wrong, or an argument is.
        PortInUseError: If this worker's port is taken.

    Example:
        >>> train_worker("/tmp/job", epochs=0)
        Traceback (most recent call last):
        ...
        ValueError: Expected `epochs` to be an int >= 1. Received: epochs=0
    """
    from grimoire.callbacks import EpochLogger
    from grimoire.data import load_fashion_mnist
    from grimoire.dense_network import prepare_images
    from grimoire.reproducibility import set_seed

    check_type("workdir", workdir, (str, os.PathLike), "a folder path")
    epochs = positive_int("epochs", epochs)
    examples = positive_int("examples", examples)
    batch_size = positive_int("batch_size", batch_size)
    if crash_in_epoch is not None:
        crash_in_epoch = positive_int("crash_in_epoch", crash_in_epoch)
    workers, index = read_tf_config(os.environ.get("TF_CONFIG", ""))
    check_ports_free([int(workers[index].rpartition(":")[2])])
    _exit_with_parent()
    workdir = Path(workdir)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    print(f"worker {index}: joined {len(workers)} workers, "
          f"{strategy.num_replicas_in_sync} replicas in sync")  # fmt: skip
    ids = tf.data.Dataset.range(examples).batch(batch_size)
    for policy in ("off", "data"):
        first, batches = shard_preview(ids, strategy, policy)
        print(f"worker {index}: shard {policy}: {batches} batches, first ids {first}")
    files = sorted(str(p) for p in (workdir / "shards").glob("part-*.txt"))
    if files:
        lines = tf.data.TextLineDataset(files).map(
            lambda s: tf.strings.to_number(s, tf.int64)
        )
        first, batches = shard_preview(lines.batch(batch_size), strategy, "file")
        print(f"worker {index}: shard file: {batches} batches, first ids {first}")
    set_seed(42)
    (images, labels), _ = load_fashion_mnist()
    x, y = prepare_images(images[:examples]), labels[:examples].astype("int64")
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = SHARD_POLICIES["data"]
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    with strategy.scope():
        model = build_classifier(multi_worker=True)
    callbacks = [
        keras.callbacks.BackupAndRestore(str(workdir / f"backup-{index}")),
        _StartLogger(index),
        EpochLogger(),
    ]
    if crash_in_epoch is not None:
        callbacks.append(_Crash(crash_in_epoch, index))
    data = data.with_options(options)
    model.fit(data, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks)
    path = workdir / f"weights-{index}.npz"
    np.savez(path, *model.get_weights())
    print(f"worker {index}: saved its weights to {path.name}")
    return path


def main(argv=None):
    """The workers' command line: ``python -m grimoire.cluster worker ...``.

    ``worker`` trains one worker of the job in ``TF_CONFIG``
    (:func:`train_worker`); ``config`` checks a ``TF_CONFIG`` (the variable's,
    or one given) and prints this task's place in the cluster.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 2 when ``TF_CONFIG`` or a port is wrong.

    Example:
        >>> main(["config", tf_config([5000, 5001], 1)])
        worker 1 of 2, listening on localhost:5001
        0
        >>> main(["config", "{}"])  # doctest: +ELLIPSIS
        ValueError: TF_CONFIG has no "cluster": ...
        2
    """
    parser = argparse.ArgumentParser(prog="python -m grimoire.cluster")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="train one worker of the job")
    worker.add_argument("--workdir", required=True)
    worker.add_argument("--epochs", type=int, default=5)
    worker.add_argument("--examples", type=int, default=4000)
    worker.add_argument("--batch-size", type=int, default=128)
    worker.add_argument("--crash-in-epoch", type=int, default=None)
    config = commands.add_parser("config", help="check a TF_CONFIG")
    config.add_argument("text", nargs="?", default=None)
    args = parser.parse_args(argv)
    output = sys.stdout if args.command == "config" else sys.stderr
    try:
        if args.command == "config":
            text = os.environ.get("TF_CONFIG", "") if args.text is None else args.text
            workers, index = read_tf_config(text)
            print(f"worker {index} of {len(workers)}, listening on {workers[index]}")
            return 0
        train_worker(
            args.workdir, args.epochs, args.examples, args.batch_size,
            args.crash_in_epoch,
        )  # fmt: skip
    except (ValueError, PortInUseError) as error:
        print(f"{type(error).__name__}: {error}", file=output)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
