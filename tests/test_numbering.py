"""Chapters are numbered across the parts, and listed in book order.

A mini book of two parts, each a ``:numbered: 1`` toctree: the chapter of
Part II is chapter 2 (not 1 again), its listing is "Listing 2.1", and the
execution table lists "zeta" (Part I) before "alpha" (Part II).
"""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"
CHAPTER = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {title}

```{{code-block}} python
:caption: A listing
:name: listing-{name}

x = 1
```

See {{numref}}`listing-{name}`.

```{{code-cell}} ipython3
print("{name}")
```
"""
INDEX = """# Mini

```{nb-exec-table}
```

```{toctree}
:caption: Part I
:numbered: 1

zeta
```

```{toctree}
:caption: Part II
:numbered: 1

alpha
```
"""


def test_chapters_are_numbered_across_parts_and_listed_in_book_order(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        textwrap.dedent("""\
        extensions = ["myst_nb", "numbering"]
        nb_execution_mode = "force"
        numfig = True
        numfig_secnum_depth = 1
        """)
    )
    (src / "index.md").write_text(INDEX)
    for name, title in (("zeta", "Zeta"), ("alpha", "Alpha")):
        (src / f"{name}.md").write_text(CHAPTER.format(name=name, title=title))
    out = tmp_path / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        env=dict(os.environ, PYTHONPATH=str(EXT)),
        check=True,
        capture_output=True,
        timeout=300,
    )
    alpha = (out / "alpha.html").read_text(encoding="utf-8")
    assert re.search(r'section-number">2\. </span>Alpha', alpha)
    assert "Listing 2.1" in alpha and "Listing 1.1" not in alpha
    zeta = (out / "zeta.html").read_text(encoding="utf-8")
    assert "Listing 1.1" in zeta
    index = (out / "index.html").read_text(encoding="utf-8")
    table = index[index.index("<table") :]
    assert table.index("zeta") < table.index("alpha"), "not in book order"
