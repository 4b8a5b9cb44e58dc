"""Every public function and class has a docstring that matches it.

Two rules, for the ``grimoire`` package and the book's Sphinx extensions in
``book/_ext``:

1. Its ``>>>`` example calls the object itself: the function's name followed
   by ``(``, or for a class its constructor. A filler such as
   ``callable(setup)`` or ``name in __all__`` does not count. The examples run
   as doctests (``--doctest-modules`` in pyproject.toml).
2. pydoclint (Google style) finds no mismatch between a docstring and its
   function: every argument of the signature is in ``Args:``, in order, and
   nothing else is; a function that returns something has ``Returns:``, a
   generator ``Yields:``. Types are not required in docstrings, and the
   ``Raises:`` sections are not compared with ``raise`` statements (most
   checks raise inside ``grimoire.validation``, which pydoclint cannot see).

Known exceptions, in files whose owners have not fixed them yet, are listed in
``KNOWN_*`` below; each entry must still be needed (the test fails when one is
fixed, so that the line gets deleted).
"""

import doctest
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

import grimoire

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "book" / "_ext"
PACKAGE = [info.name for info in pkgutil.iter_modules(grimoire.__path__, "grimoire.")]
EXTENSIONS = sorted(path.stem for path in EXT.glob("*.py"))

# Objects that need no example calling them, and why.
NO_CALL_NEEDED = {
    # Sphinx calls `setup(app)` with a running application; the extension's
    # behaviour is tested through a build (tests/test_book_cache.py, test_site).
    "setup": "a Sphinx extension hook",
}

# pydoclint findings in files owned by others, by file and object; delete an
# entry once the docstring is fixed.
KNOWN_PYDOCLINT = {
    "code/grimoire/recurrent.py": {"sigmoid"},
    "code/grimoire/training.py": {"CustomTrainStepModel.__init__"},
    "code/grimoire/validation.py": {
        "positive_int",
        "positive_float",
        "unit_rate",
        "keras_model",
        "model_layer",
    },
    "book/_ext/build_log.py": {"main"},
    "book/_ext/build_settings.py": {"data_mirror"},
    "book/_ext/listings.py": {"strip_docstrings", "setup"},
}

PYDOCLINT_OPTIONS = [
    "--style=google",
    "--arg-type-hints-in-signature=False",
    "--arg-type-hints-in-docstring=False",
    "--check-return-types=False",
    "--check-yield-types=False",
    "--skip-checking-raises=True",
    "--skip-checking-private-functions=True",
    "--check-class-attributes=False",
    "--quiet",
]


def _import(name):
    if name.startswith("grimoire."):
        return importlib.import_module(name)
    if str(EXT) not in sys.path:
        sys.path.insert(0, str(EXT))  # as conf.py and pytest's doctest import do
    return importlib.import_module(name)


def _documented_objects(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or (
            inspect.isclass(obj)
            and not issubclass(obj, Exception)
            and not getattr(obj, "__dataclass_fields__", None)
        ):
            yield name, obj


def _example_source(obj):
    examples = doctest.DocTestParser().get_examples(inspect.getdoc(obj) or "")
    return "\n".join(example.source for example in examples)


def test_modules_found():
    assert {"grimoire.data", "grimoire.validation", "grimoire.reproducibility"} <= set(
        PACKAGE
    )
    assert {"listings", "book_cache"} <= set(EXTENSIONS)


@pytest.mark.parametrize("module_name", PACKAGE + EXTENSIONS)
def test_public_objects_have_examples_that_call_them(module_name):
    module = _import(module_name)
    assert hasattr(module, "__all__"), f"{module_name} has no __all__"
    no_example, no_call = [], []
    for name, obj in _documented_objects(module):
        source = _example_source(obj)
        if not source:
            no_example.append(name)
        elif name not in NO_CALL_NEEDED and not re.search(
            rf"\b{re.escape(name)}\(", source
        ):
            no_call.append(name)
    assert not no_example, f"{module_name}: no >>> example in {no_example}"
    assert not no_call, (
        f"{module_name}: the examples of {no_call} never call them; an example "
        "shows the object at work (its name followed by '(')"
    )


@cache
def _pydoclint_findings():
    """pydoclint's findings, as {file relative to the repository: {object: [text]}}."""
    command = [
        sys.executable,
        "-c",
        "import sys; from pydoclint.main import main; sys.exit(main())",
        *PYDOCLINT_OPTIONS,
        "code/grimoire",
        "book/_ext",
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    findings, current = {}, None
    for line in (result.stdout + result.stderr).splitlines():
        if line.endswith(".py") and not line.startswith(" "):
            path = Path(line) if Path(line).is_absolute() else ROOT / line
            current = path.resolve().relative_to(ROOT).as_posix()
        elif current and re.match(r"\s+\d+: DOC\d+", line):
            match = re.search(r"(?:Function|Method|Class) `([\w.]+)`", line)
            name = match.group(1) if match else "?"
            findings.setdefault(current, {}).setdefault(name, []).append(line.strip())
    assert result.returncode == 0 or findings, result.stdout + result.stderr
    return findings


def _files():
    files = sorted(ROOT.joinpath("code", "grimoire").glob("*.py")) + sorted(
        EXT.glob("*.py")
    )
    return [path.relative_to(ROOT).as_posix() for path in files]


@pytest.mark.parametrize("path", _files())
def test_docstrings_match_signatures(path):
    found = _pydoclint_findings().get(path, {})
    known = KNOWN_PYDOCLINT.get(path, set())
    new = {name: lines for name, lines in found.items() if name not in known}
    assert not new, f"{path}: pydoclint:\n" + "\n".join(
        line for lines in new.values() for line in lines
    )
    fixed = sorted(known - set(found))
    assert not fixed, f"{path}: {fixed} pass pydoclint now; remove from KNOWN_PYDOCLINT"


def test_known_exceptions_name_files_that_exist():
    for path in KNOWN_PYDOCLINT:
        assert (ROOT / path).is_file(), path
