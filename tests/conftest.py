"""Shared test set-up: no network, no windows, the book's data mirror if present."""

import os
from pathlib import Path

import matplotlib

matplotlib.use("agg")  # before pyplot is imported anywhere

os.environ["GRIMOIRE_OFFLINE"] = "1"  # tests never download
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if not os.environ.get("GRIMOIRE_DATA") and (_MIRROR / "MANIFEST.md").is_file():
    os.environ["GRIMOIRE_DATA"] = str(_MIRROR)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    """Doctests start from a clean namespace with only NumPy imported."""
    import numpy as np

    doctest_namespace.clear()
    doctest_namespace["np"] = np
