"""Run a command (``sphinx-build``) and keep its log for the author.

The book's build log mixes three voices: Sphinx (progress and warnings),
myst-nb (three lines per executed chapter) and the notebook kernels, whose
TensorFlow prints banners to standard error that no setting silences (the
absl and oneDNN lines, and the kernel's "running over TCP without encryption"
notice). This wrapper passes Sphinx's progress, real warnings and errors, and
one line per executed chapter with its time; it drops the known noise, and
nothing else. Its exit status is the command's.

Usage (the Makefile's ``html`` target)::

    python book/_ext/build_log.py sphinx-build -W ... book _build/html
"""

from __future__ import annotations

import re
import subprocess
import sys

__all__ = ["NOISE", "keep", "main"]

#: Lines of the log that carry no information for an author.
NOISE = tuple(
    re.compile(pattern)
    for pattern in (
        # TensorFlow's C++ logging before absl is initialised, in every kernel.
        r"^WARNING: All log messages before absl::InitializeLog\(\) is called",
        r"^[IW]\d{4} [\d:. ]+\d+ [\w.]+\.cc:\d+\] ",
        # ipykernel 7 on the TCP transport that nbclient uses.
        r"^\[IPKernelApp\] WARNING \| Kernel is running over TCP without encryption",
        # myst-nb: keep "Executed notebook in N seconds", drop the other two lines.
        r": Executing notebook using (local|temporary) CWD \[mystnb\]$",
        r": Cached executed notebook: ID=\d+ \[mystnb\]$",
        r": Excluded from execution by pattern: ",
        # Configuration dumps and template chatter.
        r"^myst(-nb)? v[\d.]+: \w+Config\(",
        r"^Writing evaluated template result to ",
    )
)


def keep(line):
    """Return whether a line of the build log is worth showing.

    Args:
        line: One line of the log.

    Returns:
        False for known noise, True for everything else.

    Raises:
        TypeError: If ``line`` is not a string.

    Example:
        >>> keep("book/tensors.md: Executed notebook in 28.20 seconds [mystnb]")
        True
        >>> keep("book/tensors.md: Cached executed notebook: ID=1 [mystnb]")
        False
        >>> keep("book/tensors.md:12: WARNING: undefined label: 'ch-nope'")
        True
    """
    if not isinstance(line, str):
        raise TypeError(
            f"Expected `line` to be a str. Received: line={line!r} of type "
            f"{type(line).__name__}"
        )
    return not any(pattern.search(line) for pattern in NOISE)


def main(argv=None):
    """Run ``argv`` and print its output without the noise; return its status.

    Example:
        >>> main([sys.executable, "-c", "print('kept')"])
        kept
        0
    """
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: build_log.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    for line in process.stdout:
        if keep(line):
            sys.stdout.write(line)
            sys.stdout.flush()
    return process.wait()


if __name__ == "__main__":
    sys.exit(main())
