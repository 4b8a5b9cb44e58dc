"""A stand-in for the Sphinx application, for the examples of ``setup`` hooks.

Each extension's ``setup(app)`` registers config values, event handlers,
transforms and directives. Its docstring example calls it with a
:class:`RecordingApp`, which accepts any registration and remembers it, so the
example shows what the extension hooks into without building a book.
"""

from __future__ import annotations

__all__ = ["RecordingApp"]


class RecordingApp:
    """Records every ``app.<method>(first, ...)`` call a ``setup`` hook makes.

    Attributes:
        calls: ``(method, first argument's name)`` pairs, in call order; the
            name is a string argument itself, or a class's or function's
            ``__name__``.

    Example:
        >>> app = RecordingApp()
        >>> app.connect("builder-inited", print, priority=400)
        >>> app.add_config_value("answer", 42, "env")
        >>> app.calls
        [('connect', 'builder-inited'), ('add_config_value', 'answer')]
        >>> app.registered("connect")
        ['builder-inited']
    """

    def __init__(self):
        self.calls = []

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)

        def record(first=None, *args, **kwargs):
            name = first if isinstance(first, str) else getattr(first, "__name__", "")
            self.calls.append((method, name))

        return record

    def registered(self, method):
        """The first arguments' names of every call of ``method``, in order.

        Args:
            method: A method name, such as ``"connect"``.

        Returns:
            A list of names.

        Example:
            >>> app = RecordingApp()
            >>> app.add_directive("used-in", object)
            >>> app.registered("add_directive"), app.registered("connect")
            (['used-in'], [])
        """
        return [name for called, name in self.calls if called == method]
