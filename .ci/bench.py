"""Benchmark the book's build: cold (serial, parallel), no-op, prose, package edit.

Run it with ``make bench`` (``--jobs 1 2`` by default: one cold build per
value of ``sphinx-build -j``, then the incremental builds with the first).
Each build copies the book (``book/``, ``code/``, ``_static/``, ``.vendor/``,
``conf.py``, ``requirements.txt``) into a scratch folder and
builds the copy there with its own execution cache, so the working tree and
its cache are never touched. The scratch package shadows the installed one
through ``PYTHONPATH``, so an edit to it is seen by the notebook kernels.

It prints a table and writes the figures as JSON (``--output``) so that
later changes can be compared. It is a benchmark, not a timed test: nothing
fails because a build is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import build_settings  # noqa: E402

# .vendor holds the site's MathJax (make mathjax, which make bench runs first).
COPIED = ["book", "code", "_static", ".vendor", "conf.py", "requirements.txt"]
PROSE_EDIT = (
    "book/foundations/first-look.md",
    "\n\nA sentence added by the benchmark.\n",
)
PACKAGE_EDIT = (
    "code/grimoire/dense_network.py",
    "\n# A comment added by the benchmark.\n",
)


def build(scratch: Path, jobs: str = "1") -> tuple[float, list[str]]:
    """Build the scratch book; return the wall time and the executed chapters."""
    env = dict(os.environ, PYTHONPATH=str(scratch / "code"))
    env.pop("GRIMOIRE_JUPYTER_CACHE", None)  # the scratch book keeps its own cache
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-c",
        str(scratch),
        "-W",
        "--keep-going",
        "-n",
        "-j",
        jobs,
        "-b",
        "html",
        "-d",
        str(scratch / "_build/doctrees"),
        str(scratch / "book"),
        str(scratch / "_build/html"),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    executed = re.findall(
        r"(\S+\.md): Executed notebook in", result.stdout + result.stderr
    )
    return seconds, [str(Path(path).relative_to(scratch / "book")) for path in executed]


def chapter_times(scratch: Path) -> dict[str, float]:
    """Execution seconds of each chapter, from the scratch execution cache."""
    from jupyter_cache import get_cache

    cache = get_cache(str(scratch / ".jupyter_cache"))
    times = {}
    for record in cache.list_cache_records():
        times[str(Path(record.uri).relative_to(scratch / "book"))] = round(
            record.data["execution_seconds"], 2
        )
    return dict(sorted(times.items()))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "bench.json")
    parser.add_argument(
        "--jobs", nargs="+", default=["1", "2"], help="sphinx-build -j values"
    )
    args = parser.parse_args()
    build_settings.apply()  # the data mirror and the variables, as for make html

    steps = {}
    for jobs in args.jobs[1:]:
        with tempfile.TemporaryDirectory(prefix="grimoire-bench-") as folder:
            scratch = Path(folder)
            copy_book(scratch)
            steps[f"cold -j {jobs}"] = build(scratch, jobs)
    with tempfile.TemporaryDirectory(prefix="grimoire-bench-") as folder:
        scratch = Path(folder)
        copy_book(scratch)
        jobs = args.jobs[0]
        steps[f"cold -j {jobs}"] = build(scratch, jobs)
        chapters = chapter_times(scratch)
        steps["no-op"] = build(scratch, jobs)
        append(scratch / PROSE_EDIT[0], PROSE_EDIT[1])
        steps["prose edit"] = build(scratch, jobs)
        append(scratch / PACKAGE_EDIT[0], PACKAGE_EDIT[1])
        steps["package edit"] = build(scratch, jobs)
    report_results(steps, chapters, args.output)


def copy_book(scratch: Path) -> None:
    """Copy what the build reads into ``scratch``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=ignore)
        else:
            shutil.copy2(source, scratch / name)


def report_results(steps, chapters, output: Path) -> None:
    """Print the table and write the JSON report."""
    print(f"{'build':<16}{'seconds':>9}  re-executed chapters")
    for name, (seconds, executed) in steps.items():
        print(f"{name:<16}{seconds:>9.1f}  {len(executed)} {', '.join(executed)}")
    print(f"\n(package edit: {PACKAGE_EDIT[0]}; prose edit: {PROSE_EDIT[0]})")
    print(f"\n{'chapter':<40}{'execution seconds':>18}")
    for chapter, seconds in chapters.items():
        print(f"{chapter:<40}{seconds:>18.1f}")

    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "builds": {
            name: {"seconds": round(seconds, 2), "executed": executed}
            for name, (seconds, executed) in steps.items()
        },
        "chapters": chapters,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
