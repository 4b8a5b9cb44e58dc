"""grimoire: the teaching code of TensorFlow Grimoire.

Each topic lives in its own module, imported by name, for example::

    from grimoire.data import load_fashion_mnist
    from grimoire.reproducibility import set_seed

This file imports no submodule on purpose: a chapter depends on exactly the
modules it imports, which keeps the book's execution cache precise.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
