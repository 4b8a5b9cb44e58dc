"""Execute one chapter on its own, as the book build would, and time it.

Run it with ``make chapter CHAPTER=book/foundations/autodiff.md``. It reads
the MyST chapter with jupytext, runs every code cell in a fresh kernel from
the chapter's own folder, and prints the wall time and the glued values. A
failing cell prints its traceback and exits non-zero. Nothing is cached and
nothing is written into the book: it is for authors drafting a chapter, and
the full ``make html`` stays the judge (it also checks the MyST markup).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import build_settings  # noqa: E402


def glued(notebook):
    """Yield (name, text) for every value a chapter glues."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook", {})
            if meta.get("name"):
                data = output.get("data", {})
                yield (
                    meta["name"],
                    data.get(meta.get("mime_prefix", "") + "text/plain", ""),
                )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "chapter", type=Path, help="a MyST chapter, such as book/vision/convnets.md"
    )
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds per cell (default 600)"
    )
    parser.add_argument(
        "--save", type=Path, help="write the executed notebook here (.ipynb)"
    )
    args = parser.parse_args(argv)
    build_settings.apply()  # the data mirror and the variables, as for make html
    if not args.chapter.is_file():
        parser.error(f"no such chapter: {args.chapter}")
    notebook = jupytext.read(args.chapter)
    client = NotebookClient(
        notebook,
        timeout=args.timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(args.chapter.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        print(error, file=sys.stderr)
        print(
            f"FAILED {args.chapter} after {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        return 1
    finally:
        if args.save:
            args.save.write_text(json.dumps(notebook, indent=1))
    seconds = time.perf_counter() - start
    for name, text in glued(notebook):
        print(f"glue {name} = {text}")
    print(f"OK {args.chapter}: {len(notebook.cells)} cells executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
