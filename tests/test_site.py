"""Checks of the built site (run after `make html`; skipped before it).

CI runs them right after the build (see .ci/run).
"""

import re
from pathlib import Path

import pytest

HTML = Path(__file__).resolve().parents[1] / "_build" / "html"
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
