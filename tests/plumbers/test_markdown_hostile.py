"""Markdown from anyone renders at a bounded cost: CommonMark's pathological inputs (deep
nesting, many brackets, long emphasis runs), each at the longest length a field accepts,
render without error. The cost itself is measured in bench/markdown.py; the loose bound
here only catches a parser that went quadratic again (Python-Markdown took 16-20 s on
``"[" * 8000`` and raised RecursionError on ``"- " * 1000``)."""

import time

import pytest

from plumbers.markdown import MARKDOWN_MAX_LENGTH, render_markdown

N = MARKDOWN_MAX_LENGTH


def _fill(unit: str, tail: str = "") -> str:
    return (unit * (N // len(unit)))[: N - len(tail)] + tail


PATHOLOGICAL = {
    "nested lists": _fill("- "),
    "nested block quotes": _fill("> ", "x"),
    "open brackets": _fill("["),
    "open image brackets": _fill("!["),
    "unclosed links": _fill("[a]("),
    "empty links": _fill("[]("),
    "emphasis runs": _fill("*a _b "),
    "emphasis delimiters": _fill("*"),
    "backtick runs": _fill("`a``"),
    "nested inline links": _fill("[a [b [c", "]]]"),
    "html-like openers": _fill("<a "),
    "table of many columns": _fill("|a")[: N // 2] + "\n" + _fill("|-")[: N // 2 - 1],
    "entities": _fill("&#x"),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_markdown_pathological_input_renders_at_bounded_cost(text):
    assert len(text) <= N  # the longest a Markdown field accepts

    started = time.perf_counter()
    html = render_markdown(text)
    elapsed = time.perf_counter() - started

    assert isinstance(html, str)
    assert "<script" not in html
    assert elapsed < 5, f"{elapsed:.2f} s: the renderer's cost is no longer linear"


def test_markdown_keeps_the_features_people_use():
    html = render_markdown(
        "## Topics\n\n- **VFIO** and `iommufd`\n- ~~old~~ new\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n[LPC](https://lpc.events)"
    )

    assert "<h2>Topics</h2>" in html
    assert "<strong>VFIO</strong>" in html and "<code>iommufd</code>" in html
    assert "<s>old</s>" in html or "<del>old</del>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<pre><code>code\n</code></pre>" in html
    assert 'href="https://lpc.events"' in html and 'rel="nofollow noopener noreferrer"' in html
