"""Fixtures shared by the tests.

The environment (no network, no windows, the build's variables and the book's
data mirror) and the ``needs_data`` marker are set up by the repository's
root ``conftest.py``, for the package's doctests too.
"""

import pytest


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
