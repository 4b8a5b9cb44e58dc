"""The settings every process of the book's build shares, each in one place.

``conf.py`` (and so every notebook kernel Sphinx starts), ``tests/conftest.py``
and the scripts in ``.ci/`` call :func:`apply` before they import TensorFlow.
The Makefile and ``.ci/run`` set nothing of their own.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ENVIRONMENT", "RESULT_VARIABLES", "data_mirror", "apply"]

ROOT = Path(__file__).resolve().parents[2]

#: Variables set (unless the caller set them) for the build, the kernels and tests:
#: quiet TensorFlow's C++ logging, pin the Keras backend and Python's hash seed.
ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "PYTHONHASHSEED": "0",
}

#: Variables whose values can change what a chapter computes: they are part of
#: the execution cache's key (see ``book_cache``).
RESULT_VARIABLES = (
    "KERAS_BACKEND",
    "PYTHONHASHSEED",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_DETERMINISTIC_OPS",
    "CUDA_VISIBLE_DEVICES",
    "OMP_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def data_mirror(root=ROOT):
    """Return the book's data mirror beside the repository, or None.

    The mirror is ``../shared/datasets`` (a folder with a ``MANIFEST.md``), as
    CI lays it out.

    Example:
        >>> data_mirror(Path("/nonexistent")) is None
        True
    """
    folder = Path(root).resolve().parent / "shared" / "datasets"
    return folder if (folder / "MANIFEST.md").is_file() else None


def apply(environ=None):
    """Set the shared variables in ``environ`` where the caller has not.

    ``GRIMOIRE_DATA`` is set to :func:`data_mirror` when it is unset and the
    mirror exists.

    Args:
        environ: The mapping to update; ``os.environ`` by default.

    Returns:
        The names that were set.

    Example:
        >>> environ = {"KERAS_BACKEND": "jax"}
        >>> "KERAS_BACKEND" in apply(environ), environ["KERAS_BACKEND"]
        (False, 'jax')
    """
    environ = os.environ if environ is None else environ
    defaults = dict(ENVIRONMENT)
    mirror = data_mirror()
    if mirror is not None:
        defaults["GRIMOIRE_DATA"] = str(mirror)
    added = [name for name in defaults if not environ.get(name)]
    for name in added:
        environ[name] = defaults[name]
    return added
