"""Tests of grimoire.cluster: ports, TF_CONFIG, and worker processes.

The checks of ports and TF_CONFIG run in this process. The tests that start
workers are marked ``slow`` (``make test`` leaves them out; run them with
``.venv/bin/python -m pytest -m slow``); each has a timeout, and each checks
that no worker process is left.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from grimoire.cluster import (
    PortInUseError,
    WorkerTimeoutError,
    alive,
    check_ports_free,
    free_ports,
    main,
    read_tf_config,
    run_workers,
    tf_config,
)
from grimoire.distributed import max_difference


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_free_ports_are_distinct_and_free():
    ports = free_ports(3)
    assert len(set(ports)) == 3
    assert check_ports_free(ports) == ports


def test_a_port_in_use_is_a_clear_error(busy_port):
    with pytest.raises(
        PortInUseError, match=rf"Port {busy_port} on localhost is in use"
    ):
        check_ports_free([busy_port])
    with pytest.raises(PortInUseError, match=rf"Port {busy_port}"):
        run_workers("/tmp/grimoire-unused", num_workers=1, ports=[busy_port])
    with pytest.raises(TypeError, match=r"`ports\[i\]` to be an int"):
        check_ports_free(["5000"])


def test_tf_config_round_trips():
    text = tf_config([5000, 5001, 5002], 2)
    assert json.loads(text)["task"] == {"type": "worker", "index": 2}
    assert read_tf_config(text) == (
        ["localhost:5000", "localhost:5001", "localhost:5002"],
        2,
    )
    with pytest.raises(ValueError, match=r"`index` to be in \[0, 2\)"):
        tf_config([5000, 5001], 2)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", r"not valid JSON"),
        ("[1, 2]", r"must be a JSON object"),
        ('{"task": {"type": "worker", "index": 0}}', r'no "cluster"'),
        ('{"cluster": {"worker": []}}', r'no "cluster"'),
        ('{"cluster": {"worker": ["h:1"]}}', r'no "task"'),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "chief", "index": 0}}',
         r'task type must be "worker". Received: \'chief\''),
        ('{"cluster": {"worker": ["h"]}, "task": {"type": "worker", "index": 0}}',
         r'addresses must be "host:port". Received: \'h\''),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": "0"}}',
         r"index must be an int. Received: '0'"),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": 1}}',
         r"index 1 is not a position in its 1 workers"),
    ],
)  # fmt: skip
def test_a_bad_tf_config_is_a_clear_error(text, message):
    with pytest.raises(ValueError, match=message):
        read_tf_config(text)


def test_config_command(capsys):
    assert main(["config", tf_config([7000, 7001], 0)]) == 0
    assert capsys.readouterr().out == "worker 0 of 2, listening on localhost:7000\n"
    assert main(["config", '{"cluster": {}}']) == 2
    assert capsys.readouterr().out.startswith('ValueError: TF_CONFIG has no "cluster"')


def test_run_workers_checks_its_arguments_before_starting_anything():
    with pytest.raises(ValueError, match=r"`crash\[0\]` to be one of \(0, 1\)"):
        run_workers("/tmp/grimoire-unused", crash=(2, 1))
    with pytest.raises(ValueError, match=r"`crash\[1\]` to be one of \(1, 2\)"):
        run_workers("/tmp/grimoire-unused", epochs=2, crash=(0, 3))
    with pytest.raises(ValueError, match=r"`ports` to hold 2 ports"):
        run_workers("/tmp/grimoire-unused", ports=free_ports(1))


def test_alive():
    assert alive([os.getpid()]) == [os.getpid()]
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    assert alive([process.pid]) == []


def test_a_worker_that_hangs_is_killed_at_the_timeout(tmp_path):
    # Worker 1 never starts: worker 0 waits for it until the deadline.
    with pytest.raises(
        WorkerTimeoutError, match=r"Workers \[0\] still ran after 3"
    ) as caught:
        run_workers(tmp_path, num_workers=2, skip=(1,), timeout=3)
    assert len(caught.value.pids) == 1
    assert alive(caught.value.pids) == []


def _worker(tmp_path, config, timeout=120):
    command = [sys.executable, "-m", "grimoire.cluster", "worker"]
    return subprocess.run(
        command + ["--workdir", str(tmp_path), "--epochs", "1"],
        env=dict(os.environ, TF_CONFIG=config),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_the_worker_command_reports_a_bad_tf_config(tmp_path):
    result = _worker(tmp_path, '{"cluster": {"worker": ["localhost:1"]}}')
    assert result.returncode == 2
    assert 'ValueError: TF_CONFIG has no "task"' in result.stderr


@pytest.mark.slow
def test_the_worker_command_reports_a_port_in_use(tmp_path, busy_port):
    result = _worker(tmp_path, tf_config([busy_port, free_ports(1)[0]], 0))
    assert result.returncode == 2
    assert f"PortInUseError: Port {busy_port} on localhost is in use" in result.stderr


def _weights(folder, index):
    with np.load(folder / f"weights-{index}.npz") as saved:
        return [saved[f"arr_{k}"] for k in range(len(saved.files))]


@pytest.mark.slow
def test_two_workers_train_one_model_and_resume_after_a_crash(tmp_path):
    job, crash = tmp_path / "job", tmp_path / "crash"
    runs = run_workers(job, epochs=3, examples=512, batch_size=64, timeout=400)
    assert [run.returncode for run in runs] == [0, 0]
    assert runs[0].log.count("\nepoch ") == 3
    logs = [run.log.replace(f"worker {run.index}", "worker") for run in runs]
    shard = [line for line in logs[1].splitlines() if "shard data" in line]
    assert shard == ["worker: shard data: 8 batches, first ids [32, 33, 34, 35]"]
    epochs = [[line for line in log.splitlines() if line.startswith("epoch")]
              for log in logs]  # fmt: skip
    assert epochs[0] == epochs[1]  # the same global metrics on both workers
    assert max_difference(_weights(job, 0), _weights(job, 1)) == 0.0

    crashed = run_workers(
        crash, epochs=3, examples=512, batch_size=64, crash=(1, 2), timeout=400
    )
    assert [run.returncode for run in crashed] == [1, -9]
    assert crashed[0].error.startswith("UnavailableError")
    assert "killed (SIGKILL) in epoch 2" in crashed[1].log
    metadata = json.loads((crash / "backup-0" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1

    resumed = run_workers(crash, epochs=3, examples=512, batch_size=64, timeout=400)
    assert [run.returncode for run in resumed] == [0, 0]
    assert "worker 0: training starts at epoch 2" in resumed[0].log
    assert resumed[0].log.count("\nepoch ") == 2  # epochs 2 and 3
    assert max_difference(_weights(crash, 0), _weights(job, 0)) == 0.0
    pids = [run.pid for run in runs + crashed + resumed]
    assert alive(pids) == []


PLAIN_MODEL = textwrap.dedent(
    """
    import keras, numpy as np, tensorflow as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    x, y = np.zeros((8, 4), "float32"), np.zeros(8, "int64")
    with strategy.scope():
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
        model.compile("sgd", "sparse_categorical_crossentropy")
    try:
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4), verbose=0)
    except ValueError as error:
        print("fails:", str(error).splitlines()[0][:40])
    else:
        print("works")
    """
)


@pytest.mark.slow
def test_keras_still_needs_the_multi_worker_workaround(tmp_path):
    """When this fails, Keras's fit works under several workers: drop the
    workaround (grimoire.distributed.MultiWorkerModel) and its warning."""
    ports = free_ports(2)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PLAIN_MODEL],
            env=dict(os.environ, TF_CONFIG=tf_config(ports, index)),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        for index in range(2)
    ]
    try:
        outputs = [process.communicate(timeout=240)[0] for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert all(out.startswith("fails: Attempt to convert a value") for out in outputs)


ORPHAN = textwrap.dedent(
    """
    import os, sys, threading, time
    from grimoire.cluster import run_workers

    # A job whose worker 1 never starts: worker 0 waits for it. Then this
    # process dies abruptly, with no chance to end the worker.
    job = threading.Thread(
        target=run_workers, args=(sys.argv[1],),
        kwargs=dict(num_workers=2, skip=(1,), timeout=600), daemon=True,
    )
    job.start()
    time.sleep(3)
    os._exit(0)
    """
)


def _workers_of(folder):
    """The running (not zombie) processes whose command line names ``folder``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                command = file.read().decode(errors="replace")
            with open(f"/proc/{entry}/stat") as file:
                state = file.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(folder) in command and "grimoire.cluster" in command and state != "Z":
            found.append(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_a_worker_stops_when_its_parent_dies(tmp_path):
    subprocess.run([sys.executable, "-c", ORPHAN, str(tmp_path)], timeout=300)
    assert (tmp_path / "worker-0.log").exists()  # the worker was started
    deadline = time.monotonic() + 300  # it notices once its imports are done
    while _workers_of(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _workers_of(tmp_path)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "the orphaned worker still ran"
