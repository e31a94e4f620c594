"""Charts as inline SVG, drawn by pygal on the server: no script, no font, nothing fetched.

pygal embeds a <script> with its tooltip configuration; the dashboard ships no tooltip script and its
Content-Security-Policy would block it, so it is removed from the tree before serialising. Each chart
is an <svg role="img"> with a title, so a screen reader announces what it shows; the numbers are also
in the table next to every chart.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree

import pygal
from markupsafe import Markup
from pygal.style import Style

_SVG = "{http://www.w3.org/2000/svg}"

# Readable on a light and a dark page: transparent background, mid-tone text, colour-blind-safe
# series colours (Okabe and Ito).
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#6b7280",
    foreground_strong="#6b7280",
    foreground_subtle="#9ca3af",
    guide_stroke_color="#9ca3af",  # pygal's default guides are black: invisible on a dark page
    major_guide_stroke_color="#6b7280",
    opacity=".85",
    opacity_hover="1",
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
)

# pygal's own CSS (series colours, strokes, the transparent background; from its package, never fetched)
# is inlined into each chart's <style>: without it a browser fills every shape black.
_COMMON: dict[str, Any] = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": False,
    "width": 800,
    "height": 320,
    "show_y_guides": True,
    "legend_at_bottom": True,
    "print_values": False,
    "truncate_legend": -1,
}


def line(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> Markup:
    """Values over time (one line per series), e.g. proactive vs reactive actions per week."""
    chart = pygal.Line(title=title, x_label_rotation=30, show_minor_x_labels=False, **_COMMON)
    chart.x_labels = list(labels)
    chart.x_labels_major_every = max(1, len(labels) // 8)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, title)


def bars(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> Markup:
    """Grouped bars per label, e.g. reach and engagement per tier."""
    chart = pygal.Bar(title=title, **_COMMON)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _svg(chart, title)


def horizontal_bars(title: str, items: Sequence[tuple[str, float]]) -> Markup:
    """One bar per item, largest first as given, e.g. a funnel targeted → delivered → engaged."""
    chart = pygal.HorizontalBar(title=title, show_legend=True, **_COMMON)
    for name, value in items:
        chart.add(name, [value])
    return _svg(chart, title)


def sparkline(values: Sequence[float | None], label: str) -> Markup:
    """A small trend line for a table cell (no axes); `label` is what a screen reader hears."""
    return _sparkline(tuple(values), label)


# pygal takes 5 to 15 ms per sparkline (most of it configuration and CSS, the same for every one), and the
# Partners table shows 50: a drawn line is kept for the same values and label, which a partner's past
# weeks keep from one view of the table to the next. The SVG is immutable markup; 2,000 of them take
# about 20 MB.
@functools.lru_cache(maxsize=2000)
def _sparkline(values: tuple[float | None, ...], label: str) -> Markup:
    chart = pygal.Line(style=STYLE, js=[], disable_xml_declaration=True, explicit_size=False)
    chart.add("", list(values) or [0])
    svg = chart.render_sparkline(width=120, height=24, show_dots=False)
    return _serialise(ElementTree.fromstring(svg), label, css_class="sparkline")


def _svg(chart: Any, title: str) -> Markup:
    return _serialise(chart.render_tree(), title, css_class="chart")


def _serialise(tree: Any, title: str, *, css_class: str) -> Markup:
    root = tree if tree.tag.endswith("svg") else tree.getroot()
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{_SVG}script", "script"):
                parent.remove(child)
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("class", f"{root.get('class', '')} {css_class}".strip())
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return Markup(ElementTree.tostring(root, encoding="unicode"))
