"""Checks of the built site (run after `make html`; skipped before it).

CI runs them right after the build (see .ci/run).
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# GRIMOIRE_SITE checks another build, e.g. a draft:
# GRIMOIRE_SITE=_build/draft/tensors/html pytest tests/test_site.py
HTML = ROOT / os.environ.get("GRIMOIRE_SITE", "_build/html")
pytestmark = pytest.mark.skipif(
    not (HTML / "index.html").is_file(), reason="the book is not built (make html)"
)


def text(page):
    raw = (HTML / page).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


def chapter_pages():
    return sorted(
        str(p.relative_to(HTML))
        for p in HTML.glob("*/*.html")
        if not p.parts[-2].startswith("_")
    )


def test_pages_have_no_progress_bars_or_log_noise():
    for page in chapter_pages():
        body = text(page)
        assert not re.search(r"\d+/\d+ ━|/step", body), (
            f"{page} shows a Keras progress bar"
        )
        for noise in ("oneDNN", "absl::", "InitializeLog"):
            assert noise not in body, f"{page} shows TensorFlow's log: {noise!r}"


def test_first_look_shows_figures_and_glued_accuracy():
    body = text("foundations/first-look.html")
    assert re.search(
        r"Figure \d+ The first sixteen training images", body.replace(".", "")
    )
    assert "Twenty-four test images with the predicted class" in body
    accuracy = float(
        re.search(r"The model is right on (0\.\d{4}) of the test images", body).group(1)
    )
    assert 0.87 <= accuracy < 1


def test_status_page_lists_every_notebook_as_passing():
    body = text("appendix/status.html")
    for page in chapter_pages():
        if not page.startswith(("appendix/", "genindex", "search")):
            assert page.removesuffix(".html") in body, (
                f"{page} is not on the status page"
            )
    assert "❌" not in body
    assert "TensorFlow" in body and re.search(r"TensorFlow \d+\.\d+", body)


def test_status_page_lists_chapters_in_book_order():
    body = text("appendix/status.html")
    index = (ROOT / "book" / "index.md").read_text(encoding="utf-8")
    chapters = re.findall(r"^(\w[\w-]*/[\w-]+)$", index, re.MULTILINE)
    chapters = [c for c in chapters if not c.startswith("appendix/")]
    positions = [body.find(chapter) for chapter in chapters]
    assert -1 not in positions, "a chapter is missing from the status page"
    assert positions == sorted(positions), "the status page is not in book order"


def test_api_page_lists_chapters_in_book_order():
    raw = (HTML / "appendix/api.html").read_text(encoding="utf-8")
    index = (ROOT / "book" / "index.md").read_text(encoding="utf-8")
    order = re.findall(r"^(\w[\w-]*/[\w-]+)$", index, re.MULTILINE)
    lists = re.findall(r"Used in: </em>(.*?)</p>", raw, re.DOTALL)
    assert lists, "no 'Used in' list on the API page"
    for used_in in lists:
        pages = re.findall(r'href="\.\./([\w/-]+)\.html', used_in)
        positions = [order.index(page) for page in pages]
        assert positions == sorted(positions), f"not in book order: {pages}"


def test_api_page_fits_the_screen():
    """No line of a signature is long: values hidden, long signatures wrapped."""
    raw = (HTML / "appendix/api.html").read_text(encoding="utf-8")
    for signature in re.findall(r'<dt class="sig[^>]*>(.*?)</dt>', raw, re.DOTALL):
        for line in re.split(r"</?d[dl]>", signature):
            shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip()
            assert len(shown) <= 100, f"a signature line wider than the page: {shown}"


def test_figures_and_exercises_are_numbered_per_chapter():
    """Chapter 10 (Part II's third) numbers its figures 10.1, 10.2, ..."""
    raw = (HTML / "keras/training.html").read_text(encoding="utf-8")
    assert re.search(r'section-number">10\. </span>', raw), "training is not chapter 10"
    captions = re.findall(r'caption-number">Figure ([\d.]+) ', raw)
    assert captions and all(c.startswith("10.") for c in captions), captions
    assert "Exercise 10.1" in raw


def test_citations_are_author_year_and_link_back():
    raw = (HTML / "appendix/references.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id=.*?</div>', raw, re.DOTALL)
    assert entries, "no reference on the references page"
    for entry in entries:
        label = re.sub(r"<[^>]+>", "", re.search(r'"label">(.*?)\n', entry).group(1))
        # A year, or "n.d." (no date) for an undated source such as a repository.
        year = r"(\d{4}[a-z]?|n\.d\.)"
        assert re.fullmatch(rf"\[\w.* {year}\]", label), f"not author-year: {label}"
        back = re.findall(r"Cited in: </em>(.*?)</p>", entry)
        assert back, f"{label} is cited nowhere, or does not link back"
        for page, anchor in re.findall(r'href="\.\./([^"#]+)#([^"]+)"', back[0]):
            target = (HTML / page).read_text(encoding="utf-8")
            assert f'id="{anchor}"' in target, f"{label}: no #{anchor} in {page}"


PT_PER_CSS_PX = 0.75  # a browser draws 1 pt as 4/3 CSS pixels
# The page column at a 1280-pixel screen, as grimoire.plotting sizes figures.
COLUMN_PX = 672


def shown_font_sizes(svg):
    """(smallest font size in pt as shown, width in CSS pixels) of an SVG figure.

    The figure is shown at its natural width, or shrunk to the column: its
    text shrinks by the same factor.
    """
    width_pt = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))
    width_px = width_pt / PT_PER_CSS_PX
    scale = min(1.0, COLUMN_PX / width_px)
    sizes = [float(x) for x in re.findall(r"font(?:-size)?:\s*([\d.]+)px", svg)]
    return (min(sizes) * scale if sizes else None), width_px


def test_figure_text_is_legible_at_its_shown_size():
    """Figures are SVG, and their text is at least 9 pt as the page shows it."""
    checked, small, raster = 0, [], []
    for page in chapter_pages():
        raw = (HTML / page).read_text(encoding="utf-8")
        for src in re.findall(r'<img[^>]+src="([^"]+_images/[^"]+)"', raw):
            if not src.endswith(".svg"):
                raster.append(f"{page}: {src}")
                continue
            svg = (HTML / page).parent.joinpath(src).read_text(encoding="utf-8")
            smallest, width_px = shown_font_sizes(svg)
            checked += 1
            if smallest is not None and smallest < 8.95:
                small.append(f"{page}: {src} ({smallest:.1f} pt, {width_px:.0f} px)")
    assert checked, "no SVG figure in the book"
    assert not raster, f"figures that are not SVG (blurry when zoomed): {raster}"
    assert not small, f"figure text under 9 pt as shown: {small}"


def test_a_chapter_notebook_runs_as_a_reader_runs_it(tmp_path):
    """The executed notebook a chapter offers runs, outside the repository."""
    import nbclient
    import nbformat

    page = (HTML / "foundations/tensors.html").read_text(encoding="utf-8")
    link = re.search(r'href="([^"]*_sources/foundations/tensors\.ipynb)"', page)
    assert link, "the chapter offers no .ipynb download"
    source = (HTML / "foundations" / link.group(1)).resolve()
    notebook = nbformat.read(source, as_version=4)
    assert "pip install" in notebook.cells[0].source, "no install note in cell 1"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert any(cell.outputs for cell in code), "the notebook has no outputs"
    for cell in code:
        cell.outputs = []
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [
        output
        for cell in code
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors, errors
    assert all(cell.execution_count for cell in code), "a cell did not run"
