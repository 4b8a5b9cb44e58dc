"""Extract a dataset's archive once, safely, into the grimoire cache.

An archive is verified (:func:`~grimoire.data_sources.locate`) and extracted
into ``<cache>/<name>-<checksum prefix>/``, never next to its source, so a
read-only mirror stays untouched and a changed archive never reuses an old
folder. Two guarantees:

* **Nothing lands outside the folder.** A ``.tar.gz`` may hold only regular
  files and folders with relative names and no ``..``: links, devices and
  absolute or escaping names are refused. Since the folder is new and holds
  no links, no member can reach outside it, which is what ``tarfile``'s
  ``"data"`` filter checks, at a fraction of its cost (it resolves every
  path on disk: minutes for the 100,000 files of IMDB). File modes are
  reset to ``rw-r--r--``. ``.zip`` member names are cleaned by ``zipfile``.
* **Concurrent extractions are safe.** Each process extracts into a private
  folder and renames it into place in one atomic step; a process that finds
  the place taken by a complete folder discards its own copy and uses it.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

from grimoire.data_sources import DataError, cache_dir, locate
from grimoire.datasets import get_dataset
from grimoire.validation import check_type

__all__ = ["UnsafeArchiveError", "extract", "safe_member"]

_COMPLETE = ".complete"


class UnsafeArchiveError(DataError):
    """An archive member could land outside its folder, or is a link or device."""


def safe_member(member, path=None):
    """Return a tar member fit to extract, or raise if it could escape.

    Usable as ``tarfile``'s ``filter=``: it keeps regular files and folders
    with a clean relative name, drops owners, and resets modes.

    Args:
        member: A ``tarfile.TarInfo``.
        path: The destination folder (unused: names are checked on their own).

    Returns:
        A copy of ``member`` with mode 0o644 (0o755 for folders) and no owner.

    Raises:
        TypeError: If ``member`` is not a ``TarInfo`` or ``path`` not a path.
        UnsafeArchiveError: If the name is absolute or has ``..``, or the
            member is a link, a device or a pipe.

    Example:
        >>> import tarfile
        >>> safe_member(tarfile.TarInfo("aclImdb/README")).mode == 0o644
        True
        >>> safe_member(tarfile.TarInfo("../etc/passwd"))
        Traceback (most recent call last):
        ...
        grimoire.archives.UnsafeArchiveError: Refused to extract '../etc/passwd':
        its name leads outside the folder.
    """
    check_type("member", member, tarfile.TarInfo)
    check_type("path", path, (str, os.PathLike, type(None)), "a str, a path or None")
    name = member.name
    clean = posixpath.normpath(name)
    if name.startswith(("/", "\\")) or clean == ".." or clean.startswith("../"):
        raise UnsafeArchiveError(
            f"Refused to extract {name!r}: its name leads outside the folder."
        )
    if not (member.isreg() or member.isdir()):
        raise UnsafeArchiveError(
            f"Refused to extract {name!r}: only regular files and folders are "
            "extracted, not links, devices or pipes."
        )
    mode = 0o755 if member.isdir() else 0o644
    return member.replace(
        mode=mode, uid=None, gid=None, uname=None, gname=None, deep=False
    )


def _archive_of(name):
    dataset = get_dataset(name)
    archive = dataset.files[0]
    if len(dataset.files) != 1 or not archive.name.endswith((".zip", ".tar.gz")):
        raise ValueError(
            "Expected `name` to be a dataset stored as one .zip or .tar.gz "
            f"archive. Received: name={name!r}"
        )
    return archive


def _adopt(partial, target):
    """Rename the complete folder ``partial`` to ``target`` unless one is there."""
    for _ in range(3):
        try:
            partial.rename(target)  # atomic; fails if target is a non-empty folder
            return
        except OSError:
            if (target / _COMPLETE).is_file():
                return  # another process finished first: use its folder
            # An incomplete folder (an older version's crash): move it aside.
            trash = Path(tempfile.mkdtemp(dir=target.parent, prefix=".trash-"))
            try:
                target.rename(trash / "old")
            except OSError:
                pass
            shutil.rmtree(trash, ignore_errors=True)
    raise DataError(f"Could not move the extracted folder {partial} to {target}")


def extract(name, download=None):
    """Extract a dataset's archive into the grimoire cache and return the folder.

    Extraction happens once per verified archive; later calls return the
    folder at once. It is safe when several processes extract at the same
    time, and nothing in the archive can land outside the folder.

    Args:
        name: A key of :data:`~grimoire.datasets.DATASETS` whose single file
            is a ``.zip`` or ``.tar.gz`` archive.
        download: As for :func:`~grimoire.data_sources.locate`.

    Returns:
        The folder holding the extracted files.

    Raises:
        ValueError: If the dataset is not a single archive.
        ChecksumError: If the archive does not verify.
        DatasetNotFoundError: If the archive is nowhere to be had.
        UnsafeArchiveError: If a member could land outside the folder.

    Example:
        >>> extract("fashion_mnist")
        Traceback (most recent call last):
        ...
        ValueError: Expected `name` to be a dataset stored as one .zip or .tar.gz
        archive. Received: name='fashion_mnist'
    """
    archive = _archive_of(name)
    target = cache_dir() / f"{name}-{archive.sha256[:12]}"
    if (target / _COMPLETE).is_file():
        return target
    source = locate(name, download)[archive.name]
    partial = Path(tempfile.mkdtemp(dir=cache_dir(), prefix=f".{name}-partial-"))
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(source) as bundle:
                bundle.extractall(partial)
        else:
            with tarfile.open(source, "r|gz") as bundle:
                bundle.extractall(partial, filter=safe_member)
        (partial / _COMPLETE).touch()
        _adopt(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
