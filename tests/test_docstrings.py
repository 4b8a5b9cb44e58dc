"""Every public function and class of grimoire has a runnable example.

The examples themselves run as doctests (``--doctest-modules`` in
pyproject.toml); this test makes sure none is missing.
"""

import importlib
import inspect
import pkgutil

import pytest

import grimoire

MODULES = [info.name for info in pkgutil.iter_modules(grimoire.__path__, "grimoire.")]


def test_modules_found():
    assert {"grimoire.data", "grimoire.book_cache", "grimoire.reproducibility"} <= set(
        MODULES
    )


@pytest.mark.parametrize("module_name", MODULES)
def test_public_objects_have_examples(module_name):
    module = importlib.import_module(module_name)
    assert hasattr(module, "__all__"), f"{module_name} has no __all__"
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or (
            inspect.isclass(obj)
            and not issubclass(obj, Exception)
            and not getattr(obj, "__dataclass_fields__", None)
        ):
            if ">>>" not in (inspect.getdoc(obj) or ""):
                missing.append(name)
    assert not missing, f"{module_name}: no >>> example in {missing}"
