"""The build log keeps what an author needs and drops the kernels' noise."""

import subprocess
import sys
from pathlib import Path

import pytest
from build_log import keep, main

BUILD_LOG = Path(__file__).resolve().parents[1] / "book" / "_ext" / "build_log.py"
NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to "
    "STDERR",
    "I0000 00:00:1796235317.885581   18485 port.cc:153] oneDNN custom operations "
    "are on.",
    "[IPKernelApp] WARNING | Kernel is running over TCP without encryption. All ...",
    "/book/a.md: Executing notebook using temporary CWD [mystnb]",
    "/book/a.md: Cached executed notebook: ID=3 [mystnb]",
    "myst-nb v1.4.0: NbParserConfig(custom_formats={})",
]
KEPT = [
    "reading sources... [ 50%] foundations/tensors",
    "/book/a.md: Executed notebook in 28.20 seconds [mystnb]",
    "/book/a.md:12: WARNING: undefined label: 'fig-a' [ref.numref]",
    "E0000 00:00:1796235317.885581   18485 kernel.cc:1] a real C++ error",
    "Traceback (most recent call last):",
    "build succeeded.",
]


@pytest.mark.parametrize("line", NOISE)
def test_noise_is_dropped(line):
    assert not keep(line)


@pytest.mark.parametrize("line", KEPT)
def test_progress_warnings_and_errors_are_kept(line):
    assert keep(line)


def test_main_filters_and_returns_the_status(tmp_path):
    script = tmp_path / "fake_build.py"
    lines = NOISE + KEPT
    script.write_text(
        "import sys\n"
        f"for line in {lines!r}:\n"
        "    print(line, file=sys.stderr if 'WARNING' in line else sys.stdout)\n"
        "sys.exit(3)\n"
    )
    wrapper = [sys.executable, str(BUILD_LOG), sys.executable, str(script)]
    result = subprocess.run(wrapper, capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stdout.splitlines() == KEPT


def test_main_needs_a_command(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_keep_rejects_bytes():
    with pytest.raises(
        TypeError, match=r"Expected `line` to be a str. Received: line="
    ):
        keep(b"bytes")
