"""Shared test set-up: no network, no windows, the book's data mirror if present."""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("agg")  # before pyplot is imported anywhere

# The build's extensions and settings (book/_ext) are importable in tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import build_settings  # noqa: E402

os.environ["GRIMOIRE_OFFLINE"] = "1"  # tests never download
build_settings.apply()  # the variables and the data mirror, as for the build

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
