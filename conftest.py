"""pytest set-up for everything it collects: ``tests/``, the package's doctests
and ``book/_ext``.

* The build's shared variables and the data mirror beside the repository
  (``book/_ext/build_settings.py``), and no downloads (``GRIMOIRE_OFFLINE``).
* No windows: matplotlib's ``agg`` backend.
* Data: a test marked ``@pytest.mark.needs_data("imdb")``, and a doctest
  whose examples call a loader (``load_imdb(...)``, ``locate("mnist")``, ...),
  is skipped, with the reason, when the dataset cannot be had offline, as on
  a fresh clone without the mirror. Where the mirror is present (CI), they
  run. A doctest that reaches a missing dataset some other way is reported
  as skipped too, never as a failure. A dataset that is present but corrupt
  still fails.
"""

import doctest
import functools
import os
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("agg")  # before pyplot is imported anywhere

# The build's extensions and settings (book/_ext) are importable in tests.
sys.path.insert(0, str(Path(__file__).resolve().parent / "book" / "_ext"))
import build_settings  # noqa: E402

os.environ["GRIMOIRE_OFFLINE"] = "1"  # tests never download
build_settings.apply()  # the variables and the data mirror, as for the build

import pytest  # noqa: E402

pytest_plugins = ["pytester"]  # tests/test_needs_data.py runs pytest on examples

# Calls in a doctest's examples that read a dataset, and which one.
_LOADERS = {
    "fashion_mnist": r"\bload_fashion_mnist\(",
    "mnist": r"\bload_mnist\(",
    "imdb": r"\b(load_imdb|imdb_folder)\(",
    "nyc_weather": r"\bload_nyc_weather\(",
    "spa_eng": r"\bload_spa_eng\(",
}
_BY_NAME = re.compile(r"\b(locate|read_files|extract)\(\s*[\"'](\w+)[\"']")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "needs_data(*names): skip unless these datasets of grimoire.datasets "
        "are available offline (the mirror named by GRIMOIRE_DATA, a system "
        "copy, an installed package or a cache)",
    )
    config.addinivalue_line(
        "markers",
        "slow: builds a small book, reads a whole data set, trains several "
        "models or starts worker processes (seconds to a minute each); make test "
        "leaves them out, pytest -m slow runs them (and CI does)",
    )


@functools.cache
def missing_reason(name):
    """Why dataset ``name`` cannot be had offline, or None if it can."""
    from grimoire.data import DatasetNotFoundError, locate

    try:
        locate(name)  # no download: GRIMOIRE_OFFLINE is set above
    except DatasetNotFoundError as error:
        first = str(error).splitlines()[0].rstrip(".")
        return (
            f"needs the {name!r} dataset, absent here ({first}); set "
            "GRIMOIRE_DATA to the book's mirror to run it"
        )
    return None


def datasets_used(source):
    """The names of the datasets that doctest source code reads."""
    from grimoire.datasets import DATASETS

    names = {name for name, call in _LOADERS.items() if re.search(call, source)}
    names |= {m.group(2) for m in _BY_NAME.finditer(source) if m.group(2) in DATASETS}
    return sorted(names)


def pytest_collection_modifyitems(items):
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.dtest is not None:
            examples = "\n".join(example.source for example in item.dtest.examples)
            names = datasets_used(examples)
            if names:
                item.add_marker(pytest.mark.needs_data(*names))


def pytest_runtest_setup(item):
    for marker in item.iter_markers("needs_data"):
        for name in marker.args:
            reason = missing_reason(name)
            if reason:
                pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    excinfo = call.excinfo
    if (
        report.failed
        and isinstance(item, pytest.DoctestItem)
        and excinfo is not None
        and isinstance(excinfo.value, doctest.UnexpectedException)
    ):
        from grimoire.data import DatasetNotFoundError

        error = excinfo.value.exc_info[1]
        if isinstance(error, DatasetNotFoundError):
            first = str(error).splitlines()[0].rstrip(".")
            report.outcome = "skipped"
            report.longrepr = (
                str(item.path),
                item.reportinfo()[1] or 0,
                f"Skipped: needs a dataset absent here ({first})",
            )
    return report


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure after each test and doctest.

    A helper called without ``ax`` draws into the current axes; a figure left
    open by one example would otherwise collect the lines of the next, and
    which example runs next depends on how pytest-xdist shares them out.
    """
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
