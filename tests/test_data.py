"""The data module: checksums, resolution order and error messages.

Every test works on small files it makes itself, in a registry of its own, so
nothing here needs the network or the real data (but for the last test, which
compares the loader with Keras's on the mirror when it is there).
"""

import gzip
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from grimoire import data

CONTENT = b"grimoire test payload\n" * 50


def make_gz(path, content=CONTENT):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content))
    return path


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registry with one gzipped dataset, and empty search folders."""
    file = data.DataFile(
        "toy.bin.gz",
        hashlib.sha256(CONTENT).hexdigest(),
        "https://example.invalid/toy.bin.gz",
        gunzip=True,
    )
    dataset = data.Dataset(
        name="toy",
        title="Toy data",
        subdir="toy",
        files=(file,),
        licence="CC0",
        citation="none",
        system_dirs=(str(tmp_path / "system" / "toy"),),
        apt_package="dataset-toy",
    )
    monkeypatch.setattr(data, "DATASETS", {"toy": dataset})
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path / "mirror"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GRIMOIRE_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_search_order(toy):
    labels = [
        (label, str(folder.relative_to(toy)))
        for label, folder in data.search_folders("toy")
    ]
    assert labels == [
        ("GRIMOIRE_DATA", "mirror/toy"),
        ("system", "system/toy"),
        ("Keras cache", "keras/datasets/toy"),
    ]


@pytest.mark.parametrize(
    "present, expected",
    [
        (["mirror/toy", "system/toy", "keras/datasets/toy"], "mirror"),
        (["system/toy", "keras/datasets/toy"], "system"),
        (["keras/datasets/toy"], "keras"),
    ],
)
def test_first_source_wins(toy, present, expected):
    for folder in present:
        make_gz(toy / folder / "toy.bin.gz")
    path = data.locate("toy", download=False)["toy.bin.gz"]
    assert path.relative_to(toy).parts[0] == expected


def test_mirror_without_variable_is_skipped(toy, monkeypatch):
    monkeypatch.delenv("GRIMOIRE_DATA")
    assert [label for label, _ in data.search_folders("toy")] == [
        "system",
        "Keras cache",
    ]


def test_checksum_mismatch_is_never_used(toy):
    bad = make_gz(toy / "mirror/toy/toy.bin.gz", b"something else")
    make_gz(toy / "keras/datasets/toy/toy.bin.gz")  # a good copy later in the order
    with pytest.raises(data.ChecksumError) as error:
        data.locate("toy", download=False)
    message = str(error.value)
    assert str(bad) in message
    assert data.DATASETS["toy"].files[0].sha256 in message
    assert hashlib.sha256(b"something else").hexdigest() in message
    assert "was not used" in message and "Delete it" in message


def test_truncated_file(toy):
    path = make_gz(toy / "mirror/toy/toy.bin.gz")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(
        data.ChecksumError, match=r"could not be read \((EOFError|BadGzipFile)"
    ):
        data.locate("toy", download=False)


def test_not_a_gzip_file(toy):
    (toy / "mirror/toy").mkdir(parents=True)
    (toy / "mirror/toy/toy.bin.gz").write_bytes(CONTENT)
    with pytest.raises(data.ChecksumError, match="could not be read"):
        data.locate("toy", download=False)


def test_missing_file_offline_error_lists_places_and_remedies(toy, monkeypatch):
    monkeypatch.setenv("GRIMOIRE_OFFLINE", "1")
    with pytest.raises(data.DatasetNotFoundError) as error:
        data.locate("toy")
    message = str(error.value)
    for place in (
        "mirror/toy/toy.bin.gz",
        "system/toy/toy.bin.gz",
        "keras/datasets/toy/toy.bin.gz",
    ):
        assert place in message
    assert "GRIMOIRE_OFFLINE" in message
    assert "https://example.invalid/toy.bin.gz" in message
    assert "apt-get install dataset-toy" in message
    assert "set GRIMOIRE_DATA" in message
    assert "python -m grimoire.data fetch toy" in message
    assert isinstance(error.value, FileNotFoundError)


def test_failed_download_is_reported_and_leaves_nothing(toy, monkeypatch):
    def refuse(url, timeout):
        raise OSError("network is unreachable")

    monkeypatch.setattr(data.urllib.request, "urlopen", refuse)
    with pytest.raises(
        data.DatasetNotFoundError, match="the download failed .*network is unreachable"
    ):
        data.locate("toy", download=True)
    assert not list(toy.rglob("toy.bin.gz*"))  # no partial file left behind


class FakeResponse:
    def __init__(self, payload):
        self.payload, self.headers = payload, {"Content-Length": str(len(payload))}

    def read(self, size):
        chunk, self.payload = self.payload[:size], self.payload[size:]
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_download_goes_to_keras_cache_and_is_verified(toy, monkeypatch):
    monkeypatch.setattr(
        data.urllib.request,
        "urlopen",
        lambda url, timeout: FakeResponse(gzip.compress(CONTENT)),
    )
    path = data.locate("toy", download=True)["toy.bin.gz"]
    assert path == toy / "keras/datasets/toy/toy.bin.gz"
    assert gzip.decompress(path.read_bytes()) == CONTENT


def test_corrupt_download_is_deleted(toy, monkeypatch):
    monkeypatch.setattr(
        data.urllib.request,
        "urlopen",
        lambda url, timeout: FakeResponse(gzip.compress(b"evil")),
    )
    with pytest.raises(data.ChecksumError):
        data.locate("toy", download=True)
    assert not list((toy / "keras").rglob("toy.bin.gz*"))


def test_extract_goes_to_cache_not_beside_the_source(toy, monkeypatch):
    import zipfile

    archive = toy / "mirror" / "bundle.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inner/hello.txt", "hello")
    file = data.DataFile(
        "bundle.zip",
        hashlib.sha256(archive.read_bytes()).hexdigest(),
        "https://example.invalid/bundle.zip",
    )
    monkeypatch.setitem(
        data.DATASETS,
        "bundle",
        data.Dataset("bundle", "Bundle", "", (file,), "CC0", "none"),
    )
    folder = data.extract("bundle")
    assert (folder / "inner/hello.txt").read_text() == "hello"
    assert folder.is_relative_to(toy / "cache")
    assert sorted(p.name for p in (toy / "mirror").iterdir()) == ["bundle.zip"]
    assert data.extract("bundle") == folder  # second call reuses the extraction


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: data.locate(3),
            TypeError,
            r"Expected `name` to be a str. Received: name=3 of type int",
        ),
        (
            lambda: data.locate("cifar"),
            ValueError,
            r"Expected `name` to be one of \[.*\]. Received: name='cifar'",
        ),
        (
            lambda: data.locate("fashion_mnist", download="yes"),
            TypeError,
            r"Expected `download` to be a bool or None. Received: download='yes'",
        ),
        (
            lambda: data.extract("fashion_mnist"),
            ValueError,
            r"Expected `name` to be a dataset stored as one .zip or .tar.gz archive",
        ),
        (lambda: data.search_folders(None), TypeError, r"Expected `name` to be a str"),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_cli_status_reports_corrupt_and_missing(toy, capsys):
    make_gz(toy / "mirror/toy/toy.bin.gz", b"bad")
    assert data.main(["status"]) == 1
    assert "CORRUPT" in capsys.readouterr().out
    (toy / "mirror/toy/toy.bin.gz").unlink()
    assert data.main([]) == 1
    assert "missing" in capsys.readouterr().out
    make_gz(toy / "mirror/toy/toy.bin.gz")
    assert data.main(["status", "toy"]) == 0
    assert "ok" in capsys.readouterr().out


def test_cli_fetch_reports_failure(toy, capsys, monkeypatch):
    monkeypatch.setattr(
        data.urllib.request,
        "urlopen",
        lambda url, timeout: (_ for _ in ()).throw(OSError("offline")),
    )
    assert data.main(["fetch", "toy"]) == 1
    assert "the download failed" in capsys.readouterr().out


def test_fashion_mnist_matches_keras_loader(tmp_path):
    """Our loader returns exactly what keras.datasets.fashion_mnist returns.

    Keras reads KERAS_HOME when it is imported, so its loader runs in a fresh
    process whose cache holds links to the verified files.
    """
    try:
        paths = data.locate("fashion_mnist", download=False)
    except data.DatasetNotFoundError:
        pytest.skip("Fashion-MNIST is not available offline (set GRIMOIRE_DATA)")
    cache = tmp_path / "keras" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    for name, path in paths.items():
        os.symlink(path, cache / name)
    script = (
        "import numpy as np, keras\n"
        "(a, b), (c, d) = keras.datasets.fashion_mnist.load_data()\n"
        f"np.savez({str(tmp_path / 'keras.npz')!r}, a=a, b=b, c=c, d=d)\n"
    )
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras"))
    subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True
    )
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    with np.load(tmp_path / "keras.npz") as theirs:
        for ours, key in zip((x_train, y_train, x_test, y_test), "abcd"):
            assert ours.dtype == theirs[key].dtype and ours.shape == theirs[key].shape
            np.testing.assert_array_equal(ours, theirs[key])
