"""grimoire.data: the loaders return what the chapters expect; the command line.

The loader tests read the real data (the mirror, an installed package); the
command-line tests use a registry of their own.
"""

import gzip
import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from grimoire import archives, data, data_sources, datasets


def test_door_reexports_the_registry_and_sources():
    for name in ("locate", "read_files", "search_folders", "ChecksumError"):
        assert getattr(data, name) is getattr(data_sources, name)
    assert data.extract is archives.extract
    assert data.DATASETS is datasets.DATASETS
    assert set(data.__all__) >= {"load_fashion_mnist", "FASHION_MNIST_CLASSES"}


@pytest.mark.needs_data("nyc_weather")
def test_nyc_weather_is_the_file_unmodified():
    weather = data.load_nyc_weather()
    assert weather.shape == (26115, 15)
    assert list(weather.columns[:5]) == ["origin", "year", "month", "day", "hour"]
    assert weather["origin"].value_counts().to_dict() == {
        "JFK": 8706,
        "LGA": 8706,
        "EWR": 8703,
    }
    assert str(weather["time_hour"].dt.tz) == "UTC"
    missing = weather.isna().sum()
    assert (missing["wind_gust"], missing["pressure"], missing["temp"]) == (
        20778,
        2729,
        1,
    )


@pytest.mark.slow
@pytest.mark.needs_data("imdb")
@pytest.mark.parametrize("subset, size", [("train", 25000), ("test", 25000)])
def test_imdb_labelled_subsets(subset, size):
    texts, labels = data.load_imdb(subset)
    assert len(texts) == size and labels.shape == (size,)
    assert labels.dtype == np.int64
    half = size // 2
    assert (labels[:half] == 0).all() and (labels[half:] == 1).all()
    assert all(isinstance(text, str) and text for text in texts[:100])
    # The documented order: negatives, then positives, files sorted by name.
    folder = data.imdb_folder() / subset
    names = sorted(p.name for p in (folder / "neg").iterdir())
    assert texts[0] == (folder / "neg" / names[0]).read_text(encoding="utf-8")
    names = sorted(p.name for p in (folder / "pos").iterdir())
    assert texts[-1] == (folder / "pos" / names[-1]).read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.needs_data("imdb")
def test_imdb_unsup_is_unlabelled():
    texts, labels = data.load_imdb("unsup")
    assert len(texts) == 50000 and set(labels.tolist()) == {-1}


@pytest.mark.needs_data("imdb")
def test_imdb_folder_is_extracted_once():
    folder = data.imdb_folder()
    assert folder.name == "aclImdb" and (folder.parent / ".complete").is_file()
    assert data.imdb_folder() == folder


@pytest.mark.parametrize(
    "subset, error, message",
    [
        ("validation", ValueError, r"Expected `subset` to be one of \('train', "),
        (0, TypeError, r"Expected `subset` to be a str. Received: subset=0 of type"),
    ],
)
def test_load_imdb_checks_its_argument(subset, error, message):
    with pytest.raises(error, match=message):
        data.load_imdb(subset)


@pytest.mark.slow
@pytest.mark.needs_data("fashion_mnist")
def test_fashion_mnist_matches_keras_loader(tmp_path):
    """Our loader returns exactly what keras.datasets.fashion_mnist returns.

    Keras reads KERAS_HOME when it is imported, so its loader runs in a fresh
    process whose cache holds links to the verified files.
    """
    paths = data.locate("fashion_mnist", download=False)
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


CONTENT = b"grimoire test payload\n" * 50


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registry with one gzipped dataset, for the command line."""
    file = datasets.DataFile(
        "toy.bin.gz",
        hashlib.sha256(CONTENT).hexdigest(),
        "https://example.invalid/toy.bin.gz",
        gunzip=True,
    )
    dataset = datasets.Dataset("toy", "Toy data", "toy", (file,), "CC0", "none")
    monkeypatch.setattr(datasets, "DATASETS", {"toy": dataset})
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path / "mirror"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GRIMOIRE_CACHE", str(tmp_path / "cache"))
    return tmp_path


def write_toy(toy, content=CONTENT, where="mirror/toy"):
    path = toy / where / "toy.bin.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content))
    return path


def test_cli_status_reports_corrupt_and_missing(toy, capsys):
    write_toy(toy, b"bad")
    assert data.main(["status"]) == 1
    assert "CORRUPT" in capsys.readouterr().out
    (toy / "mirror/toy/toy.bin.gz").unlink()
    assert data.main([]) == 1
    assert "missing" in capsys.readouterr().out
    write_toy(toy)
    assert data.main(["status", "toy"]) == 0
    assert "ok" in capsys.readouterr().out


def test_cli_fetch_reports_failure(toy, capsys, monkeypatch):
    def refuse(url, timeout):
        raise OSError("offline")

    monkeypatch.setattr(data_sources.urllib.request, "urlopen", refuse)
    assert data.main(["fetch", "toy"]) == 1
    assert "the download failed" in capsys.readouterr().out


def test_cli_rejects_unknown_names(toy):
    with pytest.raises(ValueError, match=r"Expected `name` to be one of \('toy',\)"):
        data.main(["status", "cifar"])


def test_cli_fetch_extracts_archives(toy, monkeypatch, capsys):
    import zipfile

    archive = toy / "mirror" / "bundle.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inner/hello.txt", "hello")
    file = datasets.DataFile(
        "bundle.zip", hashlib.sha256(archive.read_bytes()).hexdigest()
    )
    bundle = datasets.Dataset("bundle", "Bundle", "", (file,), "CC0", "none")
    monkeypatch.setitem(datasets.DATASETS, "bundle", bundle)
    assert data.main(["fetch", "bundle"]) == 0
    folder = toy / "cache" / f"bundle-{file.sha256[:12]}"
    assert f"extracted in {folder}" in capsys.readouterr().out
    assert (folder / "inner/hello.txt").read_text() == "hello"


@pytest.mark.needs_data("fashion_mnist")
def test_fashion_mnist_is_decompressed_once(monkeypatch):
    """The bytes that are hashed are the bytes that are parsed."""
    opened = []
    real_open = data_sources.gzip.open

    def counting_open(path, *args, **kwargs):
        opened.append(path.name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(data_sources.gzip, "open", counting_open)
    (x_train, _), _ = data.load_fashion_mnist()
    assert sorted(opened) == sorted(
        f.name for f in data.DATASETS["fashion_mnist"].files
    )
    assert x_train.shape == (60000, 28, 28)
