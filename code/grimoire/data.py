"""Every dataset of the book, through one door.

Each dataset is a :class:`Dataset` in :data:`DATASETS`: its files with pinned
sha256 checksums, where they come from, their licence and citation. A file is
looked for, in this order:

1. the mirror folder named by the ``GRIMOIRE_DATA`` environment variable;
2. system copies (Debian's ``dataset-fashion-mnist`` package installs
   Fashion-MNIST in ``/usr/share/datasets/fashion-mnist/``);
3. the Keras cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``);
4. a download from the canonical origin into the Keras cache, unless
   ``GRIMOIRE_OFFLINE`` is set.

Every file is checked against its checksum before it is used; a file that
does not match is never used. Archives are extracted into the grimoire cache
(``$GRIMOIRE_CACHE`` or ``~/.cache/grimoire``), never next to the source.

From the shell, ``python -m grimoire.data`` prints where each dataset is
found and whether it verifies; ``python -m grimoire.data fetch`` fetches
them all.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

__all__ = [
    "DataFile",
    "Dataset",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "DataError",
    "ChecksumError",
    "DatasetNotFoundError",
    "search_folders",
    "locate",
    "extract",
    "cache_dir",
    "load_fashion_mnist",
    "load_mnist",
    "main",
]

_KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclasses.dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Attributes:
        name: The file name, as Keras names it in its cache.
        sha256: The pinned sha256 checksum.
        url: The canonical origin.
        gunzip: If True, the checksum is of the decompressed contents (the
            ``.gz`` wrappers differ between sources; the contents do not).
    """

    name: str
    sha256: str
    url: str
    gunzip: bool = False


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A registered dataset.

    Attributes:
        name: The registry key.
        title: A human-readable name.
        subdir: The folder the files sit in, relative to a mirror or cache
            root ("" for the root itself).
        files: The dataset's files.
        licence: The licence or terms of use.
        citation: Whom to cite.
        system_dirs: Folders where an operating-system package installs it.
        apt_package: The Debian package that provides it, if any.
    """

    name: str
    title: str
    subdir: str
    files: tuple
    licence: str
    citation: str
    system_dirs: tuple = ()
    apt_package: str | None = None


def _fashion(name, contents_sha256):
    return DataFile(
        name, contents_sha256, _KERAS_ORIGIN + "fashion-mnist/" + name, gunzip=True
    )


#: Every dataset the book uses, keyed by name.
DATASETS = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            name="fashion_mnist",
            title="Fashion-MNIST",
            subdir="fashion-mnist",
            files=(
                _fashion(
                    "train-labels-idx1-ubyte.gz",
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                ),
                _fashion(
                    "train-images-idx3-ubyte.gz",
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                ),
                _fashion(
                    "t10k-labels-idx1-ubyte.gz",
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                ),
                _fashion(
                    "t10k-images-idx3-ubyte.gz",
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                ),
            ),
            licence="MIT (Zalando SE)",
            citation="Xiao, Rasul and Vollgraf, Fashion-MNIST, arXiv:1708.07747, 2017",
            system_dirs=("/usr/share/datasets/fashion-mnist",),
            apt_package="dataset-fashion-mnist",
        ),
        Dataset(
            name="mnist",
            title="MNIST digits",
            subdir="",
            files=(
                DataFile(
                    "mnist.npz",
                    "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                    _KERAS_ORIGIN + "mnist.npz",
                ),
            ),
            licence="CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
            citation="LeCun, Bottou, Bengio and Haffner, Gradient-based learning applied to document recognition, 1998",
        ),
        Dataset(
            name="spa_eng",
            title="English-Spanish sentence pairs (Tatoeba / manythings.org)",
            subdir="",
            files=(
                DataFile(
                    "spa-eng.zip",
                    "0c4fd7825d3d872488d38c157f784e035edab4f2ff0df25a2a208790ecb5b58f",
                    "http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
                ),
            ),
            licence="CC-BY 2.0 FR (Tatoeba project)",
            citation="Tatoeba project, tatoeba.org, via manythings.org/anki",
        ),
    )
}

#: Fashion-MNIST class names, indexed by label.
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


class DataError(RuntimeError):
    """Base class of the data errors."""


class ChecksumError(DataError):
    """A data file does not match its pinned checksum (or cannot be read)."""


class DatasetNotFoundError(DataError, FileNotFoundError):
    """A data file was found nowhere and could not be downloaded."""


def _dataset(name):
    if not isinstance(name, str):
        raise TypeError(
            f"Expected `name` to be a str. Received: name={name!r} of type {type(name).__name__}"
        )
    if name not in DATASETS:
        raise ValueError(
            f"Expected `name` to be one of {sorted(DATASETS)}. Received: name={name!r}"
        )
    return DATASETS[name]


def _keras_cache():
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def cache_dir():
    """Return the folder where grimoire extracts archives (created if needed).

    It is ``$GRIMOIRE_CACHE`` when set, else ``~/.cache/grimoire``.

    Returns:
        A :class:`pathlib.Path`.

    Example:
        >>> cache_dir().is_dir()
        True
    """
    folder = Path(
        os.environ.get("GRIMOIRE_CACHE") or Path.home() / ".cache" / "grimoire"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def search_folders(name):
    """Return the labelled folders searched for a dataset, in resolution order.

    Args:
        name: A key of :data:`DATASETS`.

    Returns:
        A list of ``(label, folder)`` pairs; the Keras cache is last, and is
        also where downloads go.

    Raises:
        TypeError: If ``name`` is not a string.
        ValueError: If ``name`` is not a registered dataset.

    Example:
        >>> [label for label, _ in search_folders("fashion_mnist")]
        ['GRIMOIRE_DATA', 'system', 'Keras cache']
    """
    dataset = _dataset(name)
    folders = []
    if os.environ.get("GRIMOIRE_DATA"):
        folders.append(
            ("GRIMOIRE_DATA", Path(os.environ["GRIMOIRE_DATA"]) / dataset.subdir)
        )
    folders += [("system", Path(folder)) for folder in dataset.system_dirs]
    folders.append(("Keras cache", _keras_cache() / dataset.subdir))
    return folders


def _sha256(path, gunzip):
    digest = hashlib.sha256()
    opener = gzip.open if gunzip else open
    try:
        with opener(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError) as error:  # truncated or not a gzip file
        return None, f"{type(error).__name__}: {error}"
    return digest.hexdigest(), None


def _verify(path, file):
    actual, problem = _sha256(path, file.gunzip)
    if actual == file.sha256:
        return
    what = "decompressed contents" if file.gunzip else "file"
    found = f"could not be read ({problem})" if problem else f"has sha256 {actual}"
    raise ChecksumError(
        f"Data file {path} is corrupt or not the expected version and was not used.\n"
        f"  expected sha256 of the {what}: {file.sha256}\n"
        f"  this file {found}\n"
        f"Delete it (or replace it with a good copy, for example from the book's "
        f"mirror named by GRIMOIRE_DATA) and try again."
    )


def _download(file, target):
    from tqdm.auto import tqdm

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=target.parent, delete=False, suffix=".part"
    ) as tmp:
        partial = Path(tmp.name)
        try:
            with urllib.request.urlopen(file.url, timeout=30) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(
                    total=total, unit="B", unit_scale=True, desc=file.name
                ) as bar:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        tmp.write(block)
                        bar.update(len(block))
        except BaseException:
            tmp.close()
            partial.unlink(missing_ok=True)
            raise
    try:
        _verify(partial, file)
    except ChecksumError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _not_found(dataset, file, folders, reason):
    looked = "\n".join(
        f"  - {label}: {folder / file.name}" for label, folder in folders
    )
    ways = [
        "set GRIMOIRE_DATA to a folder that holds the book's dataset mirror",
        f"connect to the internet and run `python -m grimoire.data fetch {dataset.name}`",
    ]
    if dataset.apt_package:
        ways.insert(
            1, f"install the system copy: `apt-get install {dataset.apt_package}`"
        )
    return DatasetNotFoundError(
        f"{dataset.title}: {file.name} was not found, and {reason}.\n"
        f"Looked in:\n{looked}\n"
        f"  - download from {file.url}\n"
        f"To provide it, either:\n" + "\n".join(f"  * {way}" for way in ways)
    )


def locate(name, download=None):
    """Find, verify and return the local paths of a dataset's files.

    Each file is taken from the first folder of :func:`search_folders` that
    has it; if none has it, it is downloaded into the Keras cache. Every file
    is verified against its pinned sha256 before it is returned.

    Args:
        name: A key of :data:`DATASETS`.
        download: Allow a download when no local copy exists. ``None`` means
            "unless the ``GRIMOIRE_OFFLINE`` environment variable is set".

    Returns:
        A dict ``{file name: Path}``.

    Raises:
        TypeError: If ``name`` is not a string or ``download`` not a bool.
        ValueError: If ``name`` is not a registered dataset.
        ChecksumError: If a file found (or downloaded) does not verify.
        DatasetNotFoundError: If a file is nowhere and cannot be downloaded.

    Example:
        >>> paths = locate("fashion_mnist", download=False)
        >>> sorted(paths)[0]
        't10k-images-idx3-ubyte.gz'
    """
    dataset = _dataset(name)
    if download is None:
        download = not os.environ.get("GRIMOIRE_OFFLINE")
    if not isinstance(download, bool):
        raise TypeError(
            f"Expected `download` to be a bool or None. Received: download={download!r}"
        )
    folders = search_folders(name)
    paths = {}
    for file in dataset.files:
        found = next(
            (
                folder / file.name
                for _, folder in folders
                if (folder / file.name).is_file()
            ),
            None,
        )
        if found is None:
            target = folders[-1][1] / file.name
            if not download:
                raise _not_found(
                    dataset,
                    file,
                    folders,
                    "downloads are off (GRIMOIRE_OFFLINE is set)",
                )
            try:
                _download(file, target)
            except ChecksumError:
                raise
            except Exception as error:  # no network, HTTP error, disk full, ...
                raise _not_found(
                    dataset, file, folders, f"the download failed ({error})"
                ) from error
            found = target
        _verify(found, file)
        paths[file.name] = found
    return paths


def extract(name):
    """Extract a dataset's archive into the grimoire cache and return the folder.

    Extraction happens once per verified archive: the folder is named after
    the archive's checksum, so a changed archive never reuses an old folder.

    Args:
        name: A key of :data:`DATASETS` whose single file is a ``.zip`` or
            ``.tar.gz`` archive.

    Returns:
        The folder holding the extracted files.

    Raises:
        ValueError: If the dataset is not a single archive.

    Example:
        >>> extract("fashion_mnist")
        Traceback (most recent call last):
        ...
        ValueError: Expected `name` to be a dataset stored as one .zip or .tar.gz archive. Received: name='fashion_mnist'
    """
    dataset = _dataset(name)
    archive = dataset.files[0]
    if len(dataset.files) != 1 or not archive.name.endswith((".zip", ".tar.gz")):
        raise ValueError(
            f"Expected `name` to be a dataset stored as one .zip or .tar.gz archive. Received: name={name!r}"
        )
    target = cache_dir() / f"{name}-{archive.sha256[:12]}"
    if (target / ".complete").is_file():
        return target
    source = locate(name)[archive.name]
    partial = Path(tempfile.mkdtemp(dir=cache_dir(), prefix=f".{name}-"))
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(source) as bundle:
                bundle.extractall(partial)
        else:
            with tarfile.open(source) as bundle:
                bundle.extractall(partial, filter="data")
        (partial / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        partial.replace(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _read_idx(path, header_bytes):
    with gzip.open(path, "rb") as stream:
        return np.frombuffer(stream.read(), dtype=np.uint8, offset=header_bytes)


def load_fashion_mnist():
    """Load Fashion-MNIST, verified, as ``keras.datasets.fashion_mnist`` does.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
        ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)`` and
        ``(10000,)``. Class names are in :data:`FASHION_MNIST_CLASSES`.

    Raises:
        ChecksumError: If a file found does not verify.
        DatasetNotFoundError: If the data is nowhere to be had.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
        >>> x_train.shape, y_train.shape, x_test.shape, x_test.dtype
        ((60000, 28, 28), (60000,), (10000, 28, 28), dtype('uint8'))
    """
    paths = locate("fashion_mnist")
    arrays = []
    for split in ("train", "t10k"):
        labels = _read_idx(paths[f"{split}-labels-idx1-ubyte.gz"], 8)
        images = _read_idx(paths[f"{split}-images-idx3-ubyte.gz"], 16).reshape(
            len(labels), 28, 28
        )
        arrays.append((images, labels))
    return tuple(arrays)


def load_mnist():
    """Load the MNIST digits, verified (needs the internet or a local copy).

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` as in
        ``keras.datasets.mnist.load_data()``.

    Raises:
        ChecksumError: If the file found does not verify.
        DatasetNotFoundError: If the data is nowhere to be had.

    The example is skipped in the tests: MNIST is not in the offline mirror.

    Example:
        >>> (x_train, y_train), _ = load_mnist()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (60000, 28, 28)
    """
    with np.load(locate("mnist")["mnist.npz"], allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def _status_line(dataset, file):
    for label, folder in search_folders(dataset.name):
        path = folder / file.name
        if path.is_file():
            try:
                _verify(path, file)
            except ChecksumError:
                return f"CORRUPT   {path} ({label})"
            return f"ok        {path} ({label})"
    return f"missing   (would download {file.url})"


def main(argv=None):
    """Print each dataset's status, or fetch datasets: ``python -m grimoire.data``.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        int: 0 when every dataset asked for is present and verified, else 1.

    Example:
        >>> status = main(["status", "mnist"])  # doctest: +ELLIPSIS
        MNIST digits [mnist]
          mnist.npz: ...
        >>> status in (0, 1)
        True
    """
    parser = argparse.ArgumentParser(
        prog="python -m grimoire.data", description=main.__doc__.splitlines()[0]
    )
    parser.add_argument(
        "command", nargs="?", default="status", choices=["status", "fetch"]
    )
    parser.add_argument(
        "names", nargs="*", help=f"datasets (default: all of {', '.join(DATASETS)})"
    )
    args = parser.parse_args(argv)
    names = args.names or list(DATASETS)
    for name in names:
        _dataset(name)
    failures = 0
    for name in names:
        dataset = DATASETS[name]
        print(f"{dataset.title} [{name}]")
        if args.command == "fetch":
            try:
                locate(name, download=True)
            except DataError as error:
                failures += 1
                print(f"  {error}".replace("\n", "\n  "))
                continue
        for file in dataset.files:
            line = _status_line(dataset, file)
            failures += not line.startswith("ok")
            print(f"  {file.name}: {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
