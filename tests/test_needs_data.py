"""The root conftest: what needs an absent dataset skips, with the reason.

Each test runs pytest in a fresh process, in a folder of its own that uses the
repository's root ``conftest.py``, on a machine made to look fresh: no mirror
(``GRIMOIRE_DATA`` names a folder that does not exist) and an empty home.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

EXAMPLES = '''
from grimoire.data import locate


def direct():
    """
    >>> from grimoire.data import load_imdb
    >>> len(load_imdb("test")[0])
    25000
    """


def indirect():
    """
    >>> len(_load_pairs())
    118964
    """


def _load_pairs():
    return locate("spa_eng")


def plain():
    """
    >>> 1 + 1
    2
    """
'''

TESTS = """
import pytest


@pytest.mark.needs_data("imdb")
def test_imdb():
    raise AssertionError("must not run without the data")


@pytest.mark.needs_data("nyc_weather")  # an installed package ships it
def test_weather():
    from grimoire.data import load_nyc_weather

    assert len(load_nyc_weather()) == 26115


@pytest.mark.needs_data("spa_eng")
def test_spa_eng():
    pass
"""


@pytest.fixture
def fresh(pytester, monkeypatch, tmp_path):
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    (pytester.path / "book").symlink_to(ROOT / "book")  # for build_settings
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path / "no-mirror"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("KERAS_HOME", "GRIMOIRE_CACHE"):
        monkeypatch.delenv(name, raising=False)
    return pytester


def test_doctests_that_need_absent_data_skip(fresh):
    fresh.makepyfile(examples=EXAMPLES)
    result = fresh.runpytest_subprocess("--doctest-modules", "-rs", "examples.py")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*needs the 'imdb' dataset, absent here*set GRIMOIRE_DATA*",
            "*needs a dataset absent here (English-Spanish*downloads are off*",
        ]
    )


@pytest.mark.slow
def test_marked_tests_skip_when_their_data_is_absent(fresh):
    fresh.makepyfile(test_marked=TESTS)
    result = fresh.runpytest_subprocess("-rs", "test_marked.py")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*needs the 'spa_eng' dataset, absent here*"])


def test_corrupt_data_still_fails(fresh, tmp_path):
    mirror = tmp_path / "no-mirror"
    mirror.mkdir()
    (mirror / "spa-eng.zip").write_bytes(b"not the archive")
    fresh.makepyfile(test_marked=TESTS)
    result = fresh.runpytest_subprocess("test_marked.py::test_spa_eng")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ChecksumError*"])
